// A `Vec` replaced whole inside a loop could change its length, which the loop's arrays (places
// written element by element) cannot follow. A fixed-size array is replaced element by element
// (tests/arrays_in_loops.rs, `rk4`).
use tapeless::differentiable;

#[differentiable]
fn smooth(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let mut next = vec![0.0; x.len()];
    for _ in 0..3 {
        for i in 1..v.len() - 1 {
            next[i] = 0.25 * v[i - 1] + 0.5 * v[i] + 0.25 * v[i + 1];
        }
        v = next.clone();
    }
    v.iter().sum()
}

fn main() {}
