//! Searches by a condition (`partition_point`, `position`) whose predicate tests a
//! differentiable value, accepted when the predicate is `tapeless::piecewise(..)` or compares
//! against a `tapeless::no_grad(..)` copy; a variable declared without a value before a loop
//! that assigns it each iteration; `DVector::as_slice`; and an iteration that returns once a
//! `piecewise(..)` test of convergence holds, inside a `while` on its counter.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::DVector;
use tapeless::differentiable;

/// Linear interpolation in a table, the interval found by a binary search on `t`.
#[differentiable(hessian, wrt(t))]
fn table(knots: &[f64], values: &[f64], t: f64) -> f64 {
    let i = knots.partition_point(|&k| tapeless::piecewise(k <= t)).clamp(1, knots.len() - 1);
    let w = (t - knots[i - 1]) / (knots[i] - knots[i - 1]);
    values[i - 1] * (1.0 - w) * w + values[i] * w * w
}

/// The same table, the interval found by a linear search against a constant copy of `t`.
#[differentiable(wrt(t))]
fn table_by_copy(knots: &[f64], values: &[f64], t: f64) -> f64 {
    let t0 = tapeless::no_grad(t);
    let i = knots.iter().position(|&k| k > t0).unwrap_or(knots.len() - 1).max(1);
    let w = (t - knots[i - 1]) / (knots[i] - knots[i - 1]);
    values[i - 1] * (1.0 - w) * w + values[i] * w * w
}

/// `a (1 - w) w + b w²` with `w = (t - k0) / (k1 - k0)`: its first and second derivative in `t`.
fn table_exact(knots: &[f64], values: &[f64], t: f64) -> (f64, f64) {
    let i = knots.iter().position(|&k| k > t).unwrap_or(knots.len() - 1).max(1);
    let (a, b, h) = (values[i - 1], values[i], knots[i] - knots[i - 1]);
    let w = (t - knots[i - 1]) / h;
    ((a * (1.0 - 2.0 * w) + 2.0 * b * w) / h, (2.0 * b - 2.0 * a) / (h * h))
}

#[test]
fn a_table_searched_by_a_piecewise_predicate() {
    let knots = [0.0, 1.0, 2.5, 4.0];
    let values = [1.0, 3.0, -2.0, 5.0];
    for t in [0.4, 1.7, 3.1, 3.9] {
        let (d1, d2) = table_exact(&knots, &values, t);
        let (value, g) = table_grad(&knots, &values, t);
        assert_eq!(value, table(&knots, &values, t));
        assert!(close(g, d1, 1e-12), "t = {t}: {g} vs {d1}");
        gradient_central("table", &|p| table(&knots, &values, p[0]), &[t], &[g], 1e-8);
        let (_, tangent) = table_jvp(&knots, &values, t, 0.7);
        let (_, pullback) = table_vjp(&knots, &values, t);
        forward_against_reverse("table", tangent, &[0.7], 1.3, &[pullback(1.3)], 1e-12);
        let (_, hg, h) = table_hessian(&knots, &values, t);
        assert_eq!(hg, g);
        assert!(close(h[(0, 0)], d2, 1e-12), "t = {t}: {} vs {d2}", h[(0, 0)]);
        let fd = (table_grad(&knots, &values, t + 1e-5).1 - table_grad(&knots, &values, t - 1e-5).1) / 2e-5;
        assert!(close(h[(0, 0)], fd, 1e-6), "t = {t}: {} vs {fd}", h[(0, 0)]);
        let (_, _, hv) = table_hvp(&knots, &values, t, 2.0);
        assert!(close(hv, 2.0 * d2, 1e-12));

        let (by_copy, g_copy) = table_by_copy_grad(&knots, &values, t);
        assert_eq!((by_copy, g_copy), (value, g));
        let (_, tangent) = table_by_copy_jvp(&knots, &values, t, 1.0);
        assert!(close(tangent, g, 1e-12));
    }
}

/// The first entry above one half, doubled; `x[0]` if there is none.
#[differentiable]
fn first_above_half(x: &[f64]) -> f64 {
    let i = x.iter().position(|&v| tapeless::piecewise(v > 0.5)).unwrap_or(0);
    2.0 * x[i] + x[0] * x[x.len() - 1]
}

#[test]
fn a_position_found_by_a_piecewise_predicate() {
    for (x, found) in [(vec![0.3, 0.7, 0.9], 1), (vec![0.2, 0.1, 0.6, 0.4], 2), (vec![0.1, 0.2], 0)] {
        let n = x.len();
        let mut exact = vec![0.0; n];
        exact[found] += 2.0;
        exact[0] += x[n - 1];
        exact[n - 1] += x[0];
        let (_, g) = first_above_half_grad(&x);
        for (a, b) in g.iter().zip(&exact) {
            assert!(close(*a, *b, 1e-14), "{x:?}: {g:?} vs {exact:?}");
        }
        gradient_central("first_above_half", &|p| first_above_half(p), &x, &g, 1e-8);
        let v = common::direction(n, 5);
        let (_, tangent) = first_above_half_jvp(&x, v.clone());
        let (_, pullback) = first_above_half_vjp(&x);
        forward_against_reverse("first_above_half", tangent, &v, 0.6, &pullback(0.6), 1e-12);
    }
}

/// Clenshaw's recurrence for a Chebyshev series, its `b2` declared before the loop without a
/// value, as numerical codes write it.
#[differentiable(hessian)]
fn clenshaw(c: &[f64], x: f64) -> f64 {
    let mut b0 = 0.0;
    let mut b1 = 0.0;
    let mut b2;
    for &ck in c.iter().rev() {
        b2 = b1;
        b1 = b0;
        b0 = 2.0 * x * b1 - b2 + ck;
    }
    0.5 * b0 * x
}

#[test]
fn a_variable_first_assigned_in_each_iteration() {
    let c = [0.5, -0.3, 0.8, 0.25];
    for x in [0.4, -0.7, 1.3] {
        // b0 = c0 + c1 U1(x) + c2 U2(x) + c3 U3(x), U the Chebyshev polynomials of the second
        // kind: U1 = 2x, U2 = 4x² - 1, U3 = 8x³ - 4x.
        let u = [1.0, 2.0 * x, 4.0 * x * x - 1.0, 8.0 * x * x * x - 4.0 * x];
        let du = [0.0, 2.0, 8.0 * x, 24.0 * x * x - 4.0];
        let b0: f64 = c.iter().zip(&u).map(|(a, b)| a * b).sum();
        let db0: f64 = c.iter().zip(&du).map(|(a, b)| a * b).sum();
        let (value, (gc, gx)) = clenshaw_grad(&c, x);
        assert!(close(value, 0.5 * b0 * x, 1e-14));
        for k in 0..4 {
            assert!(close(gc[k], 0.5 * u[k] * x, 1e-14), "dc{k}: {} vs {}", gc[k], 0.5 * u[k] * x);
        }
        assert!(close(gx, 0.5 * (db0 * x + b0), 1e-14));
        let mut flat = c.to_vec();
        flat.push(x);
        let mut g = gc.clone();
        g.push(gx);
        gradient_central("clenshaw", &|p| clenshaw(&p[..4], p[4]), &flat, &g, 1e-8);
        let v = common::direction(5, 9);
        let (_, tangent) = clenshaw_jvp(&c, x, v[..4].to_vec(), v[4]);
        let (_, pullback) = clenshaw_vjp(&c, x);
        let (uc, ux) = pullback(1.7);
        let mut g_u = uc;
        g_u.push(ux);
        forward_against_reverse("clenshaw", tangent, &v, 1.7, &g_u, 1e-12);
        // d²/dc_k dx = 0.5 (U_k' x + U_k); d²/dx² = 0.5 (b0'' x + 2 b0').
        let (_, _, h) = clenshaw_hessian(&c, x);
        let d2b0: f64 = c[2] * 8.0 + c[3] * 48.0 * x;
        for k in 0..4 {
            assert!(close(h[(k, 4)], 0.5 * (du[k] * x + u[k]), 1e-12));
            assert!(close(h[(4, k)], h[(k, 4)], 1e-12));
            for j in 0..4 {
                assert_eq!(h[(k, j)], 0.0);
            }
        }
        assert!(close(h[(4, 4)], 0.5 * (d2b0 * x + 2.0 * db0), 1e-12));
    }
}

/// Cubes summed through `as_slice()`, and an entry read through it.
#[differentiable(hessian)]
fn through_as_slice(x: &DVector<f64>) -> f64 {
    x.as_slice().iter().map(|v| v.powi(3)).sum::<f64>() + x.as_slice()[0] * x[1]
}

#[test]
fn a_dvector_read_through_as_slice() {
    let x = DVector::from_vec(vec![0.3, -0.5, 0.8]);
    let (value, g) = through_as_slice_grad(&x);
    assert!(close(value, 0.027 - 0.125 + 0.512 - 0.15, 1e-14));
    let exact = [3.0 * 0.09 - 0.5, 3.0 * 0.25 + 0.3, 3.0 * 0.64];
    for k in 0..3 {
        assert!(close(g[k], exact[k], 1e-14), "{k}: {} vs {}", g[k], exact[k]);
    }
    gradient_central(
        "through_as_slice",
        &|p| through_as_slice(&DVector::from_column_slice(p)),
        x.as_slice(),
        g.as_slice(),
        1e-8,
    );
    let v = DVector::from_vec(common::direction(3, 4));
    let (_, tangent) = through_as_slice_jvp(&x, v.clone());
    let (_, pullback) = through_as_slice_vjp(&x);
    forward_against_reverse("through_as_slice", tangent, v.as_slice(), 0.9, pullback(0.9).as_slice(), 1e-12);
    let (_, _, h) = through_as_slice_hessian(&x);
    let exact_h = [[1.8, 1.0, 0.0], [1.0, -3.0, 0.0], [0.0, 0.0, 4.8]];
    for r in 0..3 {
        for c in 0..3 {
            assert!(close(h[(r, c)], exact_h[r][c], 1e-12), "H[{r},{c}] = {}", h[(r, c)]);
        }
    }
}

/// Newton's iteration for `√a`, returning once a step changes `x` by less than `1e-14`: the
/// test is piecewise, and the loop's own condition reads only its counter (before, the flag of
/// the `return` made that condition depend on `a` too: our error on `while i < 40`).
#[differentiable]
fn newton_sqrt(a: f64) -> f64 {
    let mut x = a;
    let mut i = 0;
    while i < 40 {
        let next = 0.5 * (x + a / x);
        if tapeless::piecewise((next - x).abs() < 1e-14) {
            return next;
        }
        x = next;
        i += 1;
    }
    x
}

#[test]
fn an_iteration_that_returns_once_converged() {
    for a in [0.3, 2.0, 17.0] {
        let (value, g) = newton_sqrt_grad(a);
        assert!(close(value, a.sqrt(), 1e-15), "sqrt({a}) = {value}");
        // d√a/da = 1 / (2√a): the derivative of the iteration that ran, converged.
        assert!(close(g, 0.5 / a.sqrt(), 1e-12), "d/da at {a}: {g}");
        let (_, fd) = (newton_sqrt(a), common::central(&|p: &[f64]| newton_sqrt(p[0]), &[a], 0));
        assert!(close(g, fd, 1e-8), "d/da at {a}: {g} vs central differences {fd}");
        let (_, jv) = newton_sqrt_jvp(a, 0.7);
        let (_, pullback) = newton_sqrt_vjp(a);
        forward_against_reverse("newton_sqrt", jv, &[0.7], 1.3, &[pullback(1.3)], 1e-12);
    }
}
