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

/// The methods [`Floating`] forwards to `f32`/`f64` and [`Real`] forwards to `Floating`, listed
/// once: `Real`'s name, `Floating`'s name, the extra parameter if any, the result.
macro_rules! floating_methods {
    ($mode:ident $($t:ident)?) => {
        floating_methods!(@each $mode $($t)? [
            sqrt __tapeless_sqrt () -> Self;
            cbrt __tapeless_cbrt () -> Self;
            ln __tapeless_ln () -> Self;
            exp __tapeless_exp () -> Self;
            sin __tapeless_sin () -> Self;
            cos __tapeless_cos () -> Self;
            sinh __tapeless_sinh () -> Self;
            cosh __tapeless_cosh () -> Self;
            powi __tapeless_powi (n: i32) -> Self;
            powf __tapeless_powf (p: Self) -> Self;
            is_nan __tapeless_is_nan () -> bool;
        ]);
    };
    (@each declare [$($real:ident $own:ident ($($a:ident: $at:ty)?) -> $r:ty;)*]) => {
        $( #[doc(hidden)] fn $own(self $(, $a: $at)?) -> $r; )*
    };
    (@each primitive $t:ident [$($real:ident $own:ident ($($a:ident: $at:ty)?) -> $r:ty;)*]) => {
        $( #[inline(always)] fn $own(self $(, $a: $at)?) -> $r { $t::$real(self $(, $a)?) } )*
    };
    (@each scalar [$($real:ident $own:ident ($($a:ident: $at:ty)?) -> $r:ty;)*]) => {
        $( #[inline(always)] fn $own(self $(, $a: $at)?) -> $r { crate::dual::Scalar::$real(self $(, $a)?) } )*
    };
    (@each forward [$($real:ident $own:ident ($($a:ident: $at:ty)?) -> $r:ty;)*]) => {
        $( #[inline(always)] fn $real(self $(, $a: $at)?) -> $r { self.$own($($a)?) } )*
    };
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
    + crate::rules::products::Quotient<Self, Output = Self, Lhs = Self, Rhs = Self>
    + 'static
{
    #[doc(hidden)]
    fn __tapeless_from_f64(value: f64) -> Self;
    #[doc(hidden)]
    fn __tapeless_to_f64(self) -> f64;
    /// Zero in every part (for a dual number, value and derivative): the strong zero of an
    /// adjoint.
    #[doc(hidden)]
    fn __tapeless_is_zero(self) -> bool;
    /// Value and derivative part as `f64` (a float's derivative part is `0`).
    #[doc(hidden)]
    fn __tapeless_to_parts(self) -> (f64, f64);
    /// From value and derivative part (a float keeps the value: floats only ever convert from
    /// floats).
    #[doc(hidden)]
    fn __tapeless_from_parts(re: f64, eps: f64) -> Self;
    floating_methods!(declare);
}

macro_rules! impl_floating {
    ($($t:ident),*) => {$(
        impl Floating for $t {
            #[inline(always)] fn __tapeless_from_f64(value: f64) -> Self { value as $t }
            #[inline(always)] fn __tapeless_to_f64(self) -> f64 { self as f64 }
            #[inline(always)] fn __tapeless_is_zero(self) -> bool { self == 0.0 }
            #[inline(always)] fn __tapeless_to_parts(self) -> (f64, f64) { (self as f64, 0.0) }
            #[inline(always)] fn __tapeless_from_parts(re: f64, _eps: f64) -> Self { re as $t }
            floating_methods!(primitive $t);
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
    floating_methods!(forward);
}
