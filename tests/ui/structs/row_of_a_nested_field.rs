// A row of a differentiated struct's `Vec<Vec<f64>>` field taken whole (`row` of
// `net.w1.iter()`): the macro cannot see the field's type and would move the row out of the
// struct (before, rustc's E0507 inside generated code). Our error at the row's first use as a
// collection; `net.w1[i][j]` works.
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w1: Vec<Vec<f64>>,
    pub b1: Vec<f64>,
}

#[differentiable(wrt(net))]
fn layer(net: &Net, x: &[f64]) -> f64 {
    let hidden: Vec<f64> =
        net.w1.iter().zip(&net.b1).map(|(row, b)| row.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>() + b).collect();
    hidden.iter().sum()
}

fn main() {}
