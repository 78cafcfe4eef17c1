// Second order does not compose calls yet: the callee's second derivative would be missing.
use tapeless::differentiable;

#[differentiable]
fn inner(a: f64) -> f64 {
    a.sin()
}

#[differentiable(hessian)]
fn outer(x: f64, y: f64) -> f64 {
    inner(x * y) + x
}

fn main() {}
