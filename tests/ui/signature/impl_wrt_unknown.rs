use tapeless::differentiable;

// An `impl` block's `wrt(..)` names the parameters of its methods, each method taking its own
// (`x0` for `run`, `x` for `step`); `rate` is no method's parameter.
pub struct Decay {
    pub k: f64,
}

#[differentiable(wrt(x0, x, rate))]
impl Decay {
    fn step(&self, x: f64) -> f64 {
        x - 0.1 * self.k * x
    }

    pub fn run(&self, x0: f64) -> f64 {
        let mut x = x0;
        for _ in 0..10 {
            x = self.step(x);
        }
        x
    }
}

fn main() {}
