//! The Cholesky factor of a differentiated matrix (`a.cholesky().unwrap().l()`, or of the
//! decomposition kept in a variable) and the log-determinant and determinant read from it: a
//! Gaussian process's negative log marginal likelihood against its closed-form gradient
//! (`½ tr(K⁻¹ ∂K) - ½ αᵀ ∂K α`), the factor of static and dynamic matrices against central
//! differences (only the lower triangle is read, as nalgebra's `cholesky` reads it), JVP
//! against VJP.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::{DMatrix, DVector, Matrix3};
use tapeless::differentiable;

/// The GP's squared-exponential kernel with noise, built by `from_fn`.
fn kernel(ell: f64, sf: f64, xs: &[f64]) -> DMatrix<f64> {
    let n = xs.len();
    DMatrix::from_fn(n, n, |i, j| {
        sf * sf * (-(xs[i] - xs[j]).powi(2) / (2.0 * ell * ell)).exp() + if i == j { 1e-2 } else { 0.0 }
    })
}

/// `½ yᵀ K⁻¹ y + ½ ln det K`, the factor kept in a variable.
#[differentiable(hessian, wrt(ell, sf))]
fn gp_nll(ell: f64, sf: f64, xs: &[f64], y: &DVector<f64>) -> f64 {
    let n = xs.len();
    let k = DMatrix::from_fn(n, n, |i, j| {
        sf * sf * (-(xs[i] - xs[j]).powi(2) / (2.0 * ell * ell)).exp() + if i == j { 1e-2 } else { 0.0 }
    });
    let chol = k.cholesky().unwrap();
    let alpha = chol.solve(y);
    0.5 * y.dot(&alpha) + 0.5 * chol.ln_determinant()
}

/// The same with the log-determinant summed from the factor's diagonal by an iterator.
#[differentiable(wrt(ell, sf))]
fn gp_nll_by_factor(ell: f64, sf: f64, xs: &[f64], y: &DVector<f64>) -> f64 {
    let n = xs.len();
    let k = DMatrix::from_fn(n, n, |i, j| {
        sf * sf * (-(xs[i] - xs[j]).powi(2) / (2.0 * ell * ell)).exp() + if i == j { 1e-2 } else { 0.0 }
    });
    let chol = k.cholesky().unwrap();
    let l = chol.l();
    let alpha = chol.solve(y);
    0.5 * y.dot(&alpha) + l.diagonal().iter().map(|d| d.ln()).sum::<f64>()
}

/// `ln det(A₀ + a B + b C)` by the factor's diagonal: Hessian `-tr(A⁻¹ Bᵢ A⁻¹ Bⱼ)`.
#[differentiable(hessian)]
fn log_det_pencil(a: f64, b: f64) -> f64 {
    let m = Matrix3::new(4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 2.0)
        + Matrix3::new(1.0, 0.2, 0.0, 0.2, 0.5, 0.1, 0.0, 0.1, 0.3) * a
        + Matrix3::new(0.3, 0.0, -0.1, 0.0, 1.0, 0.4, -0.1, 0.4, 0.2) * b;
    let l = m.cholesky().unwrap().l();
    2.0 * (l[(0, 0)].ln() + l[(1, 1)].ln() + l[(2, 2)].ln())
}

/// The entries of the factor of a 2 x 2 matrix, as a Jacobian.
#[differentiable(jacobian)]
fn factor_entries(a: f64, b: f64) -> (f64, f64, f64) {
    let m = nalgebra::Matrix2::new(a, b, b, 2.0 + a * a);
    let l = m.cholesky().unwrap().l();
    (l[(0, 0)], l[(1, 0)], l[(1, 1)])
}

/// A weighted sum of the factor's entries, of a dynamic matrix.
#[differentiable(wrt(a))]
fn factor_weights(a: &DMatrix<f64>, w: &DMatrix<f64>) -> f64 {
    let l = a.clone().cholesky().expect("positive definite").l();
    l.component_mul(w).sum()
}

/// The factor of a static matrix, and the determinant read from it.
#[differentiable]
fn static_factor(a: &Matrix3<f64>) -> f64 {
    let chol = a.cholesky().unwrap();
    let l = chol.l();
    l[(2, 0)] * l[(1, 1)] + l[(2, 2)].powi(2) + chol.determinant().sqrt()
}

#[test]
fn a_gaussian_process_likelihood() {
    let xs = [0.0, 0.5, 1.1, 1.7, 2.0];
    let y = DVector::from_row_slice(&[0.1, 0.4, -0.2, 0.3, 0.05]);
    for (ell, sf) in [(0.7, 1.2), (1.5, 0.6), (0.4, 2.0)] {
        let (value, (gl, gs)) = gp_nll_grad(ell, sf, &xs, &y);
        assert_eq!(value, gp_nll(ell, sf, &xs, &y));
        // Closed form: `∂/∂θ = ½ tr(K⁻¹ ∂K) - ½ αᵀ ∂K α`.
        let k = kernel(ell, sf, &xs);
        let inv = k.clone().try_inverse().unwrap();
        let alpha = &inv * &y;
        let n = xs.len();
        let dk_dell = DMatrix::from_fn(n, n, |i, j| {
            let d2 = (xs[i] - xs[j]).powi(2);
            sf * sf * (-d2 / (2.0 * ell * ell)).exp() * d2 / ell.powi(3)
        });
        let dk_dsf =
            DMatrix::from_fn(n, n, |i, j| 2.0 * sf * (-(xs[i] - xs[j]).powi(2) / (2.0 * ell * ell)).exp());
        let closed = |dk: &DMatrix<f64>| 0.5 * (&inv * dk).trace() - 0.5 * alpha.dot(&(dk * &alpha));
        assert_close(&[gl, gs], &[closed(&dk_dell), closed(&dk_dsf)], 1e-10, "gp closed form");
        let fd = central_gradient(|p| gp_nll(p[0], p[1], &xs, &y), &[ell, sf]);
        assert_close(&[gl, gs], &fd, 1e-7, "gp differences");
        let (_, t) = gp_nll_jvp(ell, sf, &xs, &y, 0.4, -1.1);
        assert_close(&[t], &[0.4 * gl - 1.1 * gs], 1e-12, "gp jvp");
        let (_, pullback) = gp_nll_vjp(ell, sf, &xs, &y);
        let (ul, us) = pullback(3.0);
        assert_close(&[ul, us], &[3.0 * gl, 3.0 * gs], 1e-12, "gp vjp");
        // The log-determinant summed from the factor by hand agrees.
        let (v2, (gl2, gs2)) = gp_nll_by_factor_grad(ell, sf, &xs, &y);
        assert_close(&[v2, gl2, gs2], &[value, gl, gs], 1e-12, "gp by the factor");
    }
}

#[test]
fn the_factor_of_a_dynamic_matrix() {
    let a = DMatrix::from_row_slice(3, 3, &[4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 2.0]);
    let w = DMatrix::from_row_slice(3, 3, &[1.0, 0.0, 0.0, -2.0, 0.5, 0.0, 0.3, 1.5, -1.0]);
    let (value, g) = factor_weights_grad(&a, &w);
    assert_eq!(value, factor_weights(&a, &w));
    let flat: Vec<f64> = a.as_slice().to_vec();
    let f = |p: &[f64]| factor_weights(&DMatrix::from_column_slice(3, 3, p), &w);
    assert_close(g.as_slice(), &central_gradient(f, &flat), 1e-8, "factor differences");
    // Only the lower triangle is read.
    for j in 1..3 {
        for i in 0..j {
            assert_eq!(g[(i, j)], 0.0, "upper entry ({i}, {j})");
        }
    }
    let v = DMatrix::from_row_slice(3, 3, &[0.3, 0.0, 0.0, -0.4, 1.0, 0.0, 0.2, 0.7, -0.5]);
    let (_, t) = factor_weights_jvp(&a, &w, v.clone());
    assert_close(&[t], &[g.dot(&v)], 1e-12, "factor forward against reverse");
}

#[test]
fn the_factor_of_a_static_matrix_and_its_determinant() {
    let a = Matrix3::new(4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 2.0);
    let (value, g) = static_factor_grad(&a);
    assert!((value - static_factor(&a)).abs() <= 1e-14);
    let f = |p: &[f64]| static_factor(&Matrix3::from_column_slice(p));
    assert_close(g.as_slice(), &central_gradient(f, a.as_slice()), 1e-8, "static factor differences");
    let v = Matrix3::new(0.2, 0.0, 0.0, 0.5, -0.3, 0.0, 0.1, 0.4, 0.6);
    let (_, t) = static_factor_jvp(&a, v);
    assert_close(&[t], &[g.dot(&v)], 1e-12, "static factor forward against reverse");
    // The determinant read from the factor is the matrix's.
    assert!((a.cholesky().unwrap().determinant() - a.determinant()).abs() <= 1e-12);
}

#[test]
fn second_order_through_the_factor() {
    let (bm, cm) = (
        Matrix3::new(1.0, 0.2, 0.0, 0.2, 0.5, 0.1, 0.0, 0.1, 0.3),
        Matrix3::new(0.3, 0.0, -0.1, 0.0, 1.0, 0.4, -0.1, 0.4, 0.2),
    );
    for (a, b) in [(0.1, 0.2), (-0.5, 0.7), (1.2, -0.3)] {
        let m = Matrix3::new(4.0, 1.0, 0.5, 1.0, 3.0, -0.2, 0.5, -0.2, 2.0) + bm * a + cm * b;
        let inv = m.try_inverse().unwrap();
        let (value, g, h) = log_det_pencil_hessian(a, b);
        assert!((value - m.determinant().ln()).abs() <= 1e-12);
        assert_close(&[g.0, g.1], &[(inv * bm).trace(), (inv * cm).trace()], 1e-12, "pencil gradient");
        let hij = |x: &Matrix3<f64>, y: &Matrix3<f64>| -(inv * x * inv * y).trace();
        assert_close(
            h.as_slice(),
            &[hij(&bm, &bm), hij(&cm, &bm), hij(&bm, &cm), hij(&cm, &cm)],
            1e-11,
            "pencil Hessian",
        );
        assert!((h[(0, 1)] - h[(1, 0)]).abs() <= 1e-12 * h[(0, 1)].abs().max(1.0));
    }
    let xs = [0.0, 0.5, 1.1, 1.7];
    let y = DVector::from_row_slice(&[0.1, 0.4, -0.2, 0.3]);
    for (ell, sf) in [(0.7, 1.2), (1.5, 0.6)] {
        let (value, g, h) = gp_nll_hessian(ell, sf, &xs, &y);
        let (v1, g1) = gp_nll_grad(ell, sf, &xs, &y);
        assert_close(&[value, g.0, g.1], &[v1, g1.0, g1.1], 1e-12, "hessian's value and gradient");
        for i in 0..2 {
            let row = central_gradient(
                |p| {
                    let (_, g) = gp_nll_grad(p[0], p[1], &xs, &y);
                    [g.0, g.1][i]
                },
                &[ell, sf],
            );
            assert_close(&[h[(i, 0)], h[(i, 1)]], &row, 1e-7, "gp Hessian against differences of _grad");
        }
    }
}

#[test]
fn a_jacobian_of_the_factor() {
    for (a, b) in [(2.0, 0.5), (1.5, -0.8)] {
        let (value, j) = factor_entries_jacobian(a, b);
        assert_eq!(value, factor_entries(a, b));
        // `l₀₀ = √a`, `l₁₀ = b / √a`, `l₁₁ = √(2 + a² - b²/a)`.
        let l11 = (2.0 + a * a - b * b / a).sqrt();
        let want = [
            0.5 / a.sqrt(),
            -0.5 * b / a.powf(1.5),
            (2.0 * a + b * b / (a * a)) / (2.0 * l11),
            0.0,
            1.0 / a.sqrt(),
            -b / a / l11,
        ];
        assert_close(j.as_slice(), &want, 1e-12, "factor Jacobian closed form");
        let (_, column) = factor_entries_jvp(a, b, 1.0, 0.0);
        assert_close(&[column.0, column.1, column.2], &want[..3], 1e-12, "Jacobian column by jvp");
        let (_, pullback) = factor_entries_vjp(a, b);
        let (ra, rb) = pullback((0.0, 0.0, 1.0));
        assert_close(&[ra, rb], &[want[2], want[5]], 1e-12, "Jacobian row by vjp");
    }
}
