// A `RealField` function's dual copy cannot call its callee's: our error at the call.
use nalgebra::RealField;
use tapeless::differentiable;

#[differentiable(hessian)]
fn inner<T: RealField + Copy>(x: T) -> T {
    x * x
}

#[differentiable(hessian)]
fn outer<T: RealField + Copy>(x: T) -> T {
    inner(x) + x
}

fn main() {}
