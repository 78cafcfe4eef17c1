//! Adjoints and tangents of the linear rules that need a runtime half (sums, casts, the
//! adjoint of an overwrite), and the strong zero of a smooth rule's adjoint. Generated code
//! calls them through `__private`.

use crate::real::{Floating, Real};

/// Sum of the elements, in order from `0` (the tangent of `v.iter().sum()`).
#[inline(always)]
pub fn sum<T: Real, A: AsRef<[T]> + ?Sized>(values: &A) -> T {
    values.as_ref().iter().fold(T::zero(), |acc, &v| acc + v)
}

/// `a[i] += c` for every `i` (the adjoint of a sum).
#[inline(always)]
pub fn add_to_each<T: Real, A: AsMut<[T]> + ?Sized>(adjoint: &mut A, c: T) {
    for a in adjoint.as_mut() {
        *a = *a + c;
    }
}

/// `partial * adjoint` with a strong zero: `0` whenever the adjoint is `0`, even where the
/// partial is NaN or infinite (a branch that did not run, an overwritten value).
#[inline(always)]
pub fn mul_adjoint<T: Floating>(partial: T, adjoint: T) -> T {
    if adjoint.__tapeless_is_zero() { T::zero() } else { partial * adjoint }
}

/// `adjoint / b` with a strong zero: `0` whenever the adjoint is `0`, even where `b` is `0` (the
/// adjoint of `a / b` for `a`, and of `norm` through `ȳ / y`, on a path that did not use it).
#[inline(always)]
pub fn div_adjoint<T: Floating>(adjoint: T, b: T) -> T {
    if adjoint.__tapeless_is_zero() { T::zero() } else { adjoint / b }
}

/// `-(adjoint y) / b` with a strong zero: the adjoint of `y = a / b` for `b`, `0` whenever the
/// adjoint is `0`.
#[inline(always)]
pub fn div_adjoint_rhs<T: Floating>(adjoint: T, y: T, b: T) -> T {
    if adjoint.__tapeless_is_zero() { T::zero() } else { -(adjoint * y) / b }
}

/// Moves the adjoint of one element out, leaving zero (the adjoint of an overwrite): a float's,
/// or a vector's of an array of nalgebra vectors.
#[inline(always)]
pub fn take<T: crate::tangent::Differentiable<Tangent = T>>(adjoint: &mut T) -> T {
    let zero = adjoint.zero_tangent();
    core::mem::replace(adjoint, zero)
}

/// Converts a cotangent back to the type of the value it belongs to (adjoint of a float cast).
/// Both parts of a dual number carry over.
#[inline(always)]
pub fn cast_like<S: Floating, T: Floating>(cotangent: S, _like: &T) -> T {
    let (re, eps) = cotangent.__tapeless_to_parts();
    T::__tapeless_from_parts(re, eps)
}

/// `m` with its entry `i` replaced by `entry`: the value of a coordinate written in place
/// (`q.y = e`, `q[1] = e` of a nalgebra vector), its tangent from the tangents, and the adjoint
/// of `m` (`entry` zero) from `ȳ`.
///
/// ```
/// use nalgebra::Vector3;
/// let v = tapeless::__private::with_entry(Vector3::new(1.0, 2.0, 3.0), 1, 7.0);
/// assert_eq!(v, Vector3::new(1.0, 7.0, 3.0));
/// ```
#[inline(always)]
pub fn with_entry<M: core::ops::IndexMut<usize, Output = T>, T>(mut m: M, i: usize, entry: T) -> M {
    m[i] = entry;
    m
}

/// `m` with its entry `(i, j)` replaced by `entry` (`m[(i, j)] = e` of a nalgebra matrix held
/// by value): see [`with_entry`].
///
/// ```
/// use nalgebra::Matrix2;
/// let m = tapeless::__private::with_entry2(Matrix2::<f64>::identity(), 0, 1, 5.0);
/// assert_eq!(m, Matrix2::new(1.0, 5.0, 0.0, 1.0));
/// ```
#[inline(always)]
pub fn with_entry2<M: core::ops::IndexMut<(usize, usize), Output = T>, T>(
    mut m: M,
    i: usize,
    j: usize,
    entry: T,
) -> M {
    m[(i, j)] = entry;
    m
}
