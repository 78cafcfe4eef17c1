// An entry of a call's result bound without its type, of a function whose declared result the
// macro cannot read as an array (a type alias): our error at the entry, with the type to write
// (it said "indexed only at a literal index" of `k[0]` before). (`-> [f64; 2]` written out is
// read, `signature::results`.)
use tapeless::differentiable;

type State = [f64; 2];

#[differentiable]
fn rhs(y: &[f64; 2]) -> State {
    [y[1], -y[0]]
}

#[differentiable]
fn step(y: &[f64; 2], dt: f64) -> f64 {
    let k = rhs(y);
    y[0] + dt * k[0]
}

fn main() {}
