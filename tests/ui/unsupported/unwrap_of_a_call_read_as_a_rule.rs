// A module of the crate named `libm` with a checked `exp`: `libm::exp(x)` is read as the libm
// crate's function (a rule), not as a call that composes, so its `.unwrap()` has nothing to
// unwrap in the generated items.
use tapeless::differentiable;

mod libm {
    #[tapeless::differentiable]
    pub fn exp(x: f64) -> Option<f64> {
        if x > 700.0 {
            return None;
        }
        Some(x.exp())
    }
}

#[differentiable]
fn f(x: f64) -> f64 {
    libm::exp(x).unwrap() * 2.0
}

fn main() {}
