//! Vectors made in each iteration of a loop (`collect()`, `vec![c; n]`), as code written per
//! sample does: a two-layer network's hidden and output vectors per example. The array lives
//! at the top level and is made anew in place each iteration (`Op::Refill`); its adjoint is
//! zeroed where it was made, so no earlier iteration takes a later one's. A length that changes
//! between iterations is tests/resized_vecs.rs's. Checked
//! against hand-written gradients, central differences, forward against reverse, and the
//! Hessian against central differences of `_grad`.

mod common;

use common::{central, check, close};
use tapeless::differentiable;

/// Mean softmax cross-entropy of a ReLU network over examples, the layers written per example
/// with iterator chains.
#[differentiable(wrt(w1, b1, w2, b2))]
fn network_loss(
    w1: &[Vec<f64>],
    b1: &[f64],
    w2: &[Vec<f64>],
    b2: &[f64],
    xs: &[Vec<f64>],
    labels: &[usize],
) -> f64 {
    let mut total = 0.0;
    for (x, &label) in xs.iter().zip(labels) {
        let hidden: Vec<f64> = w1
            .iter()
            .zip(b1)
            .map(|(row, b)| (row.iter().zip(x).map(|(w, xi)| w * xi).sum::<f64>() + b).max(0.0))
            .collect();
        let logits: Vec<f64> = w2
            .iter()
            .zip(b2)
            .map(|(row, b)| row.iter().zip(&hidden).map(|(w, h)| w * h).sum::<f64>() + b)
            .collect();
        let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let lse = m + logits.iter().map(|z| (z - m).exp()).sum::<f64>().ln();
        total += lse - logits[label];
    }
    total / xs.len() as f64
}

/// The same gradient by hand: softmax minus one-hot, back through both layers.
#[allow(clippy::type_complexity)]
fn network_hand(
    w1: &[Vec<f64>],
    b1: &[f64],
    w2: &[Vec<f64>],
    b2: &[f64],
    xs: &[Vec<f64>],
    labels: &[usize],
) -> (Vec<Vec<f64>>, Vec<f64>, Vec<Vec<f64>>, Vec<f64>) {
    let n = xs.len() as f64;
    let (mut g1, mut gb1) = (vec![vec![0.0; w1[0].len()]; w1.len()], vec![0.0; b1.len()]);
    let (mut g2, mut gb2) = (vec![vec![0.0; w2[0].len()]; w2.len()], vec![0.0; b2.len()]);
    for (x, &label) in xs.iter().zip(labels) {
        let pre: Vec<f64> =
            w1.iter().zip(b1).map(|(r, b)| r.iter().zip(x).map(|(w, v)| w * v).sum::<f64>() + b).collect();
        let hidden: Vec<f64> = pre.iter().map(|a| a.max(0.0)).collect();
        let logits: Vec<f64> = w2
            .iter()
            .zip(b2)
            .map(|(r, b)| r.iter().zip(&hidden).map(|(w, h)| w * h).sum::<f64>() + b)
            .collect();
        let m = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        let s: f64 = logits.iter().map(|z| (z - m).exp()).sum();
        let dz: Vec<f64> = logits
            .iter()
            .enumerate()
            .map(|(c, z)| ((z - m).exp() / s - if c == label { 1.0 } else { 0.0 }) / n)
            .collect();
        let mut dh = vec![0.0; hidden.len()];
        for (c, d) in dz.iter().enumerate() {
            gb2[c] += d;
            for j in 0..hidden.len() {
                g2[c][j] += d * hidden[j];
                dh[j] += d * w2[c][j];
            }
        }
        for j in 0..hidden.len() {
            // ReLU's derivative at a positive pre-activation (the points avoid zero).
            let da = if pre[j] > 0.0 { dh[j] } else { 0.0 };
            gb1[j] += da;
            for (k, xk) in x.iter().enumerate() {
                g1[j][k] += da * xk;
            }
        }
    }
    (g1, gb1, g2, gb2)
}

#[test]
fn a_network_written_per_example() {
    let w1 = vec![vec![0.1, -0.2], vec![0.3, 0.4], vec![-0.5, 0.2]];
    let b1 = vec![0.01, -0.02, 0.03];
    let w2 = vec![vec![0.2, -0.1, 0.3], vec![-0.3, 0.2, 0.1]];
    let b2 = vec![0.0, 0.1];
    let xs = vec![vec![1.0, 2.0], vec![-1.0, 0.5], vec![0.3, -0.7]];
    let labels = [0, 1, 1];
    let (value, (g1, gb1, g2, gb2)) = network_loss_grad(&w1, &b1, &w2, &b2, &xs, &labels);
    assert_eq!(value, network_loss(&w1, &b1, &w2, &b2, &xs, &labels));
    let (h1, hb1, h2, hb2) = network_hand(&w1, &b1, &w2, &b2, &xs, &labels);
    let flat = |m: &[Vec<f64>]| m.iter().flatten().copied().collect::<Vec<f64>>();
    for (ours, hand) in
        [(flat(&g1), flat(&h1)), (gb1.clone(), hb1), (flat(&g2), flat(&h2)), (gb2.clone(), hb2)]
    {
        for (a, b) in ours.iter().zip(&hand) {
            assert!(close(*a, *b, 1e-13), "{a} vs {b}");
        }
    }
    // Central differences on the first layer's weights.
    let p = flat(&w1);
    let f = |q: &[f64]| {
        let w: Vec<Vec<f64>> = q.chunks(2).map(|r| r.to_vec()).collect();
        network_loss(&w, &b1, &w2, &b2, &xs, &labels)
    };
    for (k, g) in flat(&g1).into_iter().enumerate() {
        assert!(close(g, central(&f, &p, k), 1e-8));
    }
    // Forward against reverse along every parameter at once.
    let d1: Vec<Vec<f64>> = w1.iter().map(|r| r.iter().map(|v| 0.5 - v).collect()).collect();
    let (db1, d2, db2) = (vec![0.1, -0.2, 0.3], w2.clone(), vec![0.4, -0.1]);
    let (_, t) =
        network_loss_jvp(&w1, &b1, &w2, &b2, &xs, &labels, d1.clone(), db1.clone(), d2.clone(), db2.clone());
    let dot = |a: &[f64], b: &[f64]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f64>();
    let want = dot(&flat(&g1), &flat(&d1)) + dot(&gb1, &db1) + dot(&flat(&g2), &flat(&d2)) + dot(&gb2, &db2);
    assert!(close(t, want, 1e-13), "{t} vs {want}");
}

/// A vector collected and one filled with a constant in each of `n` iterations:
/// `Σ_k Σ_i 0.5 sin((k + 1) x_i)`.
#[differentiable(hessian)]
fn per_iteration(x: &[f64], n: usize) -> f64 {
    let mut s = 0.0;
    for k in 0..n {
        let v: Vec<f64> = x.iter().map(|a| (a * (k as f64 + 1.0)).sin()).collect();
        let w = vec![0.5; x.len()];
        s += v.iter().zip(&w).map(|(a, b)| a * b).sum::<f64>();
    }
    s
}

#[test]
fn vectors_made_in_every_iteration_first_and_second_order() {
    let points: [&[f64]; 3] = [&[0.3, -0.4, 0.7], &[1.1, 0.2], &[-0.6, 0.9, 0.1, 0.5]];
    let n = 4;
    for x in points {
        let (y, g) = per_iteration_grad(x, n);
        let want: f64 = (1..=n).map(|k| x.iter().map(|a| 0.5 * (a * k as f64).sin()).sum::<f64>()).sum();
        assert!(close(y, want, 1e-14));
        for (i, xi) in x.iter().enumerate() {
            let d: f64 = (1..=n).map(|k| 0.5 * k as f64 * (xi * k as f64).cos()).sum();
            assert!(close(g[i], d, 1e-14));
        }
        // Diagonal Hessian: -Σ 0.5 k² sin(k x_i).
        let (_, _, h) = per_iteration_hessian(x, n);
        for r in 0..x.len() {
            for c in 0..x.len() {
                let want = if r == c {
                    (1..=n).map(|k| -0.5 * (k * k) as f64 * (x[r] * k as f64).sin()).sum()
                } else {
                    0.0
                };
                assert!(close(h[(r, c)], want, 1e-13), "H[{r},{c}] = {} vs {want}", h[(r, c)]);
            }
            let fd = central(&|q: &[f64]| per_iteration_grad(q, n).1[r], x, r);
            assert!(close(h[(r, r)], fd, 1e-7));
        }
    }
    check(
        &slice_fns_with!(per_iteration, per_iteration_jvp, per_iteration_vjp, per_iteration_grad; 4),
        &points,
        1e-8,
    );
}

/// A vector collected in an inner loop, one inside a branch of a loop, and one written by index
/// each iteration whose last value is read after the loop.
#[differentiable]
fn nested_and_branched(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut last = vec![0.0; n];
    for a in 0..m {
        for b in 0..2 {
            let v: Vec<f64> = x.iter().map(|t| t * (a + b) as f64 + t.sin()).collect();
            s += 0.1 * v.iter().map(|q| q * q).sum::<f64>();
        }
        if a % 2 == 0 {
            let e: Vec<f64> = x.iter().map(|t| t.exp()).collect();
            s += e[0] * e[n - 1];
        }
        let mut w = vec![0.0; n];
        for i in 0..n {
            w[i] = x[i] * (a as f64 + 1.0) + s;
        }
        last[0] = w[n - 1];
    }
    s + last[0]
}

#[test]
fn vectors_made_in_nested_loops_and_branches() {
    let points: [&[f64]; 3] = [&[0.3, -0.4, 0.7], &[1.1, 0.2], &[-0.6, 0.9, 0.1, 0.5]];
    let fns = slice_fns_with!(
        nested_and_branched,
        nested_and_branched_jvp,
        nested_and_branched_vjp,
        nested_and_branched_grad;
        3
    );
    check(&fns, &points, 1e-8);
}

/// `Σ_k |(k + 1) x|` with the vector filled by index in each iteration and read whole by
/// `norm()`: made before the loop (as users hoist it) and made in the loop. Before, the norm's
/// adjoint read the vector as the last iteration left it, in every backward iteration: a wrong
/// gradient (1.5 times the true one for three iterations), now each iteration's copy.
#[differentiable]
fn norms_hoisted(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut r = nalgebra::DVector::zeros(n);
    for k in 0..m {
        for i in 0..n {
            r[i] = x[i] * (k as f64 + 1.0);
        }
        s += r.norm();
    }
    s
}

#[differentiable]
fn norms_in_loop(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for k in 0..m {
        let mut r = nalgebra::DVector::zeros(n);
        for i in 0..n {
            r[i] = x[i] * (k as f64 + 1.0);
        }
        s += r.norm();
    }
    s
}

/// Read whole before the loop writes it again, through a copy: `Σ_k |r_k|` with `r_0 = 𝟙` and
/// `r_k = k x` afterwards.
#[differentiable]
fn norms_of_copies(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    let mut r = nalgebra::DVector::from_element(n, 1.0);
    for k in 0..m {
        let before = r.clone();
        s += before.norm();
        for i in 0..n {
            r[i] = x[i] * (k as f64 + 1.0);
        }
    }
    s
}

#[test]
fn vectors_read_whole_in_each_iteration() {
    let points: [&[f64]; 3] = [&[0.3, -0.4, 0.7], &[1.1, 0.2], &[-0.6, 0.9, 0.1, 0.5]];
    let m = 3;
    for x in points {
        let norm = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        // d/dx Σ_k (k + 1)|x| = (Σ_k (k + 1)) x / |x| = 6 x / |x| for three iterations.
        let want: Vec<f64> = x.iter().map(|v| 6.0 * v / norm).collect();
        for g in [norms_hoisted_grad(x, m).1, norms_in_loop_grad(x, m).1] {
            for (a, b) in g.iter().zip(&want) {
                assert!(close(*a, *b, 1e-13), "{a} vs {b}");
            }
        }
        // Copies: |𝟙| + (1 + 2)|x| (the last iteration's write is never read).
        let (y, g) = norms_of_copies_grad(x, m);
        assert!(close(y, (x.len() as f64).sqrt() + 3.0 * norm, 1e-13));
        for (a, v) in g.iter().zip(x) {
            assert!(close(*a, 3.0 * v / norm, 1e-13));
        }
    }
    check(
        &slice_fns_with!(norms_hoisted, norms_hoisted_jvp, norms_hoisted_vjp, norms_hoisted_grad; m),
        &points,
        1e-8,
    );
    check(
        &slice_fns_with!(norms_in_loop, norms_in_loop_jvp, norms_in_loop_vjp, norms_in_loop_grad; m),
        &points,
        1e-8,
    );
    let fns =
        slice_fns_with!(norms_of_copies, norms_of_copies_jvp, norms_of_copies_vjp, norms_of_copies_grad; m);
    check(&fns, &points, 1e-8);
    // `_grad_into`, whose sweep zeroes the local vector in place for its adjoint (it reads only
    // the copies the loop pops): the same value and gradient as `_grad`, in a buffer that held
    // something else.
    type Into = fn(&[f64], usize, &mut Vec<f64>) -> f64;
    type Grad = fn(&[f64], usize) -> (f64, Vec<f64>);
    let pairs: [(Into, Grad); 3] = [
        (norms_hoisted_grad_into, norms_hoisted_grad),
        (norms_in_loop_grad_into, norms_in_loop_grad),
        (norms_of_copies_grad_into, norms_of_copies_grad),
    ];
    for x in points {
        for (into, grad) in pairs {
            let mut buffer = vec![7.0; 5];
            let (value, g) = grad(x, m);
            assert_eq!(into(x, m, &mut buffer), value);
            assert_eq!(buffer, g);
        }
    }
}

/// `Σ_e e²` of an array, as a chain.
#[differentiable]
fn norm2(v: &[f64]) -> f64 {
    v.iter().map(|e| e * e).sum()
}

/// An array written and then passed to a differentiable helper in each iteration: `Σ_i Σ_{j<=i}
/// x_j²` (ui `loops/borrowed_then_written` until the forty-first session; each backward iteration
/// now gets that iteration's array from the loop's stack).
#[differentiable]
fn running(x: &[f64]) -> f64 {
    let mut w = vec![0.0; x.len()];
    let mut s = 0.0;
    for i in 0..x.len() {
        w[i] = x[i];
        s += norm2(&w);
    }
    s
}

#[test]
fn an_array_written_before_a_call_in_each_iteration() {
    let x = [0.5, -1.5, 2.0, 0.25];
    let n = x.len();
    let (value, g) = running_grad(&x);
    let want_value: f64 = (0..n).map(|i| x[..=i].iter().map(|v| v * v).sum::<f64>()).sum();
    assert!(close(value, want_value, 1e-15), "{value}");
    for (j, gj) in g.iter().enumerate() {
        let want = 2.0 * x[j] * (n - j) as f64;
        assert!(close(*gj, want, 1e-14), "d/dx{j} = {gj} against {want}");
        assert!(close(*gj, central(&running, &x, j), 1e-8), "d/dx{j} = {gj} against differences");
    }
    let v = vec![0.3, 0.1, -0.2, 0.7];
    let (_, t) = running_jvp(&x, v.clone());
    let (_, pullback) = running_vjp(&x);
    common::forward_against_reverse("running", t, &v, 0.4, &pullback(0.4), 1e-12);
}
