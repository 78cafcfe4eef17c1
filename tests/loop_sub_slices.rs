//! Sub-slices taken inside a loop: `pair_energy(&x[i..i + 2])`, a row of a flat matrix
//! `let row = &logits[i * c..(i + 1) * c];`, and prefixes `&x[..=i]` that grow each iteration.
//! Each is a copy of the elements it covers, made per iteration as a `collect()` is (an array of
//! a run-time length made in the loop, which the lowering makes since the forty-first session).
//! Until the forty-second session each was our "sub-slice taken inside a loop" error (ui
//! `loops/sub_slice_in_a_loop`). Gradients against closed forms and central differences, JVP
//! against VJP, Hessians against closed forms and central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

#[differentiable(hessian)]
fn pair_energy(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum::<f64>() * a[0]
}

/// `Σ_i (x_i² + x_{i+1}²) x_i`: a window passed on as a sub-slice.
#[differentiable(hessian)]
fn chain_energy(x: &[f64]) -> f64 {
    let mut e = 0.0;
    for i in 0..x.len() - 1 {
        e += pair_energy(&x[i..i + 2]);
    }
    e
}

/// Softmax cross-entropy of rows of a flat matrix of logits.
#[differentiable]
fn cross_entropy(logits: &[f64], labels: &[usize], classes: usize) -> f64 {
    let mut loss = 0.0;
    for (i, &l) in labels.iter().enumerate() {
        let row = &logits[i * classes..(i + 1) * classes];
        let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = row.iter().map(|v| (v - m).exp()).sum();
        loss -= row[l] - m - s.ln();
    }
    loss / labels.len() as f64
}

/// `Σ_i x_i Σ_{j ≤ i} x_j`, the prefix a sub-slice that grows, generic over the float type.
#[differentiable]
fn prefixes<T: Float + std::iter::Sum>(x: &[T]) -> T {
    let mut total = T::zero();
    for i in 0..x.len() {
        let prefix = &x[..=i];
        total = total + x[i] * prefix.iter().copied().sum::<T>();
    }
    total
}

#[test]
fn a_window_passed_on_in_a_loop() {
    let x = [0.3, -0.7, 1.1, 0.4];
    let (value, g) = chain_energy_grad(&x);
    let f = |x: &[f64]| -> f64 { (0..x.len() - 1).map(|i| (x[i] * x[i] + x[i + 1] * x[i + 1]) * x[i]).sum() };
    assert!((value - f(&x)).abs() < 1e-15);
    // d/dx_k: from the term at k, 3x_k² + x_{k+1}²; from the term at k - 1, 2 x_k x_{k-1}.
    let want: Vec<f64> = (0..4)
        .map(|k| {
            let own = if k < 3 { 3.0 * x[k] * x[k] + x[k + 1] * x[k + 1] } else { 0.0 };
            let before = if k > 0 { 2.0 * x[k] * x[k - 1] } else { 0.0 };
            own + before
        })
        .collect();
    assert_close(&g, &want, 1e-14, "chain energy against the closed form");
    assert_close(&g, &central_gradient(chain_energy, &x), 1e-8, "against differences");
    let v = vec![0.5, -1.0, 0.25, 2.0];
    let (_, jvp) = chain_energy_jvp(&x, v.clone());
    let (_, pullback) = chain_energy_vjp(&x);
    forward_against_reverse("chain energy", jvp, &v, 0.9, &pullback(0.9), 1e-12);
    let (_, _, h) = chain_energy_hessian(&x);
    let hessian = |i: usize, j: usize| {
        if i == j {
            (if i < 3 { 6.0 * x[i] } else { 0.0 }) + if i > 0 { 2.0 * x[i - 1] } else { 0.0 }
        } else if j == i + 1 || i == j + 1 {
            2.0 * x[i.max(j)]
        } else {
            0.0
        }
    };
    hessian_against("chain energy", &h, &hessian, &|q| chain_energy_grad(q).1, &x, 1e-12);
}

#[test]
fn rows_of_a_flat_matrix_in_a_loop() {
    let logits = [0.3, -0.7, 1.1, 0.4, 0.2, -0.5];
    let labels = [2, 0];
    let (value, g) = cross_entropy_grad(&logits, &labels, 3);
    assert!((value - cross_entropy(&logits, &labels, 3)).abs() < 1e-15);
    // ∂/∂z = (softmax(z) - onehot) / rows.
    let mut want = vec![0.0; 6];
    for (i, &l) in labels.iter().enumerate() {
        let row = &logits[i * 3..i * 3 + 3];
        let s: f64 = row.iter().map(|v| v.exp()).sum();
        for k in 0..3 {
            want[i * 3 + k] = (row[k].exp() / s - if k == l { 1.0 } else { 0.0 }) / 2.0;
        }
    }
    assert_close(&g, &want, 1e-14, "cross entropy against softmax minus one-hot");
    let fd = central_gradient(|q| cross_entropy(q, &labels, 3), &logits);
    assert_close(&g, &fd, 1e-8, "cross entropy against differences");
    let v = vec![0.1, 0.2, -0.3, 0.4, -0.5, 0.6];
    let (_, jvp) = cross_entropy_jvp(&logits, &labels, 3, v.clone());
    let (_, pullback) = cross_entropy_vjp(&logits, &labels, 3);
    forward_against_reverse("cross entropy", jvp, &v, 1.7, &pullback(1.7), 1e-12);
}

#[test]
fn prefixes_that_grow_each_iteration() {
    let x = [0.3, -0.7, 1.1];
    let (value, g) = prefixes_grad(&x);
    // Σ_i x_i Σ_{j ≤ i} x_j = (Σ x)² / 2 + Σ x² / 2.
    let (s, q): (f64, f64) = (x.iter().sum(), x.iter().map(|v| v * v).sum());
    assert!((value - (s * s + q) / 2.0).abs() < 1e-15);
    let want: Vec<f64> = x.iter().map(|v| s + v).collect();
    assert_close(&g, &want, 1e-14, "prefixes against the closed form");
    let v = vec![1.0, 0.5, -0.5];
    let (_, jvp) = prefixes_jvp(&x, v.clone());
    let (_, pullback) = prefixes_vjp(&x);
    forward_against_reverse("prefixes", jvp, &v, -1.1, &pullback(-1.1), 1e-12);
    let (_, g32) = prefixes_grad(&[0.3_f32, -0.7, 1.1]);
    for (a, b) in g32.iter().zip(&want) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "f32: {g32:?}");
    }
}
