// Reading a row of a `Vec` of `Vec`s holding differentiable values: rows are read by reference, which
// carries no adjoint back into the `Vec` they came from. Until the twenty-fifth session this was
// rustc's "cannot move out of index" inside generated code. Fixed-size rows
// (`vec![[x[0], x[1]], ..]`) and a `Vec` of `Vec`s of constants work (tests/constant_data.rs).
use tapeless::differentiable;

#[differentiable]
fn row_sums(x: &[f64]) -> f64 {
    let rows = vec![vec![x[0], 2.0 * x[1]], vec![x[2].sin(), 1.0]];
    rows.iter().map(|r| r.iter().sum::<f64>()).sum()
}

fn main() {}
