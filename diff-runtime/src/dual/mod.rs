//! Second order: a forward-mode dual number, [`Dual`], that the generated reverse sweep is run on.
//!
//! `#[differentiable(hessian)]` emits a copy of `f_grad` that is generic over its scalar. Run
//! at `Dual<f64>` with the inputs `x + ε v`, it returns `∇f(x) + ε H v`: forward mode over the
//! generated reverse mode (JAX's `jvp` of `grad`), so a Hessian-vector product costs a small
//! multiple of a gradient and is exact.
//!
//! A `Dual` behaves as its value wherever the primal computation looks at a value: comparisons,
//! branch conditions and the kinks of `abs`, `max`, `min` and `clamp` see the value only, so
//! the second derivative is the one of the branch that runs, with the first-order conventions.
//! Only the strong zeros of the reverse sweep (`0 * NaN = 0` for an adjoint that is zero) look
//! at both parts ([`Floating::__tapeless_is_zero`]).

use core::cmp::Ordering;
use core::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Rem, Sub, SubAssign};

mod convert;
mod mixed;
mod num;

pub use self::convert::{
    CastTo, Lift, Primal, Promote, PromoteAsIs, PromoteByTrait, Promoting, Split, ValueOfVjp, cast, math,
    primal, promote, value_of_vjp,
};

use crate::real::Floating;
use crate::rules::elementary as d;
use crate::rules::products::{Product, Quotient};
use crate::tangent::{Differentiable, ScalarOutput, Tangent};

/// `re + ε eps` with `ε² = 0`: a value and its derivative along one direction.
///
/// ```
/// use tapeless::__private::{Dual, Scalar};
///
/// let x = Dual::new(2.0_f64, 1.0);
/// let y = x * x.sin();
/// assert_eq!(y.re, 2.0 * 2.0_f64.sin());
/// assert!((y.eps - (2.0_f64.sin() + 2.0 * 2.0_f64.cos())).abs() < 1e-15);
/// ```
#[derive(Clone, Copy, Default, Debug)]
pub struct Dual<T> {
    /// The value.
    pub re: T,
    /// The derivative along the direction the inputs were seeded with.
    pub eps: T,
}

impl<T: Floating> Dual<T> {
    /// `re + ε eps`.
    #[inline(always)]
    pub fn new(re: T, eps: T) -> Self {
        Dual { re, eps }
    }

    /// A constant: derivative zero.
    #[inline(always)]
    pub fn constant(re: T) -> Self {
        Dual { re, eps: T::__tapeless_from_f64(0.0) }
    }

    /// `f(re) + ε f'(re) eps`.
    #[inline(always)]
    fn chain(self, value: T, derivative: T) -> Self {
        Dual { re: value, eps: derivative * self.eps }
    }
}

impl<T: Floating> PartialEq for Dual<T> {
    /// Compares the values, as the primal computation does.
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        self.re == other.re
    }
}

impl<T: Floating> PartialOrd for Dual<T> {
    /// Orders by value, as the primal computation does.
    #[inline(always)]
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        self.re.partial_cmp(&other.re)
    }
}

/// The value, as the primal computation prints it: a message formatted in a second-order copy
/// (`assert!(x > 0.0, "{x:.3e}")`, `format!("{x}")`) reads as the primal's does.
macro_rules! format_by_value {
    ($($trait:ident),*) => {$(
        impl<T: Floating + core::fmt::$trait> core::fmt::$trait for Dual<T> {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                core::fmt::$trait::fmt(&self.re, f)
            }
        }
    )*};
}
format_by_value!(Display, LowerExp, UpperExp);

impl<T: Floating> Add for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn add(self, b: Self) -> Self {
        Dual { re: self.re + b.re, eps: self.eps + b.eps }
    }
}

impl<T: Floating> Sub for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, b: Self) -> Self {
        Dual { re: self.re - b.re, eps: self.eps - b.eps }
    }
}

impl<T: Floating> Mul for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, b: Self) -> Self {
        Dual { re: self.re * b.re, eps: self.eps * b.re + self.re * b.eps }
    }
}

impl<T: Floating> Div for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn div(self, b: Self) -> Self {
        let re = self.re / b.re;
        Dual { re, eps: (self.eps - re * b.eps) / b.re }
    }
}

impl<T: Floating> Neg for Dual<T> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        Dual { re: -self.re, eps: -self.eps }
    }
}

impl<T: Floating + Scalar> Rem for Dual<T> {
    type Output = Self;
    /// `a - b trunc(a / b)`, differentiated where the quotient's integer part is constant.
    #[inline(always)]
    fn rem(self, b: Self) -> Self {
        let q = (self.re / b.re).trunc();
        Dual { re: self.re - q * b.re, eps: self.eps - q * b.eps }
    }
}

macro_rules! assign_ops {
    ($($trait:ident $method:ident $op:tt;)*) => {$(
        impl<T: Floating> $trait for Dual<T> {
            #[inline(always)]
            fn $method(&mut self, b: Self) {
                *self = *self $op b;
            }
        }
    )*};
}
assign_ops! {
    AddAssign add_assign +;
    SubAssign sub_assign -;
    MulAssign mul_assign *;
    DivAssign div_assign /;
}

impl<T: Floating> core::iter::Sum for Dual<T> {
    fn sum<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Dual::constant(T::__tapeless_from_f64(0.0)), |a, b| a + b)
    }
}

impl<'a, T: Floating> core::iter::Sum<&'a Dual<T>> for Dual<T> {
    fn sum<I: Iterator<Item = &'a Self>>(iter: I) -> Self {
        iter.fold(Dual::constant(T::__tapeless_from_f64(0.0)), |a, b| a + *b)
    }
}

impl<T: Floating> core::iter::Product for Dual<T> {
    fn product<I: Iterator<Item = Self>>(iter: I) -> Self {
        iter.fold(Dual::constant(T::__tapeless_from_f64(1.0)), |a, b| a * b)
    }
}

impl<T: Floating> Differentiable for Dual<T> {
    type Tangent = Self;
    #[inline(always)]
    fn zero_tangent(&self) -> Self {
        Dual::constant(T::__tapeless_from_f64(0.0))
    }
}

impl<T: Floating> Tangent for Dual<T> {
    #[inline(always)]
    fn add_tangent(&mut self, other: Self) {
        *self += other;
    }
    #[inline(always)]
    fn scale_tangent(&mut self, factor: f64) {
        let f = T::__tapeless_from_f64(factor);
        *self = Dual { re: self.re * f, eps: self.eps * f };
    }
    /// The value part's product (the derivative part is not a tangent's component).
    #[inline(always)]
    fn dot_tangent(&self, other: &Self) -> f64 {
        (self.re * other.re).__tapeless_to_f64()
    }
}

impl<T: Floating> ScalarOutput for Dual<T> {
    #[inline(always)]
    fn unit_seed(&self) -> Self {
        Dual::constant(T::__tapeless_from_f64(1.0))
    }
}

impl<T: Floating> Product<Dual<T>> for Dual<T> {
    type Output = Self;
    type Lhs = Self;
    type Rhs = Self;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self, _a: Self, b: Self) -> Self {
        ybar * b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self, a: Self, _b: Self) -> Self {
        ybar * a
    }
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self, _a: Self, b: Self) -> Self {
        if both_zero(&ybar) { ybar } else { ybar * b }
    }
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self, a: Self, _b: Self) -> Self {
        if both_zero(&ybar) { ybar } else { ybar * a }
    }
}

/// Whether both parts of a dual cotangent are zero: the strong zero's test of the adjoints below.
#[inline(always)]
fn both_zero<T: Floating>(d: &Dual<T>) -> bool {
    d.re.__tapeless_is_zero() && d.eps.__tapeless_is_zero()
}

impl<T: Floating> Quotient<Dual<T>> for Dual<T> {
    type Output = Self;
    type Lhs = Self;
    type Rhs = Self;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self, b: Self) -> Self {
        ybar / b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self, y: Self, b: Self) -> Self {
        -(ybar * y) / b
    }
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self, b: Self) -> Self {
        if both_zero(&ybar) { ybar } else { ybar / b }
    }
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self, y: Self, b: Self) -> Self {
        if both_zero(&ybar) { ybar } else { -(ybar * y) / b }
    }
}

impl<T: Floating + Scalar> Floating for Dual<T> {
    #[inline(always)]
    fn __tapeless_from_f64(value: f64) -> Self {
        Dual::constant(T::__tapeless_from_f64(value))
    }
    #[inline(always)]
    fn __tapeless_to_f64(self) -> f64 {
        self.re.__tapeless_to_f64()
    }
    #[inline(always)]
    fn __tapeless_is_zero(self) -> bool {
        self.re.__tapeless_is_zero() && self.eps.__tapeless_is_zero()
    }
    #[inline(always)]
    fn __tapeless_to_parts(self) -> (f64, f64) {
        (self.re.__tapeless_to_f64(), self.eps.__tapeless_to_f64())
    }
    #[inline(always)]
    fn __tapeless_from_parts(re: f64, eps: f64) -> Self {
        Dual::new(T::__tapeless_from_f64(re), T::__tapeless_from_f64(eps))
    }
    floating_methods!(scalar);
}

/// The methods of `f64` that generated code calls on a float, under their own names, for the
/// scalar-generic copy of `_grad` that second order runs at [`Dual`]. Implemented for `f32`,
/// `f64` (the inherent methods) and `Dual` (value and derivative, with the partials of
/// [`crate::rules::elementary`]).
#[doc(hidden)]
#[allow(missing_docs, clippy::wrong_self_convention)]
pub trait Scalar: Sized {
    fn sin(self) -> Self;
    fn cos(self) -> Self;
    fn tan(self) -> Self;
    fn asin(self) -> Self;
    fn acos(self) -> Self;
    fn atan(self) -> Self;
    fn sinh(self) -> Self;
    fn cosh(self) -> Self;
    fn tanh(self) -> Self;
    fn asinh(self) -> Self;
    fn acosh(self) -> Self;
    fn atanh(self) -> Self;
    fn exp(self) -> Self;
    fn exp2(self) -> Self;
    fn exp_m1(self) -> Self;
    fn ln(self) -> Self;
    fn log2(self) -> Self;
    fn log10(self) -> Self;
    fn ln_1p(self) -> Self;
    fn sqrt(self) -> Self;
    fn cbrt(self) -> Self;
    fn recip(self) -> Self;
    fn to_degrees(self) -> Self;
    fn to_radians(self) -> Self;
    fn abs(self) -> Self;
    fn atan2(self, b: Self) -> Self;
    fn log(self, b: Self) -> Self;
    fn powf(self, b: Self) -> Self;
    fn hypot(self, b: Self) -> Self;
    fn copysign(self, b: Self) -> Self;
    fn midpoint(self, b: Self) -> Self;
    fn max(self, b: Self) -> Self;
    fn min(self, b: Self) -> Self;
    fn powi(self, n: i32) -> Self;
    fn mul_add(self, b: Self, c: Self) -> Self;
    fn clamp(self, lo: Self, hi: Self) -> Self;
    fn floor(self) -> Self;
    fn ceil(self) -> Self;
    fn round(self) -> Self;
    fn round_ties_even(self) -> Self;
    fn trunc(self) -> Self;
    fn signum(self) -> Self;
    fn fract(self) -> Self;
    fn rem_euclid(self, b: Self) -> Self;
    fn div_euclid(self, b: Self) -> Self;
    fn is_nan(self) -> bool;
    fn is_infinite(self) -> bool;
    fn is_finite(self) -> bool;
    fn is_normal(self) -> bool;
    fn is_subnormal(self) -> bool;
    fn is_sign_positive(self) -> bool;
    fn is_sign_negative(self) -> bool;
    fn classify(self) -> core::num::FpCategory;
    fn total_cmp(&self, other: &Self) -> Ordering;
}

/// `Scalar`'s methods forwarding to the same-named inherent methods of `$t`.
macro_rules! scalar_methods {
    ($t:ty) => {
        scalar_methods!(@by_value $t [
            sin cos tan asin acos atan sinh cosh tanh asinh acosh atanh exp exp2 exp_m1 ln log2
            log10 ln_1p sqrt cbrt recip to_degrees to_radians abs floor ceil round
            round_ties_even trunc signum fract
        ] [atan2 log powf hypot max min rem_euclid div_euclid copysign midpoint] [mul_add clamp]
        [is_nan is_infinite is_finite is_normal is_subnormal is_sign_positive is_sign_negative]);
        #[inline(always)]
        fn powi(self, n: i32) -> Self { <$t>::powi(self, n) }
        #[inline(always)]
        fn classify(self) -> core::num::FpCategory { <$t>::classify(self) }
        #[inline(always)]
        fn total_cmp(&self, other: &Self) -> Ordering { <$t>::total_cmp(self, other) }
    };
    (@by_value $t:ty [$($u:ident)*] [$($b:ident)*] [$($c:ident)*] [$($p:ident)*]) => {
        $( #[inline(always)] fn $u(self) -> Self { <$t>::$u(self) } )*
        $( #[inline(always)] fn $b(self, b: Self) -> Self { <$t>::$b(self, b) } )*
        $( #[inline(always)] fn $c(self, b: Self, c: Self) -> Self { <$t>::$c(self, b, c) } )*
        $( #[inline(always)] fn $p(self) -> bool { <$t>::$p(self) } )*
    };
}

impl Scalar for f32 {
    scalar_methods!(f32);
}

impl Scalar for f64 {
    scalar_methods!(f64);
}

macro_rules! dual_unary {
    ($($name:ident $partial:ident;)*) => {$(
        #[inline(always)]
        pub fn $name(self) -> Self {
            let y = self.re.$name();
            self.chain(y, d::$partial(self.re, y))
        }
    )*};
}

macro_rules! dual_binary {
    ($($name:ident $d0:ident $d1:ident;)*) => {$(
        #[inline(always)]
        pub fn $name(self, b: Self) -> Self {
            let y = self.re.$name(b.re);
            Dual { re: y, eps: d::$d0(self.re, b.re, y) * self.eps + d::$d1(self.re, b.re, y) * b.eps }
        }
    )*};
}

macro_rules! dual_constant {
    ($($name:ident)*) => {$(
        /// Piecewise constant: derivative zero.
        #[inline(always)]
        pub fn $name(self) -> Self {
            Dual::constant(self.re.$name())
        }
    )*};
}

macro_rules! dual_test {
    ($($name:ident)*) => {$(
        #[inline(always)]
        pub fn $name(self) -> bool {
            self.re.$name()
        }
    )*};
}

/// `f64`'s methods on dual numbers, inherent so that they take precedence over any trait in
/// scope (`num_traits::Float`, `tapeless::Real`) in generated code; [`Scalar`] forwards to them.
#[allow(missing_docs)]
impl<T: Floating + Scalar> Dual<T> {
    dual_unary! {
        sin sin_d0; cos cos_d0; tan tan_d0; asin asin_d0; acos acos_d0; atan atan_d0;
        sinh sinh_d0; cosh cosh_d0; tanh tanh_d0; asinh asinh_d0; acosh acosh_d0;
        atanh atanh_d0; exp exp_d0; exp2 exp2_d0; exp_m1 exp_m1_d0; ln ln_d0; log2 log2_d0;
        log10 log10_d0; ln_1p ln_1p_d0; sqrt sqrt_d0; cbrt cbrt_d0; recip recip_d0;
        to_degrees to_degrees_d0; to_radians to_radians_d0; abs abs_d0;
    }
    dual_binary! {
        atan2 atan2_d0 atan2_d1; log log_d0 log_d1; powf powf_d0 powf_d1;
        hypot hypot_d0 hypot_d1; max max_d0 max_d1; min min_d0 min_d1;
        midpoint midpoint_d0 midpoint_d1;
    }
    dual_constant! { floor ceil round round_ties_even trunc signum }
    dual_test! { is_nan is_infinite is_finite is_normal is_subnormal is_sign_positive is_sign_negative }

    #[inline(always)]
    pub fn powi(self, n: i32) -> Self {
        let y = self.re.powi(n);
        self.chain(y, d::powi_d0(self.re, n, y))
    }
    #[inline(always)]
    pub fn mul_add(self, b: Self, c: Self) -> Self {
        self * b + c
    }
    #[inline(always)]
    pub fn clamp(self, lo: Self, hi: Self) -> Self {
        let y = self.re.clamp(lo.re, hi.re);
        let eps = d::clamp_d0(self.re, lo.re, hi.re, y) * self.eps
            + d::clamp_d1(self.re, lo.re, hi.re, y) * lo.eps
            + d::clamp_d2(self.re, lo.re, hi.re, y) * hi.eps;
        Dual { re: y, eps }
    }
    /// `x - floor(x)`: derivative `1` between the jumps.
    #[inline(always)]
    pub fn fract(self) -> Self {
        Dual { re: self.re.fract(), eps: self.eps }
    }
    /// `a - b q` with the integer `q = a.div_euclid(b)` held constant.
    #[inline(always)]
    pub fn rem_euclid(self, b: Self) -> Self {
        let q = self.re.div_euclid(b.re);
        Dual { re: self.re.rem_euclid(b.re), eps: self.eps - q * b.eps }
    }
    #[inline(always)]
    pub fn div_euclid(self, b: Self) -> Self {
        Dual::constant(self.re.div_euclid(b.re))
    }
    /// Both of `sin` and `cos`.
    #[inline(always)]
    pub fn sin_cos(self) -> (Self, Self) {
        (self.sin(), self.cos())
    }
    /// The magnitude of `self` with the sign of `sign`: derivative `±1`, `0` at `0` (the sign's
    /// own derivative is zero), with first order's partials.
    #[inline(always)]
    pub fn copysign(self, sign: Self) -> Self {
        let y = self.re.copysign(sign.re);
        self.chain(y, d::copysign_d0(self.re, sign.re, y))
    }
    #[inline(always)]
    pub fn classify(self) -> core::num::FpCategory {
        self.re.classify()
    }
    #[inline(always)]
    pub fn total_cmp(&self, other: &Self) -> Ordering {
        self.re.total_cmp(&other.re)
    }
}

impl<T: Floating + Scalar> Scalar for Dual<T> {
    scalar_methods!(Self);
}

impl Dual<f64> {
    /// The value's bits (a constant of the computation: an integer has no derivative).
    #[inline(always)]
    pub fn to_bits(self) -> u64 {
        self.re.to_bits()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elementary_functions_carry_their_derivative() {
        let x = Dual::new(0.7_f64, 1.0);
        let cases: [(Dual<f64>, f64); 6] = [
            (Scalar::sin(x), 0.7_f64.cos()),
            (Scalar::exp(x), 0.7_f64.exp()),
            (Scalar::ln(x), 1.0 / 0.7),
            (Scalar::tanh(x), 1.0 - 0.7_f64.tanh().powi(2)),
            (Scalar::powi(x, 3), 3.0 * 0.49),
            (x / Scalar::sqrt(x), 0.5 / 0.7_f64.sqrt()),
        ];
        for (y, expected) in cases {
            assert!((y.eps - expected).abs() < 1e-14, "{y:?} vs {expected}");
        }
    }

    #[test]
    fn comparisons_see_the_value_and_zero_tests_both_parts() {
        let a = Dual::new(1.0_f64, 5.0);
        let b = Dual::new(1.0_f64, -2.0);
        assert!(a == b);
        assert!(!Dual::new(0.0_f64, 1.0).__tapeless_is_zero());
        assert!(Dual::new(0.0_f64, 0.0).__tapeless_is_zero());
        assert_eq!(Scalar::max(Dual::new(2.0_f64, 1.0), Dual::new(1.0, 3.0)).eps, 1.0);
    }
}
