// `g` differentiates only `a`; a differentiated caller passes a tangent for every float
// argument, `b` included (zero here), so `g_jvp` gets one argument too many. rustc reports the
// mismatch (errors page, "Errors rustc reports"); the fix is to drop `wrt(a)` from `g`.
use tapeless::differentiable;

#[differentiable(wrt(a))]
fn g(a: f64, b: f64) -> f64 {
    a * b.sin()
}

#[differentiable]
fn f(x: f64) -> f64 {
    g(x, 2.0) + x
}

fn main() {}
