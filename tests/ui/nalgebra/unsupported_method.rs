use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable]
fn largest(v: Vector3<f64>) -> f64 {
    v.lp_norm(3) * v.norm()
}

fn main() {}
