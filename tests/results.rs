//! Functions returning `Result<T, E>` or `Option<T>` (issue 13): the generated items return
//! `Result<(value, derivative), E>` (or `Option`), leave with the user's error where the
//! function does, and differentiate the path that returns a value. A guard on a differentiated
//! value whose only effect is to leave needs no `piecewise`.

mod common;

use common::{Fns, check, close};
use num_traits::{Float, FromPrimitive};
use tapeless::differentiable;

#[derive(Debug, PartialEq)]
pub enum FitError {
    NonPositiveScale(f64),
    Empty,
    Overflow,
}

/// A Gaussian negative log-likelihood, with the checks real code makes first.
#[differentiable(wrt(mu, sigma))]
pub fn nll(x: &[f64], mu: f64, sigma: f64) -> Result<f64, FitError> {
    if sigma <= 0.0 {
        return Err(FitError::NonPositiveScale(sigma));
    }
    if x.is_empty() {
        return Err(FitError::Empty);
    }
    let mut s = 0.0;
    for v in x {
        s += ((v - mu) / sigma).powi(2);
    }
    let value = 0.5 * s + x.len() as f64 * sigma.ln();
    if value > 1e12 { Err(FitError::Overflow) } else { Ok(value) }
}

/// A root mean square that is `None` for an empty slice, generic, with `?` on a constant.
#[differentiable]
pub fn rms<T: Float + FromPrimitive>(x: &[T]) -> Option<T> {
    let n = T::from_usize(x.len()).filter(|n| *n > T::zero())?;
    let mut s = T::zero();
    for v in x {
        s = s + *v * *v;
    }
    Some((s / n).sqrt())
}

/// `?` on a parse of a constant (its error built by a closure), a tuple result.
#[differentiable(wrt(r, theta))]
pub fn polar(r: f64, theta: f64, scale: &str) -> Result<(f64, f64), String> {
    let k: f64 = scale.parse().map_err(|_| format!("bad scale {}", scale))?;
    if r < 0.0 {
        return Err(String::from("negative radius"));
    }
    Ok((k * r * theta.cos(), k * r * theta.sin()))
}

#[test]
fn result_with_guards() {
    let data = [0.5, -1.0, 2.0];
    let fns = Fns {
        name: "nll",
        f: &|p| nll(&data, p[0], p[1]).unwrap(),
        jvp: &|p, v| nll_jvp(&data, p[0], p[1], v[0], v[1]).unwrap(),
        vjp: &|p, ct| {
            let (value, pullback) = nll_vjp(&data, p[0], p[1]).unwrap();
            let (gmu, gsigma) = pullback(ct);
            (value, vec![gmu, gsigma])
        },
        grad: &|p| {
            let (value, (gmu, gsigma)) = nll_grad(&data, p[0], p[1]).unwrap();
            (value, vec![gmu, gsigma])
        },
    };
    check(&fns, &[&[0.3, 1.2], &[-1.0, 0.5], &[2.0, 3.0]], 1e-8);
    // Analytic: ∂/∂μ = -Σ (x - μ) / σ², ∂/∂σ = -Σ (x - μ)² / σ³ + n / σ.
    let (mu, sigma) = (0.3, 1.2);
    let (_, (gmu, gsigma)) = nll_grad(&data, mu, sigma).unwrap();
    let want_mu: f64 = data.iter().map(|x| -(x - mu) / (sigma * sigma)).sum();
    let want_sigma: f64 = data.iter().map(|x| -(x - mu).powi(2) / sigma.powi(3)).sum::<f64>() + 3.0 / sigma;
    assert!(close(gmu, want_mu, 1e-14) && close(gsigma, want_sigma, 1e-14), "{gmu} {gsigma}");

    // Every generated item leaves with the user's error where the function does.
    assert_eq!(nll_grad(&data, 0.0, -1.0).err(), Some(FitError::NonPositiveScale(-1.0)));
    assert_eq!(nll_jvp(&[], 0.0, 1.0, 1.0, 0.0).err(), Some(FitError::Empty));
    assert!(matches!(nll_vjp(&data, 0.0, 0.0), Err(FitError::NonPositiveScale(_))));
    assert_eq!(nll_grad(&[1e7, -1e7], 0.0, 1e-3).err(), Some(FitError::Overflow));
}

#[test]
fn option_at_both_precisions() {
    let fns = Fns {
        name: "rms",
        f: &|x| rms(x).unwrap(),
        jvp: &|x, v| rms_jvp(x, v.to_vec()).unwrap(),
        vjp: &|x, ct| {
            let (value, pullback) = rms_vjp(x).unwrap();
            (value, pullback(ct))
        },
        grad: &|x| rms_grad(x).unwrap(),
    };
    check(&fns, &[&[0.3, 1.2], &[-1.0, 0.5, 2.0], &[2.0, 3.0, -4.0, 0.1]], 1e-8);
    // Analytic: ∂/∂x_i = x_i / (n rms).
    let x = [3.0f32, 4.0];
    let (value, g) = rms_grad(&x).unwrap();
    let r = (12.5f32).sqrt();
    assert!((value - r).abs() < 1e-6);
    assert!((g[0] - 3.0 / (2.0 * r)).abs() < 1e-6 && (g[1] - 4.0 / (2.0 * r)).abs() < 1e-6, "{g:?}");
    assert!(rms_grad::<f64>(&[]).is_none());
    assert!(rms_jvp::<f32>(&[], vec![]).is_none());
}

#[test]
fn tuple_result_and_question_mark() {
    let fns = Fns {
        name: "polar·(1, 1)",
        f: &|p| {
            let (a, b) = polar(p[0], p[1], "2.0").unwrap();
            a + b
        },
        jvp: &|p, v| {
            let ((a, b), (ta, tb)) = polar_jvp(p[0], p[1], "2.0", v[0], v[1]).unwrap();
            (a + b, ta + tb)
        },
        vjp: &|p, ct| {
            let ((a, b), pullback) = polar_vjp(p[0], p[1], "2.0").unwrap();
            let (gr, gt) = pullback((ct, ct));
            (a + b, vec![gr, gt])
        },
        grad: &|p| {
            let ((a, b), pullback) = polar_vjp(p[0], p[1], "2.0").unwrap();
            let (gr, gt) = pullback((1.0, 1.0));
            (a + b, vec![gr, gt])
        },
    };
    check(&fns, &[&[0.3, 1.2], &[1.0, -0.5], &[2.0, 3.0]], 1e-8);
    let (r, theta) = (2.0f64, 0.7f64);
    let (_, (tx, ty)) = polar_jvp(r, theta, "1.5", 0.0, 1.0).unwrap();
    assert!(close(tx, -1.5 * r * theta.sin(), 1e-15) && close(ty, 1.5 * r * theta.cos(), 1e-15));
    assert_eq!(polar_jvp(1.0, 0.0, "x", 1.0, 0.0).err(), Some("bad scale x".to_string()));
    assert_eq!(polar_vjp(-1.0, 0.0, "1").err().as_deref(), Some("negative radius"));
}

/// `return Err(..)` as a `match` arm on a constant.
#[differentiable]
pub fn by_mode(x: f64, mode: u8) -> Result<f64, String> {
    let y = match mode {
        0 => x.sin(),
        1 => x.cos(),
        _ => return Err(format!("unknown mode {}", mode)),
    };
    Ok(y * x)
}

#[test]
fn leaving_from_a_match_arm() {
    let x = 0.8f64;
    let (v, g) = by_mode_grad(x, 0).unwrap();
    assert!(close(v, x.sin() * x, 1e-15) && close(g, x.cos() * x + x.sin(), 1e-15));
    let (_, t) = by_mode_jvp(x, 1, 1.0).unwrap();
    assert!(close(t, -x.sin() * x + x.cos(), 1e-15));
    let (_, pullback) = by_mode_vjp(x, 1).unwrap();
    assert!(close(pullback(2.0), 2.0 * (-x.sin() * x + x.cos()), 1e-15));
    for mode in [0u8, 1] {
        let f = |p: &[f64]| by_mode(p[0], mode).unwrap();
        let (_, g) = by_mode_grad(x, mode).unwrap();
        assert!(close(g, common::central(&f, &[x], 0), 1e-9), "mode {mode}: {g}");
    }
    assert_eq!(by_mode_grad(x, 7).err().as_deref(), Some("unknown mode 7"));
    assert_eq!(by_mode_jvp(x, 2, 1.0).err().as_deref(), Some("unknown mode 2"));
}

/// `return if .. { Ok(a) } else { Ok(b) }` and `return match ..` with `Ok`, `Err` in the arms,
/// as `statrs`' incomplete gamma function leaves early where its log-term underflows.
#[differentiable(wrt(x))]
pub fn saturating(a: f64, x: f64) -> Result<f64, String> {
    if x <= 0.0 {
        return Err("x must be positive".to_string());
    }
    let ax = a * x.ln() - x;
    if tapeless::piecewise(ax < -30.0) {
        return if tapeless::piecewise(a < x) { Ok(1.0 - 1e-3 * x) } else { Ok(x * x) };
    }
    if a > 10.0 {
        return match a as u32 {
            11 => Ok(2.0 * x),
            _ => Err(format!("a = {a} is out of range")),
        };
    }
    Ok(ax.exp())
}

#[test]
fn returning_an_if_or_a_match_of_results() {
    // The early `return if ..`: `ax` = 0.5 ln 80 - 80 < -30 and a < x, so the value is 1 - x/1000.
    let (v, g) = saturating_grad(0.5, 80.0).unwrap();
    assert!(close(v, 1.0 - 0.08, 1e-15) && close(g, -1e-3, 1e-15), "{v} {g}");
    // The other arm: a > x, `x²`.
    let (v, g) = saturating_grad(200.0, 1e-20).unwrap();
    assert!(close(v, 1e-40, 1e-12) && close(g, 2e-20, 1e-12), "{v} {g}");
    // The match: a = 11 gives `2x`; a = 12 leaves with its error.
    let (v, g) = saturating_grad(11.5, 3.0).unwrap();
    assert!(close(v, 6.0, 1e-15) && close(g, 2.0, 1e-15));
    assert_eq!(saturating_grad(12.5, 3.0).err().as_deref(), Some("a = 12.5 is out of range"));
    assert_eq!(saturating_jvp(1.0, -1.0, 1.0).err().as_deref(), Some("x must be positive"));
    // The tail: d/dx x^a e^{-x} = (a/x - 1) x^a e^{-x}.
    for (a, x) in [(1.5, 2.0), (3.0, 0.7), (0.5, 80.0), (11.2, 4.0)] {
        let (v, g) = saturating_grad(a, x).unwrap();
        let f = |p: &[f64]| saturating(a, p[0]).unwrap();
        assert!(close(g, common::central(&f, &[x], 0), 1e-8), "a {a}, x {x}: {g}");
        if a < 10.0 && a * x.ln() - x >= -30.0 {
            assert!(close(g, (a / x - 1.0) * v, 1e-14), "a {a}, x {x}: {g}");
        }
        let (_, t) = saturating_jvp(a, x, 0.7).unwrap();
        let (_, pullback) = saturating_vjp(a, x).unwrap();
        assert!(close(0.7 * pullback(1.0), t, 1e-14), "forward against reverse at a {a}, x {x}");
    }
}
