// A `for` loop over a `filter` whose predicate reads the differentiated values: which elements
// the body sees changes where the predicate flips, so the sum jumps there. As in a chain, the
// predicate gets the `filter` error, at the closure, and the help names `piecewise`.
use tapeless::differentiable;

#[differentiable]
fn positive_sum(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter().filter(|v| **v > 0.0) {
        s += v;
    }
    s
}

fn main() {}
