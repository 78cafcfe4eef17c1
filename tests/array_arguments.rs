//! Fixed-size arrays passed to differentiable functions that take a slice, as published code
//! passes them: a stencil given as a literal (`dot(&x[k..k + 3], &[1.0, -2.0, 1.0])`), a point
//! built in place (`norm(&[x[0], x[1]])`), a repeated constant (`&[0.5; 2]`) and a local array
//! (`dot(&p, &p)`). The callee's tangent and cotangent for `&[f64]` are `Vec<f64>`s, the
//! array's `[f64; N]`s: until the forty-fifth session these were rustc's type mismatch inside
//! generated code, and `&[x[0], x[1]]` our "reference" error. Checked against the analytic
//! gradient and Hessian, central differences, and forward mode against reverse mode.

use tapeless::differentiable;

mod common;

use common::{check, close, hessian_against};

#[differentiable(hessian)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

#[differentiable(hessian)]
fn norm(p: &[f64]) -> f64 {
    p.iter().map(|v| v * v).sum::<f64>().sqrt()
}

/// `Σ_k (x_k - 2 x_{k+1} + x_{k+2})² + |(x_0, x_1)| + (x_0 x_1 + x_2) / 2 + x_0² x_1² + x_2²`.
#[differentiable(hessian)]
fn smoothness(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for k in 0..x.len() - 2 {
        let d = dot(&x[k..k + 3], &[1.0, -2.0, 1.0]);
        s += d * d;
    }
    let p = [x[0] * x[1], x[2]];
    s + norm(&[x[0], x[1]]) + dot(&p, &[0.5; 2]) + dot(&p, &p)
}

const STENCIL: [f64; 3] = [1.0, -2.0, 1.0];

fn smoothness_exact(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut value = 0.0;
    let mut g = vec![0.0; n];
    for k in 0..n - 2 {
        let d: f64 = (0..3).map(|j| STENCIL[j] * x[k + j]).sum();
        value += d * d;
        for j in 0..3 {
            g[k + j] += 2.0 * d * STENCIL[j];
        }
    }
    let r = x[0].hypot(x[1]);
    value += r + 0.5 * (x[0] * x[1] + x[2]) + x[0] * x[0] * x[1] * x[1] + x[2] * x[2];
    g[0] += x[0] / r + 0.5 * x[1] + 2.0 * x[0] * x[1] * x[1];
    g[1] += x[1] / r + 0.5 * x[0] + 2.0 * x[0] * x[0] * x[1];
    g[2] += 0.5 + 2.0 * x[2];
    (value, g)
}

fn smoothness_hessian_exact(x: &[f64], i: usize, j: usize) -> f64 {
    let n = x.len();
    let mut h = 0.0;
    for k in 0..n - 2 {
        if (k..k + 3).contains(&i) && (k..k + 3).contains(&j) {
            h += 2.0 * STENCIL[i - k] * STENCIL[j - k];
        }
    }
    if i < 2 && j < 2 {
        let r = x[0].hypot(x[1]);
        let delta = if i == j { r * r } else { 0.0 };
        h += (delta - x[i] * x[j]) / (r * r * r);
    }
    h += match (i, j) {
        (0, 0) => 2.0 * x[1] * x[1],
        (1, 1) => 2.0 * x[0] * x[0],
        (0, 1) | (1, 0) => 0.5 + 4.0 * x[0] * x[1],
        (2, 2) => 2.0,
        _ => 0.0,
    };
    h
}

#[test]
fn arrays_passed_where_slices_are_taken() {
    let points: [&[f64]; 3] = [&[0.3, 1.2, -0.7, 2.0, 0.1], &[1.0, -0.5, 0.25], &[-0.4, 0.9, 1.5, 0.2]];
    for x in points {
        let (value, grad) = smoothness_grad(x);
        let (want, want_grad) = smoothness_exact(x);
        assert!(close(value, want, 1e-14), "{value} vs {want}");
        for (g, w) in grad.iter().zip(&want_grad) {
            assert!(close(*g, *w, 1e-12), "{grad:?} vs {want_grad:?}");
        }
        let (_, _, h) = smoothness_hessian(x);
        hessian_against(
            "smoothness",
            &h,
            &|i, j| smoothness_hessian_exact(x, i, j),
            &|q| smoothness_grad(q).1,
            x,
            1e-12,
        );
    }
    check(&slice_fns!(smoothness, smoothness_jvp, smoothness_vjp, smoothness_grad), &points, 1e-7);
}
