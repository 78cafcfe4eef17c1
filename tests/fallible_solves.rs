//! Linear algebra whose `Option` leaves a function returning `Option` or `Result`:
//! `m.try_inverse()?`, `a.lu().solve(&b).ok_or(e)?`, `a.cholesky()?` then the kept decomposition's
//! `solve`; and a fallback by `if let Some(inv) = m.try_inverse()`, `match`, `unwrap_or`, `map_or`,
//! `map_or_else` and `map(..).unwrap_or(..)`. Where the matrix is singular (or not positive
//! definite) every generated item returns the function's `None` or `Err` (or the fallback);
//! elsewhere the gradient against its closed form and central
//! differences, JVP against VJP.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::{Matrix2, Vector2};
use tapeless::differentiable;

/// `Σ` of the first column of `[[a, b], [1, 2]]⁻¹`: `1 / (2a - b)`.
#[differentiable(hessian)]
fn inverse_column(a: f64, b: f64) -> Option<f64> {
    let m = Matrix2::new(a, b, 1.0, 2.0);
    let inv = m.try_inverse()?;
    Some(inv[(0, 0)] + inv[(1, 0)])
}

#[derive(Debug, PartialEq)]
struct Singular;

/// `x.x x.y` of `[[a, b], [1, 2]] x = (1, ½)`.
#[differentiable]
fn solved_product(a: f64, b: f64) -> Result<f64, Singular> {
    let m = Matrix2::new(a, b, 1.0, 2.0);
    let x = m.lu().solve(&Vector2::new(1.0, 0.5)).ok_or(Singular)?;
    Ok(x.x * x.y)
}

/// `Σ` of `[[a, ½], [½, 2]]⁻¹ (1, 1)`, by a Cholesky decomposition kept after `?`.
#[differentiable]
fn cholesky_sum(a: f64) -> Option<f64> {
    let m = Matrix2::new(a, 0.5, 0.5, 2.0);
    let chol = m.cholesky()?;
    let x = chol.solve(&Vector2::new(1.0, 1.0));
    Some(x.sum())
}

/// The same with a fallback where singular: by `if let`, by `match` and by `unwrap_or`.
#[differentiable]
fn inverse_or_zero(a: f64, b: f64) -> f64 {
    let m = Matrix2::new(a, b, 1.0, 2.0);
    let by_if = if let Some(inv) = m.try_inverse() { inv[(0, 0)] + inv[(1, 0)] } else { 0.0 };
    let by_match = match m.lu().solve(&Vector2::new(1.0, 1.0)) {
        Some(x) => x.x + x.y,
        None => 0.0,
    };
    let fallback = m.try_inverse().unwrap_or(Matrix2::zeros());
    by_if + by_match + fallback[(0, 0)] + fallback[(1, 0)]
}

#[test]
fn an_inverse_with_a_fallback() {
    for (a, b) in [(3.0, 0.5), (-1.0, 2.5)] {
        let (value, (ga, gb)) = inverse_or_zero_grad(a, b);
        assert_eq!(value, inverse_or_zero(a, b));
        // The inverse's first column sums to `1 / d`, twice, and the solve's `x + y` is
        // `(1 + a - b) / d`, with `d = 2a - b`: `(3 + a - b) / d` in all.
        let (d, n) = (2.0 * a - b, 3.0 + a - b);
        assert_close(
            &[value, ga, gb],
            &[n / d, (d - 2.0 * n) / (d * d), (n - d) / (d * d)],
            1e-13,
            "fallback closed form",
        );
        let (_, t) = inverse_or_zero_jvp(a, b, 1.0, -0.5);
        assert_close(&[t], &[ga - 0.5 * gb], 1e-13, "fallback jvp");
    }
    // Singular: every fallback is zero.
    assert_eq!(inverse_or_zero_grad(1.0, 2.0), (0.0, (0.0, 0.0)));
}

#[test]
fn an_inverse_that_may_not_exist() {
    for (a, b) in [(3.0, 0.5), (-1.0, 2.5), (0.7, -0.2)] {
        let (value, (ga, gb)) = inverse_column_grad(a, b).expect("invertible");
        assert_eq!(Some(value), inverse_column(a, b));
        let d = 2.0 * a - b;
        assert_close(
            &[value, ga, gb],
            &[1.0 / d, -2.0 / (d * d), 1.0 / (d * d)],
            1e-14,
            "inverse closed form",
        );
        let (_, t) = inverse_column_jvp(a, b, 0.5, -1.0).expect("invertible");
        let (_, pullback) = inverse_column_vjp(a, b).expect("invertible");
        let (ua, ub) = pullback(2.0);
        assert_close(&[2.0 * t], &[0.5 * ua - ub], 1e-14, "inverse forward against reverse");
    }
    // Second order through the guard: `∂²(1/d) = (2/d³) [[4, -2], [-2, 1]]`.
    for (a, b) in [(3.0, 0.5), (-1.0, 2.5)] {
        let (_, _, h) = inverse_column_hessian(a, b).expect("invertible");
        let c = 2.0 / (2.0 * a - b).powi(3);
        assert_close(h.as_slice(), &[4.0 * c, -2.0 * c, -2.0 * c, c], 1e-12, "inverse Hessian closed form");
        for i in 0..2 {
            let row = central_gradient(
                |p| {
                    let (_, g) = inverse_column_grad(p[0], p[1]).expect("invertible");
                    [g.0, g.1][i]
                },
                &[a, b],
            );
            assert_close(&[h[(i, 0)], h[(i, 1)]], &row, 1e-7, "inverse Hessian against differences of _grad");
        }
    }
    assert!(inverse_column_hessian(1.0, 2.0).is_none());
    // `2a = b`: singular, and every item leaves with `None`.
    assert_eq!(inverse_column(1.0, 2.0), None);
    assert!(inverse_column_grad(1.0, 2.0).is_none());
    assert!(inverse_column_jvp(1.0, 2.0, 1.0, 0.0).is_none());
    assert!(inverse_column_vjp(1.0, 2.0).is_none());
}

#[test]
fn a_solve_that_may_fail_in_a_result() {
    let f = |p: &[f64]| solved_product(p[0], p[1]).expect("solvable");
    for (a, b) in [(3.0, 0.5), (-1.0, 2.5), (0.7, -0.2)] {
        let (value, (ga, gb)) = solved_product_grad(a, b).expect("solvable");
        assert_eq!(value, f(&[a, b]));
        // Cramer's rule: `x = (2 - b/2) / d`, `y = (a/2 - 1) / d` with `d = 2a - b`.
        let d = 2.0 * a - b;
        let (x, y) = ((2.0 - 0.5 * b) / d, (0.5 * a - 1.0) / d);
        let dx = (-2.0 * (2.0 - 0.5 * b) / (d * d), (-0.5 * d + (2.0 - 0.5 * b)) / (d * d));
        let dy = ((0.5 * d - 2.0 * (0.5 * a - 1.0)) / (d * d), (0.5 * a - 1.0) / (d * d));
        assert_close(&[ga, gb], &[dx.0 * y + x * dy.0, dx.1 * y + x * dy.1], 1e-13, "solve closed form");
        assert_close(&[ga, gb], &central_gradient(f, &[a, b]), 1e-8, "solve differences");
        let (_, t) = solved_product_jvp(a, b, 1.0, 1.0).expect("solvable");
        assert_close(&[t], &[ga + gb], 1e-13, "solve jvp");
    }
    assert_eq!(solved_product(1.0, 2.0), Err(Singular));
    assert_eq!(solved_product_grad(1.0, 2.0).err(), Some(Singular));
}

#[test]
fn a_cholesky_decomposition_that_may_fail() {
    for a in [3.0, 0.5, 10.0] {
        let (value, g) = cholesky_sum_grad(a).expect("positive definite");
        assert!((value - cholesky_sum(a).unwrap()).abs() <= 1e-15);
        // `(1, 1)ᵀ M⁻¹ (1, 1) = (a + 2 - 1) / (2a - ¼)`.
        let d = 2.0 * a - 0.25;
        assert_close(
            &[value, g],
            &[(a + 1.0) / d, (d - 2.0 * (a + 1.0)) / (d * d)],
            1e-13,
            "cholesky closed form",
        );
        let (_, t) = cholesky_sum_jvp(a, 0.3).expect("positive definite");
        assert_close(&[t], &[0.3 * g], 1e-14, "cholesky jvp");
    }
    assert_eq!(cholesky_sum(-3.0), None);
    assert!(cholesky_sum_grad(-3.0).is_none());
}

/// The fallback by `map_or`, `map_or_else` and `map(..).unwrap_or(..)` of the inverse and the
/// solve: three times `1 / d` (the inverse's first column) plus the solve's `(1 + a - b) / d`.
#[differentiable]
fn mapped_or_zero(a: f64, b: f64) -> f64 {
    let m = Matrix2::new(a, b, 1.0, 2.0);
    let by_map_or = m.try_inverse().map_or(0.0, |inv| inv[(0, 0)] + inv[(1, 0)]);
    let by_else = m.try_inverse().map_or_else(|| 0.0, |inv| inv.column(0).sum());
    let by_map = m.lu().solve(&Vector2::new(1.0, 1.0)).map(|x| x.x + x.y).unwrap_or(0.0);
    let column = m.try_inverse().map(|inv| inv[(0, 0)] + inv[(1, 0)]).unwrap_or(0.0);
    by_map_or + by_else + by_map + column
}

#[test]
fn an_inverse_mapped_with_a_fallback() {
    for (a, b) in [(3.0, 0.5), (-1.0, 2.5), (0.7, -0.2)] {
        let (value, (ga, gb)) = mapped_or_zero_grad(a, b);
        assert_eq!(value, mapped_or_zero(a, b));
        // `(3 + 1 + a - b) / d` with `d = 2a - b`.
        let (d, n) = (2.0 * a - b, 4.0 + a - b);
        assert_close(
            &[value, ga, gb],
            &[n / d, (d - 2.0 * n) / (d * d), (n - d) / (d * d)],
            1e-13,
            "mapped closed form",
        );
        let f = |p: &[f64]| mapped_or_zero(p[0], p[1]);
        assert_close(&[ga, gb], &central_gradient(f, &[a, b]), 1e-8, "mapped differences");
        let (_, t) = mapped_or_zero_jvp(a, b, 1.0, -0.5);
        let (ua, ub) = mapped_or_zero_vjp(a, b).1(2.0);
        assert_close(&[2.0 * t], &[ua - 0.5 * ub], 1e-13, "mapped forward against reverse");
    }
    // Singular: every fallback is zero.
    assert_eq!(mapped_or_zero_grad(1.0, 2.0), (0.0, (0.0, 0.0)));
}
