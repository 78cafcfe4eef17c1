use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn scaled_exp(v: DVector<f64>, scale: f64) -> f64 {
    v.map(|e| (e * scale).exp()).norm()
}

fn main() {}
