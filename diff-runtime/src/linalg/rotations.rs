//! A constant rotation or rigid motion applied to a differentiated vector or point: `q * v` of
//! a `UnitQuaternion`, `UnitComplex`, `Rotation2`/`Rotation3` or `Isometry2`/`Isometry3` (a
//! parameter that is not differentiated, or a constant built in the body) times a static vector
//! or a point. The product is affine in `v` with an orthogonal linear part, so `v̄ = Rᵀ ȳ`
//! (`inverse_transform_vector`; the translation moves a point, not its tangent). The rotation
//! itself has no tangent type: its adjoint is `()`, which generated code never adds anywhere,
//! since a rotation is never a differentiated value (nalgebra's constructors of rotations have
//! no rule, and a rotation is no `Differentiable` parameter).
//!
//! ```
//! use nalgebra::{UnitQuaternion, Vector3};
//! use tapeless::differentiable;
//!
//! #[differentiable(wrt(v))]
//! fn height(q: &UnitQuaternion<f64>, v: &Vector3<f64>) -> f64 {
//!     (q * v).z
//! }
//!
//! let q = UnitQuaternion::from_euler_angles(0.1, 0.2, 0.3);
//! let (_, g) = height_grad(&q, &Vector3::new(1.0, 2.0, 3.0));
//! // The gradient of (R v)_z is the third row of R.
//! let r = q.to_rotation_matrix();
//! assert!((g - r.matrix().row(2).transpose()).norm() < 1e-15);
//! ```

use nalgebra::{
    Isometry2, Isometry3, Point, Point2, Point3, RealField, Rotation, SVector, UnitComplex, UnitQuaternion,
    Vector2, Vector3,
};

use super::Element;
use crate::rules::products::Product;

/// `Product` for a rotation or rigid motion `$rot` times `$b`, a vector or a point whose
/// tangent is the vector `$v`, owned and borrowed. A translation moves a point but not its
/// tangent, so `b̄ = Rᵀ ȳ` for every pair.
macro_rules! motion_times {
    ($([$($gen:tt)*] $rot:ty, $b:ty => $v:ty;)*) => {$(
        motion_times!(@ [$($gen)*] $rot, $b, $v);
        motion_times!(@ ['a, $($gen)*] &'a $rot, $b, $v);
    )*};
    (@ [$($gen:tt)*] $rot:ty, $b:ty, $v:ty) => {
        impl<$($gen)*> Product<$b> for $rot {
            type Output = $v;
            type Lhs = ();
            type Rhs = $v;
            #[inline(always)]
            fn lhs_adjoint(_ybar: $v, _a: Self, _b: $b) {}
            #[inline(always)]
            fn rhs_adjoint(ybar: $v, a: Self, _b: $b) -> $v {
                a.inverse_transform_vector(&ybar)
            }
        }
    };
}

motion_times! {
    [T: Element + RealField] UnitQuaternion<T>, Vector3<T> => Vector3<T>;
    [T: Element + RealField] UnitComplex<T>, Vector2<T> => Vector2<T>;
    [T: Element + RealField, const D: usize] Rotation<T, D>, SVector<T, D> => SVector<T, D>;
    [T: Element + RealField] Isometry3<T>, Vector3<T> => Vector3<T>;
    [T: Element + RealField] Isometry2<T>, Vector2<T> => Vector2<T>;
    [T: Element + RealField] UnitQuaternion<T>, Point3<T> => Vector3<T>;
    [T: Element + RealField] UnitComplex<T>, Point2<T> => Vector2<T>;
    [T: Element + RealField, const D: usize] Rotation<T, D>, Point<T, D> => SVector<T, D>;
    [T: Element + RealField] Isometry3<T>, Point3<T> => Vector3<T>;
    [T: Element + RealField] Isometry2<T>, Point2<T> => Vector2<T>;
}
