//! Gradient checking by central finite differences.
//!
//! Use these to test derivatives you write by hand (an opaque function's `_jvp`/`_vjp`) or to
//! spot-check generated ones. Central differences have error `O(h²)`; the default step
//! [`DEFAULT_STEP`] balances that against rounding for `f64` functions of moderate scale.

use core::fmt;

/// Default finite-difference step for `f64`: about the cube root of machine epsilon.
pub const DEFAULT_STEP: f64 = 6.0e-6;

/// Central difference `(f(x + h) - f(x - h)) / 2h` of a scalar function of one variable.
///
/// ```
/// let d = tapeless::check::central_difference(|x| x.sin(), 0.5, 1e-5);
/// assert!((d - 0.5_f64.cos()).abs() < 1e-9);
/// ```
pub fn central_difference(mut f: impl FnMut(f64) -> f64, x: f64, h: f64) -> f64 {
    (f(x + h) - f(x - h)) / (2.0 * h)
}

/// Gradient of `f: R^n -> R` at `x` by central differences, one coordinate at a time.
///
/// ```
/// let g = tapeless::check::finite_difference_gradient(|v| v[0] * v[1], &[2.0, 3.0], 1e-6);
/// assert!((g[0] - 3.0).abs() < 1e-8 && (g[1] - 2.0).abs() < 1e-8);
/// ```
pub fn finite_difference_gradient(mut f: impl FnMut(&[f64]) -> f64, x: &[f64], h: f64) -> Vec<f64> {
    let mut point = x.to_vec();
    (0..x.len())
        .map(|i| {
            point[i] = x[i] + h;
            let up = f(&point);
            point[i] = x[i] - h;
            let down = f(&point);
            point[i] = x[i];
            (up - down) / (2.0 * h)
        })
        .collect()
}

/// A gradient component that disagrees with its finite-difference estimate.
#[derive(Debug, Clone, PartialEq)]
pub struct GradientMismatch {
    /// Index of the first disagreeing component.
    pub index: usize,
    /// The gradient under test.
    pub given: f64,
    /// The central-difference estimate.
    pub estimated: f64,
}

impl fmt::Display for GradientMismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "gradient component {} is {} but central differences give {}",
            self.index, self.given, self.estimated
        )
    }
}

impl std::error::Error for GradientMismatch {}

/// Checks `gradient` against central differences of `f` at `x`, with the mixed tolerance
/// `|given - estimated| <= tol * max(1, |estimated|)`.
///
/// ```
/// use tapeless::check::{check_gradient, DEFAULT_STEP};
///
/// let f = |v: &[f64]| v[0].exp() * v[1];
/// let x = [0.3, 2.0];
/// let exact = [0.3_f64.exp() * 2.0, 0.3_f64.exp()];
/// assert!(check_gradient(f, &exact, &x, DEFAULT_STEP, 1e-7).is_ok());
/// assert!(check_gradient(f, &[0.0, 0.0], &x, DEFAULT_STEP, 1e-7).is_err());
/// ```
pub fn check_gradient(
    f: impl FnMut(&[f64]) -> f64,
    gradient: &[f64],
    x: &[f64],
    h: f64,
    tol: f64,
) -> Result<(), GradientMismatch> {
    let estimate = finite_difference_gradient(f, x, h);
    for index in 0..x.len().max(gradient.len()) {
        // A missing component (lengths differ) compares as NaN and is reported.
        let given = gradient.get(index).copied().unwrap_or(f64::NAN);
        let estimated = estimate.get(index).copied().unwrap_or(f64::NAN);
        let within = (given - estimated).abs() <= tol * estimated.abs().max(1.0);
        if !within {
            return Err(GradientMismatch { index, given, estimated });
        }
    }
    Ok(())
}
