//! Tuple structs deriving `Differentiable`: a pair read as `p.0`, `p.1`, and a newtype around a
//! `Vec` (`struct Weights(Vec<f64>)`) with its Hessian. Gradients against closed forms and
//! central differences, JVP against VJP; the Hessian against its closed form and central
//! differences of `_grad`.

mod common;

use common::{assert_close, central_gradient};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Pair(f64, f64);

#[derive(Clone, Debug, PartialEq, Differentiable)]
struct Weights(Vec<f64>);

#[differentiable(wrt(p))]
fn wave(p: &Pair, t: f64) -> f64 {
    p.0 * (p.1 * t).sin()
}

/// `(w · x)²`: gradient `2 (w · x) x`, Hessian `2 x xᵀ`.
#[differentiable(hessian, wrt(w))]
fn projected(w: &Weights, x: &[f64]) -> f64 {
    w.0.iter().zip(x).map(|(a, b)| a * b).sum::<f64>().powi(2)
}

#[test]
fn a_pair() {
    for (a, b, t) in [(0.3, 0.4, 1.5), (-1.2, 2.0, 0.3), (0.8, -0.6, -2.0)] {
        let p = Pair(a, b);
        let (value, g) = wave_grad(&p, t);
        assert_eq!(value, wave(&p, t));
        assert_close(&[g.0, g.1], &[(b * t).sin(), a * t * (b * t).cos()], 1e-14, "wave closed form");
        let fd = central_gradient(|q| wave(&Pair(q[0], q[1]), t), &[a, b]);
        assert_close(&[g.0, g.1], &fd, 1e-9, "wave differences");
        let (_, tangent) = wave_jvp(&p, t, Pair(0.5, -1.5));
        let (_, pullback) = wave_vjp(&p, t);
        let r = pullback(2.0);
        assert_close(&[2.0 * tangent], &[0.5 * r.0 - 1.5 * r.1], 1e-13, "wave forward against reverse");
    }
}

#[test]
fn a_newtype_around_a_vec() {
    let x = [0.5, 0.25, -1.0];
    for w in [vec![1.0, 2.0, 0.5], vec![-0.3, 0.7, 1.1]] {
        let weights = Weights(w.clone());
        let s: f64 = w.iter().zip(&x).map(|(a, b)| a * b).sum();
        let (value, g) = projected_grad(&weights, &x);
        assert_eq!(value, projected(&weights, &x));
        let want: Vec<f64> = x.iter().map(|xi| 2.0 * s * xi).collect();
        assert_close(&g.0, &want, 1e-14, "projected gradient");
        assert_close(
            &g.0,
            &central_gradient(|q| projected(&Weights(q.to_vec()), &x), &w),
            1e-8,
            "projected differences",
        );
        let (_, t) = projected_jvp(&weights, &x, Weights(vec![1.0, -1.0, 0.5]));
        assert_close(&[t], &[want[0] - want[1] + 0.5 * want[2]], 1e-13, "projected jvp");
        let (_, _, h) = projected_hessian(&weights, &x);
        for i in 0..3 {
            for j in 0..3 {
                assert!((h[(i, j)] - 2.0 * x[i] * x[j]).abs() <= 1e-14, "Hessian ({i}, {j})");
            }
            let row = central_gradient(|q| projected_grad(&Weights(q.to_vec()), &x).1.0[i], &w);
            assert_close(
                &h.row(i).iter().copied().collect::<Vec<_>>(),
                &row,
                1e-8,
                "Hessian against differences of _grad",
            );
        }
    }
}

/// A tuple struct of the crate deriving `Differentiable` is differentiated without `wrt(..)`, like
/// one with named fields: before, the prescan read only structs with braces, and this was "cannot
/// tell whether parameter `p: &Pair` is differentiable".
#[differentiable]
fn damped(p: &Pair, w: &Weights, t: f64) -> f64 {
    p.0 * (-p.1 * t).exp() + w.0.iter().map(|v| v * t).sum::<f64>()
}

#[test]
fn tuple_structs_without_a_wrt_list() {
    let (p, w, t) = (Pair(1.5, 0.4), Weights(vec![0.5, -0.25]), 2.0);
    let (value, (gp, gw, gt)) = damped_grad(&p, &w, t);
    assert_eq!(value, damped(&p, &w, t));
    let e = (-p.1 * t).exp();
    assert_close(&[gp.0, gp.1], &[e, -p.0 * t * e], 1e-15, "pair");
    assert_close(&gw.0, &[t, t], 1e-15, "weights");
    assert_close(&[gt], &[-p.0 * p.1 * e + 0.25], 1e-15, "time");
    let fd = central_gradient(
        |q| damped(&Pair(q[0], q[1]), &Weights(vec![q[2], q[3]]), q[4]),
        &[1.5, 0.4, 0.5, -0.25, t],
    );
    assert_close(&[gp.0, gp.1, gw.0[0], gw.0[1], gt], &fd, 1e-9, "differences");
    let (_, tangent) = damped_jvp(&p, &w, t, Pair(1.0, -1.0), Weights(vec![0.5, 2.0]), 0.1);
    let (gp2, gw2, gt2) = damped_vjp(&p, &w, t).1(1.0);
    let back = gp2.0 - gp2.1 + 0.5 * gw2.0[0] + 2.0 * gw2.0[1] + 0.1 * gt2;
    assert_close(&[tangent], &[back], 1e-14, "forward against reverse");
}
