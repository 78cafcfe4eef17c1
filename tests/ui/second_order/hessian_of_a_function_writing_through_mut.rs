// `hessian` on a function that writes a result through `&mut` besides returning a value: its twin
// returns both, which has no Hessian; the error points at the `&mut` parameter.
use tapeless::differentiable;

#[differentiable(hessian)]
fn cost(x: &[f64], con: &mut [f64]) -> f64 {
    con[0] = x[0] * x[1];
    x[0] * x[0]
}

fn main() {}
