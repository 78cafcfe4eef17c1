// Declared derivatives on an associated function named as a free function with the attribute:
// its generated `_grad` calls its `_vjp` (and the derived `_jvp` the function itself), as
// `bumped_..` from the free one and `Self::bumped_..` from this one, and the attribute cannot
// tell which it is expanding (the bare names called the free function's, silently).
use tapeless::differentiable;

fn adjoint(x: f64, ct: f64) -> f64 {
    x.cos() * ct
}

#[differentiable(vjp = adjoint)]
pub fn bumped(x: f64) -> f64 {
    x.sin()
}

pub struct Twice;

impl Twice {
    #[differentiable(vjp = adjoint)]
    pub fn bumped(x: f64) -> f64 {
        x.sin()
    }
}

fn main() {
    let _ = bumped(1.0) + Twice::bumped(1.0);
}
