//! `flat_map` and `flatten` as published code writes them (pair energies over `i < j`, sums over
//! the rows of points), before `sum`, `fold`, `count`, `any` and as a `for` loop's source, and an
//! integer `sum::<usize>()` of a chain: each against its analytic gradient, central differences
//! and JVP against VJP (`common::check`).

// The functions are written as users write them.
#![allow(clippy::needless_range_loop)]

mod common;

use common::{check, close};
use num_traits::Float;
use tapeless::differentiable;

/// `Σ_{i<j} (x_i - x_j)²` over the pairs a `flat_map` makes, typed by the turbofish.
#[differentiable]
fn pair_spread(x: &[f64]) -> f64 {
    let n = x.len();
    (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).map(|(i, j)| (x[i] - x[j]).powi(2)).sum::<f64>()
}

/// `Σ_{i<j} 1 / (|x_i - x_j| + 1)` as a `for` loop over the pairs, generic over `Float`.
#[differentiable]
fn pair_repulsion<T: Float>(x: &[T]) -> T {
    let n = x.len();
    let mut e = T::zero();
    for (i, j) in (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))) {
        e = e + T::one() / ((x[i] - x[j]).abs() + T::one());
    }
    e
}

/// `Σ_{i<j} Σ_{m<2} (m + 1) x_i x_j`: a `for` loop over the pairs whose body holds a loop of its
/// own with a `break` (of that inner loop, which the rewrite keeps where it is).
#[differentiable]
fn pair_weights(x: &[f64]) -> f64 {
    let n = x.len();
    let mut e = 0.0;
    for (i, j) in (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))) {
        for m in 0..5 {
            if m == 2 {
                break;
            }
            e += (m + 1) as f64 * x[i] * x[j];
        }
    }
    e
}

/// `Σ_i Σ_j (i + j + 1) x_i x_j` by a `fold` over all pairs; the closure's `i` must not be taken
/// for the local `i`, which the `map` after it reads (`x_i` there is `x_2`).
#[differentiable]
fn pair_fold(x: &[f64]) -> f64 {
    let n = x.len();
    let i = 2;
    let folded = (0..n)
        .flat_map(|i| (0..n).map(move |j| (i, j)))
        .fold(0.0, |acc, (a, b)| acc + x[a] * x[b] * (a + b + 1) as f64);
    let shadowed: f64 = (0..n).flat_map(|i| 0..i).map(|j| x[j] * x[i]).sum();
    folded + shadowed
}

/// `Σ |p|² + Σ e^{p_k}` over the coordinates of the points, by `flatten` and by `flat_map`; a
/// `filter` after it keeps the odd pairs, and `count`/`any` of pairs scale the result.
#[differentiable]
fn coordinates(ps: &[[f64; 3]]) -> f64 {
    let n = ps.len();
    let squares = ps.iter().flatten().map(|v| v * v).sum::<f64>();
    let exps: f64 = ps.iter().flat_map(|p| p.iter()).map(|v| v.exp()).sum();
    let odd: f64 = (0..n)
        .flat_map(|i| {
            let k = i + 1;
            (k..n).map(move |j| (i, j))
        })
        .filter(|(i, j)| (i + j) % 2 == 1)
        .map(|(i, j)| ps[i][0] * ps[j][1])
        .sum();
    let pairs =
        (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j))).count() + (0..n).map(|i| i * 2).sum::<usize>();
    let any_far = (0..n).flat_map(|i| (0..n).map(move |j| i + j)).any(|s| s > 3);
    let scale = if any_far { 2.0 } else { 1.0 };
    scale * (squares + exps + odd) + pairs as f64 * ps[0][2]
}

/// The points of a flat slice, three coordinates each.
fn points(x: &[f64]) -> Vec<[f64; 3]> {
    x.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
}

#[test]
fn pairs_by_flat_map_before_a_sum_a_loop_and_a_fold() {
    let points_: [&[f64]; 3] = [&[0.3, -0.7, 1.1, 0.4], &[1.0, 2.5, -0.5, 0.2], &[-1.2, 0.1, 0.8, 2.0]];
    let spread = |x: &[f64]| {
        let (v, g) = pair_spread_grad(x);
        let n = x.len() as f64;
        let total: f64 = x.iter().sum();
        for k in 0..x.len() {
            // d/dx_k Σ_{i<j} (x_i - x_j)² = 2 (n x_k - Σ x).
            assert!(close(g[k], 2.0 * (n * x[k] - total), 1e-13), "spread d/dx{k}");
        }
        (v, g)
    };
    check(&slice_fns!(pair_spread, pair_spread_jvp, pair_spread_vjp, spread), &points_, 1e-8);
    let repulsion = |x: &[f64]| {
        let (v, g) = pair_repulsion_grad(x);
        for k in 0..x.len() {
            let mut want = 0.0;
            for m in (0..x.len()).filter(|m| *m != k) {
                let d = x[k] - x[m];
                want -= d.signum() / (d.abs() + 1.0).powi(2);
            }
            assert!(close(g[k], want, 1e-13), "repulsion d/dx{k}: {} vs {want}", g[k]);
        }
        (v, g)
    };
    check(&slice_fns!(pair_repulsion, pair_repulsion_jvp, pair_repulsion_vjp, repulsion), &points_, 1e-8);
    let fold = |x: &[f64]| {
        let (v, g) = pair_fold_grad(x);
        let n = x.len();
        for k in 0..n {
            // Σ_{a,b} (a+b+1) x_a x_b: 2 Σ_b (k+b+1) x_b; the shadowed sum Σ_{i'} Σ_{j<i'} x_j x_2.
            let mut want: f64 = (0..n).map(|b| 2.0 * (k + b + 1) as f64 * x[b]).sum();
            want += (k + 1..n).count() as f64 * x[2];
            if k == 2 {
                want += (0..n).map(|i| (0..i).map(|j| x[j]).sum::<f64>()).sum::<f64>();
            }
            assert!(close(g[k], want, 1e-13), "fold d/dx{k}: {} vs {want}", g[k]);
        }
        (v, g)
    };
    check(&slice_fns!(pair_fold, pair_fold_jvp, pair_fold_vjp, fold), &points_, 1e-8);
    let weights = |x: &[f64]| {
        let (v, g) = pair_weights_grad(x);
        let total: f64 = x.iter().sum();
        for k in 0..x.len() {
            // 3 Σ_{j≠k} x_j.
            assert!(close(g[k], 3.0 * (total - x[k]), 1e-13), "weights d/dx{k}");
        }
        (v, g)
    };
    check(&slice_fns!(pair_weights, pair_weights_jvp, pair_weights_vjp, weights), &points_, 1e-8);
}

#[test]
fn rows_by_flatten_with_a_filter_a_count_and_an_any() {
    let f = |x: &[f64]| coordinates(&points(x));
    let jvp = |x: &[f64], t: Vec<f64>| coordinates_jvp(&points(x), points(&t));
    let grad = |x: &[f64]| {
        let (v, g) = coordinates_grad(&points(x));
        let g = g.concat();
        let ps = points(x);
        let n = ps.len();
        // Two points: one pair (0, 1), odd; the pair sums reach 2, so `any(s > 3)` is false.
        assert_eq!(n, 2);
        let mut want: Vec<f64> = x.iter().map(|v| 2.0 * v + v.exp()).collect();
        want[0] += ps[1][1];
        want[4] += ps[0][0];
        want[2] += (1 + 2) as f64;
        for k in 0..x.len() {
            assert!(close(g[k], want[k], 1e-13), "coordinates d/dx{k}: {} vs {}", g[k], want[k]);
        }
        (v, g)
    };
    let fns = common::Fns {
        name: "coordinates",
        f: &f,
        jvp: &|x, t| jvp(x, t.to_vec()),
        vjp: &|x, u| {
            let ps = points(x);
            let (v, pullback) = coordinates_vjp(&ps);
            (v, pullback(u).concat())
        },
        grad: &grad,
    };
    check(
        &fns,
        &[
            &[0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
            &[1.0, -0.5, 0.2, 0.7, 0.9, -1.1],
            &[-0.3, 0.8, 1.5, 0.0, 0.4, 0.2],
        ],
        1e-8,
    );
}
