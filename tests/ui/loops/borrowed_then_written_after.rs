// A layer's activations passed to a differentiable helper (`dot(row, &h)`) while the same
// iteration replaces them: the reverse sweep calls `dot`'s reverse mode again on `h`, which would
// hold the next layer's values by then. Our error at the call; writes before the call in the same
// iteration, or a copy made first (`let prev = h.clone();`, then `dot(row, &prev)`), are accepted
// (tests/resized_vecs.rs, tests/loop_arrays.rs).
use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[differentiable(wrt(x))]
fn network(w: &[Vec<f64>], x: &[f64], layers: usize) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..layers {
        h = w.iter().map(|row| dot(row, &h).tanh()).collect();
    }
    h.iter().sum()
}

fn main() {}
