//! The angle between two vectors, `a.angle(&b)` (nalgebra's: the arccosine of `c = a·b / (|a| |b|)`,
//! `0` past `1` and `π` past `-1`, `0` if either vector is zero), and its gradient in `a`:
//! `-(b / (|a| |b|) - c a / |a|²) / √(1 - c²)`. Where the vectors are parallel (`c = ±1`) or one
//! is zero the angle has no derivative; the gradient there is zero, the convention of a kink.

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, Matrix, OMatrix, storage::Storage};

use super::Element;

/// The gradient of `a.angle(&b)` in `a` (in `b`: `angle_gradient(&b, &a)`).
///
/// ```
/// use nalgebra::Vector2;
///
/// // Turning `a = (1, 0)` towards `b = (0, 2)` shrinks the right angle between them.
/// let g = tapeless::__private::angle_gradient(&Vector2::new(1.0, 0.0), &Vector2::new(0.0, 2.0));
/// assert!((g - Vector2::new(0.0, -1.0)).norm() < 1e-15);
/// ```
pub fn angle_gradient<T, R, C, S1, S2>(a: &Matrix<T, R, C, S1>, b: &Matrix<T, R, C, S2>) -> OMatrix<T, R, C>
where
    T: Element,
    R: Dim,
    C: Dim,
    S1: Storage<T, R, C>,
    S2: Storage<T, R, C>,
    DefaultAllocator: Allocator<R, C>,
{
    let (zero, one) = (T::__tapeless_from_f64(0.0), T::__tapeless_from_f64(1.0));
    let (aa, bb) = (a.dot(a), b.dot(b));
    if aa.__tapeless_to_f64() == 0.0 || bb.__tapeless_to_f64() == 0.0 {
        return a.map(|_| zero);
    }
    let norms = aa.__tapeless_sqrt() * bb.__tapeless_sqrt();
    let c = a.dot(b) / norms;
    let sine_squared = one - c * c;
    if sine_squared.__tapeless_to_f64() <= 0.0 {
        return a.map(|_| zero);
    }
    let scale = -(one / sine_squared.__tapeless_sqrt());
    (b * (one / norms) - a * (c / aa)) * scale
}
