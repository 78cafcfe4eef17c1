//! A `Vec` filled by `push` once per iteration of the loop right after it (filled by index in
//! the generated code, `lower::pushes`): residuals of a model over a range, differences over a
//! zip with `skip`, a closed range, a mapped source, `Vec::with_capacity` with its type written.
//! Each function is checked against its analytic gradient, central differences, and forward
//! against reverse mode (`common::check`); the residual loss also in second order.

mod common;

use common::check;
use tapeless::differentiable;

const T: [f64; 4] = [0.0, 0.5, 1.0, 2.0];
const Y: [f64; 4] = [2.1, 1.6, 1.1, 0.8];

/// `½ Σ (a e^{-k t_i} - y_i)²`, its residuals pushed.
#[differentiable(hessian, wrt(p))]
fn residual_loss(p: &[f64], t: &[f64], y: &[f64]) -> f64 {
    let mut r = Vec::new();
    for i in 0..t.len() {
        let model = p[0] * (-p[1] * t[i]).exp();
        r.push(model - y[i]);
    }
    r.iter().map(|e| e * e).sum::<f64>() * 0.5
}

/// `Σ (x_{i+1} - x_i)²`, the differences pushed from a zip with `skip(1)`.
#[differentiable]
fn roughness(x: &[f64]) -> f64 {
    let mut d: Vec<f64> = Vec::with_capacity(x.len());
    for (a, b) in x.iter().zip(x.iter().skip(1)) {
        d.push(b - a);
    }
    d.iter().map(|v| v * v).sum()
}

/// The same over a closed range, summed by a second loop over the `Vec`.
#[differentiable]
fn roughness_closed(x: &[f64]) -> f64 {
    let mut d = Vec::new();
    for i in 1..=x.len() - 1 {
        let dx = x[i] - x[i - 1];
        d.push(dx.powi(2));
    }
    let mut s = 0.0;
    for v in d {
        s += v;
    }
    s
}

/// `2 sin x_0 + 2 sin x_{n-1}`, from a mapped source, elements read back by index.
#[differentiable]
fn ends_of_sines(x: &[f64]) -> f64 {
    let mut d = vec![];
    for v in x.iter().map(|v| v.sin()) {
        d.push(v * 2.0);
    }
    d[0] + d[d.len() - 1]
}

#[test]
fn residuals_pushed_over_a_range() {
    let points: [&[f64]; 3] = [&[2.0, 0.5], &[1.0, 1.5], &[-0.5, 0.2]];
    check(
        &slice_fns_with!(residual_loss, residual_loss_jvp, residual_loss_vjp, residual_loss_grad; &T, &Y),
        &points,
        1e-8,
    );
    for p in points {
        let (_, g) = residual_loss_grad(p, &T, &Y);
        let mut want = [0.0; 2];
        let mut h = [[0.0; 2]; 2];
        for i in 0..4 {
            let e = (-p[1] * T[i]).exp();
            let r = p[0] * e - Y[i];
            let j = [e, -p[0] * T[i] * e];
            want[0] += r * j[0];
            want[1] += r * j[1];
            // Second derivatives of the model: d²/da dk = -t e, d²/dk² = a t² e.
            let m = [[0.0, -T[i] * e], [-T[i] * e, p[0] * T[i] * T[i] * e]];
            for a in 0..2 {
                for b in 0..2 {
                    h[a][b] += j[a] * j[b] + r * m[a][b];
                }
            }
        }
        for k in 0..2 {
            assert!(common::close(g[k], want[k], 1e-13), "d/dp{k} = {} vs {}", g[k], want[k]);
        }
        let (_, _, hessian) = residual_loss_hessian(p, &T, &Y);
        for a in 0..2 {
            for b in 0..2 {
                assert!(common::close(hessian[(a, b)], h[a][b], 1e-13), "H[{a},{b}]");
                let ga = |q: &[f64]| residual_loss_grad(q, &T, &Y).1[a];
                let fd = common::central(&ga, p, b);
                assert!(common::close(hessian[(a, b)], fd, 1e-7), "H[{a},{b}] vs fd {fd}");
            }
        }
    }
}

/// `∂/∂x_i Σ (x_{k+1} - x_k)² = 2 (x_i - x_{i-1}) - 2 (x_{i+1} - x_i)` (terms that exist).
fn roughness_gradient(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    (0..n)
        .map(|i| {
            let left = if i > 0 { 2.0 * (x[i] - x[i - 1]) } else { 0.0 };
            let right = if i + 1 < n { -2.0 * (x[i + 1] - x[i]) } else { 0.0 };
            left + right
        })
        .collect()
}

#[test]
fn differences_pushed_over_a_zip_and_a_closed_range() {
    let points: [&[f64]; 3] = [&[1.0, 2.0, 4.0], &[0.3, -0.7, 0.1, 1.9], &[2.0, 1.0]];
    check(&slice_fns!(roughness, roughness_jvp, roughness_vjp, roughness_grad), &points, 1e-8);
    check(
        &slice_fns!(roughness_closed, roughness_closed_jvp, roughness_closed_vjp, roughness_closed_grad),
        &points,
        1e-8,
    );
    for x in points {
        let want = roughness_gradient(x);
        for (name, g) in [("zip", roughness_grad(x).1), ("closed", roughness_closed_grad(x).1)] {
            for (i, (a, b)) in g.iter().zip(&want).enumerate() {
                assert!(common::close(*a, *b, 1e-13), "{name}: d/dx{i} = {a} vs {b}");
            }
        }
    }
    // A single element: nothing pushed.
    assert_eq!(roughness_grad(&[3.0]), (0.0, vec![0.0]));
}

#[test]
fn a_mapped_source_read_back_by_index() {
    let points: [&[f64]; 3] = [&[1.0, 2.0, 4.0], &[0.3], &[-0.7, 0.1]];
    check(
        &slice_fns!(ends_of_sines, ends_of_sines_jvp, ends_of_sines_vjp, ends_of_sines_grad),
        &points,
        1e-8,
    );
    let (_, g) = ends_of_sines_grad(&[1.0, 2.0, 4.0]);
    assert_eq!(g, vec![2.0 * 1f64.cos(), 0.0, 2.0 * 4f64.cos()]);
}
