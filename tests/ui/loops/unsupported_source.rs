use tapeless::differentiable;

// `chain` of two sequences is not a loop source the macro desugars (yet).
#[differentiable]
fn both_sums(x: &[f64], y: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in x.iter().chain(y.iter()) {
        s += v * v;
    }
    s
}

fn main() {}
