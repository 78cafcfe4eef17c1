// A closure that assigns what it captured is inlined at its calls, updating the variables
// themselves (tests/mutating_closures.rs). A `move` one updates its own copies, which inlining
// cannot keep apart; a call after a name the closure reads was bound again would read the new
// variable.
use tapeless::differentiable;

#[differentiable]
fn moved(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = move |t: f64| total += t * x;
    add(1.0);
    add(2.0);
    total
}

#[differentiable]
fn rebound(x: f64) -> f64 {
    let mut total = 0.0;
    let mut add = |t: f64| total += t * x;
    add(1.0);
    let x = 2.0 * x;
    add(x);
    total
}

fn main() {}
