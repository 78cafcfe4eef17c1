//! Numeric Rust as people write it (issue 13), construct by construct. Each function is
//! checked against its analytic gradient, against central differences and forward against
//! reverse mode (`common::check`).
//!
//! So far: array patterns (`let [a, b] = *p;`, `let [a, _, c] = x;`), `&[T; N]` and `&Vec<T>`
//! parameters, and `*p` of an array reference.

mod common;

use common::{Fns, check};
use tapeless::differentiable;

/// Himmelblau's function with the destructuring published test-function crates use.
#[differentiable]
fn himmelblau(p: &[f64; 2]) -> f64 {
    let [a, b] = *p;
    (a.powi(2) + b - 11.0).powi(2) + (a + b * b - 7.0).powi(2)
}

/// Skipping an element with `_`, and a by-value array.
#[differentiable]
fn skip_middle(x: [f64; 3]) -> f64 {
    let [a, _, c] = x;
    a * c.exp() + (a - c).powi(3)
}

/// `let mut q = *p;` copies the array: writing `q` leaves `p` as it was.
#[differentiable]
fn copy_then_write(p: &[f64; 2]) -> f64 {
    let mut q = *p;
    q[0] *= q[1];
    q[0] + p[0] * p[1] + q[1].sin()
}

/// argmin's `Vec` backend passes `&Vec<f64>`.
#[allow(clippy::ptr_arg)]
#[differentiable]
fn rosenbrock_vec(p: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() - 1 {
        s += 100.0 * (p[i + 1] - p[i] * p[i]).powi(2) + (1.0 - p[i]).powi(2);
    }
    s
}

fn pair(x: &[f64]) -> [f64; 2] {
    [x[0], x[1]]
}

fn triple(x: &[f64]) -> [f64; 3] {
    [x[0], x[1], x[2]]
}

/// The four views of a function of one array parameter (by reference with `&`, or by value),
/// over slices: `array_fns!(f, f_jvp, f_vjp, f_grad, convert, &)`.
macro_rules! array_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $convert:ident $(, $by_ref:tt)?) => {
        Fns {
            name: stringify!($f),
            f: &|x| $f($($by_ref)? $convert(x)),
            jvp: &|x, v| $jvp($($by_ref)? $convert(x), $convert(v)),
            vjp: &|x, ct| {
                let p = $convert(x);
                let (value, pullback) = $vjp($($by_ref)? p);
                (value, pullback(ct).to_vec())
            },
            grad: &|x| {
                let (value, g) = $grad($($by_ref)? $convert(x));
                (value, g.to_vec())
            },
        }
    };
}

#[test]
fn array_patterns_of_a_reference() {
    check(
        &array_fns!(himmelblau, himmelblau_jvp, himmelblau_vjp, himmelblau_grad, pair, &),
        &[&[1.0, 2.0], &[3.0, 2.0], &[-0.7, 1.9]],
        1e-8,
    );
    // Analytic: ∂/∂a = 4a(a²+b-11) + 2(a+b²-7), ∂/∂b = 2(a²+b-11) + 4b(a+b²-7); zero at (3, 2).
    for [a, b] in [[1.0, 2.0], [3.0, 2.0], [-0.7, 1.9]] {
        let (_, g) = himmelblau_grad(&[a, b]);
        let want = [
            4.0 * a * (a * a + b - 11.0) + 2.0 * (a + b * b - 7.0),
            2.0 * (a * a + b - 11.0) + 4.0 * b * (a + b * b - 7.0),
        ];
        assert!(
            common::close(g[0], want[0], 1e-14) && common::close(g[1], want[1], 1e-14),
            "{g:?} vs {want:?}"
        );
    }
}

#[test]
fn array_patterns_with_a_wildcard() {
    check(
        &array_fns!(skip_middle, skip_middle_jvp, skip_middle_vjp, skip_middle_grad, triple),
        &[&[0.5, 2.0, 1.5], &[-1.0, 0.0, 0.3], &[1.1, -2.0, -0.6]],
        1e-8,
    );
    let (a, c) = (0.5f64, 1.5f64);
    let (_, g) = skip_middle_grad([a, 7.0, c]);
    let want = [c.exp() + 3.0 * (a - c).powi(2), 0.0, a * c.exp() - 3.0 * (a - c).powi(2)];
    for i in 0..3 {
        assert!(common::close(g[i], want[i], 1e-14), "{g:?} vs {want:?}");
    }
}

#[test]
fn a_dereferenced_array_is_a_copy() {
    check(
        &array_fns!(copy_then_write, copy_then_write_jvp, copy_then_write_vjp, copy_then_write_grad, pair, &),
        &[&[2.0, 5.0], &[-0.3, 0.8], &[1.4, -2.2]],
        1e-8,
    );
    // f = 2 p0 p1 + sin p1: had the write gone through to `p`, f would be p0 p1² + ...
    let (p0, p1) = (2.0f64, 5.0f64);
    let (value, g) = copy_then_write_grad(&[p0, p1]);
    assert!(common::close(value, 2.0 * p0 * p1 + p1.sin(), 1e-15));
    assert!(common::close(g[0], 2.0 * p1, 1e-15) && common::close(g[1], 2.0 * p0 + p1.cos(), 1e-15), "{g:?}");
}

#[test]
fn vec_by_reference() {
    let as_vec = |x: &[f64]| x.to_vec();
    check(
        &Fns {
            name: "rosenbrock_vec",
            f: &|x| rosenbrock_vec(&as_vec(x)),
            jvp: &|x, v| rosenbrock_vec_jvp(&as_vec(x), v.to_vec()),
            vjp: &|x, ct| {
                let p = as_vec(x);
                let (value, pullback) = rosenbrock_vec_vjp(&p);
                (value, pullback(ct))
            },
            grad: &|x| rosenbrock_vec_grad(&as_vec(x)),
        },
        &[&[1.2, 0.7, -0.4], &[1.0, 1.0, 1.0, 1.0], &[-1.5, 2.0]],
        1e-8,
    );
    // Zero at the minimum (1, .., 1); -2(1 - x0) - 400 x0 (x1 - x0²) in the first coordinate.
    let (_, g) = rosenbrock_vec_grad(&vec![1.0; 4]);
    assert!(g.iter().all(|d| *d == 0.0), "{g:?}");
    let (_, g) = rosenbrock_vec_grad(&vec![0.5, 0.5]);
    assert!(common::close(g[0], -2.0 * 0.5 - 400.0 * 0.5 * (0.5 - 0.25), 1e-14), "{g:?}");
    assert!(common::close(g[1], 200.0 * (0.5 - 0.25), 1e-14), "{g:?}");
}
