// Second order takes free functions of floats.
use tapeless::differentiable;

struct Model {
    k: f64,
}

impl Model {
    #[differentiable(hessian, wrt(x))]
    fn energy(&self, x: f64) -> f64 {
        self.k * x * x
    }
}

fn main() {}
