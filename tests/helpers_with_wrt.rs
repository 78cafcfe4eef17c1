//! Helpers with a `wrt(..)` subset, defined before their callers: a least-squares residual of
//! the parameters alone, called with data (`residual(p, ts[i], ys[i])`), first and second order;
//! a generic helper with a float and an integer constant. Each call passes tangents for exactly
//! the helper's differentiated parameters (`signature::registry`); before, rustc's arity error
//! in generated code.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use num_traits::Float;
use tapeless::differentiable;

/// One residual of an exponential decay, differentiated in its parameters only.
#[differentiable(hessian, wrt(p))]
fn residual(p: &[f64], t: f64, y: f64) -> f64 {
    p[0] * (-p[1] * t).exp() - y
}

/// The least-squares cost over the data.
#[differentiable(hessian, wrt(p))]
fn cost(p: &[f64], ts: &[f64], ys: &[f64]) -> f64 {
    let mut c = 0.0;
    for i in 0..ts.len() {
        let r = residual(p, ts[i], ys[i]);
        c += r * r;
    }
    0.5 * c
}

#[test]
fn a_residual_helper_called_with_data() {
    let ts = [0.0, 0.5, 1.0, 2.0, 3.5];
    let ys = [2.1, 1.4, 0.9, 0.45, 0.1];
    for p in [[2.0, 0.8], [1.5, 1.2], [2.5, 0.3]] {
        let (value, g) = cost_grad(&p, &ts, &ys);
        assert_eq!(value, cost(&p, &ts, &ys));
        // Gauss-Newton pieces: J_i = (e^{-k t}, -a t e^{-k t}), g = Jᵀ r, H = JᵀJ + Σ r_i ∇²r_i.
        let (mut exact, mut h) = ([0.0; 2], [[0.0; 2]; 2]);
        for (&t, &y) in ts.iter().zip(&ys) {
            let e = (-p[1] * t).exp();
            let r = p[0] * e - y;
            let j = [e, -p[0] * t * e];
            let second = [[0.0, -t * e], [-t * e, p[0] * t * t * e]];
            for a in 0..2 {
                exact[a] += j[a] * r;
                for b in 0..2 {
                    h[a][b] += j[a] * j[b] + r * second[a][b];
                }
            }
        }
        for a in 0..2 {
            assert!(close(g[a], exact[a], 1e-13), "d/dp{a}: {} vs {}", g[a], exact[a]);
        }
        gradient_central("cost", &|q| cost(q, &ts, &ys), &p, &g, 1e-8);
        let v = [0.3, -0.7];
        let (_, tangent) = cost_jvp(&p, &ts, &ys, v.to_vec());
        let (_, pullback) = cost_vjp(&p, &ts, &ys);
        forward_against_reverse("cost", tangent, &v, 1.4, &pullback(1.4), 1e-12);
        let (_, _, hessian) = cost_hessian(&p, &ts, &ys);
        for a in 0..2 {
            for b in 0..2 {
                assert!(
                    close(hessian[(a, b)], h[a][b], 1e-12),
                    "H[{a},{b}] = {} vs {}",
                    hessian[(a, b)],
                    h[a][b]
                );
            }
        }
        let at = |s: f64| cost_grad(&[p[0] + s * v[0], p[1] + s * v[1]], &ts, &ys).1;
        let (up, down) = (at(1e-5), at(-1e-5));
        let (_, _, hv) = cost_hvp(&p, &ts, &ys, v.to_vec());
        for a in 0..2 {
            let fd = (up[a] - down[a]) / 2e-5;
            assert!(close(hv[a], fd, 1e-6), "(H v)[{a}] = {} vs {fd}", hv[a]);
        }
    }
}

/// `x^n s`, differentiated in `x` only.
#[differentiable(wrt(x))]
fn power<T: Float>(x: T, scale: T, n: usize) -> T {
    x.powi(n as i32) * scale
}

/// Two calls with constant scales and orders.
#[differentiable]
fn powers(x: f64, y: f64) -> f64 {
    power(x, 3.0, 2) + power(x.sin() * y, 0.5, 3)
}

#[test]
fn a_generic_helper_with_constant_arguments() {
    for (x, y) in [(0.7, 1.3), (-0.4, 0.2), (1.9, -1.1)] {
        let (_, (gx, gy)) = powers_grad(x, y);
        let u = x.sin() * y;
        let (ex, ey) = (6.0 * x + 1.5 * u * u * x.cos() * y, 1.5 * u * u * x.sin());
        assert!(close(gx, ex, 1e-13) && close(gy, ey, 1e-13), "({gx}, {gy}) vs ({ex}, {ey})");
        gradient_central("powers", &|q| powers(q[0], q[1]), &[x, y], &[gx, gy], 1e-8);
        let (_, tangent) = powers_jvp(x, y, 0.4, -0.9);
        let (_, pullback) = powers_vjp(x, y);
        let (a, b) = pullback(0.8);
        forward_against_reverse("powers", tangent, &[0.4, -0.9], 0.8, &[a, b], 1e-12);
    }
}
