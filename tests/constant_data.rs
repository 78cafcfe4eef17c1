//! Constant data written in the function's body, as examples and small fits write it: an array or
//! `vec!` of tuples (`[(t, y), ..]`), a `Vec` of `Vec` rows of a constant matrix, and a typed
//! constant whose annotation coerces inside it (`let w: Option<&[f64]> = Some(&[..])`). Until
//! the twenty-fifth session the first was "a tuple in this position" (our error) and the other
//! two rustc errors inside generated code (a row moved out of its `Vec`; `Option<&[f64; 3]>`
//! where `Option<&[f64]>` was declared). A constant slice typed `&[f64]` (`let k: &[f64] =
//! &[1.0, -2.0, 1.0];`) passed to a differentiable function was rustc's type mismatch inside
//! generated code until the forty-fourth session (its copy was `Clone::clone(&k)` typed by the
//! annotation). Rows of differentiable values in a `Vec` of `Vec`s are
//! our error (tests/ui/unsupported/rows_of_differentiable_values.rs); in fixed-size rows they
//! work (below). Each function is checked against its analytic gradient, central differences and
//! forward mode against reverse mode (`common::check`).

// The functions are written as users write them.
#![allow(clippy::needless_range_loop, clippy::useless_vec)]

#[macro_use]
mod common;

use common::{assert_close, check, hessian_against};
use tapeless::differentiable;

/// Least squares of a line through constant `(t, y)` pairs.
#[differentiable]
fn line_fit(x: &[f64]) -> f64 {
    let data = [(0.0, 1.0), (1.0, 2.9), (2.0, 5.2)];
    data.iter().map(|&(t, y)| (x[0] * t + x[1] - y).powi(2)).sum()
}

/// The same pairs in a `Vec`, read by a `for` loop.
#[differentiable]
fn line_fit_loop(x: &[f64]) -> f64 {
    let data = vec![(0.0, 1.0), (1.0, 2.9), (2.0, 5.2)];
    let mut s = 0.0;
    for (t, y) in data.iter() {
        s += (x[0] * t + x[1] - y).powi(2);
    }
    s
}

const A: [[f64; 3]; 2] = [[1.0, 2.0, 0.5], [0.0, -1.0, 3.0]];

/// `Σ tanh((A x)_i)` with `A` written as a `Vec` of `Vec` rows.
#[differentiable]
fn tanh_of_rows(x: &[f64]) -> f64 {
    let a = vec![vec![1.0, 2.0, 0.5], vec![0.0, -1.0, 3.0]];
    let y: Vec<f64> = a.iter().map(|row| row.iter().zip(x).map(|(r, v)| r * v).sum()).collect();
    y.iter().map(|v| v.tanh()).sum()
}

/// Weights behind a typed `Option<&[f64]>`.
#[differentiable]
fn weighted_mean(x: &[f64]) -> f64 {
    let w: Option<&[f64]> = Some(&[1.0, 2.0, 3.0]);
    match w {
        Some(w) => x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>() / w.iter().sum::<f64>(),
        None => x.iter().sum::<f64>() / x.len() as f64,
    }
}

/// Fixed-size rows of differentiable values in a `Vec`.
#[differentiable]
fn row_products(x: &[f64]) -> f64 {
    let rows = vec![[x[0], 2.0 * x[1]], [x[2].sin(), 1.0 + x[0]]];
    rows.iter().map(|r| r[0] * r[1]).sum()
}

const POINTS: [&[f64]; 3] = [&[0.3, 0.7, -0.4], &[1.2, -0.5, 0.9], &[-0.8, 0.25, 1.5]];

#[test]
fn pairs_of_constants() {
    check(&slice_fns!(line_fit, line_fit_jvp, line_fit_vjp, line_fit_grad), &POINTS, 1e-7);
    check(
        &slice_fns!(line_fit_loop, line_fit_loop_jvp, line_fit_loop_vjp, line_fit_loop_grad),
        &POINTS,
        1e-7,
    );
    for x in POINTS {
        let mut want = [0.0, 0.0, 0.0];
        for (t, y) in [(0.0, 1.0), (1.0, 2.9), (2.0, 5.2)] {
            let r = x[0] * t + x[1] - y;
            want[0] += 2.0 * r * t;
            want[1] += 2.0 * r;
        }
        assert_close(&line_fit_grad(x).1, &want, 1e-14, "line fit");
        assert_close(&line_fit_loop_grad(x).1, &want, 1e-14, "line fit loop");
    }
}

#[test]
fn rows_of_a_constant_matrix() {
    check(&slice_fns!(tanh_of_rows, tanh_of_rows_jvp, tanh_of_rows_vjp, tanh_of_rows_grad), &POINTS, 1e-7);
    for x in POINTS {
        let mut want = [0.0; 3];
        for row in A {
            let z: f64 = row.iter().zip(x).map(|(r, v)| r * v).sum();
            for j in 0..3 {
                want[j] += (1.0 - z.tanh().powi(2)) * row[j];
            }
        }
        assert_close(&tanh_of_rows_grad(x).1, &want, 1e-14, "tanh of rows");
    }
}

#[test]
fn a_typed_constant_that_coerces() {
    check(
        &slice_fns!(weighted_mean, weighted_mean_jvp, weighted_mean_vjp, weighted_mean_grad),
        &POINTS,
        1e-7,
    );
    for x in POINTS {
        assert_close(&weighted_mean_grad(x).1, &[1.0 / 6.0, 2.0 / 6.0, 3.0 / 6.0], 1e-15, "weighted mean");
    }
}

#[test]
fn fixed_rows_of_differentiable_values() {
    check(&slice_fns!(row_products, row_products_jvp, row_products_vjp, row_products_grad), &POINTS, 1e-7);
    for x in POINTS {
        // 2 x0 x1 + sin(x2) (1 + x0).
        let want = [2.0 * x[1] + x[2].sin(), 2.0 * x[0], x[2].cos() * (1.0 + x[0])];
        assert_close(&row_products_grad(x).1, &want, 1e-14, "row products");
    }
}

#[differentiable(hessian)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// A second difference by a typed constant stencil, passed to a differentiable function and
/// indexed: `(x0 - 2 x1 + x2)² - 2 x0`. (Under `hessian` the pullback of the dual copy
/// captured the stencil, which there holds dual numbers and is not a `'static` constant:
/// rustc's E0515 in generated code until the forty-fifth session.)
#[differentiable(hessian)]
fn stencil(x: &[f64]) -> f64 {
    let k: &[f64] = &[1.0, -2.0, 1.0];
    dot(&x[..3], k).powi(2) + k[1] * x[0]
}

#[test]
fn a_typed_constant_slice_passed_on() {
    check(&slice_fns!(stencil, stencil_jvp, stencil_vjp, stencil_grad), &POINTS, 1e-7);
    for x in POINTS {
        let d = x[0] - 2.0 * x[1] + x[2];
        assert_close(&stencil_grad(x).1, &[2.0 * d - 2.0, -4.0 * d, 2.0 * d], 1e-14, "stencil");
        let (_, _, h) = stencil_hessian(x);
        let k = [1.0, -2.0, 1.0];
        hessian_against("stencil", &h, &|i, j| 2.0 * k[i] * k[j], &|q| stencil_grad(q).1, x, 1e-14);
    }
}

/// A state started from array literals by reference and copied (`let y0 = &[1.0, 0.0];
/// y0.to_vec()`, `[0.5, 0.5].to_vec()`, `[0.0; 2].to_vec()`), then updated in place:
/// `(1 + x0)(x1) + (0.5 + x0 x1)(0.5) + x1²`. Until the forty-fifth session these were opaque,
/// and the updates our indexed-assignment error.
#[differentiable]
fn literal_states(x: &[f64]) -> f64 {
    let y0 = &[1.0, 0.0];
    let mut y = y0.to_vec();
    let mut z = [0.5, 0.5].to_vec();
    let mut w = [0.0; 2].to_vec();
    for i in 0..2 {
        y[i] += x[i];
        w[i] += x[1] * x[i];
    }
    z[0] += x[0] * x[1];
    y[0] * y[1] + z[0] * z[1] + w[1] + y0[0] * 0.0
}

#[test]
fn states_started_from_array_literals() {
    check(
        &slice_fns!(literal_states, literal_states_jvp, literal_states_vjp, literal_states_grad),
        &POINTS,
        1e-7,
    );
    for x in POINTS {
        let want = [x[1] + 0.5 * x[1], 1.0 + x[0] + 0.5 * x[0] + 2.0 * x[1], 0.0];
        assert_close(&literal_states_grad(x).1, &want, 1e-14, "literal states");
    }
}
