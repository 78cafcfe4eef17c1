//! Loops, arrays, slices and in-place writes, in both modes. Every gradient is checked against
//! central differences and forward mode against reverse mode (`<u, J v>` both ways).

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop, clippy::type_complexity, clippy::useless_vec)]

mod common;

use tapeless::differentiable;

/// Checks the gradient of `f` at `x` against central differences (all coordinates, or `fd_coords`
/// of them spread over `x`) and forward against reverse along a pseudo-random direction.
fn check_slice(
    name: &str,
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> (f64, Vec<f64>),
    jvp: &dyn Fn(&[f64], Vec<f64>) -> (f64, f64),
    x: &[f64],
    fd_coords: usize,
) {
    let (value, g) = grad(x);
    assert_eq!(value, f(x), "{name}: value");
    assert_eq!(g.len(), x.len(), "{name}: gradient length");
    let step = (x.len() / fd_coords.max(1)).max(1);
    for i in (0..x.len()).step_by(step) {
        let fd = common::central(f, x, i);
        assert!(
            common::close(g[i], fd, 1e-8),
            "{name}: d/dx{i} = {} but central differences give {fd}",
            g[i]
        );
    }
    let v = common::direction(x.len(), x.len() as u64);
    let (jv_value, jv) = jvp(x, v.clone());
    assert_eq!(jv_value, value, "{name}: jvp value");
    let vjp: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(jv, vjp, 1e-11), "{name}: <Jv> = {jv}, <J^T 1, v> = {vjp}");
}

fn points(n: usize) -> Vec<f64> {
    // The deterministic F1 input of shared/bench-functions.md.
    (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect()
}

// ---- Rosenbrock ---------------------------------------------------------------------------------

use common::functions::{rosenbrock, rosenbrock_grad, rosenbrock_hand, rosenbrock_jvp, rosenbrock_vjp};

#[test]
fn rosenbrock_2_100_10000() {
    for n in [2, 100, 10_000] {
        let x = points(n);
        check_slice(
            "rosenbrock",
            &|x| rosenbrock(x),
            &|x| rosenbrock_grad(x),
            &|x, v| rosenbrock_jvp(x, v),
            &x,
            50,
        );
        let g = rosenbrock_grad(&x).1;
        let hand = rosenbrock_hand(&x).1;
        for (a, b) in g.iter().zip(&hand) {
            assert!(common::close(*a, *b, 1e-13), "{a} vs hand-written {b}");
        }
        let (_, pullback) = rosenbrock_vjp(&x);
        assert_eq!(pullback(2.0), g.iter().map(|v| 2.0 * v).collect::<Vec<_>>());
    }
    let x = [-1.2, 1.0];
    assert_eq!(rosenbrock_grad(&x).1, rosenbrock_hand(&x).1);
}

// ---- a loop-carried recurrence ------------------------------------------------------------------

#[differentiable(wrt(t0, w))]
fn recurrence(t0: f64, w: f64, n: usize) -> f64 {
    let mut t = t0;
    let mut sum = 0.0;
    for _ in 0..n {
        t = (0.9 * t * w + 0.1).sin();
        sum += t * t;
    }
    sum + t
}

#[test]
fn recurrence_sees_every_iteration() {
    for (t0, w, n) in [(0.3, 1.1, 1), (0.3, 1.1, 10), (-0.7, 0.8, 57), (1.5, 1.3, 200)] {
        let f = |p: &[f64]| recurrence(p[0], p[1], n);
        let (value, (g0, g1)) = recurrence_grad(t0, w, n);
        assert_eq!(value, f(&[t0, w]));
        let fd0 = common::central(&f, &[t0, w], 0);
        let fd1 = common::central(&f, &[t0, w], 1);
        assert!(common::close(g0, fd0, 1e-8), "n={n}: {g0} vs {fd0}");
        assert!(common::close(g1, fd1, 1e-8), "n={n}: {g1} vs {fd1}");
        let (_, t) = recurrence_jvp(t0, w, n, 0.25, -1.5);
        assert!(common::close(t, 0.25 * g0 - 1.5 * g1, 1e-12));
    }
}

// ---- in-place overwrite -------------------------------------------------------------------------

#[differentiable]
fn smooth(x: &[f64], passes: usize) -> f64 {
    let mut v = x.to_vec();
    let n = v.len();
    for _ in 0..passes {
        for i in 1..n - 1 {
            v[i] = 0.5 * (v[i - 1] + v[i + 1]);
        }
    }
    let mut s = 0.0;
    for i in 0..n {
        s += v[i] * v[i] * (i as f64 + 1.0);
    }
    s
}

#[test]
fn smoothing_in_place() {
    for (n, passes) in [(5, 1), (12, 3), (40, 7)] {
        let x: Vec<f64> = (0..n).map(|i| ((i * 7) % 5) as f64 * 0.3 - 0.4).collect();
        check_slice(
            "smooth",
            &|x| smooth(x, passes),
            &|x| smooth_grad(x, passes),
            &|x, v| smooth_jvp(x, passes, v),
            &x,
            n,
        );
    }
}

// ---- arrays, Vec results, iterators -------------------------------------------------------------

#[differentiable]
fn scaled_copy(x: [f64; 3], k: f64) -> [f64; 3] {
    let mut y = x;
    for i in 0..3 {
        y[i] *= k * x[i];
    }
    y
}

#[test]
fn fixed_array_result() {
    let x = [1.0, -2.0, 0.5];
    let (y, t) = scaled_copy_jvp(x, 3.0, [1.0, 0.0, 0.0], 0.0);
    assert_eq!(y, [3.0, 12.0, 0.75]);
    assert_eq!(y, scaled_copy(x, 3.0));
    assert_eq!(t, [6.0, 0.0, 0.0]);
    let (_, pullback) = scaled_copy_vjp(x, 3.0);
    let (gx, gk) = pullback([1.0, 1.0, 1.0]);
    assert_eq!(gx, [6.0, -12.0, 3.0]);
    assert_eq!(gk, 1.0 + 4.0 + 0.25);
}

#[differentiable]
fn iterators(u: &[f64], w: Vec<f64>) -> f64 {
    let mut s = 0.0;
    for x in u.iter() {
        s += x.sin();
    }
    for (i, x) in w.iter().enumerate() {
        s += *x * (i as f64);
    }
    for (a, b) in u.iter().zip(w.iter()) {
        s += a * b;
    }
    for &a in u {
        s += a * a;
    }
    s + w.iter().sum::<f64>() * 0.5
}

#[test]
fn iter_enumerate_zip_sum() {
    let u = [0.3, -1.0, 2.0, 0.7];
    let w = vec![1.5, 0.25, -0.5];
    let f = |p: &[f64]| iterators(&p[..4], p[4..].to_vec());
    let (value, (gu, gw)) = iterators_grad(&u, w.clone());
    let all: Vec<f64> = u.iter().chain(&w).copied().collect();
    assert_eq!(value, f(&all));
    let g: Vec<f64> = gu.iter().chain(&gw).copied().collect();
    for (i, gi) in g.iter().enumerate() {
        let fd = common::central(&f, &all, i);
        assert!(common::close(*gi, fd, 1e-9), "{i}: {gi} vs {fd}");
    }
    let (_, t) = iterators_jvp(&u, w.clone(), vec![1.0, 0.0, 0.0, 0.0], vec![0.0, 0.0, 1.0]);
    assert!(common::close(t, g[0] + g[6], 1e-12));
}

#[differentiable]
fn vec_result(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut out = vec![0.0; n];
    for i in 0..n {
        out[i] = x[i].exp() * x[(i + 1) % n];
    }
    out
}

#[test]
fn vec_result_jvp_vjp() {
    let x = [0.1, 0.2, -0.3];
    let v = vec![0.5, -1.0, 2.0];
    let u = vec![1.0, 3.0, -0.5];
    let (y, jv) = vec_result_jvp(&x, v.clone());
    assert_eq!(y, vec_result(&x));
    let (_, pullback) = vec_result_vjp(&x);
    let jtu = pullback(u.clone());
    let lhs: f64 = u.iter().zip(&jv).map(|(a, b)| a * b).sum();
    let rhs: f64 = jtu.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(lhs, rhs, 1e-13), "{lhs} vs {rhs}");
    // Jv by central differences along v.
    let h = 1e-6;
    let plus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + h * b).collect();
    let minus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a - h * b).collect();
    let (fp, fm) = (vec_result(&plus), vec_result(&minus));
    for i in 0..3 {
        assert!(common::close(jv[i], (fp[i] - fm[i]) / (2.0 * h), 1e-8));
    }
}

/// Regression: an `if` with no merged value whose branch only writes an active array must still
/// get an adjoint (this once gave a silent zero gradient).
#[differentiable]
fn write_in_branch(x: &[f64], skip: usize) -> f64 {
    let mut y = vec![0.0; x.len()];
    for i in 0..x.len() {
        if i != skip {
            y[i] = x[i] * x[i];
        }
    }
    let mut s = 0.0;
    for v in y.iter() {
        s += v;
    }
    s
}

#[test]
fn branch_that_only_writes_an_array() {
    let x = [1.0, 2.0, 3.0];
    assert_eq!(write_in_branch_grad(&x, 1), (10.0, vec![2.0, 0.0, 6.0]));
    assert_eq!(write_in_branch_jvp(&x, 1, vec![1.0, 1.0, 1.0]), (10.0, 8.0));
    assert_eq!(write_in_branch(&x, 5), 14.0);
}

// ---- while, loop, break and continue on constant conditions ------------------------------------

#[differentiable(wrt(x, w))]
fn while_counter(x: &[f64], w: f64, n: usize) -> f64 {
    let mut i = 0;
    let mut s = 0.0;
    while i < n {
        s += (x[i] * w).sin();
        i += 1;
    }
    s * w
}

#[differentiable(wrt(x))]
fn loop_break_continue(x: &[f64], limit: usize) -> f64 {
    let mut i = 0;
    let mut p = 1.0;
    loop {
        if i >= x.len() {
            break;
        }
        i += 1;
        if i % 3 == 0 {
            continue;
        }
        p *= (1.0 + x[i - 1] * x[i - 1]).ln();
        if i == limit {
            break;
        }
    }
    p
}

#[differentiable(wrt(x))]
fn iter_mix(x: &[f64], y: &[f64], limit: usize) -> f64 {
    let mut s = 0.0;
    let mut t = 1.0;
    for (i, v) in x.iter().enumerate() {
        if i == limit {
            break;
        }
        if i % 2 == 1 {
            continue;
        }
        s += v.sin() * t;
        t = t * 0.5 + v;
    }
    for (a, b) in x.iter().zip(y.iter()) {
        s += a * b;
    }
    let mut k = 0;
    while k < 2 {
        for j in 0..x.len() {
            s += x[j] * x[j] * (k as f64);
        }
        k += 1;
    }
    s + t
}

fn check_wrt_x(
    name: &str,
    f: &dyn Fn(&[f64]) -> f64,
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
    jvp: &dyn Fn(&[f64], Vec<f64>) -> f64,
    x: &[f64],
) {
    let g = grad(x);
    for i in 0..x.len() {
        let fd = common::central(f, x, i);
        assert!(common::close(g[i], fd, 1e-8), "{name}: d/dx{i} = {} vs {fd}", g[i]);
    }
    let v = common::direction(x.len(), 7);
    let jv = jvp(x, v.clone());
    let r: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(jv, r, 1e-12), "{name}: {jv} vs {r}");
}

/// The pullback of `_vjp` applied to `ct` is `ct` times the gradient of `_grad`.
fn check_pullback(name: &str, grad: &[f64], ct: f64, from_pullback: &[f64]) {
    assert_eq!(grad.len(), from_pullback.len(), "{name}: lengths");
    for (a, b) in grad.iter().zip(from_pullback) {
        assert!(common::close(ct * a, *b, 1e-14), "{name}: pullback({ct}) {b} vs {ct} x grad {a}");
    }
}

#[test]
fn while_with_an_integer_counter() {
    let x = [0.3, -0.5, 1.2, 0.8];
    for n in [0, 1, 4] {
        let (value, (gx, gw)) = while_counter_grad(&x, 1.3, n);
        assert_eq!(value, while_counter(&x, 1.3, n));
        let f = |p: &[f64]| while_counter(&p[..4], p[4], n);
        let all = [0.3, -0.5, 1.2, 0.8, 1.3];
        let g: Vec<f64> = gx.iter().copied().chain([gw]).collect();
        for i in 0..5 {
            let fd = common::central(&f, &all, i);
            assert!(common::close(g[i], fd, 1e-8), "n={n} d/d{i}: {} vs {fd}", g[i]);
        }
        let (_, t) = while_counter_jvp(&x, 1.3, n, vec![1.0, 2.0, 3.0, 4.0], 0.5);
        let r = gx[0] + 2.0 * gx[1] + 3.0 * gx[2] + 4.0 * gx[3] + 0.5 * gw;
        assert!(common::close(t, r, 1e-12));
    }
}

#[test]
fn loop_with_break_and_continue() {
    let x = [0.3, -0.5, 1.2, 0.8, 2.0, -1.1, 0.4];
    for limit in [2, 5, 100] {
        check_wrt_x(
            "loop_break_continue",
            &|p| loop_break_continue(p, limit),
            &|p| loop_break_continue_grad(p, limit).1,
            &|p, v| loop_break_continue_jvp(p, limit, v).1,
            &x,
        );
    }
}

#[test]
fn iterators_with_break_continue_and_nested_loops() {
    let x = [0.3, -0.5, 1.2, 0.8, 2.0];
    let y = [1.0, 2.0, 3.0];
    for limit in [0, 3, 10] {
        check_wrt_x(
            "iter_mix",
            &|p| iter_mix(p, &y, limit),
            &|p| iter_mix_grad(p, &y, limit).1,
            &|p, v| iter_mix_jvp(p, &y, limit, v).1,
            &x,
        );
    }
}

/// A loop whose number of iterations depends on the input, accepted with `piecewise`: the
/// derivative is that of the iterations that ran.
#[differentiable]
fn halve_until_small(x: f64) -> f64 {
    let mut y = x;
    while tapeless::piecewise(y > 1.0) {
        y *= 0.5;
    }
    y
}

#[test]
fn piecewise_while() {
    assert_eq!(halve_until_small(3.0), 0.75);
    assert_eq!(halve_until_small_grad(0.5), (0.5, 1.0));
    assert_eq!(halve_until_small_grad(3.0), (0.75, 0.25));
    assert_eq!(halve_until_small_jvp(10.0, 1.0), (0.625, 0.0625));
}

// ---- return before the end -----------------------------------------------------------------------

/// The first element above a threshold, scaled; `return` from inside the loop.
#[differentiable(wrt(x, scale))]
fn first_above(x: &[f64], scale: f64, threshold: f64) -> f64 {
    for i in 0..x.len() {
        if tapeless::piecewise(x[i] > threshold) {
            return x[i] * scale;
        }
    }
    scale * scale
}

#[differentiable(wrt(x))]
fn return_from_while(x: &[f64], stop: usize) -> (f64, f64) {
    let mut i = 0;
    let mut s = 0.0;
    while i < x.len() {
        s += x[i].exp();
        if i == stop {
            return (s, x[i]);
        }
        i += 1;
    }
    (s, 0.0)
}

#[differentiable]
fn return_at_top(x: f64, early: bool) -> f64 {
    if early {
        return x.sin();
    }
    let y = x * x;
    y + 1.0
}

#[test]
fn early_returns() {
    let x = [0.1, 0.7, 0.3, 2.0];
    assert_eq!(first_above(&x, 3.0, 0.5), first_above_grad(&x, 3.0, 0.5).0);
    assert_eq!(first_above_grad(&x, 3.0, 0.5).1, (vec![0.0, 3.0, 0.0, 0.0], 0.7));
    assert_eq!(first_above_grad(&x, 3.0, 5.0).1, (vec![0.0; 4], 6.0));
    let (_, t) = first_above_jvp(&x, 3.0, 0.5, vec![1.0, 1.0, 1.0, 1.0], 1.0);
    assert_eq!(t, 3.0 + 0.7);

    for stop in [0, 2, 9] {
        let (value, pullback) = return_from_while_vjp(&x, stop);
        assert_eq!(value, return_from_while(&x, stop));
        let g = pullback((1.0, 2.0));
        let f = |p: &[f64]| {
            let (a, b) = return_from_while(p, stop);
            a + 2.0 * b
        };
        for i in 0..4 {
            let fd = common::central(&f, &x, i);
            assert!(common::close(g[i], fd, 1e-9), "stop={stop}: {} vs {fd}", g[i]);
        }
        let v = vec![0.5, -1.0, 2.0, 0.25];
        let (_, (ta, tb)) = return_from_while_jvp(&x, stop, v.clone());
        let r: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert!(common::close(ta + 2.0 * tb, r, 1e-12));
    }

    assert_eq!(return_at_top_grad(0.5, true), (0.5f64.sin(), 0.5f64.cos()));
    assert_eq!(return_at_top_grad(0.5, false), (1.25, 1.0));
    assert_eq!(return_at_top(0.5, false), 1.25);
}

/// Regression (found by tests/differential.rs): a value computed from an array the loop writes
/// must not be recomputed in the backward sweep (the array has changed since); it is saved.
#[differentiable(wrt(v))]
fn running_sums(v: &[f64]) -> f64 {
    let mut w = vec![0.0; 4];
    let mut s = 0.0;
    for i in 0..4 {
        w[i] = v[i] * v[i];
        s += w.iter().sum::<f64>().sin();
    }
    s
}

#[test]
fn sum_of_an_array_written_in_the_loop() {
    let v = [0.3, -0.5, 0.9, 0.2];
    check_wrt_x(
        "running_sums",
        &running_sums,
        &|p| running_sums_grad(p).1,
        &|p, d| running_sums_jvp(p, d).1,
        &v,
    );
}

// ---- composition with arrays ------------------------------------------------------------------

#[differentiable]
fn norm2(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for e in v.iter() {
        s += e * e;
    }
    s
}

#[differentiable]
fn uses_helper(x: &[f64]) -> f64 {
    let mut w = vec![0.0; x.len()];
    for i in 0..x.len() {
        w[i] = x[i].sin();
    }
    norm2(&w) + norm2(x) * 0.5
}

#[test]
fn arrays_passed_to_differentiable_helpers() {
    let x = [0.3, -0.5, 1.2];
    assert_eq!(norm2(&x), 0.09 + 0.25 + 1.44);
    check_wrt_x("uses_helper", &uses_helper, &|p| uses_helper_grad(p).1, &|p, d| uses_helper_jvp(p, d).1, &x);
}

/// `(a..b).rev()`: Horner's rule from the highest coefficient down.
#[differentiable(wrt(c, x))]
fn horner(c: &[f64], x: f64) -> f64 {
    let mut y = 0.0;
    for i in (0..c.len()).rev() {
        y = y * x + c[i];
    }
    y
}

#[differentiable(wrt(c))]
fn weighted_tail(c: &[f64], from: usize) -> f64 {
    let mut s = 0.0_f64;
    for i in (from..=c.len() - 1).rev() {
        s += c[i] * (i as f64 + 1.0) * s.tanh();
        s += c[i];
    }
    s
}

#[test]
fn reversed_ranges() {
    let c = [1.0, -2.0, 0.5, 3.0];
    let x = 0.7;
    let expected = 1.0 - 2.0 * x + 0.5 * x * x + 3.0 * x * x * x;
    let (value, (gc, gx)) = horner_grad(&c, x);
    assert!((value - expected).abs() < 1e-14);
    assert_eq!(value, horner(&c, x));
    let powers = [1.0, x, x * x, x * x * x];
    for (g, p) in gc.iter().zip(&powers) {
        assert!((g - p).abs() < 1e-14);
    }
    assert!((gx - (-2.0 + 2.0 * 0.5 * x + 3.0 * 3.0 * x * x)).abs() < 1e-14);
    check_wrt_x(
        "horner",
        &|p| horner(p, x),
        &|p| horner_grad(p, x).1.0,
        &|p, d| horner_jvp(p, x, d, 0.0).1,
        &c,
    );
    for from in [0, 2, 3] {
        check_wrt_x(
            "weighted_tail",
            &|p| weighted_tail(p, from),
            &|p| weighted_tail_grad(p, from).1,
            &|p, d| weighted_tail_jvp(p, from, d).1,
            &c,
        );
    }
}

/// Regression (found by tests/differential.rs): a `while` inside a branch. Its iteration count
/// is defined in the branch and read by the branch's adjoint, so the branch must save it.
#[differentiable(wrt(v))]
fn while_in_branch(v: &[f64], n: usize) -> f64 {
    if n > 2 {
        v[0]
    } else {
        let mut s = v[0];
        let mut k = 0;
        while k < n {
            s = (s * 0.5 + v[1]).tanh();
            k += 1;
        }
        s
    }
}

#[test]
fn a_while_loop_inside_a_branch() {
    let v = [0.3, -0.7];
    for n in [0, 1, 2, 3] {
        check_wrt_x(
            "while_in_branch",
            &|p| while_in_branch(p, n),
            &|p| while_in_branch_grad(p, n).1,
            &|p, d| while_in_branch_jvp(p, n, d).1,
            &v,
        );
    }
}

// ---- Reads the inner loop does not move, and arrays the reverse sweep no longer reads ------------

/// `x[i]` and `x[k]` are read at indices the inner loop does not change: their adjoints are
/// summed in a register for the whole inner loop and added once after it.
#[differentiable(wrt(x))]
fn invariant_reads(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        let k = n - 1 - i;
        for j in 0..m {
            s += x[i] * x[j] * x[i] + (x[k] * 0.5).sin() * x[(i + j) % n];
        }
    }
    s
}

#[test]
fn reads_at_an_index_the_inner_loop_does_not_change() {
    let x = points(7);
    for m in [0, 1, 7] {
        check_wrt_x(
            "invariant_reads",
            &|p| invariant_reads(p, m),
            &|p| invariant_reads_grad(p, m).1,
            &|p, d| invariant_reads_jvp(p, m, d).1,
            &x,
        );
        let (_, pullback) = invariant_reads_vjp(&x, m);
        check_pullback("invariant_reads", &invariant_reads_grad(&x, m).1, 2.0, &pullback(2.0));
    }
    // Analytic at m = 1: s = sum_i x_i^2 x_0 + sin(x_{n-1-i} / 2) x_i.
    let (n, g) = (x.len(), invariant_reads_grad(&x, 1).1);
    for (i, gi) in g.iter().enumerate() {
        let mut d = 2.0 * x[i] * x[0] + (x[n - 1 - i] * 0.5).sin();
        d += 0.5 * (x[i] * 0.5).cos() * x[n - 1 - i];
        if i == 0 {
            d += x.iter().map(|v| v * v).sum::<f64>();
        }
        assert!(common::close(*gi, d, 1e-13), "d/dx{i} = {gi}, analytic {d}");
    }
}

/// The inner loop runs no iteration: the primal never reads `x[far]` (out of range), and the
/// gradient must not either.
#[differentiable(wrt(x))]
fn read_past_the_end_in_an_empty_loop(x: &[f64], far: usize, m: usize) -> f64 {
    let mut s = x[0];
    for j in 0..m {
        s += x[far] * x[j];
    }
    s
}

#[test]
fn an_invariant_read_in_a_loop_that_runs_no_iteration() {
    let x = [0.5, 2.0, -1.5];
    let (value, g) = read_past_the_end_in_an_empty_loop_grad(&x, 10, 0);
    assert_eq!((value, g), (0.5, vec![1.0, 0.0, 0.0]));
    let (_, pullback) = read_past_the_end_in_an_empty_loop_vjp(&x, 10, 0);
    assert_eq!(pullback(3.0), vec![3.0, 0.0, 0.0]);
    check_wrt_x(
        "read_past_the_end_in_an_empty_loop",
        &|p| read_past_the_end_in_an_empty_loop(p, 2, 3),
        &|p| read_past_the_end_in_an_empty_loop_grad(p, 2, 3).1,
        &|p, d| read_past_the_end_in_an_empty_loop_jvp(p, 2, 3, d).1,
        &x,
    );
}

/// `a[z]` is read at an index the loop does not change, but the loop also writes `a[z]`: each
/// read sees another value, so its adjoint cannot be summed across iterations.
#[differentiable(wrt(x))]
fn invariant_read_of_a_written_element(x: &[f64]) -> f64 {
    let z = 0;
    let mut a = vec![0.0; 2];
    a[z] = x[0];
    for j in 0..x.len() {
        a[1] += a[z] * x[j];
        a[z] = (x[j] * a[z]).sin();
    }
    a[1] + a[z]
}

#[test]
fn an_invariant_read_of_an_element_the_loop_writes() {
    let x = [0.7, -0.4, 1.1, 0.3];
    check_wrt_x(
        "invariant_read_of_a_written_element",
        &invariant_read_of_a_written_element,
        &|p| invariant_read_of_a_written_element_grad(p).1,
        &|p, d| invariant_read_of_a_written_element_jvp(p, d).1,
        &x,
    );
}

/// `table` is built, written and summed; the reverse sweep never reads its values, so `_grad`
/// lets its adjoint take its storage. `squares` is read by the sweep (`v * v`), so it keeps it.
#[differentiable(wrt(x))]
fn built_and_summed(x: &[f64], w: f64) -> f64 {
    let n = x.len();
    let mut table = vec![0.0; n * n];
    let mut squares = x.to_vec();
    for i in 0..n {
        squares[i] = x[i] * w;
        for j in 0..n {
            table[i * n + j] = x[i] * x[j] * w;
        }
    }
    let mut s = 0.0;
    for v in table.iter() {
        s += v;
    }
    for v in squares.iter() {
        s += v * v;
    }
    s
}

#[test]
fn an_array_the_reverse_sweep_does_not_read() {
    let x = points(6);
    for w in [0.8, -1.7] {
        check_wrt_x(
            "built_and_summed",
            &|p| built_and_summed(p, w),
            &|p| built_and_summed_grad(p, w).1,
            &|p, d| built_and_summed_jvp(p, w, d).1,
            &x,
        );
        // Analytic: s = w (sum x)^2 + w^2 sum x^2.
        let total: f64 = x.iter().sum();
        let (_, pullback) = built_and_summed_vjp(&x, w);
        let (g, from_pullback) = (built_and_summed_grad(&x, w).1, pullback(1.0));
        for i in 0..x.len() {
            let d = 2.0 * w * total + 2.0 * w * w * x[i];
            assert!(common::close(g[i], d, 1e-13), "d/dx{i} = {}, analytic {d}", g[i]);
            assert_eq!(g[i], from_pullback[i], "_grad and the pullback of _vjp");
        }
    }
}

/// A tangent has one entry per element of its parameter; any other length is the caller's
/// mistake, reported at the call with both lengths (not an index out of bounds inside `_jvp`).
#[test]
#[should_panic(expected = "the tangent `dx` has 2 elements but `x` has 3")]
fn a_tangent_of_the_wrong_length_is_reported_at_the_call() {
    rosenbrock_jvp(&[1.0, 2.0, 3.0], vec![1.0, 1.0]);
}

// ---- An array written once per element and only summed -----------------------------------------

/// Each element of `mat` is written at most once (`i * m + j`, `j < m`) and the array is read
/// only by the sum: reverse mode keeps its adjoint as one scalar, forward mode adds up the stored
/// tangents. Three elements are never written; the sum starts from `x[0]` and its square root is
/// taken, so the scalar is not the seed.
#[differentiable(wrt(x))]
fn written_once_and_summed(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut mat = vec![0.5; n * m + 3];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = (x[i] * x[j % n]).sin() + 1.0;
        }
    }
    let mut s = x[0] * x[0];
    for v in mat.iter() {
        s += v;
    }
    s.sqrt()
}

/// Rows of different lengths overlap (`i * k + j` with `k = n - i`): later rows overwrite
/// earlier ones, whose values then reach the sum no more. The scalar adjoint would be wrong here.
#[differentiable(wrt(x))]
fn overlapping_rows_summed(x: &[f64]) -> f64 {
    let n = x.len();
    let mut mat = vec![0.0; n * n];
    for i in 0..n {
        let k = n - i;
        for j in 0..k {
            mat[i * k + j] = x[j] * x[i] + x[i];
        }
    }
    let mut s = 0.0;
    for v in mat.iter() {
        s += v;
    }
    s
}

#[test]
fn an_array_written_once_and_only_summed() {
    let x = [0.3, -0.8, 1.1, 0.45];
    for m in [0, 1, 3, 6] {
        check_wrt_x(
            "written_once_and_summed",
            &|p| written_once_and_summed(p, m),
            &|p| written_once_and_summed_grad(p, m).1,
            &|p, d| written_once_and_summed_jvp(p, m, d).1,
            &x,
        );
        let (_, pullback) = written_once_and_summed_vjp(&x, m);
        check_pullback(
            "written_once_and_summed",
            &written_once_and_summed_grad(&x, m).1,
            -1.5,
            &pullback(-1.5),
        );
    }
    // Analytic at m = 1: s = x0^2 + sum_i (sin(x_i x_0) + 1) + 0.5 * 3, f = sqrt(s).
    let s: f64 = x[0] * x[0] + x.iter().map(|v| (v * x[0]).sin() + 1.0).sum::<f64>() + 1.5;
    let g = written_once_and_summed_grad(&x, 1).1;
    for i in 0..x.len() {
        let mut ds = x[0] * (x[i] * x[0]).cos();
        if i == 0 {
            ds += 2.0 * x[0] + x.iter().map(|v| v * (v * x[0]).cos()).sum::<f64>();
        }
        let d = ds / (2.0 * s.sqrt());
        assert!(common::close(g[i], d, 1e-13), "d/dx{i} = {}, analytic {d}", g[i]);
    }
}

#[test]
fn overlapping_rows_are_not_treated_as_written_once() {
    let x = [0.3, -0.8, 1.1, 0.45, -0.2];
    check_wrt_x(
        "overlapping_rows_summed",
        &overlapping_rows_summed,
        &|p| overlapping_rows_summed_grad(p).1,
        &|p, d| overlapping_rows_summed_jvp(p, d).1,
        &x,
    );
}

/// The same shape summed by `iter().sum()`, its result used in one branch only.
#[differentiable(wrt(x))]
fn written_once_and_iter_summed(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut mat = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = x[i] * (x[j % n] * 0.5).exp();
        }
    }
    let s = mat.iter().sum::<f64>();
    if tapeless::piecewise(x[0] > 0.0) { s * s } else { x[1] * 2.0 }
}

#[test]
fn an_array_written_once_and_summed_by_iter_sum() {
    for x in [[0.3, -0.8, 1.1], [-0.3, -0.8, 1.1]] {
        for m in [0, 2, 5] {
            check_wrt_x(
                "written_once_and_iter_summed",
                &|p| written_once_and_iter_summed(p, m),
                &|p| written_once_and_iter_summed_grad(p, m).1,
                &|p, d| written_once_and_iter_summed_jvp(p, m, d).1,
                &x,
            );
            let (_, pullback) = written_once_and_iter_summed_vjp(&x, m);
            let g = written_once_and_iter_summed_grad(&x, m).1;
            check_pullback("written_once_and_iter_summed", &g, 0.5, &pullback(0.5));
        }
    }
}

/// Rows of a literal length: `0..4` and `i * 4` are two literals of one value, so each element
/// is still written at most once. With `i * 3` the rows overlap and later ones overwrite.
#[differentiable(wrt(x))]
fn literal_rows_summed(x: &[f64], overlap: bool) -> f64 {
    let mut a = vec![0.0; 16];
    let mut b = vec![0.0; 16];
    for i in 0..3 {
        for j in 0..4 {
            a[i * 4 + j] = (x[i] * x[j]).cos();
        }
    }
    for i in 0..3 {
        for j in 0..4 {
            b[i * 3 + j] = x[i] * x[j] * x[j];
        }
    }
    let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    if overlap { sb } else { sa * 0.5 }
}

#[test]
fn rows_of_a_literal_length() {
    let x = [0.3, -0.8, 1.1, 0.45];
    for overlap in [false, true] {
        check_wrt_x(
            "literal_rows_summed",
            &|p| literal_rows_summed(p, overlap),
            &|p| literal_rows_summed_grad(p, overlap).1,
            &|p, d| literal_rows_summed_jvp(p, overlap, d).1,
            &x,
        );
    }
}

/// Reads of `x[i]` and `x[i + 1]` in one iteration: their adjoints go through registers
/// (`emit::reverse::loops::shift_loads`), in a backward loop that runs forward (independent
/// iterations) and in one that must run backward (a carried recurrence).
mod neighbours {
    use tapeless::differentiable;

    #[differentiable]
    pub fn independent(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            s += (x[i + 1] - x[i]).powi(2) * x[i].cos();
        }
        s
    }

    #[differentiable]
    pub fn recurrent(x: &[f64]) -> f64 {
        let mut s = 0.5;
        for i in 0..x.len() - 1 {
            s = (s * x[i + 1] + x[i]).sin();
        }
        s
    }
}

#[test]
fn neighbouring_reads_in_both_loop_directions() {
    let points: [&[f64]; 3] = [&[0.3, -0.2, 0.9, 1.4], &[1.0, 2.0, 4.0, 0.5, -0.7], &[-1.2, 0.5, 0.1]];
    for (name, f, jvp, vjp, grad) in [
        (
            "independent",
            neighbours::independent as fn(&[f64]) -> f64,
            neighbours::independent_jvp as fn(&[f64], Vec<f64>) -> (f64, f64),
            (|x: &[f64], ct: f64| {
                let (v, pb) = neighbours::independent_vjp(x);
                (v, pb(ct))
            }) as fn(&[f64], f64) -> (f64, Vec<f64>),
            neighbours::independent_grad as fn(&[f64]) -> (f64, Vec<f64>),
        ),
        (
            "recurrent",
            neighbours::recurrent,
            neighbours::recurrent_jvp,
            |x: &[f64], ct: f64| {
                let (v, pb) = neighbours::recurrent_vjp(x);
                (v, pb(ct))
            },
            neighbours::recurrent_grad,
        ),
    ] {
        let fns = common::Fns { name, f: &f, jvp: &|x, v| jvp(x, v.to_vec()), vjp: &vjp, grad: &grad };
        common::check(&fns, &points, 1e-8);
    }
    // The last element gets only the carried part: ∂/∂x_n of (x_n - x_{n-1})² cos x_{n-1}.
    let x = [0.3, -0.2, 0.9];
    let (_, g) = neighbours::independent_grad(&x);
    assert!(common::close(g[2], 2.0 * (0.9 - -0.2) * (-0.2f64).cos(), 1e-15), "{g:?}");
}
