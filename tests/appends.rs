//! A local `Vec` appended to outside loops (`extend_from_slice`, `extend`, `push`), as feature
//! vectors are built, `[a, b].concat()`, and the one-element and repeated sources `std::iter::once`,
//! `std::iter::repeat` and `repeat_n` in chains. Until the forty-second session each append was
//! our "called for its effect" error, and `once` the error of a method without a derivative.
//! Gradients against closed forms and central differences, JVP against VJP, Hessians against
//! closed forms and central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

/// `w · [x, x², x₀x₁]`: the features appended one kind after another.
#[differentiable(wrt(x), hessian)]
fn linear_features(x: &[f64], w: &[f64]) -> f64 {
    let mut f = Vec::with_capacity(2 * x.len() + 1);
    f.extend_from_slice(x);
    f.extend(x.iter().map(|v| v * v));
    f.push(x[0] * x[1]);
    f.iter().zip(w).map(|(a, b)| a * b).sum()
}

/// The same features in another order, generic over the float type, with an array literal
/// appended too: `w · [x₁.., x³, sin x₀, x₀, x₁x₂]`.
#[differentiable(wrt(x))]
fn generic_features<T: Float + std::iter::Sum>(x: &[T], w: &[T]) -> T {
    let mut f = Vec::new();
    f.extend_from_slice(&x[1..]);
    f.extend(x.iter().map(|v| v.powi(3)));
    f.push(x[0].sin());
    f.extend([x[0], x[1] * x[2]]);
    f.iter().zip(w).map(|(a, b)| *a * *b).sum()
}

/// `a` then `b` three times, each element weighted by its position: `Σ (k + 1) v_k²`.
#[differentiable]
fn concatenated(a: &[f64], b: &[f64]) -> f64 {
    let mut v = a.to_vec();
    v.extend_from_slice(b);
    v.extend(b);
    v.extend(b.iter());
    v.iter().enumerate().map(|(k, e)| (k as f64 + 1.0) * e * e).sum()
}

/// `[a, b[1..]].concat()`, then the same weights: `Σ (k + 1) v_k²`.
#[differentiable]
fn concatenated_by_concat(a: &[f64], b: &[f64]) -> f64 {
    let v = [a, &b[1..]].concat();
    v.iter().enumerate().map(|(k, e)| (k as f64 + 1.0) * e * e).sum()
}

/// Points held as `[f64; 2]` (the help of ui `chains/collect_of_tuples`): `Σ a b` twice over, and
/// `Σ (a - b)`.
#[differentiable]
#[allow(clippy::needless_range_loop)] // (the help's `let [a, b] = pts[i];`, as written)
fn points_held_as_arrays(x: &[f64]) -> f64 {
    let pts: Vec<[f64; 2]> = x.chunks(2).map(|c| [c[0], c[1]]).collect();
    let mut s = 0.0;
    for i in 0..pts.len() {
        let [a, b] = pts[i];
        s += a * b;
    }
    for p in pts.iter() {
        s += p[0] - p[1];
    }
    s + pts.iter().map(|p| p[0] * p[1]).sum::<f64>()
}

/// `Σ a² b` over points held as `[f64; 2]`, taken apart by `for &[a, b] in &pts`.
#[differentiable(hessian)]
fn points_taken_apart(x: &[f64]) -> f64 {
    let pts: Vec<[f64; 2]> = x.chunks(2).map(|c| [c[0], c[1]]).collect();
    let mut s = 0.0;
    for &[a, b] in &pts {
        s += a * a * b;
    }
    s
}

/// Tuples of constants collected and read: `x₀ Σ c₀ c₁` over pairs of `data`.
#[differentiable(wrt(x))]
fn constant_pairs(x: &[f64], data: &[f64]) -> f64 {
    let pts: Vec<(f64, f64)> = data.chunks(2).map(|c| (c[0], c[1])).collect();
    pts.iter().map(|(a, b)| a * b * x[0]).sum()
}

/// A push under a branch, and one reading what was pushed before.
#[differentiable]
fn pushed_in_a_branch(x: &[f64]) -> f64 {
    let mut v = Vec::new();
    v.push(x[0]);
    if x.len() > 2 {
        v.push(x[2] * x[1]);
    }
    v.push(v[0] * 2.0);
    let n = v.len() as f64;
    v.iter().map(|e| e.sin()).sum::<f64>() / n
}

/// `x₀ · Σ x` through `once` and `repeat`: `[x₀] ++ x` zipped with `x₀` repeated, then two
/// more of the same through `repeat_n`.
#[differentiable]
fn single_and_repeated(x: &[f64]) -> f64 {
    let head: f64 =
        std::iter::once(x[0]).chain(x.iter().copied()).zip(std::iter::repeat(x[0])).map(|(a, b)| a * b).sum();
    let tail: f64 = std::iter::repeat_n(x[1], 2).map(|v| v * v).sum();
    head + tail
}

/// An empty `Vec` of a written type, replaced: `x₀ Σ x²` (rustc's E0282 inside the copy for
/// second order until the forty-second session: the empty `Vec` was untyped there).
#[differentiable(hessian)]
fn replaced_after_declared_empty(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = Vec::new();
    if x.len() > 1 {
        v = x.iter().map(|a| a * a).collect();
    }
    v.iter().sum::<f64>() * x[0]
}

/// `[x, x²]` built by a loop that collects the `Vec` anew each round: `w · [x, x²]` (rustc's
/// E0384 inside `_jvp` until the forty-second session: the tangent of a `Vec` declared empty
/// was not `mut`, and the loop makes it anew).
#[differentiable(wrt(x))]
fn grown_in_a_loop(x: &[f64], w: &[f64]) -> f64 {
    let mut f: Vec<f64> = Vec::new();
    for k in 0..2 {
        f = f.iter().copied().chain(x.iter().map(|v| v.powi(k + 1))).collect();
    }
    f.iter().zip(w).map(|(a, b)| a * b).sum()
}

#[test]
fn an_empty_vec_replaced_once_or_in_a_loop() {
    let x = [0.3, -0.7, 1.1];
    let s: f64 = x.iter().map(|a| a * a).sum();
    let (value, g) = replaced_after_declared_empty_grad(&x);
    assert!((value - x[0] * s).abs() < 1e-15);
    let want = [s + 2.0 * x[0] * x[0], 2.0 * x[0] * x[1], 2.0 * x[0] * x[2]];
    assert_close(&g, &want, 1e-14, "replaced against the closed form");
    let v = vec![0.3, 0.2, -1.0];
    let (_, jvp) = replaced_after_declared_empty_jvp(&x, v.clone());
    let (_, pullback) = replaced_after_declared_empty_vjp(&x);
    forward_against_reverse("replaced", jvp, &v, 0.8, &pullback(0.8), 1e-12);
    let (_, _, h) = replaced_after_declared_empty_hessian(&x);
    let hessian = |i: usize, j: usize| match (i, j) {
        (0, 0) => 6.0 * x[0],
        (0, j) | (j, 0) => 2.0 * x[j],
        (i, j) if i == j => 2.0 * x[0],
        _ => 0.0,
    };
    hessian_against("replaced", &h, &hessian, &|q| replaced_after_declared_empty_grad(q).1, &x, 1e-12);

    let w = [0.5, 0.1, -0.2, 0.3, 1.0, 2.0];
    let (value, g) = grown_in_a_loop_grad(&x, &w);
    assert!((value - grown_in_a_loop(&x, &w)).abs() < 1e-15);
    let want: Vec<f64> = (0..3).map(|i| w[i] + 2.0 * w[3 + i] * x[i]).collect();
    assert_close(&g, &want, 1e-14, "grown against the closed form");
    let (_, jvp) = grown_in_a_loop_jvp(&x, &w, v.clone());
    let (_, pullback) = grown_in_a_loop_vjp(&x, &w);
    forward_against_reverse("grown", jvp, &v, -1.2, &pullback(-1.2), 1e-12);
}

#[test]
fn features_appended_against_the_closed_form() {
    let x = [0.3, -0.7, 1.1];
    let w = [0.5, 0.1, -0.2, 0.3, 1.0, 2.0, -1.0];
    let n = x.len();
    let (value, g) = linear_features_grad(&x, &w);
    assert!((value - linear_features(&x, &w)).abs() < 1e-15);
    let mut want: Vec<f64> = (0..n).map(|i| w[i] + 2.0 * w[n + i] * x[i]).collect();
    want[0] += w[2 * n] * x[1];
    want[1] += w[2 * n] * x[0];
    assert_close(&g, &want, 1e-14, "features against the closed form");
    assert_close(&g, &central_gradient(|q| linear_features(q, &w), &x), 1e-8, "features against differences");
    let v = vec![0.4, -1.3, 0.8];
    let (_, jvp) = linear_features_jvp(&x, &w, v.clone());
    let (_, pullback) = linear_features_vjp(&x, &w);
    forward_against_reverse("features", jvp, &v, 2.5, &pullback(2.5), 1e-12);
    let (_, _, h) = linear_features_hessian(&x, &w);
    let hessian = |i: usize, j: usize| {
        let diagonal = if i == j { 2.0 * w[n + i] } else { 0.0 };
        let cross = if (i, j) == (0, 1) || (i, j) == (1, 0) { w[2 * n] } else { 0.0 };
        diagonal + cross
    };
    hessian_against("features", &h, &hessian, &|q| linear_features_grad(q, &w).1, &x, 1e-12);
}

#[test]
fn generic_features_at_both_float_types() {
    let x = [0.3, -0.7, 1.1];
    let w = [0.5, 0.1, -0.2, 0.3, 1.0, 2.0, -1.0, 0.7];
    let (value, g) = generic_features_grad(&x, &w);
    assert!((value - generic_features(&x, &w)).abs() < 1e-15);
    // x₁, x₂ at w₀, w₁; x³ at w₂..w₄; sin x₀ at w₅; x₀ at w₆; x₁x₂ at w₇.
    let want = [
        3.0 * w[2] * x[0] * x[0] + w[5] * x[0].cos() + w[6],
        w[0] + 3.0 * w[3] * x[1] * x[1] + w[7] * x[2],
        w[1] + 3.0 * w[4] * x[2] * x[2] + w[7] * x[1],
    ];
    assert_close(&g, &want, 1e-14, "generic features against the closed form");
    assert_close(&g, &central_gradient(|q| generic_features(q, &w), &x), 1e-8, "against differences");
    let v = vec![1.0, 0.5, -0.25];
    let (_, jvp) = generic_features_jvp(&x, &w, v.clone());
    let (_, pullback) = generic_features_vjp(&x, &w);
    forward_against_reverse("generic features", jvp, &v, -0.6, &pullback(-0.6), 1e-12);
    let x32 = [0.3_f32, -0.7, 1.1];
    let w32: Vec<f32> = w.iter().map(|v| *v as f32).collect();
    let (_, g32) = generic_features_grad(&x32, &w32);
    for (a, b) in g32.iter().zip(&want) {
        assert!((f64::from(*a) - b).abs() < 1e-5, "f32: {g32:?} against {want:?}");
    }
}

#[test]
fn concatenation_reaches_both_parameters() {
    let (a, b) = ([0.3, -0.7], [1.1, 0.4]);
    let (value, (ga, gb)) = concatenated_grad(&a, &b);
    assert!((value - concatenated(&a, &b)).abs() < 1e-15);
    // Positions: a at 1, 2; b at 3, 4, then 5, 6, then 7, 8.
    assert_close(&ga, &[2.0 * a[0], 4.0 * a[1]], 1e-14, "a");
    assert_close(&gb, &[2.0 * (3.0 + 5.0 + 7.0) * b[0], 2.0 * (4.0 + 6.0 + 8.0) * b[1]], 1e-14, "b");
    assert_close(&gb, &central_gradient(|q| concatenated(&a, q), &b), 1e-8, "b against differences");
    let (da, db) = (vec![0.5, -1.0], vec![0.25, 2.0]);
    let (_, jvp) = concatenated_jvp(&a, &b, da.clone(), db.clone());
    let (_, pullback) = concatenated_vjp(&a, &b);
    let (pa, pb) = pullback(1.5);
    let both: Vec<f64> = pa.iter().chain(&pb).copied().collect();
    forward_against_reverse("concatenated", jvp, &[da, db].concat(), 1.5, &both, 1e-12);
}

#[test]
fn concat_of_slices() {
    let (a, b) = ([0.3, -0.7], [1.1, 0.4, -2.0]);
    let (value, (ga, gb)) = concatenated_by_concat_grad(&a, &b);
    assert!((value - concatenated_by_concat(&a, &b)).abs() < 1e-15);
    assert_close(&ga, &[2.0 * a[0], 4.0 * a[1]], 1e-14, "a");
    assert_close(&gb, &[0.0, 6.0 * b[1], 8.0 * b[2]], 1e-14, "b");
    assert_close(
        &gb,
        &central_gradient(|q| concatenated_by_concat(&a, q), &b),
        1e-8,
        "b against differences",
    );
    let (da, db) = (vec![0.5, -1.0], vec![0.25, 2.0, 1.0]);
    let (_, jvp) = concatenated_by_concat_jvp(&a, &b, da.clone(), db.clone());
    let (_, pullback) = concatenated_by_concat_vjp(&a, &b);
    let (pa, pb) = pullback(-0.5);
    let both: Vec<f64> = pa.iter().chain(&pb).copied().collect();
    forward_against_reverse("concat", jvp, &[da, db].concat(), -0.5, &both, 1e-12);
}

#[test]
fn points_as_arrays_and_pairs_of_constants() {
    let x = [0.3, -0.7, 1.1, 0.4];
    let (value, g) = points_held_as_arrays_grad(&x);
    let want_value = 2.0 * (x[0] * x[1] + x[2] * x[3]) + (x[0] - x[1]) + (x[2] - x[3]);
    assert!((value - want_value).abs() < 1e-15);
    let want = [2.0 * x[1] + 1.0, 2.0 * x[0] - 1.0, 2.0 * x[3] + 1.0, 2.0 * x[2] - 1.0];
    assert_close(&g, &want, 1e-14, "points against the closed form");
    let v = vec![0.5, 0.25, -1.0, 2.0];
    let (_, jvp) = points_held_as_arrays_jvp(&x, v.clone());
    let (_, pullback) = points_held_as_arrays_vjp(&x);
    forward_against_reverse("points", jvp, &v, 1.2, &pullback(1.2), 1e-12);
    let (value, g) = points_taken_apart_grad(&x);
    assert!((value - (x[0] * x[0] * x[1] + x[2] * x[2] * x[3])).abs() < 1e-15);
    let want = [2.0 * x[0] * x[1], x[0] * x[0], 2.0 * x[2] * x[3], x[2] * x[2]];
    assert_close(&g, &want, 1e-14, "points taken apart against the closed form");
    let (_, jvp) = points_taken_apart_jvp(&x, v.clone());
    let (_, pullback) = points_taken_apart_vjp(&x);
    forward_against_reverse("points taken apart", jvp, &v, -0.4, &pullback(-0.4), 1e-12);
    let (_, _, h) = points_taken_apart_hessian(&x);
    // Per point (a, b): ∂²/∂a² = 2b, ∂²/∂a∂b = 2a.
    let hessian = |i: usize, j: usize| match (i / 2 == j / 2, i % 2, j % 2) {
        (true, 0, 0) => 2.0 * x[i + 1],
        (true, 0, 1) => 2.0 * x[i],
        (true, 1, 0) => 2.0 * x[j],
        _ => 0.0,
    };
    hessian_against("points taken apart", &h, &hessian, &|q| points_taken_apart_grad(q).1, &x, 1e-12);
    let data = [1.0, 2.0, 3.0, 4.0];
    let (value, g) = constant_pairs_grad(&[2.0], &data);
    assert!((value - 28.0).abs() < 1e-15);
    assert_close(&g, &[14.0], 1e-15, "pairs of constants");
    let (_, jvp) = constant_pairs_jvp(&[2.0], &data, vec![0.5]);
    assert!((jvp - 7.0).abs() < 1e-15);
}

#[test]
fn a_push_under_a_branch_changes_the_length() {
    for x in [vec![0.3, -0.7, 1.1], vec![0.9, 0.2]] {
        let (value, g) = pushed_in_a_branch_grad(&x);
        assert!((value - pushed_in_a_branch(&x)).abs() < 1e-15);
        let mut want = vec![0.0; x.len()];
        let n = if x.len() > 2 { 3.0 } else { 2.0 };
        want[0] = (x[0].cos() + 2.0 * (2.0 * x[0]).cos()) / n;
        if x.len() > 2 {
            let c = (x[2] * x[1]).cos() / n;
            want[1] = c * x[2];
            want[2] = c * x[1];
        }
        assert_close(&g, &want, 1e-14, "branch against the closed form");
        assert_close(&g, &central_gradient(pushed_in_a_branch, &x), 1e-8, "branch against differences");
        let v: Vec<f64> = (0..x.len()).map(|i| 0.3 - 0.4 * i as f64).collect();
        let (_, jvp) = pushed_in_a_branch_jvp(&x, v.clone());
        let (_, pullback) = pushed_in_a_branch_vjp(&x);
        forward_against_reverse("branch", jvp, &v, 0.7, &pullback(0.7), 1e-12);
    }
}

#[test]
fn once_and_repeat_are_sources_of_chains() {
    let x = [0.3, -0.7, 1.1];
    let (value, g) = single_and_repeated_grad(&x);
    let s: f64 = x.iter().sum();
    assert!((value - (x[0] * (x[0] + s) + 2.0 * x[1] * x[1])).abs() < 1e-15);
    let want = [2.0 * x[0] + s + x[0], x[0] + 4.0 * x[1], x[0]];
    assert_close(&g, &want, 1e-14, "once and repeat against the closed form");
    assert_close(&g, &central_gradient(single_and_repeated, &x), 1e-8, "against differences");
    let v = vec![0.2, 1.0, -0.5];
    let (_, jvp) = single_and_repeated_jvp(&x, v.clone());
    let (_, pullback) = single_and_repeated_vjp(&x);
    forward_against_reverse("once and repeat", jvp, &v, 1.1, &pullback(1.1), 1e-12);
}
