// A row of a differentiated struct's nested array field taken whole (`row` of `net.w1.iter()`),
// where the field's declared type does not say it holds rows (an alias): the macro would move
// the row out of the struct (rustc's E0507 inside generated code). Our error at the row's first
// use as a collection; declared `Vec<Vec<f64>>`, the same code compiles
// (`tests/struct_rows.rs`), and `net.w1[i][j]` works either way.
use tapeless::{Differentiable, differentiable};

type Rows = Vec<Vec<f64>>;

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w1: Rows,
    pub b1: Vec<f64>,
}

#[differentiable(wrt(net))]
fn layer(net: &Net, x: &[f64]) -> f64 {
    let hidden: Vec<f64> =
        net.w1.iter().zip(&net.b1).map(|(row, b)| row.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>() + b).collect();
    hidden.iter().sum()
}

fn main() {}
