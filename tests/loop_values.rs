//! A `loop` whose value is given by `break v`, as solvers write their iterations: the value is
//! carried out of the loop by a variable (`lower::scan::break_values_assigned`). Before, "`break`
//! with a label or a value is not supported". Checked against closed forms, central
//! differences, forward against reverse, and the Hessian against its closed form and central
//! differences of `_grad`.

mod common;

use common::close;
use nalgebra::{Matrix2, Vector2};
use tapeless::differentiable;

/// Thirty Newton steps for `x³ = a`: `2 ∛a`, whose derivative is `(2/3) a^(-2/3)`.
#[differentiable(hessian)]
fn cube_root(a: f64) -> f64 {
    let mut x = 1.0;
    let mut k = 0;
    let root = loop {
        let next = x - (x * x * x - a) / (3.0 * x * x);
        k += 1;
        if k >= 30 {
            break next;
        }
        x = next;
    };
    root * 2.0
}

/// The fixed point of `v = M v + p`, a vector broken out when the step is small:
/// `|(I - M)⁻¹ p|²`.
#[differentiable]
fn fixed_point(p: Vector2<f64>) -> f64 {
    let m = Matrix2::new(0.5, 0.1, -0.2, 0.4);
    let mut v = p;
    let mut i = 0;
    let out = loop {
        let w = m * v + p;
        i += 1;
        if tapeless::piecewise((w - v).norm() < 1e-13 || i > 500) {
            break w;
        }
        v = w;
    };
    out.norm_squared()
}

/// Two `break`s with different values, the loop the function's value.
#[differentiable]
fn two_exits(x: f64, n: usize) -> f64 {
    let mut s = x;
    let mut i = 0;
    loop {
        s = s * 0.9 + 0.1;
        i += 1;
        if i == n {
            break s * 2.0;
        } else if i > 100 {
            break s;
        }
    }
}

#[test]
fn a_newton_iteration_first_and_second_order() {
    for a in [0.5, 5.0, 27.0] {
        let (y, g) = cube_root_grad(a);
        assert!(close(y, 2.0 * a.cbrt(), 1e-14));
        assert!(close(g, 2.0 / 3.0 * a.powf(-2.0 / 3.0), 1e-12));
        let h = 1e-6 * a;
        assert!(close(g, (cube_root(a + h) - cube_root(a - h)) / (2.0 * h), 1e-7));
        let (_, t) = cube_root_jvp(a, 0.7);
        let (_, pullback) = cube_root_vjp(a);
        assert!(close(1.3 * t, 0.7 * pullback(1.3), 1e-14));
        let (_, _, hessian) = cube_root_hessian(a);
        assert!(close(hessian[(0, 0)], -4.0 / 9.0 * a.powf(-5.0 / 3.0), 1e-10));
        let fd = (cube_root_grad(a + h).1 - cube_root_grad(a - h).1) / (2.0 * h);
        assert!(close(hessian[(0, 0)], fd, 1e-6));
    }
}

#[test]
fn a_vector_fixed_point() {
    let m = Matrix2::new(0.5, 0.1, -0.2, 0.4);
    let inverse = (Matrix2::identity() - m).try_inverse().unwrap();
    for p in [Vector2::new(0.3, -0.2), Vector2::new(-1.0, 2.0), Vector2::new(0.7, 0.7)] {
        let (y, g) = fixed_point_grad(p);
        let v = inverse * p;
        assert!(close(y, v.norm_squared(), 1e-12));
        let want = inverse.transpose() * v * 2.0;
        assert!((g - want).norm() < 1e-11, "{g} vs {want}");
        let f = |x: f64, y: f64| fixed_point(Vector2::new(x, y));
        let h = 1e-6;
        assert!(close(g.x, (f(p.x + h, p.y) - f(p.x - h, p.y)) / (2.0 * h), 1e-7));
        assert!(close(g.y, (f(p.x, p.y + h) - f(p.x, p.y - h)) / (2.0 * h), 1e-7));
        let (_, t) = fixed_point_jvp(p, Vector2::new(0.4, -0.1));
        assert!(close(t, g.dot(&Vector2::new(0.4, -0.1)), 1e-12));
    }
}

#[test]
fn two_exits_with_different_values() {
    for (x, n) in [(0.7, 5), (-0.3, 1), (2.0, 12)] {
        // s_n = 0.9ⁿ (x - 1) + 1, the loop's value 2 s_n: derivative 2 · 0.9ⁿ.
        let (y, g) = two_exits_grad(x, n);
        let k = 0.9f64.powi(n as i32);
        assert!(close(y, 2.0 * (k * (x - 1.0) + 1.0), 1e-14));
        assert!(close(g, 2.0 * k, 1e-14));
        let h = 1e-6;
        assert!(close(g, (two_exits(x + h, n) - two_exits(x - h, n)) / (2.0 * h), 1e-8));
        let (_, t) = two_exits_jvp(x, n, 1.5);
        let (_, pullback) = two_exits_vjp(x, n);
        assert!(close(t, 1.5 * pullback(1.0), 1e-14));
    }
}
