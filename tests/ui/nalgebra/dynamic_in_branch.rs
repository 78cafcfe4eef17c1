use nalgebra::DVector;
use tapeless::{differentiable, piecewise};

#[differentiable]
fn clipped(v: DVector<f64>, s: f64) -> f64 {
    let w = if piecewise(s > 0.0) { &v * s } else { v.clone() };
    w.norm()
}

fn main() {}
