use nalgebra::DMatrix;
use tapeless::differentiable;

// A closure given to a constructor other than `DVector::from_fn` is not followed: the help says
// where closures are and how to build a matrix instead.
#[differentiable]
fn outer(x: &[f64]) -> f64 {
    let m = DMatrix::from_fn(x.len(), x.len(), |i, j| x[i] * x[j]);
    m.norm()
}

fn main() {}
