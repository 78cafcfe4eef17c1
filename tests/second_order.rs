//! `#[differentiable(hessian)]`: every `_hvp` and `_hessian` against an analytic Hessian and
//! against central differences of the generated `_grad`, at three points or more; Hessians
//! symmetric; `_hvp` equal to `H v`; value and gradient equal to `_grad`'s.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod common;

use common::functions::{black_scholes, black_scholes_grad, black_scholes_hessian, black_scholes_hvp};
use common::{close, direction};
use nalgebra::DMatrix;
use tapeless::{differentiable, no_grad, piecewise};

/// Checks `hessian` (value, gradient, H) and `hvp` at `x` against `grad`, central differences
/// of `grad` and the analytic `exact` Hessian.
#[allow(clippy::too_many_arguments)]
fn check(
    name: &str,
    x: &[f64],
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    hessian: &dyn Fn(&[f64]) -> (f64, Vec<f64>, DMatrix<f64>),
    hvp: &dyn Fn(&[f64], &[f64]) -> (f64, Vec<f64>, Vec<f64>),
    exact: &DMatrix<f64>,
    tol: f64,
) {
    let n = x.len();
    let (value, gradient) = grad(x);
    assert_eq!(value, f(x), "{name}: value of the primal");
    let (hv_value, hv_gradient, h) = hessian(x);
    assert_eq!((h.nrows(), h.ncols()), (n, n), "{name}: size");
    assert_eq!(hv_value, value, "{name}: value");
    assert_eq!(hv_gradient, gradient, "{name}: gradient");
    for i in 0..n {
        for j in 0..n {
            assert!(
                close(h[(i, j)], exact[(i, j)], 1e-12),
                "{name}: H[{i},{j}] = {} vs analytic {}",
                h[(i, j)],
                exact[(i, j)]
            );
            assert!(
                (h[(i, j)] - h[(j, i)]).abs() <= 1e-12 * h[(i, j)].abs().max(1e-300),
                "{name}: H not symmetric at {i},{j}"
            );
        }
        // Column i by central differences of the gradient.
        let step = 1e-5 * x[i].abs().max(1.0);
        let at = |d: f64| {
            let mut p = x.to_vec();
            p[i] += d;
            grad(&p).1
        };
        let (up, down, up2, down2) = (at(step), at(-step), at(step / 2.0), at(-step / 2.0));
        for j in 0..n {
            let coarse = (up[j] - down[j]) / (2.0 * step);
            let fine = (up2[j] - down2[j]) / step;
            let fd = (4.0 * fine - coarse) / 3.0;
            assert!(
                close(h[(j, i)], fd, tol),
                "{name}: H[{j},{i}] = {} vs central differences {fd}",
                h[(j, i)]
            );
        }
    }
    // H v along two random directions, and the gradient it returns.
    for salt in [1, 2] {
        let v = direction(n, salt);
        let (hvp_value, hvp_gradient, hv) = hvp(x, &v);
        assert_eq!((hvp_value, &hvp_gradient), (value, &gradient), "{name}: hvp's value and gradient");
        let expected = exact * nalgebra::DVector::from_column_slice(&v);
        for j in 0..n {
            assert!(close(hv[j], expected[j], 1e-11), "{name}: (Hv)[{j}] = {} vs {}", hv[j], expected[j]);
        }
    }
}

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

// ---- Generic over `T: Float`: the generated `_grad` itself runs at `Dual<f64>`.

use num_traits::{Float, FloatConst, FromPrimitive};

/// Ackley-like: `-a e^(-b sqrt(mean x²)) - e^(mean cos(2π x)) + a + e`, written as generic
/// numeric crates write it.
#[differentiable(hessian)]
fn ackley<T: Float + FromPrimitive + FloatConst + std::iter::Sum>(x: &[T]) -> T {
    let n = T::from_usize(x.len()).unwrap();
    let (a, b) = (T::from_f64(20.0).unwrap(), T::from_f64(0.2).unwrap());
    let two_pi = T::from_f64(2.0).unwrap() * T::PI();
    let squares = x.iter().map(|&v| v * v).sum::<T>() / n;
    let cosines = x.iter().map(|&v| (two_pi * v).cos()).sum::<T>() / n;
    -a * (-b * squares.sqrt()).exp() - cosines.exp() + a + T::E()
}

#[test]
fn a_generic_function_at_dual_numbers() {
    for x in [vec![0.3, -0.7, 1.1], vec![1.5, 0.25], vec![-0.4, 0.9, 0.2, -1.3]] {
        let n = x.len() as f64;
        // Analytic Hessian: with r = sqrt(mean x²), A(x) = -a e^(-b r) and C(x) = -e^(mean cos 2πx).
        let (a, b, w) = (20.0_f64, 0.2_f64, 2.0 * std::f64::consts::PI);
        let r = (x.iter().map(|v| v * v).sum::<f64>() / n).sqrt();
        let m = x.iter().map(|v| (w * v).cos()).sum::<f64>() / n;
        let ea = a * (-b * r).exp();
        let exact = DMatrix::from_fn(x.len(), x.len(), |i, j| {
            // ∂r/∂x_i = x_i / (n r), ∂²r/∂x_i∂x_j = δ_ij / (n r) - x_i x_j / (n² r³).
            let (ri, rj) = (x[i] / (n * r), x[j] / (n * r));
            let rij = if i == j { 1.0 / (n * r) } else { 0.0 } - x[i] * x[j] / (n * n * r * r * r);
            let ackley_part = ea * b * rij - ea * b * b * ri * rj;
            // ∂m/∂x_i = -w sin(w x_i) / n, ∂²m/∂x_i² = -w² cos(w x_i) / n.
            let (mi, mj) = (-w * (w * x[i]).sin() / n, -w * (w * x[j]).sin() / n);
            let mij = if i == j { -w * w * (w * x[i]).cos() / n } else { 0.0 };
            ackley_part - m.exp() * (mij + mi * mj)
        });
        check(
            "ackley",
            &x,
            &ackley,
            &ackley_grad,
            &ackley_hessian,
            &|p, v| ackley_hvp(p, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}

// ---- A method reading `self` as a constant.

struct Chain {
    k: f64,
    rest: [f64; 2],
}

impl Chain {
    /// Springs between neighbours with rest lengths from `self`, plus a quartic term.
    #[differentiable(hessian, wrt(x))]
    fn energy(&self, x: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..x.len() - 1 {
            let stretch = x[i + 1] - x[i] - self.rest[i % 2];
            e += 0.5 * self.k * stretch * stretch + 0.1 * stretch.powi(4);
        }
        e
    }
}

#[test]
fn a_method_with_a_constant_receiver() {
    let chain = Chain { k: 2.0, rest: [1.0, 0.5] };
    for x in [vec![0.0, 1.2, 1.5], vec![0.3, 1.0, 2.2, 2.4], vec![-0.5, 0.9]] {
        let n = x.len();
        let mut exact = DMatrix::zeros(n, n);
        for i in 0..n - 1 {
            let s: f64 = x[i + 1] - x[i] - chain.rest[i % 2];
            let c = chain.k + 1.2 * s * s;
            exact[(i, i)] += c;
            exact[(i + 1, i + 1)] += c;
            exact[(i, i + 1)] -= c;
            exact[(i + 1, i)] -= c;
        }
        check(
            "chain",
            &x,
            &|p| chain.energy(p),
            &|p| chain.energy_grad(p),
            &|p| chain.energy_hessian(p),
            &|p, v| chain.energy_hvp(p, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}

impl Chain {
    /// One spring's energy, composed by `total` through its `_vjp_for_hessian`.
    #[differentiable(hessian, wrt(s))]
    fn spring(&self, s: f64) -> f64 {
        0.5 * self.k * s * s + 0.1 * s.powi(4)
    }

    #[differentiable(hessian, wrt(x))]
    fn total(&self, x: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..x.len() - 1 {
            e += self.spring(x[i + 1] - x[i] - self.rest[i % 2]);
        }
        e
    }
}

#[test]
fn a_method_composing_a_method() {
    let chain = Chain { k: 2.0, rest: [1.0, 0.5] };
    for x in [vec![0.0, 1.2, 1.5], vec![0.3, 1.0, 2.2, 2.4]] {
        let (value, gradient, h) = chain.total_hessian(&x);
        let (expected_value, expected_gradient, expected) = chain.energy_hessian(&x);
        assert_eq!(value, expected_value);
        assert_eq!(value, chain.total(&x));
        let s = x[1] - x[0] - chain.rest[0];
        assert_eq!(chain.spring_grad(s).0, chain.spring(s));
        for (a, b) in gradient.iter().zip(&expected_gradient) {
            assert!(close(*a, *b, 1e-14));
        }
        for (a, b) in h.iter().zip(expected.iter()) {
            assert!(close(*a, *b, 1e-14), "composed {a} vs inline {b}");
        }
    }
}

// ---- A derived-struct loss: a linear model's parameters in a struct.

#[derive(Clone, Debug, PartialEq, tapeless::Differentiable)]
struct Linear {
    w: Vec<f64>,
    b: f64,
}

/// A smooth regression loss: `Σ log cosh(w·x_r + b - y_r) + 0.05 |w|²`.
#[differentiable(hessian, wrt(p))]
fn linear_loss(p: &Linear, data: &[f64], labels: &[f64]) -> f64 {
    let d = p.w.len();
    let mut loss = 0.0;
    for r in 0..labels.len() {
        let mut z = p.b - labels[r];
        for c in 0..d {
            z += p.w[c] * data[r * d + c];
        }
        loss += z.cosh().ln();
    }
    let mut norm = 0.0;
    for c in 0..d {
        norm += p.w[c] * p.w[c];
    }
    loss + 0.05 * norm
}

#[test]
fn a_derived_struct_loss() {
    let (rows, d) = (7, 3);
    let data: Vec<f64> = direction(rows * d, 21).iter().map(|v| 1.5 * v).collect();
    let labels = direction(rows, 22);
    for salt in [23, 24, 25] {
        let p = Linear { w: direction(d, salt), b: 0.3 * direction(1, salt + 10)[0] };
        // H over (w, b): Σ sech²(z) [x; 1][x; 1]ᵀ + 0.1 on w's diagonal.
        let mut exact = DMatrix::zeros(d + 1, d + 1);
        for r in 0..rows {
            let z: f64 = p.b - labels[r] + (0..d).map(|c| p.w[c] * data[r * d + c]).sum::<f64>();
            let s = 1.0 / z.cosh().powi(2);
            let x: Vec<f64> = (0..d).map(|c| data[r * d + c]).chain([1.0]).collect();
            for i in 0..=d {
                for j in 0..=d {
                    exact[(i, j)] += s * x[i] * x[j];
                }
            }
        }
        for c in 0..d {
            exact[(c, c)] += 0.1;
        }
        let to = |q: &[f64]| Linear { w: q[..d].to_vec(), b: q[d] };
        let flat = |l: &Linear| [l.w.clone(), vec![l.b]].concat();
        let mut point = p.w.clone();
        point.push(p.b);
        check(
            "linear_loss",
            &point,
            &|q| linear_loss(&to(q), &data, &labels),
            &|q| {
                let (v, g) = linear_loss_grad(&to(q), &data, &labels);
                (v, flat(&g))
            },
            &|q| {
                let (v, g, h) = linear_loss_hessian(&to(q), &data, &labels);
                (v, flat(&g), h)
            },
            &|q, v| {
                let (y, g, hv) = linear_loss_hvp(&to(q), &data, &labels, to(v));
                (y, flat(&g), flat(&hv))
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Constants of every kind in a dual copy: a `const` table, `f64::from`, `to_bits`, `f64`
// constants, `sin_cos`, `no_grad`, integer casts.

const TABLE: [f64; 3] = [0.5, 1.5, 2.5];

#[differentiable(hessian)]
fn constants(x: f64, y: f64, n: usize) -> f64 {
    let c = 0.75_f64;
    let bits = c.to_bits() % 7;
    let sgn = -c;
    let (s, co) = y.sin_cos();
    let k = f64::from(3u8) + n as f64 + bits as f64;
    let m = x.mul_add(y, 1.0) + x.exp_m1() + no_grad(y).rem_euclid(2.0);
    let t = TABLE[n % 3] * x.clamp(-1.0, 1.0) + no_grad(x.floor());
    if c.is_finite() && no_grad(x).is_sign_positive() {
        m * k * sgn + s * co + t + f64::EPSILON + f64::max(x, -5.0)
    } else {
        m
    }
}

#[test]
fn constants_of_every_kind() {
    for (x, y) in [(0.4_f64, 0.3_f64), (0.7, -0.9), (0.1, 1.4)] {
        let k = 3.0 + 2.0 + (0.75_f64.to_bits() % 7) as f64;
        let sgn = -0.75;
        // m k sgn + sin(2y)/2 + 2.5 x + max(x, -5) (= x here): H = [[k sgn e^x, k sgn], [k sgn, -2 sin 2y]].
        let exact =
            DMatrix::from_row_slice(2, 2, &[k * sgn * x.exp(), k * sgn, k * sgn, -2.0 * (2.0 * y).sin()]);
        check(
            "constants",
            &[x, y],
            &|p| constants(p[0], p[1], 2),
            &|p| {
                let (v, g) = constants_grad(p[0], p[1], 2);
                (v, vec![g.0, g.1])
            },
            &|p| {
                let (v, g, h) = constants_hessian(p[0], p[1], 2);
                (v, vec![g.0, g.1], h)
            },
            &|p, v| {
                let (r, g, hv) = constants_hvp(p[0], p[1], 2, v[0], v[1]);
                (r, vec![g.0, g.1], vec![hv.0, hv.1])
            },
            &exact,
            1e-6,
        );
    }
}

/// A `const` in the body, an array repeat and a collected `Vec`.
#[differentiable(hessian)]
fn inner_items(x: f64) -> f64 {
    const K: f64 = 2.0;
    let arr = [0.5; 3];
    let v: Vec<f64> = arr.iter().map(|a| a * x).collect();
    K * x.powf(2.5) + v[1] * x + std::f64::consts::PI * x.max(0.0)
}

#[test]
fn items_in_the_body_stay_constants() {
    for x in [0.7_f64, 1.3, 2.2] {
        let exact = DMatrix::from_element(1, 1, 7.5 * x.sqrt() + 1.0);
        check(
            "inner_items",
            &[x],
            &|p| inner_items(p[0]),
            &|p| {
                let (v, g) = inner_items_grad(p[0]);
                (v, vec![g])
            },
            &|p| {
                let (v, g, h) = inner_items_hessian(p[0]);
                (v, vec![g], h)
            },
            &|p, d| {
                let (v, g, hv) = inner_items_hvp(p[0], d[0]);
                (v, vec![g], vec![hv])
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Calls on constants whose arguments are themselves such calls: the dual copy passes the
// inner result (a value of unknown kind, promoted) back as `f64`, and an integer result too.

fn offset(a: f64, b: f64) -> f64 {
    a * b + a.sin()
}

fn count(a: f64) -> usize {
    a as usize + 2
}

fn half(k: usize) -> f64 {
    k as f64 * 0.5
}

#[differentiable(hessian, wrt(x, y))]
fn nested_constant_calls(x: f64, y: f64, n: usize) -> f64 {
    let k = offset(0.1, 0.2).exp();
    let c = if n > 2 { offset(offset(-0.75_f64, -0.25_f64), 0.5) } else { 1.0 };
    x * x * c + x * y * k + y * y * half(count(1.5))
}

#[test]
fn calls_on_constants_nest() {
    let c = offset(offset(-0.75, -0.25), 0.5);
    let k = offset(0.1, 0.2).exp();
    let s = half(count(1.5));
    // c x² + k x y + s y²: H = [[2c, k], [k, 2s]].
    let exact = DMatrix::from_row_slice(2, 2, &[2.0 * c, k, k, 2.0 * s]);
    for (x, y) in [(0.3_f64, -0.4_f64), (1.2, 0.8), (-0.6, 2.0)] {
        let (value, (gx, gy)) = nested_constant_calls_grad(x, y, 3);
        assert!(close(gx, 2.0 * c * x + k * y, 1e-13) && close(gy, k * x + 2.0 * s * y, 1e-13));
        // Forward against reverse along (0.6, -1.1).
        let (jv_value, jv) = nested_constant_calls_jvp(x, y, 3, 0.6, -1.1);
        assert_eq!(jv_value, value);
        assert!(close(jv, 0.6 * gx - 1.1 * gy, 1e-13), "jvp {jv}");
        check(
            "nested_constant_calls",
            &[x, y],
            &|p| nested_constant_calls(p[0], p[1], 3),
            &|p| {
                let (v, g) = nested_constant_calls_grad(p[0], p[1], 3);
                (v, vec![g.0, g.1])
            },
            &|p| {
                let (v, g, h) = nested_constant_calls_hessian(p[0], p[1], 3);
                (v, vec![g.0, g.1], h)
            },
            &|p, d| {
                let (v, g, hv) = nested_constant_calls_hvp(p[0], p[1], 3, d[0], d[1]);
                (v, vec![g.0, g.1], vec![hv.0, hv.1])
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Composed calls whose pullback the reverse sweep makes again (`g(&local)`): the dual copy
// takes the call's value from the callee's dual `_vjp`.

/// `a(w, c) = Σ c_i w_i² + sin w_i`, failing on no data.
#[differentiable(hessian, wrt(w))]
fn borrowed_inner(w: &[f64], c: &[f64]) -> Result<f64, String> {
    if c.is_empty() {
        return Err("no data".to_string());
    }
    Ok(w.iter().zip(c).map(|(a, b)| a * a * b + a.sin()).sum())
}

/// `a(w, 2c) w₀ + a(w, c)`, both calls on borrowed locals.
#[differentiable(hessian, wrt(w))]
fn borrowed_outer(w: &[f64], c: Vec<f64>) -> Result<f64, String> {
    let doubled: Vec<f64> = c.iter().map(|v| v * 2.0).collect();
    let a = borrowed_inner(w, &doubled)?;
    Ok(a * w[0] + borrowed_inner(w, &c)?)
}

/// A scaled sum of `cosh(w_i c_i)`.
struct CoshSum {
    k: f64,
}

impl CoshSum {
    #[differentiable(hessian, wrt(w))]
    fn cosh_sum(&self, w: &[f64], c: &[f64]) -> f64 {
        self.k * w.iter().zip(c).map(|(a, b)| (a * b).cosh()).sum::<f64>()
    }

    /// `E(w) w₁`, the method called on a borrowed parameter.
    #[differentiable(hessian, wrt(w))]
    fn weighted(&self, w: &[f64], c: Vec<f64>) -> f64 {
        self.cosh_sum(w, &c) * w[1]
    }
}

#[test]
fn composed_calls_made_again_in_the_sweep() {
    let c = vec![0.5, 1.5, -0.3];
    // `a`'s value, gradient and diagonal Hessian at weights `c`.
    let parts = |w: &[f64], c: &[f64]| {
        let value: f64 = (0..3).map(|i| c[i] * w[i] * w[i] + w[i].sin()).sum();
        let g: Vec<f64> = (0..3).map(|i| 2.0 * c[i] * w[i] + w[i].cos()).collect();
        let h: Vec<f64> = (0..3).map(|i| 2.0 * c[i] - w[i].sin()).collect();
        (value, g, h)
    };
    for w in [vec![0.2, -0.4, 0.9], vec![1.1, 0.3, -0.6], vec![-0.8, 0.5, 0.1]] {
        let doubled: Vec<f64> = c.iter().map(|v| 2.0 * v).collect();
        let ((a, ga, ha), (_, gb, hb)) = (parts(&w, &doubled), parts(&w, &c));
        // First order: the analytic gradient, and forward against reverse.
        let (_, g) = borrowed_outer_grad(&w, c.clone()).unwrap();
        let v = [0.3, -0.9, 0.5];
        let (_, jv) = borrowed_outer_jvp(&w, c.clone(), v.to_vec()).unwrap();
        let mut gv = 0.0;
        for i in 0..3 {
            let want = ga[i] * w[0] + if i == 0 { a } else { 0.0 } + gb[i];
            assert!(close(g[i], want, 1e-13), "d/dw{i} = {} vs {want}", g[i]);
            gv += g[i] * v[i];
        }
        assert!(close(jv, gv, 1e-13), "<g, v> = {gv} by VJP, {jv} by JVP");
        let mut exact = DMatrix::zeros(3, 3);
        for i in 0..3 {
            exact[(i, i)] += ha[i] * w[0] + hb[i];
            exact[(i, 0)] += ga[i];
            exact[(0, i)] += ga[i];
        }
        check(
            "borrowed_outer",
            &w,
            &|p| borrowed_outer(p, c.clone()).unwrap(),
            &|p| borrowed_outer_grad(p, c.clone()).unwrap(),
            &|p| borrowed_outer_hessian(p, c.clone()).unwrap(),
            &|p, v| borrowed_outer_hvp(p, c.clone(), v.to_vec()).unwrap(),
            &exact,
            1e-6,
        );
        let m = CoshSum { k: 0.7 };
        let e_i: Vec<f64> = (0..3).map(|i| m.k * c[i] * (w[i] * c[i]).sinh()).collect();
        let (_, g) = m.weighted_grad(&w, c.clone());
        let (_, jv) = m.weighted_jvp(&w, c.clone(), v.to_vec());
        let energy: f64 = (0..3).map(|i| m.k * (w[i] * c[i]).cosh()).sum();
        let mut gv = 0.0;
        for i in 0..3 {
            let want = e_i[i] * w[1] + if i == 1 { energy } else { 0.0 };
            assert!(close(g[i], want, 1e-13), "d/dw{i} = {} vs {want}", g[i]);
            gv += g[i] * v[i];
        }
        assert!(close(jv, gv, 1e-13), "<g, v> = {gv} by VJP, {jv} by JVP");
        let mut exact = DMatrix::zeros(3, 3);
        for i in 0..3 {
            exact[(i, i)] += m.k * c[i] * c[i] * (w[i] * c[i]).cosh() * w[1];
            exact[(i, 1)] += e_i[i];
            exact[(1, i)] += e_i[i];
        }
        check(
            "CoshSum::weighted",
            &w,
            &|p| m.weighted(p, c.clone()),
            &|p| m.weighted_grad(p, c.clone()),
            &|p| m.weighted_hessian(p, c.clone()),
            &|p, v| m.weighted_hvp(p, c.clone(), v.to_vec()),
            &exact,
            1e-6,
        );
    }
    assert_eq!(borrowed_outer_hvp(&[0.1, 0.2, 0.3], Vec::new(), vec![1.0; 3]), Err("no data".to_string()));
}
