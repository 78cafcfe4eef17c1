// Second order of a function that builds a struct and passes it whole to a call: its dual copy
// has no dual twin to build, so it is our error at the struct passed, saying to pass the fields.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
pub struct State {
    pub x: f64,
    pub v: f64,
}

#[differentiable(hessian)]
fn energy(s: State) -> f64 {
    0.5 * s.v * s.v + s.x * s.x
}

#[differentiable(hessian)]
fn energy_of(x: f64, v: f64) -> f64 {
    let s = State { x, v: 2.0 * v };
    energy(s)
}

fn main() {}
