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
    ($t:ty: $($m:ident),*) => {$(
        impl Differentiable for $m<$t> {
            type Tangent = $m<$t>;
            #[inline]
            fn zero_tangent(&self) -> Self::Tangent {
                let (r, c) = self.shape_generic();
                $m::zeros_generic(r, c)
            }
            fn zero_into(&self, tangent: &mut Self::Tangent) {
                if tangent.shape() == self.shape() {
                    tangent.fill(<$t as num_traits::Zero>::zero());
                } else {
                    *tangent = self.zero_tangent();
                }
            }
        }

        impl Tangent for $m<$t> {
            #[inline]
            fn add_tangent(&mut self, other: Self) {
                *self += other;
            }
            #[inline]
            fn scale_tangent(&mut self, factor: f64) {
                *self *= <$t as crate::real::Floating>::__tapeless_from_f64(factor);
            }
            #[inline]
            fn dot_tangent(&self, other: &Self) -> f64 {
                crate::real::Floating::__tapeless_to_f64(nalgebra::Matrix::dot(self, other))
            }
        }

        impl Owned for $m<$t> {
            type Out = $m<$t>;
            #[inline(always)]
            fn owned(self) -> Self::Out {
                self
            }
        }

        impl Owned for &$m<$t> {
            type Out = $m<$t>;
            #[inline]
            fn owned(self) -> Self::Out {
                self.clone()
            }
        }

        /// Scalar times matrix: `ā = ⟨ȳ, b⟩`, `b̄ = a ȳ`.
        impl<'a> Product<&'a $m<$t>> for $t {
            type Output = &'a $m<$t>;
            type Lhs = $t;
            type Rhs = $m<$t>;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: $t, b: &'a $m<$t>) -> $t {
                ybar.dot(b)
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: $t, _b: &'a $m<$t>) -> $m<$t> {
                ybar * a
            }
        }

        /// Matrix times scalar: `ā = ȳ b`, `b̄ = ⟨ȳ, a⟩`.
        impl<'a> Product<$t> for &'a $m<$t> {
            type Output = &'a $m<$t>;
            type Lhs = $m<$t>;
            type Rhs = $t;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: Self, b: $t) -> $m<$t> {
                ybar * b
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: Self, _b: $t) -> $t {
                ybar.dot(a)
            }
        }

        /// Matrix divided by a scalar.
        impl<'a> Quotient<$t> for &'a $m<$t> {
            type Output = &'a $m<$t>;
            type Lhs = $m<$t>;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, b: $t) -> $m<$t> {
                ybar / b
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, y: Self::Output, b: $t) -> $t {
                -ybar.dot(y) / b
            }
        }
    )*};
}
impl_dynamic!(f64: DMatrix, DVector, RowDVector);
impl_dynamic!(f32: DMatrix, DVector, RowDVector);
impl_dynamic!(crate::dual::Dual<f64>: DMatrix, DVector, RowDVector);

/// Matrix products of dynamically sized operands, `a * b` with `ȳ` of the product's shape:
/// `ā = ȳ bᵀ`, `b̄ = aᵀ ȳ` (as `a.tr_mul(ȳ)` for one column, without forming `aᵀ`).
macro_rules! impl_dynamic_product {
    ($t:ty: $($a:ident * $b:ident = $y:ident),*) => {$(
        impl<'a> Product<&'a $b<$t>> for &'a $a<$t> {
            type Output = &'a $y<$t>;
            type Lhs = $a<$t>;
            type Rhs = $b<$t>;
            #[inline]
            fn lhs_adjoint(ybar: Self::Output, _a: Self, b: &'a $b<$t>) -> $a<$t> {
                ybar * b.transpose()
            }
            #[inline]
            fn rhs_adjoint(ybar: Self::Output, a: Self, _b: &'a $b<$t>) -> $b<$t> {
                // nalgebra's `tr_mul` is a loop of dot products: right for one column (a
                // matrix-vector product), far slower than a blocked product for many.
                if ybar.ncols() > 1 { a.transpose() * ybar } else { a.tr_mul(ybar) }
            }
        }
    )*};
}
impl_dynamic_product!(f64: DMatrix * DMatrix = DMatrix, DMatrix * DVector = DVector,
    RowDVector * DMatrix = RowDVector, DVector * RowDVector = DMatrix);
impl_dynamic_product!(f32: DMatrix * DMatrix = DMatrix, DMatrix * DVector = DVector,
    RowDVector * DMatrix = RowDVector, DVector * RowDVector = DMatrix);
impl_dynamic_product!(crate::dual::Dual<f64>: DMatrix * DMatrix = DMatrix, DMatrix * DVector = DVector,
    RowDVector * DMatrix = RowDVector, DVector * RowDVector = DMatrix);
