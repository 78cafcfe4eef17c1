//! Loops written the way published numeric code writes them: elements written through
//! `iter_mut()`, `for` loops over `windows`/`chunks`, and a closure taking an array by value
//! called in a loop (a Runge-Kutta step). Each gradient is checked against analytic values or
//! central differences, and forward mode against reverse mode (`common::check`).

use tapeless::differentiable;

mod common;

use common::{Fns, check, close};

/// `for (o, &xi) in out.iter_mut().zip(x)`, `for o in out.iter_mut()`, and `iter_mut().enumerate()`:
/// sines, scaled by a normalising sum, weighted by index.
#[differentiable]
fn normalised_sines(x: &[f64]) -> f64 {
    let mut out = vec![0.0; x.len()];
    for (o, &xi) in out.iter_mut().zip(x) {
        *o = xi.sin() + 2.0;
    }
    let total: f64 = out.iter().sum();
    for o in out.iter_mut() {
        *o /= total;
    }
    for (i, o) in out.iter_mut().enumerate() {
        *o *= (i + 1) as f64;
    }
    out.iter().map(|o| o.powi(2)).sum()
}

/// The same, by hand: `Σ (k_i s_i / S)²` with `s_i = sin x_i + 2`, `S = Σ s`, `k_i = i + 1`.
fn normalised_sines_exact(x: &[f64]) -> (f64, Vec<f64>) {
    let s: Vec<f64> = x.iter().map(|v| v.sin() + 2.0).collect();
    let total: f64 = s.iter().sum();
    let k = |i: usize| (i + 1) as f64;
    let value = s.iter().enumerate().map(|(i, si)| (k(i) * si / total).powi(2)).sum();
    // d/ds_j = 2 k_j² s_j / S² - 2 Σ k_i² s_i² / S³.
    let cross: f64 = s.iter().enumerate().map(|(i, si)| k(i).powi(2) * si * si).sum::<f64>() / total.powi(3);
    let grad = x
        .iter()
        .enumerate()
        .map(|(j, xj)| (2.0 * k(j).powi(2) * s[j] / total.powi(2) - 2.0 * cross) * xj.cos())
        .collect();
    (value, grad)
}

#[test]
fn elements_written_through_iter_mut() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1, 0.4], &[1.0, 2.0], &[-0.2, 0.5, 0.9]];
    for x in points {
        let (value, grad) = normalised_sines_grad(x);
        let (want, want_grad) = normalised_sines_exact(x);
        assert!(close(value, want, 1e-14), "{value} vs {want}");
        for (g, w) in grad.iter().zip(&want_grad) {
            assert!(close(*g, *w, 1e-12), "{grad:?} vs {want_grad:?}");
        }
    }
    let fns = slice_fns!(normalised_sines, normalised_sines_jvp, normalised_sines_vjp, normalised_sines_grad);
    check(&fns, &points, 1e-7);
}

/// `iter_mut().for_each(..)` and a method called on the element (`o.abs()` reads it).
#[differentiable]
fn damped(x: &[f64], rate: f64) -> f64 {
    let mut v = x.to_vec();
    v.iter_mut().for_each(|o| *o *= (-rate).exp());
    for (o, &xi) in v.iter_mut().zip(x.iter()) {
        *o += o.abs().sqrt() * xi;
    }
    v.iter().sum()
}

#[test]
fn for_each_over_iter_mut_and_a_method_on_the_element() {
    let x = [0.5, 1.5, 2.0];
    let rate = 0.3;
    let (value, (gx, grate)) = damped_grad(&x, rate);
    // v_i = x_i e^(-r) + sqrt(x_i e^(-r)) x_i (x > 0): dv/dx = e + 1.5 sqrt(e x), dv/dr = -x e - 0.5 x sqrt(x e).
    let e = (-rate).exp();
    let want: f64 = x.iter().map(|xi| xi * e + (xi * e).sqrt() * xi).sum();
    assert!(close(value, want, 1e-14));
    for (g, xi) in gx.iter().zip(&x) {
        assert!(close(*g, e + 1.5 * (e * xi).sqrt(), 1e-13), "{g}");
    }
    let want_rate: f64 = x.iter().map(|xi| -xi * e - 0.5 * xi * (xi * e).sqrt()).sum();
    assert!(close(grate, want_rate, 1e-13), "{grate} vs {want_rate}");
    let fns = Fns {
        name: "damped",
        f: &|p| damped(&p[..3], p[3]),
        jvp: &|p, t| damped_jvp(&p[..3], p[3], t[..3].to_vec(), t[3]),
        vjp: &|p, u| {
            let (v, pullback) = damped_vjp(&p[..3], p[3]);
            let (mut g, r) = pullback(u);
            g.push(r);
            (v, g)
        },
        grad: &|p| {
            let (v, (mut g, r)) = damped_grad(&p[..3], p[3]);
            g.push(r);
            (v, g)
        },
    };
    check(&fns, &[&[0.5, 1.5, 2.0, 0.3], &[0.1, 0.2, 3.0, -0.4], &[2.0, 2.5, 0.7, 1.1]], 1e-7);
}

/// `for pair in x.chunks_exact(2)` and `for w in x.windows(3)`, reading the window by index, by
/// `len()` and by `iter()`.
#[differentiable]
fn window_loops(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for pair in x.chunks_exact(2) {
        e += (pair[0] - pair[1]).powi(2);
    }
    for w in x.windows(3) {
        let mean = w.iter().sum::<f64>() / w.len() as f64;
        e += (w[1] - mean).powi(2);
    }
    e
}

#[test]
fn for_loops_over_windows_and_chunks() {
    let x = [0.3, -0.7, 1.1, 0.4, 2.0];
    let (value, grad) = window_loops_grad(&x);
    // Pairs (x0, x1), (x2, x3); windows of three: (x1 - mean)² = ((2 x1 - x0 - x2) / 3)².
    let mut want = vec![0.0; 5];
    let mut v = 0.0;
    for k in [0, 2] {
        let d = x[k] - x[k + 1];
        v += d * d;
        want[k] += 2.0 * d;
        want[k + 1] -= 2.0 * d;
    }
    for k in 0..3 {
        let d = (2.0 * x[k + 1] - x[k] - x[k + 2]) / 3.0;
        v += d * d;
        want[k + 1] += 4.0 * d / 3.0;
        want[k] -= 2.0 * d / 3.0;
        want[k + 2] -= 2.0 * d / 3.0;
    }
    assert!(close(value, v, 1e-14), "{value} vs {v}");
    for (g, w) in grad.iter().zip(&want) {
        assert!(close(*g, *w, 1e-13), "{grad:?} vs {want:?}");
    }
    let fns = slice_fns!(window_loops, window_loops_jvp, window_loops_vjp, window_loops_grad);
    check(&fns, &[&x, &[1.0, 2.0, 3.0, 5.0], &[0.1, 0.4, -0.3, 0.8, 0.2, 1.3]], 1e-7);
}

/// Ten classical Runge-Kutta steps of a pendulum, `y'' = -sin y`: the right-hand side is a
/// closure taking the state array by value, called four times per step inside the loop.
#[differentiable]
fn pendulum(y0: [f64; 2], dt: f64) -> f64 {
    let f = |y: [f64; 2]| [y[1], -(y[0]).sin()];
    let mut y = y0;
    for _ in 0..10 {
        let k1 = f(y);
        let k2 = f([y[0] + 0.5 * dt * k1[0], y[1] + 0.5 * dt * k1[1]]);
        let k3 = f([y[0] + 0.5 * dt * k2[0], y[1] + 0.5 * dt * k2[1]]);
        let k4 = f([y[0] + dt * k3[0], y[1] + dt * k3[1]]);
        for i in 0..2 {
            y[i] += dt / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    y[0]
}

#[test]
fn a_closure_of_an_array_called_in_a_loop() {
    let fns = Fns {
        name: "pendulum",
        f: &|p| pendulum([p[0], p[1]], p[2]),
        jvp: &|p, t| pendulum_jvp([p[0], p[1]], p[2], [t[0], t[1]], t[2]),
        vjp: &|p, u| {
            let (v, pullback) = pendulum_vjp([p[0], p[1]], p[2]);
            let (g, d) = pullback(u);
            (v, vec![g[0], g[1], d])
        },
        grad: &|p| {
            let (v, (g, d)) = pendulum_grad([p[0], p[1]], p[2]);
            (v, vec![g[0], g[1], d])
        },
    };
    check(&fns, &[&[0.3, 0.1, 0.05], &[1.0, -0.5, 0.1], &[-0.4, 0.8, 0.02]], 1e-7);
    // Small angles: the linear pendulum, y(t) = y0 cos t + v0 sin t, so dy/dy0 ≈ cos t.
    let (_, (g, _)) = pendulum_grad([1e-4, 0.0], 0.1);
    assert!((g[0] - 1.0_f64.cos()).abs() < 1e-6, "{}", g[0]);
    assert!((g[1] - 1.0_f64.sin()).abs() < 1e-6, "{}", g[1]);
}
