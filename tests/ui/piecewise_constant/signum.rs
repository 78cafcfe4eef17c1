// Article 004: `tf.sign` gives a zero tensor, silently.
use tapeless::differentiable;

#[differentiable]
fn direction(v: f64) -> f64 {
    v.signum() * 2.0
}

fn main() {}
