// A struct of nalgebra matrices has no dual twin: second order reports it at the attribute with
// the runtime's message (errors page, "Errors rustc reports").
use nalgebra::DMatrix;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Differentiable)]
struct Weights {
    m: DMatrix<f64>,
}

#[differentiable(hessian, wrt(p))]
fn loss(p: &Weights, scale: f64) -> f64 {
    p.m.sum() * scale
}

fn main() {}
