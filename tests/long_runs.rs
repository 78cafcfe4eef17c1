//! Long straight-line runs, which the flatten pass cuts into nested functions
//! (`emit::segments`): the gradient against central differences, forward mode along each axis
//! against it, and `<u, J v>` (JVP) against `<Jᵀu, v>` (VJP), in `f64`, in `f32` (against the
//! `f64` derivatives), and in the body of a loop whose state crosses iterations.

mod common;
#[path = "common/long_runs.rs"]
mod long_runs;

use common::{Fns, check};
use long_runs::*;

#[test]
fn a_long_straight_run_differentiates_correctly() {
    let fns = Fns {
        name: "straight",
        f: &|x| straight(x[0], x[1], x[2]),
        jvp: &|x, t| straight_jvp(x[0], x[1], x[2], t[0], t[1], t[2]),
        vjp: &|x, u| {
            let (v, pullback) = straight_vjp(x[0], x[1], x[2]);
            let (a, b, c) = pullback(u);
            (v, vec![a, b, c])
        },
        grad: &|x| {
            let (v, (a, b, c)) = straight_grad(x[0], x[1], x[2]);
            (v, vec![a, b, c])
        },
    };
    check(&fns, &[&[0.3, 0.7, -0.2], &[-1.1, 0.4, 0.9], &[2.0, -0.5, 0.1]], 1e-6);
}

#[test]
fn a_long_run_in_f32_agrees_with_f64() {
    for p in [[0.3, 0.7, -0.2], [-1.1, 0.4, 0.9], [2.0, -0.5, 0.1]] {
        let (v64, g64) = straight_grad(p[0], p[1], p[2]);
        let q = p.map(|x| x as f32);
        let (v32, (ga, gb, gc)) = straight_f32_grad(q[0], q[1], q[2]);
        assert!((f64::from(v32) - v64).abs() <= 1e-4 * v64.abs().max(1.0), "{v32} vs {v64}");
        for (g, want) in [(ga, g64.0), (gb, g64.1), (gc, g64.2)] {
            assert!((f64::from(g) - want).abs() <= 1e-3 * want.abs().max(1.0), "{g} vs {want}");
        }
        // Forward against reverse in f32: <u, J v> = <Jᵀ u, v>.
        let (v, u) = ([0.3f32, -0.7, 0.5], 1.5f32);
        let (_, jv) = straight_f32_jvp(q[0], q[1], q[2], v[0], v[1], v[2]);
        let (_, pullback) = straight_f32_vjp(q[0], q[1], q[2]);
        let (a, b, c) = pullback(u);
        let (lhs, rhs) = (u * jv, a * v[0] + b * v[1] + c * v[2]);
        assert!((lhs - rhs).abs() <= 1e-4 * lhs.abs().max(1.0), "{lhs} vs {rhs}");
    }
}

#[test]
fn a_long_loop_body_differentiates_correctly() {
    let fns = Fns {
        name: "looped",
        f: &|x| looped(&x[..3], x[3]),
        jvp: &|x, t| looped_jvp(&x[..3], x[3], t[..3].to_vec(), t[3]),
        vjp: &|x, u| {
            let (v, pullback) = looped_vjp(&x[..3], x[3]);
            let (mut g, gy) = pullback(u);
            g.push(gy);
            (v, g)
        },
        grad: &|x| {
            let (v, (mut g, gy)) = looped_grad(&x[..3], x[3]);
            g.push(gy);
            (v, g)
        },
    };
    check(&fns, &[&[0.3, 0.7, -0.2, 0.5], &[-1.1, 0.4, 0.9, -0.3], &[2.0, -0.5, 0.1, 1.2]], 1e-6);
}
