// A helper that takes a closure and calls itself cannot be written out at the call.
use tapeless::differentiable;

fn repeat<F: Fn(f64) -> f64>(f: F, x: f64, n: usize) -> f64 {
    if n == 0 { x } else { repeat(&f, f(x), n - 1) }
}

#[differentiable]
fn caller(a: f64) -> f64 {
    repeat(|v| a * v.sin(), 1.0, 3)
}

fn main() {}
