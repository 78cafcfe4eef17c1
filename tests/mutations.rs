//! Methods that overwrite or rearrange a local array in place, written as their element writes
//! (`lower::mutations`): `copy_from_slice` (whole and into `v[a..b]`), `fill`, `swap`,
//! `reverse`, and pushes right after `Vec::new()`. Each function is checked against its
//! analytic gradient, central differences and forward against reverse mode, and in second order
//! against an analytic Hessian.

// Written as users write them, which clippy would rewrite.
#![allow(clippy::vec_init_then_push, clippy::useless_vec)]

mod common;

use common::{check, close};
use tapeless::differentiable;

/// `y = x` copied, `y[1..3]` overwritten from `x[..2]`, swapped, reversed: a permutation of
/// `x` with one element duplicated, then a weighted sum of squares.
#[differentiable(hessian)]
fn shuffled(x: &[f64]) -> f64 {
    let mut y = vec![0.0; x.len()];
    y.copy_from_slice(x);
    y[1..3].copy_from_slice(&x[..2]);
    y.swap(0, 3);
    y.reverse();
    let mut s = 0.0;
    for (i, v) in y.iter().enumerate() {
        s += (i as f64 + 1.0) * v * v;
    }
    s
}

/// `fill` with a differentiated value, and pushes right after `Vec::new()`.
#[differentiable(hessian)]
fn filled(x: &[f64]) -> f64 {
    let mut w = [0.0; 3];
    w.fill(x[0] * x[1]);
    let mut v = Vec::new();
    v.push(x[2].sin());
    v.push(w[1] + x[3]);
    v[0] * v[1] + w[2]
}

/// What `shuffled` reads: `y` for `x` of length 4 goes `[x0, x0, x1, x3]` (copies), `[x3, x0,
/// x1, x0]` (swap), `[x0, x1, x0, x3]` (reverse), so the sum is `4 x0² + 2 x1² + 4 x3²`.
fn shuffled_gradient(x: &[f64]) -> Vec<f64> {
    vec![8.0 * x[0], 4.0 * x[1], 0.0, 8.0 * x[3]]
}

#[test]
fn in_place_methods_first_order() {
    let points: [&[f64]; 3] = [&[1.0, 2.0, 3.0, 4.0], &[0.5, -1.0, 0.25, -0.75], &[-2.0, 0.1, 0.3, 0.7]];
    let fns = slice_fns!(shuffled, shuffled_jvp, shuffled_vjp, shuffled_grad);
    check(&fns, &points, 1e-8);
    let fns = slice_fns!(filled, filled_jvp, filled_vjp, filled_grad);
    check(&fns, &points, 1e-8);
    for x in points {
        let (value, g) = shuffled_grad(x);
        assert!(close(value, 4.0 * x[0] * x[0] + 2.0 * x[1] * x[1] + 4.0 * x[3] * x[3], 1e-15));
        assert_eq!(g, shuffled_gradient(x));
        // filled = sin(x2) (x0 x1 + x3) + x0 x1.
        let (value, g) = filled_grad(x);
        let p = x[0] * x[1];
        assert!(close(value, x[2].sin() * (p + x[3]) + p, 1e-15));
        let s = x[2].sin();
        let want = [x[1] * (s + 1.0), x[0] * (s + 1.0), x[2].cos() * (p + x[3]), s];
        for i in 0..4 {
            assert!(close(g[i], want[i], 1e-15), "d/dx{i}: {} vs {}", g[i], want[i]);
        }
    }
}

#[test]
fn in_place_methods_second_order() {
    let x = [0.5, -1.0, 0.25, -0.75];
    let (_, _, h) = shuffled_hessian(&x);
    let want = [8.0, 4.0, 0.0, 8.0];
    for i in 0..4 {
        for j in 0..4 {
            let w = if i == j { want[i] } else { 0.0 };
            assert!(close(h[(i, j)], w, 1e-14), "H[{i},{j}] = {}", h[(i, j)]);
        }
    }
    // filled: ∂²/∂x0∂x1 = sin x2 + 1, ∂²/∂x0∂x2 = x1 cos x2, ∂²/∂x1∂x2 = x0 cos x2,
    // ∂²/∂x2² = -sin x2 (x0 x1 + x3), ∂²/∂x2∂x3 = cos x2; and central differences of `_grad`.
    let (_, _, h) = filled_hessian(&x);
    let (s, c) = x[2].sin_cos();
    let mut want = [[0.0; 4]; 4];
    want[0][1] = s + 1.0;
    want[0][2] = x[1] * c;
    want[1][2] = x[0] * c;
    want[2][2] = -s * (x[0] * x[1] + x[3]);
    want[2][3] = c;
    for i in 0..4 {
        for j in 0..4 {
            let w = if i <= j { want[i][j] } else { want[j][i] };
            assert!(close(h[(i, j)], w, 1e-14), "H[{i},{j}] = {} vs {w}", h[(i, j)]);
            let gj = |p: &[f64]| filled_grad(p).1[j];
            assert!(close(h[(i, j)], common::central(&gj, &x, i), 1e-7));
        }
    }
}

/// The function of the old ui case for `swap`: the gradient follows the new order, [1, 2] (a
/// method not followed would have kept [2, 1]).
#[differentiable]
fn swapped(x: &[f64]) -> f64 {
    let mut v = vec![x[0], x[1]];
    v.swap(0, 1);
    v[0] * 2.0 + v[1]
}

#[test]
fn a_swap_is_followed() {
    let (value, g) = swapped_grad(&[3.0, 5.0]);
    assert_eq!((value, g), (13.0, vec![1.0, 2.0]));
    let (_, t) = swapped_jvp(&[3.0, 5.0], vec![0.5, -1.0]);
    assert!(close(t, 0.5 - 2.0, 1e-15));
}

/// A two-element state swapped, then replaced whole, in a loop.
#[differentiable]
fn swapped_state(x: &[f64]) -> f64 {
    let mut state = [x[0], x[1]];
    for _ in 0..4 {
        state.swap(0, 1);
        state = [state[0] * 0.9, state[1] + state[0]];
    }
    state[0] + state[1]
}

#[test]
fn a_swap_and_a_replacement_in_a_loop() {
    let points: [&[f64]; 3] = [&[1.0, 2.0], &[0.5, -1.0], &[-2.0, 0.1]];
    let fns = slice_fns!(swapped_state, swapped_state_jvp, swapped_state_vjp, swapped_state_grad);
    check(&fns, &points, 1e-8);
    // The map is linear: its gradient is the sum of the columns of the product of the steps
    // [[0, 0.9], [1, 1]] (swap, then scale and add), applied four times.
    let step = nalgebra::Matrix2::new(0.0, 0.9, 1.0, 1.0);
    let total = step.pow(4);
    let (_, g) = swapped_state_grad(&[1.0, 2.0]);
    for j in 0..2 {
        let want = total[(0, j)] + total[(1, j)];
        assert!(close(g[j], want, 1e-14), "d/dx{j}: {} vs {want}", g[j]);
    }
}

/// Explicit heat-equation steps with a double buffer swapped each step
/// (`std::mem::swap(&mut u, &mut next)` inside the loop: the entries are exchanged). Was "rebinding
/// a slice to another array inside a loop" (our error).
#[differentiable]
fn heat_energy(x: &[f64]) -> f64 {
    let n = x.len();
    let mut u = x.to_vec();
    let mut next = vec![0.0; n];
    for _ in 0..10 {
        for i in 1..n - 1 {
            next[i] = u[i] + 0.2 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        next[0] = u[0];
        next[n - 1] = u[n - 1];
        std::mem::swap(&mut u, &mut next);
    }
    u.iter().map(|v| v * v).sum()
}

/// The ten steps as a plain function (linear in `x`).
fn heat_steps(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut u = x.to_vec();
    for _ in 0..10 {
        let mut next = u.clone();
        for i in 1..n - 1 {
            next[i] = u[i] + 0.2 * (u[i - 1] - 2.0 * u[i] + u[i + 1]);
        }
        u = next;
    }
    u
}

#[test]
fn a_double_buffer_swapped_in_a_loop() {
    let points: [&[f64]; 3] =
        [&[0.3, 0.7, -0.4, 0.9, 0.2], &[1.0, -1.0, 0.5, 0.25], &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6]];
    check(&slice_fns!(heat_energy, heat_energy_jvp, heat_energy_vjp, heat_energy_grad), &points, 1e-7);
    for x in points {
        // u = M x with M's columns the steps of the unit vectors: the gradient of |u|² is 2 Mᵀ u.
        let n = x.len();
        let u = heat_steps(x);
        let want: Vec<f64> = (0..n)
            .map(|j| {
                let mut e = vec![0.0; n];
                e[j] = 1.0;
                2.0 * heat_steps(&e).iter().zip(&u).map(|(m, ui)| m * ui).sum::<f64>()
            })
            .collect();
        let (value, g) = heat_energy_grad(x);
        assert!((value - u.iter().map(|v| v * v).sum::<f64>()).abs() < 1e-14);
        common::assert_close(&g, &want, 1e-13, "heat energy");
    }
}
