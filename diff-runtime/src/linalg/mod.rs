//! nalgebra's statically sized matrices and vectors (`SMatrix`, `SVector`, `Matrix3`, ...) as
//! differentiable values: each is its own tangent, and products, quotients by a scalar and the
//! matrix methods the macro knows have their adjoints here. [`dynamic`] does the same for
//! `DVector` and `DMatrix`. The functions of this module (hidden from the documentation) are
//! called by generated code for `map`, `sum` and products only summed.
//!
//! ```
//! use nalgebra::{SMatrix, SVector};
//! use tapeless::differentiable;
//!
//! /// The quadratic form vᵀ A v.
//! #[differentiable]
//! fn quadratic(a: SMatrix<f64, 2, 2>, v: SVector<f64, 2>) -> f64 {
//!     (a * v).dot(&v)
//! }
//!
//! let a = SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0);
//! let v = SVector::<f64, 2>::new(0.5, -1.0);
//! let (value, (ga, gv)) = quadratic_grad(a, v);
//! assert_eq!(value, v.dot(&(a * v)));
//! assert_eq!(ga, v * v.transpose());
//! assert_eq!(gv, (a + a.transpose()) * v);
//! ```

use core::ops::Neg;
use nalgebra::allocator::Allocator;

use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, SMatrix, Scalar, storage::Storage};
use num_traits::NumAssign;

use crate::rules::products::{Product, Quotient};
use crate::tangent::{Differentiable, Tangent};

/// The entries of the matrices this module differentiates: `f32`, `f64`, a generic `T` bounded
/// by both (`T: RealField` in the user's code and `Floating` in the generated code), and second
/// order's dual number: a field's arithmetic, without nalgebra's `RealField` (whose `SimdValue`
/// part has `unsafe` methods, which this crate does not write).
pub trait Element: crate::real::Floating + Scalar + NumAssign + Neg<Output = Self> {}
impl<T: crate::real::Floating + Scalar + NumAssign + Neg<Output = T>> Element for T {}

impl<T: Element, const R: usize, const C: usize> Differentiable for SMatrix<T, R, C> {
    type Tangent = SMatrix<T, R, C>;
    #[inline(always)]
    fn zero_tangent(&self) -> Self::Tangent {
        SMatrix::zeros()
    }
}

/// A point's tangent is a displacement: the vector of its coordinates' derivatives.
///
/// ```
/// use nalgebra::{Point3, Vector3};
/// use tapeless::Differentiable;
///
/// assert_eq!(Point3::new(1.0, 2.0, 3.0).zero_tangent(), Vector3::zeros());
/// ```
impl<T: Element, const D: usize> Differentiable for nalgebra::Point<T, D> {
    type Tangent = nalgebra::SVector<T, D>;
    #[inline(always)]
    fn zero_tangent(&self) -> Self::Tangent {
        nalgebra::SVector::zeros()
    }
}

impl<T: Element, const R: usize, const C: usize> Tangent for SMatrix<T, R, C> {
    #[inline(always)]
    fn add_tangent(&mut self, other: Self) {
        *self += other;
    }
    #[inline(always)]
    fn scale_tangent(&mut self, factor: f64) {
        *self *= <T as crate::Real>::from_f64(factor);
    }
    #[inline(always)]
    fn dot_tangent(&self, other: &Self) -> f64 {
        crate::Real::to_f64(SMatrix::dot(self, other))
    }
}

/// Matrix product: `ā = ȳ bᵀ`, `b̄ = aᵀ ȳ`.
impl<T: Element, const R: usize, const C: usize, const K: usize> Product<SMatrix<T, C, K>>
    for SMatrix<T, R, C>
{
    type Output = SMatrix<T, R, K>;
    type Lhs = Self;
    type Rhs = SMatrix<T, C, K>;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: Self, b: SMatrix<T, C, K>) -> Self {
        ybar * b.transpose()
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: Self, _b: SMatrix<T, C, K>) -> SMatrix<T, C, K> {
        a.transpose() * ybar
    }
}

/// Square matrix times point (a rotation built from angles is held as its matrix,
/// `lower::rotations`): the point's tangent is its coordinates' vector, `ā = ȳ pᵀ`, `p̄ = aᵀ ȳ`.
impl<T: Element, const D: usize> Product<nalgebra::Point<T, D>> for SMatrix<T, D, D> {
    type Output = nalgebra::SVector<T, D>;
    type Lhs = Self;
    type Rhs = nalgebra::SVector<T, D>;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: Self, b: nalgebra::Point<T, D>) -> Self {
        ybar * b.coords.transpose()
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: Self, _b: nalgebra::Point<T, D>) -> nalgebra::SVector<T, D> {
        a.transpose() * ybar
    }
}

/// Scalar times matrix: `ā = ⟨ȳ, b⟩`, `b̄ = a ȳ`.
impl<T: Element, const R: usize, const C: usize> Product<SMatrix<T, R, C>> for T {
    type Output = SMatrix<T, R, C>;
    type Lhs = T;
    type Rhs = SMatrix<T, R, C>;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: T, b: SMatrix<T, R, C>) -> T {
        ybar.dot(&b)
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: T, _b: SMatrix<T, R, C>) -> SMatrix<T, R, C> {
        ybar * a
    }
}

/// Matrix times scalar: `ā = ȳ b`, `b̄ = ⟨ȳ, a⟩`.
impl<T: Element, const R: usize, const C: usize> Product<T> for SMatrix<T, R, C> {
    type Output = SMatrix<T, R, C>;
    type Lhs = Self;
    type Rhs = T;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, _a: Self, b: T) -> Self {
        ybar * b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, a: Self, _b: T) -> T {
        ybar.dot(&a)
    }
}

/// Matrix divided by a scalar.
impl<T: Element, const R: usize, const C: usize> Quotient<T> for SMatrix<T, R, C> {
    type Output = SMatrix<T, R, C>;
    type Lhs = Self;
    type Rhs = T;
    #[inline(always)]
    fn lhs_adjoint(ybar: Self::Output, b: T) -> Self {
        ybar / b
    }
    #[inline(always)]
    fn rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
        -ybar.dot(&y) / b
    }
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self::Output, b: T) -> Self {
        if all_zero(ybar.iter()) { ybar } else { ybar / b }
    }
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self::Output, y: Self::Output, b: T) -> T {
        if all_zero(ybar.iter()) { T::zero() } else { -ybar.dot(&y) / b }
    }
}

/// Whether every entry of a cotangent is exactly zero (a strong zero's test: the quotient's
/// adjoint is then zero, even where the divisor is `0`).
#[inline]
pub(crate) fn all_zero<'a, T: Element>(mut entries: impl Iterator<Item = &'a T>) -> bool {
    entries.all(|e| e.__tapeless_is_zero())
}

mod angle;
mod borrowed;
mod determinant;
pub mod dynamic;
mod extremum;
mod rotations;
mod solve;
mod strong;
mod sums;
pub use angle::angle_gradient;
pub use determinant::{cofactors, determinant, try_inverse};
pub use extremum::{Extremum, extremum_adjoint, extremum_tangent};
#[doc(hidden)]
pub use solve::{
    Cholesky, Lu, cholesky, cholesky_factor_adjoint, cholesky_factor_tangent, folded_to_lower, lu, solve,
    symmetric_from_lower,
};
pub use strong::{component_div_adjoint, component_div_adjoint_rhs, map_adjoint, normalize_adjoint};
pub use sums::{
    column_mean_adjoint, column_sum_adjoint, lower_triangle_adjoint, mean_adjoint, row_mean_adjoint,
    row_sum_adjoint, upper_triangle_adjoint, variance_adjoint, variance_tangent,
};

/// A matrix of `x`'s shape with every entry `value` (the adjoint of `x.sum()`), in one pass.
#[doc(hidden)]
pub fn filled_like<T, R, C, S>(x: &Matrix<T, R, C, S>, value: T) -> OMatrix<T, R, C>
where
    T: Scalar,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    let (r, c) = x.shape_generic();
    OMatrix::from_element_generic(r, c, value)
}

/// `ā` of `a * b` when `ȳ` is `fill` in every entry (the product's only use is `.sum()`):
/// `ā[(i, k)] = fill · Σ_j b[(k, j)]`, in one pass over `b`.
#[doc(hidden)]
pub fn filled_product_lhs<T, R1, C1, R2, C2, S1, S2>(
    fill: T,
    a: &Matrix<T, R1, C1, S1>,
    b: &Matrix<T, R2, C2, S2>,
) -> OMatrix<T, R1, C1>
where
    T: Element + Copy,
    R1: Dim,
    C1: Dim,
    R2: Dim,
    C2: Dim,
    S1: Storage<T, R1, C1>,
    S2: Storage<T, R2, C2>,
    DefaultAllocator: Allocator<R1, C1>,
{
    let row_sums: Vec<T> = b.row_iter().map(|r| r.sum() * fill).collect();
    let (r, c) = a.shape_generic();
    OMatrix::from_fn_generic(r, c, |_, k| row_sums[k])
}

/// `b̄` of `a * b` when `ȳ` is `fill` in every entry: `b̄[(k, j)] = fill · Σ_i a[(i, k)]`.
#[doc(hidden)]
pub fn filled_product_rhs<T, R1, C1, R2, C2, S1, S2>(
    fill: T,
    a: &Matrix<T, R1, C1, S1>,
    b: &Matrix<T, R2, C2, S2>,
) -> OMatrix<T, R2, C2>
where
    T: Element + Copy,
    R1: Dim,
    C1: Dim,
    R2: Dim,
    C2: Dim,
    S1: Storage<T, R1, C1>,
    S2: Storage<T, R2, C2>,
    DefaultAllocator: Allocator<R2, C2>,
{
    let column_sums: Vec<T> = a.column_iter().map(|c| c.sum() * fill).collect();
    let (r, c) = b.shape_generic();
    OMatrix::from_fn_generic(r, c, |k, _| column_sums[k])
}

/// `Σ (a b)` without forming `a b`: `Σ_k (Σ_i a[(i, k)]) (Σ_j b[(k, j)])` (the tangent of the
/// sum of a product, one factor a tangent).
#[doc(hidden)]
pub fn product_sum<T, R1, C1, R2, C2, S1, S2>(a: &Matrix<T, R1, C1, S1>, b: &Matrix<T, R2, C2, S2>) -> T
where
    T: Element + Copy,
    R1: Dim,
    C1: Dim,
    R2: Dim,
    C2: Dim,
    S1: Storage<T, R1, C1>,
    S2: Storage<T, R2, C2>,
{
    a.column_iter().zip(b.row_iter()).fold(T::zero(), |s, (c, r)| s + c.sum() * r.sum())
}

/// `x.map(f)` for an `f` returning each element's value and derivative: the two matrices, in
/// one pass (the primal sweep of a `map` whose adjoint is needed keeps the derivative).
#[doc(hidden)]
pub fn map_with_derivative<T, R, C, S, F>(
    x: &Matrix<T, R, C, S>,
    mut f: F,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    T: Scalar + Copy,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    F: FnMut(T) -> (T, T),
    DefaultAllocator: Allocator<R, C>,
{
    map_with_tangent(x, x, |e, _| f(e))
}

/// `x.map(f)` and its tangent along `t`, for an `f` returning the value and tangent of each
/// element given the element and its tangent, in one pass.
#[doc(hidden)]
pub fn map_with_tangent<T, R, C, S, S2, F>(
    x: &Matrix<T, R, C, S>,
    t: &Matrix<T, R, C, S2>,
    mut f: F,
) -> (OMatrix<T, R, C>, OMatrix<T, R, C>)
where
    T: Scalar + Copy,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    F: FnMut(T, T) -> (T, T),
    DefaultAllocator: Allocator<R, C>,
{
    let (mut value, mut tangent) = (x.clone_owned(), t.clone_owned());
    for (v, dv) in value.iter_mut().zip(tangent.iter_mut()) {
        (*v, *dv) = f(*v, *dv);
    }
    (value, tangent)
}
