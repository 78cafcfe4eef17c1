// A rotation built from a differentiated angle is held as its matrix; a rotation parameter is
// not, and the two have no product in the generated items: our error at the product.
use nalgebra::{UnitQuaternion, Vector3};
use tapeless::differentiable;

#[differentiable(wrt(yaw))]
fn turned(q: &UnitQuaternion<f64>, yaw: f64, v: &Vector3<f64>) -> f64 {
    let r = UnitQuaternion::from_euler_angles(0.0, 0.0, yaw);
    (q * r * v).x
}

fn main() {}
