// Article 004 (prose): in-place `.assign()` silently cuts the gradient in TensorFlow.
use tapeless::differentiable;

#[differentiable]
fn assign(w: f64, out: &mut f64) -> f64 {
    *out = 3.0 * w;
    *out * *out
}

fn main() {}
