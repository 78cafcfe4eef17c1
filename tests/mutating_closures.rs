//! Local closures that assign what they captured (`let mut add = |v: f64| s += v;`): inlined at
//! each call, reading and writing the variables themselves (the closure's mutable borrow keeps
//! everything else off them between calls), also from a loop, which then carries what the
//! closure writes. Against the analytic gradient, central differences and JVP against VJP.

mod common;

use common::{check, close};
use tapeless::differentiable;

/// `(Σ e^{k xᵢ} + e^{k}) / (n + 1)`: a closure adding into a sum and a count.
#[differentiable]
fn mean_of_exponentials(x: &[f64], k: f64) -> f64 {
    let mut s = 0.0;
    let mut count = 0;
    let mut add = |v: f64| {
        s += (k * v).exp();
        count += 1;
    };
    for &v in x {
        add(v);
    }
    add(1.0);
    s / count as f64
}

#[test]
fn a_closure_that_assigns_what_it_captured() {
    let k = 0.3;
    let points: [&[f64]; 3] = [&[0.5, 1.0], &[-0.4, 0.2, 1.5], &[2.0]];
    let f = |x: &[f64]| mean_of_exponentials(x, k);
    let fns = common::Fns {
        name: "mean_of_exponentials",
        f: &f,
        jvp: &|x, t| mean_of_exponentials_jvp(x, k, t.to_vec(), 0.0),
        vjp: &|x, u| {
            let (v, pullback) = mean_of_exponentials_vjp(x, k);
            (v, pullback(u).0)
        },
        grad: &|x| {
            let (v, (g, _)) = mean_of_exponentials_grad(x, k);
            (v, g)
        },
    };
    check(&fns, &points, 1e-8);
    for x in points {
        let m = (x.len() + 1) as f64;
        let (value, (g, gk)) = mean_of_exponentials_grad(x, k);
        let total: f64 = x.iter().map(|v| (k * v).exp()).sum::<f64>() + k.exp();
        assert!(close(value, total / m, 1e-15));
        for (gi, v) in g.iter().zip(x) {
            assert!(close(*gi, k * (k * v).exp() / m, 1e-14), "d/dx");
        }
        let want_k = (x.iter().map(|v| v * (k * v).exp()).sum::<f64>() + k.exp()) / m;
        assert!(close(gk, want_k, 1e-14), "d/dk = {gk} vs {want_k}");
        let fd = common::central(&|p: &[f64]| mean_of_exponentials(x, p[0]), &[k], 0);
        assert!(close(gk, fd, 1e-8), "d/dk {gk} vs central differences {fd}");
    }
}
