// A `Vec` pushed once per iteration is filled by index, full-length from the start: a loop that
// also reads it (`r.len()` here, which grows in the user's code) keeps the `push` error instead
// of a different value.
use tapeless::differentiable;

#[differentiable]
fn weighted(x: &[f64]) -> f64 {
    let mut r = Vec::new();
    for i in 0..x.len() {
        let m = r.len() as f64;
        r.push(x[i] * m);
    }
    r.iter().sum()
}

fn main() {}
