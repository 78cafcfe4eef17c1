// `self.nll(y)` passes a differentiable `y` to a method of the same block whose `wrt(..)` omits
// its parameter: the derivative through it would be lost, so it is an error at the call.
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Gaussian {
    pub mean: Vector2<f64>,
}

#[differentiable]
impl Gaussian {
    #[differentiable(wrt(self))]
    fn nll(&self, x: &Vector2<f64>) -> f64 {
        (x - self.mean).norm_squared()
    }

    #[differentiable(wrt(self, y))]
    fn shifted(&self, y: Vector2<f64>) -> f64 {
        let z = y * 2.0;
        self.nll(&z)
    }
}

fn main() {}
