// A `match` whose arms are chosen by guards on a differentiable value (a Huber loss written with
// bindings): the error is at the guard, which `tapeless::piecewise(..)` would accept.
use tapeless::differentiable;

#[differentiable(wrt(r))]
fn huber(r: &[f64], delta: f64) -> f64 {
    r.iter()
        .map(|&ri| match ri.abs() {
            a if a <= delta => 0.5 * ri * ri,
            a => delta * (a - 0.5 * delta),
        })
        .sum()
}

fn main() {}
