use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
}

#[differentiable]
impl Spring {
    #[differentiable(wrt(x))]
    pub fn force(&self, x: f64) -> f64 {
        -self.k * (x - self.rest)
    }
}

// The spring depends on `k`, but `force` does not differentiate `self`: the derivative through
// the spring's stiffness would be lost.
#[differentiable(wrt(k))]
fn pull(k: f64) -> f64 {
    let s = Spring { k, rest: 1.0 };
    s.force(0.5)
}

fn main() {}
