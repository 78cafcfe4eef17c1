// `push` stores a differentiable value where the macro does not follow it: read back, it would
// be a constant, and the gradient would silently miss it (before this error it did: the
// gradient of such a function came out without the pushed terms). Floats pushed in a loop that
// reads the `Vec` only by index, `len()`, `is_empty()`, `last()` or `iter()` are filled by index
// instead (tests/pushes.rs, tests/pushes_bounded.rs, tests/pushes_reading.rs); here the loop
// passes the whole `Vec` to a function, which would see the full-length array filled by index
// where the user's code has the elements pushed so far.
use tapeless::differentiable;

fn mean(v: &[f64]) -> f64 {
    if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 }
}

#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    for &xi in x {
        let m = tapeless::no_grad(mean(&v));
        v.push(0.5 * (m + xi));
    }
    v.iter().sum::<f64>()
}

fn main() {}
