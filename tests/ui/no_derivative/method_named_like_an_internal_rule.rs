// A user's method whose name the macro uses internally (`typed`, `entry`, ...) is still an
// unknown method: the macro must not mistake it for one of its own rules.
use tapeless::differentiable;

trait Shift {
    fn typed(self) -> f64;
    fn entry(self) -> f64;
}

impl Shift for f64 {
    fn typed(self) -> f64 {
        self + 1.0
    }
    fn entry(self) -> f64 {
        self * self
    }
}

#[differentiable]
fn f(x: f64) -> f64 {
    x.typed() + x.entry()
}

fn main() {}
