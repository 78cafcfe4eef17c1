// `abs` of a `DMatrix` built from a differentiated vector's entries (held by index, as an
// array): a function of floats, not of matrices. Until the twenty-fifth session this was a rustc
// error about the runtime's `Real` bound instead of ours.
use nalgebra::{DMatrix, DVector};
use tapeless::differentiable;

#[differentiable]
fn absolute_sum(p: &DVector<f64>) -> f64 {
    let m = DMatrix::from_column_slice(3, 2, p.as_slice());
    m.abs().sum()
}

fn main() {}
