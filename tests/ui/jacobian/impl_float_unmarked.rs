// `jacobian` on a method generic over its block's float, in a block without the attribute: its
// `_jacobian` takes `f64`s and belongs in a block for `Arm<f64>`, which only the block's
// attribute can write (rustc's errors inside generated code until the forty-seventh session).
use num_traits::Float;
use tapeless::differentiable;

pub struct Arm<T> {
    pub first: T,
}

impl<T: Float> Arm<T> {
    #[differentiable(jacobian, wrt(q))]
    pub fn tip(&self, q: &[T; 2]) -> [T; 2] {
        [self.first * q[0].cos(), self.first * q[1].sin()]
    }
}

fn main() {
    let (_, j) = Arm { first: 1.0 }.tip_jacobian(&[0.1, 0.2]);
    println!("{j}");
}
