use nalgebra::{DVector, Vector3};
use tapeless::differentiable;

#[differentiable]
fn weighted(v: DVector<f64>, w: Vector3<f64>) -> f64 {
    // A computed vector's `map` may read floats; `w` is a static vector.
    let u = &v * 2.0;
    u.map(|e| e * w.norm() + w.x).norm()
}

fn main() {}
