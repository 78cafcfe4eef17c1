// A rigid motion built from a differentiated angle has no rule: the help names the rotations
// that are read from their angles (`Rotation2::new`, .., tests/rotations.rs) and how to write
// the motion with one.
use nalgebra::{Isometry2, Point2, Vector2};
use tapeless::differentiable;

#[differentiable]
fn moved(theta: f64, p: &Point2<f64>) -> f64 {
    let pose = Isometry2::new(Vector2::new(1.0, 2.0), theta);
    (pose * p).x
}

fn main() {}
