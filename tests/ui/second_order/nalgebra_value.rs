// Second order runs static nalgebra matrices at dual entries; a `DVector` (dynamically sized)
// has no second-order path yet.
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable(hessian)]
fn norm(v: &DVector<f64>) -> f64 {
    v.norm()
}

fn main() {}
