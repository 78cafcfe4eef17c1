use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable]
fn largest(v: Vector3<f64>) -> f64 {
    v.amax() * v.norm()
}

fn main() {}
