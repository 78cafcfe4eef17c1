//! Calls of differentiable functions (and `&self` methods) inside loops, on scalar arguments:
//! the reverse sweep calls the callee's `_vjp` again on the arguments of each iteration (popped
//! or recomputed) instead of keeping one pullback per iteration. Each function is checked against its analytic gradient,
//! central differences, forward mode against reverse mode, and (`hessian`) its Hessian against
//! the analytic one and central differences of `_grad`.

#[macro_use]
mod common;

use common::{check, close};
use tapeless::differentiable;

/// One term of Rosenbrock's function.
#[differentiable(hessian)]
fn term(a: f64, b: f64) -> f64 {
    let d = b - a * a;
    100.0 * d * d + (1.0 - a) * (1.0 - a)
}

/// Rosenbrock's function by its terms, the arguments loads the backward loop reads again.
#[differentiable(hessian)]
fn by_terms(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += term(x[i], x[i + 1]);
    }
    s
}

/// A step of a recurrence with an integer argument.
#[differentiable(hessian)]
fn step(y: f64, k: f64, n: usize) -> f64 {
    y + 0.1 * (k * y).sin() / (n as f64 + 1.0)
}

/// A recurrence `y ← step(y, k, n)`: each call's argument is the value carried into that
/// iteration, which the backward loop pops; a `while` loop calls a fallible helper with `.expect(..)`.
#[differentiable(hessian)]
fn recurrence(x: &[f64]) -> f64 {
    let (mut y, k) = (x[0], x[1]);
    for n in 0..6 {
        y = step(y, k, n);
    }
    let mut z = 0.0;
    let mut i = 0;
    while i < 3 {
        z += checked_square(y * i as f64).expect("finite");
        i += 1;
    }
    y * y + z
}

#[differentiable(hessian)]
fn checked_square(v: f64) -> Option<f64> {
    if v.is_finite() { Some(v * v) } else { None }
}

#[test]
fn a_helper_called_in_a_loop() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[1.2, 0.4, 0.9, -0.3], &[-2.0, 1.1]];
    check(&slice_fns!(by_terms, by_terms_jvp, by_terms_vjp, by_terms_grad), &points, 1e-7);
    for x in points {
        let n = x.len();
        let (mut g, mut h) = (vec![0.0; n], vec![0.0; n * n]);
        for i in 0..n - 1 {
            let (a, b) = (x[i], x[i + 1]);
            let d = b - a * a;
            g[i] += -400.0 * a * d - 2.0 * (1.0 - a);
            g[i + 1] += 200.0 * d;
            h[i * n + i] += 1200.0 * a * a - 400.0 * b + 2.0;
            h[i * n + i + 1] -= 400.0 * a;
            h[(i + 1) * n + i] -= 400.0 * a;
            h[(i + 1) * n + i + 1] += 200.0;
        }
        let (_, ours) = by_terms_grad(x);
        common::assert_close(&ours, &g, 1e-12, "by_terms gradient");
        let (_, _, hessian) = by_terms_hessian(x);
        common::assert_close(hessian.transpose().as_slice(), &h, 1e-12, "by_terms Hessian");
        for i in 0..n {
            let gi = |q: &[f64]| by_terms_grad(q).1[i];
            let row: Vec<f64> = (0..n).map(|j| common::central(&gi, x, j)).collect();
            common::assert_close(&row, &h[i * n..(i + 1) * n], 1e-6, "by_terms Hessian against _grad");
        }
    }
}

#[test]
fn a_recurrence_through_a_helper() {
    let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
    check(&slice_fns!(recurrence, recurrence_jvp, recurrence_vjp, recurrence_grad), &points, 1e-7);
    for x in points {
        // Forward mode by hand: y and its derivatives in (x0, k).
        let (mut y, k) = (x[0], x[1]);
        let (mut dy0, mut dyk) = (1.0, 0.0);
        for n in 0..6 {
            let c = 0.1 / (n as f64 + 1.0);
            let cos = (k * y).cos();
            let (ny0, nyk) = (dy0 + c * cos * k * dy0, dyk + c * cos * (y + k * dyk));
            y += c * (k * y).sin();
            (dy0, dyk) = (ny0, nyk);
        }
        // z = Σ_{i<3} (i y)², so d(y² + z) = (2 y + 2 y Σ i²) dy.
        let outer = 2.0 * y * (1.0 + 0.0 + 1.0 + 4.0);
        let (_, g) = recurrence_grad(x);
        common::assert_close(&g, &[outer * dy0, outer * dyk], 1e-12, "recurrence gradient");
        let (_, _, h) = recurrence_hessian(x);
        for i in 0..2 {
            let gi = |q: &[f64]| recurrence_grad(q).1[i];
            for j in 0..2 {
                let fd = common::central(&gi, x, j);
                assert!(close(h[(i, j)], fd, 1e-6), "{x:?}: H[{i},{j}] = {} vs {fd}", h[(i, j)]);
            }
        }
    }
}

/// Rosenbrock's function with its constants in a struct, by a `&self` method called in the loop.
pub struct Valley {
    pub a: f64,
    pub b: f64,
}

#[differentiable(hessian)]
impl Valley {
    pub fn term(&self, x: f64, y: f64) -> f64 {
        self.b * (y - x * x).powi(2) + (self.a - x).powi(2)
    }

    pub fn value(&self, x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            s += self.term(x[i], x[i + 1]);
        }
        s
    }
}

#[test]
fn a_method_called_in_a_loop() {
    let valley = Valley { a: 1.0, b: 100.0 };
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[1.2, 0.4, 0.9, -0.3], &[-2.0, 1.1]];
    check(&method_fns!(valley, value, value_jvp, value_vjp, value_grad), &points, 1e-7);
    for x in points {
        // The same function by the free helper: the same gradient and Hessian.
        let (value, g) = valley.value_grad(x);
        let (want_value, want) = by_terms_grad(x);
        assert!(close(value, want_value, 1e-14), "{value} vs {want_value}");
        common::assert_close(&g, &want, 1e-12, "Valley::value gradient");
        let (_, _, h) = valley.value_hessian(x);
        let (_, _, want) = by_terms_hessian(x);
        common::assert_close(h.as_slice(), want.as_slice(), 1e-12, "Valley::value Hessian");
    }
}
