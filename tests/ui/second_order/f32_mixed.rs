// Second order computes in f64; a function that mentions f32 is rejected at the f32.
use tapeless::differentiable;

#[differentiable(hessian)]
fn mixed(x: f64) -> f64 {
    let half = x as f32 * 0.5;
    x * f64::from(half)
}

fn main() {}
