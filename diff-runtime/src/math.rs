//! Special functions missing from `std`, each with the `_jvp`/`_vjp` pair that lets a
//! `#[differentiable]` function call it: `tapeless::math::erf(x)` composes like any
//! differentiated function.
//!
//! ```
//! use tapeless::differentiable;
//!
//! /// The standard normal CDF.
//! #[differentiable]
//! fn phi(z: f64) -> f64 {
//!     0.5 * (1.0 + tapeless::math::erf(z * std::f64::consts::FRAC_1_SQRT_2))
//! }
//!
//! let (p, density) = phi_grad(0.0);
//! assert!((p - 0.5).abs() < 1e-15);
//! assert!((density - 1.0 / (2.0 * std::f64::consts::PI).sqrt()).abs() < 1e-15);
//! ```

use core::f64::consts::PI;

/// The error function (libm's `erf`).
#[inline]
pub fn erf(x: f64) -> f64 {
    libm::erf(x)
}

/// `erf'(x) = 2/√π e^(-x²)`.
#[inline]
fn erf_derivative(x: f64) -> f64 {
    2.0 / PI.sqrt() * (-x * x).exp()
}

/// Forward mode of [`erf`].
#[inline]
pub fn erf_jvp(x: f64, dx: f64) -> (f64, f64) {
    (erf(x), erf_derivative(x) * dx)
}

/// Reverse mode of [`erf`].
#[inline]
pub fn erf_vjp(x: f64) -> (f64, impl FnOnce(f64) -> f64) {
    (erf(x), move |ct: f64| erf_derivative(x) * ct)
}

/// The complementary error function `1 - erf(x)` (libm's `erfc`, accurate for large `x`).
#[inline]
pub fn erfc(x: f64) -> f64 {
    libm::erfc(x)
}

/// Forward mode of [`erfc`].
#[inline]
pub fn erfc_jvp(x: f64, dx: f64) -> (f64, f64) {
    (erfc(x), -erf_derivative(x) * dx)
}

/// Reverse mode of [`erfc`].
#[inline]
pub fn erfc_vjp(x: f64) -> (f64, impl FnOnce(f64) -> f64) {
    (erfc(x), move |ct: f64| -erf_derivative(x) * ct)
}
