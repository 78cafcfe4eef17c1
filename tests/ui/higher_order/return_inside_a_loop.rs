// A helper that takes a closure is written out where it is called; a `return` inside a loop is
// a flag and a `break` there (tests/higher_order.rs, Newton's method), but one inside a loop
// within a loop would leave only the inner one, so it is our error at the call.
use tapeless::{differentiable, piecewise};

fn first_above<F: Fn(f64) -> f64>(f: F, rows: &[Vec<f64>], level: f64) -> f64 {
    for row in rows {
        for &x in row {
            if piecewise(f(x) > level) {
                return x;
            }
        }
    }
    0.0
}

#[differentiable(wrt(k))]
fn crossing(k: f64, rows: &[Vec<f64>]) -> f64 {
    first_above(|x| k * x, rows, 1.0) * k
}

fn main() {}
