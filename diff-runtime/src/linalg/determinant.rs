//! The determinant and the inverse of a square nalgebra matrix, and the determinant's derivative, for any entry type the
//! generated code differentiates (`f64`, a generic `T`, second order's dual number):
//! `d det(M) = Σ C_ij dM_ij` with `C` the cofactor matrix, `C_ij = (-1)^(i+j) det(M without row
//! i and column j)`. The cofactors are formed from minors, not as `det(M) M⁻ᵀ`, so they exist
//! for a singular `M` too (where the determinant's derivative is not zero in general).

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, storage::Storage};

use super::Element;

/// The row, from `k` on, of the largest entry by value in column `k` of the `n x n` matrix held
/// row by row in `a` (partial pivoting), or `None` if that entry is zero (the matrix is
/// singular).
pub(super) fn pivot<T: Element>(a: &[T], n: usize, k: usize) -> Option<usize> {
    let magnitude = |x: T| x.__tapeless_to_f64().abs();
    let best =
        (k..n).fold(k, |best, i| if magnitude(a[i * n + k]) > magnitude(a[best * n + k]) { i } else { best });
    (magnitude(a[best * n + k]) != 0.0).then_some(best)
}

/// The determinant of the `n x n` matrix held row by row in `a` (overwritten), by Gaussian
/// elimination with partial pivoting on the entries' values.
fn eliminate<T: Element>(a: &mut [T], n: usize) -> T {
    let mut det = T::__tapeless_from_f64(1.0);
    for k in 0..n {
        let Some(pivot) = pivot(a, n, k) else { return T::__tapeless_from_f64(0.0) };
        if pivot != k {
            for j in 0..n {
                a.swap(k * n + j, pivot * n + j);
            }
            det = -det;
        }
        let p = a[k * n + k];
        det *= p;
        for i in k + 1..n {
            let factor = a[i * n + k] / p;
            for j in k..n {
                let above = a[k * n + j];
                a[i * n + j] -= factor * above;
            }
        }
    }
    det
}

/// The entries of a square matrix, row by row, and its order; panics as nalgebra's
/// `determinant` does on a matrix that is not square.
fn rows<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(m: &Matrix<T, R, C, S>) -> (Vec<T>, usize) {
    assert!(m.is_square(), "Unable to compute the determinant of a non-square matrix.");
    let n = m.nrows();
    ((0..n * n).map(|k| m[(k / n, k % n)]).collect(), n)
}

/// `m.determinant()` for any entry type (nalgebra's needs `ComplexField`, which second order's
/// dual number does not implement).
///
/// ```
/// use nalgebra::Matrix2;
///
/// let m = Matrix2::new(1.0_f64, 2.0, 3.0, 4.0);
/// assert!((tapeless::__private::determinant(&m) - m.determinant()).abs() < 1e-15);
/// ```
pub fn determinant<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(m: &Matrix<T, R, C, S>) -> T {
    let (mut a, n) = rows(m);
    eliminate(&mut a, n)
}

/// The cofactor matrix of a square matrix: the gradient of its determinant.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let m = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(tapeless::__private::cofactors(&m), Matrix2::new(4.0, -3.0, -2.0, 1.0));
/// ```
pub fn cofactors<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(m: &Matrix<T, R, C, S>) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let (a, n) = rows(m);
    let mut out = m.clone_owned();
    let mut minor = Vec::with_capacity(n.saturating_sub(1).pow(2));
    for i in 0..n {
        for j in 0..n {
            minor.clear();
            minor.extend((0..n * n).filter(|k| k / n != i && k % n != j).map(|k| a[k]));
            let d = eliminate(&mut minor, n - 1);
            out[(i, j)] = if (i + j) % 2 == 0 { d } else { -d };
        }
    }
    out
}

/// `m.try_inverse()` for any entry type (nalgebra's needs `ComplexField`, which second order's
/// dual number does not implement): Gauss-Jordan elimination with partial pivoting on the
/// entries' values, `None` for a singular matrix (a zero pivot).
///
/// ```
/// use nalgebra::Matrix2;
///
/// let m = Matrix2::new(4.0_f64, 7.0, 2.0, 6.0);
/// let inverse = tapeless::__private::dual_math::try_inverse(&m).unwrap();
/// assert!((inverse - m.try_inverse().unwrap()).norm() < 1e-15);
/// assert!(tapeless::__private::dual_math::try_inverse(&Matrix2::new(1.0_f64, 2.0, 2.0, 4.0)).is_none());
/// ```
pub fn try_inverse<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(
    m: &Matrix<T, R, C, S>,
) -> Option<OMatrix<T, R, C>>
where
    DefaultAllocator: Allocator<R, C>,
{
    let (mut a, n) = rows(m);
    let (zero, one) = (T::__tapeless_from_f64(0.0), T::__tapeless_from_f64(1.0));
    let mut inv: Vec<T> = (0..n * n).map(|k| if k / n == k % n { one } else { zero }).collect();
    for k in 0..n {
        let pivot = pivot(&a, n, k)?;
        for j in 0..n {
            a.swap(k * n + j, pivot * n + j);
            inv.swap(k * n + j, pivot * n + j);
        }
        let p = a[k * n + k];
        for j in 0..n {
            a[k * n + j] /= p;
            inv[k * n + j] /= p;
        }
        for i in (0..n).filter(|&i| i != k) {
            let factor = a[i * n + k];
            for j in 0..n {
                let (ak, ik) = (a[k * n + j], inv[k * n + j]);
                a[i * n + j] -= factor * ak;
                inv[i * n + j] -= factor * ik;
            }
        }
    }
    let mut out = m.clone_owned();
    for k in 0..n * n {
        out[(k / n, k % n)] = inv[k];
    }
    Some(out)
}
