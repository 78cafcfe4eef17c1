use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn energy(v: DVector<f64>) -> f64 {
    v.norm_squared()
}

#[differentiable]
fn total(v: DVector<f64>) -> f64 {
    energy(v.clone()) + v.sum()
}

fn main() {}
