// A `Vec` replaced inside a loop by one of another length (the activations of layers of
// different widths) is resized in the generated items (tests/resized_vecs.rs), and so is a copy
// of it made in the loop, collected anew, when the macro knows it is a `std` `Vec` (made by
// `vec![..]`, `to_vec()`, `collect()`; tests/borrowed_copies.rs). Made by a call, it might be a
// nalgebra vector: our error at the copy. The help's typed `collect()` is accepted.
use tapeless::differentiable;

#[differentiable]
fn start(x: &[f64]) -> Vec<f64> {
    x.iter().map(|v| v * 2.0).collect()
}

#[differentiable]
fn network(x: &[f64], widths: &[usize]) -> f64 {
    let mut h = start(x);
    for &n in widths {
        let prev = h.clone();
        h = (0..n).map(|i| (prev[0] * (i + 1) as f64).tanh()).collect();
    }
    h[0]
}

fn main() {}
