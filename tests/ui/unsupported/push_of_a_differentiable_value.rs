// `push` stores a differentiable value where the macro does not follow it: read back, it would
// be a constant, and the gradient would silently miss it (before this error it did: the
// gradient of such a function came out without the pushed terms). A push once per iteration
// right after `Vec::new()` is filled by index instead (tests/pushes.rs); one inside a branch is
// not.
use tapeless::differentiable;

#[differentiable]
fn even_sum(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    for i in 0..x.len() {
        if i % 2 == 0 {
            v.push(x[i] * 2.0);
        }
    }
    v.iter().sum::<f64>() + x[0]
}

fn main() {}
