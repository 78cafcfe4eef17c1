// Second order runs a function generic over `T: Float` at the runtime's `Dual<f64>`, which
// implements num_traits' float traits but not `Signed`; nalgebra's `RealField` takes another
// route (the `_grad` copied at dual numbers), other bounds are this error.
use tapeless::differentiable;

#[differentiable(hessian)]
fn square<T: num_traits::Float + num_traits::Signed>(x: T) -> T {
    x * x
}

fn main() {}
