use nalgebra::DVector;
use tapeless::differentiable;

// nalgebra accepts `a * b` of two column vectors (it checks the shapes at run time, and this one
// would panic); tapeless has no adjoint for that combination of types.
#[differentiable]
fn gram(a: DVector<f64>, b: DVector<f64>) -> f64 {
    (&a * &b).norm()
}

fn main() {}
