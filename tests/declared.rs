//! Derivatives declared on the primal (issue 16): `#[differentiable(jvp = .., vjp = ..)]` does
//! not differentiate the body but wraps the given functions with the contract's exact types;
//! given one, the other is derived where it can be. Checked against central differences, forward
//! against reverse, and through composition.

mod common;

use common::{Fns, check, close};
use tapeless::differentiable;

/// A numerically stable log-sum-exp, as a library would write it (the `max` makes it piecewise
/// to the macro; its true derivative is the softmax, declared below).
#[differentiable(jvp = logsumexp_tangent, vjp = logsumexp_adjoint)]
pub fn logsumexp(x: &[f64]) -> f64 {
    let m = x.iter().fold(f64::NEG_INFINITY, |a, &b| a.max(b));
    m + x.iter().map(|v| (v - m).exp()).sum::<f64>().ln()
}

fn softmax(x: &[f64]) -> Vec<f64> {
    let y = logsumexp(x);
    x.iter().map(|v| (v - y).exp()).collect()
}

/// Forward mode, with the contract's `_jvp` signature.
pub fn logsumexp_tangent(x: &[f64], dx: Vec<f64>) -> (f64, f64) {
    (logsumexp(x), softmax(x).iter().zip(&dx).map(|(p, d)| p * d).sum())
}

/// Reverse mode: the cotangent of `x` for the result's cotangent.
pub fn logsumexp_adjoint(x: &[f64], ct: f64) -> Vec<f64> {
    softmax(x).into_iter().map(|p| p * ct).collect()
}

/// An opaque scalar routine with only its reverse mode declared: forward mode is derived.
#[differentiable(vjp = bumped_adjoint)]
pub fn bumped(x: f64, y: f64) -> f64 {
    x.sin() * y + y * y
}

pub fn bumped_adjoint(x: f64, y: f64, ct: f64) -> (f64, f64) {
    (x.cos() * y * ct, (x.sin() + 2.0 * y) * ct)
}

/// Only forward mode declared: reverse mode is derived (one forward pass per parameter).
#[differentiable(jvp = smooth_max_tangent)]
pub fn smooth_max(a: f64, b: f64) -> f64 {
    (a.exp() + b.exp()).ln()
}

pub fn smooth_max_tangent(a: f64, b: f64, da: f64, db: f64) -> (f64, f64) {
    let y = smooth_max(a, b);
    (y, (a - y).exp() * da + (b - y).exp() * db)
}

/// A differentiated function calling the declared ones composes through them.
#[differentiable]
pub fn composed(x: &[f64], s: f64) -> f64 {
    logsumexp(x) * s + bumped(s, x[0]) + smooth_max(x[1], s)
}

#[test]
fn declared_jvp_and_vjp() {
    let fns = Fns {
        name: "logsumexp",
        f: &logsumexp,
        jvp: &|x, v| logsumexp_jvp(x, v.to_vec()),
        vjp: &|x, ct| {
            let (value, pullback) = logsumexp_vjp(x);
            (value, pullback(ct))
        },
        grad: &logsumexp_grad,
    };
    check(&fns, &[&[0.3, -0.2, 0.9], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5]], 1e-8);
    let (_, g) = logsumexp_grad(&[1.0, 2.0]);
    assert_eq!(g, softmax(&[1.0, 2.0]));
}

#[test]
fn forward_mode_derived_from_vjp() {
    let fns = fns_of_two!(bumped, bumped_jvp, bumped_vjp, bumped_grad);
    check(&fns, &[&[0.3, -0.2], &[1.0, 2.0], &[-1.2, 0.5]], 1e-8);
}

#[test]
fn reverse_mode_derived_from_jvp() {
    let fns = fns_of_two!(smooth_max, smooth_max_jvp, smooth_max_vjp, smooth_max_grad);
    check(&fns, &[&[0.3, -0.2], &[1.0, 2.0], &[-1.2, 0.5]], 1e-8);
    // The softmax weights.
    let (y, (ga, gb)) = smooth_max_grad(1.0, 2.0);
    assert!(close(ga, (1.0 - y).exp(), 1e-15) && close(gb, (2.0 - y).exp(), 1e-15));
}

#[test]
fn composition_through_declared_derivatives() {
    let fns = Fns {
        name: "composed",
        f: &|p| composed(&p[..3], p[3]),
        jvp: &|p, v| composed_jvp(&p[..3], p[3], v[..3].to_vec(), v[3]),
        vjp: &|p, ct| {
            let (value, pullback) = composed_vjp(&p[..3], p[3]);
            let (mut g, gs) = pullback(ct);
            g.push(gs);
            (value, g)
        },
        grad: &|p| {
            let (value, (mut g, gs)) = composed_grad(&p[..3], p[3]);
            g.push(gs);
            (value, g)
        },
    };
    check(&fns, &[&[0.3, -0.2, 0.9, 1.5], &[1.0, 2.0, 4.0, 0.5], &[-1.2, 0.5, 0.1, -0.3]], 1e-8);
}

/// Declared derivatives of associated functions, in a block without the attribute and in one
/// with it: `_grad` and the derived `_jvp` call `Self::` (the bare names were rustc's "cannot
/// find function" inside generated code until the forty-seventh session).
pub struct Declared;

impl Declared {
    /// The free `bumped` with twice its square (a name of its own: one of the same name as a
    /// free function with the attribute is the "same-name" error).
    #[differentiable(vjp = bumped_twice_adjoint)]
    pub fn twice_bumped(x: f64, y: f64) -> f64 {
        x.sin() * y + 2.0 * y * y
    }
}

pub fn bumped_twice_adjoint(x: f64, y: f64, ct: f64) -> (f64, f64) {
    (x.cos() * y * ct, (x.sin() + 4.0 * y) * ct)
}

pub struct DeclaredInBlock;

#[differentiable]
impl DeclaredInBlock {
    #[differentiable(jvp = smooth_max_tangent)]
    pub fn smooth_max(a: f64, b: f64) -> f64 {
        (a.exp() + b.exp()).ln()
    }
}

#[test]
fn declared_derivatives_of_associated_functions() {
    let fns = fns_of_two!(
        Declared::twice_bumped,
        Declared::twice_bumped_jvp,
        Declared::twice_bumped_vjp,
        Declared::twice_bumped_grad
    );
    check(&fns, &[&[0.3, -0.2], &[1.0, 2.0], &[-1.2, 0.5]], 1e-8);
    let (_, (gx, gy)) = Declared::twice_bumped_grad(0.7, 1.5);
    assert!(close(gx, 0.7_f64.cos() * 1.5, 1e-15) && close(gy, 0.7_f64.sin() + 6.0, 1e-15));
    assert!(close(Declared::twice_bumped_jvp(0.7, 1.5, 0.0, 1.0).0, Declared::twice_bumped(0.7, 1.5), 1e-15));
    let fns = fns_of_two!(
        DeclaredInBlock::smooth_max,
        DeclaredInBlock::smooth_max_jvp,
        DeclaredInBlock::smooth_max_vjp,
        DeclaredInBlock::smooth_max_grad
    );
    check(&fns, &[&[0.3, -0.2], &[1.0, 2.0], &[-1.2, 0.5]], 1e-8);
    let (y, (ga, gb)) = DeclaredInBlock::smooth_max_grad(1.0, 2.0);
    assert!(close(ga, (1.0 - y).exp(), 1e-15) && close(gb, (2.0 - y).exp(), 1e-15));
}
