use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
pub struct Polar {
    pub r: f64,
    pub theta: f64,
}

#[differentiable(wrt(x))]
fn scaled(p: Polar, x: f64) -> Polar {
    Polar { r: p.r * x, ..p }
}

fn main() {}
