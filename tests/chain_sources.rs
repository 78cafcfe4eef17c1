//! Chain and loop sources with literal bounds (`(0..3).map(..)`, `x[..3].iter()`, `for v in
//! x[1..4].iter()`): each checked against its analytic gradient, central differences and JVP
//! against VJP (`common::check`).

mod common;

use common::{Fns, check};
use tapeless::differentiable;

/// `Σ_{i<3} x_i² + Σ_{i<3} x_i + Σ_{1≤i<4} x_i³`.
#[differentiable]
fn heads(x: &[f64]) -> f64 {
    let squares: f64 = (0..3).map(|i| x[i] * x[i]).sum();
    let sum: f64 = x[..3].iter().sum();
    let mut cubes = 0.0;
    for v in x[1..4].iter() {
        cubes += v * v * v;
    }
    let last: f64 = (1..=2).map(|i| x[i + 2]).sum();
    squares + sum + cubes + last
}

#[test]
fn literal_bounds_of_ranges_and_sub_slices() {
    let grad = |x: &[f64]| {
        let analytic: Vec<f64> = (0..x.len())
            .map(|i| {
                let mut g = 0.0;
                if i < 3 {
                    g += 2.0 * x[i] + 1.0;
                }
                if (1..4).contains(&i) {
                    g += 3.0 * x[i] * x[i];
                }
                if (3..=4).contains(&i) {
                    g += 1.0;
                }
                g
            })
            .collect();
        let (v, g) = heads_grad(x);
        for (a, b) in g.iter().zip(&analytic) {
            assert!(common::close(*a, *b, 1e-14), "{g:?} vs analytic {analytic:?}");
        }
        (v, g)
    };
    let fns = Fns {
        name: "heads",
        f: &heads,
        jvp: &|x, t| heads_jvp(x, t.to_vec()),
        vjp: &|x, u| {
            let (v, pullback) = heads_vjp(x);
            (v, pullback(u))
        },
        grad: &grad,
    };
    check(
        &fns,
        &[&[0.5, -1.0, 2.0, 0.3, 1.5], &[1.0, 2.0, 3.0, 4.0, 5.0], &[-0.2, 0.7, -1.3, 2.2, 0.0]],
        1e-8,
    );
}
