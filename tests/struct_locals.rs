//! A struct built in the body and updated field by field in a loop, as simulation code keeps
//! its state: `let mut s = State { x: a, v: b }; for .. { s.v -= ..; s.x += ..; }`. Before,
//! each `s.v -= ..` was "assignment to anything but a local variable". Checked against a closed
//! form, central differences, and forward against reverse mode.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
pub struct State {
    pub x: f64,
    pub v: f64,
}

/// Symplectic Euler for a unit spring, the state returned whole.
#[differentiable]
fn spring(x0: f64, v0: f64, dt: f64) -> State {
    let mut s = State { x: x0, v: v0 };
    for _ in 0..8 {
        s.v -= dt * s.x;
        s.x += dt * s.v;
    }
    s
}

/// The state's energy after the steps.
#[differentiable]
fn energy(x0: f64, v0: f64) -> f64 {
    let mut s = State { x: x0, v: v0 };
    for _ in 0..8 {
        s.v -= 0.1 * s.x;
        s.x += 0.1 * s.v;
    }
    0.5 * (s.x * s.x + s.v * s.v)
}

/// The linear map of eight steps: (x, v) -> M (x, v), M = [[1 - dt², dt], [-dt, 1]]^8.
fn steps(dt: f64) -> [[f64; 2]; 2] {
    let step = [[1.0 - dt * dt, dt], [-dt, 1.0]];
    let mut m = [[1.0, 0.0], [0.0, 1.0]];
    for _ in 0..8 {
        let mut next = [[0.0; 2]; 2];
        for (r, row) in next.iter_mut().enumerate() {
            for (c, entry) in row.iter_mut().enumerate() {
                *entry = step[r][0] * m[0][c] + step[r][1] * m[1][c];
            }
        }
        m = next;
    }
    m
}

#[test]
fn a_state_updated_field_by_field() {
    let m = steps(0.1);
    for (x0, v0) in [(0.3, 0.5), (-1.2, 0.4), (2.0, -0.7)] {
        let (state, pullback) = spring_vjp(x0, v0, 0.1);
        let direct = spring(x0, v0, 0.1);
        assert!(close(state.x, direct.x, 1e-15) && close(state.v, direct.v, 1e-15));
        assert!(close(state.x, m[0][0] * x0 + m[0][1] * v0, 1e-13));
        // The pullback of (1, 0) is the first row of M (in x0 and v0).
        let (dx0, dv0, _) = pullback(State { x: 1.0, v: 0.0 });
        assert!(close(dx0, m[0][0], 1e-13) && close(dv0, m[0][1], 1e-13), "({dx0}, {dv0}) vs {:?}", m[0]);
        let (_, tangent) = spring_jvp(x0, v0, 0.1, 0.0, 1.0, 0.0);
        assert!(close(tangent.x, m[0][1], 1e-13) && close(tangent.v, m[1][1], 1e-13));

        let (value, (gx, gv)) = energy_grad(x0, v0);
        assert_eq!(value, energy(x0, v0));
        // E = |M z|² / 2: gradient Mᵀ M z.
        let y = [m[0][0] * x0 + m[0][1] * v0, m[1][0] * x0 + m[1][1] * v0];
        let exact = [m[0][0] * y[0] + m[1][0] * y[1], m[0][1] * y[0] + m[1][1] * y[1]];
        assert!(close(gx, exact[0], 1e-13) && close(gv, exact[1], 1e-13), "({gx}, {gv}) vs {exact:?}");
        gradient_central("energy", &|p| energy(p[0], p[1]), &[x0, v0], &[gx, gv], 1e-8);
        let (_, tangent) = energy_jvp(x0, v0, 0.6, -0.2);
        let (_, pullback) = energy_vjp(x0, v0);
        let (a, b) = pullback(1.3);
        forward_against_reverse("energy", tangent, &[0.6, -0.2], 1.3, &[a, b], 1e-12);
    }
}

/// A plain struct of vectors (no derive: it is never a parameter or result), with a bounce.
#[derive(Clone, Copy, Debug)]
pub struct Particle {
    pub pos: Vector2<f64>,
    pub vel: Vector2<f64>,
}

#[differentiable]
fn flight(p0: &Vector2<f64>, v0: &Vector2<f64>, k: f64) -> f64 {
    let mut p = Particle { pos: *p0, vel: *v0 };
    for _ in 0..10 {
        let acc = -k * p.pos;
        p.vel += acc * 0.05;
        p.pos += p.vel * 0.05;
        if tapeless::piecewise(p.pos.y < 0.0) {
            p.vel = Vector2::new(p.vel.x, -p.vel.y);
        }
    }
    p.pos.norm_squared()
}

#[test]
fn a_struct_of_vectors_updated_in_a_loop() {
    for (p0, v0, k) in [
        (Vector2::new(0.5, 0.2), Vector2::new(0.1, -0.3), 2.0),
        (Vector2::new(-0.4, 0.9), Vector2::new(0.3, 0.2), 1.1),
        (Vector2::new(1.2, 0.6), Vector2::new(-0.2, 0.1), 0.7),
    ] {
        let (value, (gp, gv, gk)) = flight_grad(&p0, &v0, k);
        assert_eq!(value, flight(&p0, &v0, k));
        let f = |q: &[f64]| flight(&Vector2::new(q[0], q[1]), &Vector2::new(q[2], q[3]), q[4]);
        let x = [p0.x, p0.y, v0.x, v0.y, k];
        let g = [gp.x, gp.y, gv.x, gv.y, gk];
        gradient_central("flight", &f, &x, &g, 1e-7);
        let d = common::direction(5, 17);
        let (_, tangent) = flight_jvp(&p0, &v0, k, Vector2::new(d[0], d[1]), Vector2::new(d[2], d[3]), d[4]);
        let (_, pullback) = flight_vjp(&p0, &v0, k);
        let (up, uv, uk) = pullback(0.9);
        forward_against_reverse("flight", tangent, &d, 0.9, &[up.x, up.y, uv.x, uv.y, uk], 1e-12);
    }
}
