//! Struct patterns of references (`let Net { w, c } = net;`, `let Self { .. } = self;`), which
//! bind each field by reference as Rust's default binding mode does, and `match` arms that bind
//! the whole value and are chosen by guards marked `piecewise`. Each gradient is checked against
//! the analytic one and central differences, and `_jvp` against `_vjp`.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::Vector3;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub c: f64,
}

/// `c + Σ_j w_j sin(j x)` with `c` read through the reference the pattern binds (`*c`) and the
/// weights through it by index and by iteration.
#[differentiable(wrt(net))]
fn net_output(net: &Net, x: f64) -> f64 {
    let Net { w, c } = net;
    let mut y = *c;
    for (j, wj) in w.iter().enumerate() {
        y += wj * ((j + 1) as f64 * x).sin();
    }
    y + w[0] * c
}

fn net_of(p: &[f64]) -> Net {
    Net { w: p[1..].to_vec(), c: p[0] }
}

fn net_flat(n: &Net) -> Vec<f64> {
    [vec![n.c], n.w.clone()].concat()
}

#[test]
fn fields_of_a_borrowed_record() {
    let (p, x) = ([0.4, 1.5, -0.7, 0.2], 0.9);
    let (value, g) = net_output_grad(&net_of(&p), x);
    let s = |j: usize| ((j + 1) as f64 * x).sin();
    assert!(close(value, 0.4 + 1.5 * s(0) - 0.7 * s(1) + 0.2 * s(2) + 1.5 * 0.4, 1e-15));
    // Analytic: ∂/∂c = 1 + w_0, ∂/∂w_j = sin((j+1) x) (+ c for j = 0).
    let want = [1.0 + 1.5, s(0) + 0.4, s(1), s(2)];
    common::assert_close(&net_flat(&g), &want, 1e-14, "net_output gradient");
    let f = |q: &[f64]| net_output(&net_of(q), x);
    gradient_central("net_output", &f, &p, &net_flat(&g), 1e-8);
    let v = [0.3, -1.1, 0.6, 0.25];
    let (_, t) = net_output_jvp(&net_of(&p), x, net_of(&v));
    let net = net_of(&p);
    let (_, pullback) = net_output_vjp(&net, x);
    let u = 1.7;
    forward_against_reverse("net_output", t, &v, u, &net_flat(&pullback(u)), 1e-14);
}

#[derive(Clone, Debug, Differentiable)]
pub struct Unit2 {
    pub weight: f64,
    pub bias: f64,
    pub gains: [f64; 2],
}

impl Unit2 {
    /// `g0 sin(w x + b) + g1 w`, its fields bound by `let Self { .. } = self;` (a field renamed,
    /// an array field taken apart by its own pattern).
    #[differentiable(wrt(self))]
    fn response(&self, x: f64) -> f64 {
        let Self { weight: w, bias, gains: [g0, g1] } = self;
        (w * x + bias).sin() * g0 + *g1 * *w
    }
}

fn unit_of(p: &[f64]) -> Unit2 {
    Unit2 { weight: p[0], bias: p[1], gains: [p[2], p[3]] }
}

fn unit_flat(u: &Unit2) -> Vec<f64> {
    vec![u.weight, u.bias, u.gains[0], u.gains[1]]
}

#[test]
fn fields_of_self_by_reference() {
    let (p, x) = ([0.8, -0.3, 1.2, 0.5], 0.6);
    let (value, g) = unit_of(&p).response_grad(x);
    let z = 0.8 * x - 0.3;
    assert!(close(value, z.sin() * 1.2 + 0.5 * 0.8, 1e-15));
    let want = [z.cos() * x * 1.2 + 0.5, z.cos() * 1.2, z.sin(), 0.8];
    common::assert_close(&unit_flat(&g), &want, 1e-14, "response gradient");
    gradient_central("response", &|q: &[f64]| unit_of(q).response(x), &p, &unit_flat(&g), 1e-8);
    let v = [0.1, 0.9, -0.4, 1.3];
    let (_, t) = unit_of(&p).response_jvp(x, unit_of(&v));
    let unit = unit_of(&p);
    let (_, pullback) = unit.response_vjp(x);
    forward_against_reverse("response", t, &v, 0.7, &unit_flat(&pullback(0.7)), 1e-14);
}

/// Constant settings with a `Vec` field, which a pattern of `*d` could not move out.
pub struct Samples {
    pub ts: Vec<f64>,
    pub k: f64,
    pub n: usize,
}

/// `k n Σ_i sin(t_i x) + k x`.
#[differentiable(wrt(x))]
fn sampled(d: &Samples, x: f64) -> f64 {
    let Samples { ts, k, n } = d;
    ts.iter().map(|t| (t * x).sin()).sum::<f64>() * k * *n as f64 + *k * x
}

pub struct Body {
    pub pos: Vector3<f64>,
    pub mass: f64,
}

/// `Σ_b m_b cos(p_b.x a + p_b.y c)` over constant bodies taken apart in the loop.
#[differentiable(wrt(q))]
fn field_energy(bodies: &[Body], q: &[f64]) -> f64 {
    let mut e = 0.0;
    for b in bodies {
        let Body { pos, mass } = b;
        e += mass * (pos.x * q[0] + pos.y * q[1]).cos();
    }
    e
}

#[test]
fn fields_of_borrowed_constants() {
    let d = Samples { ts: vec![0.1, 0.5, 2.0], k: 1.5, n: 2 };
    let x = 0.7;
    let (value, dx) = sampled_grad(&d, x);
    assert!(close(value, d.ts.iter().map(|t| (t * x).sin()).sum::<f64>() * 3.0 + 1.5 * x, 1e-15));
    let want: f64 = d.ts.iter().map(|t| t * (t * x).cos()).sum::<f64>() * 3.0 + 1.5;
    assert!(close(dx, want, 1e-14), "{dx} {want}");
    gradient_central("sampled", &|q: &[f64]| sampled(&d, q[0]), &[x], &[dx], 1e-8);
    let (_, t) = sampled_jvp(&d, x, 0.4);
    let (_, pullback) = sampled_vjp(&d, x);
    forward_against_reverse("sampled", t, &[0.4], 1.3, &[pullback(1.3)], 1e-14);

    let bodies = [
        Body { pos: Vector3::new(1.0, 2.0, 0.0), mass: 2.0 },
        Body { pos: Vector3::new(-1.0, 0.5, 3.0), mass: 0.5 },
    ];
    let q = [0.3, -0.4];
    let (_, g) = field_energy_grad(&bodies, &q);
    let want: Vec<f64> = (0..2)
        .map(|i| {
            bodies
                .iter()
                .map(|b| -b.mass * (b.pos.x * q[0] + b.pos.y * q[1]).sin() * [b.pos.x, b.pos.y][i])
                .sum()
        })
        .collect();
    common::assert_close(&g, &want, 1e-14, "field_energy gradient");
    gradient_central("field_energy", &|q: &[f64]| field_energy(&bodies, q), &q, &g, 1e-8);
    let v = [0.5, 1.5];
    let (_, t) = field_energy_jvp(&bodies, &q, v.to_vec());
    let (_, pullback) = field_energy_vjp(&bodies, &q);
    forward_against_reverse("field_energy", t, &v, 0.8, &pullback(0.8), 1e-14);
}

#[derive(Clone, Debug, Differentiable)]
pub struct Pair {
    pub a: f64,
    pub b: f64,
}

/// `e^(a b) + a³` with `a`, `b` bound by reference, with its Hessian.
#[differentiable(hessian, wrt(p))]
fn coupled(p: &Pair) -> f64 {
    let Pair { a, b } = p;
    (a * b).exp() + a.powi(3)
}

#[test]
fn fields_by_reference_in_second_order() {
    let (a, b) = (0.3, 0.5);
    let (_, g, h) = coupled_hessian(&Pair { a, b });
    let e = (a * b).exp();
    common::assert_close(&[g.a, g.b], &[b * e + 3.0 * a * a, a * e], 1e-14, "coupled gradient");
    let want = [b * b * e + 6.0 * a, e + a * b * e, e + a * b * e, a * a * e];
    common::assert_close(&[h[(0, 0)], h[(0, 1)], h[(1, 0)], h[(1, 1)]], &want, 1e-13, "coupled Hessian");
    for i in 0..2 {
        let gi = |q: &[f64]| {
            let g = coupled_grad(&Pair { a: q[0], b: q[1] }).1;
            [g.a, g.b][i]
        };
        let row: Vec<f64> = (0..2).map(|j| common::central(&gi, &[a, b], j)).collect();
        common::assert_close(&row, &[h[(i, 0)], h[(i, 1)]], 1e-8, "coupled Hessian against _grad");
    }
    let f = |q: &[f64]| coupled(&Pair { a: q[0], b: q[1] });
    gradient_central("coupled", &f, &[a, b], &[g.a, g.b], 1e-8);
    let v = Pair { a: 0.7, b: -1.3 };
    let at = Pair { a, b };
    let (_, t) = coupled_jvp(&at, v.clone());
    let (_, pullback) = coupled_vjp(&at);
    let back = pullback(1.9);
    forward_against_reverse("coupled", t, &[v.a, v.b], 1.9, &[back.a, back.b], 1e-14);
}

/// `|x|` below zero, `x²` up to one, `√x` above, by guards on the bound value.
#[differentiable]
fn pieces(x: f64) -> f64 {
    match x {
        v if tapeless::piecewise(v < 0.0) => -v,
        v if tapeless::piecewise(v < 1.0) => v * v,
        _ => x.sqrt(),
    }
}

/// A Huber loss with the arm chosen by a guard on the residual's size.
#[differentiable(wrt(r))]
fn huber(r: &[f64], delta: f64) -> f64 {
    r.iter()
        .map(|&ri| match ri.abs() {
            a if tapeless::piecewise(a <= delta) => 0.5 * ri * ri,
            a => delta * (a - 0.5 * delta),
        })
        .sum()
}

#[test]
fn guards_on_a_bound_value() {
    for (x, want) in [(-0.5, -1.0), (0.5, 1.0), (4.0, 0.25)] {
        let (_, d) = pieces_grad(x);
        assert!(close(d, want, 1e-15), "{x}: {d}");
        gradient_central("pieces", &|q: &[f64]| pieces(q[0]), &[x], &[d], 1e-8);
        let (_, t) = pieces_jvp(x, 0.6);
        forward_against_reverse("pieces", t, &[0.6], 1.1, &[pieces_vjp(x).1(1.1)], 1e-15);
    }
    let (r, delta) = ([0.3, -2.0, 1.5, -0.1], 1.0);
    let (_, g) = huber_grad(&r, delta);
    let want: Vec<f64> =
        r.iter().map(|&ri: &f64| if ri.abs() <= delta { ri } else { delta * ri.signum() }).collect();
    common::assert_close(&g, &want, 1e-15, "huber gradient");
    gradient_central("huber", &|q: &[f64]| huber(q, delta), &r, &g, 1e-8);
    let v = [1.0, 0.5, -0.2, 0.9];
    let (_, t) = huber_jvp(&r, delta, v.to_vec());
    forward_against_reverse("huber", t, &v, 2.0, &huber_vjp(&r, delta).1(2.0), 1e-14);
}
