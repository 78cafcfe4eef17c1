// A random source passed as `&mut` with `hessian`: the Hessian evaluates the function once per
// direction, each drawing other samples, so its columns would disagree. Our error at the
// parameter; first order takes it.
use tapeless::differentiable;

pub struct Lcg(u64);

impl Lcg {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        (self.0 >> 11) as f64 * 2f64.powi(-53)
    }
}

#[differentiable(wrt(mu, sigma), hessian)]
fn estimate(mu: f64, sigma: f64, rng: &mut Lcg) -> f64 {
    let z = rng.uniform() - 0.5;
    (mu + sigma * z).powi(2)
}

fn main() {}
