// nalgebra's `variance` has a first-order rule (tests/matrix_reductions.rs) but no second-order
// one yet: our error under `hessian`, at the call.
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable(hessian)]
fn spread(v: &DVector<f64>) -> f64 {
    v.variance() + v.sum()
}

fn main() {}
