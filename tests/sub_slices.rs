//! Sub-slices taken as values, as published code takes them: `let tail = &x[1..];`,
//! `g(&x[..n - 1])`, `x.split_at(k)`, `x[a..b].to_vec()`, also in a function generic over
//! `num_traits::Float`, and a `fold` closure dereferencing its element (`|s, v| s + *v * *v`).
//! Each is checked against its analytic gradient, central differences, and forward mode against
//! reverse mode.

use num_traits::Float;
use tapeless::differentiable;

mod common;

use common::{check, close};

#[differentiable]
fn sum_squares(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |s, v| s + *v * *v)
}

/// `Σ_{i≥1} x_i² · x_0 + Σ_{i<n-1} x_i² + (x_0² + x_1²) x_2 + 2 x_0 + Σ x`.
#[differentiable]
fn parts(x: &[f64]) -> f64 {
    let n = x.len();
    let tail = &x[1..];
    let (head, _) = x.split_at(2);
    let mut copy = x[..3].to_vec();
    copy[0] *= 2.0;
    sum_squares(tail) * x[0]
        + sum_squares(&x[..n - 1])
        + sum_squares(head) * tail[1]
        + copy[0]
        + x.iter().sum::<f64>()
}

fn parts_exact(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let tail: f64 = x[1..].iter().map(|v| v * v).sum();
    let init: f64 = x[..n - 1].iter().map(|v| v * v).sum();
    let head = x[0] * x[0] + x[1] * x[1];
    let value = tail * x[0] + init + head * x[2] + 2.0 * x[0] + x.iter().sum::<f64>();
    let mut g = vec![1.0; n];
    g[0] += tail + 2.0 * x[0] * x[2] + 2.0;
    g[1] += 2.0 * x[1] * x[2];
    g[2] += head;
    for i in 1..n {
        g[i] += 2.0 * x[i] * x[0];
    }
    for i in 0..n - 1 {
        g[i] += 2.0 * x[i];
    }
    (value, g)
}

#[test]
fn sub_slices_bound_passed_split_and_copied() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1, 0.4], &[1.0, 2.0, 3.0], &[-0.2, 0.5, 0.9, 1.3, -0.6]];
    for x in points {
        let (value, grad) = parts_grad(x);
        let (want, want_grad) = parts_exact(x);
        assert!(close(value, want, 1e-14), "{value} vs {want}");
        for (g, w) in grad.iter().zip(&want_grad) {
            assert!(close(*g, *w, 1e-13), "{grad:?} vs {want_grad:?}");
        }
    }
    check(&slice_fns!(parts, parts_jvp, parts_vjp, parts_grad), &points, 1e-7);
}

#[differentiable]
fn generic_squares<T: Float>(a: &[T]) -> T {
    a.iter().fold(T::zero(), |s, v| s + *v * *v)
}

/// The same in a generic function: `x_0 Σ_{i≥1} x_i²`.
#[differentiable]
fn generic_tail<T: Float>(x: &[T]) -> T {
    let t = &x[1..];
    generic_squares(t) * x[0]
}

#[test]
fn a_sub_slice_in_a_generic_function() {
    let x = [0.3, -0.7, 1.1];
    let (value, grad) = generic_tail_grad(&x);
    assert!(close(value, 0.3 * (0.49 + 1.21), 1e-15));
    let want = [1.7, 2.0 * -0.7 * 0.3, 2.0 * 1.1 * 0.3];
    for (g, w) in grad.iter().zip(&want) {
        assert!(close(*g, *w, 1e-14), "{grad:?}");
    }
    let fns = common::Fns {
        name: "generic_tail",
        f: &|p| generic_tail(p),
        jvp: &|p, t| generic_tail_jvp(p, t.to_vec()),
        vjp: &|p, u| {
            let (v, pullback) = generic_tail_vjp(p);
            (v, pullback(u))
        },
        grad: &|p| generic_tail_grad(p),
    };
    check(&fns, &[&x, &[1.0, 2.0, -0.5, 0.25], &[0.1, 0.2]], 1e-7);
}
