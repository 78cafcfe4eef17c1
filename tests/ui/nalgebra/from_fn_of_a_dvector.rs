use nalgebra::DVector;
use tapeless::differentiable;

// A closure given to a constructor is not followed: the help says to fill by index.
#[differentiable]
fn residuals(p: &[f64], t: &[f64]) -> DVector<f64> {
    DVector::from_fn(t.len(), |i, _| p[0] * (-p[1] * t[i]).exp())
}

fn main() {}
