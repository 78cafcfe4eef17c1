use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn sines(v: DVector<f64>) -> DVector<f64> {
    v.map(|e| e.sin())
}

#[differentiable]
fn total(x: DVector<f64>) -> f64 {
    let y = sines(x.clone());
    (&y + &x).sum()
}

fn main() {}
