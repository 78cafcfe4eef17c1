// Second order composes through the callee's dual `_vjp`, which `hessian` on the callee
// generates: without it, rustc cannot find `inner_vjp_for_hessian` (errors page, "Errors rustc
// reports"). The fix is `#[differentiable(hessian)]` on `inner`.
use tapeless::differentiable;

#[differentiable]
fn inner(a: f64) -> f64 {
    a.sin()
}

#[differentiable(hessian)]
fn outer(x: f64, y: f64) -> f64 {
    inner(x * y) + x
}

fn main() {}
