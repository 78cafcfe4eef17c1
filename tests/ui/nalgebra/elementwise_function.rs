// `abs` of a vector is not the scalar rule: the message says what tapeless knows.
use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable]
fn total_variation(v: Vector3<f64>) -> f64 {
    v.abs().norm()
}

fn main() {}
