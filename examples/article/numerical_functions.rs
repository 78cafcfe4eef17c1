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

    /// log-sum-exp of any length.
    pub fn logsumexp(x: &[f64]) -> f64 {
        let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
        m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
    }

    /// `sin`, as an opaque routine would compute it.
    pub fn sine(x: f64) -> f64 {
        x.sin()
    }
}

/// The library's routines wrapped with their derivatives declared: one line each, plus the
/// derivative (the softmax for log-sum-exp). The body is not differentiated.
pub mod library {
    use super::external;
    use tapeless::differentiable;

    #[differentiable(vjp = logsumexp2_adjoint)]
    pub fn logsumexp2(a: f64, b: f64) -> f64 {
        external::logsumexp2(a, b)
    }

    /// The cotangents of `a` and `b`: the softmax weights times the result's cotangent.
    pub fn logsumexp2_adjoint(a: f64, b: f64, ct: f64) -> (f64, f64) {
        let y = external::logsumexp2(a, b);
        ((a - y).exp() * ct, (b - y).exp() * ct)
    }

    #[differentiable(jvp = logsumexp_tangent, vjp = logsumexp_adjoint)]
    pub fn logsumexp(x: &[f64]) -> f64 {
        external::logsumexp(x)
    }

    fn softmax(x: &[f64]) -> Vec<f64> {
        let y = external::logsumexp(x);
        x.iter().map(|v| (v - y).exp()).collect()
    }

    pub fn logsumexp_tangent(x: &[f64], dx: Vec<f64>) -> (f64, f64) {
        (external::logsumexp(x), softmax(x).iter().zip(&dx).map(|(p, d)| p * d).sum())
    }

    pub fn logsumexp_adjoint(x: &[f64], ct: f64) -> Vec<f64> {
        softmax(x).into_iter().map(|p| p * ct).collect()
    }

    #[differentiable(jvp = sine_tangent)]
    pub fn sine(x: f64) -> f64 {
        external::sine(x)
    }

    pub fn sine_tangent(x: f64, dx: f64) -> (f64, f64) {
        (x.sin(), x.cos() * dx)
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

/// 003-ex3: calling the wrapped routine composes through its declared derivative.
#[differentiable]
pub fn lse(a: f64, b: f64) -> f64 {
    library::logsumexp2(a, b)
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
            tapeless: format!(
                "{} ; grad {} via the declared derivative (vjp = ..)",
                super::fmt(&[y]),
                super::fmt(&g)
            ),
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
