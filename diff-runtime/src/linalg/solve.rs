//! Linear solves `x = A⁻¹ b` as the user writes them (`a.lu().solve(&b).unwrap()`,
//! `a.cholesky().unwrap().solve(&b)`, `qr`, `full_piv_lu`) and their derivatives, for any entry
//! type the generated code differentiates:
//! - tangent `ẋ = A⁻¹ (ḃ - Ȧ x)`;
//! - adjoints `b̄ += A⁻ᵀ x̄` and `Ā -= (A⁻ᵀ x̄) xᵀ`.
//!
//! `cholesky` reads only the lower triangle of its matrix (the upper one is taken to mirror it),
//! and so do its derivatives: the matrix solved with and the tangent are
//! [`symmetric_from_lower`], and the matrix's adjoint is [`folded_to_lower`].
//!
//! The primal keeps the user's decomposition. The derivatives solve again by Gaussian elimination
//! with partial pivoting, for `b` a vector or a matrix of right-hand sides. Where the matrix is
//! singular (a zero pivot; the primal has then panicked on its `unwrap` or returned `None`), the
//! derivatives are NaN, never a panic.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, storage::Storage};

use super::Element;

/// `A⁻¹ b`, or `A⁻ᵀ b` if `transposed`, or `None` if `A` is singular or not square or `b` has
/// another number of rows.
fn eliminate<T, R, C, S, R2, C2, S2>(
    a: &Matrix<T, R, C, S>,
    b: &Matrix<T, R2, C2, S2>,
    transposed: bool,
) -> Option<OMatrix<T, R2, C2>>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    R2: Dim,
    C2: Dim,
    S2: Storage<T, R2, C2>,
    DefaultAllocator: Allocator<R2, C2>,
{
    let (n, k) = (a.nrows(), b.ncols());
    if a.ncols() != n || b.nrows() != n {
        return None;
    }
    // Row by row: the matrix (transposed if asked) and the right-hand sides.
    let mut m: Vec<T> =
        (0..n * n).map(|e| if transposed { a[(e % n, e / n)] } else { a[(e / n, e % n)] }).collect();
    let mut x: Vec<T> = (0..n * k).map(|e| b[(e / k, e % k)]).collect();
    for p in 0..n {
        let pivot = super::determinant::pivot(&m, n, p)?;
        if pivot != p {
            for j in 0..n {
                m.swap(p * n + j, pivot * n + j);
            }
            for j in 0..k {
                x.swap(p * k + j, pivot * k + j);
            }
        }
        let d = m[p * n + p];
        for i in p + 1..n {
            let factor = m[i * n + p] / d;
            for j in p..n {
                let above = m[p * n + j];
                m[i * n + j] -= factor * above;
            }
            for j in 0..k {
                let above = x[p * k + j];
                x[i * k + j] -= factor * above;
            }
        }
    }
    for p in (0..n).rev() {
        for j in 0..k {
            let mut s = x[p * k + j];
            for q in p + 1..n {
                s -= m[p * n + q] * x[q * k + j];
            }
            x[p * k + j] = s / m[p * n + p];
        }
    }
    let mut out = b.clone_owned();
    for e in 0..n * k {
        out[(e / k, e % k)] = x[e];
    }
    Some(out)
}

/// `A⁻¹ r`, or `A⁻ᵀ r` if `transposed`; NaN where `A` is singular (the primal has then
/// panicked on its `unwrap`). The tangent of a solve is `A⁻¹ (ḃ - Ȧ x)`; the adjoint of its
/// right-hand side `A⁻ᵀ x̄`, and that of its matrix minus it times `xᵀ`.
///
/// ```
/// use nalgebra::{Matrix2, Vector2};
///
/// let a = Matrix2::new(3.0_f64, 1.0, 0.0, 2.0);
/// let r = Vector2::new(1.0_f64, 2.0);
/// let x = tapeless::__private::solve(&a, &r, false);
/// assert!((a * x - r).norm() < 1e-15);
/// let y = tapeless::__private::solve(&a, &r, true);
/// assert!((a.transpose() * y - r).norm() < 1e-15);
/// assert!(tapeless::__private::solve(&Matrix2::new(1.0, 2.0, 2.0, 4.0), &r, false)[0].is_nan());
/// ```
pub fn solve<T, R, C, S, R2, C2, S2>(
    a: &Matrix<T, R, C, S>,
    r: &Matrix<T, R2, C2, S2>,
    transposed: bool,
) -> OMatrix<T, R2, C2>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    R2: Dim,
    C2: Dim,
    S2: Storage<T, R2, C2>,
    DefaultAllocator: Allocator<R2, C2>,
{
    eliminate(a, r, transposed).unwrap_or_else(|| r.map(|_| T::__tapeless_from_f64(f64::NAN)))
}

/// `m` with its upper triangle zeroed and its diagonal halved: `Φ(m)` of the derivative of the
/// Cholesky factor.
fn lower_halved<T: Element, D: Dim>(mut m: OMatrix<T, D, D>) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let half = T::__tapeless_from_f64(0.5);
    for j in 0..m.ncols() {
        for i in 0..j.min(m.nrows()) {
            m[(i, j)] = T::__tapeless_from_f64(0.0);
        }
        if j < m.nrows() {
            m[(j, j)] *= half;
        }
    }
    m
}

/// The tangent of the Cholesky factor `l` of `A` (`a.cholesky().unwrap().l()`) along the
/// symmetric `ta`: `L Φ(L⁻¹ Ȧ L⁻ᵀ)`, `Φ` the lower triangle with the diagonal halved.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let a = Matrix2::new(4.0_f64, 2.0, 2.0, 3.0);
/// let ta = Matrix2::new(1.0_f64, 0.5, 0.5, -1.0);
/// let l = a.cholesky().unwrap().l();
/// let t = tapeless::__private::cholesky_factor_tangent(&l, &ta);
/// let h = 1e-6;
/// let up = (a + ta * h).cholesky().unwrap().l();
/// let down = (a - ta * h).cholesky().unwrap().l();
/// assert!(((up - down) / (2.0 * h) - t).norm() < 1e-8);
/// ```
pub fn cholesky_factor_tangent<T: Element, D: Dim>(
    l: &OMatrix<T, D, D>,
    ta: &OMatrix<T, D, D>,
) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    // `L⁻¹ Ȧ L⁻ᵀ = L⁻¹ (L⁻¹ Ȧ)ᵀ` for a symmetric `Ȧ`.
    let left = solve(l, ta, false);
    l * lower_halved(solve(l, &left.transpose(), false))
}

/// The adjoint of `A` (all of it, before folding onto the lower triangle that `cholesky` reads)
/// from that of its Cholesky factor `l`: `L⁻ᵀ Φ(Lᵀ L̄) L⁻¹`.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let a = Matrix2::new(4.0_f64, 2.0, 2.0, 3.0);
/// let l = a.cholesky().unwrap().l();
/// let (ta, lbar) = (Matrix2::new(1.0_f64, 0.5, 0.5, -1.0), Matrix2::new(0.3_f64, 0.0, -0.7, 1.1));
/// let g = tapeless::__private::cholesky_factor_adjoint(&l, &lbar);
/// let t = tapeless::__private::cholesky_factor_tangent(&l, &ta);
/// assert!((lbar.dot(&t) - g.dot(&ta)).abs() < 1e-14);
/// ```
pub fn cholesky_factor_adjoint<T: Element, D: Dim>(
    l: &OMatrix<T, D, D>,
    lbar: &OMatrix<T, D, D>,
) -> OMatrix<T, D, D>
where
    DefaultAllocator: Allocator<D, D>,
{
    let p = lower_halved(l.transpose() * lbar);
    // `L⁻ᵀ P L⁻¹ = (L⁻ᵀ (L⁻ᵀ P)ᵀ)ᵀ`.
    let left = solve(l, &p, true);
    solve(l, &left.transpose(), true).transpose()
}

/// The symmetric matrix whose lower triangle (with the diagonal) is `m`'s: what `cholesky`
/// decomposes.
///
/// ```
/// use nalgebra::Matrix2;
///
/// let m = Matrix2::new(4.0, 9.0, 1.0, 3.0);
/// assert_eq!(tapeless::__private::symmetric_from_lower(&m), Matrix2::new(4.0, 1.0, 1.0, 3.0));
/// ```
pub fn symmetric_from_lower<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(
    m: &Matrix<T, R, C, S>,
) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let mut out = m.clone_owned();
    for j in 0..m.ncols() {
        for i in 0..j.min(m.nrows()) {
            out[(i, j)] = m[(j, i)];
        }
    }
    out
}

/// The adjoint `g` of a symmetric matrix made from the lower triangle of `m`
/// ([`symmetric_from_lower`]) carried to `m`: `g_ij + g_ji` below the diagonal, `g_ii` on it,
/// zero above it (where `m` is not read).
///
/// ```
/// use nalgebra::Matrix2;
///
/// let g = Matrix2::new(1.0, 2.0, 3.0, 4.0);
/// assert_eq!(tapeless::__private::folded_to_lower(g), Matrix2::new(1.0, 0.0, 5.0, 4.0));
/// ```
pub fn folded_to_lower<T: Element, R: Dim, C: Dim>(g: OMatrix<T, R, C>) -> OMatrix<T, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    let mut out = g.clone();
    for j in 0..g.ncols() {
        for i in 0..j.min(g.nrows()) {
            out[(j, i)] = g[(j, i)] + g[(i, j)];
            out[(i, j)] = T::__tapeless_from_f64(0.0);
        }
    }
    out
}

/// The dual copy's `m.lu()` (also `qr()`, `full_piv_lu()`) of a matrix of dual numbers
/// (nalgebra's need `ComplexField`): the matrix, kept for [`Lu::solve`].
#[derive(Clone, Debug)]
pub struct Lu<M>(M);

/// The dual copy's `m.cholesky()` of a matrix of dual numbers, once it is known to be positive
/// definite: the matrix, kept for [`Cholesky::solve`].
#[derive(Clone, Debug)]
pub struct Cholesky<M>(M);

/// `m.lu()` (and `qr()`, `full_piv_lu()`) for any entry type.
///
/// ```
/// use nalgebra::{Matrix2, Vector2};
///
/// let a = Matrix2::new(3.0, 1.0, 1.0, 2.0);
/// let b = Vector2::new(1.0, 2.0);
/// let x = tapeless::__private::dual_math::lu(&a).solve(&b).unwrap();
/// assert!((x - a.lu().solve(&b).unwrap()).norm() < 1e-15);
/// ```
pub fn lu<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(m: &Matrix<T, R, C, S>) -> Lu<OMatrix<T, R, C>>
where
    DefaultAllocator: Allocator<R, C>,
{
    Lu(m.clone_owned())
}

/// `m.cholesky()` for any entry type: `None` where nalgebra's is, for a matrix that is not
/// positive definite (judged on the entries' values); as nalgebra's, it reads the lower
/// triangle only.
///
/// ```
/// use nalgebra::{Matrix2, Vector2};
///
/// let a = Matrix2::new(3.0, 1.0, 1.0, 2.0);
/// let b = Vector2::new(1.0, 2.0);
/// let x = tapeless::__private::dual_math::cholesky(&a).unwrap().solve(&b);
/// assert!((x - a.cholesky().unwrap().solve(&b)).norm() < 1e-15);
/// assert!(tapeless::__private::dual_math::cholesky(&Matrix2::new(1.0, 2.0, 2.0, 1.0)).is_none());
/// ```
pub fn cholesky<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(
    m: &Matrix<T, R, C, S>,
) -> Option<Cholesky<OMatrix<T, R, C>>>
where
    DefaultAllocator: Allocator<R, C>,
{
    let n = m.nrows();
    if m.ncols() != n {
        return None;
    }
    // nalgebra's test: each pivot of L Lᵀ = M (on the values) is positive.
    let mut l = vec![0.0; n * n];
    for j in 0..n {
        let mut d = m[(j, j)].__tapeless_to_f64();
        for q in 0..j {
            d -= l[j * n + q] * l[j * n + q];
        }
        if d.is_nan() || d <= 0.0 {
            return None;
        }
        l[j * n + j] = d.sqrt();
        for i in j + 1..n {
            let mut s = m[(i, j)].__tapeless_to_f64();
            for q in 0..j {
                s -= l[i * n + q] * l[j * n + q];
            }
            l[i * n + j] = s / l[j * n + j];
        }
    }
    Some(Cholesky(symmetric_from_lower(m)))
}

impl<T: Element, R: Dim, C: Dim> Lu<OMatrix<T, R, C>>
where
    DefaultAllocator: Allocator<R, C>,
{
    /// `A⁻¹ b`, `None` if `A` is singular (as nalgebra's `LU::solve`).
    pub fn solve<R2: Dim, C2: Dim, S2: Storage<T, R2, C2>>(
        &self,
        b: &Matrix<T, R2, C2, S2>,
    ) -> Option<OMatrix<T, R2, C2>>
    where
        DefaultAllocator: Allocator<R2, C2>,
    {
        eliminate(&self.0, b, false)
    }
}

impl<T: Element, R: Dim, C: Dim> Cholesky<OMatrix<T, R, C>>
where
    DefaultAllocator: Allocator<R, C>,
{
    /// The factor `L` of `A = L Lᵀ` (as nalgebra's `Cholesky::l`): the dual copy's
    /// `a.cholesky().unwrap().l()`.
    ///
    /// ```
    /// use nalgebra::Matrix2;
    ///
    /// let a = Matrix2::new(4.0, 2.0, 2.0, 3.0);
    /// let l = tapeless::__private::dual_math::cholesky(&a).unwrap().l();
    /// assert!((l - a.cholesky().unwrap().l()).norm() < 1e-15);
    /// ```
    pub fn l(&self) -> OMatrix<T, R, C> {
        let (m, n) = (&self.0, self.0.nrows().min(self.0.ncols()));
        let mut l = m.map(|_| T::__tapeless_from_f64(0.0));
        for j in 0..n {
            let mut d = m[(j, j)];
            for q in 0..j {
                d -= l[(j, q)] * l[(j, q)];
            }
            let pivot = crate::Real::sqrt(d);
            l[(j, j)] = pivot;
            for i in j + 1..n {
                let mut s = m[(i, j)];
                for q in 0..j {
                    s -= l[(i, q)] * l[(j, q)];
                }
                l[(i, j)] = s / pivot;
            }
        }
        l
    }

    /// `A⁻¹ b` (as nalgebra's `Cholesky::solve`).
    pub fn solve<R2: Dim, C2: Dim, S2: Storage<T, R2, C2>>(
        &self,
        b: &Matrix<T, R2, C2, S2>,
    ) -> OMatrix<T, R2, C2>
    where
        DefaultAllocator: Allocator<R2, C2>,
    {
        solve(&self.0, b, false)
    }
}
