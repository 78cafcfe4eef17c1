// A callee writing through `&mut` is not followed; before this error, this function's
// expansion did not compile (rustc's E0596 inside generated code). (`std::mem::swap` of two
// locals is followed: it is `(a, b) = (b, a)`; a function of the same file that the macro writes
// out where it is called, `double(&mut a)`, writes `a` itself: tests/plain_helpers.rs. This one
// calls itself, so it is not written out.)
use tapeless::differentiable;

fn double_times(v: &mut f64, times: u32) {
    if times > 0 {
        *v *= 2.0;
        double_times(v, times - 1);
    }
}

#[differentiable]
fn doubled(x: f64, y: f64) -> f64 {
    let mut a = x;
    double_times(&mut a, 3);
    a + 3.0 * y
}

fn main() {}
