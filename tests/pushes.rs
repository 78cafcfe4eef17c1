//! A `Vec` filled by `push` a fixed number of times per iteration of the loop right after it
//! (filled by index in the generated code, `lower::pushes`): residuals of a model over a range,
//! differences over a zip with `skip`, a closed range, a mapped source, `Vec::with_capacity`
//! with its type written, two residuals per point.
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

/// `½ Σ (x_i - c_x)² + (y_i - c_y)²` over points `(x_i, y_i)`: two residuals pushed per
/// point, the second behind a local, then weighted by index (`r[2i]`, `r[2i + 1]`).
#[differentiable(hessian, wrt(c))]
fn centre_loss(c: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut r = Vec::new();
    for (x, y) in xs.iter().zip(ys) {
        r.push(x - c[0]);
        let dy = y - c[1];
        r.push(dy);
    }
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += r[2 * i] * r[2 * i] + (i + 1) as f64 * r[2 * i + 1] * r[2 * i + 1];
    }
    0.5 * s
}

/// [`centre_loss`] with its residuals added by `extend` of an array literal.
#[differentiable(hessian, wrt(c))]
fn centre_loss_extended(c: &[f64], xs: &[f64], ys: &[f64]) -> f64 {
    let mut r = Vec::new();
    for (x, y) in xs.iter().zip(ys) {
        r.extend([x - c[0], y - c[1]]);
    }
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += r[2 * i] * r[2 * i] + (i + 1) as f64 * r[2 * i + 1] * r[2 * i + 1];
    }
    0.5 * s
}

#[test]
fn two_residuals_pushed_per_point() {
    let (xs, ys) = ([0.0, 1.0, 2.5], [1.0, -0.5, 0.25]);
    let points: [&[f64]; 3] = [&[0.5, 0.2], &[-1.0, 1.5], &[2.0, -0.3]];
    check(
        &slice_fns_with!(centre_loss, centre_loss_jvp, centre_loss_vjp, centre_loss_grad; &xs, &ys),
        &points,
        1e-8,
    );
    for c in points {
        let (_, g) = centre_loss_grad(c, &xs, &ys);
        let weights: f64 = (1..=3).map(|w| w as f64).sum();
        let want = [
            -(0..3).map(|i| xs[i] - c[0]).sum::<f64>(),
            -(0..3).map(|i| (i + 1) as f64 * (ys[i] - c[1])).sum::<f64>(),
        ];
        for k in 0..2 {
            assert!(common::close(g[k], want[k], 1e-13), "d/dc{k} = {} vs {}", g[k], want[k]);
        }
        let (_, _, h) = centre_loss_hessian(c, &xs, &ys);
        assert_eq!(centre_loss_extended_grad(c, &xs, &ys), centre_loss_grad(c, &xs, &ys));
        assert_eq!(centre_loss_extended_hessian(c, &xs, &ys).2, h);
        let (_, jv) = centre_loss_extended_jvp(c, &xs, &ys, vec![0.3, -0.8]);
        assert!(common::close(jv, 0.3 * g[0] - 0.8 * g[1], 1e-13), "extended: JVP against VJP");
        let exact = [[3.0, 0.0], [0.0, weights]];
        for a in 0..2 {
            for b in 0..2 {
                assert!(common::close(h[(a, b)], exact[a][b], 1e-13), "H[{a},{b}] = {}", h[(a, b)]);
                let ga = |q: &[f64]| centre_loss_grad(q, &xs, &ys).1[a];
                assert!(common::close(h[(a, b)], common::central(&ga, c, b), 1e-7), "H[{a},{b}] vs fd");
            }
        }
    }
}
