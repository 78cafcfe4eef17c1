//! Rotations built from angles that are differentiated: `Rotation2::new(θ)`, `UnitComplex::new(θ)`,
//! `UnitQuaternion::from_euler_angles`, `Rotation3::from_axis_angle`, applied to vectors and
//! points, inverted, composed, read by `matrix()` and `angle()`. A 2-D landmark residual in the
//! robot's frame; each gradient against its closed form or central differences, JVP against VJP;
//! a Hessian against central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::{Point2, Rotation2, Rotation3, UnitComplex, UnitQuaternion, Vector2, Vector3};
use tapeless::differentiable;

/// The landmark `l` seen from a robot at `(x, y)` heading `th`: `R(th)ᵀ (l - t)`, squared distance
/// to the measurement `z`.
#[differentiable(hessian, wrt(x, y, th))]
fn landmark_residual(x: f64, y: f64, th: f64, l: &Vector2<f64>, z: &Vector2<f64>) -> f64 {
    let r = Rotation2::new(th);
    let seen = r.inverse() * (l - Vector2::new(x, y));
    (seen - z).norm_squared()
}

/// `UnitComplex` rotating a point, then its `matrix()` and `angle()` read.
#[differentiable(wrt(th))]
fn complex_point(th: f64, p: &Point2<f64>) -> f64 {
    let r = UnitComplex::new(th);
    let q = r * p;
    let m = Rotation2::new(2.0 * th);
    q.x * q.y + m.matrix()[(0, 1)] + m.angle().sin()
}

/// A body-frame vector rotated to the world by roll, pitch and yaw, and back by the inverse of
/// another attitude; the quaternions composed.
#[differentiable(wrt(roll, pitch, yaw))]
fn attitude(roll: f64, pitch: f64, yaw: f64, v: &Vector3<f64>) -> f64 {
    let q = UnitQuaternion::from_euler_angles(roll, pitch, yaw);
    let world = q * v;
    let twice = (q * q).transform_vector(v);
    let back = q.inverse_transform_vector(&world);
    world.z + twice.x * back.y
}

/// A rotation about a constant axis by a differentiated angle (Rodrigues' formula).
#[differentiable(wrt(a))]
fn about_axis(a: f64, v: &Vector3<f64>) -> f64 {
    let axis = Vector3::new(1.0, 2.0, 2.0) / 3.0;
    let r = Rotation3::from_axis_angle(&nalgebra::Unit::new_unchecked(axis), a);
    (r * v).x
}

/// A rotation of constant angles stays a rotation: its own methods are read as written.
#[differentiable]
fn constant_attitude(x: f64) -> f64 {
    let q = UnitQuaternion::from_euler_angles(0.1, 0.2, 0.3);
    let (roll, _, yaw) = q.euler_angles();
    (roll + yaw) * x + q.w * x * x
}

#[test]
fn a_rotation_of_constant_angles_is_kept() {
    let q = UnitQuaternion::from_euler_angles(0.1, 0.2, 0.3);
    let (roll, _, yaw) = q.euler_angles();
    for x in [0.5, -2.0] {
        let (value, g) = constant_attitude_grad(x);
        assert_eq!(value, constant_attitude(x));
        assert_close(&[g], &[roll + yaw + 2.0 * q.w * x], 1e-14, "constant attitude");
        let (_, t) = constant_attitude_jvp(x, 1.5);
        assert_close(&[t], &[1.5 * g], 1e-14, "constant attitude jvp");
    }
}

#[test]
fn a_landmark_in_the_robot_frame() {
    let (l, z) = (Vector2::new(2.0, 1.0), Vector2::new(1.5, -0.3));
    let f = |p: &[f64]| landmark_residual(p[0], p[1], p[2], &l, &z);
    for p in [[0.1, 0.2, 0.3], [-1.0, 0.5, 2.0], [0.4, -0.7, -1.2]] {
        let (value, (gx, gy, gth)) = landmark_residual_grad(p[0], p[1], p[2], &l, &z);
        assert_eq!(value, f(&p));
        // `e = R(th)ᵀ (l - t) - z`: `∂/∂t = -2 R e`, `∂/∂th = 2 eᵀ (dR/dth)ᵀ (l - t)`.
        let (s, c) = p[2].sin_cos();
        let d = l - Vector2::new(p[0], p[1]);
        let e = Vector2::new(c * d.x + s * d.y, -s * d.x + c * d.y) - z;
        let re = Vector2::new(c * e.x - s * e.y, s * e.x + c * e.y);
        let dth = 2.0 * (e.x * (-s * d.x + c * d.y) + e.y * (-c * d.x - s * d.y));
        assert_close(&[gx, gy, gth], &[-2.0 * re.x, -2.0 * re.y, dth], 1e-12, "landmark closed form");
        assert_close(&[gx, gy, gth], &central_gradient(f, &p), 1e-8, "landmark differences");
        let (_, t) = landmark_residual_jvp(p[0], p[1], p[2], &l, &z, 0.3, -0.2, 0.9);
        assert_close(&[t], &[0.3 * gx - 0.2 * gy + 0.9 * gth], 1e-12, "landmark jvp");
        let (_, pullback) = landmark_residual_vjp(p[0], p[1], p[2], &l, &z);
        let (ux, uy, uth) = pullback(-0.5);
        assert_close(&[ux, uy, uth], &[-0.5 * gx, -0.5 * gy, -0.5 * gth], 1e-12, "landmark vjp");
        let (_, _, h) = landmark_residual_hessian(p[0], p[1], p[2], &l, &z);
        for i in 0..3 {
            let row = central_gradient(
                |q| {
                    let (_, g) = landmark_residual_grad(q[0], q[1], q[2], &l, &z);
                    [g.0, g.1, g.2][i]
                },
                &p,
            );
            assert_close(&h.as_slice()[3 * i..3 * i + 3], &row, 1e-7, "landmark Hessian");
        }
        // Translations: `∂²/∂t² = 2 I`.
        assert_close(
            &[h[(0, 0)], h[(0, 1)], h[(1, 1)]],
            &[2.0, 0.0, 2.0],
            1e-12,
            "landmark Hessian closed form",
        );
    }
}

#[test]
fn a_unit_complex_applied_to_a_point() {
    let p = Point2::new(0.7, -1.2);
    for th in [0.3, -1.1, 2.4] {
        let (value, g) = complex_point_grad(th, &p);
        assert_eq!(value, complex_point(th, &p));
        // `q = R(th) p`: `q.x q.y = ½ sin 2th (p.x² - p.y²) + cos 2th p.x p.y`; the matrix's
        // entry `-sin 2th`; `sin(angle)`, `sin 2th`.
        let want = (2.0 * th).cos() * (p.x * p.x - p.y * p.y)
            - 2.0 * (2.0 * th).sin() * p.x * p.y
            - 2.0 * (2.0 * th).cos()
            + d_sin_angle(th);
        assert_close(&[g], &[want], 1e-12, "complex_point closed form");
        assert_close(&[g], &central_gradient(|q| complex_point(q[0], &p), &[th]), 1e-8, "complex_point");
        let (_, t) = complex_point_jvp(th, &p, 1.5);
        assert_close(&[t], &[1.5 * g], 1e-12, "complex_point jvp");
    }
}

/// `d/dth sin(angle(R(2 th)))`: `angle` is `2 th` wrapped into `(-π, π]`, so `2 cos 2th`.
fn d_sin_angle(th: f64) -> f64 {
    2.0 * (2.0 * th).cos()
}

#[test]
fn euler_angles_and_quaternion_products() {
    let v = Vector3::new(0.3, -1.0, 2.0);
    let f = |p: &[f64]| attitude(p[0], p[1], p[2], &v);
    for p in [[0.1, 0.2, 0.3], [-0.8, 0.4, 1.9], [1.2, -1.0, -0.5]] {
        let (value, (a, b, c)) = attitude_grad(p[0], p[1], p[2], &v);
        assert!((value - f(&p)).abs() <= 1e-12, "value {value} against {}", f(&p));
        assert_close(&[a, b, c], &central_gradient(f, &p), 1e-8, "attitude");
        let (_, t) = attitude_jvp(p[0], p[1], p[2], &v, -0.4, 0.8, 0.1);
        let (_, pullback) = attitude_vjp(p[0], p[1], p[2], &v);
        let (ua, ub, uc) = pullback(2.0);
        assert_close(
            &[2.0 * t],
            &[-0.4 * ua + 0.8 * ub + 0.1 * uc],
            1e-12,
            "attitude forward against reverse",
        );
    }
}

#[test]
fn an_axis_angle_rotation() {
    let v = Vector3::new(1.0, -0.5, 0.25);
    let u = Vector3::new(1.0, 2.0, 2.0) / 3.0;
    for a in [0.2, -1.3, 2.8] {
        let (value, g) = about_axis_grad(a, &v);
        assert!((value - about_axis(a, &v)).abs() <= 1e-14);
        // Rodrigues: `R v = c v + s (u × v) + (1 - c)(u·v) u`; its derivative in `a`.
        let want = -a.sin() * v.x + a.cos() * u.cross(&v).x + a.sin() * u.dot(&v) * u.x;
        assert_close(&[g], &[want], 1e-12, "about_axis closed form");
        let (_, t) = about_axis_jvp(a, &v, 0.6);
        assert_close(&[t], &[0.6 * g], 1e-12, "about_axis jvp");
    }
    // The matrix is nalgebra's own.
    let r = Rotation3::from_axis_angle(&nalgebra::Unit::new_unchecked(u), 0.7);
    assert!(((r * v).x - about_axis(0.7, &v)).abs() <= 1e-15);
}
