// Article 003, example 3: an opaque routine. A tape gives None, or silently wrong numbers when
// the opaque factor multiplies a tracked value.
use tapeless::differentiable;

trait Special {
    fn logistic(self) -> f64;
}
impl Special for f64 {
    fn logistic(self) -> f64 {
        1.0 / (1.0 + (-self).exp())
    }
}

#[differentiable]
fn partially_detached(x: f64) -> f64 {
    x.logistic() * x
}

fn main() {}
