// A vector collected in each iteration of a loop whose length can change from one iteration
// to the next (`row.len()` of each row): its adjoint, one array for all iterations, would not
// fit every one. Our error at the `collect`; a length fixed before the loop is accepted
// (tests/loop_arrays.rs).
use tapeless::differentiable;

#[differentiable(wrt(x))]
fn rows_scaled(x: f64, rows: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for row in rows {
        let scaled: Vec<f64> = row.iter().map(|v| v * x).collect();
        s += scaled.iter().sum::<f64>();
    }
    s
}

fn main() {}
