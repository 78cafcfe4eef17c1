// A nalgebra function tapeless has no rule for, on a differentiated value: our error at the call
// (it used to be a call of a `Matrix3::from_diagonal_vjp` that does not exist; `from_diagonal`
// itself is built entry by entry since). On constants it is kept as written.
use nalgebra::{Matrix3, Rotation3, Vector3};
use tapeless::differentiable;

#[differentiable]
fn scaled(v: &Vector3<f64>) -> f64 {
    let r = Rotation3::from_euler_angles(0.1, 0.2, 0.3);
    let m = Matrix3::from_partial_diagonal(&[v[0], v[1]]);
    (r * m * v).norm()
}

fn main() {}
