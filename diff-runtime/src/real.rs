//! [`Real`]: the operations the derivative rules need, implemented for `f32` and `f64`.
//!
//! Rules are written once, generically over `Real`, and inlined at each use: a rule costs what
//! the same arithmetic written by hand on `f64` costs.

use core::ops::{Add, Div, Mul, Neg, Sub};

/// A floating-point scalar: `f32` or `f64`.
///
/// Every method has the meaning of the inherent method of the same name on `f64`.
///
/// ```
/// use tapeless::Real;
///
/// fn norm<T: Real>(a: T, b: T) -> T {
///     (a * a + b * b).sqrt()
/// }
/// assert_eq!(norm(3.0_f64, 4.0), 5.0);
/// assert_eq!(norm(3.0_f32, 4.0), 5.0);
/// ```
#[allow(missing_docs)]
#[diagnostic::on_unimplemented(
    message = "tapeless knows this elementary function's derivative for `f32` and `f64`, not for `{Self}`",
    note = "for a matrix or vector, apply it to the entries with `m.map(|e| ..)` (for example \
            `v.map(|e| e.abs())`), or give the operation a `#[differentiable]` wrapper"
)]
pub trait Real:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + core::fmt::Debug
    + 'static
{
    /// Converts from `f64` (rounding for `f32`).
    fn from_f64(value: f64) -> Self;
    /// Converts to `f64` (exact for both types).
    fn to_f64(self) -> f64;
    /// `0`.
    fn zero() -> Self;
    /// `1`.
    fn one() -> Self;
    fn sqrt(self) -> Self;
    fn cbrt(self) -> Self;
    fn ln(self) -> Self;
    fn exp(self) -> Self;
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn powi(self, n: i32) -> Self;
    fn powf(self, p: Self) -> Self;
    fn is_nan(self) -> bool;
}

macro_rules! impl_real {
    ($($t:ident),*) => {$(
        impl Real for $t {
            #[inline(always)] fn from_f64(value: f64) -> Self { value as $t }
            #[inline(always)] fn to_f64(self) -> f64 { self as f64 }
            #[inline(always)] fn zero() -> Self { 0.0 }
            #[inline(always)] fn one() -> Self { 1.0 }
            #[inline(always)] fn sqrt(self) -> Self { $t::sqrt(self) }
            #[inline(always)] fn cbrt(self) -> Self { $t::cbrt(self) }
            #[inline(always)] fn ln(self) -> Self { $t::ln(self) }
            #[inline(always)] fn exp(self) -> Self { $t::exp(self) }
            #[inline(always)] fn sin(self) -> Self { $t::sin(self) }
            #[inline(always)] fn cos(self) -> Self { $t::cos(self) }
            #[inline(always)] fn sinh(self) -> Self { $t::sinh(self) }
            #[inline(always)] fn cosh(self) -> Self { $t::cosh(self) }
            #[inline(always)] fn powi(self, n: i32) -> Self { $t::powi(self, n) }
            #[inline(always)] fn powf(self, p: Self) -> Self { $t::powf(self, p) }
            #[inline(always)] fn is_nan(self) -> bool { $t::is_nan(self) }
        }
    )*};
}
impl_real!(f32, f64);
