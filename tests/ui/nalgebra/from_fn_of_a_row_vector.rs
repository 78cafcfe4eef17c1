use nalgebra::RowDVector;
use tapeless::differentiable;

// A closure given to a constructor other than `DVector::from_fn` and `DMatrix::from_fn` is not
// followed: the help says where closures are and how to build a matrix instead.
#[differentiable]
fn row(x: &[f64]) -> f64 {
    let m = RowDVector::from_fn(x.len(), |_, j| x[j] * x[j]);
    m.norm()
}

fn main() {}
