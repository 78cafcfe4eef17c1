// A callee writing through `&mut` is not followed; before this error, this function's
// expansion did not compile (rustc's E0596 inside generated code). (`std::mem::swap` of two
// locals is followed: it is `(a, b) = (b, a)`.)
use tapeless::differentiable;

fn double(v: &mut f64) {
    *v *= 2.0;
}

#[differentiable]
fn doubled(x: f64, y: f64) -> f64 {
    let mut a = x;
    double(&mut a);
    a + 3.0 * y
}

fn main() {}
