//! Products of statically sized matrices held by reference: a `Matrix3` or `Vector3` field of a
//! `#[derive(Differentiable)]` struct that a nalgebra method borrows (`p.r.transpose() * v`) is
//! read in place, as `&p.r`, because the macro cannot see whether the field is a `DMatrix`
//! (which cannot be moved out of the struct) or a static matrix. The adjoints are those of the
//! owned operands; `ȳ` is held by reference, as for every value held by reference.
//!
//! ```
//! use nalgebra::{Matrix3, Vector3};
//! use tapeless::{Differentiable, differentiable};
//!
//! #[derive(Clone, Debug, Differentiable)]
//! struct Frame {
//!     r: Matrix3<f64>,
//! }
//!
//! /// The second coordinate of `v` in the frame's basis.
//! #[differentiable(wrt(f))]
//! fn local_y(f: &Frame, v: &Vector3<f64>) -> f64 {
//!     (f.r.transpose() * v).y
//! }
//!
//! let f = Frame { r: Matrix3::identity() };
//! let (value, g) = local_y_grad(&f, &Vector3::new(1.0, 2.0, 3.0));
//! assert_eq!(value, 2.0);
//! // d/dR of (Rᵀ v)_y = v_i R_iy: the column y of the gradient is v.
//! assert_eq!(g.r.column(1), Vector3::new(1.0, 2.0, 3.0));
//! assert_eq!(g.r.column(0), Vector3::zeros());
//! ```

use nalgebra::SMatrix;

use super::Element;
use crate::rules::products::{Product, Quotient};

/// `a * b` with one operand or both behind a reference: `ā = ȳ bᵀ`, `b̄ = aᵀ ȳ`.
macro_rules! product_by_reference {
    ($([$a:ty, $b:ty])*) => {$(
        impl<'a, T: Element, const R: usize, const C: usize, const K: usize> Product<$b> for $a {
            type Output = &'a SMatrix<T, R, K>;
            type Lhs = SMatrix<T, R, C>;
            type Rhs = SMatrix<T, C, K>;
            #[inline(always)]
            fn lhs_adjoint(ybar: Self::Output, _a: Self, b: $b) -> Self::Lhs {
                ybar * b.transpose()
            }
            #[inline(always)]
            fn rhs_adjoint(ybar: Self::Output, a: Self, _b: $b) -> Self::Rhs {
                a.transpose() * ybar
            }
        }
    )*};
}

product_by_reference! {
    [&'a SMatrix<T, R, C>, &'a SMatrix<T, C, K>]
    [&'a SMatrix<T, R, C>, SMatrix<T, C, K>]
    [SMatrix<T, R, C>, &'a SMatrix<T, C, K>]
}

/// Scalar times a matrix behind a reference: `ā = ⟨ȳ, b⟩`, `b̄ = a ȳ`.
impl<'a, T: Element, const R: usize, const C: usize> Product<&'a SMatrix<T, R, C>> for T {
    type Output = &'a SMatrix<T, R, C>;
    type Lhs = T;
    type Rhs = SMatrix<T, R, C>;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: T, b: &'a SMatrix<T, R, C>) -> T {
        ybar.dot(b)
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: T, _b: &'a SMatrix<T, R, C>) -> SMatrix<T, R, C> {
        ybar * a
    }
}

/// A matrix behind a reference times a scalar: `ā = ȳ b`, `b̄ = ⟨ȳ, a⟩`.
impl<'a, T: Element, const R: usize, const C: usize> Product<T> for &'a SMatrix<T, R, C> {
    type Output = &'a SMatrix<T, R, C>;
    type Lhs = SMatrix<T, R, C>;
    type Rhs = T;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: Self, b: T) -> SMatrix<T, R, C> {
        ybar * b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: Self, _b: T) -> T {
        ybar.dot(a)
    }
}

/// A matrix behind a reference divided by a scalar.
impl<'a, T: Element, const R: usize, const C: usize> Quotient<T> for &'a SMatrix<T, R, C> {
    type Output = &'a SMatrix<T, R, C>;
    type Lhs = SMatrix<T, R, C>;
    type Rhs = T;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, b: T) -> SMatrix<T, R, C> {
        ybar / b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
        -ybar.dot(y) / b
    }
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self::Output, b: T) -> SMatrix<T, R, C> {
        if super::all_zero(ybar.iter()) { *ybar } else { ybar / b }
    }
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
        if super::all_zero(ybar.iter()) { T::zero() } else { -ybar.dot(y) / b }
    }
}
