use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable]
fn direction(v: Vector3<f64>) -> f64 {
    v.normalize().norm_squared() * v.norm()
}

fn main() {}
