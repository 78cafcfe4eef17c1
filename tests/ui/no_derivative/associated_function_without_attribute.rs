// An associated function of this file without the attribute, called by `Self::` on a
// differentiable value, is written out at the call (tests/plain_helpers.rs); one that calls
// itself cannot be, and the call is our error, not rustc's missing `power_vjp` inside generated
// code.
use tapeless::differentiable;

struct Series {
    scale: f64,
}

impl Series {
    fn power(x: f64, n: u32) -> f64 {
        if n == 0 { 1.0 } else { x * Self::power(x, n - 1) }
    }

    #[differentiable(wrt(x))]
    fn cubic(&self, x: f64) -> f64 {
        self.scale * Self::power(x, 3) + x
    }
}

fn main() {}
