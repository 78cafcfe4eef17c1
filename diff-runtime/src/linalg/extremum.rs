//! The largest or smallest entry of a nalgebra matrix (`v.max()`, `v.min()`), or of its absolute
//! values (`v.amax()`, `v.amin()`), and their derivatives. The derivative of the entry picked is
//! that entry's tangent (times its sign for `amax`/`amin`). On a tie it is shared equally among the
//! tied entries, as `a.max(b)` shares it `0.5`/`0.5`; at a zero entry `amax`/`amin` give 0, as `abs`
//! does. NaN entries are never picked.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, storage::Storage};

use super::Element;

/// Which entry: the largest or smallest, of the entries or of their absolute values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Extremum {
    /// `m.max()`.
    Max,
    /// `m.min()`.
    Min,
    /// `m.amax()`: the largest absolute value.
    Amax,
    /// `m.amin()`: the smallest absolute value.
    Amin,
}

impl Extremum {
    /// The key an entry is compared by, and the sign of its derivative.
    fn key(self, x: f64) -> (f64, f64) {
        let sign = if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            0.0
        };
        match self {
            Extremum::Max => (x, 1.0),
            Extremum::Min => (-x, 1.0),
            Extremum::Amax => (x.abs(), sign),
            Extremum::Amin => (-x.abs(), sign),
        }
    }

    /// Each picked entry's storage index and the weight of its tangent in the derivative.
    fn picked<T: Element, R: Dim, C: Dim, S: Storage<T, R, C>>(
        self,
        m: &Matrix<T, R, C, S>,
    ) -> Vec<(usize, f64)> {
        let keys: Vec<(f64, f64)> = m.iter().map(|x| self.key(x.__tapeless_to_f64())).collect();
        let best = keys.iter().map(|k| k.0).filter(|k| !k.is_nan()).fold(f64::NEG_INFINITY, f64::max);
        let ties: Vec<usize> = (0..keys.len()).filter(|&k| keys[k].0 == best).collect();
        let share = 1.0 / ties.len() as f64;
        ties.into_iter().map(|k| (k, keys[k].1 * share)).collect()
    }
}

/// The tangent of `m.max()` (or `min`, `amax`, `amin`) along `t`.
///
/// ```
/// use nalgebra::Vector3;
/// use tapeless::__private::{Extremum, extremum_tangent};
///
/// let (v, t) = (Vector3::new(1.0, -4.0, 3.0), Vector3::new(10.0, 20.0, 30.0));
/// assert_eq!(extremum_tangent(&v, &t, Extremum::Max), 30.0);
/// assert_eq!(extremum_tangent(&v, &t, Extremum::Amax), -20.0);
/// ```
pub fn extremum_tangent<T, R, C, S, S2>(m: &Matrix<T, R, C, S>, t: &Matrix<T, R, C, S2>, which: Extremum) -> T
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    S2: Storage<T, R, C>,
{
    which
        .picked(m)
        .into_iter()
        .fold(T::__tapeless_from_f64(0.0), |sum, (k, w)| sum + t[k] * T::__tapeless_from_f64(w))
}

/// The adjoint of `m.max()` (or `min`, `amax`, `amin`) for the result's adjoint `ybar`: zero but
/// at the picked entry.
///
/// ```
/// use nalgebra::Vector3;
/// use tapeless::__private::{Extremum, extremum_adjoint};
///
/// let v = Vector3::new(1.0, 3.0, 3.0);
/// assert_eq!(extremum_adjoint(&v, 2.0, Extremum::Max), Vector3::new(0.0, 1.0, 1.0));
/// ```
pub fn extremum_adjoint<T, R, C, S>(m: &Matrix<T, R, C, S>, ybar: T, which: Extremum) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    let mut out = super::filled_like(m, T::__tapeless_from_f64(0.0));
    for (k, w) in which.picked(m) {
        out[k] = ybar * T::__tapeless_from_f64(w);
    }
    out
}
