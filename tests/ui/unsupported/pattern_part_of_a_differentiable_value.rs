// A name bound inside a pattern is read from the matched value as a constant, so matching a
// differentiated value is our error, not a lost derivative: the fields are read as `p.a`.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
struct Params {
    a: f64,
    b: f64,
}

#[differentiable(wrt(p))]
fn product(p: &Params, scale: f64) -> f64 {
    match p {
        Params { a, b } => a * b * scale,
    }
}

fn main() {}
