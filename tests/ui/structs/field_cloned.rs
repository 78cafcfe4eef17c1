// `.clone()` of a differentiated struct's field: the macro cannot see the field's type (a float
// or a `DVector`), so it says to read the field itself.
use nalgebra::DVector;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Model {
    pub w: DVector<f64>,
    pub b: f64,
}

#[differentiable(wrt(m))]
fn score(m: &Model, x: &DVector<f64>) -> f64 {
    let w = m.w.clone();
    w.dot(x) + m.b
}

fn main() {}
