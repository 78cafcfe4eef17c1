//! Accumulators that feed each other in one loop: `s += v; acc += s;` (the sum of prefix sums)
//! and `v -= g w_i dt; y += v dt;` (a falling body). Each new value of
//! the first is read by the second's term, so the first's adjoint grows from one backward
//! iteration to the next and the backward loop must run backward. Until the seventeenth
//! session such a loop, whose sweep saves nothing, was run forward as if its iterations were
//! independent (`emit::reverse::loops::order_free`): the gradient of the sum of prefix sums came
//! out reversed, `[1, 2, 3, 4, 5]` for `[5, 4, 3, 2, 1]`. Checked against closed forms, central
//! differences, and forward mode against reverse mode.

// Index loops are how numerical code is written.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{close, forward_against_reverse, gradient_central};
use tapeless::differentiable;

/// `Σ_k Σ_{j≤k} x_j`.
#[differentiable]
fn prefix_sums(x: &[f64]) -> f64 {
    let mut s = 0.0;
    let mut acc = 0.0;
    for &v in x {
        s += v;
        acc += s;
    }
    acc
}

/// Height after `n` steps of `v -= g w_i dt; y += v dt` from `(1, v0)`, the acceleration
/// growing with the step, `w_i = 1 + i/10`.
#[differentiable(wrt(g, v0))]
fn height(g: f64, v0: f64, n: usize) -> f64 {
    let dt = 0.01;
    let (mut y, mut v) = (1.0, v0);
    for i in 0..n {
        v -= g * (1.0 + 0.1 * i as f64) * dt;
        y += v * dt;
    }
    y
}

/// Three accumulators in a chain, one of them subtracted.
#[differentiable]
fn three_levels(x: &[f64]) -> f64 {
    let (mut a, mut b, mut c) = (0.0, 0.0, 0.0);
    for &xi in x {
        a += xi;
        b -= a;
        c += 2.0 * b;
    }
    c
}

#[test]
fn a_sum_of_prefix_sums() {
    for x in [vec![0.3, -1.2, 0.7, 1.9, 0.5], vec![1.0, 2.0, 3.0], vec![-0.5, 0.25, 4.0, 1.5]] {
        let n = x.len();
        let (value, g) = prefix_sums_grad(&x);
        assert_eq!(value, prefix_sums(&x));
        // Closed form: x_j is in the prefix sums k = j..n-1, so ∂/∂x_j = n - j.
        for (j, gj) in g.iter().enumerate() {
            assert_eq!(*gj, (n - j) as f64, "{g:?}");
        }
        gradient_central("prefix_sums", &|p| prefix_sums(p), &x, &g, 1e-9);
        let d = common::direction(n, 3);
        let (_, tangent) = prefix_sums_jvp(&x, d.clone());
        let (_, pullback) = prefix_sums_vjp(&x);
        forward_against_reverse("prefix_sums", tangent, &d, 0.7, &pullback(0.7), 1e-12);
        // Three levels: c = Σ_k 2 b_k, b_k = -Σ_{m≤k} a_m, a_m = Σ_{j≤m} x_j, so
        // ∂c/∂x_j = -2 Σ_{k≥j} (k - j + 1) = -(n - j)(n - j + 1).
        let (_, g) = three_levels_grad(&x);
        for (j, gj) in g.iter().enumerate() {
            let m = (n - j) as f64;
            assert!(close(*gj, -m * (m + 1.0), 1e-14), "{g:?}");
        }
        let (_, tangent) = three_levels_jvp(&x, d.clone());
        let (_, pullback) = three_levels_vjp(&x);
        forward_against_reverse("three_levels", tangent, &d, 1.1, &pullback(1.1), 1e-12);
    }
}

#[test]
fn a_body_under_constant_acceleration() {
    for (g, v0, n) in [(9.81, 3.0, 100), (1.6, 0.5, 40), (3.7, -1.0, 7)] {
        let (value, (dg, dv0)) = height_grad(g, v0, n);
        assert_eq!(value, height(g, v0, n));
        // Closed form: y_n = 1 + n dt v0 - g dt² Σ_j w_j (n - j).
        let (dt, m) = (0.01, n as f64);
        let weights: f64 = (0..n).map(|j| (1.0 + 0.1 * j as f64) * (n - j) as f64).sum();
        assert!(close(value, 1.0 + m * dt * v0 - g * dt * dt * weights, 1e-12));
        assert!(close(dg, -dt * dt * weights, 1e-12), "{dg}");
        assert!(close(dv0, m * dt, 1e-12), "{dv0}");
        gradient_central("height", &|p| height(p[0], p[1], n), &[g, v0], &[dg, dv0], 1e-9);
        let (_, tangent) = height_jvp(g, v0, n, 0.4, -0.9);
        let (_, pullback) = height_vjp(g, v0, n);
        let (a, b) = pullback(1.3);
        forward_against_reverse("height", tangent, &[0.4, -0.9], 1.3, &[a, b], 1e-12);
    }
}

/// Semi-implicit Euler driven by a force per step, the position reading the new velocity:
/// `x_n = dt² Σ_j a_j (n - j)`. (Before the fix its gradient was wrong by 4e-2 at this point.)
#[differentiable]
fn driven(a: &[f64]) -> f64 {
    let dt = 0.1;
    let (mut x, mut v) = (0.0, 0.0);
    for i in 0..a.len() {
        v += a[i] * dt;
        x += v * dt;
    }
    x
}

#[test]
fn a_position_reading_the_new_velocity() {
    for a in [vec![0.3, -1.2, 0.7, 1.9, 0.5], vec![1.0, 0.0, -2.0], vec![0.25, 0.5, 0.75, 1.0]] {
        let n = a.len();
        let (value, g) = driven_grad(&a);
        assert_eq!(value, driven(&a));
        for (j, gj) in g.iter().enumerate() {
            assert!(close(*gj, 0.01 * (n - j) as f64, 1e-14), "{g:?}");
        }
        gradient_central("driven", &|p| driven(p), &a, &g, 1e-9);
        let d = common::direction(n, 5);
        let (_, tangent) = driven_jvp(&a, d.clone());
        let (_, pullback) = driven_vjp(&a);
        forward_against_reverse("driven", tangent, &d, 0.6, &pullback(0.6), 1e-12);
    }
}
