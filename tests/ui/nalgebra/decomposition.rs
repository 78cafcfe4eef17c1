// A decomposition of a differentiated matrix that is not read by `solve` has no rule: the help
// names the solves, the inverse and the determinant, which have.
use nalgebra::Matrix3;
use tapeless::differentiable;

#[differentiable]
fn largest_eigenvalue(a: &Matrix3<f64>) -> f64 {
    let eigen = a.symmetric_eigen();
    eigen.eigenvalues.max()
}

fn main() {}
