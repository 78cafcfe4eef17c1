// `scaled` differentiates only `a`; the caller passes `x` (differentiated) for `b` too, whose
// derivative would be lost: our error at the call.
use tapeless::differentiable;

#[differentiable(wrt(a))]
fn scaled(a: f64, b: f64) -> f64 {
    a * b.sin()
}

#[differentiable]
fn f(x: f64) -> f64 {
    scaled(x, x) + x
}

fn main() {}
