//! A coordinate or entry of a static nalgebra value written in place, as simulation code
//! updates its state: `q.y = ..`, `q[i] = ..`, `m[(0, 1)] = ..`, `b.vel.z -= ..` of a struct
//! built in the body, `acc.0.y *= ..` of a tuple, in straight-line code and in loops. Before,
//! each was "assignment to anything but a local variable" or "this indexed assignment".
//! Checked against closed forms, central differences, and forward against reverse mode; the
//! Hessian against an analytic one and central differences of `_grad`.

mod common;

use common::{central, close};
use nalgebra::{Matrix2, Point3, RealField, Vector3};
use tapeless::differentiable;

/// `q = (x + 1, x z, z)`: `f = (x + 1)² + x² z² + z²`.
#[differentiable(hessian)]
fn reflect(p: Vector3<f64>) -> f64 {
    let mut q = p;
    q.y = q.x * q.z;
    q.x += 1.0;
    q.norm_squared()
}

struct Body {
    pos: Vector3<f64>,
    vel: Vector3<f64>,
}

/// Three explicit Euler steps under gravity, the velocity's `z` written in place:
/// `pos.z = p_z + 3 dt v_z - 6 g dt²`.
#[differentiable]
fn fall(p: Vector3<f64>, v: Vector3<f64>, dt: f64) -> f64 {
    let mut b = Body { pos: p, vel: v };
    for _ in 0..3 {
        b.vel.z -= 9.81 * dt;
        b.pos += b.vel * dt;
    }
    b.pos.z
}

/// Only a coordinate of a field is written in the loop: `vel.z = v_z - 4 g dt`, and the
/// result `(v_z - 4 g dt) p_x`.
#[differentiable]
fn drift(p: Vector3<f64>, v: Vector3<f64>, dt: f64) -> f64 {
    let mut b = Body { pos: p, vel: v };
    for _ in 0..4 {
        b.vel.z -= 9.81 * dt;
    }
    b.vel.z * b.pos.x
}

/// Entries written by a loop index, each from the value the previous step left:
/// `q = (x y, y z, x y z)`, and the result their sum.
#[differentiable]
fn cascade(p: Vector3<f64>) -> f64 {
    let mut q = p;
    for i in 0..3 {
        q[i] *= q[(i + 1) % 3];
    }
    q.sum()
}

/// `m = [[a, a b], [0, a]]`: `det m + sum m = a² + 2 a + a b`.
#[differentiable]
fn upper(a: f64, b: f64) -> f64 {
    let mut m = Matrix2::new(a, b, b, a);
    m[(0, 1)] = a * b;
    m[(1, 0)] = 0.0;
    m.determinant() + m.sum()
}

/// A point's coordinate set to a constant: `|q - p|² = p_z²`.
#[differentiable]
fn flatten(p: Point3<f64>) -> f64 {
    let mut q = p;
    q.z = 0.0;
    (q - p).norm_squared()
}

/// A coordinate of a tuple's part, in a loop: `acc.0.y` is multiplied by `(1 + x)` three
/// times: `y (1 + x)³ + s`.
#[differentiable]
fn scaled(p: Vector3<f64>, s: f64) -> f64 {
    let mut acc = (p, s);
    for _ in 0..3 {
        acc.0.y *= 1.0 + acc.0.x;
    }
    acc.0.y + acc.1
}

/// Generic over nalgebra's `RealField`, as published geometry code is.
#[differentiable]
fn swap_in<T: RealField + Copy>(p: Vector3<T>) -> T {
    let mut q = p;
    q.x = q.y * q.z;
    q.z = p.x;
    q.norm_squared()
}

/// Central differences of `f` at `x`, every coordinate.
fn fd(f: &dyn Fn(&[f64]) -> f64, x: &[f64]) -> Vec<f64> {
    (0..x.len()).map(|i| central(f, x, i)).collect()
}

fn v3(c: &[f64]) -> Vector3<f64> {
    Vector3::new(c[0], c[1], c[2])
}

const POINTS: [[f64; 3]; 3] = [[0.3, -0.7, 1.2], [-1.1, 0.4, 0.5], [2.0, 1.5, -0.8]];

#[test]
fn a_coordinate_written_in_straight_line_code() {
    for x in POINTS {
        let p = v3(&x);
        let (fx, g) = reflect_grad(p);
        let (a, c) = (x[0], x[2]);
        assert!(close(fx, (a + 1.0).powi(2) + a * a * c * c + c * c, 1e-14));
        let want = [2.0 * (a + 1.0) + 2.0 * a * c * c, 0.0, 2.0 * a * a * c + 2.0 * c];
        let numeric = fd(&|c| reflect(v3(c)), &x);
        for i in 0..3 {
            assert!(close(g[i], want[i], 1e-13), "d/dp{i}: {} vs {}", g[i], want[i]);
            assert!(close(g[i], numeric[i], 1e-8), "d/dp{i}: {} vs central {}", g[i], numeric[i]);
        }
        // Forward against reverse along a direction.
        let dir = Vector3::new(0.3, -0.9, 0.4);
        let (_, t) = reflect_jvp(p, dir);
        let (_, pullback) = reflect_vjp(p);
        assert!(close(t * 1.7, pullback(1.7).dot(&dir), 1e-13));
        // Hessian: analytic, symmetric, and central differences of `_grad`.
        let (_, _, h) = reflect_hessian(p);
        let want = [[2.0 + 2.0 * c * c, 0.0, 4.0 * a * c], [0.0; 3], [4.0 * a * c, 0.0, 2.0 * a * a + 2.0]];
        for r in 0..3 {
            let column = fd(&|q| reflect_grad(v3(q)).1[r], &x);
            for k in 0..3 {
                assert!(close(h[(r, k)], want[r][k], 1e-13), "H[{r},{k}] = {} vs {}", h[(r, k)], want[r][k]);
                assert!(close(h[(r, k)], column[k], 1e-7), "H[{r},{k}] vs central {}", column[k]);
                assert!(close(h[(r, k)], h[(k, r)], 1e-12));
            }
        }
        let (_, _, hv) = reflect_hvp(p, dir);
        assert!(close(hv.dot(&dir), (h * dir).dot(&dir), 1e-12));
    }
}

#[test]
fn a_field_coordinate_written_in_a_loop() {
    let g0 = 9.81;
    for (x, dt) in POINTS.iter().zip([0.1, 0.05, 0.2]) {
        let (p, v) = (v3(x), Vector3::new(x[2], x[0], x[1] + 1.0));
        let (z, (gp, gv, gdt)) = fall_grad(p, v, dt);
        assert!(close(z, p.z + 3.0 * dt * v.z - 6.0 * g0 * dt * dt, 1e-13));
        assert_eq!((gp, gv), (Vector3::z(), Vector3::new(0.0, 0.0, 3.0 * dt)));
        assert!(close(gdt, 3.0 * v.z - 12.0 * g0 * dt, 1e-13));
        let flat = [x[0], x[1], x[2], v.x, v.y, v.z, dt];
        let numeric = fd(&|c| fall(v3(c), v3(&c[3..]), c[6]), &flat);
        let ours: Vec<f64> = gp.iter().chain(gv.iter()).copied().chain([gdt]).collect();
        for i in 0..7 {
            assert!(close(ours[i], numeric[i], 1e-8), "d/d{i}: {} vs central {}", ours[i], numeric[i]);
        }
        let (_, t) = fall_jvp(p, v, dt, Vector3::new(0.1, 0.2, 0.3), Vector3::new(-0.4, 0.5, 0.6), 0.7);
        let dir = [0.1, 0.2, 0.3, -0.4, 0.5, 0.6, 0.7];
        assert!(close(t, ours.iter().zip(dir).map(|(a, b)| a * b).sum(), 1e-13));

        // `drift`: (v_z - 4 g dt) p_x.
        let (y, (gp, gv, gdt)) = drift_grad(p, v, dt);
        let vz = v.z - 4.0 * g0 * dt;
        assert!(close(y, vz * p.x, 1e-13));
        assert_eq!(gp, Vector3::new(vz, 0.0, 0.0));
        assert_eq!(gv, Vector3::new(0.0, 0.0, p.x));
        assert!(close(gdt, -4.0 * g0 * p.x, 1e-13));
        let numeric = fd(&|c| drift(v3(c), v3(&c[3..]), c[6]), &flat);
        assert!(close(numeric[6], gdt, 1e-8) && close(numeric[0], vz, 1e-8) && close(numeric[5], p.x, 1e-8));
        let (_, pullback) = drift_vjp(p, v, dt);
        let (bp, bv, bdt) = pullback(0.5);
        let (_, t) = drift_jvp(p, v, dt, Vector3::new(0.1, 0.2, 0.3), Vector3::new(-0.4, 0.5, 0.6), 0.7);
        let reverse =
            bp.dot(&Vector3::new(0.1, 0.2, 0.3)) + bv.dot(&Vector3::new(-0.4, 0.5, 0.6)) + bdt * 0.7;
        assert!(close(0.5 * t, reverse, 1e-13));
    }
}

#[test]
fn entries_written_by_index_and_by_row_and_column() {
    for x in POINTS {
        let (a, b, c) = (x[0], x[1], x[2]);
        let (y, g) = cascade_grad(v3(&x));
        assert!(close(y, a * b + b * c + a * b * c, 1e-13));
        let want = [b + b * c, a + c + a * c, b + a * b];
        let numeric = fd(&|q| cascade(v3(q)), &x);
        for i in 0..3 {
            assert!(close(g[i], want[i], 1e-13) && close(g[i], numeric[i], 1e-8), "d/dp{i}: {}", g[i]);
        }
        let dir = Vector3::new(-0.2, 0.6, 0.9);
        let (_, t) = cascade_jvp(v3(&x), dir);
        assert!(close(t, g.dot(&dir), 1e-13));

        let (y, (ga, gb)) = upper_grad(a, b);
        assert!(close(y, a * a + 2.0 * a + a * b, 1e-13));
        assert!(close(ga, 2.0 * a + 2.0 + b, 1e-13) && close(gb, a, 1e-13));
        let numeric = fd(&|q| upper(q[0], q[1]), &[a, b]);
        assert!(close(ga, numeric[0], 1e-8) && close(gb, numeric[1], 1e-8));
        let (_, t) = upper_jvp(a, b, 0.3, -0.8);
        assert!(close(t, 0.3 * ga - 0.8 * gb, 1e-13));
    }
}

#[test]
fn a_point_a_tuple_part_and_generic_code() {
    for x in POINTS {
        let p = Point3::new(x[0], x[1], x[2]);
        let (y, g) = flatten_grad(p);
        assert!(close(y, x[2] * x[2], 1e-14));
        assert_eq!(g, Vector3::new(0.0, 0.0, 2.0 * x[2]));
        let (_, t) = flatten_jvp(p, Vector3::new(0.5, 0.5, 0.5));
        assert!(close(t, x[2], 1e-14));

        let s = 0.25;
        let (y, (gp, gs)) = scaled_grad(v3(&x), s);
        let k = 1.0 + x[0];
        assert!(close(y, x[1] * k.powi(3) + s, 1e-13));
        assert!(close(gp.x, 3.0 * x[1] * k * k, 1e-13) && close(gp.y, k.powi(3), 1e-13) && gp.z == 0.0);
        assert_eq!(gs, 1.0);
        let numeric = fd(&|c| scaled(v3(c), c[3]), &[x[0], x[1], x[2], s]);
        assert!(close(gp.x, numeric[0], 1e-8) && close(gp.y, numeric[1], 1e-8));
        let (_, t) = scaled_jvp(v3(&x), s, Vector3::new(0.2, -0.1, 0.4), 0.3);
        assert!(close(t, gp.dot(&Vector3::new(0.2, -0.1, 0.4)) + 0.3 * gs, 1e-13));

        // q = (y z, y, x): |q|² = y² z² + y² + x².
        let (y, g) = swap_in_grad(v3(&x));
        assert!(close(y, x[1] * x[1] * x[2] * x[2] + x[1] * x[1] + x[0] * x[0], 1e-13));
        let want = [2.0 * x[0], 2.0 * x[1] * x[2] * x[2] + 2.0 * x[1], 2.0 * x[1] * x[1] * x[2]];
        let numeric = fd(&|c| swap_in(v3(c)), &x);
        for i in 0..3 {
            assert!(close(g[i], want[i], 1e-13) && close(g[i], numeric[i], 1e-8));
        }
        let dir = Vector3::new(0.4, -0.3, 0.8);
        let (_, t) = swap_in_jvp(v3(&x), dir);
        let (_, pullback) = swap_in_vjp(v3(&x));
        assert!(close(1.2 * t, pullback(1.2).dot(&dir), 1e-13));
        let y32 = swap_in(Vector3::new(x[0] as f32, x[1] as f32, x[2] as f32));
        assert!((y32 as f64 - y).abs() < 1e-4 * y.abs().max(1.0));
    }
}
