// nalgebra's `column_mean` has a first-order rule (tests/matrix_reductions.rs) but no
// second-order one: it needs `SupersetOf<f64>`, which the dual number does not implement. Our
// error under `hessian`, at the call.
use nalgebra::Matrix2;
use tapeless::differentiable;

#[differentiable(hessian)]
fn centred(m: &Matrix2<f64>) -> f64 {
    m.column_mean().norm_squared() + m.sum()
}

fn main() {}
