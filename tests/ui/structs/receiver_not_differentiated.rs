// `self` is differentiated in `energy`, but `scale` does not differentiate its receiver: the
// derivative through `scale`'s use of `self` would be lost, so the call does not compile.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
struct Spring {
    k: f64,
}

impl Spring {
    #[differentiable(wrt(self, x))]
    fn energy(&self, x: f64) -> f64 {
        0.5 * self.k * x * x + self.scale(x)
    }

    #[differentiable(wrt(x))]
    fn scale(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

fn main() {}
