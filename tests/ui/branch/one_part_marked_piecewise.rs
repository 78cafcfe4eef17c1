use tapeless::{differentiable, piecewise};

/// Both parts of the condition depend on `x`; only the first is marked.
#[differentiable]
fn damped(x: f64, limit: f64) -> f64 {
    let mut y = x;
    while piecewise(y.abs() < limit) && y * y > 1e-3 {
        y *= 1.5;
    }
    y
}

fn main() {}
