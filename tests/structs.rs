//! `#[derive(Differentiable)]` parameter structs: field reads in both modes, gradient steps.

// Index loops are how numerical code is written.
#![allow(clippy::needless_range_loop)]

mod common;

use tapeless::{Differentiable, Tangent, differentiable};

/// A one-hidden-layer network with parameters in a struct: `y = sum_j v_j tanh(w_j x + b_j) + c`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub v: Vec<f64>,
    pub c: f64,
}

#[differentiable(wrt(net))]
fn predict(net: &Net, x: f64) -> f64 {
    let mut y = net.c;
    for j in 0..net.w.len() {
        y += net.v[j] * (net.w[j] * x + net.b[j]).tanh();
    }
    y
}

#[differentiable(wrt(net))]
fn loss(net: &Net, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..xs.len() {
        let mut y = net.c;
        for j in 0..net.w.len() {
            y += net.v[j] * (net.w[j] * xs[i] + net.b[j]).tanh();
        }
        let r = y - ys[i];
        total += r * r;
    }
    total / xs.len() as f64
}

/// A struct with a constant field gets a separate tangent type.
#[derive(Clone, Debug, Differentiable)]
pub struct Scaled {
    pub weights: [f64; 3],
    #[no_grad]
    pub name: String,
}

#[differentiable(wrt(s))]
fn weighted(s: &Scaled, x: &[f64]) -> f64 {
    let mut t = 0.0;
    for i in 0..3 {
        t += s.weights[i] * x[i] * x[i];
    }
    t
}

fn net() -> Net {
    Net { w: vec![0.5, -1.2, 0.8], b: vec![0.1, 0.0, -0.3], v: vec![1.0, 0.7, -0.4], c: 0.2 }
}

/// The parameters as a flat vector and back, for central differences.
fn flat(n: &Net) -> Vec<f64> {
    n.w.iter().chain(&n.b).chain(&n.v).copied().chain([n.c]).collect()
}
fn unflat(p: &[f64]) -> Net {
    Net { w: p[0..3].to_vec(), b: p[3..6].to_vec(), v: p[6..9].to_vec(), c: p[9] }
}

#[test]
fn gradient_of_a_parameter_struct() {
    let (xs, ys) = ([0.1, -0.4, 0.9, 1.5], [0.3, -0.2, 0.5, 0.1]);
    let n = net();
    let (value, g) = loss_grad(&n, &xs, &ys);
    assert_eq!(value, loss(&n, &xs, &ys));
    let f = |p: &[f64]| loss(&unflat(p), &xs, &ys);
    let (p, gp) = (flat(&n), flat(&g));
    for i in 0..p.len() {
        let fd = common::central(&f, &p, i);
        assert!(common::close(gp[i], fd, 1e-9), "d/dp{i}: {} vs {fd}", gp[i]);
    }
    // Forward mode along a direction in parameter space.
    let d = unflat(&common::direction(10, 4));
    let (_, t) = loss_jvp(&n, &xs, &ys, d.clone());
    assert!(common::close(t, g.dot(&d), 1e-12), "{t} vs {}", g.dot(&d));
    let (y, dy) = predict_grad(&n, 0.5);
    assert_eq!(y, predict(&n, 0.5));
    assert_eq!(dy.c, 1.0);
}

#[test]
fn gradient_descent_in_one_line() {
    let (xs, ys) = ([0.1, -0.4, 0.9, 1.5], [0.3, -0.2, 0.5, 0.1]);
    let mut params = net();
    let start = loss(&params, &xs, &ys);
    for _ in 0..50 {
        let (_, grad) = loss_grad(&params, &xs, &ys);
        params = params - 0.1 * grad;
    }
    let end = loss(&params, &xs, &ys);
    assert!(end < 0.5 * start, "loss {start} -> {end}");
}

#[test]
fn no_grad_fields_get_a_separate_tangent() {
    let s = Scaled { weights: [1.0, 2.0, 3.0], name: "w".into() };
    let x = [0.5, 1.0, -2.0];
    let (value, g): (f64, ScaledTangent) = weighted_grad(&s, &x);
    assert_eq!(value, weighted(&s, &x));
    assert_eq!(g.weights, [0.25, 1.0, 4.0]);
    let stepped = s.clone() - 0.5 * g.clone();
    assert_eq!(stepped.weights, [0.875, 1.5, 1.0]);
    assert_eq!(stepped.name, "w");
    let (_, t) = weighted_jvp(&s, &x, ScaledTangent { weights: [1.0, 0.0, 1.0] });
    assert_eq!(t, 0.25 + 4.0);
    assert_eq!(s.zero_tangent(), ScaledTangent { weights: [0.0; 3] });
}

/// `&self` of a derived struct, differentiated with `wrt(self, ..)`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: [f64; 2],
}

impl Spring {
    #[differentiable(wrt(self, x))]
    pub fn energy(&self, x: f64) -> f64 {
        let d = x - self.rest[0] - self.rest[1];
        0.5 * self.k * d * d + self.scale(x)
    }

    #[differentiable(wrt(self, x))]
    pub fn scale(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

#[test]
fn a_differentiated_receiver() {
    let s = Spring { k: 3.0, rest: [0.25, 0.5] };
    let x = 1.5;
    let (value, (ds, dx)) = s.energy_grad(x);
    assert_eq!(value, s.energy(x));
    let d = x - 0.75;
    // d/dk = d²/2 + sin x: `self.scale(x)` composes through `scale_vjp`, receiver included.
    assert!((ds.k - (0.5 * d * d + x.sin())).abs() < 1e-14, "{}", ds.k);
    assert_eq!(ds.rest, [-3.0 * d, -3.0 * d]);
    assert!((dx - (3.0 * d + 3.0 * x.cos())).abs() < 1e-14);
    let (_, t) = s.energy_jvp(x, Spring { k: 1.0, rest: [0.0, 1.0] }, 0.5);
    assert!((t - (ds.k + ds.rest[1] + 0.5 * dx)).abs() < 1e-14);
    // Central differences on k.
    let h = 1e-6;
    let up = Spring { k: 3.0 + h, ..s.clone() }.energy(x);
    let down = Spring { k: 3.0 - h, ..s.clone() }.energy(x);
    let fd = (up - down) / (2.0 * h);
    assert!((fd - ds.k).abs() < 1e-8, "{fd} vs {}", ds.k);
}

/// A derived struct whose methods are named like rules (`norm`, `sum`, `sin_cos`): calls
/// on it are the user's methods, composed through their `_jvp`/`_vjp`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Pair {
    pub a: f64,
    pub b: f64,
}

impl Pair {
    #[differentiable(wrt(self))]
    pub fn norm(&self) -> f64 {
        (self.a * self.a + self.b * self.b).sqrt()
    }

    #[differentiable(wrt(self, x))]
    pub fn sum(&self, x: f64) -> f64 {
        self.norm() * x + self.a
    }

    #[differentiable(wrt(self))]
    pub fn sin_cos(&self) -> f64 {
        self.a.sin() * self.b.cos()
    }
}

#[differentiable(wrt(p))]
fn pair_energy(p: &Pair) -> f64 {
    p.norm() * 2.0 + p.sum(0.5).sin() + p.sin_cos()
}

#[test]
fn methods_named_like_rules_stay_the_users() {
    let p = Pair { a: 0.8, b: -1.4 };
    let f = |q: &[f64]| pair_energy(&Pair { a: q[0], b: q[1] });
    let (value, g) = pair_energy_grad(&p);
    assert_eq!(value, f(&[p.a, p.b]));
    for (i, gi) in [g.a, g.b].iter().enumerate() {
        let fd = common::central(&f, &[p.a, p.b], i);
        assert!(common::close(*gi, fd, 1e-9), "d/dp{i}: {gi} vs {fd}");
    }
    let (_, t) = pair_energy_jvp(&p, Pair { a: 0.3, b: -0.6 });
    assert!(common::close(t, 0.3 * g.a - 0.6 * g.b, 1e-12));
}
