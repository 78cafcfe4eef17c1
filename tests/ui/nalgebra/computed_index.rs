use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable]
fn weighted(v: Vector3<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        s += (v * 2.0)[i] * (i as f64);
    }
    s
}

fn main() {}
