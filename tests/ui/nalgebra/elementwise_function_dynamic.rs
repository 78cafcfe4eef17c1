// `abs` of a DVector is not the scalar rule: the macro knows the type and says what to write.
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable]
fn total_variation(v: DVector<f64>) -> f64 {
    v.abs().sum()
}

fn main() {}
