//! Patterns that take apart constants: a `match` or `if let` on an `Option<f64>` parameter or
//! an enum of settings, binding its parts (`Some(k)`, `Loss::Huber(d)`, `Loss::Scaled { k, p }`),
//! by value and by reference. Each function is checked against its analytic gradient, central
//! differences, and forward against reverse mode (`common::check`).

mod common;

use common::{Fns, check};
use tapeless::differentiable;

/// `k x` for `Some(k)`, `x` for `None`.
#[differentiable(wrt(x))]
fn scaled(x: f64, factor: Option<f64>) -> f64 {
    match factor {
        Some(k) => k * x.sin(),
        None => x,
    }
}

/// A loss chosen by a setting, with an optional ridge term read through a reference.
#[derive(Clone, Copy, Debug)]
enum Loss {
    Squared,
    Huber(f64),
    Scaled { k: f64, p: i32 },
}

#[differentiable(wrt(r))]
fn loss(r: &[f64], kind: Loss, ridge: &Option<f64>) -> f64 {
    let mut total = 0.0;
    for &ri in r {
        total += match kind {
            Loss::Squared => 0.5 * ri * ri,
            Loss::Huber(d) => d * d * ((1.0 + (ri / d).powi(2)).sqrt() - 1.0),
            Loss::Scaled { k, p } => k * ri.powi(p),
        };
    }
    if let Some(l) = ridge {
        total += *l * r.iter().map(|v| v * v).sum::<f64>();
    }
    total
}

/// The derivative of one term of `loss` by hand.
fn loss_term_derivative(ri: f64, kind: Loss) -> f64 {
    match kind {
        Loss::Squared => ri,
        Loss::Huber(d) => ri / (1.0 + (ri / d).powi(2)).sqrt(),
        Loss::Scaled { k, p } => k * p as f64 * ri.powi(p - 1),
    }
}

#[test]
fn an_option_parameter_in_a_match() {
    for factor in [Some(3.0), Some(-0.5), None] {
        let f = move |x: &[f64]| scaled(x[0], factor);
        let fns = Fns {
            name: "scaled",
            f: &f,
            jvp: &|x, t| scaled_jvp(x[0], factor, t[0]),
            vjp: &|x, u| {
                let (v, pullback) = scaled_vjp(x[0], factor);
                (v, vec![pullback(u)])
            },
            grad: &|x| {
                let (v, g) = scaled_grad(x[0], factor);
                (v, vec![g])
            },
        };
        check(&fns, &[&[0.3], &[-1.2], &[2.5]], 1e-8);
        for x in [0.3, -1.2, 2.5] {
            let want = factor.map_or(1.0, |k| k * f64::cos(x));
            assert!(common::close(scaled_grad(x, factor).1, want, 1e-14), "{factor:?} at {x}");
        }
    }
}

#[test]
fn an_enum_of_settings_and_an_option_by_reference() {
    let kinds = [Loss::Squared, Loss::Huber(0.5), Loss::Scaled { k: 2.0, p: 3 }];
    for kind in kinds {
        for ridge in [Some(0.1), None] {
            let fns = slice_fns_with!(loss, loss_jvp, loss_vjp, loss_grad; kind, &ridge);
            let points: [&[f64]; 3] = [&[1.0, -2.0], &[0.3, 0.7, -1.1], &[2.0]];
            check(&fns, &points, 1e-8);
            for x in points {
                let (_, g) = loss_grad(x, kind, &ridge);
                for (i, &xi) in x.iter().enumerate() {
                    let want = loss_term_derivative(xi, kind) + 2.0 * ridge.unwrap_or(0.0) * xi;
                    assert!(
                        common::close(g[i], want, 1e-13),
                        "{kind:?}, {ridge:?}: d/dx{i} = {} vs {want}",
                        g[i]
                    );
                }
            }
        }
    }
}

/// `let Some(k) = factor else { return .. };` and `let Loss::Huber(d) = kind else { .. };`.
#[differentiable(wrt(x))]
fn let_else(x: &[f64], factor: Option<f64>, kind: Loss) -> f64 {
    let Some(k) = factor else {
        return x[0];
    };
    let Loss::Huber(d) = kind else {
        return k * x[0] * x[1];
    };
    k * d * x[1].sin()
}

#[test]
fn let_else_of_constants() {
    for (factor, kind) in
        [(Some(2.0), Loss::Huber(0.5)), (Some(-1.5), Loss::Squared), (None, Loss::Huber(0.5))]
    {
        let fns = slice_fns_with!(let_else, let_else_jvp, let_else_vjp, let_else_grad; factor, kind);
        let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
        check(&fns, &points, 1e-8);
        for x in points {
            let want = match (factor, kind) {
                (None, _) => vec![1.0, 0.0],
                (Some(k), Loss::Huber(d)) => vec![0.0, k * d * x[1].cos()],
                (Some(k), _) => vec![k * x[1], k * x[0]],
            };
            assert_eq!(let_else_grad(x, factor, kind).1, want, "{factor:?}, {kind:?} at {x:?}");
        }
    }
}
