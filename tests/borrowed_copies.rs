//! A local array passed by reference to a differentiable helper and written afterwards: `h =
//! step(&h, ..)` in a loop, `h = w.iter().map(|row| dot(row, &h)).collect()` over layers,
//! `x[i] = (b[i] - dot(&a[i], &x)) / a[i][i]` in Gauss-Seidel sweeps, `let s = norm2(&h);` before
//! `*v *= s` of `h.iter_mut()`. The macro passes a copy
//! made just before the statement (`lower::copies`); until the forty-second session each was our
//! error asking the user to write that copy. Also a copy written in a loop that resizes the `Vec`,
//! in a function generic over its float type, and under `hessian` (both were errors: ours, and
//! rustc's E0283 inside the copy for second order). Gradients against closed forms and central
//! differences, JVP against VJP, Hessians against closed forms and central differences of
//! `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// `sin(s a)` of each entry.
#[differentiable]
fn step(a: &[f64], s: f64) -> Vec<f64> {
    a.iter().map(|v| (v * s).sin()).collect()
}

/// `|a|²`.
#[differentiable(hessian)]
fn norm2(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

/// Three steps of `h = sin(s_k h)`, summed.
#[differentiable]
fn iterated(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for k in 0..3 {
        h = step(&h, 1.0 + k as f64 * 0.1);
    }
    h.iter().sum()
}

/// `tanh` layers written with a helper, each reading the activations it replaces.
#[differentiable(wrt(x))]
fn network(w: &[Vec<f64>], x: &[f64], layers: usize) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..layers {
        h = w.iter().map(|row| dot(row, &h).tanh()).collect();
    }
    h.iter().sum()
}

/// Gauss-Seidel sweeps for `A x = b` from zero, then `|x|²`.
#[differentiable(wrt(b))]
fn gauss_seidel(a: &[Vec<f64>], b: &[f64], sweeps: usize) -> f64 {
    let n = b.len();
    let mut x = vec![0.0; n];
    for _ in 0..sweeps {
        for i in 0..n {
            let off = dot(&a[i], &x) - a[i][i] * x[i];
            x[i] = (b[i] - off) / a[i][i];
        }
    }
    x.iter().map(|v| v * v).sum()
}

/// An entry written from a call reading the whole array: `h[i] += 0.1 (h · x)`.
#[differentiable]
fn written_from_itself(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for i in 0..h.len() {
        h[i] += dot(&h, x) * 0.1;
    }
    h.iter().sum()
}

/// `(w · x) |x|²`: `h` scaled by its own squared norm, with second order.
#[differentiable(wrt(x), hessian)]
fn scaled_by_norm(x: &[f64], w: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..1 {
        let s = norm2(&h);
        for v in h.iter_mut() {
            *v *= s;
        }
    }
    h.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// A copy in a loop that resizes the `Vec`, generic over the float type: `tanh` applied once
/// per width to `x₀` (ui `loops/copy_of_a_resized_vec` until the forty-second session).
#[differentiable(wrt(x))]
fn widths<T: Float>(widths: &[usize], x: &[T]) -> T {
    let mut h = x.to_vec();
    for &n in widths {
        let prev = h.clone();
        h = (0..n).map(|i| (prev[0] * T::from(i + 1).unwrap()).tanh()).collect();
    }
    h[0]
}

/// The same copy under `hessian`: `tanh(tanh(x₀) · 2)` of widths 3, 2 (rustc's E0283 inside the
/// copy for second order until the forty-second session).
#[differentiable(hessian)]
fn resized_copy(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for n in [3, 2] {
        let prev = h.clone();
        h = (0..n).map(|i| (prev[0] * (i + 1) as f64).tanh()).collect();
    }
    h[1]
}

/// A pendulum chain stepped by methods of its own `impl` block.
pub struct Chain {
    pub k: f64,
}

#[differentiable]
impl Chain {
    fn force(&self, y: &[f64]) -> Vec<f64> {
        y.iter().map(|v| -self.k * v.sin()).collect()
    }

    fn energy(&self, y: &[f64]) -> f64 {
        y.iter().map(|v| v * v).sum::<f64>() * 0.5
    }

    /// `let f = self.force(&y);` then `y[i] += ..`: the method is passed a copy, and its
    /// result, a `Vec`, is indexed at `i` (the type read from the method's signature).
    fn run(&self, y0: &[f64]) -> f64 {
        let mut y = y0.to_vec();
        for _ in 0..5 {
            let f = self.force(&y);
            for i in 0..y.len() {
                y[i] += 0.1 * f[i];
            }
        }
        self.energy(&y)
    }

    /// `y = Self::relax(&y)`, an associated function defined after its caller.
    fn relaxed(&self, y0: &[f64]) -> f64 {
        let mut y = y0.to_vec();
        for _ in 0..5 {
            y = Self::relax(&y);
        }
        y.iter().sum::<f64>() * self.k
    }

    fn relax(y: &[f64]) -> Vec<f64> {
        y.iter().map(|v| v * 0.9 + 0.1 * v.cos()).collect()
    }
}

/// A local closure that calls a helper, given `&h` before `h` is replaced.
#[differentiable]
fn through_a_closure(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for _ in 0..3 {
        let project = |v: &[f64]| dot(v, x);
        let s = project(&h);
        h = h.iter().map(|e| e * s.tanh()).collect();
    }
    h.iter().sum()
}

/// Straight-line code: `s = h · x`, `h₀ = s h₁`, `t = h · h`, `h₁ = t`; `Σ h + s`.
#[differentiable]
fn straight_line(x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    let s = dot(&h, x);
    h[0] = s * h[1];
    let t = dot(&h, &h);
    h[1] = t;
    h.iter().sum::<f64>() + s
}

#[test]
fn methods_and_closures_given_the_array_they_replace() {
    let chain = Chain { k: 1.5 };
    let y = [0.3, -0.7, 1.1];
    let v = vec![0.4, 1.0, -0.3];
    let (value, g) = chain.run_grad(&y);
    assert!((value - chain.run(&y)).abs() < 1e-15);
    assert_close(&g, &central_gradient(|q| chain.run(q), &y), 1e-8, "run against differences");
    let (_, jvp) = chain.run_jvp(&y, v.clone());
    let (_, pullback) = chain.run_vjp(&y);
    forward_against_reverse("run", jvp, &v, 0.5, &pullback(0.5), 1e-12);
    // Five steps of y -> 0.9 y + 0.1 cos y, entry by entry: the product of 0.9 - 0.1 sin y.
    let (value, g) = chain.relaxed_grad(&y);
    assert!((value - chain.relaxed(&y)).abs() < 1e-15);
    let want: Vec<f64> = y
        .iter()
        .map(|&a| {
            let (mut v, mut d) = (a, 1.0);
            for _ in 0..5 {
                d *= 0.9 - 0.1 * v.sin();
                v = 0.9 * v + 0.1 * v.cos();
            }
            chain.k * d
        })
        .collect();
    assert_close(&g, &want, 1e-14, "relaxed against the chain rule");
    let (_, jvp) = chain.relaxed_jvp(&y, v.clone());
    let (_, pullback) = chain.relaxed_vjp(&y);
    forward_against_reverse("relaxed", jvp, &v, -1.2, &pullback(-1.2), 1e-12);

    let (value, g) = through_a_closure_grad(&y);
    assert!((value - through_a_closure(&y)).abs() < 1e-15);
    assert_close(&g, &central_gradient(through_a_closure, &y), 1e-8, "closure against differences");
    let (_, jvp) = through_a_closure_jvp(&y, v.clone());
    let (_, pullback) = through_a_closure_vjp(&y);
    forward_against_reverse("closure", jvp, &v, 0.3, &pullback(0.3), 1e-12);
}

#[test]
fn straight_line_writes_after_calls() {
    let x = [0.3, -0.7];
    let (value, g) = straight_line_grad(&x);
    let s = x[0] * x[0] + x[1] * x[1];
    let h0 = s * x[1];
    let t = h0 * h0 + x[1] * x[1];
    assert!((value - (h0 + t + s)).abs() < 1e-15);
    // ∂s = 2x, ∂h₀ = x₁ ∂s + s e₁, ∂t = 2 h₀ ∂h₀ + 2 x₁ e₁.
    let ds = [2.0 * x[0], 2.0 * x[1]];
    let dh0 = [x[1] * ds[0], x[1] * ds[1] + s];
    let dt = [2.0 * h0 * dh0[0], 2.0 * h0 * dh0[1] + 2.0 * x[1]];
    let want = [dh0[0] + dt[0] + ds[0], dh0[1] + dt[1] + ds[1]];
    assert_close(&g, &want, 1e-14, "straight line against the closed form");
    let v = vec![1.0, -2.0];
    let (_, jvp) = straight_line_jvp(&x, v.clone());
    let (_, pullback) = straight_line_vjp(&x);
    forward_against_reverse("straight line", jvp, &v, 0.8, &pullback(0.8), 1e-12);
}

#[test]
fn a_step_replacing_the_array_it_reads() {
    let x = [0.3, -0.7, 1.1];
    let (value, g) = iterated_grad(&x);
    let mut want = vec![1.0; 3];
    let mut h = x.to_vec();
    for k in 0..3 {
        let s = 1.0 + k as f64 * 0.1;
        for i in 0..3 {
            want[i] *= s * (s * h[i]).cos();
            h[i] = (s * h[i]).sin();
        }
    }
    assert!((value - h.iter().sum::<f64>()).abs() < 1e-15);
    assert_close(&g, &want, 1e-14, "iterated against the chain rule");
    assert_close(&g, &central_gradient(iterated, &x), 1e-8, "iterated against differences");
    let v = vec![0.5, 1.0, -0.25];
    let (_, jvp) = iterated_jvp(&x, v.clone());
    let (_, pullback) = iterated_vjp(&x);
    forward_against_reverse("iterated", jvp, &v, 1.3, &pullback(1.3), 1e-12);
}

#[test]
fn layers_reading_the_activations_they_replace() {
    let w = vec![vec![0.4, -0.2, 0.9], vec![-0.6, 0.3, 0.1], vec![0.2, 0.8, -0.5]];
    let x = [0.3, -0.7, 1.1];
    // One layer: d/dx_j Σ_r tanh(w_r · x) = Σ_r (1 - tanh²) w_rj.
    let (_, g) = network_grad(&w, &x, 1);
    let want: Vec<f64> =
        (0..3).map(|j| w.iter().map(|row| (1.0 - dot(row, &x).tanh().powi(2)) * row[j]).sum()).collect();
    assert_close(&g, &want, 1e-14, "one layer against the closed form");
    let (value, g) = network_grad(&w, &x, 3);
    assert!((value - network(&w, &x, 3)).abs() < 1e-15);
    assert_close(&g, &central_gradient(|q| network(&w, q, 3), &x), 1e-8, "three layers against differences");
    let v = vec![0.2, -0.4, 1.0];
    let (_, jvp) = network_jvp(&w, &x, 3, v.clone());
    let (_, pullback) = network_vjp(&w, &x, 3);
    forward_against_reverse("network", jvp, &v, -0.8, &pullback(-0.8), 1e-12);
}

#[test]
fn gauss_seidel_sweeps_against_their_linear_map() {
    let a = vec![vec![4.0, 1.0, 0.5], vec![1.0, 3.0, 0.2], vec![0.5, 0.2, 5.0]];
    let b = [1.0, 2.0, -0.5];
    // The sweeps are linear in b: x = M b, with M's columns the sweeps of unit vectors.
    let sweep = |b: &[f64]| {
        let mut x = vec![0.0; 3];
        for _ in 0..3 {
            for i in 0..3 {
                let off: f64 = (0..3).filter(|&j| j != i).map(|j| a[i][j] * x[j]).sum();
                x[i] = (b[i] - off) / a[i][i];
            }
        }
        x
    };
    let columns: Vec<Vec<f64>> =
        (0..3).map(|k| sweep(&(0..3).map(|i| if i == k { 1.0 } else { 0.0 }).collect::<Vec<_>>())).collect();
    let x = sweep(&b);
    // ∇ |M b|² = 2 Mᵀ x.
    let want: Vec<f64> = columns.iter().map(|c| 2.0 * dot(c, &x)).collect();
    let (value, g) = gauss_seidel_grad(&a, &b, 3);
    assert!((value - dot(&x, &x)).abs() < 1e-14);
    assert_close(&g, &want, 1e-13, "Gauss-Seidel against Mᵀ");
    assert_close(&g, &central_gradient(|q| gauss_seidel(&a, q, 3), &b), 1e-8, "against differences");
    let v = vec![1.0, -0.5, 0.25];
    let (_, jvp) = gauss_seidel_jvp(&a, &b, 3, v.clone());
    let (_, pullback) = gauss_seidel_vjp(&a, &b, 3);
    forward_against_reverse("Gauss-Seidel", jvp, &v, 0.6, &pullback(0.6), 1e-12);
}

#[test]
fn an_entry_written_from_the_whole_array() {
    let x = [0.3, -0.7, 1.1];
    let (value, g) = written_from_itself_grad(&x);
    assert!((value - written_from_itself(&x)).abs() < 1e-15);
    assert_close(&g, &central_gradient(written_from_itself, &x), 1e-8, "against differences");
    let v = vec![-0.3, 0.6, 0.9];
    let (_, jvp) = written_from_itself_jvp(&x, v.clone());
    let (_, pullback) = written_from_itself_vjp(&x);
    forward_against_reverse("written from itself", jvp, &v, 2.0, &pullback(2.0), 1e-12);
    // Two entries: h₀' = h₀ + 0.1 (h₀ x₀ + h₁ x₁) with h = x, then
    // h₁' = h₁ + 0.1 (h₀' x₀ + h₁ x₁); the value is h₀' + h₁'.
    let (a, b) = (0.4, -1.2);
    let h0 = a + 0.1 * (a * a + b * b);
    let d_h0 = [1.0 + 0.2 * a, 0.2 * b];
    let d_h1 = [0.1 * (d_h0[0] * a + h0), 1.0 + 0.1 * (d_h0[1] * a + 2.0 * b)];
    let (_, g) = written_from_itself_grad(&[a, b]);
    assert_close(&g, &[d_h0[0] + d_h1[0], d_h0[1] + d_h1[1]], 1e-14, "two entries against the closed form");
}

#[test]
fn second_order_through_an_array_written_after_the_call() {
    let x = [0.3, -0.7, 1.1];
    let w = [0.5, 2.0, -1.0];
    let (value, g) = scaled_by_norm_grad(&x, &w);
    let (wx, xx) = (dot(&w, &x), dot(&x, &x));
    assert!((value - wx * xx).abs() < 1e-15);
    let want: Vec<f64> = (0..3).map(|i| w[i] * xx + 2.0 * wx * x[i]).collect();
    assert_close(&g, &want, 1e-14, "scaled by its norm against the closed form");
    let v = vec![1.0, 0.5, -2.0];
    let (_, jvp) = scaled_by_norm_jvp(&x, &w, v.clone());
    let (_, pullback) = scaled_by_norm_vjp(&x, &w);
    forward_against_reverse("scaled by its norm", jvp, &v, 0.7, &pullback(0.7), 1e-12);
    let (_, _, h) = scaled_by_norm_hessian(&x, &w);
    let hessian =
        |i: usize, j: usize| 2.0 * w[i] * x[j] + 2.0 * x[i] * w[j] + if i == j { 2.0 * wx } else { 0.0 };
    hessian_against("scaled by its norm", &h, &hessian, &|q| scaled_by_norm_grad(q, &w).1, &x, 1e-12);
}

#[test]
fn a_copy_of_a_resized_vec_generic_and_second_order() {
    let x = [0.3, -0.7];
    // Widths 3, 2, 4: h₀ = tanh(tanh(tanh(x₀))), each copy reading the last h₀.
    let (value, g) = widths_grad(&[3, 2, 4], &x);
    let (t1, t2, t3) = (x[0].tanh(), x[0].tanh().tanh(), x[0].tanh().tanh().tanh());
    assert!((value - t3).abs() < 1e-15);
    let d = (1.0 - t1 * t1) * (1.0 - t2 * t2) * (1.0 - t3 * t3);
    assert_close(&g, &[d, 0.0], 1e-14, "widths against the chain rule");
    let v = vec![0.9, 0.4];
    let (_, jvp) = widths_jvp(&[3, 2, 4], &x, v.clone());
    let (_, pullback) = widths_vjp(&[3, 2, 4], &x);
    forward_against_reverse("widths", jvp, &v, 1.5, &pullback(1.5), 1e-12);
    let (_, g32) = widths_grad(&[3, 2], &[0.3_f32, -0.7]);
    let d2 = (1.0 - t1 * t1) * (1.0 - t2 * t2);
    assert!((f64::from(g32[0]) - d2).abs() < 1e-6, "f32: {g32:?}");

    // resized_copy = tanh(2 tanh(x₀)).
    let (value, g) = resized_copy_grad(&x);
    let u = 2.0 * t1;
    assert!((value - u.tanh()).abs() < 1e-15);
    let du = 2.0 * (1.0 - t1 * t1);
    assert_close(&g, &[(1.0 - u.tanh().powi(2)) * du, 0.0], 1e-14, "resized copy against the chain rule");
    let (_, _, h) = resized_copy_hessian(&x);
    // f = tanh(u), u = 2 tanh(x₀): f'' = -2 tanh(u) (1 - tanh²u) u'² + (1 - tanh²u) u''.
    let ddu = -4.0 * t1 * (1.0 - t1 * t1);
    let (tu, su) = (u.tanh(), 1.0 - u.tanh().powi(2));
    let f2 = -2.0 * tu * su * du * du + su * ddu;
    let hessian = |i: usize, j: usize| if (i, j) == (0, 0) { f2 } else { 0.0 };
    hessian_against("resized copy", &h, &hessian, &|q| resized_copy_grad(q).1, &x, 1e-12);
}
