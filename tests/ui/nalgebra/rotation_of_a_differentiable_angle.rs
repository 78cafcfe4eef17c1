// A rotation built from a differentiated angle has no rule: the help says how to build its
// matrix from the angle instead.
use nalgebra::{Rotation2, Vector2};
use tapeless::differentiable;

#[differentiable]
fn turned(theta: f64, v: &Vector2<f64>) -> f64 {
    let r = Rotation2::new(theta);
    (r * v).x
}

fn main() {}
