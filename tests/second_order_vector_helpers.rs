//! `hessian` on a helper that returns a vector (`Vec<f64>`, `[f64; N]`): it gets only the
//! `NAME_vjp_for_hessian` its `hessian` callers compose through (a Hessian needs a scalar
//! result), so an integrator whose right-hand side is such a helper has second order. Until the
//! forty-second session `hessian` on the helper was our "a result that is not one `f64`" error,
//! and the caller could not have `hessian` at all. Hessians against closed forms and central
//! differences of `_grad`; gradients against closed forms, JVP against VJP.

mod common;

use common::{assert_close, forward_against_reverse, hessian_against};
use tapeless::differentiable;

/// A linear oscillator's right-hand side: `(y₁, -k y₀)`.
#[differentiable(hessian)]
fn rhs(y: &[f64], k: f64) -> Vec<f64> {
    vec![y[1], -k * y[0]]
}

/// Three explicit Euler steps of `dt = 0.1`, then the position.
#[differentiable(hessian)]
fn euler(y0: &[f64], k: f64) -> f64 {
    let mut y = y0.to_vec();
    for _ in 0..3 {
        let d = rhs(&y, k);
        y = y.iter().zip(&d).map(|(a, b)| a + 0.1 * b).collect();
    }
    y[0]
}

/// A point rotated by an angle.
#[differentiable(hessian)]
fn rotate(p: [f64; 2], t: f64) -> [f64; 2] {
    [p[0] * t.cos() - p[1] * t.sin(), p[0] * t.sin() + p[1] * t.cos()]
}

/// `2 q₀² + q₁` of `q` the point `(x₀, x₁)` rotated by `x₂`.
#[differentiable(hessian)]
fn rotated_energy(x: &[f64]) -> f64 {
    let q = rotate([x[0], x[1]], x[2]);
    2.0 * q[0] * q[0] + q[1]
}

type M2 = [[f64; 2]; 2];

fn mul(a: &M2, b: &M2) -> M2 {
    let mut c = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            c[i][j] = a[i][0] * b[0][j] + a[i][1] * b[1][j];
        }
    }
    c
}

fn add(a: &M2, b: &M2) -> M2 {
    [[a[0][0] + b[0][0], a[0][1] + b[0][1]], [a[1][0] + b[1][0], a[1][1] + b[1][1]]]
}

/// `A³`, `d(A³)/dk` and `d²(A³)/dk²` for `A = I + dt [[0, 1], [-k, 0]]`, whose `dA/dk = B` is
/// constant: `A'B A'' + ...` summed over the positions of `B`.
fn powers(k: f64) -> (M2, M2, M2) {
    let a = [[1.0, 0.1], [-0.1 * k, 1.0]];
    let b = [[0.0, 0.0], [-0.1, 0.0]];
    let zero = [[0.0; 2]; 2];
    let (mut p, mut dp, mut ddp) = ([[1.0, 0.0], [0.0, 1.0]], zero, zero);
    // (P A)' = P' A + P B, (P A)'' = P'' A + 2 P' B.
    for _ in 0..3 {
        let next = mul(&p, &a);
        let dnext = add(&mul(&dp, &a), &mul(&p, &b));
        let two_dp_b = mul(&dp, &b);
        ddp = add(&mul(&ddp, &a), &add(&two_dp_b, &two_dp_b));
        (p, dp) = (next, dnext);
    }
    (p, dp, ddp)
}

#[test]
fn an_integrator_with_a_vector_right_hand_side() {
    let (y0, k) = ([1.0, 0.2], 2.0);
    // The steps apply y ↦ A y (A = I + dt J); three of them give y₃ = A³ y₀ (A³ read by rows).
    let (p, dp, ddp) = powers(k);
    let (value, (gy, gk)) = euler_grad(&y0, k);
    assert!((value - (p[0][0] * y0[0] + p[0][1] * y0[1])).abs() < 1e-15);
    assert_close(&gy, &p[0], 1e-14, "d/dy0 against A³");
    assert!((gk - (dp[0][0] * y0[0] + dp[0][1] * y0[1])).abs() < 1e-14);
    let (vy, vk) = (vec![0.5, -1.0], 0.3);
    let (_, jvp) = euler_jvp(&y0, k, vy.clone(), vk);
    let (_, pullback) = euler_vjp(&y0, k);
    let (by, bk) = pullback(1.4);
    let both: Vec<f64> = by.iter().copied().chain([bk]).collect();
    forward_against_reverse("euler", jvp, &[vy[0], vy[1], vk], 1.4, &both, 1e-12);
    let (_, _, h) = euler_hessian(&y0, k);
    // Linear in y₀: only the k rows and columns are not zero.
    let hessian = |i: usize, j: usize| match (i, j) {
        (2, 2) => ddp[0][0] * y0[0] + ddp[0][1] * y0[1],
        (2, j) | (j, 2) => dp[0][j],
        _ => 0.0,
    };
    let grad = |q: &[f64]| {
        let (_, (gy, gk)) = euler_grad(&q[..2], q[2]);
        vec![gy[0], gy[1], gk]
    };
    hessian_against("euler", &h, &hessian, &grad, &[y0[0], y0[1], k], 1e-12);
}

#[test]
fn a_rotation_helper_returning_an_array() {
    let x: [f64; 3] = [0.3, -0.7, 1.1];
    let (a, b, t) = (x[0], x[1], x[2]);
    let (c, s) = (t.cos(), t.sin());
    let (q0, q1) = (a * c - b * s, a * s + b * c);
    let (value, g) = rotated_energy_grad(&x);
    assert!((value - (2.0 * q0 * q0 + q1)).abs() < 1e-15);
    // dq₀/dt = -q₁, dq₁/dt = q₀.
    let want = [4.0 * q0 * c + s, -4.0 * q0 * s + c, -4.0 * q0 * q1 + q0];
    assert_close(&g, &want, 1e-14, "rotated energy against the closed form");
    let v = vec![0.2, 0.9, -0.4];
    let (_, jvp) = rotated_energy_jvp(&x, v.clone());
    let (_, pullback) = rotated_energy_vjp(&x);
    forward_against_reverse("rotated energy", jvp, &v, -0.6, &pullback(-0.6), 1e-12);
    let (_, _, h) = rotated_energy_hessian(&x);
    let hessian = |i: usize, j: usize| match (i.min(j), i.max(j)) {
        (0, 0) => 4.0 * c * c,
        (0, 1) => -4.0 * s * c,
        (1, 1) => 4.0 * s * s,
        (0, 2) => -4.0 * q1 * c - 4.0 * q0 * s + c,
        (1, 2) => 4.0 * q1 * s - 4.0 * q0 * c - s,
        _ => 4.0 * q1 * q1 - 4.0 * q0 * q0 - q1,
    };
    hessian_against("rotated energy", &h, &hessian, &|q| rotated_energy_grad(q).1, &x, 1e-12);
}
