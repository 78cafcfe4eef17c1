//! Article 000: outer product: the cases written as ordinary Rust with `#[differentiable]`, and the rows of
//! the tour (what TensorFlow 2.21 really does, from shared/tape-cases/TRUTH.md, and what tapeless
//! does).
#![allow(dead_code)]

use super::Row;
#[allow(unused_imports)]
use tapeless::{differentiable, no_grad, piecewise};

/// 000-ex1: `z = outer(x, y)` for x, y in R². A non-scalar result: forward and reverse mode take
/// an explicit seed; a gradient does not exist (TF silently seeds with ones, i.e. sums `z`).
#[differentiable]
pub fn outer2(x0: f64, x1: f64, y0: f64, y1: f64) -> ((f64, f64), (f64, f64)) {
    ((x0 * y0, x0 * y1), (x1 * y0, x1 * y1))
}

/// 000-ex3: `loss = sum(outer(x, y))`, built on `outer2`.
#[differentiable]
pub fn outer2_sum(x0: f64, x1: f64, y0: f64, y1: f64) -> f64 {
    let ((a, b), (c, d)) = outer2(x0, x1, y0, y1);
    a + b + c + d
}

/// 000, any length: `z = outer(x, y)` materialised row-major (`z[i m + j] = x_i y_j`).
#[differentiable]
pub fn outer(x: &[f64], y: &[f64]) -> Vec<f64> {
    let (n, m) = (x.len(), y.len());
    let mut z = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            z[i * m + j] = x[i] * y[j];
        }
    }
    z
}

/// 000-ex3, any length: `sum(outer(x, y))`.
#[differentiable]
pub fn outer_sum(x: &[f64], y: &[f64]) -> f64 {
    // A call's result type is invisible to the macro: annotate it to use it as an array.
    let z: Vec<f64> = outer(x, y);
    let mut s = 0.0;
    for v in z.iter() {
        s += v;
    }
    s
}

pub fn rows() -> Vec<Row> {
    let (z, (t, _)) = outer2_jvp(1.0, 2.0, 3.0, 4.0, 1.0, 0.0, 0.0, 0.0);
    let (_, pullback) = outer2_vjp(1.0, 2.0, 3.0, 4.0);
    let (x0, x1, y0, y1) = pullback(((1.0, 1.0), (1.0, 1.0)));
    let (loss, (gx, gy)) = outer_sum_grad(&[1.0, 2.0], &[3.0, 4.0]);
    vec![
        Row {
            id: "000-ex1",
            construct: "outer product, non-scalar result",
            tape: "[7. 7.] (sums z silently)",
            tapeless: format!(
                "z = {z:?}; JVP dx=[1,0]: row 0 = {t:?}; VJP(ones): [{x0}, {x1}], [{y0}, {y1}]"
            ),
        },
        Row {
            id: "000-ex2/3",
            construct: "sum of the outer product",
            tape: "RuntimeError on the 2nd gradient() call",
            tapeless: format!(
                "loss {loss}; dx = {}, dy = {} (any number of queries)",
                super::fmt(&gx),
                super::fmt(&gy)
            ),
        },
    ]
}
