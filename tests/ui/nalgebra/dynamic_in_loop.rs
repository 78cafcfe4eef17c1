use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn momentum(v: DVector<f64>) -> f64 {
    let mut acc = v.clone();
    for _ in 0..3 {
        acc = acc * 0.9 + &v;
    }
    acc.norm()
}

fn main() {}
