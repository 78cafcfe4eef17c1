// A function of the same file without the attribute, called on a differentiable value, is
// written out at the call; a problem in its body is reported at the call, with a note naming it.
use tapeless::differentiable;

fn ramp(v: f64) -> f64 {
    if v > 0.0 { v } else { 0.0 }
}

#[differentiable]
fn hinge(x: f64, y: f64) -> f64 {
    ramp(1.0 - x * y)
}

fn main() {}
