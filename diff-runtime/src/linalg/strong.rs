//! Adjoints with a strong zero (`0` wherever `ȳ` is) of nalgebra methods whose partials are not
//! finite everywhere: `v.normalize()`, `a.component_div(&b)` and `m.map(f)`. The entrywise ones
//! are the scalar rules' (`div_adjoint`, `div_adjoint_rhs`, `mul_adjoint`) entry by entry.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, storage::Storage};

use super::Element;

/// `(ȳ - y (y·ȳ)) / |v|`, the adjoint of `y = v.normalize()` for `v`; zero whenever every entry
/// of `ȳ` is (a strong zero): a unit vector of the zero vector is NaN, and a value the path that
/// ran did not use must not turn the gradient into NaN.
///
/// ```
/// use nalgebra::Vector2;
///
/// // Along `y` itself the unit vector does not change: only the part of `ȳ` across it is left.
/// let v = Vector2::new(3.0, 0.0);
/// let a = tapeless::__private::normalize_adjoint(&Vector2::new(1.0, 2.0), &v.normalize(), &v);
/// assert!((a - Vector2::new(0.0, 2.0 / 3.0)).norm() < 1e-15);
/// // At the zero vector, a zero cotangent gives a zero adjoint, not NaN.
/// let zero = Vector2::<f64>::zeros();
/// let a = tapeless::__private::normalize_adjoint(&zero, &zero.normalize(), &zero);
/// assert_eq!(a, zero);
/// ```
pub fn normalize_adjoint<T, R, C, S1, S2, S3>(
    ybar: &Matrix<T, R, C, S1>,
    y: &Matrix<T, R, C, S2>,
    v: &Matrix<T, R, C, S3>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    S3: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    if super::all_zero(ybar.iter()) {
        return ybar.clone_owned();
    }
    let (along, norm) = (y.dot(ybar), v.dot(v).__tapeless_sqrt());
    ybar.zip_map(y, |b, e| (b - e * along) / norm)
}

/// `ȳ ⊘ b`, the adjoint of `y = a.component_div(&b)` for `a`, each entry zero where `ȳ`'s is (a
/// strong zero: `b` may have a zero entry where the value was not used).
///
/// ```
/// use nalgebra::Vector2;
///
/// let a = tapeless::__private::component_div_adjoint(&Vector2::new(0.0, 3.0), &Vector2::new(0.0, 2.0));
/// assert_eq!(a, Vector2::new(0.0, 1.5));
/// ```
pub fn component_div_adjoint<T, R, C, S1, S2>(
    ybar: &Matrix<T, R, C, S1>,
    b: &Matrix<T, R, C, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    ybar.zip_map(b, crate::rules::linear::div_adjoint)
}

/// `-(ȳ ∘ y) ⊘ b`, the adjoint of `y = a.component_div(&b)` for `b`, each entry zero where `ȳ`'s
/// is.
///
/// ```
/// use nalgebra::Vector2;
///
/// let (y, b) = (Vector2::new(f64::NAN, 2.0), Vector2::new(0.0, 2.0));
/// let a = tapeless::__private::component_div_adjoint_rhs(&Vector2::new(0.0, 3.0), &y, &b);
/// assert_eq!(a, Vector2::new(0.0, -3.0));
/// ```
pub fn component_div_adjoint_rhs<T, R, C, S1, S2, S3>(
    ybar: &Matrix<T, R, C, S1>,
    y: &Matrix<T, R, C, S2>,
    b: &Matrix<T, R, C, S3>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    S3: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    ybar.zip_zip_map(y, b, crate::rules::linear::div_adjoint_rhs)
}

/// `d ∘ ȳ`, the adjoint of `y = x.map(f)` for `x` from the saved derivatives `d = f'(x)`, each
/// entry zero where `ȳ`'s is (a strong zero: `f'` may be NaN at an entry nothing read).
///
/// ```
/// use nalgebra::Vector2;
///
/// // `x.map(|e| e.sqrt())` at x = (-1, 4), of which only the second entry was read.
/// let d = Vector2::new(f64::NAN, 0.25);
/// let a = tapeless::__private::map_adjoint(&d, &Vector2::new(0.0, 1.0));
/// assert_eq!(a, Vector2::new(0.0, 0.25));
/// ```
pub fn map_adjoint<T, R, C, S1, S2>(d: &Matrix<T, R, C, S1>, ybar: &Matrix<T, R, C, S2>) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    d.zip_map(ybar, crate::rules::linear::mul_adjoint)
}
