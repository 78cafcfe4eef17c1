// `.clone()` of a differentiated struct's field that is itself a struct: the macro copies floats,
// arrays of floats and nalgebra values, not a nested struct, so it says to read the field's parts.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Inner {
    pub c: f64,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Model {
    pub inner: Inner,
    pub b: f64,
}

#[differentiable(wrt(m))]
fn score(m: &Model, x: f64) -> f64 {
    let inner = m.inner.clone();
    inner.c * x + m.b
}

fn main() {}
