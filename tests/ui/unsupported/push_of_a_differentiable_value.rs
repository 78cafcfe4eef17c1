// `push` stores a differentiable value where the macro does not follow it: read back, it would
// be a constant, and the gradient would silently miss it (before this error it did: the
// gradient of such a function came out without the pushed terms). Floats pushed in a loop whose
// body names the `Vec` nowhere else are filled by index instead (tests/pushes.rs,
// tests/pushes_bounded.rs); here the loop reads the element pushed last, which filled by index
// would not be where the user's growing `Vec` has it.
use tapeless::differentiable;

#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < x.len() {
        let prev = v.last().copied().unwrap_or(0.0);
        v.push(0.5 * (prev + x[i]));
        i += 1;
    }
    v.iter().sum::<f64>()
}

fn main() {}
