// Article 004: `tf.cast(v, tf.int32)` gives None.
use tapeless::differentiable;

#[differentiable]
fn bucket(v: f64) -> f64 {
    let i = v as i32;
    f64::from(i) * 0.5
}

fn main() {}
