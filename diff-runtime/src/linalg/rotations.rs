//! A constant rotation applied to a differentiated vector: `q * v` of a `UnitQuaternion`,
//! `UnitComplex` or `Rotation2`/`Rotation3` (a parameter that is not differentiated, or a
//! constant built in the body) times a static vector. The product is linear in `v` with an
//! orthogonal map, so `v̄ = Rᵀ ȳ` (`inverse_transform_vector`). The rotation itself has no
//! tangent type: its adjoint is `()`, which generated code never adds anywhere, since a
//! rotation is never a differentiated value (nalgebra's constructors of rotations have no rule,
//! and a rotation is no `Differentiable` parameter).
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

/// `Product` for a rotation type `$rot` times `$v`, owned and borrowed.
macro_rules! rotation_times_vector {
    ($([$($gen:tt)*] $rot:ty, $v:ty;)*) => {$(
        rotation_times_vector!(@ [$($gen)*] $rot, $v);
        rotation_times_vector!(@ ['a, $($gen)*] &'a $rot, $v);
    )*};
    (@ [$($gen:tt)*] $rot:ty, $v:ty) => {
        impl<$($gen)*> Product<$v> for $rot {
            type Output = $v;
            type Lhs = ();
            type Rhs = $v;
            #[inline(always)]
            fn lhs_adjoint(_ybar: $v, _a: Self, _b: $v) {}
            #[inline(always)]
            fn rhs_adjoint(ybar: $v, a: Self, _b: $v) -> $v {
                a.inverse_transform_vector(&ybar)
            }
        }
    };
}

/// `Product` for a rotation or rigid motion `$rot` times the point `$p` (tangent `$v`), owned
/// and borrowed: the translation moves the point but not its tangent, so `p̄ = Rᵀ ȳ` too.
macro_rules! motion_times_point {
    ($([$($gen:tt)*] $rot:ty, $p:ty, $v:ty;)*) => {$(
        motion_times_point!(@ [$($gen)*] $rot, $p, $v);
        motion_times_point!(@ ['a, $($gen)*] &'a $rot, $p, $v);
    )*};
    (@ [$($gen:tt)*] $rot:ty, $p:ty, $v:ty) => {
        impl<$($gen)*> Product<$p> for $rot {
            type Output = $v;
            type Lhs = ();
            type Rhs = $v;
            #[inline(always)]
            fn lhs_adjoint(_ybar: $v, _a: Self, _b: $p) {}
            #[inline(always)]
            fn rhs_adjoint(ybar: $v, a: Self, _b: $p) -> $v {
                a.inverse_transform_vector(&ybar)
            }
        }
    };
}

rotation_times_vector! {
    [T: Element + RealField] UnitQuaternion<T>, Vector3<T>;
    [T: Element + RealField] UnitComplex<T>, Vector2<T>;
    [T: Element + RealField, const D: usize] Rotation<T, D>, SVector<T, D>;
    [T: Element + RealField] Isometry3<T>, Vector3<T>;
    [T: Element + RealField] Isometry2<T>, Vector2<T>;
}

motion_times_point! {
    [T: Element + RealField] UnitQuaternion<T>, Point3<T>, Vector3<T>;
    [T: Element + RealField] UnitComplex<T>, Point2<T>, Vector2<T>;
    [T: Element + RealField, const D: usize] Rotation<T, D>, Point<T, D>, SVector<T, D>;
    [T: Element + RealField] Isometry3<T>, Point3<T>, Vector3<T>;
    [T: Element + RealField] Isometry2<T>, Point2<T>, Vector2<T>;
}
