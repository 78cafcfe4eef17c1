// A rotation applied to a vector has first-order rules only: with `hessian`, the parameter is
// our error, which says to pass the rotation's matrix instead.
use nalgebra::{UnitQuaternion, Vector3};
use tapeless::differentiable;

#[differentiable(hessian, wrt(v))]
fn rotated(q: &UnitQuaternion<f64>, v: &Vector3<f64>) -> f64 {
    let w = q * v;
    w.z * w.x
}

fn main() {}
