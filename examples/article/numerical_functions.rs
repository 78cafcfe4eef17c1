//! Article 003: numerical functions: the cases written as ordinary Rust with `#[differentiable]`, and the rows of
//! the tour (what TensorFlow 2.21 really does, from shared/tape-cases/TRUTH.md, and what tapeless
//! does).
#![allow(dead_code)]

use super::Row;
#[allow(unused_imports)]
use tapeless::{differentiable, no_grad, piecewise};

/// 003-ex2: `x²` above 1, `x` below, under `piecewise`.
#[differentiable]
pub fn kinked(x: f64) -> f64 {
    if piecewise(x > 1.0) { x * x } else { x }
}

/// 003-ex3: an opaque routine from another library (here: log-sum-exp of two numbers, computed
/// stably). The macro cannot see into it.
pub mod external {
    pub fn logsumexp2(a: f64, b: f64) -> f64 {
        let m = a.max(b);
        m + ((a - m).exp() + (b - m).exp()).ln()
    }

    /// Its derivative, written by hand under tapeless's naming convention: the softmax.
    pub fn logsumexp2_jvp(a: f64, b: f64, da: f64, db: f64) -> (f64, f64) {
        let y = logsumexp2(a, b);
        let (pa, pb) = ((a - y).exp(), (b - y).exp());
        (y, pa * da + pb * db)
    }

    /// Reverse mode of the same.
    pub fn logsumexp2_vjp(a: f64, b: f64) -> (f64, impl FnOnce(f64) -> (f64, f64)) {
        let y = logsumexp2(a, b);
        (y, move |ct: f64| ((a - y).exp() * ct, (b - y).exp() * ct))
    }
}

/// 003-ex3 with a vector: log-sum-exp of any length, from an opaque library, given its
/// derivative (the softmax) by hand.
pub mod library {
    pub fn logsumexp(x: &[f64]) -> f64 {
        let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
    }

    fn softmax(x: &[f64], y: f64) -> Vec<f64> {
        x.iter().map(|v| (v - y).exp()).collect()
    }

    pub fn logsumexp_jvp(x: &[f64], dx: Vec<f64>) -> (f64, f64) {
        let y = logsumexp(x);
        (y, softmax(x, y).iter().zip(&dx).map(|(p, d)| p * d).sum())
    }

    pub fn logsumexp_vjp(x: &[f64]) -> (f64, impl FnOnce(f64) -> Vec<f64> + '_) {
        let y = logsumexp(x);
        (y, move |ct: f64| softmax(x, y).into_iter().map(|p| p * ct).collect())
    }

    /// `sin`, as an opaque routine would compute it, with its derivative.
    pub fn sine(x: f64) -> f64 {
        x.sin()
    }
    pub fn sine_jvp(x: f64, dx: f64) -> (f64, f64) {
        (x.sin(), x.cos() * dx)
    }
    pub fn sine_vjp(x: f64) -> (f64, impl FnOnce(f64) -> f64) {
        (x.sin(), move |ct: f64| x.cos() * ct)
    }
}

/// 003-ex3 with a vector.
#[differentiable]
pub fn lse_vec(x: &[f64]) -> f64 {
    library::logsumexp(x)
}

/// 003-ex3 probe, "partial detachment": an opaque factor times a tracked value. TF silently
/// drops the opaque part (−0.529836 instead of −3.66781 at 3.7); with a derivative given, the
/// product rule applies.
#[differentiable]
pub fn sine_times(x: f64) -> f64 {
    library::sine(x) * x
}

/// 003-ex3: calling the opaque routine composes through its hand-written `_jvp`/`_vjp`.
#[differentiable]
pub fn lse(a: f64, b: f64) -> f64 {
    external::logsumexp2(a, b)
}

pub fn rows() -> Vec<Row> {
    let kinked_slopes: Vec<f64> = [2.0, 0.5, 1.0].iter().map(|&x| kinked_grad(x).1).collect();
    let (y, g) = lse_vec_grad(&[1.0, 2.0]);
    vec![
        Row {
            id: "003-ex2",
            construct: "x² if x > 1 else x",
            tape: "4.0 / 1.0 / 1.0 at x = 2, 0.5, 1 (correct)",
            tapeless: format!("{} with piecewise", super::fmt(&kinked_slopes)),
        },
        Row {
            id: "003-ex3",
            construct: "opaque logsumexp",
            tape: "AttributeError; None when re-wrapped",
            tapeless: format!("{} ; grad {} via hand-written _jvp/_vjp", super::fmt(&[y]), super::fmt(&g)),
        },
        Row {
            id: "003-ex3 probe",
            construct: "opaque sin(x) * x at 3.7",
            tape: "-0.529836 (wrong, silently)",
            tapeless: format!(
                "{} (sin x + x cos x) with sin's derivative given",
                super::fmt(&[sine_times_grad(3.7).1])
            ),
        },
    ]
}
