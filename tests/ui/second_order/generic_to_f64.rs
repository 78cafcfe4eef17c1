// Converting a differentiated value to `f64` inside a generic function would drop the
// derivative part of the dual number second order runs it at.
use num_traits::Float;
use tapeless::differentiable;

#[differentiable(hessian)]
fn wave<T: Float>(x: T) -> T {
    let y = x.to_f64().unwrap();
    T::from(y.sin()).unwrap() * x
}

fn main() {}
