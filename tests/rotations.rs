//! A constant rotation applied to a differentiated vector, as robotics and graphics code writes
//! it: `q * v` of a `UnitQuaternion`, a `Rotation3` or a `UnitComplex`. The gradient of
//! `f(R v)` is `Rᵀ ∇f`; each is checked against that analytic form and central differences, and
//! forward mode against reverse mode.

mod common;

use common::{close, gradient_central};
use nalgebra::{Rotation3, UnitComplex, UnitQuaternion, Vector2, Vector3};
use tapeless::differentiable;

/// The height of a point on a rotated body, plus a squared distance.
#[differentiable(wrt(v))]
fn rotated(q: &UnitQuaternion<f64>, v: &Vector3<f64>) -> f64 {
    let w = q * v;
    w.z + (w - Vector3::new(1.0, 0.0, 0.0)).norm_squared()
}

#[differentiable(wrt(v))]
fn by_matrix(r: &Rotation3<f64>, v: Vector3<f64>) -> f64 {
    (r * v).x * v.y
}

#[differentiable(wrt(v))]
fn planar(c: UnitComplex<f64>, v: Vector2<f64>) -> f64 {
    (c * v).y.sin()
}

const POINTS: [[f64; 3]; 3] = [[1.0, 2.0, 3.0], [-0.5, 0.3, 0.8], [2.0, -1.0, 0.1]];

/// `g` against its analytic form `want` and against central differences of `f`.
fn check_vector(name: &str, f: &dyn Fn(&[f64]) -> f64, x: &[f64], g: &[f64], want: &[f64]) {
    for (i, (gi, wi)) in g.iter().zip(want).enumerate() {
        assert!(close(*gi, *wi, 1e-13), "{name}: d/dx{i} = {gi} against analytic {wi}");
    }
    gradient_central(name, f, x, g, 1e-8);
}

#[test]
fn a_quaternion_times_a_vector() {
    let q = UnitQuaternion::from_euler_angles(0.1, 0.2, 0.3);
    let r = q.to_rotation_matrix();
    for p in POINTS {
        let v = Vector3::from(p);
        let (value, g) = rotated_grad(&q, &v);
        assert_eq!(value, rotated(&q, &v));
        // ∇_w = e_z + 2 (w - e_x), and the gradient in v is Rᵀ ∇_w.
        let w = q * v;
        let want = r.transpose() * (Vector3::z() + (w - Vector3::x()) * 2.0);
        let f = |c: &[f64]| rotated(&q, &Vector3::new(c[0], c[1], c[2]));
        check_vector("rotated", &f, &p, g.as_slice(), want.as_slice());
        let (dir, u) = (Vector3::new(0.3, -0.6, 0.2), 1.4);
        let (_, t) = rotated_jvp(&q, &v, dir);
        let (_, pullback) = rotated_vjp(&q, &v);
        assert!(close(u * t, pullback(u).dot(&dir), 1e-12));
    }
}

#[test]
fn a_rotation_matrix_and_a_planar_rotation() {
    let r = Rotation3::from_euler_angles(-0.4, 0.7, 1.1);
    for p in POINTS {
        let v = Vector3::from(p);
        let (value, g) = by_matrix_grad(&r, v);
        assert_eq!(value, by_matrix(&r, v));
        // d/dv [(R v)_x v_y] = v_y Rᵀ e_x + (R v)_x e_y.
        let want = r.transpose() * Vector3::x() * v.y + Vector3::y() * (r * v).x;
        let f = |c: &[f64]| by_matrix(&r, Vector3::new(c[0], c[1], c[2]));
        check_vector("by_matrix", &f, &p, g.as_slice(), want.as_slice());
        let (dir, u) = (Vector3::new(-0.2, 0.5, 0.9), 0.7);
        let (_, t) = by_matrix_jvp(&r, v, dir);
        let (_, pullback) = by_matrix_vjp(&r, v);
        assert!(close(u * t, pullback(u).dot(&dir), 1e-12));

        let c = UnitComplex::new(0.8);
        let v2 = Vector2::new(p[0], p[1]);
        let (_, g2) = planar_grad(c, v2);
        // cos((C v)_y) Cᵀ e_y.
        let want2 = c.to_rotation_matrix().transpose() * Vector2::y() * (c * v2).y.cos();
        let f2 = |z: &[f64]| planar(c, Vector2::new(z[0], z[1]));
        check_vector("planar", &f2, &p[..2], g2.as_slice(), want2.as_slice());
        let (dir2, u2) = (Vector2::new(0.4, -0.3), 1.2);
        let (_, t2) = planar_jvp(c, v2, dir2);
        let (_, pullback2) = planar_vjp(c, v2);
        assert!(close(u2 * t2, pullback2(u2).dot(&dir2), 1e-12));
    }
}

/// `q.transform_vector(&v)` and `iso.inverse_transform_point(&p)`, the methods robotics code
/// calls: the products `q * v` and `iso.inverse() * p`.
#[differentiable(wrt(v))]
fn transformed(q: &UnitQuaternion<f64>, iso: &nalgebra::Isometry3<f64>, v: Vector3<f64>) -> f64 {
    let p = nalgebra::Point3::from(v);
    q.transform_vector(&v).x + iso.inverse_transform_point(&p).coords.norm_squared()
}

#[test]
fn transform_methods_of_constant_motions() {
    let q = UnitQuaternion::from_euler_angles(0.3, -0.2, 0.9);
    let iso = nalgebra::Isometry3::new(Vector3::new(0.5, -1.0, 0.2), Vector3::new(0.1, 0.4, -0.3));
    for p in POINTS {
        let v = Vector3::from(p);
        let (value, g) = transformed_grad(&q, &iso, v);
        let local = iso.inverse() * nalgebra::Point3::from(v);
        assert!(close(value, (q * v).x + local.coords.norm_squared(), 1e-14));
        // qᵀ e_x + 2 Rᵀ (R⁻¹ (v - t)) with R the motion's rotation: its inverse's linear part.
        let want = q.inverse() * Vector3::x() + iso.rotation * (local.coords * 2.0);
        let f = |c: &[f64]| transformed(&q, &iso, Vector3::new(c[0], c[1], c[2]));
        check_vector("transformed", &f, &p, g.as_slice(), want.as_slice());
        let dir = Vector3::new(0.3, 0.6, -0.2);
        let (_, t) = transformed_jvp(&q, &iso, v, dir);
        let (_, pullback) = transformed_vjp(&q, &iso, v);
        assert!(close(1.3 * t, pullback(1.3).dot(&dir), 1e-12));
    }
}
