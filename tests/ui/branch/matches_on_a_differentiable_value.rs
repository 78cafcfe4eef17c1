use tapeless::differentiable;

// `matches!` is the `match` it stands for: a test of a differentiated value switches between
// two formulas, like an `if` on it.
#[differentiable]
fn rectified(x: f64) -> f64 {
    if matches!(x, v if v > 0.0) { x } else { 0.1 * x }
}

fn main() {}
