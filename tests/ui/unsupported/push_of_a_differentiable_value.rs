// `push` stores a differentiable value where the macro does not follow it: read back, it would
// be a constant, and the gradient would silently miss it (before this error it did: the
// gradient of this function came out as [1, 0] instead of [3, 2]).
use tapeless::differentiable;

#[differentiable]
fn doubled_sum(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    for i in 0..x.len() {
        v.push(x[i] * 2.0);
    }
    v.iter().sum::<f64>() + x[0]
}

fn main() {}
