//! `for` loops over a `filter` (also with `map`s after it): the body runs on the elements kept,
//! as a loop over the source with the predicate's test around the body
//! (`Lowerer::for_over_filter`). Predicates on constants (indices, a mask, weights) need nothing;
//! one on a differentiated value needs `tapeless::piecewise` (ui
//! `branch/filter_loop_on_a_differentiable_value`). A `Vec` pushed in such a loop is sized for
//! every element of the source and cut to what was pushed. A search whose predicate reads the
//! elements only through `tapeless::no_grad(..)` finds an index on constants by the user's
//! choice, and the elements read there keep their derivative.
//! Each function is checked against its analytic gradient, central differences, and forward
//! against reverse mode (`common::check`); two also against their analytic Hessians.

mod common;

use common::check;
use num_traits::Float;
use tapeless::differentiable;

const W: [f64; 5] = [0.1, 0.9, 0.6, 0.8, 0.2];

/// `Σ_{x_i > 0} x_i²`.
#[differentiable(hessian)]
fn positive_squares(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for &v in x.iter().filter(|v| tapeless::piecewise(**v > 0.0)) {
        s += v * v;
    }
    s
}

/// `Σ_{i odd} w_i sin x_i + Σ_{w_i > 0.5, 2 x_i ≤ 1} 2 x_i w_i`: a filter on the index of an
/// `enumerate`, then one on a zip's constant side with a `map` after it and a `continue`.
#[differentiable(hessian, wrt(x))]
fn weighted(x: &[f64], w: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, wi) in w.iter().enumerate().filter(|(i, _)| i % 2 == 1) {
        s += wi * x[i].sin();
    }
    for (a, b) in x.iter().zip(w).filter(|(_, b)| **b > 0.5).map(|(a, b)| (a * 2.0, b)) {
        if tapeless::piecewise(a > 1.0) {
            continue;
        }
        s += a * b;
    }
    s
}

/// `L Σ ln x_i` over the positive elements, `L` their number: each pushed onto a `Vec`.
#[differentiable]
fn logs_of_the_positive<T: Float>(x: &[T]) -> T {
    let mut kept = Vec::new();
    for &v in x.iter().filter(|v| tapeless::piecewise(**v > T::zero())) {
        kept.push(v.ln());
    }
    kept.iter().fold(T::zero(), |a, &b| a + b) * T::from(kept.len()).unwrap()
}

/// `x_j x_0`, `j` the first index whose element is negative (0 if none), found on the values cut
/// by `no_grad`.
#[differentiable]
fn first_negative_times_first(x: &[f64]) -> f64 {
    let j = x.iter().position(|&v| tapeless::no_grad(v) < 0.0).unwrap_or(0);
    x[j] * x[0]
}

#[test]
fn a_search_on_values_cut_by_no_grad() {
    let points: [&[f64]; 3] = [&[0.3, -1.2, 2.0, -0.7], &[0.5, 1.5], &[-1.0, 0.4]];
    check(
        &slice_fns!(
            first_negative_times_first,
            first_negative_times_first_jvp,
            first_negative_times_first_vjp,
            first_negative_times_first_grad
        ),
        &points,
        1e-7,
    );
    for x in points {
        let j = x.iter().position(|&v| v < 0.0).unwrap_or(0);
        let mut want = vec![0.0; x.len()];
        want[j] += x[0];
        want[0] += x[j];
        common::assert_close(
            &first_negative_times_first_grad(x).1,
            &want,
            1e-15,
            "first_negative_times_first",
        );
    }
}

#[test]
fn a_filter_on_the_differentiated_values() {
    let points: [&[f64]; 3] = [&[0.3, -1.2, 2.0, 0.7, -0.1], &[-0.5], &[1.5, 0.25]];
    check(
        &slice_fns!(positive_squares, positive_squares_jvp, positive_squares_vjp, positive_squares_grad),
        &points,
        1e-7,
    );
    for x in points {
        let want: Vec<f64> = x.iter().map(|&v| if v > 0.0 { 2.0 * v } else { 0.0 }).collect();
        common::assert_close(&positive_squares_grad(x).1, &want, 1e-14, "positive_squares");
        let (_, _, h) = positive_squares_hessian(x);
        let curvature = |i: usize, j: usize| if i == j && x[i] > 0.0 { 2.0 } else { 0.0 };
        common::hessian_against(
            "positive_squares",
            &h,
            &curvature,
            &|q| positive_squares_grad(q).1,
            x,
            1e-14,
        );
    }
}

#[test]
fn filters_on_constants_with_a_map_and_a_continue() {
    let points: [&[f64]; 3] =
        [&[0.3, -1.2, 2.0, 0.7, -0.1], &[0.1, 0.2, 0.45, 0.3, 0.6], &[-1.0, 0.4, 0.2, 0.05, 1.0]];
    check(&slice_fns_with!(weighted, weighted_jvp, weighted_vjp, weighted_grad; &W), &points, 1e-7);
    for x in points {
        let slope = |i: usize| {
            let odd = if i % 2 == 1 { W[i] * x[i].cos() } else { 0.0 };
            let kept = if W[i] > 0.5 && 2.0 * x[i] <= 1.0 { 2.0 * W[i] } else { 0.0 };
            odd + kept
        };
        let want: Vec<f64> = (0..5).map(slope).collect();
        common::assert_close(&weighted_grad(x, &W).1, &want, 1e-14, "weighted");
        let (_, _, h) = weighted_hessian(x, &W);
        let curvature = |i: usize, j: usize| if i == j && i % 2 == 1 { -W[i] * x[i].sin() } else { 0.0 };
        common::hessian_against("weighted", &h, &curvature, &|q| weighted_grad(q, &W).1, x, 1e-13);
    }
}

#[test]
fn pushes_in_a_loop_over_a_filter() {
    let points: [&[f64]; 3] = [&[0.3, -1.2, 2.0, 0.7, -0.1], &[1.5], &[-1.0, 0.4, 2.5]];
    check(
        &slice_fns!(
            logs_of_the_positive,
            logs_of_the_positive_jvp,
            logs_of_the_positive_vjp,
            logs_of_the_positive_grad
        ),
        &points,
        1e-7,
    );
    for x in points {
        let l = x.iter().filter(|v| **v > 0.0).count() as f64;
        let want: Vec<f64> = x.iter().map(|&v| if v > 0.0 { l / v } else { 0.0 }).collect();
        common::assert_close(&logs_of_the_positive_grad(x).1, &want, 1e-14, "logs_of_the_positive");
    }
}
