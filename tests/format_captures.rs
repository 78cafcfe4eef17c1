//! Format strings that name locals, the style rustc's and clippy's lints push code towards:
//! `assert!(s > 0.0, "s = {s}")`, `{v:.3}`, a width from a local (`{:w$}`), and `format!` in an
//! error or kept in a local. Each captured local is passed to the macro as a named argument (`lower::formats`);
//! before, each was an error.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use tapeless::differentiable;

/// A normalised log-likelihood with its guards written in the inline style.
#[differentiable(wrt(mu, sigma))]
fn log_likelihood(mu: f64, sigma: f64, data: &[f64]) -> f64 {
    assert!(sigma > 0.0, "sigma = {sigma} must be positive");
    let n = data.len();
    let width = 8;
    debug_assert!(n > 0, "{n:>width$} observations");
    let mut total = 0.0;
    for &y in data {
        let z = (y - mu) / sigma;
        total += -0.5 * z * z - sigma.ln();
    }
    assert!(total.is_finite(), "total = {total:.3e} at mu = {mu:.3}, sigma = {sigma}");
    total / n as f64
}

/// An error message that captures a differentiated value and a constant.
#[differentiable(wrt(x))]
fn checked_root(x: f64, floor: f64) -> Result<f64, String> {
    if x < floor {
        return Err(format!("x = {x:.2} is below {floor}"));
    }
    Ok((x - floor).sqrt())
}

#[test]
fn assertions_and_errors_that_name_locals() {
    let data = [0.3, -1.2, 0.8, 2.1, 0.4];
    let n = data.len() as f64;
    for (mu, sigma) in [(0.2, 1.1), (-0.5, 0.6), (1.0, 2.5)] {
        let (value, g) = log_likelihood_grad(mu, sigma, &data);
        assert_eq!(value, log_likelihood(mu, sigma, &data));
        // ∂/∂μ = Σ z / (σ n), ∂/∂σ = Σ (z² - 1) / (σ n).
        let z: Vec<f64> = data.iter().map(|y| (y - mu) / sigma).collect();
        let d_mu = z.iter().sum::<f64>() / (sigma * n);
        let d_sigma = z.iter().map(|z| z * z - 1.0).sum::<f64>() / (sigma * n);
        assert!(close(g.0, d_mu, 1e-14) && close(g.1, d_sigma, 1e-14), "{g:?}");
        let f = |p: &[f64]| log_likelihood(p[0], p[1], &data);
        gradient_central("log_likelihood", &f, &[mu, sigma], &[g.0, g.1], 1e-8);
        let v = [0.4, -0.9];
        let (_, t) = log_likelihood_jvp(mu, sigma, &data, v[0], v[1]);
        forward_against_reverse("log_likelihood", t, &v, 1.0, &[g.0, g.1], 1e-13);
    }
    let (value, g) = checked_root_grad(3.0, 1.0).unwrap();
    assert!(close(value, 2f64.sqrt(), 1e-15) && close(g, 0.5 / 2f64.sqrt(), 1e-15));
    let (_, t) = checked_root_jvp(3.0, 1.0, 2.0).unwrap();
    assert!(close(t, 2.0 * g, 1e-15));
    assert_eq!(checked_root_grad(0.25, 1.0).err().as_deref(), Some("x = 0.25 is below 1"));
}

#[test]
fn a_failing_assertion_reports_its_captured_values() {
    let message = std::panic::catch_unwind(|| log_likelihood_grad(0.0, -1.0, &[1.0]))
        .err()
        .and_then(|e| e.downcast_ref::<String>().cloned());
    assert_eq!(message.as_deref(), Some("sigma = -1 must be positive"));
}

/// A `String` made by `format!` from differentiated values, kept in a local, printed and read
/// (its length decides a branch): a value with no derivative, like any other that is not a
/// float. Before, `format!` bound to a local was the macro error.
#[differentiable(hessian)]
fn labelled(x: &[f64]) -> f64 {
    let mut total = 0.0;
    for (i, &v) in x.iter().enumerate() {
        let label = format!("term {i}: {v:.2}");
        debug_assert!(!label.is_empty(), "{label}");
        total += if label.len() > 1000 { v } else { v * v * v };
    }
    let summary = format!("{total:e}");
    assert!(!summary.is_empty());
    total
}

#[test]
fn a_formatted_string_kept_in_a_local() {
    for x in [[0.5, -1.5, 2.0], [1.0, 0.1, -0.3], [3.0, 2.0, 1.0]] {
        let (value, g) = labelled_grad(&x);
        assert_eq!(value, labelled(&x));
        let want: Vec<f64> = x.iter().map(|v| 3.0 * v * v).collect();
        common::assert_close(&g, &want, 1e-15, "labelled gradient");
        gradient_central("labelled", &|p: &[f64]| labelled(p), &x, &g, 1e-8);
        let v = [0.4, -0.9, 0.2];
        let (_, t) = labelled_jvp(&x, v.to_vec());
        let (_, pullback) = labelled_vjp(&x);
        forward_against_reverse("labelled", t, &v, 0.7, &pullback(0.7), 1e-13);
        // The Hessian is diagonal, 6 x_i, against central differences of the gradient too.
        let (_, _, h) = labelled_hessian(&x);
        for i in 0..3 {
            for j in 0..3 {
                let want = if i == j { 6.0 * x[i] } else { 0.0 };
                assert!(close(h[(i, j)], want, 1e-14), "H[{i},{j}] = {}", h[(i, j)]);
                let fd = common::central(&|p: &[f64]| labelled_grad(p).1[i], &x, j);
                assert!(close(h[(i, j)], fd, 1e-8), "H[{i},{j}] against {fd}");
            }
        }
    }
}
