//! `_hvp` printed over the adjoint program (`emit::reverse::tangent`) for functions that call
//! other `hessian` functions: each call made through the callee's `_vjp_for_hessian`, its
//! dual pullback called in the adjoint sweep (kept from the primal sweep, in a branch's trace
//! or on a loop's stack, or taken again where it borrows a local array; a slice parameter
//! lifted once), and rules read the calls' results. Each `H v` checked
//! against the analytic Hessian, central differences of `_grad` and the dual copy of `_grad`;
//! `_hessian` against the analytic Hessian; `_jvp` against the gradient.

mod hvp_checks;

use hvp_checks::{Pair, Slice, check_pair, check_slice};
use tapeless::__private::Dual;
use tapeless::differentiable;

/// `a³`.
#[differentiable(hessian)]
fn cube(a: f64) -> f64 {
    a * a * a
}

/// `a eᵇ`.
#[differentiable(hessian)]
fn scaled_exp(a: f64, b: f64) -> f64 {
    a * b.exp()
}

/// `s² Σ eᵢ²`.
#[differentiable(hessian, wrt(v, s))]
fn scaled_squares(v: &[f64], s: f64) -> f64 {
    let mut t = 0.0;
    for e in v {
        t += (e * s) * (e * s);
    }
    t
}

/// `x³ eʸ + x³ y³`: one call's result passed to another, and to a product.
#[differentiable(hessian)]
fn chained(x: f64, y: f64) -> f64 {
    let c = cube(x);
    scaled_exp(c, y) + cube(x * y)
}

fn chained_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let e = y.exp();
    let xx = 6.0 * x * e + 6.0 * x * y.powi(3);
    let xy = 3.0 * x * x * e + 9.0 * x * x * y * y;
    let yy = x.powi(3) * e + 6.0 * x.powi(3) * y;
    [[xx, xy], [xy, yy]]
}

/// `|v|² (x⁴ + x⁶)`: the slice parameter lifted for its callee, and a local vector whose
/// pullback, borrowing the lifted vector, the adjoint sweep takes again.
#[differentiable(hessian, wrt(x, v))]
fn slices(x: f64, v: &[f64]) -> f64 {
    let w = vec![x, x * x];
    scaled_squares(v, x) * scaled_squares(&w, 1.0)
}

fn slices_analytic(x: f64, v: &[f64]) -> Vec<Vec<f64>> {
    let s: f64 = v.iter().map(|e| e * e).sum();
    let (p, dp, ddp) =
        (x.powi(4) + x.powi(6), 4.0 * x.powi(3) + 6.0 * x.powi(5), 12.0 * x * x + 30.0 * x.powi(4));
    let n = v.len() + 1;
    let mut h = vec![vec![0.0; n]; n];
    h[0][0] = s * ddp;
    for i in 0..v.len() {
        h[0][i + 1] = 2.0 * v[i] * dp;
        h[i + 1][0] = 2.0 * v[i] * dp;
        h[i + 1][i + 1] = 2.0 * p;
    }
    h
}

/// Over `v`: `vᵢ² eˣ` where `vᵢ > 0`, else `vᵢ⁴ / x³ + (vᵢ² + x²) vᵢ / 4`. Calls in a branch
/// in a loop: their pullbacks in the branch's trace, pushed on the loop's stack, and one
/// taken again in the backward iteration (it borrows the local array `w`, itself pushed with
/// its tangent); a quotient of two calls' results.
// (Indexed, as published code often is: the loads are part of what is printed.)
#[allow(clippy::needless_range_loop)]
#[differentiable(hessian, wrt(x, v))]
fn pieces(x: f64, v: &[f64]) -> f64 {
    let mut acc = 0.0;
    for i in 0..v.len() {
        let w = [v[i], x];
        let q = if tapeless::piecewise(v[i] > 0.0) {
            scaled_exp(v[i], x)
        } else {
            cube(v[i]) / cube(x) + scaled_squares(&w, 0.5)
        };
        acc += q * v[i];
    }
    acc
}

fn pieces_analytic(x: f64, v: &[f64]) -> Vec<Vec<f64>> {
    let n = v.len() + 1;
    let mut h = vec![vec![0.0; n]; n];
    for (i, &e) in v.iter().enumerate() {
        let (vv, vx, xx) = if e > 0.0 {
            (2.0 * x.exp(), 2.0 * e * x.exp(), e * e * x.exp())
        } else {
            (
                12.0 * e * e / x.powi(3) + 1.5 * e,
                -12.0 * e.powi(3) / x.powi(4) + 0.5 * x,
                12.0 * e.powi(4) / x.powi(5) + 0.5 * e,
            )
        };
        h[0][0] += xx;
        h[0][i + 1] = vx;
        h[i + 1][0] = vx;
        h[i + 1][i + 1] = vv;
    }
    h
}

/// `Σᵢ (x vᵢ)² |v|² = x² |v|⁴`: a slice parameter passed in a loop, lifted once before the
/// primal sweep, the pullbacks that borrow it pushed on the loop's stack.
#[allow(clippy::needless_range_loop)]
#[differentiable(hessian, wrt(x, v))]
fn in_loop(x: f64, v: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..v.len() {
        s += scaled_squares(v, x * v[i]);
    }
    s
}

fn in_loop_analytic(x: f64, v: &[f64]) -> Vec<Vec<f64>> {
    let s: f64 = v.iter().map(|e| e * e).sum();
    let n = v.len() + 1;
    let mut h = vec![vec![0.0; n]; n];
    h[0][0] = 2.0 * s * s;
    for j in 0..v.len() {
        h[0][j + 1] = 8.0 * x * s * v[j];
        h[j + 1][0] = 8.0 * x * s * v[j];
        for k in 0..v.len() {
            h[j + 1][k + 1] = x * x * (8.0 * v[j] * v[k] + if j == k { 4.0 * s } else { 0.0 });
        }
    }
    h
}

/// `sin(x² y²) + exp(x²)`: rules read calls' results, `g(x).sin()`.
#[differentiable(hessian)]
fn rules_of_calls(x: f64, y: f64) -> f64 {
    square(x * y).sin() + square(x).exp()
}

/// `a²`.
#[differentiable(hessian)]
fn square(a: f64) -> f64 {
    a * a
}

fn rules_of_calls_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let u = x * x * y * y;
    let (s, c, e) = (u.sin(), u.cos(), (x * x).exp());
    let (ux, uy) = (2.0 * x * y * y, 2.0 * x * x * y);
    let xx = -s * ux * ux + c * 2.0 * y * y + (2.0 + 4.0 * x * x) * e;
    let xy = -s * ux * uy + c * 4.0 * x * y;
    let yy = -s * uy * uy + c * 2.0 * x * x;
    [[xx, xy], [xy, yy]]
}

/// `erf(x y) + x`: the runtime's `erf`, through its dual `erf_vjp`.
#[differentiable(hessian)]
fn error_function(x: f64, y: f64) -> f64 {
    tapeless::math::erf(x * y) + x
}

fn error_function_analytic(x: f64, y: f64) -> [[f64; 2]; 2] {
    let z = x * y;
    let d = 2.0 / std::f64::consts::PI.sqrt() * (-z * z).exp();
    let dd = -2.0 * z * d;
    [[y * y * dd, d + z * dd], [d + z * dd, x * x * dd]]
}

#[test]
fn calls_of_floats() {
    for (x, y, v) in [(0.7, 1.3, [1.0, -0.5]), (-1.2, 0.4, [0.25, 2.0]), (1.5, -0.6, [0.0, 1.0])] {
        check_pair(
            "chained",
            Pair {
                hvp: &chained_hvp,
                grad: &chained_grad,
                hessian: &chained_hessian,
                jvp: &chained_jvp,
                copy: &|a, b| __tapeless_chained_grad_dual(a, b).1,
            },
            (x, y),
            v,
            chained_analytic(x, y),
        );
        check_pair(
            "rules_of_calls",
            Pair {
                hvp: &rules_of_calls_hvp,
                grad: &rules_of_calls_grad,
                hessian: &rules_of_calls_hessian,
                jvp: &rules_of_calls_jvp,
                copy: &|a, b| __tapeless_rules_of_calls_grad_dual(a, b).1,
            },
            (x, y),
            v,
            rules_of_calls_analytic(x, y),
        );
        check_pair(
            "error_function",
            Pair {
                hvp: &error_function_hvp,
                grad: &error_function_grad,
                hessian: &error_function_hessian,
                jvp: &error_function_jvp,
                copy: &|a, b| __tapeless_error_function_grad_dual(a, b).1,
            },
            (x, y),
            v,
            error_function_analytic(x, y),
        );
    }
}

/// The generated items of a function of a float and a slice, `f(x: f64, v: &[f64])`.
// (Each field is a generated item's signature, spelled out.)
#[allow(clippy::type_complexity)]
struct Mixed {
    hvp: fn(f64, &[f64], f64, Vec<f64>) -> (f64, (f64, Vec<f64>), (f64, Vec<f64>)),
    grad: fn(f64, &[f64]) -> (f64, (f64, Vec<f64>)),
    hessian: fn(f64, &[f64]) -> (f64, (f64, Vec<f64>), tapeless::__private::nalgebra::DMatrix<f64>),
    jvp: fn(f64, &[f64], f64, Vec<f64>) -> (f64, f64),
    /// The dual copy of `_grad`.
    copy: fn(Dual<f64>, &[Dual<f64>]) -> (Dual<f64>, (Dual<f64>, Vec<Dual<f64>>)),
}

/// [`check_slice`] of a function of a float and a slice as one of the slice `(x, v..)`, at `p`
/// along `d`.
fn check_mixed(name: &str, f: Mixed, p: &[f64], d: &[f64], analytic: fn(f64, &[f64]) -> Vec<Vec<f64>>) {
    let joined = |head: f64, tail: Vec<f64>| [vec![head], tail].concat();
    check_slice(
        name,
        Slice {
            hvp: &|p, d| {
                let (value, (gx, gv), (hx, hv)) = (f.hvp)(p[0], &p[1..], d[0], d[1..].to_vec());
                (value, joined(gx, gv), joined(hx, hv))
            },
            grad: &|p| {
                let (value, (gx, gv)) = (f.grad)(p[0], &p[1..]);
                (value, joined(gx, gv))
            },
            hessian: &|p| {
                let (value, (gx, gv), h) = (f.hessian)(p[0], &p[1..]);
                (value, joined(gx, gv), h)
            },
            jvp: &|p, d| (f.jvp)(p[0], &p[1..], d[0], d[1..].to_vec()),
            copy: &|p| {
                let (gx, gv) = (f.copy)(p[0], &p[1..]).1;
                [vec![gx], gv].concat()
            },
        },
        p,
        d,
        &analytic(p[0], &p[1..]),
    );
}

#[test]
fn calls_of_slices_and_local_arrays() {
    let points: [(&[f64], &[f64]); 2] = [
        (&[0.8, 0.5, -1.2, 0.9, -0.3], &[1.0, 0.5, -0.25, 2.0, 0.7]),
        (&[-1.1, 0.4, 1.3], &[0.3, -1.0, 0.6]),
    ];
    for (p, d) in points {
        let slices = Mixed {
            hvp: slices_hvp,
            grad: slices_grad,
            hessian: slices_hessian,
            jvp: slices_jvp,
            copy: __tapeless_slices_grad_dual,
        };
        check_mixed("slices", slices, p, d, slices_analytic);
        let pieces = Mixed {
            hvp: pieces_hvp,
            grad: pieces_grad,
            hessian: pieces_hessian,
            jvp: pieces_jvp,
            copy: __tapeless_pieces_grad_dual,
        };
        check_mixed("pieces", pieces, p, d, pieces_analytic);
        let in_loop = Mixed {
            hvp: in_loop_hvp,
            grad: in_loop_grad,
            hessian: in_loop_hessian,
            jvp: in_loop_jvp,
            copy: __tapeless_in_loop_grad_dual,
        };
        check_mixed("in_loop", in_loop, p, d, in_loop_analytic);
    }
}
