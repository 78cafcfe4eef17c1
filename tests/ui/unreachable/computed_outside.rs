// Article 004, example 2: y = w * x computed "outside the tape", then z = 2 * y. TensorFlow
// returns None for dz/dw. In Rust the same mistake is differentiating with respect to a
// parameter whose contribution was computed elsewhere and passed in as a constant.
use tapeless::differentiable;

#[differentiable(wrt(w))]
fn doubled(w: f64, y_precomputed: f64) -> f64 {
    2.0 * y_precomputed
}

fn main() {}
