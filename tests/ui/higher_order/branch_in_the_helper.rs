// An error inside the helper's body points at the call, with a note that it is in the helper.
use tapeless::differentiable;

fn clipped<F: Fn(f64) -> f64>(f: F, x: f64) -> f64 {
    let y = f(x);
    if y > 1.0 { 1.0 } else { y }
}

#[differentiable]
fn caller(a: f64) -> f64 {
    clipped(|v| a * v, 0.5)
}

fn main() {}
