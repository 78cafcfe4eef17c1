// Second order composes through the callee's dual `_vjp`, which `hessian` on the callee
// generates: `inner` has none. The fix is `#[differentiable(hessian)]` on `inner`. (Before the
// registry knew every function's attribute, rustc could not find `inner_vjp_for_hessian` and
// suggested the caller's own copy.)
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
