// `g` differentiates only `a`, and is expanded after its caller: the caller cannot know its
// `wrt(..)` yet and passes a tangent for every float argument, `b` included (zero here), so
// `g_jvp` gets one argument too many. rustc reports the mismatch (errors page, "Errors rustc
// reports"); the fix is to define `g` before its callers (or drop `wrt(a)`).
use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    g(x, 2.0) + x
}

#[differentiable(wrt(a))]
fn g(a: f64, b: f64) -> f64 {
    a * b.sin()
}

fn main() {}
