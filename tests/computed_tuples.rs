//! Parts of tuples that are computed rather than named: `.0` of a helper's result, of a
//! `fold` with a tuple state and of a local closure's result; arrays written where a chain
//! reads them (`zip([1.0, 2.0, 3.0])`); and a constant tuple looked up with a tuple fallback
//! (`data.first().copied().unwrap_or((0.0, 0.0))`). Each against its closed form, central
//! differences and forward against reverse; the fold also to second order.

mod common;

use common::{central, close, direction, forward_against_reverse, hessian_against};
use tapeless::differentiable;

/// `(ab, a + b)`.
#[differentiable]
fn product_and_sum(a: f64, b: f64) -> (f64, f64) {
    (a * b, a + b)
}

/// `x0 x1 + (x1 + x2)`: one part of each of two calls.
#[differentiable]
fn parts_of_calls(x: &[f64]) -> f64 {
    product_and_sum(x[0], x[1]).0 + product_and_sum(x[1], x[2]).1
}

/// `Σ x + Π x`: the running sum and product of one `fold`, read by field.
#[differentiable(hessian)]
fn sum_and_product(x: &[f64]) -> f64 {
    let folded = x.iter().fold((0.0, 1.0), |(s, p), v| (s + v, p * v));
    folded.0 + x.iter().fold((0.0, 1.0), |(s, p), v| (s + v, p * v)).1
}

/// `cos x0 sin x1`, through a local closure returning a pair.
#[differentiable]
fn parts_of_a_closure(x: &[f64]) -> f64 {
    let polar = |a: f64| (a.sin(), a.cos());
    polar(x[0]).1 * polar(x[1]).0
}

/// `Σ w_i x_i` with the weights written where they are zipped, two ways.
#[differentiable]
fn weights_written_inline(x: &[f64]) -> f64 {
    let a: f64 = x.iter().zip([1.0, 2.0, 3.0]).map(|(v, w)| v * w).sum();
    let b: f64 = x.iter().zip([0.5, -1.0, 4.0].iter()).map(|(v, w)| v * w).sum();
    a + b
}

/// `x0 t0 + x1 y_last + x2 y1`: parts of constant pairs looked up with a fallback, of the
/// element as a whole or by field.
#[differentiable(wrt(x))]
fn first_and_last(x: &[f64], data: &[(f64, f64)]) -> f64 {
    let first = data.first().copied().unwrap_or((0.0, 0.0));
    let (_, last) = data.last().copied().unwrap_or((0.0, 1.0));
    x[0] * first.0 + x[1] * last + x[2] * data.get(1).copied().unwrap_or((0.0, 0.5)).1
}

/// The gradient of `$f` at `$x` against `$want` and central differences, the JVP along a
/// direction against the pullback.
macro_rules! checked {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $x:expr, $want:expr) => {{
        let (x, name): (&[f64], &str) = ($x, stringify!($f));
        let (value, g) = $grad(x);
        assert_eq!(value, $f(x), "{name}: value");
        for (k, (gk, wk)) in g.iter().zip($want).enumerate() {
            assert!(close(*gk, wk, 1e-14), "{name}: d/dx{k} = {gk} against the closed form {wk}");
            let fd = central(&$f, x, k);
            assert!(close(*gk, fd, 1e-8), "{name}: d/dx{k} = {gk} against central {fd}");
        }
        let v = direction(x.len(), 5);
        let (_, t) = $jvp(x, v.clone());
        let (_, pullback) = $vjp(x);
        forward_against_reverse(name, t, &v, 0.6, &pullback(0.6), 1e-13);
    }};
}

#[test]
fn parts_of_computed_tuples() {
    let x = [0.3, 1.2, -0.7];
    checked!(
        parts_of_calls,
        parts_of_calls_jvp,
        parts_of_calls_vjp,
        parts_of_calls_grad,
        &x,
        [x[1], x[0] + 1.0, 1.0]
    );
    let p: f64 = x.iter().product();
    let want: Vec<f64> = x.iter().map(|v| 1.0 + p / v).collect();
    checked!(sum_and_product, sum_and_product_jvp, sum_and_product_vjp, sum_and_product_grad, &x, want);
    let want = [-x[0].sin() * x[1].sin(), x[0].cos() * x[1].cos(), 0.0];
    checked!(
        parts_of_a_closure,
        parts_of_a_closure_jvp,
        parts_of_a_closure_vjp,
        parts_of_a_closure_grad,
        &x,
        want
    );
    checked!(
        weights_written_inline,
        weights_written_inline_jvp,
        weights_written_inline_vjp,
        weights_written_inline_grad,
        &x,
        [1.5, 1.0, 7.0]
    );
}

#[test]
fn the_fold_to_second_order() {
    let x = [0.3, 1.2, -0.7, 2.0];
    let (value, g, h) = sum_and_product_hessian(&x);
    assert_eq!((value, g.clone()), sum_and_product_grad(&x));
    // ∂²Π/∂x_i∂x_j = Π / (x_i x_j) off the diagonal, zero on it.
    let p: f64 = x.iter().product();
    let want = |i: usize, j: usize| if i == j { 0.0 } else { p / (x[i] * x[j]) };
    hessian_against("sum_and_product", &h, &want, &|q: &[f64]| sum_and_product_grad(q).1, &x, 1e-14);
}

#[test]
fn a_constant_tuple_with_a_tuple_fallback() {
    let data = [(2.0, 1.0), (3.0, 4.0), (5.0, -2.5)];
    let x = [0.3, 1.2, -0.7];
    let f = |x: &[f64]| first_and_last(x, &data);
    let want = [2.0, -2.5, 4.0];
    let (value, g) = first_and_last_grad(&x, &data);
    assert_eq!(value, f(&x));
    for k in 0..3 {
        assert!(close(g[k], want[k], 1e-15) && close(g[k], central(&f, &x, k), 1e-8), "{g:?}");
    }
    let v = direction(3, 2);
    let (_, t) = first_and_last_jvp(&x, &data, v.clone());
    let (_, pullback) = first_and_last_vjp(&x, &data);
    forward_against_reverse("first_and_last", t, &v, 0.6, &pullback(0.6), 1e-14);
    // The fallbacks: `(0.0, 0.0)`, `(0.0, 1.0)` and `(0.0, 0.5)` for an empty slice; the
    // first two lookups find `(4.0, 3.0)` in a slice of one, the third falls back.
    assert_eq!(first_and_last_grad(&x, &[]).1, vec![0.0, 1.0, 0.5]);
    assert_eq!(first_and_last_grad(&x, &[(4.0, 3.0)]).1, vec![4.0, 3.0, 0.5]);
}
