//! Loops, arrays, slices and in-place writes, in both modes. Every gradient is checked against
//! central differences and forward mode against reverse mode (`<u, J v>` both ways).

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop, clippy::type_complexity, clippy::useless_vec)]

mod common;

use common::check_wrt_x;
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

/// A Newton-style loop that stops on a tolerance or an iteration cap: only the part of the
/// condition that reads a differentiated value is marked.
#[differentiable]
fn halve_until_small_or_capped(x: f64, cap: usize) -> f64 {
    let mut y = x;
    let mut k = 0;
    while tapeless::piecewise(y > 1.0) && k < cap {
        y = y * 0.5 + 0.1 * y.sin();
        k += 1;
    }
    y
}

#[test]
fn piecewise_on_one_part_of_a_condition() {
    // Each step is y -> 0.5 y + 0.1 sin y, so the derivative is the product of 0.5 + 0.1 cos y
    // over the steps that ran.
    for (x, cap) in [(3.0, 10), (3.0, 1), (0.5, 10), (40.0, 3)] {
        let (mut y, mut slope, mut k) = (x, 1.0, 0);
        while y > 1.0 && k < cap {
            slope *= 0.5 + 0.1 * f64::cos(y);
            y = y * 0.5 + 0.1 * y.sin();
            k += 1;
        }
        let (value, grad) = halve_until_small_or_capped_grad(x, cap);
        assert_eq!(value, y);
        assert!((grad - slope).abs() < 1e-14, "{grad} against {slope}");
        let h = 1e-6;
        let fd =
            (halve_until_small_or_capped(x + h, cap) - halve_until_small_or_capped(x - h, cap)) / (2.0 * h);
        assert!((grad - fd).abs() < 1e-7, "{grad} against {fd}");
        let (_, tangent) = halve_until_small_or_capped_jvp(x, cap, 0.7);
        let (_, pullback) = halve_until_small_or_capped_vjp(x, cap);
        assert!((1.3 * tangent - pullback(1.3) * 0.7).abs() < 1e-14);
    }
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
