//! Integer data as parameters (`idx: &[usize]`, `edges: &[(usize, usize)]`, `faces:
//! &Vec<[usize; 3]>`): constants without `wrt(..)`, destructured in `for` loops and closures as
//! Rust does (`for &(i, j) in edges`, `for [i, j] in edges` with `i: &usize`), to first and
//! second order.

#![allow(clippy::needless_range_loop)]

mod common;

use tapeless::differentiable;

/// A spring network's energy, the edges written four ways.
#[differentiable(hessian)]
fn springs(x: &[f64], idx: &[usize], pairs: &[(usize, usize)], edges: &[[usize; 2]]) -> f64 {
    let mut e = 0.0;
    for &(i, j) in pairs {
        e += (x[i] - x[j]).powi(2);
    }
    for (i, j) in pairs {
        e += 0.5 * x[*i] * x[*j] * (*i as f64 + 1.0);
    }
    for &[i, j] in edges {
        e += (x[i] - x[j]).powi(2) * x[i];
    }
    for [i, j] in edges {
        e += (x[*i] * x[*j]).sin();
    }
    for k in 0..idx.len() {
        e += x[idx[k]] * x[idx[k]];
    }
    e
}

#[differentiable]
#[allow(clippy::ptr_arg)] // `&Vec<[usize; 2]>` on purpose: the form published code uses.
fn springs_chained(x: &[f64], pairs: &[(usize, usize)], edges: &Vec<[usize; 2]>) -> f64 {
    let a: f64 = pairs.iter().map(|&(i, j)| x[i] * x[j]).sum();
    let b: f64 = pairs.iter().map(|(i, j)| x[*i] - x[*j]).map(|d| d * d).sum();
    let c: f64 = edges.iter().map(|&[i, j]| x[i] * x[j].cos()).sum();
    let d: f64 = edges.iter().map(|[i, j]| (x[*i] + x[*j]).exp()).sum();
    a + b + c + d
}

const X: [f64; 4] = [0.3, -0.7, 1.1, 0.4];
const IDX: [usize; 2] = [0, 3];
const PAIRS: [(usize, usize); 3] = [(0, 1), (1, 2), (3, 0)];
const EDGES: [[usize; 2]; 2] = [[0, 2], [3, 1]];

/// The analytic gradient of `springs` at `x`.
fn springs_gradient(x: &[f64]) -> Vec<f64> {
    let mut g = vec![0.0; x.len()];
    for &(i, j) in &PAIRS {
        let d = x[i] - x[j];
        g[i] += 2.0 * d;
        g[j] -= 2.0 * d;
        let w = 0.5 * (i as f64 + 1.0);
        g[i] += w * x[j];
        g[j] += w * x[i];
    }
    for &[i, j] in &EDGES {
        let d = x[i] - x[j];
        g[i] += 2.0 * d * x[i] + d * d;
        g[j] -= 2.0 * d * x[i];
        let c = (x[i] * x[j]).cos();
        g[i] += c * x[j];
        g[j] += c * x[i];
    }
    for &k in &IDX {
        g[k] += 2.0 * x[k];
    }
    g
}

#[test]
fn integer_data_parameters_are_constants_destructured_as_rust_does() {
    let f = |x: &[f64]| springs(x, &IDX, &PAIRS, &EDGES);
    let (value, g) = springs_grad(&X, &IDX, &PAIRS, &EDGES);
    assert!(common::close(value, f(&X), 1e-15));
    let want = springs_gradient(&X);
    for i in 0..X.len() {
        assert!(common::close(g[i], want[i], 1e-13), "{i}: {} vs {}", g[i], want[i]);
        assert!(common::close(g[i], common::central(&f, &X, i), 1e-8));
    }
    // Forward against reverse: <u, J v> = <Jᵀ u, v>.
    let v = common::direction(X.len(), 3);
    let (_, jv) = springs_jvp(&X, &IDX, &PAIRS, &EDGES, v.clone());
    let (_, pullback) = springs_vjp(&X, &IDX, &PAIRS, &EDGES);
    let jtu = pullback(0.7);
    let dot: f64 = jtu.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(0.7 * jv, dot, 1e-13));
    // The Hessian against central differences of `_grad`, and symmetric.
    let (_, _, h) = springs_hessian(&X, &IDX, &PAIRS, &EDGES);
    for a in 0..X.len() {
        for b in 0..X.len() {
            assert!(common::close(h[(a, b)], h[(b, a)], 1e-12));
            let gb = |x: &[f64]| springs_grad(x, &IDX, &PAIRS, &EDGES).1[b];
            assert!(common::close(h[(a, b)], common::central(&gb, &X, a), 1e-7), "H[{a},{b}]");
        }
    }
    // The quadratic part's Hessian is known exactly: along an `idx` entry, 2 on the diagonal.
    let (_, _, h_only_idx) = springs_hessian(&X, &IDX, &[], &[]);
    for a in 0..X.len() {
        for b in 0..X.len() {
            let want = if a == b && IDX.contains(&a) { 2.0 } else { 0.0 };
            assert_eq!(h_only_idx[(a, b)], want);
        }
    }
}

#[test]
fn integer_data_in_iterator_chains() {
    let edges = EDGES.to_vec();
    let f = |x: &[f64]| springs_chained(x, &PAIRS, &edges);
    let (value, g) = springs_chained_grad(&X, &PAIRS, &edges);
    assert!(common::close(value, f(&X), 1e-15));
    let mut want = vec![0.0; X.len()];
    for &(i, j) in &PAIRS {
        let d = X[i] - X[j];
        want[i] += X[j] + 2.0 * d;
        want[j] += X[i] - 2.0 * d;
    }
    for &[i, j] in &EDGES {
        let e = (X[i] + X[j]).exp();
        want[i] += X[j].cos() + e;
        want[j] += -X[i] * X[j].sin() + e;
    }
    for i in 0..X.len() {
        assert!(common::close(g[i], want[i], 1e-13), "{i}: {} vs {}", g[i], want[i]);
        assert!(common::close(g[i], common::central(&f, &X, i), 1e-8));
    }
    let v = common::direction(X.len(), 5);
    let (_, jv) = springs_chained_jvp(&X, &PAIRS, &edges, v.clone());
    let dot: f64 = g.iter().zip(&v).map(|(a, b)| a * b).sum();
    assert!(common::close(jv, dot, 1e-13));
}

/// Piecewise-linear interpolation, the interval found by `position` on constants (the knot
/// `x` is compared through `no_grad`; the closure's `x` shadows the parameter): the derivative
/// of the piece that runs.
#[differentiable(wrt(ys, x))]
fn interpolate(xs: &[f64], ys: &[f64], x: f64) -> f64 {
    let at = tapeless::no_grad(x);
    let i = xs.iter().position(|&x| x > at).unwrap_or(xs.len() - 1).max(1);
    let t = (x - xs[i - 1]) / (xs[i] - xs[i - 1]);
    ys[i - 1] * (1.0 - t) + ys[i] * t
}

/// Consumers of iterators over integer data: `position`, `any`, `count`, `max_by_key`.
#[differentiable(wrt(x))]
fn keyed(x: f64, keys: &[usize], table: &[f64]) -> f64 {
    let k = keys.iter().position(|&k| k == 3).unwrap_or(0);
    let found = keys.iter().any(|&k| k > 10);
    let even = keys.iter().filter(|&&k| k % 2 == 0).count();
    // The closure's `k` shadows the local `k`, as Rust allows.
    let m = keys.iter().copied().max_by_key(|&k| k % 7).unwrap_or(0);
    x * table[k] * (even as f64) + if found { 1.0 } else { 0.0 } + (m as f64) * x.sin()
}

#[test]
fn iterator_consumers_on_constants() {
    let (xs, ys) = ([0.0, 1.0, 2.0, 3.0], [0.0, 2.0, 3.0, 5.0]);
    for x in [0.5, 1.5, 2.25] {
        let (value, (gy, gx)) = interpolate_grad(&xs, &ys, x);
        let i = x.floor() as usize + 1;
        let t = x - xs[i - 1];
        assert!(common::close(value, ys[i - 1] * (1.0 - t) + ys[i] * t, 1e-15));
        let mut want = [0.0; 4];
        want[i - 1] = 1.0 - t;
        want[i] = t;
        assert_eq!(gy, want.to_vec());
        assert!(common::close(gx, ys[i] - ys[i - 1], 1e-15));
        let f = |p: &[f64]| interpolate(&xs, &ys, p[0]);
        assert!(common::close(gx, common::central(&f, &[x], 0), 1e-8));
        let dy = common::direction(4, 19);
        let (_, jv) = interpolate_jvp(&xs, &ys, x, dy.clone(), 0.3);
        let back: f64 = gy.iter().zip(&dy).map(|(a, b)| a * b).sum::<f64>() + gx * 0.3;
        assert!(common::close(jv, back, 1e-14));
    }
    let (keys, table) = ([1usize, 3, 12, 4], [1.0, 2.0, 3.0, 4.0]);
    let x = 0.7;
    let (value, g) = keyed_grad(x, &keys, &table);
    assert!(common::close(value, keyed(x, &keys, &table), 1e-15));
    // k = 1 (table 2), two even keys, a key above 10, max_by_key picks 12.
    assert!(common::close(g, 2.0 * 2.0 + 12.0 * x.cos(), 1e-14));
    assert!(common::close(g, common::central(&|p: &[f64]| keyed(p[0], &keys, &table), &[x], 0), 1e-8));
    let (_, jv) = keyed_jvp(x, &keys, &table, 1.0);
    let (_, pullback) = keyed_vjp(x, &keys, &table);
    assert!(common::close(jv, pullback(1.0), 1e-15));
}

/// Integer data rearranged in place by `&mut self` methods (`sort`, `dedup`, `retain`,
/// `reverse`): each gives the local the changed copy, read afterwards as indices.
#[differentiable]
fn reordered(x: &[f64], order: &[usize]) -> f64 {
    let mut idx = order.to_vec();
    let first = x[idx[0]];
    idx.sort();
    idx.dedup();
    let n = x.len();
    idx.retain(|&i| i < n);
    let mut extra = idx.clone();
    extra.reverse();
    extra.truncate(2);
    let weighted: f64 = idx.iter().enumerate().map(|(k, &i)| x[i] * k as f64).sum();
    first * first + weighted + extra.iter().map(|&i| x[i].sin()).sum::<f64>()
}

#[test]
fn constant_locals_changed_in_place() {
    let (x, order) = ([1.0, 2.0, 3.0], [2usize, 0, 2, 1, 7]);
    let (value, g) = reordered_grad(&x, &order);
    assert!(common::close(value, reordered(&x, &order), 1e-15));
    // first = x₂; idx = [0, 1, 2] (7 dropped); extra = [2, 1].
    let want = [0.0, 1.0 + x[1].cos(), 2.0 * x[2] + 2.0 + x[2].cos()];
    for i in 0..3 {
        assert!(common::close(g[i], want[i], 1e-14), "{i}: {} vs {}", g[i], want[i]);
        assert!(common::close(g[i], common::central(&|p: &[f64]| reordered(p, &order), &x, i), 1e-8));
    }
    let t = common::direction(3, 23);
    let (_, jv) = reordered_jvp(&x, &order, t.clone());
    assert!(common::close(jv, g.iter().zip(&t).map(|(a, b)| a * b).sum::<f64>(), 1e-14));
}
