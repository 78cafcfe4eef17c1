// nalgebra's `angle` has a first-order rule but no second-order one yet (the dual number is not
// the `SimdComplexField` nalgebra's `angle` needs): our error under `hessian`, at the call.
use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable(hessian)]
fn bend(a: &Vector3<f64>, b: &Vector3<f64>) -> f64 {
    a.angle(b) + a.dot(b)
}

fn main() {}
