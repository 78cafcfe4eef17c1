use nalgebra::SVector;
use tapeless::differentiable;

// The size is inferred from the annotation, which the macro cannot see: write it in the path.
#[differentiable]
fn squares(x: &[f64]) -> f64 {
    let v: SVector<f64, 3> = SVector::from_fn(|i, _| x[i] * x[i]);
    v.sum()
}

fn main() {}
