use tapeless::{differentiable, piecewise};

// `threshold` only decides which branch runs: its derivative would be zero everywhere.
#[differentiable]
fn clipped(x: f64, threshold: f64) -> f64 {
    let t = threshold * 2.0;
    if piecewise(x > t) { x } else { 0.0 }
}

fn main() {}
