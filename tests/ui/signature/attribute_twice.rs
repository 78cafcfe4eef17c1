// The attribute written twice (a merge, or an option added in a second attribute): each would
// generate the same `_jvp`, `_vjp` and `_grad`.
use tapeless::differentiable;

#[differentiable]
#[differentiable(hessian)]
fn f(x: f64) -> f64 {
    x.sin() * x
}

fn main() {}
