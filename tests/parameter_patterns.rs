//! Parameters written as patterns, as published test functions write them: `&[x, y]: &[T; 2]`
//! generic over `num_traits::Float` (with its Hessian), `[a, b]: [f64; 2]` by value, a tuple
//! `(a, b): (f64, f64)` beside a named parameter, and a pattern with `_`. Until the forty-fifth
//! session these were "a pattern in parameter position" errors. The generated items name such a
//! parameter after what it binds (`x_y`, its tangent `dx_y`). Each against its analytic gradient
//! (and Hessian), central differences, and forward mode against reverse mode.

mod common;

use common::{assert_close, central_gradient, close, forward_against_reverse, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

/// Rosenbrock's function, its point taken apart in the signature.
#[differentiable(hessian)]
fn rosenbrock<T: Float>(&[x, y]: &[T; 2]) -> T {
    let one = T::one();
    let hundred = T::from(100.0).unwrap();
    (one - x).powi(2) + hundred * (y - x * x).powi(2)
}

/// `a cos b`, an array by value.
#[differentiable]
fn by_value([a, b]: [f64; 2]) -> f64 {
    a * b.cos()
}

/// `s (a b + c)`, a tuple beside a named parameter and a pattern ignoring a part.
#[differentiable]
fn mixed(s: f64, (a, b): (f64, f64), [c, _]: [f64; 2]) -> f64 {
    s * (a * b + c)
}

#[test]
fn a_point_taken_apart_in_a_generic_signature() {
    for p in [[0.5, 2.0], [-1.2, 1.0], [1.0, 1.0]] {
        let (x, y) = (p[0], p[1]);
        let (value, g) = rosenbrock_grad(&p);
        assert!(close(value, rosenbrock(&p), 1e-15));
        let want = [-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)];
        assert_close(&g, &want, 1e-13, "rosenbrock gradient");
        let f = |q: &[f64]| rosenbrock(&[q[0], q[1]]);
        assert_close(&g, &central_gradient(f, &p), 1e-7, "rosenbrock differences");
        let dir = [0.3, -0.8];
        let (_, d) = rosenbrock_jvp(&p, dir);
        forward_against_reverse("rosenbrock", d, &dir, 1.0, &g, 1e-13);
        let (_, _, h) = rosenbrock_hessian(&p);
        let closed = |i: usize, j: usize| match (i, j) {
            (0, 0) => 2.0 - 400.0 * (y - 3.0 * x * x),
            (1, 1) => 200.0,
            _ => -400.0 * x,
        };
        let grad = |q: &[f64]| rosenbrock_grad(&[q[0], q[1]]).1.to_vec();
        hessian_against("rosenbrock", &h, &closed, &grad, &p, 1e-12);
    }
}

#[test]
fn arrays_and_tuples_taken_apart_in_the_signature() {
    for (a, b) in [(1.0, 2.0), (-0.5, 0.3), (2.5, -1.7)] {
        let (value, g) = by_value_grad([a, b]);
        assert!(close(value, a * b.cos(), 1e-15));
        assert_close(&g, &[b.cos(), -a * b.sin()], 1e-14, "by_value gradient");
        let f = |q: &[f64]| by_value([q[0], q[1]]);
        assert_close(&g, &central_gradient(f, &[a, b]), 1e-8, "by_value differences");
        let (_, d) = by_value_jvp([a, b], [0.4, -0.9]);
        forward_against_reverse("by_value", d, &[0.4, -0.9], 1.0, &g, 1e-14);

        let (s, c) = (0.7, a - b);
        let (value, (gs, (ga, gb), gc)) = mixed_grad(s, (a, b), [c, 9.0]);
        assert!(close(value, s * (a * b + c), 1e-15));
        let flat = [gs, ga, gb, gc[0], gc[1]];
        assert_close(&flat, &[a * b + c, s * b, s * a, s, 0.0], 1e-14, "mixed gradient");
        let f = |q: &[f64]| mixed(q[0], (q[1], q[2]), [q[3], q[4]]);
        assert_close(&flat, &central_gradient(f, &[s, a, b, c, 9.0]), 1e-8, "mixed differences");
        let dir = [0.2, -0.5, 0.9, 1.1, 0.3];
        let (_, d) = mixed_jvp(s, (a, b), [c, 9.0], dir[0], (dir[1], dir[2]), [dir[3], dir[4]]);
        forward_against_reverse("mixed", d, &dir, 1.0, &flat, 1e-14);
    }
}

/// `wrt(..)` listing the names a pattern binds: the point, not the scale.
#[differentiable(wrt(x, y))]
fn scaled_distance(&[x, y]: &[f64; 2], k: f64) -> f64 {
    k * (x * x + y * y).sqrt()
}

#[test]
fn wrt_names_the_parts_of_a_pattern() {
    for (p, k) in [([3.0, 4.0], 2.0), ([-0.5, 0.3], 0.7), ([2.5, -1.7], -1.5)] {
        let r = (p[0] * p[0] + p[1] * p[1]).sqrt();
        let (value, g) = scaled_distance_grad(&p, k);
        assert!(close(value, k * r, 1e-15));
        assert_close(&g, &[k * p[0] / r, k * p[1] / r], 1e-14, "scaled_distance gradient");
        let f = |q: &[f64]| scaled_distance(&[q[0], q[1]], k);
        assert_close(&g, &central_gradient(f, &p), 1e-8, "scaled_distance differences");
        let dir = [0.4, -0.9];
        let (_, d) = scaled_distance_jvp(&p, k, dir);
        forward_against_reverse("scaled_distance", d, &dir, 1.0, &g, 1e-14);
    }
}
