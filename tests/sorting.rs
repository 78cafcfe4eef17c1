//! Sorting a differentiable array in place (`v.sort_by(..)`, `sort_unstable_by`, `sort_by_key`,
//! `sort_by_cached_key`): each entry's derivative moves with it (`lower::mutations::sorted`).
//! Until the twenty-fifth session `v.sort_by(..)` of a copy of the input was kept as written,
//! so the adjoint of sorted position `k` went to input `k`: the median's gradient pointed at
//! the wrong entry. Each function is checked against its analytic gradient, central
//! differences and forward mode against reverse mode (`common::check`), at points without ties.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop)]

#[macro_use]
mod common;

use common::{assert_close, check, close};
use nalgebra::DMatrix;
use tapeless::differentiable;

#[differentiable]
fn median(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

/// The mean without the largest and the smallest of `x² + x / 2`, sorted descending.
#[differentiable]
fn trimmed_mean(x: &[f64]) -> f64 {
    let mut r: Vec<f64> = x.iter().map(|v| v * v + 0.5 * v).collect();
    r.sort_by(|a, b| b.partial_cmp(a).unwrap());
    r[1..r.len() - 1].iter().sum::<f64>() / (r.len() - 2) as f64
}

/// A local array sorted by a path comparator.
#[differentiable]
fn sorted_triple(x: &[f64]) -> f64 {
    let mut a = [x[0], x[1].sin(), 2.0 * x[2]];
    a.sort_unstable_by(f64::total_cmp);
    3.0 * a[0] + a[2] * a[1]
}

/// Sorted by distance from a point that depends on the input too: the comparison reads a
/// differentiable local, which changes the order only.
#[differentiable]
fn nearest_first(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let c = 0.1 * x[0];
    v.sort_by(|a, b| (a - c).abs().total_cmp(&(b - c).abs()));
    v[0] * v[1] - v[v.len() - 1].exp()
}

/// Sorted by an integer key, then weighted by rank.
#[differentiable]
fn rank_weighted(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v.sort_by_cached_key(|a| (a * 1000.0) as i64);
    v.iter().enumerate().map(|(i, e)| e * (i as f64 + 1.0)).sum()
}

/// Sorted again in every iteration of a loop that changes the entries.
#[differentiable]
fn resorted(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    let mut s = 0.0;
    for k in 0..3 {
        for e in v.iter_mut() {
            *e = (*e * 1.3 + 0.1 * k as f64).sin();
        }
        v.sort_by(|a, b| a.total_cmp(b));
        s += v[0] * (k as f64 + 1.0) + v[v.len() - 1];
    }
    s
}

/// Generic over `num_traits::Float`.
#[differentiable]
fn generic_median<T: num_traits::Float>(x: &[T]) -> T {
    let mut v = x.to_vec();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2] * v[0]
}

const POINTS: [&[f64]; 3] = [
    &[0.3, 0.7, -0.4, 0.9, 0.2, -0.6, 1.4],
    &[-1.1, 0.25, 0.6, -0.3, 2.0, 0.05, -0.7],
    &[0.9, -0.2, 0.45, 1.3, -0.85, 0.15, 0.55],
];

/// The index of the entry that sorting (ascending by `key`) puts at `rank`.
fn at_rank(x: &[f64], key: impl Fn(f64) -> f64, rank: usize) -> usize {
    let mut order: Vec<usize> = (0..x.len()).collect();
    order.sort_by(|&i, &j| key(x[i]).total_cmp(&key(x[j])));
    order[rank]
}

#[test]
fn the_median_s_derivative_is_its_entry_s() {
    check(&slice_fns!(median, median_jvp, median_vjp, median_grad), &POINTS, 1e-7);
    for x in POINTS {
        let (value, g) = median_grad(x);
        let k = at_rank(x, |v| v, x.len() / 2);
        assert_eq!(value, x[k]);
        let mut want = vec![0.0; x.len()];
        want[k] = 1.0;
        assert_eq!(g, want, "median at {x:?}");
    }
}

#[test]
fn a_trimmed_mean_sorted_descending() {
    check(&slice_fns!(trimmed_mean, trimmed_mean_jvp, trimmed_mean_vjp, trimmed_mean_grad), &POINTS, 1e-7);
    for x in POINTS {
        let r = |v: f64| v * v + 0.5 * v;
        let n = x.len();
        let (lowest, highest) = (at_rank(x, r, 0), at_rank(x, r, n - 1));
        let want: Vec<f64> = (0..n)
            .map(|i| if i == lowest || i == highest { 0.0 } else { (2.0 * x[i] + 0.5) / (n - 2) as f64 })
            .collect();
        assert_close(&trimmed_mean_grad(x).1, &want, 1e-14, "trimmed mean");
    }
}

#[test]
fn a_local_array_sorted_by_a_path() {
    check(
        &slice_fns!(sorted_triple, sorted_triple_jvp, sorted_triple_vjp, sorted_triple_grad),
        &POINTS,
        1e-7,
    );
    // At the first point the entries are 0.3, sin 0.7 = 0.644, -0.8: sorted -0.8, 0.3, 0.644, so
    // f = 3 (2 x2) + sin(x1) x0.
    let x = POINTS[0];
    let (value, g) = sorted_triple_grad(x);
    assert!(close(value, 6.0 * x[2] + x[1].sin() * x[0], 1e-15));
    assert_close(&g, &[x[1].sin(), x[0] * x[1].cos(), 6.0, 0.0, 0.0, 0.0, 0.0], 1e-15, "sorted triple");
}

#[test]
fn comparisons_that_read_other_values_and_keys() {
    check(
        &slice_fns!(nearest_first, nearest_first_jvp, nearest_first_vjp, nearest_first_grad),
        &POINTS,
        1e-7,
    );
    check(
        &slice_fns!(rank_weighted, rank_weighted_jvp, rank_weighted_vjp, rank_weighted_grad),
        &POINTS,
        1e-7,
    );
    // The rank weights: d/dx_i = 1 + the rank of x_i.
    for x in POINTS {
        let g = rank_weighted_grad(x).1;
        for rank in 0..x.len() {
            assert_eq!(g[at_rank(x, |v| v, rank)], rank as f64 + 1.0);
        }
    }
}

#[test]
fn sorted_in_a_loop() {
    check(&slice_fns!(resorted, resorted_jvp, resorted_vjp, resorted_grad), &POINTS, 1e-7);
}

#[test]
fn generic_over_float() {
    let fns = common::Fns {
        name: "generic_median",
        f: &|x| generic_median(x),
        jvp: &|x, v| generic_median_jvp(x, v.to_vec()),
        vjp: &|x, u| {
            let (value, pullback) = generic_median_vjp(x);
            (value, pullback(u))
        },
        grad: &|x| generic_median_grad(x),
    };
    check(&fns, &POINTS, 1e-7);
    for x in POINTS {
        let (value, g) = generic_median_grad(x);
        let (k, lowest) = (at_rank(x, |v| v, x.len() / 2), at_rank(x, |v| v, 0));
        assert_eq!(value, x[k] * x[lowest]);
        let mut want = vec![0.0; x.len()];
        want[k] = x[lowest];
        want[lowest] = x[k];
        assert_eq!(g, want);
        let single: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let (value32, g32) = generic_median_grad(&single);
        assert!((value32 as f64 - value).abs() < 1e-6);
        assert_eq!(g32.iter().position(|&d| d != 0.0), want.iter().position(|&d| d != 0.0));
    }
}

/// Second order: the sort's order is a constant of the dual copy too.
#[differentiable(hessian)]
fn sorted_cubes(x: &[f64]) -> f64 {
    let mut v: Vec<f64> = x.iter().map(|e| e * e * e).collect();
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[0] * v[2] + v[1].sin()
}

#[test]
fn hessian_of_sorted_cubes() {
    // Three distinct cubes: with (l, m, h) the indices of the lowest, middle and highest,
    // f = x_l³ x_h³ + sin(x_m³).
    for x in [[0.3, 0.7, -0.4], [1.1, -0.5, 0.2], [-0.9, 0.35, 0.8]] {
        let (l, m, h) = (at_rank(&x, |v| v, 0), at_rank(&x, |v| v, 1), at_rank(&x, |v| v, 2));
        let mut exact = DMatrix::zeros(3, 3);
        let c = x[m].powi(3);
        exact[(m, m)] = 6.0 * x[m] * c.cos() - 9.0 * x[m].powi(4) * c.sin();
        exact[(l, l)] = 6.0 * x[l] * x[h].powi(3);
        exact[(h, h)] = 6.0 * x[h] * x[l].powi(3);
        exact[(l, h)] = 9.0 * x[l].powi(2) * x[h].powi(2);
        exact[(h, l)] = exact[(l, h)];
        let (value, gradient, hessian) = sorted_cubes_hessian(&x);
        assert_eq!((value, &gradient), (sorted_cubes(&x), &sorted_cubes_grad(&x).1));
        for i in 0..3 {
            // Column i against the analytic Hessian and central differences of `_grad`.
            let step = 1e-5;
            let at = |d: f64| {
                let mut p = x;
                p[i] += d;
                sorted_cubes_grad(&p).1
            };
            let (up, down) = (at(step), at(-step));
            for j in 0..3 {
                assert!(close(hessian[(j, i)], exact[(j, i)], 1e-12), "H[{j},{i}] at {x:?}");
                assert!(
                    close(hessian[(j, i)], (up[j] - down[j]) / (2.0 * step), 1e-7),
                    "H[{j},{i}] by differences"
                );
            }
        }
        let v = [0.4, -1.0, 0.25];
        let (_, _, hv) = sorted_cubes_hvp(&x, v.to_vec());
        let want = &exact * nalgebra::DVector::from_column_slice(&v);
        assert_close(&hv, want.as_slice(), 1e-12, "H v");
    }
}
