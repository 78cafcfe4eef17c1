// `wrt(rng)` of a `&mut` parameter: a random source is not differentiable; our error at the
// name, as for any type that is not.
use tapeless::differentiable;

pub struct Lcg(u64);

impl Lcg {
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1);
        (self.0 >> 11) as f64 * 2f64.powi(-53)
    }
}

#[differentiable(wrt(mu, rng))]
fn estimate(mu: f64, rng: &mut Lcg) -> f64 {
    mu * rng.uniform()
}

fn main() {}
