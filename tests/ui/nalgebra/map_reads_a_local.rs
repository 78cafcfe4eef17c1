use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn scaled_exp(v: DVector<f64>, scale: f64) -> f64 {
    // A `DVector` parameter's `map` may read other values; a computed vector's may not.
    let w = &v * 2.0;
    w.map(|e| (e * scale).exp()).norm()
}

fn main() {}
