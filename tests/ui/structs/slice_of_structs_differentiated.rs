// A differentiated slice of structs: its elements' fields are not followed. (Fields named like
// nalgebra's coordinates, `w` and `b`, were read as `v[3]` and `v[5]`: rustc's "cannot index
// into a value of type `Layer`" in generated code.)
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
struct Layer {
    w: Vec<f64>,
    b: f64,
}

#[differentiable(wrt(layers))]
fn net(layers: &[Layer], x: f64) -> f64 {
    let mut h = x;
    for l in layers {
        h = (l.w[0] * h + l.b).tanh();
    }
    h
}

fn main() {}
