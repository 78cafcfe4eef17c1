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

/// What generated code needs of a generic float type parameter, added to the generated items'
/// `where` clauses beside the user's own bounds (`T: Float`, `T: RealField`, `T: Real`).
///
/// Implemented for `f32` and `f64` only. Every method's name is prefixed, and the supertraits'
/// methods (`zero_tangent`, `add_tangent`, `unit_seed`, ...) are named apart from those of
/// `num_traits::Float` and nalgebra's `RealField`, so that adding this bound never makes a
/// `x.sin()` or `T::one()` of the user's body ambiguous. [`Real`] is implemented for every
/// `Floating`, so the derivative rules (written over `Real`) apply to a generic `T`.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "tapeless differentiates `f32` and `f64`, not `{Self}`",
    note = "call the generated function at `f32` or `f64`"
)]
pub trait Floating:
    Copy
    + PartialOrd
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + core::fmt::Debug
    + crate::tangent::ScalarOutput<Tangent = Self>
    + crate::tangent::Tangent
    + crate::rules::products::Product<Self, Output = Self, Lhs = Self, Rhs = Self>
    + crate::rules::products::Quotient<Self, Output = Self, Lhs = Self>
    + 'static
{
    #[doc(hidden)]
    fn __tapeless_from_f64(value: f64) -> Self;
    #[doc(hidden)]
    fn __tapeless_to_f64(self) -> f64;
    #[doc(hidden)]
    fn __tapeless_sqrt(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_cbrt(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_ln(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_exp(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_sin(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_cos(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_sinh(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_cosh(self) -> Self;
    #[doc(hidden)]
    fn __tapeless_powi(self, n: i32) -> Self;
    #[doc(hidden)]
    fn __tapeless_powf(self, p: Self) -> Self;
    #[doc(hidden)]
    fn __tapeless_is_nan(self) -> bool;
}

macro_rules! impl_floating {
    ($($t:ident),*) => {$(
        impl Floating for $t {
            #[inline(always)] fn __tapeless_from_f64(value: f64) -> Self { value as $t }
            #[inline(always)] fn __tapeless_to_f64(self) -> f64 { self as f64 }
            #[inline(always)] fn __tapeless_sqrt(self) -> Self { $t::sqrt(self) }
            #[inline(always)] fn __tapeless_cbrt(self) -> Self { $t::cbrt(self) }
            #[inline(always)] fn __tapeless_ln(self) -> Self { $t::ln(self) }
            #[inline(always)] fn __tapeless_exp(self) -> Self { $t::exp(self) }
            #[inline(always)] fn __tapeless_sin(self) -> Self { $t::sin(self) }
            #[inline(always)] fn __tapeless_cos(self) -> Self { $t::cos(self) }
            #[inline(always)] fn __tapeless_sinh(self) -> Self { $t::sinh(self) }
            #[inline(always)] fn __tapeless_cosh(self) -> Self { $t::cosh(self) }
            #[inline(always)] fn __tapeless_powi(self, n: i32) -> Self { $t::powi(self, n) }
            #[inline(always)] fn __tapeless_powf(self, p: Self) -> Self { $t::powf(self, p) }
            #[inline(always)] fn __tapeless_is_nan(self) -> bool { $t::is_nan(self) }
        }
    )*};
}
impl_floating!(f32, f64);

impl<T: Floating> Real for T {
    #[inline(always)]
    fn from_f64(value: f64) -> Self {
        T::__tapeless_from_f64(value)
    }
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self.__tapeless_to_f64()
    }
    #[inline(always)]
    fn zero() -> Self {
        T::__tapeless_from_f64(0.0)
    }
    #[inline(always)]
    fn one() -> Self {
        T::__tapeless_from_f64(1.0)
    }
    #[inline(always)]
    fn sqrt(self) -> Self {
        self.__tapeless_sqrt()
    }
    #[inline(always)]
    fn cbrt(self) -> Self {
        self.__tapeless_cbrt()
    }
    #[inline(always)]
    fn ln(self) -> Self {
        self.__tapeless_ln()
    }
    #[inline(always)]
    fn exp(self) -> Self {
        self.__tapeless_exp()
    }
    #[inline(always)]
    fn sin(self) -> Self {
        self.__tapeless_sin()
    }
    #[inline(always)]
    fn cos(self) -> Self {
        self.__tapeless_cos()
    }
    #[inline(always)]
    fn sinh(self) -> Self {
        self.__tapeless_sinh()
    }
    #[inline(always)]
    fn cosh(self) -> Self {
        self.__tapeless_cosh()
    }
    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        self.__tapeless_powi(n)
    }
    #[inline(always)]
    fn powf(self, p: Self) -> Self {
        self.__tapeless_powf(p)
    }
    #[inline(always)]
    fn is_nan(self) -> bool {
        self.__tapeless_is_nan()
    }
}
