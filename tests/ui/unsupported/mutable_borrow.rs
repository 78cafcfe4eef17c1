// A callee writing through `&mut` is not followed; before this error, this function's
// expansion did not compile (rustc's E0596 inside generated code).
use tapeless::differentiable;

#[differentiable]
fn swapped(x: f64, y: f64) -> f64 {
    let mut a = x;
    let mut b = 2.0 * y;
    std::mem::swap(&mut a, &mut b);
    a + 3.0 * b
}

fn main() {}
