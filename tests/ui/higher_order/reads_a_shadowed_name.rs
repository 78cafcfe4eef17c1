// The helper's body calls `weight`; written out here, it would read the caller's local
// `weight` instead of the function: our error, naming what to rename.
use tapeless::differentiable;

fn weight(t: f64) -> f64 {
    1.0 + t
}

fn weighted<F: Fn(f64) -> f64>(f: F, t: f64) -> f64 {
    weight(t) * f(t)
}

#[differentiable]
fn caller(x: f64) -> f64 {
    let weight = 2.0;
    weighted(|t| x * t, 0.5) * weight
}

fn main() {}
