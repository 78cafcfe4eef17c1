//! A differentiated slice or `Vec` of `#[derive(Differentiable)]` structs (an array of structs,
//! as simulation code keeps particles and bodies): read by element fields in chains, index
//! loops, sub-slice loops and through a helper. The gradient is a `Vec` of the structs'
//! tangents. Each against its closed form and central differences, JVP against VJP.

mod common;

use common::assert_close;
use nalgebra::Vector3;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
struct Particle {
    x: f64,
    v: f64,
}

#[derive(Clone, Copy, Debug, Differentiable)]
struct Body {
    pos: Vector3<f64>,
    vel: Vector3<f64>,
    mass: f64,
}

/// `Σ ½ vᵢ² + ½ k xᵢ²` through an iterator chain.
#[differentiable(wrt(ps, k))]
fn oscillators(ps: &[Particle], k: f64) -> f64 {
    ps.iter().map(|p| 0.5 * p.v * p.v + 0.5 * k * p.x * p.x).sum()
}

/// A pair potential read as `ps[i].x`.
#[differentiable(wrt(ps))]
fn pairs(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        for j in (i + 1)..ps.len() {
            let d = ps[i].x - ps[j].x;
            e += 1.0 / (d * d + 0.1) + ps[i].v * ps[j].v;
        }
    }
    e
}

#[differentiable(wrt(p))]
fn momentum(p: &Particle) -> f64 {
    p.x * p.v
}

/// A `Vec` by value, each element passed to a helper.
#[differentiable(wrt(ps))]
fn through_helper(ps: Vec<Particle>) -> f64 {
    let mut s = 0.0;
    for p in &ps {
        s += p.x.sin() * p.v + momentum(p);
    }
    s
}

/// The n-body energy: `Σ ½ mᵢ |vᵢ|² - Σ_{i<j} mᵢ mⱼ / |pᵢ - pⱼ|`.
#[differentiable(wrt(bodies))]
fn energy(bodies: &[Body]) -> f64 {
    let mut e = 0.0;
    for (i, b) in bodies.iter().enumerate() {
        e += 0.5 * b.mass * b.vel.norm_squared();
        for b2 in &bodies[i + 1..] {
            e -= b.mass * b2.mass / (b.pos - b2.pos).norm();
        }
    }
    e
}

fn particles() -> Vec<Particle> {
    vec![Particle { x: 0.3, v: 1.0 }, Particle { x: -0.2, v: 0.5 }, Particle { x: 0.7, v: -0.4 }]
}

fn bodies() -> Vec<Body> {
    vec![
        Body { pos: Vector3::new(0.0, 1.0, 0.0), vel: Vector3::new(0.1, 0.0, 0.0), mass: 1.0 },
        Body { pos: Vector3::new(1.0, 0.0, 0.5), vel: Vector3::new(0.0, 0.2, 0.1), mass: 2.0 },
        Body { pos: Vector3::new(-0.5, 0.3, 0.2), vel: Vector3::new(0.3, 0.1, 0.1), mass: 0.5 },
    ]
}

fn flat(ps: &[Particle]) -> Vec<f64> {
    ps.iter().flat_map(|p| [p.x, p.v]).collect()
}

fn unflat(x: &[f64]) -> Vec<Particle> {
    x.chunks(2).map(|c| Particle { x: c[0], v: c[1] }).collect()
}

/// The central differences of `f` in every particle coordinate, against `g`.
fn check_against_central(f: impl Fn(&[Particle]) -> f64, g: &[Particle], at: &[Particle]) {
    let fd = common::central_gradient(|x| f(&unflat(x)), &flat(at));
    assert_close(&flat(g), &fd, 1e-7, "central differences");
}

#[test]
fn oscillators_against_their_closed_form() {
    let ps = particles();
    for k in [2.0, 0.5] {
        let (value, (g, gk)) = oscillators_grad(&ps, k);
        assert_close(&[value], &[oscillators(&ps, k)], 1e-15, "value");
        let want: Vec<Particle> = ps.iter().map(|p| Particle { x: k * p.x, v: p.v }).collect();
        assert_eq!(g, want);
        assert_close(&[gk], &[ps.iter().map(|p| 0.5 * p.x * p.x).sum()], 1e-15, "k");
        check_against_central(|q| oscillators(q, k), &g, &ps);
        let dir = unflat(&[0.1, 0.2, -0.3, 0.0, 0.5, 0.1]);
        let (_, jv) = oscillators_jvp(&ps, k, dir.clone(), 0.4);
        let (ug, uk) = oscillators_vjp(&ps, k).1(1.0);
        let dot: f64 = flat(&ug).iter().zip(flat(&dir)).map(|(a, b)| a * b).sum();
        assert_close(&[jv], &[dot + uk * 0.4], 1e-12, "JVP against VJP");
    }
}

#[test]
fn pairs_read_by_index() {
    let ps = particles();
    let (_, g) = pairs_grad(&ps);
    check_against_central(pairs, &g, &ps);
    // ∂/∂vᵢ = Σ_{j≠i} vⱼ.
    let total: f64 = ps.iter().map(|p| p.v).sum();
    for (gi, p) in g.iter().zip(&ps) {
        assert_close(&[gi.v], &[total - p.v], 1e-15, "v");
    }
    let dir = unflat(&[0.1, 0.2, -0.3, 0.0, 0.5, 0.1]);
    let (_, jv) = pairs_jvp(&ps, dir.clone());
    let dot: f64 = flat(&pairs_vjp(&ps).1(2.0)).iter().zip(flat(&dir)).map(|(a, b)| a * b).sum();
    assert_close(&[2.0 * jv], &[dot], 1e-12, "JVP against VJP");
}

#[test]
fn a_vec_by_value_passed_element_by_element_to_a_helper() {
    let ps = particles();
    let (_, g) = through_helper_grad(ps.clone());
    let want: Vec<Particle> =
        ps.iter().map(|p| Particle { x: p.x.cos() * p.v + p.v, v: p.x.sin() + p.x }).collect();
    assert_close(&flat(&g), &flat(&want), 1e-15, "closed form");
    check_against_central(|q| through_helper(q.to_vec()), &g, &ps);
    let dir = unflat(&[0.1, 0.2, -0.3, 0.0, 0.5, 0.1]);
    let (_, jv) = through_helper_jvp(ps.clone(), dir.clone());
    let dot: f64 =
        flat(&through_helper_vjp(ps.clone()).1(1.5)).iter().zip(flat(&dir)).map(|(a, b)| a * b).sum();
    assert_close(&[1.5 * jv], &[dot], 1e-12, "JVP against VJP");
}

#[test]
fn n_body_energy_against_its_closed_form() {
    let bs = bodies();
    let (value, g) = energy_grad(&bs);
    assert_close(&[value], &[energy(&bs)], 1e-15, "value");
    for (i, b) in bs.iter().enumerate() {
        let (mut dpos, mut dmass) = (Vector3::zeros(), 0.5 * b.vel.norm_squared());
        for (_, c) in bs.iter().enumerate().filter(|(j, _)| *j != i) {
            let r = (b.pos - c.pos).norm();
            dpos += (b.pos - c.pos) * (b.mass * c.mass / r.powi(3));
            dmass -= c.mass / r;
        }
        assert_close(g[i].pos.as_slice(), dpos.as_slice(), 1e-12, "position");
        assert_close(g[i].vel.as_slice(), (b.vel * b.mass).as_slice(), 1e-12, "velocity");
        assert_close(&[g[i].mass], &[dmass], 1e-12, "mass");
    }
    let dir: Vec<Body> = bs.iter().map(|b| Body { pos: b.vel, vel: b.pos * 0.5, mass: 0.1 }).collect();
    let (_, jv) = energy_jvp(&bs, dir.clone());
    let u = energy_vjp(&bs).1(1.0);
    let dot: f64 =
        u.iter().zip(&dir).map(|(a, d)| a.pos.dot(&d.pos) + a.vel.dot(&d.vel) + a.mass * d.mass).sum();
    assert_close(&[jv], &[dot], 1e-12, "JVP against VJP");
}

/// Potential energy in a uniform field along `z` plus a drag term along `x`: coordinates of an
/// element's vector fields read in place, `b.pos.z`, `b.pos[1]` and `bodies[i].vel.x` (an index loop, as
/// simulation code writes it).
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(bodies))]
fn in_a_field(bodies: &[Body], g: f64) -> f64 {
    let mut e = 0.0;
    for b in bodies {
        e += b.mass * g * b.pos.z + 0.1 * b.pos[1];
    }
    for i in 0..bodies.len() {
        e += 0.5 * bodies[i].vel.x * bodies[i].vel.x * bodies[i].mass;
    }
    e
}

#[test]
fn coordinates_of_an_elements_vector_fields() {
    let bs = bodies();
    let g = 9.8;
    let (value, grad) = in_a_field_grad(&bs, g);
    assert_close(&[value], &[in_a_field(&bs, g)], 1e-15, "value");
    for (b, gb) in bs.iter().zip(&grad) {
        assert_close(gb.pos.as_slice(), &[0.0, 0.1, b.mass * g], 1e-15, "position");
        assert_close(gb.vel.as_slice(), &[b.mass * b.vel.x, 0.0, 0.0], 1e-15, "velocity");
        assert_close(&[gb.mass], &[g * b.pos.z + 0.5 * b.vel.x * b.vel.x], 1e-15, "mass");
    }
    // Central differences in every coordinate of every body.
    let flat = |bs: &[Body]| -> Vec<f64> {
        bs.iter().flat_map(|b| b.pos.iter().chain(b.vel.iter()).copied().chain([b.mass])).collect()
    };
    let unflat = |x: &[f64]| -> Vec<Body> {
        x.chunks(7)
            .map(|c| Body {
                pos: Vector3::new(c[0], c[1], c[2]),
                vel: Vector3::new(c[3], c[4], c[5]),
                mass: c[6],
            })
            .collect()
    };
    let fd = common::central_gradient(|x| in_a_field(&unflat(x), g), &flat(&bs));
    assert_close(&flat(&grad), &fd, 1e-7, "central differences");
    let dir: Vec<Body> = bs.iter().map(|b| Body { pos: b.vel, vel: b.pos * 0.5, mass: 0.1 }).collect();
    let (_, jv) = in_a_field_jvp(&bs, g, dir.clone());
    let u = in_a_field_vjp(&bs, g).1(1.0);
    let dot: f64 =
        u.iter().zip(&dir).map(|(a, d)| a.pos.dot(&d.pos) + a.vel.dot(&d.vel) + a.mass * d.mass).sum();
    assert_close(&[jv], &[dot], 1e-12, "JVP against VJP");
}
