//! Generic functions (issue 13), written the way published numeric crates write them: over
//! `num_traits::Float` (with `FromPrimitive`, `FloatConst`, `Sum`), nalgebra's `RealField` and
//! `tapeless::Real`, with constants such as `T::from_f64(c).unwrap()`, `T::one()` and
//! `T::PI()`, iterator chains, local closures, array patterns and `match`.
//!
//! Every function is checked at `f64` against central differences and forward against reverse
//! mode (`common::check`), and called at `f32` too, where its gradient must agree with the
//! `f64` one to single precision and its JVP with its VJP.

mod common;

use std::iter::Sum;

use common::{Fns, check, close, direction};
use nalgebra::{RealField, SVector};
use num_traits::{Float, FloatConst, FromPrimitive};
use tapeless::differentiable;

/// A weighted sphere: `sum (i + 1) (x_i - 1)^2`, through `enumerate` and `T::from_usize`.
#[differentiable]
pub fn weighted_sphere<T>(x: &[T]) -> T
where
    T: Float + FromPrimitive + Sum,
{
    x.iter().enumerate().map(|(i, &v)| T::from_usize(i + 1).unwrap() * (v - T::one()).powi(2)).sum()
}

/// Rosenbrock's valley with its two coefficients as parameters (differentiated too).
#[differentiable]
pub fn banana<T: Float + Sum>(x: &[T], a: T, b: T) -> T {
    x.iter().zip(x.iter().skip(1)).map(|(&u, &v)| (a - u).powi(2) + b * (v - u * u).powi(2)).sum()
}

/// The standard coefficients, by composition: constants passed to a generic function.
#[differentiable]
pub fn banana_standard<T: Float + FromPrimitive + Sum>(x: &[T]) -> T {
    banana(x, T::one(), T::from_f64(100.0).unwrap())
}

/// An Ackley-like bowl: means of squares and cosines, `T::PI()` from `FloatConst`.
#[differentiable]
pub fn bumpy<T>(x: &[T]) -> T
where
    T: Float + FloatConst + FromPrimitive + Sum,
{
    let n = T::from_usize(x.len()).unwrap();
    let two = T::from_f64(2.0).unwrap();
    let mean_square = x.iter().map(|v| v.powi(2)).sum::<T>() / n;
    let mean_cos = x.iter().map(|v| (two * T::PI() * *v).cos()).sum::<T>() / n;
    -(-T::from_f64(0.2).unwrap() * mean_square.sqrt()).exp() - mean_cos.exp() + T::one().exp()
}

/// A Levy-like function: an `assert!`, a local closure, a sub-slice and two chained `map`s.
#[differentiable]
pub fn warped<T>(x: &[T]) -> T
where
    T: Float + FloatConst + FromPrimitive + Sum,
{
    let n = x.len();
    assert!(n >= 3, "warped needs three coordinates");
    let one = T::one();
    let quarter = T::from_f64(0.25).unwrap();
    let warp = |v: T| one + (v - one) * quarter;
    let inner: T = x[1..n - 1]
        .iter()
        .map(|v| warp(*v))
        .map(|w| (w - one).powi(2) * (one + (T::PI() * w).sin().powi(2)))
        .sum();
    (T::PI() * warp(x[0])).sin().powi(2) + inner + (warp(x[n - 1]) - one).powi(2)
}

/// Beale-like, on a `&[T; 2]` destructured with `let [a, b] = *p;`.
#[differentiable]
pub fn valley<T: Float + FromPrimitive>(p: &[T; 2]) -> T {
    let [a, b] = *p;
    let c = T::from_f64(1.5).unwrap();
    (c - a + a * b).powi(2) + (T::from_f64(2.25).unwrap() - a + a * b.powi(2)).powi(2)
}

/// A fixed array's `map`, destructured.
#[differentiable]
pub fn rescaled<T: Float + FromPrimitive>(p: &[T; 2]) -> T {
    let (scale, shift) = (T::from_f64(3.0).unwrap(), T::one());
    let [u, v] = p.map(|x| scale * x - shift);
    (u * v + T::from_f64(40.0).unwrap()).ln() + u.powi(2) * v
}

/// Eggholder-like: `abs`, `sqrt` and `sin` chained on the way out.
#[differentiable]
pub fn ridge<T: Float + FromPrimitive>(p: &[T; 2]) -> T {
    let [x, y] = *p;
    let k = T::from_f64(47.0).unwrap();
    -(y + k) * (y + x / T::from_f64(2.0).unwrap() + k).abs().sqrt().sin()
        - x * (x - (y + k)).abs().sqrt().sin()
}

/// Computed in `f64` through `Into<f64>` and converted back with `T::from_f64(..).unwrap()`:
/// the derivative goes through both conversions.
#[differentiable]
pub fn through_f64<T: Float + Into<f64> + FromPrimitive>(p: &[T; 2]) -> T {
    let a: f64 = p[0].into();
    let b: f64 = p[1].into();
    T::from_f64((a.sin() * b.cos() + 2.0).sqrt() + a * b).unwrap()
}

/// `to_f64().unwrap()` and `T::from(..).unwrap()` (`NumCast`) carry the derivative too.
#[differentiable]
pub fn via_numcast<T: Float>(x: T, y: T) -> T {
    let a = x.to_f64().unwrap();
    let s = (a * a + 1.0).ln();
    T::from(s).unwrap() * y + x
}

/// Bounded by `tapeless::Real` alone.
#[differentiable]
pub fn real_bound<T: tapeless::Real>(x: T, y: T) -> T {
    (x * x + y * y).sqrt() + x.sin() * T::from_f64(0.5) * y.exp()
}

/// nalgebra, generic over `RealField`, with `nalgebra::convert` for a constant.
#[differentiable]
pub fn spring<T: RealField + Copy>(q: &SVector<T, 3>, k: T) -> T {
    let half: T = nalgebra::convert(0.5);
    half * k * q.norm_squared() + q[0].sin() * q.dot(q)
}

/// A const generic length.
#[differentiable]
pub fn const_length<T: Float + Sum, const N: usize>(x: &[T; N]) -> T {
    x.iter().map(|&v| v * v * v.exp()).sum()
}

/// `match` on a constant parameter, with a `debug_assert!`.
#[differentiable]
pub fn power<T: Float>(x: T, order: u32) -> T {
    debug_assert!(order <= 3);
    match order {
        0 => T::one(),
        1 => x,
        2 => x * x,
        _ => x.powi(3) + x.sin(),
    }
}

/// A parameter named `_x` is declared unused: its gradient is zero, and no error.
#[differentiable]
pub fn constant<T: Float>(_x: &[T]) -> T {
    T::one() + T::one()
}

/// Horner's rule as a `fold` over the reversed coefficients.
#[differentiable]
pub fn horner<T: Float>(coef: &[T], x: T) -> T {
    coef.iter().rev().fold(T::zero(), |acc, &c| acc * x + c)
}

/// `num_traits`' free functions, by path and imported: `clamp`, `clamp_min`, `clamp_max`.
#[differentiable]
pub fn clamped<T: Float>(x: &[T]) -> T {
    use num_traits::clamp_min;
    let mut s = T::zero();
    for &v in x {
        s = s
            + num_traits::clamp(v * v, T::zero(), T::one())
            + clamp_min(v, T::zero()) * num_traits::clamp_max(v, T::one());
    }
    s
}

/// Slices: the generic function at `f64`, as the shared checks want it.
macro_rules! slice_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Fns {
            name: stringify!($f),
            f: &|x| $f::<f64>(x),
            jvp: &|x, v| $jvp::<f64>(x, v.to_vec()),
            vjp: &|x, ct| {
                let (value, pullback) = $vjp::<f64>(x);
                (value, pullback(ct))
            },
            grad: &|x| $grad::<f64>(x),
        }
    };
}

/// `&[T; 2]` parameters.
macro_rules! pair_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Fns {
            name: stringify!($f),
            f: &|x| $f::<f64>(&[x[0], x[1]]),
            jvp: &|x, v| $jvp::<f64>(&[x[0], x[1]], [v[0], v[1]]),
            vjp: &|x, ct| {
                // A temporary: the pullback holds a copy, not the reference.
                let (value, pullback) = $vjp::<f64>(&[x[0], x[1]]);
                (value, pullback(ct).to_vec())
            },
            grad: &|x| {
                let (value, g) = $grad::<f64>(&[x[0], x[1]]);
                (value, g.to_vec())
            },
        }
    };
}

/// The same function at `f32`: value, gradient, JVP and VJP.
#[allow(clippy::type_complexity)]
struct Single<'a> {
    name: &'a str,
    grad: &'a dyn Fn(&[f32]) -> (f32, Vec<f32>),
    jvp: &'a dyn Fn(&[f32], &[f32]) -> (f32, f32),
    vjp: &'a dyn Fn(&[f32], f32) -> (f32, Vec<f32>),
}

/// At `f32`: the gradient agrees with the `f64` one to single precision (relative to the
/// gradient's scale), and `<u, J v>` by JVP with `<Jᵀu, v>` by VJP.
fn check_f32(single: &Single, double: &Fns, points: &[&[f64]]) {
    for (k, x) in points.iter().enumerate() {
        let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (value, g) = (single.grad)(&x32);
        let (value64, g64) = (double.grad)(x);
        let scale = g64.iter().fold(1.0f64, |m, v| m.max(v.abs()));
        assert!(
            close(value as f64, value64, 1e-4),
            "{} at {x:?}: f32 value {value} vs {value64}",
            single.name
        );
        for (i, (a, b)) in g.iter().zip(&g64).enumerate() {
            assert!(
                (*a as f64 - b).abs() <= 2e-4 * scale,
                "{} at {x:?}: f32 d/dx{i} = {a}, f64 gives {b}",
                single.name
            );
        }
        let v: Vec<f32> = direction(x.len(), k as u64 + 7).iter().map(|&d| d as f32).collect();
        let (_, jv) = (single.jvp)(&x32, &v);
        let (_, jtu) = (single.vjp)(&x32, 1.0);
        let rhs: f32 = jtu.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!(
            (jv - rhs).abs() as f64 <= 1e-4 * scale * x.len() as f64,
            "{} at {x:?}: f32 <u, Jv> = {jv}, <Jᵀu, v> = {rhs}",
            single.name
        );
    }
}

macro_rules! slice_single {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Single {
            name: stringify!($f),
            grad: &|x| $grad::<f32>(x),
            jvp: &|x, v| $jvp::<f32>(x, v.to_vec()),
            vjp: &|x, ct| {
                let (value, pullback) = $vjp::<f32>(x);
                (value, pullback(ct))
            },
        }
    };
}

macro_rules! pair_single {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Single {
            name: stringify!($f),
            grad: &|x| {
                let (value, g) = $grad::<f32>(&[x[0], x[1]]);
                (value, g.to_vec())
            },
            jvp: &|x, v| $jvp::<f32>(&[x[0], x[1]], [v[0], v[1]]),
            vjp: &|x, ct| {
                let p = [x[0], x[1]];
                let (value, pullback) = $vjp::<f32>(&p);
                (value, pullback(ct).to_vec())
            },
        }
    };
}

/// Checks a generic function of one slice at both precisions.
macro_rules! check_slice {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $points:expr) => {{
        let points: &[&[f64]] = $points;
        let double = slice_fns!($f, $jvp, $vjp, $grad);
        check(&double, points, 1e-7);
        check_f32(&slice_single!($f, $jvp, $vjp, $grad), &double, points);
    }};
}

macro_rules! check_pair {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $points:expr) => {{
        let points: &[&[f64]] = $points;
        let double = pair_fns!($f, $jvp, $vjp, $grad);
        check(&double, points, 1e-7);
        check_f32(&pair_single!($f, $jvp, $vjp, $grad), &double, points);
    }};
}

#[test]
fn enumerate_and_from_usize() {
    check_slice!(
        weighted_sphere,
        weighted_sphere_jvp,
        weighted_sphere_vjp,
        weighted_sphere_grad,
        &[&[0.5, -1.0, 2.0], &[1.0, 1.0, 1.0, 3.0], &[-0.3, 0.7]]
    );
    // Analytic: 2 (i + 1) (x_i - 1).
    let x = [0.5, -1.0, 2.0];
    let (_, g) = weighted_sphere_grad(&x);
    for (i, gi) in g.iter().enumerate() {
        assert!(close(*gi, 2.0 * (i + 1) as f64 * (x[i] - 1.0), 1e-15), "{g:?}");
    }
}

#[test]
fn coefficients_as_parameters_and_by_composition() {
    let double = Fns {
        name: "banana",
        f: &|x| banana(&x[..3], x[3], x[4]),
        jvp: &|x, v| banana_jvp(&x[..3], x[3], x[4], v[..3].to_vec(), v[3], v[4]),
        vjp: &|x, ct| {
            let (value, pullback) = banana_vjp(&x[..3], x[3], x[4]);
            let (gx, ga, gb) = pullback(ct);
            (value, [gx, vec![ga, gb]].concat())
        },
        grad: &|x| {
            let (value, (gx, ga, gb)) = banana_grad(&x[..3], x[3], x[4]);
            (value, [gx, vec![ga, gb]].concat())
        },
    };
    let points: &[&[f64]] =
        &[&[0.5, -1.0, 2.0, 1.0, 100.0], &[1.2, 0.3, -0.4, 0.5, 3.0], &[-1.0, 1.0, 1.5, 2.0, 0.1]];
    check(&double, points, 1e-7);
    let single = Single {
        name: "banana",
        grad: &|x| {
            let (value, (gx, ga, gb)) = banana_grad(&x[..3], x[3], x[4]);
            (value, [gx, vec![ga, gb]].concat())
        },
        jvp: &|x, v| banana_jvp(&x[..3], x[3], x[4], v[..3].to_vec(), v[3], v[4]),
        vjp: &|x, ct| {
            let (value, pullback) = banana_vjp(&x[..3], x[3], x[4]);
            let (gx, ga, gb) = pullback(ct);
            (value, [gx, vec![ga, gb]].concat())
        },
    };
    check_f32(&single, &double, points);
    // d/da = sum 2 (a - u), d/db = sum (v - u²)².
    let (x, a, b) = ([0.5, -1.0, 2.0], 1.0, 100.0);
    let (_, (_, ga, gb)) = banana_grad(&x, a, b);
    let want_a: f64 = x[..2].iter().map(|u| 2.0 * (a - u)).sum();
    let want_b: f64 = x.windows(2).map(|w| (w[1] - w[0] * w[0]).powi(2)).sum();
    assert!(close(ga, want_a, 1e-15) && close(gb, want_b, 1e-15), "{ga} {gb}");

    check_slice!(
        banana_standard,
        banana_standard_jvp,
        banana_standard_vjp,
        banana_standard_grad,
        &[&[0.5, -1.0, 2.0], &[1.0, 1.0, 1.0, 1.0], &[-1.2, 1.0]]
    );
    // At the minimum (1, .., 1) the gradient is zero.
    let (value, g) = banana_standard_grad(&[1.0, 1.0, 1.0, 1.0]);
    assert_eq!(value, 0.0);
    assert!(g.iter().all(|&d| d == 0.0), "{g:?}");
}

#[test]
fn means_and_float_const() {
    check_slice!(
        bumpy,
        bumpy_jvp,
        bumpy_vjp,
        bumpy_grad,
        &[&[0.5, -1.0, 2.0], &[0.1, 0.2], &[-2.5, 1.5, 0.7, 3.1]]
    );
}

#[test]
fn local_closure_and_sub_slice() {
    check_slice!(
        warped,
        warped_jvp,
        warped_vjp,
        warped_grad,
        &[&[0.5, -1.0, 2.0], &[1.0, 2.0, 3.0, 4.0], &[-2.5, 1.5, 0.7, 3.1, -0.2]]
    );
}

#[test]
#[should_panic(expected = "warped needs three coordinates")]
fn the_assertion_runs_in_the_gradient() {
    let _ = warped_grad(&[1.0, 2.0]);
}

#[test]
fn destructured_pair() {
    check_pair!(valley, valley_jvp, valley_vjp, valley_grad, &[&[1.0, 2.0], &[3.0, 0.5], &[-0.7, 1.9]]);
    // Analytic at (a, b): with r1 = 1.5 - a + ab, r2 = 2.25 - a + ab²,
    // ∂/∂a = 2 r1 (b - 1) + 2 r2 (b² - 1), ∂/∂b = 2 r1 a + 4 r2 a b.
    let (a, b) = (-0.7f64, 1.9f64);
    let (r1, r2) = (1.5 - a + a * b, 2.25 - a + a * b * b);
    let (_, g) = valley_grad(&[a, b]);
    assert!(close(g[0], 2.0 * r1 * (b - 1.0) + 2.0 * r2 * (b * b - 1.0), 1e-14), "{g:?}");
    assert!(close(g[1], 2.0 * r1 * a + 4.0 * r2 * a * b, 1e-14), "{g:?}");
}

#[test]
fn array_map() {
    check_pair!(
        rescaled,
        rescaled_jvp,
        rescaled_vjp,
        rescaled_grad,
        &[&[1.0, 2.0], &[0.2, -0.5], &[-0.7, 1.9]]
    );
    // u = 3 p0 - 1, v = 3 p1 - 1: ∂/∂p0 = 3 (v / (uv + 40) + 2uv), ∂/∂p1 = 3 (u / (uv + 40) + u²).
    let (u, v) = (2.0f64, 5.0f64);
    let (_, g) = rescaled_grad(&[1.0, 2.0]);
    assert!(close(g[0], 3.0 * (v / (u * v + 40.0) + 2.0 * u * v), 1e-14), "{g:?}");
    assert!(close(g[1], 3.0 * (u / (u * v + 40.0) + u * u), 1e-14), "{g:?}");
}

/// Float functions called by path, in each form Rust allows: `T::sqrt(..)`, `Float::ln(..)`,
/// `<T>::exp(..)` and `<T as Float>::sin(..)` (`<T>::f` was a call of a function `f_vjp`,
/// rustc's error inside generated code, until the fiftieth session).
#[differentiable]
pub fn path_forms<T: Float>(p: &[T; 2]) -> T {
    let [x, y] = *p;
    T::sqrt(x * x + T::one()) + Float::ln(y * y + T::one()) + <T>::exp(x * y) + <T as Float>::sin(y)
}

#[test]
fn float_functions_by_path() {
    let points: &[&[f64]] = &[&[0.5, -1.0], &[1.5, 0.3], &[-0.7, 2.0]];
    check_pair!(path_forms, path_forms_jvp, path_forms_vjp, path_forms_grad, points);
    for x in points {
        let (a, b) = (x[0], x[1]);
        let want = [
            a / (a * a + 1.0).sqrt() + b * (a * b).exp(),
            2.0 * b / (b * b + 1.0) + a * (a * b).exp() + b.cos(),
        ];
        let (_, g) = path_forms_grad(&[a, b]);
        assert!(close(g[0], want[0], 1e-14) && close(g[1], want[1], 1e-14), "{g:?} against {want:?}");
    }
}

#[test]
fn abs_and_sqrt_chains() {
    check_pair!(ridge, ridge_jvp, ridge_vjp, ridge_grad, &[&[1.0, 2.0], &[200.0, -100.0], &[-30.0, 15.0]]);
}

#[test]
fn conversions_keep_the_derivative() {
    check_pair!(
        through_f64,
        through_f64_jvp,
        through_f64_vjp,
        through_f64_grad,
        &[&[1.0, 2.0], &[0.2, -0.5], &[-0.7, 1.9]]
    );
    let (a, b) = (0.2f64, -0.5f64);
    let s = (a.sin() * b.cos() + 2.0).sqrt();
    let (_, g) = through_f64_grad(&[a, b]);
    assert!(close(g[0], a.cos() * b.cos() / (2.0 * s) + b, 1e-14), "{g:?}");
    assert!(close(g[1], -a.sin() * b.sin() / (2.0 * s) + a, 1e-14), "{g:?}");

    let fns = fns_of_two!(via_numcast, via_numcast_jvp, via_numcast_vjp, via_numcast_grad);
    check(&fns, &[&[1.0, 2.0], &[0.2, -0.5], &[-0.7, 1.9]], 1e-8);
    let (x, y) = (0.7f32, 1.5f32);
    let (_, (gx, gy)) = via_numcast_grad(x, y);
    assert!(
        (gx - (2.0 * x / (x * x + 1.0) * y + 1.0)).abs() < 1e-6 && (gy - (x * x + 1.0).ln()).abs() < 1e-6
    );
}

#[test]
fn tapeless_real_bound() {
    let fns = fns_of_two!(real_bound, real_bound_jvp, real_bound_vjp, real_bound_grad);
    check(&fns, &[&[1.0, 2.0], &[0.2, -0.5], &[-0.7, 1.9]], 1e-8);
    let (x, y) = (3.0f32, 4.0f32);
    let (value, (gx, gy)) = real_bound_grad(x, y);
    assert!((value - (5.0 + 0.5 * x.sin() * y.exp())).abs() < 1e-4);
    assert!((gx - (x / 5.0 + 0.5 * x.cos() * y.exp())).abs() < 1e-4);
    assert!((gy - (y / 5.0 + 0.5 * x.sin() * y.exp())).abs() < 1e-4);
}

#[test]
fn nalgebra_real_field() {
    let q = |x: &[f64]| SVector::<f64, 3>::new(x[0], x[1], x[2]);
    let fns = Fns {
        name: "spring",
        f: &|x| spring(&q(x), x[3]),
        jvp: &|x, v| spring_jvp(&q(x), x[3], q(v), v[3]),
        vjp: &|x, ct| {
            let p = q(x);
            let (value, pullback) = spring_vjp(&p, x[3]);
            let (gq, gk) = pullback(ct);
            (value, vec![gq[0], gq[1], gq[2], gk])
        },
        grad: &|x| {
            let (value, (gq, gk)) = spring_grad(&q(x), x[3]);
            (value, vec![gq[0], gq[1], gq[2], gk])
        },
    };
    check(&fns, &[&[1.0, 2.0, 0.5, 2.0], &[0.2, -0.5, 1.0, 0.3], &[-0.7, 1.9, -1.1, 5.0]], 1e-8);
    // ∂/∂q0 = k q0 + cos(q0) |q|² + 2 sin(q0) q0, ∂/∂k = |q|² / 2; and at f32.
    let q32 = SVector::<f32, 3>::new(1.0, 2.0, 0.5);
    let (_, (g, gk)) = spring_grad(&q32, 2.0f32);
    let n2 = q32.norm_squared();
    assert!((g[0] - (2.0 + 1.0f32.cos() * n2 + 2.0 * 1.0f32.sin())).abs() < 1e-5, "{g:?}");
    assert!((gk - n2 / 2.0).abs() < 1e-6);
}

#[test]
fn const_generic_length() {
    let fns = Fns {
        name: "const_length",
        f: &|x| const_length(&[x[0], x[1], x[2]]),
        jvp: &|x, v| const_length_jvp(&[x[0], x[1], x[2]], [v[0], v[1], v[2]]),
        vjp: &|x, ct| {
            let (value, pullback) = const_length_vjp(&[x[0], x[1], x[2]]);
            (value, pullback(ct).to_vec())
        },
        grad: &|x| {
            let (value, g) = const_length_grad(&[x[0], x[1], x[2]]);
            (value, g.to_vec())
        },
    };
    check(&fns, &[&[1.0, 2.0, 0.5], &[0.2, -0.5, 1.0], &[-0.7, 1.9, -1.1]], 1e-8);
    let (_, g) = const_length_grad(&[0.5f32, 1.0, -2.0, 0.25]);
    for (gi, x) in g.iter().zip([0.5f32, 1.0, -2.0, 0.25]) {
        assert!((gi - (2.0 * x + x * x) * x.exp()).abs() < 1e-5, "{g:?}");
    }
}

#[test]
fn match_on_a_constant_parameter() {
    for (order, want) in [(0u32, 0.0), (1, 1.0), (2, 2.0 * 0.8), (3, 3.0 * 0.64 + 0.8f64.cos())] {
        let (_, g) = power_grad(0.8f64, order);
        assert!(close(g, want, 1e-15), "order {order}: {g} vs {want}");
        let (_, t) = power_jvp(0.8f64, order, 1.0);
        assert!(close(t, want, 1e-15));
        let (_, g32) = power_grad(0.8f32, order);
        assert!((g32 as f64 - want).abs() < 1e-6);
    }
}

#[test]
fn a_parameter_declared_unused() {
    let (value, g) = constant_grad(&[1.0f64, 2.0]);
    assert_eq!((value, g), (2.0, vec![0.0, 0.0]));
    let (value, t) = constant_jvp(&[1.0f32], vec![1.0]);
    assert_eq!((value, t), (2.0, 0.0));
}

#[test]
fn fold_over_reversed_coefficients() {
    // p(x) = 1 + 2x + 3x²: ∂p/∂c_i = x^i, ∂p/∂x = 2 + 6x.
    let fns = Fns {
        name: "horner",
        f: &|x| horner(&x[..3], x[3]),
        jvp: &|x, v| horner_jvp(&x[..3], x[3], v[..3].to_vec(), v[3]),
        vjp: &|x, ct| {
            let (value, pullback) = horner_vjp(&x[..3], x[3]);
            let (gc, gx) = pullback(ct);
            (value, [gc, vec![gx]].concat())
        },
        grad: &|x| {
            let (value, (gc, gx)) = horner_grad(&x[..3], x[3]);
            (value, [gc, vec![gx]].concat())
        },
    };
    check(&fns, &[&[1.0, 2.0, 3.0, 0.5], &[0.2, -0.5, 1.0, 2.0], &[-0.7, 1.9, -1.1, -1.5]], 1e-8);
    let x = 0.5f64;
    let (value, (gc, gx)) = horner_grad(&[1.0, 2.0, 3.0], x);
    assert!(close(value, 1.0 + 2.0 * x + 3.0 * x * x, 1e-15));
    assert!(close(gc[0], 1.0, 1e-15) && close(gc[1], x, 1e-15) && close(gc[2], x * x, 1e-15), "{gc:?}");
    assert!(close(gx, 2.0 + 6.0 * x, 1e-15));
    let (_, (gc32, gx32)) = horner_grad(&[1.0f32, 2.0, 3.0], 0.5f32);
    assert!((gx32 - 5.0).abs() < 1e-6 && (gc32[2] - 0.25).abs() < 1e-7);
}

/// A nalgebra `map` closure in a generic function: its helper function is generic too.
#[differentiable]
pub fn soft_norm<T: RealField + Copy>(q: &SVector<T, 3>, k: T) -> T {
    q.map(|e| (e * e + T::one()).sqrt()).sum() * k
}

#[test]
fn map_closure_in_a_generic_function() {
    let q = SVector::<f64, 3>::new(0.5, -1.0, 2.0);
    let (value, (g, gk)) = soft_norm_grad(&q, 1.5);
    let want: f64 = q.iter().map(|e| (e * e + 1.0).sqrt()).sum();
    assert!(close(value, 1.5 * want, 1e-15) && close(gk, want, 1e-15));
    for i in 0..3 {
        assert!(close(g[i], 1.5 * q[i] / (q[i] * q[i] + 1.0).sqrt(), 1e-15), "{g:?}");
    }
    let (_, t) = soft_norm_jvp(&q, 1.5, SVector::<f64, 3>::new(0.2, 0.1, -0.3), 0.5);
    assert!(close(t, g.dot(&SVector::<f64, 3>::new(0.2, 0.1, -0.3)) + gk * 0.5, 1e-14));
    let q32 = SVector::<f32, 3>::new(0.5, -1.0, 2.0);
    let (_, (g32, _)) = soft_norm_grad(&q32, 1.5f32);
    assert!((g32[2] as f64 - g[2]).abs() < 1e-5);
}

#[test]
fn grad_into_of_a_generic_function() {
    let x = [0.5f32, -1.0, 2.0];
    let mut g = vec![9.0f32; 7];
    let value = weighted_sphere_grad_into(&x, &mut g);
    let (want_value, want) = weighted_sphere_grad(&x);
    assert_eq!((value, g), (want_value, want));
}

#[test]
fn num_traits_free_functions() {
    let points: &[&[f64]] = &[&[0.3, -1.7, 1.2, 0.5], &[0.9, 2.0], &[-0.4, 0.2, 1.5]];
    check_slice!(clamped, clamped_jvp, clamped_vjp, clamped_grad, points);
    for x in points {
        let (_, g) = clamped_grad(x);
        for (i, &v) in x.iter().enumerate() {
            // d/dv [clamp(v², 0, 1)] + d/dv [max(v, 0) min(v, 1)].
            let square = if v * v < 1.0 { 2.0 * v } else { 0.0 };
            let product = match v {
                v if v <= 0.0 => 0.0,
                v if v < 1.0 => 2.0 * v,
                v => v.min(1.0),
            };
            assert!(
                close(g[i], square + product, 1e-14),
                "{x:?}: d/dx{i} = {} vs {}",
                g[i],
                square + product
            );
        }
    }
}
