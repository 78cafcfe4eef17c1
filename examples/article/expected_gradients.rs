//! Article 004: expected gradients: the cases written as ordinary Rust with `#[differentiable]`, and the rows of
//! the tour (what TensorFlow 2.21 really does, from shared/tape-cases/TRUTH.md, and what tapeless
//! does).
#![allow(dead_code)]

use super::Row;
#[allow(unused_imports)]
use tapeless::{differentiable, no_grad, piecewise};

/// 004-ex1: `y = w * x`, differentiated with respect to `w` only (`x` is data).
#[differentiable(wrt(w))]
pub fn scale(w: f64, x: f64) -> f64 {
    w * x
}

/// 004-ex2b: `z = 2 (w x)` computed in one place.
#[differentiable(wrt(w))]
pub fn doubled(w: f64, x: f64) -> f64 {
    let y = w * x;
    y * 2.0
}

/// 004-text1: a float-to-float cast has derivative 1.
#[differentiable]
pub fn widen(v: f32) -> f64 {
    v as f64
}

/// 004-text1: `v * round(v)` with the rounding held constant on purpose.
#[differentiable]
pub fn times_rounded(v: f64) -> f64 {
    v * no_grad(v.round())
}

/// 004-text2: `v.assign(3w); y = v * v`. A reassigned local is a new SSA value, so the
/// derivative flows through the assignment (TF's `assign` silently cuts it: `None`).
#[differentiable]
#[allow(unused_assignments)]
pub fn assigned(w: f64) -> f64 {
    let mut v = 0.0;
    v = 3.0 * w;
    v * v
}

/// 004-text2: `a[0] = 10 a[1]; y = sum(a²)` at `a = [1, 2, 3]`: the functional derivative is
/// [0, 404, 6] (TF answers [40, 4, 6], the gradient w.r.t. the mutated state). The overwritten
/// `a0` cannot reach the result, so asking for its derivative is a compile error (it is
/// identically zero); the derivative w.r.t. (a1, a2) is (404, 6).
#[differentiable(wrt(a1, a2))]
#[allow(unused_assignments)]
pub fn overwrite(a0: f64, a1: f64, a2: f64) -> f64 {
    let mut a0 = a0;
    a0 = 10.0 * a1;
    a0 * a0 + a1 * a1 + a2 * a2
}

/// 004-ex3: `reduce_sum(boolean_mask(w, mask))`: the mask is constant data, the selection is
/// linear in `w`.
#[differentiable(wrt(w))]
pub fn masked_sum(w: &[f64], mask: &[bool]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        if mask[i] {
            s += w[i];
        }
    }
    s
}

/// 004-text2 on an array: `a[0] = 10 a[1]; y = sum(a²)`. The functional derivative with respect
/// to the input array is [0, 404, 6] at [1, 2, 3].
#[differentiable]
pub fn overwrite_array(a: [f64; 3]) -> f64 {
    let mut b = a;
    b[0] = 10.0 * b[1];
    b[0] * b[0] + b[1] * b[1] + b[2] * b[2]
}

pub fn rows() -> Vec<Row> {
    let (_, (g1, g2)) = overwrite_grad(1.0, 2.0, 3.0);
    vec![
        Row {
            id: "004-ex1",
            construct: "w * x wrt w",
            tape: "None for a tf.constant (silent)",
            tapeless: super::fmt(&[scale_grad(2.0, 3.0).1]),
        },
        Row {
            id: "004-ex2b",
            construct: "2 w x wrt w",
            tape: "6.0",
            tapeless: super::fmt(&[doubled_grad(2.0, 3.0).1]),
        },
        Row {
            id: "004-ex3",
            construct: "sum of w masked by [0, 1, 0]",
            tape: "[0. 1. 0.] (correct; article says not)",
            tapeless: super::fmt(&masked_sum_grad(&[1.0, 2.0, 3.0], &[false, true, false]).1),
        },
        Row {
            id: "004-text1",
            construct: "cast f32 -> f64",
            tape: "1.0 (float cast)",
            tapeless: super::fmt(&[f64::from(widen_grad(2.7).1)]),
        },
        Row {
            id: "004-text1",
            construct: "v * no_grad(round v)",
            tape: "3.0",
            tapeless: super::fmt(&[times_rounded_grad(2.7).1]),
        },
        Row {
            id: "004-text2",
            construct: "v = 3w; v * v",
            tape: "None for w (assign cuts it)",
            tapeless: super::fmt(&[assigned_grad(2.0).1]),
        },
        Row {
            id: "004-text2",
            construct: "a[0] = 10 a[1]; sum a²",
            tape: "[40. 4. 6.] (mutated state)",
            tapeless: format!(
                "{} (scalars: d/d(a1, a2) = {})",
                super::fmt(&overwrite_array_grad([1.0, 2.0, 3.0]).1),
                super::fmt(&[g1, g2])
            ),
        },
    ]
}
