// Article 004: `tf.round` gives None. Here in the path form `f64::round(x)`.
use tapeless::differentiable;

#[differentiable]
fn quantize(v: f64, scale: f64) -> f64 {
    f64::round(v * scale) / scale
}

fn main() {}
