//! nalgebra points as parameters and values, as geometry and mechanics code writes them:
//! `p - q` (a vector), `p + v` (a point), coordinates `p.x` and `p[i]`, `p.coords`,
//! `nalgebra::distance`. A point's tangent and gradient are vectors (`Vector3` of a `Point3`).
//! Each gradient is checked against its analytic form and central differences, and forward mode
//! against reverse mode.

mod common;

use common::close;
use nalgebra::{Point2, Point3, Vector3};
use tapeless::differentiable;

/// A spring of rest length 1 between two points.
#[differentiable]
fn spring(p: Point3<f64>, q: &Point3<f64>, k: f64) -> f64 {
    let d = nalgebra::distance(&p, q) - 1.0;
    0.5 * k * d * d
}

/// The signed area of a triangle.
#[differentiable]
fn area(a: Point2<f64>, b: Point2<f64>, c: Point2<f64>) -> f64 {
    let (u, v) = (b - a, c - a);
    0.5 * (u.x * v.y - u.y * v.x)
}

/// A point moved along a vector, then read by coordinate, index and `coords`.
#[differentiable]
fn moved(p: &Point3<f64>, v: Vector3<f64>) -> f64 {
    let r = p + v * 2.0;
    r.x * r[1] + r.coords.norm_squared()
}

/// The midpoint, a point result.
#[differentiable]
fn midpoint(p: Point3<f64>, q: Point3<f64>) -> Point3<f64> {
    p + (q - p) * 0.5
}

/// The centre of two points, read through `coords`: `Σ (p + q) / 2 + |q - p|`.
#[differentiable]
fn centred(p: &Point3<f64>, q: &Point3<f64>) -> f64 {
    let m = nalgebra::center(p, q);
    m.coords.sum() + (q - p).norm()
}

fn point(x: &[f64]) -> Point3<f64> {
    Point3::new(x[0], x[1], x[2])
}

#[test]
fn a_spring_between_two_points() {
    for (p, q, k) in [([1.0, 0.0, 0.0], [0.0, 2.0, 0.0], 2.0), ([0.3, -0.4, 1.2], [1.1, 0.2, -0.5], 0.7)] {
        let (p, q) = (point(&p), point(&q));
        let (value, (gp, gq, gk)) = spring_grad(p, &q, k);
        let r = (p - q).norm();
        assert!(close(value, 0.5 * k * (r - 1.0).powi(2), 1e-15));
        // ∂/∂p = k (r - 1) (p - q) / r = -∂/∂q, ∂/∂k = (r - 1)² / 2.
        let want: Vector3<f64> = (p - q) * (k * (r - 1.0) / r);
        assert!((gp - want).norm() < 1e-14 && (gq + want).norm() < 1e-14, "{gp} {gq} vs {want}");
        assert!(close(gk, 0.5 * (r - 1.0).powi(2), 1e-15));
        let f = |x: &[f64]| spring(point(x), &q, k);
        for i in 0..3 {
            let fd = common::central(&f, p.coords.as_slice(), i);
            assert!(close(gp[i], fd, 1e-9), "d/dp{i}: {} vs {fd}", gp[i]);
        }
        let (tp, tq, tk) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.3, 0.5, 0.0), 0.6);
        let (_, jv) = spring_jvp(p, &q, k, tp, tq, tk);
        let (_, pullback) = spring_vjp(p, &q, k);
        let (bp, bq, bk) = pullback(1.0);
        assert!(close(jv, bp.dot(&tp) + bq.dot(&tq) + bk * tk, 1e-14));
    }
}

#[test]
fn a_triangle_and_a_moved_point() {
    let (a, b, c) = (Point2::new(0.2, -0.1), Point2::new(1.3, 0.4), Point2::new(-0.2, 1.1));
    let (value, (ga, gb, gc)) = area_grad(a, b, c);
    assert!(close(value, 0.5 * ((b - a).x * (c - a).y - (b - a).y * (c - a).x), 1e-15));
    // ∂/∂b = (c_y - a_y, a_x - c_x) / 2, ∂/∂c = (a_y - b_y, b_x - a_x) / 2, ∂/∂a = -(∂/∂b + ∂/∂c).
    let want_b = nalgebra::Vector2::new(c.y - a.y, a.x - c.x) * 0.5;
    let want_c = nalgebra::Vector2::new(a.y - b.y, b.x - a.x) * 0.5;
    assert!((gb - want_b).norm() < 1e-15 && (gc - want_c).norm() < 1e-15);
    assert!((ga + want_b + want_c).norm() < 1e-15);
    let (ta, tb, tc) = (
        nalgebra::Vector2::new(0.2, -0.1),
        nalgebra::Vector2::new(0.4, 0.3),
        nalgebra::Vector2::new(-0.5, 0.6),
    );
    let (_, jv) = area_jvp(a, b, c, ta, tb, tc);
    let (_, pullback) = area_vjp(a, b, c);
    let (ba, bb, bc) = pullback(1.0);
    assert!(close(jv, ba.dot(&ta) + bb.dot(&tb) + bc.dot(&tc), 1e-15));

    let (p, v) = (Point3::new(1.0, 2.0, 3.0), Vector3::new(0.5, -0.5, 0.25));
    let (value, (gp, gv)) = moved_grad(&p, v);
    let r = p + v * 2.0;
    assert!(close(value, r.x * r.y + r.coords.norm_squared(), 1e-15));
    let want = Vector3::new(r.y + 2.0 * r.x, r.x + 2.0 * r.y, 2.0 * r.z);
    assert!((gp - want).norm() < 1e-14 && (gv - want * 2.0).norm() < 1e-14, "{gp} {gv}");
    let f = |x: &[f64]| moved(&point(x), v);
    for i in 0..3 {
        let fd = common::central(&f, p.coords.as_slice(), i);
        assert!(close(gp[i], fd, 1e-9), "d/dp{i}: {} vs {fd}", gp[i]);
    }
    let (tp, tv) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.3, 0.5, 0.0));
    let (_, jv) = moved_jvp(&p, v, tp, tv);
    assert!(close(jv, gp.dot(&tp) + gv.dot(&tv), 1e-14));

    // A point result: its tangent and cotangent are vectors.
    let q = Point3::new(-1.0, 0.5, 2.0);
    let (m, t) = midpoint_jvp(p, q, tp, tv);
    assert!((m - Point3::from((p.coords + q.coords) * 0.5)).norm() < 1e-15);
    assert!((t - (tp + tv) * 0.5).norm() < 1e-15);
    let (_, pullback) = midpoint_vjp(p, q);
    let u = Vector3::new(0.7, -1.1, 0.3);
    let (bp, bq) = pullback(u);
    assert!(close(u.dot(&t), bp.dot(&tp) + bq.dot(&tv), 1e-15));
}

/// Points in a slice, a `Vec` and an array: a pairwise energy (with `_grad_into`, whose buffer
/// holds vectors), and a difference of two array elements read by coordinate.
#[differentiable]
fn pair_energy(ps: &[Point3<f64>]) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        for j in (i + 1)..ps.len() {
            e += 1.0 / nalgebra::distance(&ps[i], &ps[j]);
        }
    }
    e
}

#[differentiable]
fn spread(ps: Vec<Point3<f64>>, q: [Point3<f64>; 2]) -> f64 {
    ps.iter().map(|p| (p - q[0]).norm_squared()).sum::<f64>() + (q[1] - q[0]).x
}

#[test]
#[allow(clippy::needless_range_loop)]
fn collections_of_points() {
    let ps = vec![Point3::new(0.0, 0.0, 0.0), Point3::new(1.0, 0.0, 0.0), Point3::new(0.0, 2.0, 0.5)];
    let (value, g) = pair_energy_grad(&ps);
    let mut want = [Vector3::zeros(); 3];
    let mut want_value = 0.0;
    for i in 0..3 {
        for j in 0..3 {
            if i != j {
                let d = ps[i] - ps[j];
                want[i] -= d / d.norm().powi(3);
                if i < j {
                    want_value += 1.0 / d.norm();
                }
            }
        }
    }
    assert!(close(value, want_value, 1e-15));
    for i in 0..3 {
        assert!((g[i] - want[i]).norm() < 1e-14, "{} vs {}", g[i], want[i]);
    }
    let mut buffer = vec![Vector3::new(9.0, 9.0, 9.0)];
    assert_eq!(pair_energy_grad_into(&ps, &mut buffer), value);
    assert_eq!(buffer, g);
    let t = vec![Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.3, 0.5, 0.0), Vector3::new(0.1, 0.1, -0.2)];
    let (_, jv) = pair_energy_jvp(&ps, t.clone());
    let dot: f64 = g.iter().zip(&t).map(|(a, b)| a.dot(b)).sum();
    assert!(close(jv, dot, 1e-14));

    let q = [Point3::new(1.0, 1.0, 1.0), Point3::new(2.0, 0.0, 0.0)];
    let (value, (gp, gq)) = spread_grad(ps.clone(), q);
    let sum: f64 = ps.iter().map(|p| (p - q[0]).norm_squared()).sum();
    assert!(close(value, sum + 1.0, 1e-15));
    for (p, g) in ps.iter().zip(&gp) {
        assert!((g - (p - q[0]) * 2.0).norm() < 1e-15);
    }
    let total: Vector3<f64> = ps.iter().map(|p| p - q[0]).sum();
    assert!((gq[0] - (-total * 2.0 - Vector3::x())).norm() < 1e-15, "{}", gq[0]);
    assert!((gq[1] - Vector3::x()).norm() < 1e-15);
    let tp: Vec<Vector3<f64>> = (0..ps.len()).map(|i| Vector3::new(0.1 * i as f64, -0.3, 0.2)).collect();
    let tq = [Vector3::new(0.5, 0.1, -0.2), Vector3::new(-0.4, 0.3, 0.6)];
    let (_, jv) = spread_jvp(ps.clone(), q, tp.clone(), tq);
    let (_, pullback) = spread_vjp(ps.clone(), q);
    let (bp, bq) = pullback(1.0);
    let back: f64 =
        bp.iter().zip(&tp).map(|(a, b)| a.dot(b)).sum::<f64>() + bq[0].dot(&tq[0]) + bq[1].dot(&tq[1]);
    assert!(close(jv, back, 1e-14), "{jv} vs {back}");
}

/// Points built from a flat coordinate array (`Point3::new(x[0], x[1], x[2])`), as mesh code
/// reads vertices: the area of the triangle they span.
#[differentiable]
fn triangle_area(x: &[f64]) -> f64 {
    let a = Point3::new(x[0], x[1], x[2]);
    let b = Point3::new(x[3], x[4], x[5]);
    let c = Point3::new(1.0, 2.0, 3.0);
    0.5 * (b - a).cross(&(c - a)).norm()
}

#[test]
fn points_built_from_floats() {
    let x = [0.1, 0.2, 0.3, 1.0, 0.5, -0.2];
    let (value, g) = triangle_area_grad(&x);
    let (a, b, c) =
        (Vector3::new(x[0], x[1], x[2]), Vector3::new(x[3], x[4], x[5]), Vector3::new(1.0, 2.0, 3.0));
    let n = (b - a).cross(&(c - a));
    assert!(close(value, 0.5 * n.norm(), 1e-15));
    // ∂area/∂b = ½ (c - a) × n̂, ∂area/∂a = ½ (b - c) × n̂.
    let unit = n / n.norm();
    let (ga, gb) = (0.5 * (b - c).cross(&unit), 0.5 * (c - a).cross(&unit));
    for i in 0..3 {
        assert!(close(g[i], ga[i], 1e-13), "a{i}: {} vs {}", g[i], ga[i]);
        assert!(close(g[3 + i], gb[i], 1e-13), "b{i}: {} vs {}", g[3 + i], gb[i]);
    }
    for (i, gi) in g.iter().enumerate() {
        assert!(close(*gi, common::central(&|p: &[f64]| triangle_area(p), &x, i), 1e-8));
    }
    let t = common::direction(6, 17);
    let (_, jv) = triangle_area_jvp(&x, t.clone());
    let (_, pullback) = triangle_area_vjp(&x);
    let back = pullback(1.0);
    assert!(close(jv, back.iter().zip(&t).map(|(u, v)| u * v).sum::<f64>(), 1e-13));
}

#[test]
fn the_centre_of_two_points() {
    let (p, q) = (point(&[0.3, -0.4, 1.2]), point(&[1.1, 0.2, -0.5]));
    let (value, (gp, gq)) = centred_grad(&p, &q);
    let r = (q - p).norm();
    assert!(close(value, (p.coords + q.coords).sum() / 2.0 + r, 1e-15));
    // ∂/∂p = 1/2 - (q - p) / r, ∂/∂q = 1/2 + (q - p) / r.
    let unit = (q - p) / r;
    let half = Vector3::repeat(0.5);
    assert!((gp - (half - unit)).norm() < 1e-14 && (gq - (half + unit)).norm() < 1e-14, "{gp} {gq}");
    let f = |x: &[f64]| centred(&point(x), &q);
    for i in 0..3 {
        let fd = common::central(&f, p.coords.as_slice(), i);
        assert!(close(gp[i], fd, 1e-9), "d/dp{i}: {} vs {fd}", gp[i]);
    }
    let (tp, tq) = (Vector3::new(0.2, -0.1, 0.4), Vector3::new(-0.3, 0.5, 0.0));
    let (_, jvp) = centred_jvp(&p, &q, tp, tq);
    let (_, pullback) = centred_vjp(&p, &q);
    let (bp, bq) = pullback(1.5);
    assert!(close(1.5 * jvp, bp.dot(&tp) + bq.dot(&tq), 1e-12), "<u, J v> against <J^T u, v>");
}
