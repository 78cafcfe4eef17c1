//! nalgebra's dynamically sized matrices and vectors (`DMatrix`, `DVector`, `RowDVector`) as
//! differentiable values.
//!
//! They are not `Copy`, so generated code holds each such value once and reads it through a
//! reference (`&DMatrix<f64>`): the products and quotients here take references and return owned
//! adjoints, and [`Owned`] turns a cotangent that may be either into an owned one.
//!
//! ```
//! use nalgebra::{DMatrix, DVector};
//! use tapeless::differentiable;
//!
//! /// ‖A x‖².
//! #[differentiable(wrt(x))]
//! fn energy(a: &DMatrix<f64>, x: DVector<f64>) -> f64 {
//!     (a * x).norm_squared()
//! }
//!
//! let a = DMatrix::from_row_slice(2, 2, &[1.0, 2.0, 0.0, 3.0]);
//! let x = DVector::from_vec(vec![1.0, -1.0]);
//! let (value, grad) = energy_grad(&a, x.clone());
//! assert_eq!(value, (&a * &x).norm_squared());
//! assert_eq!(grad, 2.0 * a.transpose() * (&a * &x));
//! ```

use nalgebra::{DMatrix, DVector, RowDVector};

use crate::rules::products::{Product, Quotient};
use crate::tangent::{Differentiable, Tangent};

use super::Element;

/// A cotangent or tangent that generated code holds either owned or by reference, made owned
/// (a reference is cloned, an owned value moved).
#[doc(hidden)]
pub trait Owned {
    /// The owned type.
    type Out;
    /// The owned value.
    fn owned(self) -> Self::Out;
}

macro_rules! impl_dynamic {
    ($($m:ident),*) => {$(
        impl<T: Element> Differentiable for $m<T> {
            type Tangent = $m<T>;
            #[inline]
            fn zero_tangent(&self) -> Self::Tangent {
                let (r, c) = self.shape_generic();
                $m::zeros_generic(r, c)
            }
            fn zero_into(&self, tangent: &mut Self::Tangent) {
                if tangent.shape() == self.shape() {
                    tangent.fill(<T as num_traits::Zero>::zero());
                } else {
                    *tangent = self.zero_tangent();
                }
            }
        }

        impl<T: Element> Tangent for $m<T> {
            #[inline]
            fn add_tangent(&mut self, other: Self) {
                *self += other;
            }
            #[inline]
            fn scale_tangent(&mut self, factor: f64) {
                *self *= <T as crate::real::Floating>::__tapeless_from_f64(factor);
            }
            #[inline]
            fn dot_tangent(&self, other: &Self) -> f64 {
                crate::real::Floating::__tapeless_to_f64(nalgebra::Matrix::dot(self, other))
            }
        }

        impl<T: Element> Owned for $m<T> {
            type Out = $m<T>;
            #[inline(always)]
            fn owned(self) -> Self::Out {
                self
            }
        }

        impl<T: Element> Owned for &$m<T> {
            type Out = $m<T>;
            #[inline]
            fn owned(self) -> Self::Out {
                self.clone()
            }
        }

        /// Scalar times matrix: `ā = ⟨ȳ, b⟩`, `b̄ = a ȳ`.
        impl<'a, T: Element> Product<&'a $m<T>> for T {
            type Output = &'a $m<T>;
            type Lhs = T;
            type Rhs = $m<T>;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: T, b: &'a $m<T>) -> T {
                ybar.dot(b)
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: T, _b: &'a $m<T>) -> $m<T> {
                ybar * a
            }
        }

        /// Matrix times scalar: `ā = ȳ b`, `b̄ = ⟨ȳ, a⟩`.
        impl<'a, T: Element> Product<T> for &'a $m<T> {
            type Output = &'a $m<T>;
            type Lhs = $m<T>;
            type Rhs = T;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: Self, b: T) -> $m<T> {
                ybar * b
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: Self, _b: T) -> T {
                ybar.dot(a)
            }
        }

        /// Matrix divided by a scalar.
        impl<'a, T: Element> Quotient<T> for &'a $m<T> {
            type Output = &'a $m<T>;
            type Lhs = $m<T>;
            type Rhs = T;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, b: T) -> $m<T> {
                ybar / b
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
                -ybar.dot(y) / b
            }
            #[inline]
            fn strong_lhs_adjoint(ybar: Self::Output, b: T) -> $m<T> {
                if super::all_zero(ybar.iter()) { ybar.clone() } else { ybar / b }
            }
            #[inline]
            fn strong_rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
                if super::all_zero(ybar.iter()) { T::zero() } else { -ybar.dot(y) / b }
            }
        }
    )*};
}
impl_dynamic!(DMatrix, DVector, RowDVector);

/// Matrix products of dynamically sized operands, `a * b` with `ȳ` of the product's shape:
/// `ā = ȳ bᵀ`, `b̄ = aᵀ ȳ` (as `a.tr_mul(ȳ)` for one column, without forming `aᵀ`).
macro_rules! impl_dynamic_product {
    ($($a:ident * $b:ident = $y:ident),*) => {$(
        impl<'a, T: Element> Product<&'a $b<T>> for &'a $a<T> {
            type Output = &'a $y<T>;
            type Lhs = $a<T>;
            type Rhs = $b<T>;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: Self, b: &'a $b<T>) -> $a<T> {
                ybar * b.transpose()
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: Self, _b: &'a $b<T>) -> $b<T> {
                // nalgebra's `tr_mul` is a loop of dot products: right for one column (a
                // matrix-vector product), far slower than a blocked product for many.
                if ybar.ncols() > 1 { a.transpose() * ybar } else { a.tr_mul(ybar) }
            }
        }
    )*};
}
impl_dynamic_product!(
    DMatrix * DMatrix = DMatrix,
    DMatrix * DVector = DVector,
    RowDVector * DMatrix = RowDVector,
    DVector * RowDVector = DMatrix
);

/// A row times a column of dynamic length, `(xᵀ A x)` written with nalgebra: a `1 x 1` static
/// matrix. `ā = ȳ bᵀ`, `b̄ = aᵀ ȳ` as for the other products.
impl<'a, T: Element> Product<&'a DVector<T>> for &'a RowDVector<T> {
    type Output = &'a nalgebra::Matrix1<T>;
    type Lhs = RowDVector<T>;
    type Rhs = DVector<T>;
    #[inline]
    fn lhs_adjoint(ybar: Self::Output, _a: Self, b: &'a DVector<T>) -> RowDVector<T> {
        b.transpose() * ybar[(0, 0)]
    }
    #[inline]
    fn rhs_adjoint(ybar: Self::Output, a: Self, _b: &'a DVector<T>) -> DVector<T> {
        a.transpose() * ybar[(0, 0)]
    }
}

/// Static matrices too (`Matrix1` from a row times a column; a `Vector3` field of a struct,
/// read by reference like a `DVector` field): a copy.
impl<T: Element, const R: usize, const C: usize> Owned for nalgebra::SMatrix<T, R, C> {
    type Out = nalgebra::SMatrix<T, R, C>;
    #[inline(always)]
    fn owned(self) -> Self::Out {
        self
    }
}

impl<T: Element, const R: usize, const C: usize> Owned for &nalgebra::SMatrix<T, R, C> {
    type Out = nalgebra::SMatrix<T, R, C>;
    #[inline(always)]
    fn owned(self) -> Self::Out {
        *self
    }
}
