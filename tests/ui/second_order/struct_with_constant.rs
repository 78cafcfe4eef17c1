// A struct with a `#[no_grad]` field has no dual twin: second order reports it at the attribute
// and at the parameter with the runtime's message (errors page, "Errors rustc reports").
use nalgebra::DMatrix;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
struct Weights {
    m: DMatrix<f64>,
    #[no_grad]
    steps: usize,
}

#[differentiable(hessian, wrt(p))]
fn loss(p: &Weights, scale: f64) -> f64 {
    p.m.sum() * scale
}

fn main() {}
