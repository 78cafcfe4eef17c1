// Article 001 (prose): y defined outside the conditional but assigned only inside it.
// TensorFlow returns None at x = -1 (the true derivative there is 0).
use tapeless::differentiable;

#[differentiable]
fn gated(x: f64) -> f64 {
    let mut y = 0.0;
    if x > 0.0 {
        y = 2.0 * x;
    }
    y + 1.0
}

fn main() {}
