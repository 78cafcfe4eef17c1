//! A `Vec` replaced whole inside a loop (`x = x.iter().map(..).collect()`, `y = step(&y, h)`), and
//! `vec![a, b]` of floats made inside a loop: gradient descent unrolled over a `Vec`, an RK4
//! integrator whose right-hand side returns `vec![..]`, a Jacobi iteration. Each gradient against
//! central differences or its closed form, JVP against VJP; a Hessian against central differences
//! of `_grad` and its closed form; a `Vec` collected shorter each step is followed, one a call
//! returns at another length stops the generated items with a message.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop, clippy::useless_vec)]

mod common;

use common::{assert_close, central_gradient};
use tapeless::differentiable;

/// Ten steps of gradient descent on `Σ v² + (1 - cos v)`, then the squared norm.
#[differentiable(wrt(x0))]
fn descent(x0: &[f64], lr: f64) -> f64 {
    let mut x = x0.to_vec();
    for _ in 0..10 {
        let g: Vec<f64> = x.iter().map(|v| 2.0 * v + v.sin()).collect();
        x = x.iter().zip(&g).map(|(a, b)| a - lr * b).collect();
    }
    x.iter().map(|v| v * v).sum()
}

/// A pendulum integrated by RK4 over a `Vec` state; the right-hand side makes a `vec![..]`.
#[differentiable]
fn pendulum(theta0: f64, omega0: f64) -> f64 {
    let g = 9.81;
    let rhs = |y: &[f64]| vec![y[1], -g * y[0].sin()];
    let h = 0.02;
    let mut y = vec![theta0, omega0];
    for _ in 0..25 {
        let k1 = rhs(&y);
        let y2: Vec<f64> = (0..2).map(|i| y[i] + 0.5 * h * k1[i]).collect();
        let k2 = rhs(&y2);
        let y3: Vec<f64> = (0..2).map(|i| y[i] + 0.5 * h * k2[i]).collect();
        let k3 = rhs(&y3);
        let y4: Vec<f64> = (0..2).map(|i| y[i] + h * k3[i]).collect();
        let k4 = rhs(&y4);
        y = (0..y.len()).map(|i| y[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])).collect();
    }
    y[0] * y[1]
}

/// Jacobi iterations for `A x = b`, `A = 4 I + off-diagonal 1` (tridiagonal), from `x = b`; the
/// new iterate built by `collect` and assigned whole. Linear in `b`: `x_k = M_k b`.
#[differentiable]
fn jacobi(b: &[f64]) -> f64 {
    let n = b.len();
    let mut x = b.to_vec();
    for _ in 0..6 {
        x = (0..n)
            .map(|i| {
                let left = if i > 0 { x[i - 1] } else { 0.0 };
                let right = if i + 1 < n { x[i + 1] } else { 0.0 };
                (b[i] - left - right) / 4.0
            })
            .collect();
    }
    x.iter().enumerate().map(|(i, v)| (i as f64 + 1.0) * v).sum()
}

/// `x ← (1 - lr) x` ten times, then `|x|² + x₀ x₁`: a quadratic of `x0` whose Hessian is
/// `s (2 I + E₀₁ + E₁₀)` with `s = (1 - lr)²⁰`.
#[differentiable(hessian, wrt(x0))]
fn shrink_squared(x0: &[f64], lr: f64) -> f64 {
    let mut x = x0.to_vec();
    for _ in 0..10 {
        x = x.iter().map(|v| v - lr * v).collect();
    }
    x.iter().map(|v| v * v).sum::<f64>() + x[0] * x[1]
}

/// Pairs made by `vec![..]` in each iteration.
#[differentiable]
fn pairs(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let pair = vec![x[i], 2.0 * x[i]];
        s += pair[0] * pair[1];
    }
    s
}

/// Three smoothing passes, each replacing the `Vec` by a copy of the next one.
#[differentiable]
fn smooth(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let mut next = x.to_vec();
    for _ in 0..3 {
        for i in 1..v.len() - 1 {
            next[i] = 0.25 * v[i - 1] + 0.5 * v[i] + 0.25 * v[i + 1];
        }
        v = next.clone();
    }
    v.iter().map(|e| e * e).sum()
}

/// Drops an element each step: its `Vec` changes length, resized in the generated items too
/// (the forty-first session; before, they stopped with the message below).
#[differentiable]
fn drops_one(x0: &[f64]) -> f64 {
    let mut x = x0.to_vec();
    for _ in 0..2 {
        x = x.iter().skip(1).map(|v| v * 2.0).collect();
    }
    x.iter().sum()
}

/// The last element dropped and the rest doubled.
#[differentiable]
fn shorter(x: Vec<f64>) -> Vec<f64> {
    x[..x.len() - 1].iter().map(|v| v * 2.0).collect()
}

/// Replaced by a call's result of another length: the generated items cannot follow it.
#[differentiable]
fn drops_one_by_call(x0: &[f64]) -> f64 {
    let mut x = x0.to_vec();
    for _ in 0..2 {
        x = shorter(x.clone());
    }
    x.iter().sum()
}

#[test]
fn descent_over_a_vec() {
    for x in [vec![0.5, -0.3, 1.2], vec![2.0, 0.1, -1.5, 0.7]] {
        let (value, g) = descent_grad(&x, 0.1);
        assert_eq!(value, descent(&x, 0.1));
        assert_close(&g, &central_gradient(|p| descent(p, 0.1), &x), 1e-8, "descent");
        let v: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.2 * i as f64).collect();
        let (_, t) = descent_jvp(&x, 0.1, v.clone());
        let (_, pullback) = descent_vjp(&x, 0.1);
        let u = pullback(-1.3);
        let rhs: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert_close(&[-1.3 * t], &[rhs], 1e-12, "descent forward against reverse");
    }
}

#[test]
fn rk4_over_a_vec_state() {
    for (a, b) in [(0.3, 0.1), (1.1, -0.4), (-0.6, 1.5)] {
        let (value, (ga, gb)) = pendulum_grad(a, b);
        assert_eq!(value, pendulum(a, b));
        let fd = central_gradient(|p| pendulum(p[0], p[1]), &[a, b]);
        assert_close(&[ga, gb], &fd, 1e-8, "pendulum");
        let (_, t) = pendulum_jvp(a, b, 0.7, -0.2);
        assert_close(&[t], &[0.7 * ga - 0.2 * gb], 1e-12, "pendulum jvp");
        let (_, pullback) = pendulum_vjp(a, b);
        let (ua, ub) = pullback(2.0);
        assert_close(&[ua, ub], &[2.0 * ga, 2.0 * gb], 1e-12, "pendulum vjp");
    }
}

#[test]
fn jacobi_iterations_are_linear_in_b() {
    let b = [1.0, -2.0, 0.5, 3.0, 0.25];
    let (value, g) = jacobi_grad(&b);
    assert_eq!(value, jacobi(&b));
    // Linear: the value is `<g, b>`, and the gradient does not depend on `b`.
    let dot: f64 = g.iter().zip(&b).map(|(a, c)| a * c).sum();
    assert_close(&[value], &[dot], 1e-12, "jacobi is linear");
    let (_, g2) = jacobi_grad(&[0.0, 1.0, 2.0, -1.0, 0.5]);
    assert_close(&g, &g2, 1e-14, "jacobi gradient is constant");
    assert_close(&g, &central_gradient(jacobi, &b), 1e-9, "jacobi");
    let v = vec![0.5, 0.25, -1.0, 2.0, 0.0];
    let (_, t) = jacobi_jvp(&b, v.clone());
    let want: f64 = g.iter().zip(&v).map(|(a, c)| a * c).sum();
    assert_close(&[t], &[want], 1e-12, "jacobi jvp");
}

#[test]
fn a_hessian_through_vec_reassignment() {
    let lr = 0.05;
    let s = (1.0f64 - lr).powi(20);
    for x in [vec![0.5, -0.3, 1.2], vec![1.0, 2.0, 3.0]] {
        let (value, g, h) = shrink_squared_hessian(&x, lr);
        assert_eq!(value, shrink_squared(&x, lr));
        // `s |x|² + s x0 x1` with `s = (1 - lr)^20`.
        let mut want = vec![2.0 * s * x[0] + s * x[1], 2.0 * s * x[1] + s * x[0], 2.0 * s * x[2]];
        assert_close(&g, &want, 1e-12, "shrink gradient");
        let hess = [2.0 * s, s, 0.0, s, 2.0 * s, 0.0, 0.0, 0.0, 2.0 * s];
        assert_close(h.as_slice(), &hess, 1e-12, "shrink Hessian");
        for i in 0..3 {
            want = central_gradient(|p| shrink_squared_grad(p, lr).1[i], &x);
            assert_close(
                &h.as_slice()[3 * i..3 * i + 3],
                &want,
                1e-8,
                "Hessian against differences of _grad",
            );
        }
    }
}

#[test]
fn vec_literals_and_copies_in_loops() {
    let x = [0.5, -1.0, 2.0, 0.25];
    let (value, g) = pairs_grad(&x);
    assert_eq!(value, pairs(&x));
    let want: Vec<f64> = x.iter().map(|v| 4.0 * v).collect();
    assert_close(&g, &want, 1e-15, "pairs: d/dx 2x² = 4x");
    let (_, t) = pairs_jvp(&x, vec![1.0, 0.5, -0.5, 2.0]);
    assert_close(&[t], &[4.0 * (0.5 * 1.0 - 1.0 * 0.5 - 2.0 * 0.5 + 0.25 * 2.0)], 1e-14, "pairs jvp");
    for x in [vec![0.5, -1.0, 2.0, 0.25, 1.5], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]] {
        let (value, g) = smooth_grad(&x);
        assert_eq!(value, smooth(&x));
        assert_close(&g, &central_gradient(smooth, &x), 1e-9, "smooth");
        let v: Vec<f64> = (0..x.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
        let (_, t) = smooth_jvp(&x, v.clone());
        let (_, pullback) = smooth_vjp(&x);
        let u = pullback(0.5);
        let rhs: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert_close(&[0.5 * t], &[rhs], 1e-12, "smooth forward against reverse");
    }
}

#[test]
fn a_vec_collected_shorter_each_step() {
    // [a, b, c] -> [2b, 2c] -> [4c]
    let x = [1.0, 2.0, 3.0];
    let (value, g) = drops_one_grad(&x);
    assert_eq!(value, 12.0);
    assert_close(&g, &[0.0, 0.0, 4.0], 1e-15, "drops one");
    assert_close(&g, &central_gradient(drops_one, &x), 1e-9, "drops one against differences");
    let v = vec![0.5, -1.0, 2.0];
    let (_, t) = drops_one_jvp(&x, v.clone());
    let (_, pullback) = drops_one_vjp(&x);
    let u = pullback(1.5);
    let rhs: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert_close(&[1.5 * t], &[rhs], 1e-14, "drops one forward against reverse");
}

#[test]
#[should_panic(expected = "a `Vec` replaced whole inside a loop must keep its length")]
fn a_vec_a_call_shortens_stops_the_generated_items() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(drops_one_by_call(&x), 4.0);
    let _ = drops_one_by_call_grad(&x);
}
