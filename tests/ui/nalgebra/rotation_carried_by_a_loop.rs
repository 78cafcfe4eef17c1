// A rotation built from a differentiated angle is held as its matrix; `Rotation2::identity()`
// (no angle) is not, and the two have no product in the generated items: our error at the
// product, with what to do instead.
use nalgebra::{Rotation2, Vector2};
use tapeless::differentiable;

#[differentiable(wrt(th))]
fn spun(th: f64, v: &Vector2<f64>) -> f64 {
    let step = Rotation2::new(th);
    let mut r = Rotation2::identity();
    for _ in 0..3 {
        r = r * step;
    }
    (r * v).x
}

fn main() {}
