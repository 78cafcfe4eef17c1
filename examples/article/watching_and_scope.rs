//! Article 001: watching and scope: the cases written as ordinary Rust with `#[differentiable]`, and the rows of
//! the tour (what TensorFlow 2.21 really does, from shared/tape-cases/TRUTH.md, and what tapeless
//! does).
#![allow(dead_code)]

use super::Row;
#[allow(unused_imports)]
use tapeless::{differentiable, no_grad, piecewise};

/// 001-ex1: the product rule.
#[differentiable]
pub fn product(x: f64, y: f64) -> f64 {
    x * y
}

/// 001-ex2: `z = 2x + 1` (where `x` was "created" does not matter: there is no tape).
#[differentiable]
pub fn affine(x: f64) -> f64 {
    let y = x * 2.0;
    y + 1.0
}

/// 001-ex3: a branch on the input, accepted with `piecewise`.
#[differentiable]
pub fn branch_001(x: f64) -> f64 {
    let y = if piecewise(x > 0.0) { x * 2.0 } else { x };
    y + 1.0
}

/// 001-ex3′: `y` is set only in a branch that may not run; TF returns `None` at x = -1.
#[differentiable]
pub fn set_in_branch(x: f64) -> f64 {
    let mut y = 0.0;
    if piecewise(x > 0.0) {
        y = 2.0 * x;
    }
    y + 1.0
}

pub fn rows() -> Vec<Row> {
    let (_, (gx, gy)) = product_grad(1.0, 2.0);
    let branch: Vec<f64> = [1.0, 0.0, -1.0].iter().map(|&x| branch_001_grad(x).1).collect();
    vec![
        Row {
            id: "001-ex1",
            construct: "product rule",
            tape: "2.0 1.0 (article claims None None)",
            tapeless: super::fmt(&[gx, gy]),
        },
        Row {
            id: "001-ex2",
            construct: "variable created anywhere",
            tape: "2.0 (article claims None)",
            tapeless: super::fmt(&[affine_grad(1.0).1]),
        },
        Row {
            id: "001-ex3",
            construct: "branch on x",
            tape: "2.0 / 1.0 / 1.0 at x = 1, 0, -1",
            tapeless: format!("{} with piecewise(x > 0)", super::fmt(&branch)),
        },
        Row {
            id: "001-ex3'",
            construct: "value set in one branch",
            tape: "None at x = -1 (silent)",
            tapeless: format!("{} with piecewise", super::fmt(&[set_in_branch_grad(-1.0).1])),
        },
    ]
}
