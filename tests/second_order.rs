//! `#[differentiable(hessian)]`: every `_hvp` and `_hessian` against an analytic Hessian and
//! against central differences of the generated `_grad`, at three points or more; Hessians
//! symmetric; `_hvp` equal to `H v`; value and gradient equal to `_grad`'s. Generic functions,
//! methods, derived structs, constants and composed calls are in `second_order_composed.rs`.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod common;

use common::functions::{black_scholes, black_scholes_grad, black_scholes_hessian, black_scholes_hvp};
use common::second_order::check;
use common::{close, direction};
use nalgebra::DMatrix;
use tapeless::{differentiable, piecewise};

/// [`check`] of a function of two floats, through its generated items.
macro_rules! check_two {
    ($f:ident, $grad:ident, $hessian:ident, $hvp:ident, [$a:expr, $b:expr], $exact:expr) => {
        check(
            stringify!($f),
            &[$a, $b],
            &|p| $f(p[0], p[1]),
            &|p| {
                let (v, g) = $grad(p[0], p[1]);
                (v, vec![g.0, g.1])
            },
            &|p| {
                let (v, g, h) = $hessian(p[0], p[1]);
                (v, vec![g.0, g.1], h)
            },
            &|p, v| {
                let (y, g, hv) = $hvp(p[0], p[1], v[0], v[1]);
                (y, vec![g.0, g.1], vec![hv.0, hv.1])
            },
            $exact,
            1e-6,
        )
    };
}

// ---- A quadratic form with a non-symmetric matrix: H = A + Aᵀ exactly.

const A: [[f64; 3]; 3] = [[2.0, -1.0, 0.5], [3.0, 1.0, 0.0], [-2.0, 4.0, 5.0]];

#[differentiable(hessian)]
fn quadratic(x: &[f64; 3]) -> f64 {
    let mut s = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            s += x[i] * A[i][j] * x[j];
        }
    }
    s
}

#[test]
fn quadratic_form_gives_a_plus_a_transpose() {
    let exact = DMatrix::from_fn(3, 3, |i, j| A[i][j] + A[j][i]);
    for x in [[1.0, 2.0, 3.0], [-0.5, 0.25, 4.0], [0.0, 0.0, 0.0]] {
        let (_, _, h) = quadratic_hessian(&x);
        assert_eq!(h, exact, "exact for a quadratic form");
        check(
            "quadratic",
            &x,
            &|x| quadratic(&[x[0], x[1], x[2]]),
            &|x| {
                let (v, g) = quadratic_grad(&[x[0], x[1], x[2]]);
                (v, g.to_vec())
            },
            &|x| {
                let (v, g, h) = quadratic_hessian(&[x[0], x[1], x[2]]);
                (v, g.to_vec(), h)
            },
            &|x, v| {
                let (y, g, hv) = quadratic_hvp(&[x[0], x[1], x[2]], [v[0], v[1], v[2]]);
                (y, g.to_vec(), hv.to_vec())
            },
            &exact,
            1e-7,
        );
    }
}

// ---- Rosenbrock: tridiagonal Hessian.

#[differentiable(hessian)]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

fn rosenbrock_hessian_exact(x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    let mut h = DMatrix::zeros(n, n);
    for i in 0..n - 1 {
        h[(i, i)] += 1200.0 * x[i] * x[i] - 400.0 * x[i + 1] + 2.0;
        h[(i + 1, i + 1)] += 200.0;
        h[(i, i + 1)] -= 400.0 * x[i];
        h[(i + 1, i)] -= 400.0 * x[i];
    }
    h
}

#[test]
fn rosenbrock_n2_and_n100_are_tridiagonal() {
    for n in [2, 100] {
        for salt in [3, 4, 5] {
            let x: Vec<f64> = direction(n, salt).iter().map(|d| 1.5 * d).collect();
            check(
                &format!("rosenbrock n={n}"),
                &x,
                &rosenbrock,
                &rosenbrock_grad,
                &rosenbrock_hessian,
                &|x, v| rosenbrock_hvp(x, v.to_vec()),
                &rosenbrock_hessian_exact(&x),
                1e-6,
            );
        }
    }
}

// ---- Logistic regression: H = Xᵀ diag(σ(1-σ)) X / m + λ I.

const ROWS: usize = 6;
const COLS: usize = 3;

#[differentiable(hessian, wrt(w))]
fn logistic_loss(w: &[f64], data: &[f64], labels: &[f64], lambda: f64) -> f64 {
    let mut loss = 0.0;
    for r in 0..labels.len() {
        let mut z = 0.0;
        for c in 0..w.len() {
            z += data[r * w.len() + c] * w[c];
        }
        // log(1 + e^z) - y z, written stably for either sign of z.
        let softplus = if piecewise(z > 0.0) { z + (-z).exp().ln_1p() } else { z.exp().ln_1p() };
        loss += softplus - labels[r] * z;
    }
    let mut norm = 0.0;
    for c in 0..w.len() {
        norm += w[c] * w[c];
    }
    loss / labels.len() as f64 + 0.5 * lambda * norm
}

#[test]
fn logistic_regression_hessian_is_x_t_d_x() {
    let data: Vec<f64> = direction(ROWS * COLS, 7).iter().map(|d| 2.0 * d).collect();
    let labels: Vec<f64> = direction(ROWS, 8).iter().map(|d| if *d > 0.0 { 1.0 } else { 0.0 }).collect();
    let lambda = 0.1;
    for salt in [9, 10, 11] {
        let w = direction(COLS, salt);
        let mut exact = DMatrix::identity(COLS, COLS) * lambda;
        for r in 0..ROWS {
            let z: f64 = (0..COLS).map(|c| data[r * COLS + c] * w[c]).sum();
            let s = 1.0 / (1.0 + (-z).exp());
            for i in 0..COLS {
                for j in 0..COLS {
                    exact[(i, j)] += data[r * COLS + i] * s * (1.0 - s) * data[r * COLS + j] / ROWS as f64;
                }
            }
        }
        check(
            "logistic",
            &w,
            &|w| logistic_loss(w, &data, &labels, lambda),
            &|w| logistic_loss_grad(w, &data, &labels, lambda),
            &|w| logistic_loss_hessian(w, &data, &labels, lambda),
            &|w, v| logistic_loss_hvp(w, &data, &labels, lambda, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}

// ---- Several float parameters, a loop recurrence and elementary functions.

/// `x_{k+1} = a sin(x_k) + b`, ten steps from `x_0 = 0.5`, then `x_10 · e^{a b}`.
#[differentiable(hessian)]
fn recurrence(a: f64, b: f64) -> f64 {
    let mut x: f64 = 0.5;
    for _ in 0..10 {
        x = a * x.sin() + b;
    }
    x * (a * b).exp()
}

/// The recurrence with its first and second derivatives carried by hand (forward mode of
/// second order), for the analytic Hessian.
fn recurrence_exact(a: f64, b: f64) -> (f64, [f64; 2], [[f64; 2]; 2]) {
    // x and its derivatives: xa, xb, xaa, xab, xbb.
    let (mut x, mut xa, mut xb, mut xaa, mut xab, mut xbb) = (0.5_f64, 0.0, 0.0, 0.0, 0.0, 0.0);
    for _ in 0..10 {
        let (s, c) = (x.sin(), x.cos());
        let nx = a * s + b;
        let nxa = s + a * c * xa;
        let nxb = a * c * xb + 1.0;
        let nxaa = 2.0 * c * xa + a * (-s * xa * xa + c * xaa);
        let nxab = c * xb + a * (-s * xa * xb + c * xab);
        let nxbb = a * (-s * xb * xb + c * xbb);
        (x, xa, xb, xaa, xab, xbb) = (nx, nxa, nxb, nxaa, nxab, nxbb);
    }
    let e = (a * b).exp();
    let (ea, eb, eaa, eab, ebb) = (b * e, a * e, b * b * e, e + a * b * e, a * a * e);
    let f = x * e;
    let g = [xa * e + x * ea, xb * e + x * eb];
    let h = [
        [xaa * e + 2.0 * xa * ea + x * eaa, xab * e + xa * eb + xb * ea + x * eab],
        [xab * e + xa * eb + xb * ea + x * eab, xbb * e + 2.0 * xb * eb + x * ebb],
    ];
    (f, g, h)
}

#[test]
fn recurrence_of_two_floats() {
    for (a, b) in [(0.9, 0.3), (-0.4, 1.2), (1.3, -0.7)] {
        let (f, g, h) = recurrence_exact(a, b);
        let exact = DMatrix::from_fn(2, 2, |i, j| h[i][j]);
        let (value, gradient, _) = recurrence_hessian(a, b);
        assert!(close(value, f, 1e-14) && close(gradient.0, g[0], 1e-12) && close(gradient.1, g[1], 1e-12));
        check_two!(recurrence, recurrence_grad, recurrence_hessian, recurrence_hvp, [a, b], &exact);
    }
}

// ---- Kinks carry their first-order convention: the second derivative of the branch that runs.

#[differentiable(hessian)]
fn kinked(x: f64, y: f64) -> f64 {
    (x * y).abs()
        + x.max(y).powi(2)
        + (x - 2.0 * y).clamp(-1.0, 1.0).powi(3)
        + (x * x).copysign(y)
        + x.midpoint(y * y)
}

#[test]
fn kinks_take_the_branch_that_runs() {
    for (x, y) in [(0.7_f64, 0.2_f64), (-0.3, 0.9), (1.5, -0.4)] {
        let s = (x * y).signum();
        let c = x - 2.0 * y;
        let inside = c.abs() < 1.0;
        // |xy|: second derivative s (cross term only); max(x, y)^2: 2 on the larger's diagonal;
        // clamp(c)^3: 6c (1, -2)(1, -2)ᵀ inside, 0 outside.
        let mut exact = DMatrix::from_row_slice(2, 2, &[0.0, s, s, 0.0]);
        let k = if x > y { 0 } else { 1 };
        exact[(k, k)] += 2.0;
        // x² with y's sign: 2 sgn(y) on x's diagonal; (x + y²) / 2: 1 on y's.
        exact[(0, 0)] += 2.0 * y.signum();
        exact[(1, 1)] += 1.0;
        if inside {
            exact += DMatrix::from_row_slice(2, 2, &[6.0 * c, -12.0 * c, -12.0 * c, 24.0 * c]);
        }
        check_two!(kinked, kinked_grad, kinked_hessian, kinked_hvp, [x, y], &exact);
    }
}

// ---- Black-Scholes: gamma, vanna and volga against their closed forms.

// F6 of the benchmarks (`common::functions`), which carries `hessian`.

#[test]
fn black_scholes_gamma_vanna_volga() {
    let pdf = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let grad = |p: &[f64]| {
        let (_, g) = black_scholes_grad(p[0], p[1], p[2], p[3], p[4]);
        [g.0, g.1, g.2, g.3, g.4]
    };
    for p in
        [[100.0_f64, 95.0, 0.5, 0.03, 0.2], [80.0, 100.0, 2.0, 0.01, 0.35], [120.0, 110.0, 0.25, 0.05, 0.15]]
    {
        let [s, k, t, r, sigma] = p;
        let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
        let d2 = d1 - sigma * t.sqrt();
        let gamma = pdf(d1) / (s * sigma * t.sqrt());
        let vanna = -pdf(d1) * d2 / sigma;
        let volga = s * pdf(d1) * t.sqrt() * d1 * d2 / sigma;
        let (value, gradient, h) = black_scholes_hessian(s, k, t, r, sigma);
        assert_eq!((value, gradient), black_scholes_grad(s, k, t, r, sigma));
        assert_eq!(value, black_scholes(s, k, t, r, sigma));
        assert!(close(h[(0, 0)], gamma, 1e-12), "gamma {} vs {gamma}", h[(0, 0)]);
        assert!(close(h[(0, 4)], vanna, 1e-12), "vanna {} vs {vanna}", h[(0, 4)]);
        assert!(close(h[(4, 4)], volga, 1e-12), "volga {} vs {volga}", h[(4, 4)]);
        // Every entry against central differences of the gradient, and symmetry.
        for i in 0..5 {
            let step = 1e-5 * p[i].abs();
            let at = |d: f64| {
                let mut q = p;
                q[i] += d;
                grad(&q)
            };
            let (up, down, up2, down2) = (at(step), at(-step), at(step / 2.0), at(-step / 2.0));
            for j in 0..5 {
                let fd = (4.0 * (up2[j] - down2[j]) / step - (up[j] - down[j]) / (2.0 * step)) / 3.0;
                assert!(close(h[(j, i)], fd, 1e-6), "H[{j},{i}] = {} vs central differences {fd}", h[(j, i)]);
                assert!((h[(i, j)] - h[(j, i)]).abs() <= 1e-12 * h[(i, j)].abs().max(1e-300));
            }
        }
        let (_, _, hv) = black_scholes_hvp(s, k, t, r, sigma, 1.0, 0.0, 0.0, 0.0, 0.0);
        assert!(close(hv.0, gamma, 1e-12) && close(hv.4, vanna, 1e-12));
    }
}

// ---- A slice and a float: the inputs numbered in parameter order.

#[differentiable(hessian)]
fn mixed(x: &[f64], t: f64) -> f64 {
    let mut s = 0.0;
    for v in x {
        s += v * v;
    }
    t * s + t.powi(3) * x[0]
}

#[test]
fn a_slice_and_a_float_together() {
    for (x, t) in [(vec![0.5, -1.0, 2.0], 0.7), (vec![1.5, 0.25], -1.2), (vec![-0.3, 0.8, 0.1, 1.1], 2.0)] {
        let n = x.len();
        let exact = DMatrix::from_fn(n + 1, n + 1, |i, j| match (i == n, j == n) {
            (false, false) => {
                if i == j {
                    2.0 * t
                } else {
                    0.0
                }
            }
            (true, true) => 6.0 * t * x[0],
            (false, true) => 2.0 * x[i] + if i == 0 { 3.0 * t * t } else { 0.0 },
            (true, false) => 2.0 * x[j] + if j == 0 { 3.0 * t * t } else { 0.0 },
        });
        let split = |p: &[f64]| (p[..p.len() - 1].to_vec(), p[p.len() - 1]);
        let mut point = x.clone();
        point.push(t);
        check(
            "mixed",
            &point,
            &|p| mixed(&split(p).0, split(p).1),
            &|p| {
                let (x, t) = split(p);
                let (v, (gx, gt)) = mixed_grad(&x, t);
                (v, [gx, vec![gt]].concat())
            },
            &|p| {
                let (x, t) = split(p);
                let (v, (gx, gt), h) = mixed_hessian(&x, t);
                (v, [gx, vec![gt]].concat(), h)
            },
            &|p, d| {
                let (x, t) = split(p);
                let (dx, dt) = split(d);
                let (v, (gx, gt), (hx, ht)) = mixed_hvp(&x, t, dx, dt);
                (v, [gx, vec![gt]].concat(), [hx, vec![ht]].concat())
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Composition: a `hessian` function calling another through its dual `_vjp`.

#[differentiable(hessian)]
fn pair_energy(a: f64, b: f64) -> f64 {
    (a * b).sin() + a.exp() * b
}

#[differentiable(hessian)]
fn chain_energy(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += pair_energy(x[i], x[i + 1]);
    }
    s + tapeless::math::erf(x[0])
}

#[test]
fn composed_calls_carry_their_second_order() {
    for x in [vec![0.3_f64, -0.5, 0.8], vec![1.1, 0.2, -0.4, 0.6], vec![-0.7, 0.9]] {
        let n = x.len();
        // Each pair (a, b) = (x[i], x[i+1]) adds its 2x2 Hessian; erf adds -2x erf'(x) at x[0].
        let mut exact = DMatrix::zeros(n, n);
        for i in 0..n - 1 {
            let (a, b) = (x[i], x[i + 1]);
            let (s, c) = ((a * b).sin(), (a * b).cos());
            exact[(i, i)] += -b * b * s + a.exp() * b;
            exact[(i + 1, i + 1)] += -a * a * s;
            let cross = c - a * b * s + a.exp();
            exact[(i, i + 1)] += cross;
            exact[(i + 1, i)] += cross;
        }
        let d = 2.0 / std::f64::consts::PI.sqrt() * (-x[0] * x[0]).exp();
        exact[(0, 0)] += -2.0 * x[0] * d;
        check(
            "chain_energy",
            &x,
            &chain_energy,
            &chain_energy_grad,
            &chain_energy_hessian,
            &|p, v| chain_energy_hvp(p, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}
