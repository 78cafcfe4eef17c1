use tapeless::differentiable;

// The index of the largest entry, compared by the entries themselves through `enumerate()`: the
// index jumps where two entries cross, and `w[k]` with it. Comparing `no_grad` copies says the
// index is meant as a constant (tests/extremes.rs, `argmax_squared`, `argmax_mapped`).
#[differentiable]
fn weight_of_largest(x: &[f64], w: &[f64]) -> f64 {
    let k = x.iter().enumerate().max_by(|a, b| a.1.total_cmp(b.1)).map(|(i, _)| i).unwrap();
    w[k] * x[k]
}

fn main() {}
