// nalgebra's `angle` has a first-order rule but no second-order one yet (the dual number is not
// the `SimdComplexField` nalgebra's `angle` needs): our error under `hessian`, at the call. The
// calls of `bend_hessian` and `bend_hvp` find stubs: no "cannot find function" beside it.
use nalgebra::Vector3;
use tapeless::differentiable;

#[differentiable(hessian)]
fn bend(a: &Vector3<f64>, b: &Vector3<f64>) -> f64 {
    a.angle(b) + a.dot(b)
}

fn main() {
    let a = Vector3::new(1.0, 2.0, 3.0);
    let (_, _, h) = bend_hessian(&a, &a);
    let (_, _, hv) = bend_hvp(&a, &a, a, a);
    println!("{h} {}", hv.0);
}
