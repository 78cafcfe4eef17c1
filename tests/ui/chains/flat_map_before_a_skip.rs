// `flat_map` is followed where each inner chain ends on its own (`sum`, `fold`, a `for` loop):
// a `skip` after it counts across the inner chains, so the chain is our error at the adaptor,
// with the forms that are followed.
use tapeless::differentiable;

#[differentiable]
fn pairs_after_the_first(x: &[f64]) -> f64 {
    let n = x.len();
    (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).skip(1).map(|(i, j)| x[i] * x[j]).sum()
}

fn main() {}
