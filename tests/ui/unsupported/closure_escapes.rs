// A local closure stored in a tuple escapes: it is only ever inlined where it is called. (Passed
// to a helper of this crate that takes a closure, it is written out there: tests/higher_order.rs.)
use tapeless::differentiable;

#[differentiable]
fn f(x: f64) -> f64 {
    let square = |t: f64| t * t * x;
    let kept = (square, 2.0);
    kept.1 * x
}

fn main() {}
