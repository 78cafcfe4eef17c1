// Second order runs a generic function at the runtime's `Dual<f64>`, which implements
// num_traits' traits but not nalgebra's `RealField`.
use tapeless::differentiable;

#[differentiable(hessian)]
fn square<T: nalgebra::RealField + Copy>(x: T) -> T {
    x * x
}

fn main() {}
