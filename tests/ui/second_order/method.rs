// Second order reads `self` as a constant; differentiating it (a derived struct) has no
// second-order rule yet.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
struct Model {
    k: f64,
}

impl Model {
    #[differentiable(hessian, wrt(self, x))]
    fn energy(&self, x: f64) -> f64 {
        self.k * x * x
    }
}

fn main() {}
