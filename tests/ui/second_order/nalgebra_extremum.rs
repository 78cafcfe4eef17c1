// nalgebra's `max` has a first-order rule but no second-order one yet: our error under
// `hessian`, at the call.
use nalgebra::DVector;
use tapeless::differentiable;

#[differentiable(hessian)]
fn peak(v: &DVector<f64>) -> f64 {
    v.map(|x| x * x).max() + v.sum()
}

fn main() {}
