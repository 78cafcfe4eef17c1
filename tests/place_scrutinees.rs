//! Settings read in place: a `match`, `if let` or `let .. else` on `*kind` of a reference to an
//! enum that is not `Copy`, or on a field of a struct (`self.model`, `b.kind`), binds its parts
//! by copy without moving the setting out; and fields marked `#[no_grad]` (or holding no float:
//! a count, an enum) of a differentiated struct are constants, which the struct's tangent does
//! not have. Each gradient is checked against its analytic value and central differences, and
//! forward mode against reverse mode.

mod common;

use common::{central, check, close};
use tapeless::{Differentiable, differentiable};

/// A loss chosen by a setting that owns data, so it is neither `Copy` nor moved out of.
#[derive(Clone, Debug)]
pub enum Loss {
    Squared,
    Huber(f64),
    Cauchy { c: f64 },
    Named(String),
}

/// The robust loss of residuals, the loss read through a reference as published code reads it.
#[differentiable(wrt(r))]
fn robust(r: &[f64], loss: &Loss) -> f64 {
    let mut total = 0.0;
    for &ri in r {
        total += match *loss {
            Loss::Squared => 0.5 * ri * ri,
            Loss::Huber(d) => d * d * ((1.0 + (ri / d).powi(2)).sqrt() - 1.0),
            Loss::Cauchy { c } => 0.5 * c * c * (1.0 + (ri / c).powi(2)).ln(),
            Loss::Named(_) => ri,
        };
    }
    total
}

fn robust_term_derivative(ri: f64, loss: &Loss) -> f64 {
    match loss {
        Loss::Squared => ri,
        Loss::Huber(d) => ri / (1.0 + (ri / d).powi(2)).sqrt(),
        Loss::Cauchy { c } => ri / (1.0 + (ri / c).powi(2)),
        Loss::Named(_) => 1.0,
    }
}

#[test]
fn a_match_on_a_dereferenced_setting_that_is_not_copy() {
    let losses = [Loss::Squared, Loss::Huber(0.5), Loss::Cauchy { c: 2.0 }, Loss::Named("plain".into())];
    for loss in &losses {
        let fns = slice_fns_with!(robust, robust_jvp, robust_vjp, robust_grad; loss);
        let points: [&[f64]; 3] = [&[1.0, -2.0], &[0.3, 0.7, -1.1], &[2.0]];
        check(&fns, &points, 1e-8);
        for x in points {
            let (_, g) = robust_grad(x, loss);
            for (i, &xi) in x.iter().enumerate() {
                let want = robust_term_derivative(xi, loss);
                assert!(close(g[i], want, 1e-13), "{loss:?}: d/dx{i} = {} vs {want}", g[i]);
            }
        }
    }
}

/// `if let` and `let .. else` on the dereferenced setting.
#[differentiable(wrt(x))]
fn scaled(x: &[f64], loss: &Loss) -> f64 {
    let Loss::Cauchy { c } = *loss else {
        if let Loss::Huber(d) = *loss {
            return d * x[0] * x[1];
        }
        return x[0];
    };
    c * x[1].sin()
}

#[test]
fn if_let_and_let_else_on_a_dereferenced_setting() {
    for loss in [Loss::Cauchy { c: 1.5 }, Loss::Huber(-0.5), Loss::Squared] {
        let fns = slice_fns_with!(scaled, scaled_jvp, scaled_vjp, scaled_grad; &loss);
        let points: [&[f64]; 3] = [&[0.3, -0.7], &[1.2, 0.4], &[-2.0, 1.1]];
        check(&fns, &points, 1e-8);
        for x in points {
            let want = match loss {
                Loss::Cauchy { c } => vec![0.0, c * x[1].cos()],
                Loss::Huber(d) => vec![d * x[1], d * x[0]],
                _ => vec![1.0, 0.0],
            };
            assert_eq!(scaled_grad(x, &loss).1, want, "{loss:?} at {x:?}");
        }
    }
}

/// A spring whose law is a setting, with a mass and a step count that are not differentiated.
#[derive(Clone, Debug, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: f64,
    #[no_grad]
    pub law: Loss,
    #[no_grad]
    pub mass: f64,
    #[no_grad]
    pub steps: usize,
}

impl Spring {
    /// `steps` periods of the spring's energy at `x`, by its law, weighted by the mass.
    #[differentiable(wrt(self, x))]
    pub fn energy(&self, x: f64) -> f64 {
        let d = x - self.rest;
        let per_step = match self.law {
            Loss::Squared => 0.5 * self.k * d * d,
            Loss::Huber(p) => self.k * d.powi(3) * p,
            _ => self.k * d,
        };
        let mut total = 0.0;
        for _ in 0..self.steps {
            total += self.mass * per_step;
        }
        total
    }
}

#[test]
fn a_match_on_a_field_and_no_grad_fields_of_a_differentiated_struct() {
    for law in [Loss::Squared, Loss::Huber(0.5), Loss::Named("linear".into())] {
        let s = Spring { k: 2.0, rest: 0.5, law: law.clone(), mass: 3.0, steps: 2 };
        let x = 1.7;
        let (value, (gs, gx)) = s.energy_grad(x);
        assert!(close(value, s.energy(x), 0.0));
        let d = x - s.rest;
        let w = s.mass * s.steps as f64;
        // (d/dk, d/dx); d/drest is -d/dx.
        let (want_k, want_x) = match law {
            Loss::Squared => (w * 0.5 * d * d, w * s.k * d),
            Loss::Huber(p) => (w * d.powi(3) * p, w * 3.0 * s.k * d * d * p),
            _ => (w * d, w * s.k),
        };
        assert!(close(gs.k, want_k, 1e-14) && close(gx, want_x, 1e-14), "{law:?}: {gs:?}, {gx}");
        assert!(close(gs.rest, -want_x, 1e-14), "{law:?}: {gs:?}");
        // Against central differences in (k, rest, x).
        let f = |p: &[f64]| Spring { k: p[0], rest: p[1], ..s.clone() }.energy(p[2]);
        let at = [s.k, s.rest, x];
        for (i, g) in [gs.k, gs.rest, gx].into_iter().enumerate() {
            let fd = central(&f, &at, i);
            assert!(close(g, fd, 1e-8), "{law:?}: d/dp{i} = {g} vs {fd}");
        }
        // <u, J v> = <Jᵀ u, v>.
        let (dk, drest, dx) = (0.3, -0.8, 0.45);
        let (_, t) = s.energy_jvp(x, SpringTangent { k: dk, rest: drest }, dx);
        let (_, pullback) = s.energy_vjp(x);
        let (ps, px) = pullback(1.0);
        assert!(close(t, ps.k * dk + ps.rest * drest + px * dx, 1e-13), "{law:?}");
    }
}

/// A collection of bodies: the `#[no_grad]` mass read by element and by index.
#[derive(Clone, Debug, Differentiable)]
pub struct Body {
    pub x: f64,
    pub v: f64,
    #[no_grad]
    pub mass: f64,
}

#[differentiable]
#[allow(clippy::needless_range_loop)]
fn total_energy(bodies: &[Body]) -> f64 {
    let mut e = 0.0;
    for b in bodies {
        e += 0.5 * b.mass * b.v * b.v;
    }
    for i in 0..bodies.len() {
        e += bodies[i].mass * 9.81 * bodies[i].x;
    }
    e
}

#[test]
fn no_grad_fields_of_a_collection_of_structs() {
    let bodies = vec![Body { x: 1.0, v: 2.0, mass: 3.0 }, Body { x: -1.0, v: 0.5, mass: 2.0 }];
    let (value, g) = total_energy_grad(&bodies);
    assert!(close(value, total_energy(&bodies), 0.0));
    let flat = |p: &[f64]| {
        let bs: Vec<Body> = bodies
            .iter()
            .enumerate()
            .map(|(i, b)| Body { x: p[2 * i], v: p[2 * i + 1], ..b.clone() })
            .collect();
        total_energy(&bs)
    };
    let at: Vec<f64> = bodies.iter().flat_map(|b| [b.x, b.v]).collect();
    for (i, b) in bodies.iter().enumerate() {
        assert!(close(g[i].x, b.mass * 9.81, 1e-14) && close(g[i].v, b.mass * b.v, 1e-14), "{:?}", g[i]);
        assert!(close(g[i].x, central(&flat, &at, 2 * i), 1e-8));
        assert!(close(g[i].v, central(&flat, &at, 2 * i + 1), 1e-8));
    }
    let dirs = vec![BodyTangent { x: 0.3, v: -0.2 }, BodyTangent { x: 1.1, v: 0.7 }];
    let (_, t) = total_energy_jvp(&bodies, dirs.clone());
    let (_, pullback) = total_energy_vjp(&bodies);
    let back = pullback(1.0);
    let dot: f64 = back.iter().zip(&dirs).map(|(b, d)| b.x * d.x + b.v * d.v).sum();
    assert!(close(t, dot, 1e-13));
}
