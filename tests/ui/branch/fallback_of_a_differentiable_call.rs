use tapeless::differentiable;

#[differentiable]
fn safe_log(x: f64) -> Option<f64> {
    if x > 0.0 { Some(x.ln()) } else { None }
}

/// The fallback runs where `safe_log` returns `None`, which moves with `x`.
#[differentiable]
fn weighted(x: f64, y: f64) -> f64 {
    safe_log(x).unwrap_or(0.0) * y
}

/// The same through `unwrap_or_default`.
#[differentiable]
fn scaled(x: f64) -> f64 {
    2.0 * safe_log(x).unwrap_or_default()
}

/// The forms with a closure: the same fallback, the same error.
#[differentiable]
fn with_closures(x: f64) -> f64 {
    safe_log(x).unwrap_or_else(|| 0.0) + safe_log(x).map_or(1.0, |v| v * 2.0)
}

fn main() {}
