use tapeless::differentiable;

// First order follows a recursive call; the dual copy of second order does not yet.
#[differentiable(wrt(x), hessian)]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 { 1.0 } else { x * power(x, n - 1) }
}

fn main() {}
