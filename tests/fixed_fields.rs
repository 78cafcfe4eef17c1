//! Fields of fixed size (`pos: [f64; 2]`, `vel: Vector2<f64>`) of the elements of a
//! differentiated slice of structs, the way particle code writes them: `ps[i].pos[k]` at a
//! computed index, `let [x, y] = p.pos;`, `p.vel[0]`, `norm2(&p.vel)`, `let v = p.vel;` and
//! `p.pos.iter().sum()`. Before the fortieth session each was "an array field of an element of
//! a differentiated slice or `Vec` of structs" (and a static vector's entry at a computed index
//! too). Gradients against closed forms and central differences, JVP against VJP.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse};
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub struct Particle {
    pub pos: [f64; 2],
    pub vel: [f64; 2],
    pub mass: f64,
}

#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub struct Body {
    pub at: Vector2<f64>,
    pub charge: f64,
}

#[differentiable]
fn norm2(v: &[f64; 2]) -> f64 {
    v[0] * v[0] + v[1] * v[1]
}

/// Gravitational energy `-Σ_{i<j} m_i m_j / |p_i - p_j|`, the distance summed over coordinates.
#[differentiable]
fn potential(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for i in 0..ps.len() {
        for j in (i + 1)..ps.len() {
            let mut d2 = 0.0;
            for k in 0..2 {
                d2 += (ps[i].pos[k] - ps[j].pos[k]).powi(2);
            }
            e -= ps[i].mass * ps[j].mass / d2.sqrt();
        }
    }
    e
}

/// The same energy with the positions taken apart by patterns, over a sub-slice.
#[differentiable]
fn potential_by_patterns(ps: &[Particle]) -> f64 {
    let mut e = 0.0;
    for (i, a) in ps.iter().enumerate() {
        for b in &ps[i + 1..] {
            let [ax, ay] = a.pos;
            let [bx, by] = b.pos;
            e -= a.mass * b.mass / ((ax - bx).powi(2) + (ay - by).powi(2)).sqrt();
        }
    }
    e
}

/// `Σ ½ m |v|² + Σ pos`, four ways of reading the fields.
#[allow(clippy::needless_range_loop)]
#[differentiable]
fn kinetic(ps: &[Particle]) -> f64 {
    let by_chain: f64 = ps.iter().map(|p| 0.5 * p.mass * (p.vel[0] * p.vel[0] + p.vel[1] * p.vel[1])).sum();
    let mut by_call = 0.0;
    for i in 0..ps.len() {
        let p = &ps[i];
        by_call += 0.5 * p.mass * norm2(&p.vel);
    }
    let mut by_copy = 0.0;
    for p in ps.iter() {
        let v = p.vel;
        by_copy +=
            0.5 * p.mass * (v[0] * v[0] + v[1] * v[1]) + p.pos.iter().sum::<f64>() / p.pos.len() as f64;
    }
    by_chain + by_call + by_copy
}

/// Coulomb energy of bodies with a nalgebra position, read at a computed index.
#[differentiable]
fn coulomb(bs: &[Body]) -> f64 {
    let mut e = 0.0;
    for i in 0..bs.len() {
        for j in (i + 1)..bs.len() {
            let mut d2 = 0.0;
            for k in 0..2 {
                d2 += (bs[i].at[k] - bs[j].at[k]).powi(2);
            }
            e += bs[i].charge * bs[j].charge / d2.sqrt();
        }
    }
    e
}

fn particles() -> Vec<Particle> {
    vec![
        Particle { pos: [0.0, 0.1], vel: [1.0, 2.0], mass: 1.0 },
        Particle { pos: [1.0, 0.5], vel: [0.5, -1.0], mass: 2.0 },
        Particle { pos: [-0.5, 1.5], vel: [-0.3, 0.2], mass: 0.5 },
    ]
}

fn flat(ps: &[Particle]) -> Vec<f64> {
    ps.iter().flat_map(|p| [p.pos[0], p.pos[1], p.vel[0], p.vel[1], p.mass]).collect()
}

fn unflat(v: &[f64]) -> Vec<Particle> {
    v.chunks(5).map(|c| Particle { pos: [c[0], c[1]], vel: [c[2], c[3]], mass: c[4] }).collect()
}

/// Central differences, and `<u, J v>` by JVP against `<Jᵀ u, v>` of the gradient.
fn check(
    name: &str,
    f: fn(&[Particle]) -> f64,
    grad: impl Fn(&[Particle]) -> (f64, Vec<Particle>),
    jvp: impl Fn(&[Particle], Vec<Particle>) -> (f64, f64),
) -> Vec<Particle> {
    let ps = particles();
    let (value, g) = grad(&ps);
    assert_eq!(value, f(&ps), "{name}: value");
    assert_close(&flat(&g), &central_gradient(|v| f(&unflat(v)), &flat(&ps)), 1e-8, name);
    let dir: Vec<f64> = (0..15).map(|k| 0.2 * (k % 7) as f64 - 0.5).collect();
    let (_, t) = jvp(&ps, unflat(&dir));
    forward_against_reverse(name, t, &dir, 1.0, &flat(&g), 1e-13);
    g
}

#[test]
fn positions_read_at_a_computed_index_and_by_patterns() {
    let g = check("potential", potential, potential_grad, potential_jvp);
    let by_patterns = check(
        "potential_by_patterns",
        potential_by_patterns,
        potential_by_patterns_grad,
        potential_by_patterns_jvp,
    );
    assert_close(&flat(&g), &flat(&by_patterns), 1e-14, "patterns against indices");
    // ∂/∂p_i = Σ_j m_i m_j (p_i - p_j) / |p_i - p_j|³, ∂/∂m_i = -Σ_j m_j / |p_i - p_j|.
    let ps = particles();
    for i in 0..3 {
        let (mut gp, mut gm) = ([0.0, 0.0], 0.0);
        for j in (0..3).filter(|&j| j != i) {
            let d = [ps[i].pos[0] - ps[j].pos[0], ps[i].pos[1] - ps[j].pos[1]];
            let r = (d[0] * d[0] + d[1] * d[1]).sqrt();
            for k in 0..2 {
                gp[k] += ps[i].mass * ps[j].mass * d[k] / r.powi(3);
            }
            gm -= ps[j].mass / r;
        }
        assert_close(&g[i].pos, &gp, 1e-13, "potential positions");
        assert_close(&[g[i].mass], &[gm], 1e-13, "potential masses");
        assert_eq!(g[i].vel, [0.0, 0.0]);
    }
}

#[test]
fn velocities_read_by_entries_calls_and_copies() {
    let g = check("kinetic", kinetic, kinetic_grad, kinetic_jvp);
    // Three readings of ½ m |v|²: ∂/∂v = 3 m v, ∂/∂m = 3 |v|² / 2; the mean of pos: ½ each.
    for (p, gp) in particles().iter().zip(&g) {
        assert_close(&gp.vel, &[3.0 * p.mass * p.vel[0], 3.0 * p.mass * p.vel[1]], 1e-14, "velocities");
        assert_close(&[gp.mass], &[1.5 * norm2(&p.vel)], 1e-14, "masses");
        assert_close(&gp.pos, &[0.5, 0.5], 1e-15, "positions");
    }
}

#[test]
fn a_static_vector_field_at_a_computed_index() {
    let bs = vec![
        Body { at: Vector2::new(0.0, 0.1), charge: 1.0 },
        Body { at: Vector2::new(1.0, 0.5), charge: -2.0 },
        Body { at: Vector2::new(-0.5, 1.5), charge: 0.5 },
    ];
    let (value, g) = coulomb_grad(&bs);
    assert_eq!(value, coulomb(&bs));
    let flat = |bs: &[Body]| bs.iter().flat_map(|b| [b.at.x, b.at.y, b.charge]).collect::<Vec<_>>();
    let unflat = |v: &[f64]| {
        v.chunks(3).map(|c| Body { at: Vector2::new(c[0], c[1]), charge: c[2] }).collect::<Vec<_>>()
    };
    assert_close(&flat(&g), &central_gradient(|v| coulomb(&unflat(v)), &flat(&bs)), 1e-8, "coulomb");
    let dir = [0.3, -0.1, 0.7, 0.2, 0.5, -0.4, -0.6, 0.9, 0.1];
    let (_, t) = coulomb_jvp(&bs, unflat(&dir));
    forward_against_reverse("coulomb", t, &dir, 1.0, &flat(&g), 1e-13);
}
