use tapeless::differentiable;

/// A function written in `f32` throughout: one error, at the first `f32`, not one per parameter
/// and the result.
#[differentiable(hessian)]
fn quadratic(x: f32, y: &[f32]) -> f32 {
    x * x + y[0] * x
}

fn main() {}
