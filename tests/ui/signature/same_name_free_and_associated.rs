// A free function and an associated function of one name, both with `hessian`: the generated
// `_hessian` of each calls its siblings, as `energy_..` in the first and `Self::energy_..` in the
// second, and the attribute cannot tell which it is expanding.
use tapeless::differentiable;

#[differentiable(hessian)]
pub fn energy(x: f64, y: f64) -> f64 {
    x * x + y * y
}

pub struct Spring;

impl Spring {
    #[differentiable(hessian)]
    pub fn energy(x: f64, y: f64) -> f64 {
        0.5 * (x - y) * (x - y)
    }
}

fn main() {
    let _ = energy(1.0, 2.0) + Spring::energy(1.0, 2.0);
}
