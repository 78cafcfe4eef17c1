// A libm function with no rule (`tgamma`) on a differentiable value: our error at the call,
// naming the ones that have one. On a constant it would be kept as written.
use tapeless::differentiable;

#[differentiable]
fn log_prior(alpha: f64) -> f64 {
    let norm = libm::tgamma(3.5);
    libm::log1p(alpha) - libm::tgamma(alpha) / norm
}

fn main() {}
