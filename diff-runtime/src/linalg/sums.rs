//! Adjoints of the sums and means of a matrix along one direction, `m.column_sum()` (the sum of
//! the columns: one entry per row), `m.row_sum()` (one entry per column), `column_mean`,
//! `row_mean`, and of `m.mean()`: each entry of `m` receives the adjoint of the sum it went into.
//! Also those of the triangles `m.lower_triangle()` and `m.upper_triangle()`. Also the derivative of
//! `m.variance()` (nalgebra's population variance, `Σ (mᵢ - mean)² / len`): `2 (mᵢ - mean) / len`.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, U1, storage::Storage};

use super::Element;

/// The adjoint of `m.column_sum()`: `ybar[i]` in every entry of row `i`.
///
/// ```
/// use nalgebra::{Matrix2x3, Vector2};
/// use tapeless::__private::column_sum_adjoint;
///
/// let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let ybar = Vector2::new(1.0, -1.0);
/// assert_eq!(column_sum_adjoint(&m, &ybar), Matrix2x3::new(1.0, 1.0, 1.0, -1.0, -1.0, -1.0));
/// ```
pub fn column_sum_adjoint<T, R, C, S, S2>(
    m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, R, U1, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, U1>,
    DefaultAllocator: Allocator<R, C>,
{
    spread(m, |i, _| ybar[i])
}

/// The adjoint of `m.row_sum()`: `ybar[j]` in every entry of column `j`.
///
/// ```
/// use nalgebra::{Matrix2x3, RowVector3};
/// use tapeless::__private::row_sum_adjoint;
///
/// let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let ybar = RowVector3::new(1.0, 2.0, 3.0);
/// assert_eq!(row_sum_adjoint(&m, &ybar), Matrix2x3::new(1.0, 2.0, 3.0, 1.0, 2.0, 3.0));
/// ```
pub fn row_sum_adjoint<T, R, C, S, S2>(
    m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, U1, C, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, U1, C>,
    DefaultAllocator: Allocator<R, C>,
{
    spread(m, |_, j| ybar[j])
}

/// The adjoint of `m.column_mean()`: `ybar[i] / ncols` in every entry of row `i`.
///
/// ```
/// use nalgebra::{Matrix2x3, Vector2};
/// use tapeless::__private::column_mean_adjoint;
///
/// let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let ybar = Vector2::new(3.0, -6.0);
/// assert_eq!(column_mean_adjoint(&m, &ybar), Matrix2x3::new(1.0, 1.0, 1.0, -2.0, -2.0, -2.0));
/// ```
pub fn column_mean_adjoint<T, R, C, S, S2>(
    m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, R, U1, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, U1>,
    DefaultAllocator: Allocator<R, C>,
{
    column_sum_adjoint(m, ybar) / T::__tapeless_from_f64(m.ncols() as f64)
}

/// The adjoint of `m.row_mean()`: `ybar[j] / nrows` in every entry of column `j`.
///
/// ```
/// use nalgebra::{Matrix2x3, RowVector3};
/// use tapeless::__private::row_mean_adjoint;
///
/// let m = Matrix2x3::new(1.0, 2.0, 3.0, 4.0, 5.0, 6.0);
/// let ybar = RowVector3::new(2.0, 4.0, 6.0);
/// assert_eq!(row_mean_adjoint(&m, &ybar), Matrix2x3::new(1.0, 2.0, 3.0, 1.0, 2.0, 3.0));
/// ```
pub fn row_mean_adjoint<T, R, C, S, S2>(
    m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, U1, C, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, U1, C>,
    DefaultAllocator: Allocator<R, C>,
{
    row_sum_adjoint(m, ybar) / T::__tapeless_from_f64(m.nrows() as f64)
}

/// The adjoint of `m.lower_triangle()` (the diagonal and below kept, the rest zero): `ybar`'s
/// lower triangle, since the entries above the diagonal do not reach the result.
///
/// ```
/// use nalgebra::Matrix2;
/// use tapeless::__private::lower_triangle_adjoint;
///
/// let ybar = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(lower_triangle_adjoint(&Matrix2::zeros(), &ybar), Matrix2::new(1.0, 0.0, 3.0, 4.0));
/// ```
pub fn lower_triangle_adjoint<T, R, C, S, S2>(
    _m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, R, C, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    ybar.lower_triangle()
}

/// The adjoint of `m.upper_triangle()` (the diagonal and above kept): `ybar`'s upper triangle.
///
/// ```
/// use nalgebra::Matrix2;
/// use tapeless::__private::upper_triangle_adjoint;
///
/// let ybar = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(upper_triangle_adjoint(&Matrix2::zeros(), &ybar), Matrix2::new(1.0, 2.0, 0.0, 4.0));
/// ```
pub fn upper_triangle_adjoint<T, R, C, S, S2>(
    _m: &Matrix<T, R, C, S>,
    ybar: &Matrix<T, R, C, S2>,
) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    ybar.upper_triangle()
}

/// The adjoint of `m.mean()`: `ybar / len` in every entry.
///
/// ```
/// use nalgebra::Vector4;
/// use tapeless::__private::mean_adjoint;
///
/// assert_eq!(mean_adjoint(&Vector4::new(1.0, 2.0, 3.0, 4.0), 2.0), Vector4::repeat(0.5));
/// ```
pub fn mean_adjoint<T, R, C, S>(m: &Matrix<T, R, C, S>, ybar: T) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    super::filled_like(m, ybar / T::__tapeless_from_f64(m.len() as f64))
}

/// The gradient of `m.variance()` (`Σ (mᵢ - mean)² / len`, nalgebra's population variance)
/// times `ybar`: `2 (mᵢ - mean) ybar / len` in entry `i`; zero for an empty matrix (whose
/// variance is `0`).
///
/// ```
/// use nalgebra::Vector3;
/// use tapeless::__private::variance_adjoint;
///
/// // mean 2, so 2 (x - 2) / 3.
/// let g = variance_adjoint(&Vector3::new(1.0, 2.0, 3.0), 3.0);
/// assert_eq!(g, Vector3::new(-2.0, 0.0, 2.0));
/// ```
pub fn variance_adjoint<T, R, C, S>(m: &Matrix<T, R, C, S>, ybar: T) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    if m.is_empty() {
        return super::filled_like(m, T::zero());
    }
    let n = T::__tapeless_from_f64(m.len() as f64);
    let mean = m.iter().fold(T::zero(), |acc, &e| acc + e) / n;
    let scale = (ybar + ybar) / n;
    m.map(|e| (e - mean) * scale)
}

/// The tangent of `m.variance()` along `t`: `Σ 2 (mᵢ - mean) tᵢ / len`.
///
/// ```
/// use nalgebra::Vector3;
/// use tapeless::__private::variance_tangent;
///
/// let t = variance_tangent(&Vector3::new(1.0, 2.0, 3.0), &Vector3::new(1.0, 1.0, 0.0));
/// assert_eq!(t, -2.0 / 3.0);
/// ```
pub fn variance_tangent<T, R, C, S, S2>(m: &Matrix<T, R, C, S>, t: &Matrix<T, R, C, S2>) -> T
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    variance_adjoint(m, T::one()).iter().zip(t.iter()).fold(T::zero(), |acc, (&g, &ti)| acc + g * ti)
}

/// A matrix of `m`'s shape whose entry (i, j) is `entry(i, j)`.
fn spread<T, R, C, S>(m: &Matrix<T, R, C, S>, entry: impl Fn(usize, usize) -> T) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    let (rows, columns) = m.shape_generic();
    OMatrix::from_fn_generic(rows, columns, entry)
}
