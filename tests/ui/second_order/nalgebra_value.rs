// Second order runs nalgebra matrices at dual entries, but not a `map` closure yet (the
// closure becomes a scalar function of `f64`).
use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable(hessian)]
fn sines(v: Vector3<f64>) -> f64 {
    v.map(|e| e.sin()).sum()
}

fn main() {}
