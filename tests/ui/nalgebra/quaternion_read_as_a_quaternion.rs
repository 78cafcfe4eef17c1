// `q.w` of a quaternion built from differentiated angles: held as its rotation matrix, the
// quaternion's own parts are not there (on a matrix, `norm()` or `dot` would compute something
// else), so any such read is our error.
use nalgebra::UnitQuaternion;
use tapeless::differentiable;

#[differentiable]
fn scalar_part(roll: f64, pitch: f64, yaw: f64) -> f64 {
    let q = UnitQuaternion::from_euler_angles(roll, pitch, yaw);
    q.norm() * q.w
}

fn main() {}
