//! What generated derivatives do at singular points, against what a hand-written derivative
//! does (ARCHITECTURE.md, "Edge values").

// The primal functions are only differentiated here.
#![allow(dead_code)]

use tapeless::{differentiable, piecewise};

/// `sqrt` computed for every input but used only where it is defined.
#[differentiable]
fn guarded_sqrt(x: f64) -> f64 {
    let s = x.sqrt();
    if piecewise(x > 0.0) { s } else { 0.0 }
}

/// A NaN written into an array element that is overwritten before it is read.
#[differentiable]
fn overwritten(x: f64) -> f64 {
    let mut w = [0.0, 0.0];
    w[0] = x.ln();
    w[0] = 1.0;
    w[1] = 2.0 * x;
    w[0] + w[1]
}

#[differentiable]
fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[differentiable]
fn ln(x: f64) -> f64 {
    x.ln()
}

#[differentiable]
fn power(x: f64, p: f64) -> f64 {
    x.powf(p)
}

#[differentiable]
fn exp(x: f64) -> f64 {
    x.exp()
}

#[test]
fn an_untaken_branch_leaks_no_nan() {
    // A hand-written derivative never evaluates sqrt's derivative at -1: neither do we.
    assert_eq!(guarded_sqrt_grad(-1.0), (0.0, 0.0));
    assert_eq!(guarded_sqrt_jvp(-1.0, 1.0), (0.0, 0.0));
    let (_, pullback) = guarded_sqrt_vjp(-1.0);
    assert_eq!(pullback(1.0), 0.0);
    assert_eq!(guarded_sqrt_grad(4.0), (2.0, 0.25));
}

#[test]
fn an_overwritten_value_leaks_no_nan() {
    assert_eq!(overwritten_grad(-1.0), (-1.0, 2.0));
    assert_eq!(overwritten_jvp(-1.0, 1.0), (-1.0, 2.0));
}

#[test]
fn singular_points_match_the_calculus() {
    assert_eq!(sqrt_grad(0.0), (0.0, f64::INFINITY));
    assert_eq!(sqrt_jvp(0.0, 1.0), (0.0, f64::INFINITY));
    assert_eq!(ln_grad(0.0), (f64::NEG_INFINITY, f64::INFINITY));
    // x^p at x = 0: d/dx = p 0^(p-1) = 0 for p > 1; d/dp = 0 (the result is 0).
    assert_eq!(power_grad(0.0, 2.0), (0.0, (0.0, 0.0)));
    assert_eq!(power_grad(0.0, 1.0), (0.0, (1.0, 0.0)));
    // Overflow: the value and the derivative are infinite, as by hand.
    assert_eq!(exp_grad(1000.0), (f64::INFINITY, f64::INFINITY));
}

#[test]
fn nan_in_nan_out() {
    let (v, g) = exp_grad(f64::NAN);
    assert!(v.is_nan() && g.is_nan());
    let (v, g) = guarded_sqrt_grad(f64::NAN);
    // `NaN > 0` is false: the else branch runs, as in the primal.
    assert_eq!((v, g), (0.0, 0.0));
    assert_eq!(guarded_sqrt(f64::NAN), 0.0);
}
