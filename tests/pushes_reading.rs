//! A loop that reads the `Vec` it pushes to: a recurrence over the states pushed so far
//! (`s[i - 1]`, `*xs.last().unwrap()`, `v.last().copied().unwrap_or(0.0)`), a running mean
//! (`v.iter().sum() / v.len()`, `v.is_empty()`), a `while xs.len() < n` condition, a `for i in
//! 0..v.len()` source. The `Vec` is filled by index (`lower::pushes`), and each read is of what
//! has been pushed so far: `v.len()` is the count, `v.last()` the element before it, `v.iter()`
//! the prefix. Until the forty-fourth session a read in the body was the `push` error, and a
//! `while v.len() < n` condition read the filled `Vec`'s capacity: a wrong value and gradient,
//! silently ([`length_in_the_while_condition`] pins it). Two `Vec`s filled in the same loop
//! shared one counter (an index out of bounds in `_grad`) and, started with elements, one
//! temporary for their first elements (a wrong value, silently) until the same session
//! ([`two_in_one_loop`], [`coupled_states`]).
//!
//! Each function is checked against its analytic gradient, central differences, and forward
//! against reverse mode (`common::check`); two in second order against analytic Hessians and
//! central differences of `_grad`.

// The loops over indices are the shapes this file is about, as users write them.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{assert_close, check, close, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

/// `v_i = (v_{i-1} + x_i) / 2` from `v_{-1} = 0`, summed: the state read through
/// `v.last().copied().unwrap_or(0.0)` in a `while` loop.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    let mut i = 0;
    while i < x.len() {
        let prev = v.last().copied().unwrap_or(0.0);
        v.push(0.5 * (prev + x[i]));
        i += 1;
    }
    v.iter().sum::<f64>()
}

/// `Σ_j c_j x_j` with `c_j = Σ_{i≥j} 2^-(i-j+1)`: the weight of `x_j` in [`smoothed`].
fn smoothing_weight(n: usize, j: usize) -> f64 {
    (j..n).map(|i| 0.5f64.powi((i - j + 1) as i32)).sum()
}

/// [`smoothed`] of the squares, in second order: `Σ_j c_j x_j²`.
#[differentiable(hessian)]
fn smoothed_squares(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    for &xi in x {
        let prev = match v.last() {
            Some(&p) => p,
            None => 0.0,
        };
        v.push(0.5 * (prev + xi * xi));
    }
    v.iter().sum()
}

/// `Σ_i i x_i`: the weight is the length pushed so far, `r.len()`.
#[differentiable]
fn by_position(x: &[f64]) -> f64 {
    let mut r = Vec::new();
    for i in 0..x.len() {
        let m = r.len() as f64;
        r.push(x[i] * m);
    }
    r.iter().sum()
}

/// `s_i = s_{i-1} + s_{i-2}²/4` from `s_0 = p0`, `s_1 = p1`, read by index; `s_5`.
#[differentiable(hessian)]
fn recurrence(p: &[f64]) -> f64 {
    let mut s = vec![p[0], p[1]];
    for i in 2..6 {
        let next = s[i - 1] + 0.25 * s[i - 2] * s[i - 2];
        s.push(next);
    }
    s[5]
}

/// [`recurrence`]'s value, gradient and Hessian by forward propagation of first and second
/// derivatives along the states.
fn recurrence_exact(p: &[f64]) -> (f64, [f64; 2], [[f64; 2]; 2]) {
    // Each state as (value, gradient, Hessian).
    type State = (f64, [f64; 2], [[f64; 2]; 2]);
    let mut s: Vec<State> = vec![(p[0], [1.0, 0.0], [[0.0; 2]; 2]), (p[1], [0.0, 1.0], [[0.0; 2]; 2])];
    for i in 2..6 {
        let (a, b) = (s[i - 1], s[i - 2]);
        let g = [a.1[0] + 0.5 * b.0 * b.1[0], a.1[1] + 0.5 * b.0 * b.1[1]];
        let mut h = [[0.0; 2]; 2];
        for (j, row) in h.iter_mut().enumerate() {
            for (k, hjk) in row.iter_mut().enumerate() {
                *hjk = a.2[j][k] + 0.5 * (b.1[j] * b.1[k] + b.0 * b.2[j][k]);
            }
        }
        s.push((a.0 + 0.25 * b.0 * b.0, g, h));
    }
    s[5]
}

/// A running mean: `v_i = x_i² + mean(v_0..v_{i-1})` (0 for the first), summed; the mean read
/// through `v.is_empty()`, `v.iter().sum()` and `v.len()`.
#[differentiable]
fn running_mean(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    for &xi in x {
        let m = if v.is_empty() { 0.0 } else { v.iter().sum::<f64>() / v.len() as f64 };
        v.push(xi * xi + m);
    }
    v.iter().sum()
}

/// `t ← 0.9 t + p1` from `t = p0`, each state pushed after `p0` while fewer than twelve: the
/// condition reads the length pushed so far.
#[differentiable]
fn length_in_the_while_condition(p: &[f64]) -> f64 {
    let mut xs = vec![p[0]];
    let mut t = p[0];
    while xs.len() < 12 {
        t = t * 0.9 + p[1];
        xs.push(t);
    }
    xs.iter().sum()
}

/// The same states in a generic function, read through `*xs.last().unwrap()`, and a `for`
/// source `0..xs.len()` read before the loop pushes.
#[differentiable]
fn generic_states<T: Float>(p: &[T]) -> T {
    let mut xs = vec![p[0]];
    for _ in 0..11 {
        let x = *xs.last().unwrap();
        xs.push(x * T::from(0.9).unwrap() + p[1]);
    }
    let mut ys = vec![p[0], p[1]];
    for i in 0..ys.len() {
        ys.push(p[i] * p[i]);
    }
    xs.iter().fold(T::zero(), |a, &b| a + b) + ys.iter().fold(T::zero(), |a, &b| a + b)
}

const POINTS: [&[f64]; 3] = [&[0.5, 1.3, -0.2, 0.9], &[-0.8, 0.4], &[1.2, -0.6, 0.3]];

#[test]
fn the_last_state_read_in_a_while_loop() {
    check(&slice_fns!(smoothed, smoothed_jvp, smoothed_vjp, smoothed_grad), &POINTS, 1e-7);
    check(
        &slice_fns!(smoothed_squares, smoothed_squares_jvp, smoothed_squares_vjp, smoothed_squares_grad),
        &POINTS,
        1e-7,
    );
    for x in POINTS {
        let n = x.len();
        let (value, g) = smoothed_grad(x);
        assert!(close(value, (0..n).map(|j| smoothing_weight(n, j) * x[j]).sum(), 1e-14));
        let want: Vec<f64> = (0..n).map(|j| smoothing_weight(n, j)).collect();
        assert_close(&g, &want, 1e-14, "smoothed");
        let (_, g, h) = smoothed_squares_hessian(x);
        let want: Vec<f64> = (0..n).map(|j| 2.0 * smoothing_weight(n, j) * x[j]).collect();
        assert_close(&g, &want, 1e-14, "smoothed_squares");
        let curvature = |i: usize, j: usize| if i == j { 2.0 * smoothing_weight(n, j) } else { 0.0 };
        hessian_against("smoothed_squares", &h, &curvature, &|q| smoothed_squares_grad(q).1, x, 1e-14);
    }
}

#[test]
fn the_length_pushed_so_far() {
    check(&slice_fns!(by_position, by_position_jvp, by_position_vjp, by_position_grad), &POINTS, 1e-7);
    check(&slice_fns!(running_mean, running_mean_jvp, running_mean_vjp, running_mean_grad), &POINTS, 1e-7);
    for x in POINTS {
        let want: Vec<f64> = (0..x.len()).map(|i| i as f64).collect();
        assert_close(&by_position_grad(x).1, &want, 1e-15, "by_position");
        // v_i = x_i² + (v_0 + .. + v_{i-1}) / i: ∂v_i/∂x_j by the same recurrence.
        let n = x.len();
        let mut dv = vec![vec![0.0; n]; n];
        for i in 0..n {
            for j in 0..n {
                let mean = if i == 0 { 0.0 } else { (0..i).map(|k| dv[k][j]).sum::<f64>() / i as f64 };
                dv[i][j] = if i == j { 2.0 * x[i] } else { 0.0 } + mean;
            }
        }
        let want: Vec<f64> = (0..n).map(|j| (0..n).map(|i| dv[i][j]).sum()).collect();
        assert_close(&running_mean_grad(x).1, &want, 1e-13, "running_mean");
    }
}

#[test]
fn a_recurrence_read_by_index() {
    let points: [&[f64]; 3] = [&[0.5, 1.3], &[-0.8, 0.4], &[1.2, -0.6]];
    check(&slice_fns!(recurrence, recurrence_jvp, recurrence_vjp, recurrence_grad), &points, 1e-7);
    for p in points {
        let (value, g, h) = recurrence_exact(p);
        let (v, gradient, hessian) = recurrence_hessian(p);
        assert!(close(v, value, 1e-14));
        assert_close(&gradient, &g, 1e-13, "recurrence");
        hessian_against("recurrence", &hessian, &|i, j| h[i][j], &|q| recurrence_grad(q).1, p, 1e-13);
    }
}

#[test]
fn length_in_the_while_condition_and_the_for_source() {
    let points: [&[f64]; 3] = [&[0.5, 1.3], &[-0.8, 0.4], &[1.2, -0.6]];
    check(
        &slice_fns!(
            length_in_the_while_condition,
            length_in_the_while_condition_jvp,
            length_in_the_while_condition_vjp,
            length_in_the_while_condition_grad
        ),
        &points,
        1e-7,
    );
    check(
        &slice_fns!(generic_states, generic_states_jvp, generic_states_vjp, generic_states_grad),
        &points,
        1e-7,
    );
    for p in points {
        // Eleven states after p0: t_n = 0.9^n p0 + (1 - 0.9^n) / 0.1 p1.
        let value: f64 =
            p[0] + (1..12).map(|n| 0.9f64.powi(n) * p[0] + (1.0 - 0.9f64.powi(n)) / 0.1 * p[1]).sum::<f64>();
        let g = [
            1.0 + (1..12).map(|n| 0.9f64.powi(n)).sum::<f64>(),
            (1..12).map(|n| (1.0 - 0.9f64.powi(n)) / 0.1).sum(),
        ];
        let (v, gradient) = length_in_the_while_condition_grad(p);
        assert!(close(v, value, 1e-13), "{v} against {value}: twelve states");
        assert_close(&gradient, &g, 1e-13, "length_in_the_while_condition");
        // The same states, and p0 + p1 + p0² + p1².
        let (v, gradient) = generic_states_grad(p);
        assert!(close(v, value + p[0] + p[1] + p[0] * p[0] + p[1] * p[1], 1e-13));
        assert_close(&gradient, &[g[0] + 1.0 + 2.0 * p[0], g[1] + 1.0 + 2.0 * p[1]], 1e-13, "generic_states");
    }
}

/// Two `Vec`s pushed in the same loop, one from a branch: `30 Σ_{i even} x_i + Σ sin(x_i)`,
/// plus 100 per element of the first.
#[differentiable]
fn two_in_one_loop(x: &[f64]) -> f64 {
    let mut a = Vec::new();
    let mut b = Vec::new();
    for i in 0..x.len() {
        if i % 2 == 0 {
            a.push(x[i] * 3.0);
        }
        b.push(x[i].sin());
    }
    a.iter().sum::<f64>() * 10.0 + b.iter().sum::<f64>() + a.len() as f64 * 100.0
}

/// Two coupled recurrences started with `x_0` and `x_1`, each reading the other's last state:
/// `a' = a/2 + b`, `b' = b - a/10` (both from the states before), read through `b.len()`,
/// `b.last()` and `a.len()`; `a_5 + 2 b_5`, linear in `(x_0, x_1)`.
#[differentiable]
fn coupled_states(x: &[f64]) -> f64 {
    let mut a = vec![x[0]];
    let mut b = vec![x[1]];
    for i in 0..5 {
        let na = a[i] * 0.5 + b[b.len() - 1];
        let nb = *b.last().unwrap() - 0.1 * a[a.len() - 1];
        a.push(na);
        b.push(nb);
    }
    a[5] + 2.0 * b[5]
}

/// [`coupled_states`] run on the unit vectors: its (constant) gradient, the value's
/// coefficients.
fn coupled_gradient() -> [f64; 2] {
    let run = |a0: f64, b0: f64| {
        let (mut a, mut b) = (a0, b0);
        for _ in 0..5 {
            let na = a * 0.5 + b;
            let nb = b - 0.1 * a;
            (a, b) = (na, nb);
        }
        a + 2.0 * b
    };
    [run(1.0, 0.0), run(0.0, 1.0)]
}

#[test]
fn two_vecs_filled_in_one_loop() {
    check(
        &slice_fns!(two_in_one_loop, two_in_one_loop_jvp, two_in_one_loop_vjp, two_in_one_loop_grad),
        &POINTS,
        1e-7,
    );
    check(
        &slice_fns!(coupled_states, coupled_states_jvp, coupled_states_vjp, coupled_states_grad),
        &POINTS,
        1e-7,
    );
    for x in POINTS {
        let evens = x.iter().step_by(2).count() as f64;
        let value =
            30.0 * x.iter().step_by(2).sum::<f64>() + x.iter().map(|v| v.sin()).sum::<f64>() + 100.0 * evens;
        let (v, g) = two_in_one_loop_grad(x);
        assert!(close(v, value, 1e-14), "{v} against {value}");
        let want: Vec<f64> =
            x.iter().enumerate().map(|(i, v)| if i % 2 == 0 { 30.0 } else { 0.0 } + v.cos()).collect();
        assert_close(&g, &want, 1e-14, "two_in_one_loop");
        let c = coupled_gradient();
        let (v, g) = coupled_states_grad(x);
        assert!(close(v, c[0] * x[0] + c[1] * x[1], 1e-13));
        let mut want = vec![0.0; x.len()];
        want[..2].copy_from_slice(&c);
        assert_close(&g, &want, 1e-13, "coupled_states");
    }
}
