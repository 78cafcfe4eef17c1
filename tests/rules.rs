//! Property tests of every elementary rule over random inputs in its domain (forward against
//! central differences, reverse against forward), and the documented conventions at kinks and
//! singular points.

#![allow(clippy::type_complexity)]

mod common;

use proptest::prelude::*;
use tapeless::differentiable;

/// One-argument rule: `mod NAME { f(x) = x.METHOD() }` and a proptest over `range` (where
/// `assume` holds: away from a kink, whose central differences straddle it).
macro_rules! unary {
    ($($name:ident: $range:expr $(, assume $assume:expr)?;)*) => {$(
        mod $name {
            use super::*;
            #[differentiable]
            pub fn f(x: f64) -> f64 {
                x.$name()
            }
        }
    )*
        proptest! {
            $(
                #[test]
                fn $name(x in $range) {
                    $(let assume: fn(f64) -> bool = $assume; prop_assume!(assume(x));)?
                    let vjp = |x| {
                        let (v, p) = $name::f_vjp(x);
                        (v, Box::new(p) as Box<dyn FnOnce(f64) -> f64>)
                    };
                    check1(stringify!($name), $name::f, $name::f_jvp, &vjp, $name::f_grad, x)?;
                }
            )*
        }
    };
}

/// Two-argument rule: `f(x, y) = x.METHOD(y)`.
macro_rules! binary {
    ($($name:ident: $rx:expr, $ry:expr $(, assume $assume:expr)?;)*) => {$(
        mod $name {
            use super::*;
            #[differentiable]
            pub fn f(x: f64, y: f64) -> f64 {
                x.$name(y)
            }
        }
    )*
        proptest! {
            $(
                #[test]
                fn $name(x in $rx, y in $ry) {
                    $(let assume: fn(f64, f64) -> bool = $assume; prop_assume!(assume(x, y));)?
                    let vjp = |x, y| {
                        let (v, p) = $name::f_vjp(x, y);
                        (v, Box::new(p) as Box<dyn FnOnce(f64) -> (f64, f64)>)
                    };
                    check2(stringify!($name), $name::f, $name::f_jvp, &vjp, $name::f_grad, x, y)?;
                }
            )*
        }
    };
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    common::close(a, b, rel)
}

fn check1(
    name: &str,
    f: fn(f64) -> f64,
    jvp: fn(f64, f64) -> (f64, f64),
    vjp: &dyn Fn(f64) -> (f64, Box<dyn FnOnce(f64) -> f64>),
    grad: fn(f64) -> (f64, f64),
    x: f64,
) -> Result<(), TestCaseError> {
    let fd = common::central(&|p: &[f64]| f(p[0]), &[x], 0);
    let (value, t) = jvp(x, 1.0);
    prop_assert_eq!(value, f(x));
    prop_assert!(close(t, fd, 1e-7), "{name}'({x}) = {t}, central differences {fd}");
    let (v2, pullback) = vjp(x);
    prop_assert_eq!(v2, value);
    let u = 0.75;
    prop_assert!(close(pullback(u), u * t, 1e-14), "{name}: vjp and jvp disagree at {x}");
    prop_assert_eq!(grad(x), (value, t));
    Ok(())
}

#[allow(clippy::too_many_arguments)]
fn check2(
    name: &str,
    f: fn(f64, f64) -> f64,
    jvp: fn(f64, f64, f64, f64) -> (f64, f64),
    vjp: &dyn Fn(f64, f64) -> (f64, Box<dyn FnOnce(f64) -> (f64, f64)>),
    grad: fn(f64, f64) -> (f64, (f64, f64)),
    x: f64,
    y: f64,
) -> Result<(), TestCaseError> {
    let g = |p: &[f64]| f(p[0], p[1]);
    let (fdx, fdy) = (common::central(&g, &[x, y], 0), common::central(&g, &[x, y], 1));
    let (value, tx) = jvp(x, y, 1.0, 0.0);
    let (_, ty) = jvp(x, y, 0.0, 1.0);
    prop_assert_eq!(value, f(x, y));
    prop_assert!(close(tx, fdx, 1e-7), "{name} d/dx at ({x}, {y}) = {tx}, central differences {fdx}");
    prop_assert!(close(ty, fdy, 1e-7), "{name} d/dy at ({x}, {y}) = {ty}, central differences {fdy}");
    let (v, w) = (0.3, -1.7);
    let (_, tv) = jvp(x, y, v, w);
    let (_, pullback) = vjp(x, y);
    let u = 2.0; // a power of two, so `g / u` below is exact
    let (gx, gy) = pullback(u);
    prop_assert!(close(u * tv, gx * v + gy * w, 1e-13), "{name}: <u, Jv> != <J^T u, v> at ({x}, {y})");
    prop_assert_eq!(grad(x, y).1, (gx / u, gy / u));
    Ok(())
}

unary! {
    sin: -20.0..20.0f64;
    cos: -20.0..20.0f64;
    tan: -1.4..1.4f64;
    asin: -0.95..0.95f64;
    acos: -0.95..0.95f64;
    atan: -50.0..50.0f64;
    sinh: -5.0..5.0f64;
    cosh: -5.0..5.0f64;
    tanh: -5.0..5.0f64;
    asinh: -50.0..50.0f64;
    acosh: 1.05..50.0f64;
    atanh: -0.95..0.95f64;
    exp: -10.0..10.0f64;
    exp2: -10.0..10.0f64;
    exp_m1: -10.0..10.0f64;
    ln: 0.05..100.0f64;
    log2: 0.05..100.0f64;
    log10: 0.05..100.0f64;
    ln_1p: -0.9..100.0f64;
    sqrt: 0.01..100.0f64;
    cbrt: 0.01..100.0f64;
    recip: 0.1..100.0f64;
    to_degrees: -10.0..10.0f64;
    to_radians: -10.0..10.0f64;
    abs: -10.0..10.0f64, assume |x: f64| x.abs() > 0.01;
}

binary! {
    atan2: -5.0..5.0f64, -5.0..5.0f64, assume |x: f64, y: f64| x.hypot(y) > 0.1;
    hypot: -5.0..5.0f64, -5.0..5.0f64, assume |x: f64, y: f64| x.hypot(y) > 0.1;
    powf: 0.1..5.0f64, -3.0..3.0f64;
    log: 0.1..50.0f64, 1.5..20.0f64;
    max: -5.0..5.0f64, -5.0..5.0f64, assume |x: f64, y: f64| (x - y).abs() > 0.01;
    min: -5.0..5.0f64, -5.0..5.0f64, assume |x: f64, y: f64| (x - y).abs() > 0.01;
    copysign: -5.0..5.0f64, -5.0..5.0f64, assume |x: f64, y: f64| x.abs() > 0.01 && y.abs() > 0.01;
    midpoint: -1e3..1e3f64, -1e3..1e3f64;
}

#[differentiable]
fn powi3(x: f64, n: i32) -> f64 {
    x.powi(n)
}

#[differentiable]
fn fused(a: f64, b: f64, c: f64) -> f64 {
    a.mul_add(b, c)
}

#[differentiable]
fn clamped(x: f64, lo: f64, hi: f64) -> f64 {
    x.clamp(lo, hi)
}

proptest! {
    #[test]
    fn powi(x in -5.0..5.0f64, n in -4..6i32) {
        prop_assume!(x.abs() > 0.05);
        let fd = common::central(&|p: &[f64]| powi3(p[0], n), &[x], 0);
        let (_, t) = powi3_jvp(x, n, 1.0);
        prop_assert!(close(t, fd, 1e-7), "powi({x}, {n})' = {t}, central differences {fd}");
        prop_assert_eq!(powi3_grad(x, n).1, t);
    }

    #[test]
    fn mul_add(a in -5.0..5.0f64, b in -5.0..5.0f64, c in -5.0..5.0f64) {
        let (value, t) = fused_jvp(a, b, c, 0.5, -0.25, 2.0);
        prop_assert_eq!(value, fused(a, b, c));
        prop_assert!(close(t, 0.5 * b - 0.25 * a + 2.0, 1e-14));
        let (_, pullback) = fused_vjp(a, b, c);
        prop_assert_eq!(pullback(1.0), (b, a, 1.0));
    }

    #[test]
    fn clamp(x in -5.0..5.0f64, lo in -3.0..0.0f64, width in 0.5..3.0f64) {
        let hi = lo + width;
        prop_assume!((x - lo).abs() > 1e-3 && (x - hi).abs() > 1e-3);
        let inside = if x > lo && x < hi { 1.0 } else { 0.0 };
        let expected = (inside, if x < lo { 1.0 } else { 0.0 }, if x > hi { 1.0 } else { 0.0 });
        prop_assert_eq!(clamped_grad(x, lo, hi).1, expected);
        let (value, t) = clamped_jvp(x, lo, hi, 1.0, 2.0, 4.0);
        prop_assert_eq!(value, clamped(x, lo, hi));
        prop_assert_eq!(t, expected.0 + 2.0 * expected.1 + 4.0 * expected.2);
    }
}

// ---- conventions at kinks and singular points (documented in the README) --------------------

#[test]
fn abs_has_derivative_zero_at_zero() {
    assert_eq!(abs::f_grad(0.0).1, 0.0);
    assert_eq!(abs::f_grad(-0.0).1, 0.0);
    assert_eq!(abs::f_jvp(0.0, 1.0).1, 0.0);
    assert_eq!(abs::f_grad(-2.0).1, -1.0);
}

#[test]
fn copysign_has_derivative_zero_at_zero_and_none_in_the_sign() {
    assert_eq!(copysign::f_grad(0.0, -1.0).1, (0.0, 0.0));
    assert_eq!(copysign::f_grad(2.0, -1.0).1, (-1.0, 0.0));
    assert_eq!(copysign::f_grad(-2.0, -0.0).1, (1.0, 0.0));
    assert_eq!(copysign::f_jvp(-2.0, 3.0, 1.0, 1.0), (2.0, -1.0));
}

#[test]
fn max_and_min_split_a_tie_evenly() {
    assert_eq!(max::f_grad(1.5, 1.5).1, (0.5, 0.5));
    assert_eq!(min::f_grad(1.5, 1.5).1, (0.5, 0.5));
    assert_eq!(max::f_grad(2.0, 1.0).1, (1.0, 0.0));
    assert_eq!(min::f_grad(2.0, 1.0).1, (0.0, 1.0));
    // `max` and `min` ignore a NaN argument, and so do their derivatives, either way round.
    assert_eq!(max::f_grad(f64::NAN, 1.0).1, (0.0, 1.0));
    assert_eq!(max::f_grad(1.0, f64::NAN).1, (1.0, 0.0));
    assert_eq!(min::f_grad(f64::NAN, 1.0).1, (0.0, 1.0));
    assert_eq!(min::f_grad(1.0, f64::NAN).1, (1.0, 0.0));
    assert_eq!(min::f_jvp(f64::NAN, 1.0, 5.0, 3.0), (1.0, 3.0));
    assert_eq!(max::f_jvp(1.0, f64::NAN, 3.0, 5.0), (1.0, 3.0));
}

#[test]
fn clamp_splits_evenly_on_a_bound() {
    assert_eq!(clamped_grad(0.0, 0.0, 1.0).1, (0.5, 0.5, 0.0));
    assert_eq!(clamped_grad(1.0, 0.0, 1.0).1, (0.5, 0.0, 0.5));
}

#[test]
fn origin_conventions_of_hypot_and_atan2() {
    assert_eq!(hypot::f_grad(0.0, 0.0).1, (0.0, 0.0));
    assert_eq!(atan2::f_grad(0.0, 0.0).1, (0.0, 0.0));
}

#[test]
fn powf_with_zero_result_has_zero_exponent_derivative() {
    let (value, (dx, dp)) = powf::f_grad(0.0, 2.0);
    assert_eq!((value, dx, dp), (0.0, 0.0, 0.0));
    assert_eq!(powi3_grad(0.0, 0).1, 0.0);
}

#[test]
fn sqrt_at_zero_is_infinite_like_the_calculus() {
    assert_eq!(sqrt::f_grad(0.0).1, f64::INFINITY);
}
