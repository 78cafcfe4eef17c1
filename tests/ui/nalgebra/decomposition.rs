// A decomposition of a differentiated matrix has no rule: the help names the inverse, which has.
use nalgebra::{Matrix3, Vector3};
use tapeless::differentiable;

#[differentiable]
fn solved(a: &Matrix3<f64>, b: &Vector3<f64>) -> f64 {
    let x = a.lu().solve(b).unwrap();
    x.sum()
}

fn main() {}
