// A helper that takes a closure is written out where it is called; a `return` inside its loop
// would leave the caller's loop instead, so it is our error at the call.
use tapeless::differentiable;

fn first_above<F: Fn(f64) -> f64>(f: F, xs: &[f64], level: f64) -> f64 {
    for &x in xs {
        if f(x) > level {
            return x;
        }
    }
    0.0
}

#[differentiable(wrt(k))]
fn crossing(k: f64, xs: &[f64]) -> f64 {
    first_above(|x| k * x, xs, 1.0) * k
}

fn main() {}
