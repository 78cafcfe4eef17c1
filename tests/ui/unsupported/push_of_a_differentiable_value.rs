// `push` stores a differentiable value where the macro does not follow it: read back, it would
// be a constant, and the gradient would silently miss it (before this error it did: the
// gradient of such a function came out without the pushed terms). Floats pushed in a `for`
// loop right after `Vec::new()` are filled by index instead, in a branch too (tests/pushes.rs);
// a push in a loop inside that loop is not, since the number of elements is not bounded before
// the outer loop runs.
use tapeless::differentiable;

#[differentiable]
fn pair_products(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    for i in 0..x.len() {
        for j in 0..i {
            v.push(x[i] * x[j]);
        }
    }
    v.iter().sum::<f64>() + x[0]
}

fn main() {}
