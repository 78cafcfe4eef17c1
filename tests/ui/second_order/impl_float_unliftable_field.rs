// A method generic over its `impl` block's `Float`, whose struct holds a field second order
// cannot lift to dual numbers (a boxed closure: neither the float nor a plain value to clone).
// Our error, not rustc's inside generated code.
use num_traits::Float;
use tapeless::differentiable;

pub struct Shaped<T> {
    pub scale: T,
    pub shape: Box<dyn Fn(usize) -> usize>,
}

#[differentiable(hessian, wrt(x))]
impl<T: Float> Shaped<T> {
    pub fn energy(&self, x: &[T]) -> T {
        x.iter().fold(T::zero(), |s, &v| s + self.scale * v * v)
    }
}

fn main() {}
