//! Arithmetic between a dual number and a plain `f64`, for the tangent-typed dual copy of a
//! `_grad` (`second/typed/` in the macro): a value whose tangent is zero (a literal, the seed of
//! the gradient, an adjoint only the seed reaches) stays an `f64` there, and an operation with it
//! skips the products by that zero, which IEEE arithmetic would not let the compiler drop
//! (`0.0 * x` is not `0.0` for an infinite or NaN `x`).
//!
//! ```
//! use tapeless::__private::Dual;
//!
//! let x = Dual::new(3.0_f64, 1.0);
//! let y = 2.0 * x - 1.0;
//! assert_eq!((y.re, y.eps), (5.0, 2.0));
//! let z = 1.0 / x;
//! assert_eq!((z.re, z.eps), (1.0 / 3.0, -1.0 / 9.0));
//! ```

use core::ops::{Add, Div, Mul, Sub};

use super::Dual;

impl Add<f64> for Dual<f64> {
    type Output = Self;
    #[inline(always)]
    fn add(self, b: f64) -> Self {
        Dual { re: self.re + b, eps: self.eps }
    }
}

impl Add<Dual<f64>> for f64 {
    type Output = Dual<f64>;
    #[inline(always)]
    fn add(self, b: Dual<f64>) -> Dual<f64> {
        Dual { re: self + b.re, eps: b.eps }
    }
}

impl Sub<f64> for Dual<f64> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, b: f64) -> Self {
        Dual { re: self.re - b, eps: self.eps }
    }
}

impl Sub<Dual<f64>> for f64 {
    type Output = Dual<f64>;
    #[inline(always)]
    fn sub(self, b: Dual<f64>) -> Dual<f64> {
        Dual { re: self - b.re, eps: -b.eps }
    }
}

impl Mul<f64> for Dual<f64> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, b: f64) -> Self {
        Dual { re: self.re * b, eps: self.eps * b }
    }
}

impl Mul<Dual<f64>> for f64 {
    type Output = Dual<f64>;
    #[inline(always)]
    fn mul(self, b: Dual<f64>) -> Dual<f64> {
        Dual { re: self * b.re, eps: self * b.eps }
    }
}

impl Div<f64> for Dual<f64> {
    type Output = Self;
    #[inline(always)]
    fn div(self, b: f64) -> Self {
        Dual { re: self.re / b, eps: self.eps / b }
    }
}

impl Div<Dual<f64>> for f64 {
    type Output = Dual<f64>;
    /// `a / b`: derivative `-(a / b) b' / b`, as `Dual / Dual` computes it with `a' = 0`.
    #[inline(always)]
    fn div(self, b: Dual<f64>) -> Dual<f64> {
        let re = self / b.re;
        Dual { re, eps: -(re * b.eps) / b.re }
    }
}

#[cfg(test)]
mod tests {
    use super::Dual;

    /// Each mixed operation against the same one with the `f64` made a constant dual number.
    #[test]
    fn as_with_a_constant() {
        let (x, c) = (Dual::new(1.7_f64, -0.3), 2.5_f64);
        let k = Dual::constant(c);
        let same = |a: Dual<f64>, b: Dual<f64>| a.re == b.re && a.eps == b.eps;
        assert!(same(x + c, x + k) && same(c + x, k + x));
        assert!(same(x - c, x - k) && same(c - x, k - x));
        assert!(same(x * c, x * k) && same(c * x, k * x));
        assert!(same(x / c, x / k) && same(c / x, k / x));
    }
}
