//! Composing functions with the attribute that return `Result` or `Option`, the way numeric
//! crates pair a checked function with a panicking one (`statrs`' `ln_beta` is
//! `checked_ln_beta(a, b).unwrap()`): `g(x).unwrap()`, `g(x).expect("..")`, `g(x)?` in a
//! function returning `Result` or `Option`, a tuple result destructured, a method of `self`,
//! and a callee borrowing a local array, whose pullback is made again in the reverse sweep.
//! Each generated item unwraps its callee's generated result as the caller unwraps the call, so
//! a callee's error leaves the caller's items as it leaves the caller.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use tapeless::differentiable;

#[differentiable(hessian)]
fn checked_ln(x: f64) -> Option<f64> {
    if x <= 0.0 {
        return None;
    }
    Some(x.ln())
}

/// `ln x - ln y` through the checked logarithm, unwrapped two ways.
#[differentiable(hessian)]
fn log_ratio(x: f64, y: f64) -> f64 {
    checked_ln(x).expect("x is positive") - checked_ln(y).unwrap() * 1.0
}

#[test]
fn unwrap_and_expect_of_a_checked_helper() {
    for (x, y) in [(2.0, 0.5), (0.3, 4.0), (1.7, 1.1)] {
        let (value, g) = log_ratio_grad(x, y);
        assert!(close(value, x.ln() - y.ln(), 1e-15));
        assert!(close(g.0, 1.0 / x, 1e-15) && close(g.1, -1.0 / y, 1e-15), "{g:?}");
        let f = |p: &[f64]| log_ratio(p[0], p[1]);
        gradient_central("log_ratio", &f, &[x, y], &[g.0, g.1], 1e-8);
        let (_, t) = log_ratio_jvp(x, y, 0.3, -0.6);
        forward_against_reverse("log_ratio", t, &[0.3, -0.6], 1.0, &[g.0, g.1], 1e-14);
        // Second order through the unwrapped calls: diag(-1/x², 1/y²), and central differences
        // of `_grad`.
        let (_, _, h) = log_ratio_hessian(x, y);
        assert!(close(h[(0, 0)], -1.0 / (x * x), 1e-13) && close(h[(1, 1)], 1.0 / (y * y), 1e-13));
        assert!(h[(0, 1)].abs() < 1e-15 && h[(1, 0)].abs() < 1e-15);
        let step = 1e-6;
        let d = (log_ratio_grad(x + step, y).1.0 - log_ratio_grad(x - step, y).1.0) / (2.0 * step);
        assert!(close(d, h[(0, 0)], 1e-7), "{d} against {}", h[(0, 0)]);
    }
    let panicked = std::panic::catch_unwind(|| log_ratio_grad(-1.0, 2.0)).err();
    let message = panicked.as_ref().and_then(|e| e.downcast_ref::<String>()).cloned();
    assert_eq!(message.as_deref(), Some("x is positive"));
}

/// A fallback of the checked logarithm at a constant argument: the call with its closure is
/// kept as written, a constant factor (on a differentiable argument it is the piecewise error,
/// `tests/ui/branch/fallback_of_a_differentiable_call`).
#[differentiable]
fn scaled_by_a_constant_fallback(x: f64) -> f64 {
    x * x * checked_ln(3.0).map_or(1.0, |v| v * 2.0) + checked_ln(-1.0).unwrap_or_else(|| 0.25f64.sqrt()) * x
}

#[test]
fn a_fallback_with_a_closure_at_a_constant_argument() {
    let c = 2.0 * 3.0f64.ln();
    for x in [0.4, -1.3, 2.5] {
        let (value, g) = scaled_by_a_constant_fallback_grad(x);
        assert!(close(value, c * x * x + 0.5 * x, 1e-15));
        assert!(close(g, 2.0 * c * x + 0.5, 1e-15), "{g}");
        let f = |p: &[f64]| scaled_by_a_constant_fallback(p[0]);
        gradient_central("scaled_by_a_constant_fallback", &f, &[x], &[g], 1e-8);
        let (_, t) = scaled_by_a_constant_fallback_jvp(x, 0.7);
        forward_against_reverse("scaled_by_a_constant_fallback", t, &[0.7], 1.0, &[g], 1e-14);
    }
}

/// The log-density of a normal observation, checked.
#[differentiable(wrt(mu, sigma))]
fn log_density(y: f64, mu: f64, sigma: f64) -> Result<f64, String> {
    if sigma <= 0.0 {
        return Err(format!("sigma = {sigma} is not positive"));
    }
    let z = (y - mu) / sigma;
    Ok(-0.5 * z * z - sigma.ln())
}

/// The negative log-likelihood, leaving with the first observation's error (`?` in a loop).
#[differentiable(wrt(mu, sigma))]
fn negative_log_likelihood(mu: f64, sigma: f64, data: &[f64]) -> Result<f64, String> {
    let mut total = 0.0;
    for &y in data {
        total -= log_density(y, mu, sigma)?;
    }
    Ok(total)
}

#[test]
fn question_mark_in_a_loop() {
    let data = [0.3, -1.2, 0.8, 2.1];
    for (mu, sigma) in [(0.2, 1.1), (-0.5, 0.6)] {
        let (value, g) = negative_log_likelihood_grad(mu, sigma, &data).unwrap();
        assert_eq!(value, negative_log_likelihood(mu, sigma, &data).unwrap());
        let d_mu: f64 = -data.iter().map(|y| (y - mu) / (sigma * sigma)).sum::<f64>();
        let d_sigma: f64 = data.iter().map(|y| 1.0 / sigma - (y - mu).powi(2) / sigma.powi(3)).sum();
        assert!(close(g.0, d_mu, 1e-14) && close(g.1, d_sigma, 1e-14), "{g:?}");
        let f = |p: &[f64]| negative_log_likelihood(p[0], p[1], &data).unwrap();
        gradient_central("nll", &f, &[mu, sigma], &[g.0, g.1], 1e-8);
        let (_, t) = negative_log_likelihood_jvp(mu, sigma, &data, 0.7, 0.2).unwrap();
        let (_, pullback) = negative_log_likelihood_vjp(mu, sigma, &data).unwrap();
        let back = pullback(1.0);
        forward_against_reverse("nll", t, &[0.7, 0.2], 1.0, &[back.0, back.1], 1e-13);
    }
    let error = Some("sigma = -1 is not positive".to_string());
    assert_eq!(negative_log_likelihood_grad(0.0, -1.0, &data).err(), error);
    assert_eq!(negative_log_likelihood_jvp(0.0, -1.0, &data, 1.0, 0.0).err(), error);
    assert_eq!(negative_log_likelihood_vjp(0.0, -1.0, &data).err(), error);
}

/// Cartesian coordinates of a point in polar form, refusing a negative radius.
#[differentiable]
fn checked_polar(r: f64, theta: f64) -> Option<(f64, f64)> {
    if r < 0.0 {
        return None;
    }
    Some((r * theta.cos(), r * theta.sin()))
}

/// The squared distance of two points given in polar form, with the tuple results destructured.
#[differentiable]
fn polar_distance(r1: f64, t1: f64, r2: f64, t2: f64) -> Option<f64> {
    let (x1, y1) = checked_polar(r1, t1)?;
    let (x2, y2) = checked_polar(r2, t2)?;
    Some((x1 - x2).powi(2) + (y1 - y2).powi(2))
}

#[test]
fn tuple_results_of_a_checked_helper() {
    let p = [1.5, 0.4, 0.8, -1.1];
    let (value, g) = polar_distance_grad(p[0], p[1], p[2], p[3]).unwrap();
    // The law of cosines: r1² + r2² - 2 r1 r2 cos(t1 - t2).
    let c = (p[1] - p[3]).cos();
    let s = (p[1] - p[3]).sin();
    assert!(close(value, p[0] * p[0] + p[2] * p[2] - 2.0 * p[0] * p[2] * c, 1e-14));
    let exact = [
        2.0 * p[0] - 2.0 * p[2] * c,
        2.0 * p[0] * p[2] * s,
        2.0 * p[2] - 2.0 * p[0] * c,
        -2.0 * p[0] * p[2] * s,
    ];
    let got = [g.0, g.1, g.2, g.3];
    for k in 0..4 {
        assert!(close(got[k], exact[k], 1e-14), "d/dp{k}: {} against {}", got[k], exact[k]);
    }
    let f = |q: &[f64]| polar_distance(q[0], q[1], q[2], q[3]).unwrap();
    gradient_central("polar_distance", &f, &p, &got, 1e-8);
    let v = [0.2, -0.5, 1.0, 0.3];
    let (_, t) = polar_distance_jvp(p[0], p[1], p[2], p[3], v[0], v[1], v[2], v[3]).unwrap();
    forward_against_reverse("polar_distance", t, &v, 1.0, &got, 1e-13);
    assert!(polar_distance_grad(-1.0, 0.0, 1.0, 0.0).is_none());
}

/// Checked helpers that borrow an array the caller builds: their pullbacks are made again in the
/// reverse sweep (`emit::pullback_in_sweep`), where `?` cannot leave.
#[differentiable]
fn checked_norm(v: &[f64]) -> Result<f64, String> {
    if v.is_empty() {
        return Err("empty".to_string());
    }
    let mut s = 0.0;
    for &e in v {
        s += e * e;
    }
    Ok(s.sqrt())
}

#[differentiable]
fn scaled_norm(x: f64, y: f64) -> Result<f64, String> {
    let v = vec![2.0 * x, y, x * y];
    let n = checked_norm(&v)?;
    Ok(3.0 * n)
}

#[test]
fn question_mark_on_a_call_borrowing_a_local_array() {
    for (x, y) in [(0.5, 1.5), (-1.2, 0.3)] {
        let (value, g) = scaled_norm_grad(x, y).unwrap();
        let n = (4.0 * x * x + y * y + x * x * y * y).sqrt();
        assert!(close(value, 3.0 * n, 1e-15));
        let exact = [3.0 * (4.0 * x + x * y * y) / n, 3.0 * (y + x * x * y) / n];
        assert!(close(g.0, exact[0], 1e-14) && close(g.1, exact[1], 1e-14), "{g:?}");
        let (_, pullback) = scaled_norm_vjp(x, y).unwrap();
        let back = pullback(1.0);
        assert!(close(back.0, exact[0], 1e-14) && close(back.1, exact[1], 1e-14));
        let (_, t) = scaled_norm_jvp(x, y, 0.4, -0.9).unwrap();
        forward_against_reverse("scaled_norm", t, &[0.4, -0.9], 1.0, &exact, 1e-13);
        gradient_central("scaled_norm", &|p| scaled_norm(p[0], p[1]).unwrap(), &[x, y], &exact, 1e-8);
    }
}

/// A model whose methods check their inputs.
pub struct Decay {
    pub rate: f64,
}

#[differentiable(wrt(t0))]
impl Decay {
    fn checked_at(&self, t0: f64, t: f64) -> Result<f64, String> {
        if t < 0.0 {
            return Err("negative time".to_string());
        }
        Ok(t0 * (-self.rate * t).exp())
    }

    fn total(&self, t0: f64, times: &[f64]) -> Result<f64, String> {
        let mut s = 0.0;
        for &t in times {
            s += self.checked_at(t0, t)?;
        }
        Ok(s)
    }
}

#[test]
fn question_mark_on_a_method_of_self() {
    let model = Decay { rate: 0.7 };
    let times = [0.0, 0.5, 1.5, 3.0];
    let (value, g) = model.total_grad(2.0, &times).unwrap();
    let exact: f64 = times.iter().map(|t| (-0.7 * t).exp()).sum();
    assert!(close(value, 2.0 * exact, 1e-15) && close(g, exact, 1e-15), "{g}");
    let (_, t) = model.total_jvp(2.0, &times, 0.5).unwrap();
    forward_against_reverse("total", t, &[0.5], 1.0, &[g], 1e-14);
    gradient_central("total", &|p| model.total(p[0], &times).unwrap(), &[2.0], &[g], 1e-9);
    assert_eq!(model.total_grad(2.0, &[1.0, -1.0]).err().as_deref(), Some("negative time"));
}

/// Second order of a function returning `Result`, composing a checked helper with `?`.
#[differentiable(hessian)]
fn checked_log_barrier(x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err(format!("x = {x} is outside the domain"));
    }
    Ok(-x.ln())
}

/// `f(x, y) = x² y + barrier(x) + barrier(y)`.
#[differentiable(hessian)]
fn barrier_objective(x: f64, y: f64) -> Result<f64, String> {
    let bx = checked_log_barrier(x)?;
    let by = checked_log_barrier(y)?;
    Ok(x * x * y + bx + by)
}

#[test]
fn second_order_of_functions_returning_result() {
    for (x, y) in [(0.5, 2.0), (1.5, 0.3), (2.2, 1.1)] {
        let (value, g, h) = barrier_objective_hessian(x, y).unwrap();
        assert!(close(value, x * x * y - x.ln() - y.ln(), 1e-15));
        assert!(close(g.0, 2.0 * x * y - 1.0 / x, 1e-14) && close(g.1, x * x - 1.0 / y, 1e-14), "{g:?}");
        let (_, t) = barrier_objective_jvp(x, y, 0.4, -0.7).unwrap();
        let (_, pullback) = barrier_objective_vjp(x, y).unwrap();
        let back = pullback(1.0);
        forward_against_reverse("barrier_objective", t, &[0.4, -0.7], 1.0, &[back.0, back.1], 1e-13);
        // H = [[2y + 1/x², 2x], [2x, 1/y²]].
        let exact = [[2.0 * y + 1.0 / (x * x), 2.0 * x], [2.0 * x, 1.0 / (y * y)]];
        for r in 0..2 {
            for c in 0..2 {
                assert!(
                    close(h[(r, c)], exact[r][c], 1e-13),
                    "H[{r}][{c}] = {} against {}",
                    h[(r, c)],
                    exact[r][c]
                );
            }
        }
        // Central differences of `_grad`, and the Hessian-vector product against H v.
        let step = 1e-6;
        for (k, (dx, dy)) in [(step, 0.0), (0.0, step)].into_iter().enumerate() {
            let plus = barrier_objective_grad(x + dx, y + dy).unwrap().1;
            let minus = barrier_objective_grad(x - dx, y - dy).unwrap().1;
            let column = [(plus.0 - minus.0) / (2.0 * step), (plus.1 - minus.1) / (2.0 * step)];
            assert!(close(column[0], h[(0, k)], 1e-7) && close(column[1], h[(1, k)], 1e-7), "column {k}");
        }
        let (_, _, hv) = barrier_objective_hvp(x, y, 0.4, -0.7).unwrap();
        assert!(close(hv.0, exact[0][0] * 0.4 - exact[0][1] * 0.7, 1e-13));
        assert!(close(hv.1, exact[1][0] * 0.4 - exact[1][1] * 0.7, 1e-13));
    }
    assert_eq!(barrier_objective_hessian(-1.0, 1.0).err().as_deref(), Some("x = -1 is outside the domain"));
    assert_eq!(
        barrier_objective_hvp(1.0, 0.0, 1.0, 1.0).err().as_deref(),
        Some("x = 0 is outside the domain")
    );
}

/// Residuals of an exponential decay, refusing a parameter vector of the wrong length.
#[differentiable(jacobian, wrt(p))]
fn checked_residuals(p: &[f64], t: &[f64], y: &[f64]) -> Result<Vec<f64>, String> {
    if p.len() != 2 {
        return Err(format!("{} parameters, not 2", p.len()));
    }
    Ok(t.iter().zip(y).map(|(&ti, &yi)| p[0] * (-p[1] * ti).exp() - yi).collect())
}

#[test]
fn jacobian_of_a_function_returning_result() {
    let (t, y) = ([0.0, 0.5, 1.0, 2.0], [2.1, 1.4, 0.9, 0.45]);
    let p = [2.0, 0.8];
    let (value, j) = checked_residuals_jacobian(&p, &t, &y).unwrap();
    assert_eq!(value, checked_residuals(&p, &t, &y).unwrap());
    assert_eq!((j.nrows(), j.ncols()), (4, 2));
    for (r, &ti) in t.iter().enumerate() {
        let e = (-p[1] * ti).exp();
        assert!(close(j[(r, 0)], e, 1e-15) && close(j[(r, 1)], -p[0] * ti * e, 1e-15), "row {r}");
    }
    // Columns from `_jvp`, rows from `_vjp`.
    for c in 0..2 {
        let mut unit = vec![0.0; 2];
        unit[c] = 1.0;
        let (_, column) = checked_residuals_jvp(&p, &t, &y, unit).unwrap();
        for r in 0..4 {
            assert!(close(column[r], j[(r, c)], 1e-15));
        }
    }
    for r in 0..4 {
        let mut unit = vec![0.0; 4];
        unit[r] = 1.0;
        let (_, pullback) = checked_residuals_vjp(&p, &t, &y).unwrap();
        let row = pullback(unit);
        assert!(close(row[0], j[(r, 0)], 1e-15) && close(row[1], j[(r, 1)], 1e-15));
    }
    assert_eq!(checked_residuals_jacobian(&[1.0], &t, &y).err().as_deref(), Some("1 parameters, not 2"));
}
