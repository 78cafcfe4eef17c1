// The attribute on a helper whose parameter takes a closure: the closure has no derivative to
// pass on. The help says to remove it (the helper is then written out at each call).
use tapeless::differentiable;

#[differentiable]
fn integrate<F: Fn(f64) -> f64>(f: F, a: f64, b: f64) -> f64 {
    0.5 * (f(a) + f(b)) * (b - a)
}

fn main() {}
