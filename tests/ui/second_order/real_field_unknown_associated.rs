// A function generic over `RealField` is copied at dual numbers for second order, with what it
// asks of `T` written out; `T::default_max_relative()` is not one of those: our error at the
// name, with the ones that are.
use nalgebra::{DVector, RealField};
use tapeless::differentiable;

#[differentiable(hessian)]
fn scaled_norm<T: RealField + Copy>(x: &DVector<T>) -> T {
    x.norm() * T::default_max_relative()
}

fn main() {}
