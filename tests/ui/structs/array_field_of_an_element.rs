// A differentiated slice of structs is read by its elements' float fields and fields of fixed
// size, `[f64; N]` and static vectors (tests/struct_slices.rs, tests/fixed_fields.rs); a `Vec`
// field is not followed: its adjoint would need an array per element. (Fields named like nalgebra's
// coordinates, `w` and `b`, were once read as `v[3]` and `v[5]`: rustc's "cannot index into a
// value of type `Layer`" in generated code.)
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
