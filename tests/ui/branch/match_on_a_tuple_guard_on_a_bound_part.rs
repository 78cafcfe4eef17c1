// A `match` on a tuple whose differentiable part the arms only bind: the constant part chooses
// the arm, and the error is at the guard that compares the bound part, which
// `tapeless::piecewise(..)` would accept.
use tapeless::differentiable;

#[differentiable]
fn by_order(order: usize, x: f64, y: f64) -> f64 {
    match (order, x, y) {
        (0, a, _) => a.sin() * y,
        (1, a, b) if a > b => a - b,
        (_, a, b) => a * b,
    }
}

fn main() {}
