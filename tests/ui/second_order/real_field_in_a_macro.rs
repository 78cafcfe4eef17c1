// The copy of a `RealField` function writes out what a macro's arguments ask of `T` too
// (`assert!(x[0] > T::zero())` is fine); what it cannot write out is our error there, not
// rustc's in generated code.
use nalgebra::{DVector, RealField};
use tapeless::differentiable;

#[differentiable(hessian)]
fn positive_norm<T: RealField + Copy>(x: &DVector<T>) -> T {
    assert!(x[0] > T::zero() && x[1] < T::default_max_relative());
    x.norm()
}

fn main() {}
