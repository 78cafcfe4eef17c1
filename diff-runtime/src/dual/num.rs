//! `num_traits` for `Dual<f64>`, so that a `#[differentiable(hessian)]` function generic over
//! `T: Float` (with `FromPrimitive`, `FloatConst`, `NumAssign`, `Sum`, ...) runs its generated
//! `_grad` at `T = Dual<f64>`: second order of generic code without rewriting it.
//!
//! Every method has the meaning of `f64`'s on the value, and carries the derivative part by the
//! same partials as first order ([`Scalar`]). Conversions out (`to_f64`, `to_i64`, ...) return
//! the value only; the macro rejects a `hessian` function that converts a differentiated value
//! to `f64`, where the derivative part would be lost.

use core::num::FpCategory;
use core::ops::RemAssign;

use num_traits::{Float, FloatConst, FromPrimitive, Num, NumCast, One, ToPrimitive, Zero};

use crate::dual::{Dual, Scalar};

type D = Dual<f64>;

impl RemAssign for D {
    #[inline(always)]
    fn rem_assign(&mut self, b: Self) {
        *self = *self % b;
    }
}

impl Zero for D {
    #[inline(always)]
    fn zero() -> Self {
        Dual::constant(0.0)
    }
    #[inline(always)]
    fn is_zero(&self) -> bool {
        self.re == 0.0 && self.eps == 0.0
    }
}

impl One for D {
    #[inline(always)]
    fn one() -> Self {
        Dual::constant(1.0)
    }
}

impl Num for D {
    type FromStrRadixErr = <f64 as Num>::FromStrRadixErr;
    fn from_str_radix(s: &str, radix: u32) -> Result<Self, Self::FromStrRadixErr> {
        f64::from_str_radix(s, radix).map(Dual::constant)
    }
}

impl ToPrimitive for D {
    fn to_i64(&self) -> Option<i64> {
        self.re.to_i64()
    }
    fn to_u64(&self) -> Option<u64> {
        self.re.to_u64()
    }
    fn to_f64(&self) -> Option<f64> {
        Some(self.re)
    }
}

impl NumCast for D {
    fn from<N: ToPrimitive>(n: N) -> Option<Self> {
        n.to_f64().map(Dual::constant)
    }
}

impl FromPrimitive for D {
    fn from_i64(n: i64) -> Option<Self> {
        Some(Dual::constant(n as f64))
    }
    fn from_u64(n: u64) -> Option<Self> {
        Some(Dual::constant(n as f64))
    }
    fn from_f64(n: f64) -> Option<Self> {
        Some(Dual::constant(n))
    }
}

macro_rules! constants {
    ($($name:ident)*) => {
        $( #[inline(always)] fn $name() -> Self { Dual::constant(<f64 as FloatConst>::$name()) } )*
    };
}

impl FloatConst for D {
    constants! {
        E FRAC_1_PI FRAC_1_SQRT_2 FRAC_2_PI FRAC_2_SQRT_PI FRAC_PI_2 FRAC_PI_3 FRAC_PI_4 FRAC_PI_6
        FRAC_PI_8 LN_10 LN_2 LOG10_E LOG2_E PI SQRT_2 TAU LOG10_2 LOG2_10
    }
}

macro_rules! float_constants {
    ($($name:ident)*) => {
        $( #[inline(always)] fn $name() -> Self { Dual::constant(<f64 as Float>::$name()) } )*
    };
}

macro_rules! same {
    (unary $($name:ident)*) => { $( #[inline(always)] fn $name(self) -> Self { Scalar::$name(self) } )* };
    (binary $($name:ident)*) => { $( #[inline(always)] fn $name(self, b: Self) -> Self { Scalar::$name(self, b) } )* };
    (test $($name:ident)*) => { $( #[inline(always)] fn $name(self) -> bool { Scalar::$name(self) } )* };
}

impl Float for D {
    float_constants! { nan infinity neg_infinity neg_zero min_value min_positive_value max_value epsilon }
    same! { unary floor ceil round trunc fract abs signum recip sqrt exp exp2 ln log2 log10 cbrt sin cos
    tan asin acos atan exp_m1 ln_1p sinh cosh tanh asinh acosh atanh to_degrees to_radians }
    same! { binary powf log max min hypot atan2 }
    same! { test is_nan is_infinite is_finite is_normal is_sign_positive is_sign_negative }
    #[inline(always)]
    fn classify(self) -> FpCategory {
        Scalar::classify(self)
    }
    #[inline(always)]
    fn mul_add(self, a: Self, b: Self) -> Self {
        Scalar::mul_add(self, a, b)
    }
    #[inline(always)]
    fn powi(self, n: i32) -> Self {
        Scalar::powi(self, n)
    }
    /// `max(self - b, 0)`.
    #[inline(always)]
    fn abs_sub(self, b: Self) -> Self {
        Scalar::max(self - b, Dual::constant(0.0))
    }
    #[inline(always)]
    fn sin_cos(self) -> (Self, Self) {
        Dual::sin_cos(self)
    }
    fn integer_decode(self) -> (u64, i16, i8) {
        self.re.integer_decode()
    }
    #[inline(always)]
    fn clamp(self, lo: Self, hi: Self) -> Self {
        Scalar::clamp(self, lo, hi)
    }
    #[inline(always)]
    fn is_subnormal(self) -> bool {
        Scalar::is_subnormal(self)
    }
    #[inline(always)]
    fn copysign(self, sign: Self) -> Self {
        Dual::copysign(self, sign)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn generic_cube<T: Float + FromPrimitive>(x: T) -> T {
        x.powi(3) * T::from_f64(0.5).unwrap_or_else(T::one) + x.sin()
    }

    #[test]
    fn generic_code_runs_on_duals() {
        let y = generic_cube(Dual::new(0.8_f64, 1.0));
        assert_eq!(y.re, generic_cube(0.8_f64));
        assert!((y.eps - (1.5 * 0.64 + 0.8_f64.cos())).abs() < 1e-15);
    }
}
