// The `Option` of a solve on a differentiated matrix kept as a value (`.is_some()`): our error,
// which names the forms that work (`.unwrap()`, `?`, `if let`, a `no_grad` test). Before,
// rustc's "no method `solve`" in generated code.
use nalgebra::{Matrix2, Vector2};
use tapeless::differentiable;

#[differentiable]
fn solved(a: f64) -> f64 {
    let m = Matrix2::new(a, 1.0, 1.0, 2.0);
    let solvable = m.lu().solve(&Vector2::new(1.0, 0.5)).is_some();
    if solvable { a } else { 0.0 }
}

fn main() {}
