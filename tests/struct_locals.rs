//! A struct built in the body and updated in a loop, as simulation code keeps its state:
//! field by field (`let mut s = State { x: a, v: b }; for .. { s.v -= ..; s.x += ..; }`; before,
//! "assignment to anything but a local variable") or whole by a step function
//! (`s = step(s, dt, k)`, a struct built or read inside the loop; before, "reassigning a whole
//! `Vec` inside a loop" and "building a struct inside a loop"). Checked against a closed form or
//! a derivative carried by hand, central differences, and forward against reverse mode.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Copy, Debug, Differentiable)]
pub struct State {
    pub x: f64,
    pub v: f64,
}

/// Symplectic Euler written with struct update syntax (`State { x: .., ..s }`), as the fields
/// not written are read from the base: it was "a struct literal with `..base`".
#[differentiable]
fn updated(x0: f64, v0: f64, dt: f64) -> State {
    let mut s = State { x: x0, v: v0 };
    for _ in 0..8 {
        let kicked = State { v: s.v - dt * s.x, ..s };
        s = State { x: kicked.x + dt * kicked.v, ..kicked };
    }
    s
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
fn a_state_rebuilt_with_struct_update_syntax() {
    let m = steps(0.1);
    for (x0, v0) in [(1.0, 0.0), (0.3, -0.8)] {
        let (s, pullback) = updated_vjp(x0, v0, 0.1);
        let want = spring(x0, v0, 0.1);
        assert!(close(s.x, want.x, 1e-15) && close(s.v, want.v, 1e-15));
        // The sum x + v of the result, against the closed form M: ∂/∂x0 = M00 + M10, ∂/∂v0 = M01 + M11.
        let (bx, bv, bdt) = pullback(State { x: 1.0, v: 1.0 });
        assert!(close(bx, m[0][0] + m[1][0], 1e-14) && close(bv, m[0][1] + m[1][1], 1e-14), "{bx} {bv}");
        let f = |p: &[f64]| {
            let s = updated(p[0], p[1], p[2]);
            s.x + s.v
        };
        gradient_central("updated", &f, &[x0, v0, 0.1], &[bx, bv, bdt], 1e-8);
        let d = [0.4, -0.3, 0.2];
        let (_, t) = updated_jvp(x0, v0, 0.1, d[0], d[1], d[2]);
        forward_against_reverse("updated", t.x + t.v, &d, 1.0, &[bx, bv, bdt], 1e-13);
    }
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

/// One explicit Euler step of a spring whose stiffness grows with the displacement.
#[differentiable(wrt(s, k))]
fn euler(s: State, dt: f64, k: f64) -> State {
    let a = -k * s.x * (1.0 + 0.5 * s.x * s.x);
    State { x: s.x + dt * s.v, v: s.v + dt * a }
}

/// `x v` after 40 steps, the state replaced whole each step.
#[differentiable(wrt(x0, k))]
fn stepped(x0: f64, k: f64) -> f64 {
    let mut s = State { x: x0, v: 0.0 };
    for _ in 0..40 {
        s = euler(s, 0.05, k);
    }
    s.x * s.v
}

/// The same with the struct built from two floats inside the loop and read back by field, and
/// a snapshot of a field-updated struct used whole inside the loop.
#[differentiable(wrt(x0, k))]
fn rebuilt(x0: f64, k: f64) -> f64 {
    let (mut x, mut v) = (x0, 0.0);
    for _ in 0..40 {
        let next = euler(State { x, v }, 0.05, k);
        x = next.x;
        v = next.v;
    }
    let mut s = State { x, v };
    let mut total = 0.0;
    for _ in 0..3 {
        s.v -= 0.1 * s.x;
        let snapshot = s;
        total += snapshot.x * snapshot.v;
    }
    x * v + total
}

/// `x v` after 40 steps and its gradient, carried by hand (the tangents of `x` and `v` with
/// respect to `x0` and `k` stepped with the state).
fn stepped_by_hand(x0: f64, k: f64) -> (f64, [f64; 2]) {
    let (mut x, mut v) = (x0, 0.0);
    let (mut dx, mut dv) = ([1.0, 0.0], [0.0, 0.0]);
    let dt = 0.05;
    for _ in 0..40 {
        let a = -k * x * (1.0 + 0.5 * x * x);
        let da_dx = -k * (1.0 + 1.5 * x * x);
        let da_dk = -x * (1.0 + 0.5 * x * x);
        let (nx, nv) = (x + dt * v, v + dt * a);
        let mut ndx = [0.0; 2];
        let mut ndv = [0.0; 2];
        for j in 0..2 {
            ndx[j] = dx[j] + dt * dv[j];
            ndv[j] = dv[j] + dt * (da_dx * dx[j] + if j == 1 { da_dk } else { 0.0 });
        }
        (x, v, dx, dv) = (nx, nv, ndx, ndv);
    }
    (x * v, [dx[0] * v + x * dv[0], dx[1] * v + x * dv[1]])
}

#[test]
fn a_state_replaced_whole_by_a_step_function() {
    for (x0, k) in [(0.8, 2.0), (-0.5, 0.7), (1.3, 1.5)] {
        let (value, (gx, gk)) = stepped_grad(x0, k);
        assert_eq!(value, stepped(x0, k));
        let (hand, exact) = stepped_by_hand(x0, k);
        assert!(close(value, hand, 1e-13), "{value} vs {hand}");
        assert!(close(gx, exact[0], 1e-12) && close(gk, exact[1], 1e-12), "({gx}, {gk}) vs {exact:?}");
        gradient_central("stepped", &|p| stepped(p[0], p[1]), &[x0, k], &[gx, gk], 1e-7);
        let (_, tangent) = stepped_jvp(x0, k, 0.4, -1.1);
        let (_, pullback) = stepped_vjp(x0, k);
        let (a, b) = pullback(0.8);
        forward_against_reverse("stepped", tangent, &[0.4, -1.1], 0.8, &[a, b], 1e-12);

        let (value, (gx, gk)) = rebuilt_grad(x0, k);
        assert_eq!(value, rebuilt(x0, k));
        gradient_central("rebuilt", &|p| rebuilt(p[0], p[1]), &[x0, k], &[gx, gk], 1e-7);
        let (_, tangent) = rebuilt_jvp(x0, k, 0.4, -1.1);
        let (_, pullback) = rebuilt_vjp(x0, k);
        let (a, b) = pullback(0.8);
        forward_against_reverse("rebuilt", tangent, &[0.4, -1.1], 0.8, &[a, b], 1e-12);
    }
}

/// A body of two vectors stepped whole with drag, in a `while` loop.
#[derive(Clone, Copy, Debug, Differentiable)]
pub struct Body {
    pub pos: Vector2<f64>,
    pub vel: Vector2<f64>,
}

/// One step under gravity `g` and quadratic drag (a by-value struct parameter whose vector
/// field is read by a method: `b.vel.norm()`).
#[differentiable(wrt(b, g))]
fn fall(b: Body, g: f64, dt: f64) -> Body {
    let drag = 0.1 * b.vel.norm();
    Body { pos: b.pos + b.vel * dt, vel: b.vel - (Vector2::new(0.0, g) + b.vel * drag) * dt }
}

#[differentiable(wrt(g, v0))]
fn landing(g: f64, v0: f64) -> f64 {
    let mut b = Body { pos: Vector2::new(0.0, 0.0), vel: Vector2::new(v0, v0) };
    let mut t = 0.0;
    while t < 1.0 {
        b = fall(b, g, 0.01);
        t += 0.01;
    }
    b.pos.x + b.pos.y
}

#[test]
fn a_struct_of_vectors_replaced_whole() {
    for (g, v0) in [(9.8, 3.0), (1.6, 0.5), (3.7, 2.0)] {
        let (value, (gg, gv)) = landing_grad(g, v0);
        assert_eq!(value, landing(g, v0));
        gradient_central("landing", &|p| landing(p[0], p[1]), &[g, v0], &[gg, gv], 1e-7);
        let (_, tangent) = landing_jvp(g, v0, 0.3, 0.9);
        let (_, pullback) = landing_vjp(g, v0);
        let (a, b) = pullback(1.0);
        forward_against_reverse("landing", tangent, &[0.3, 0.9], 1.0, &[a, b], 1e-12);
        // One step alone, against the closed form: ∂pos'/∂g = 0, ∂vel'/∂g = (0, -dt).
        let b = Body { pos: Vector2::new(0.1, 0.2), vel: Vector2::new(v0, -v0) };
        let (_, pullback) = fall_vjp(b, g, 0.01);
        let (_, dg) = pullback(Body { pos: Vector2::new(1.0, 1.0), vel: Vector2::new(1.0, 1.0) });
        assert!(close(dg, -0.01, 1e-15), "{dg}");
    }
}

/// A struct with an array field (not `Copy`), passed by value to a step function twice outside
/// any loop: each call gets a copy (before, rustc's E0382 in generated code, and the step
/// function itself E0505/E0716 on the by-value parameter's field).
#[derive(Clone, Debug, Differentiable)]
pub struct Pair {
    pub q: [f64; 2],
}

#[differentiable(wrt(a, k))]
fn rotate(a: Pair, k: f64) -> Pair {
    Pair { q: [a.q[0] + 0.1 * a.q[1], a.q[1] - 0.1 * k * a.q[0]] }
}

#[differentiable(wrt(k))]
fn rotated_twice(k: f64) -> f64 {
    let mut a = Pair { q: [1.0, k] };
    a = rotate(a, k);
    a = rotate(a, k);
    a.q[0] * a.q[1]
}

#[test]
fn a_struct_with_an_array_field_replaced_outside_loops() {
    for k in [2.0, -0.5, 1.3] {
        let (value, g) = rotated_twice_grad(k);
        assert_eq!(value, rotated_twice(k));
        // Closed form: q1 = (1 + 0.1k, k - 0.1k), q2 = (q1₀ + 0.1 q1₁, q1₁ - 0.1k q1₀).
        let (a0, a1) = (1.0 + 0.1 * k, 0.9 * k);
        let (b0, b1) = (a0 + 0.1 * a1, a1 - 0.1 * k * a0);
        assert!(close(value, b0 * b1, 1e-14));
        let (da0, da1) = (0.1, 0.9);
        let (db0, db1) = (da0 + 0.1 * da1, da1 - 0.1 * a0 - 0.1 * k * da0);
        assert!(close(g, db0 * b1 + b0 * db1, 1e-13), "{g}");
        gradient_central("rotated_twice", &|p| rotated_twice(p[0]), &[k], &[g], 1e-8);
        let (_, tangent) = rotated_twice_jvp(k, 0.7);
        let (_, pullback) = rotated_twice_vjp(k);
        forward_against_reverse("rotated_twice", tangent, &[0.7], 1.2, &[pullback(1.2)], 1e-12);
    }
}

/// A struct declared in the body, without `#[derive(Differentiable)]`, built once and read by
/// its fields: `(x y)(x + y) + (x y)²` (before, rustc's "not a differentiable type" at the
/// attribute: the literal was built whole).
#[differentiable]
fn declared_in_the_body(x: f64, y: f64) -> f64 {
    struct Pair {
        product: f64,
        sum: f64,
    }
    let p = Pair { product: x * y, sum: x + y };
    p.product * p.sum + p.product.powi(2)
}

#[test]
fn a_struct_declared_in_the_body_read_by_its_fields() {
    for (x, y) in [(0.5, 2.0), (-1.0, 0.3), (1.5, -0.7)] {
        let (value, (gx, gy)) = declared_in_the_body_grad(x, y);
        assert!(close(value, declared_in_the_body(x, y), 1e-15));
        // d/dx = y (x + y) + x y + 2 x y²; symmetric in y.
        assert!(close(gx, y * (x + y) + x * y + 2.0 * x * y * y, 1e-14));
        assert!(close(gy, x * (x + y) + x * y + 2.0 * x * x * y, 1e-14));
        let f = |p: &[f64]| declared_in_the_body(p[0], p[1]);
        gradient_central("declared_in_the_body", &f, &[x, y], &[gx, gy], 1e-8);
        let (_, t) = declared_in_the_body_jvp(x, y, 0.3, -0.8);
        let (_, pullback) = declared_in_the_body_vjp(x, y);
        let (ux, uy) = pullback(1.7);
        forward_against_reverse("declared_in_the_body", t, &[0.3, -0.8], 1.7, &[ux, uy], 1e-13);
    }
}

/// The initial state a parameter, copied into the local the loop replaces (`let mut b = b0;`):
/// held by its fields like a state built by a literal (the forty-first session; before,
/// "replacing inside a loop a whole struct" for a differentiated `b0`, and "a field access of a
/// differentiable value" at `b.pos` for a constant one).
#[differentiable]
fn landing_from(b0: Body, g: f64) -> f64 {
    let mut b = b0;
    for _ in 0..50 {
        b = fall(b, g, 0.01);
    }
    b.pos.x + b.pos.y
}

/// The same with the initial state a constant, read through a reference.
#[differentiable(wrt(g))]
fn landing_from_constant(b0: &Body, g: f64) -> f64 {
    let mut b = *b0;
    for _ in 0..50 {
        b = fall(b, g, 0.01);
    }
    b.pos.x + b.pos.y
}

/// Euler steps of `x'' = -k x` from a state parameter: `x(n dt)` in closed form from the
/// step matrix `[[1, dt], [-k dt, 1]]`.
#[allow(clippy::clone_on_copy)] // `.clone()` as it is written of a struct that may not be `Copy`
#[differentiable]
fn stepped_from(s0: State, k: f64) -> f64 {
    let mut s = s0.clone();
    for _ in 0..4 {
        s = linear_step(s, 0.1, k);
    }
    s.x
}

/// One explicit Euler step of `x'' = -k x`.
#[differentiable(wrt(s, k))]
fn linear_step(s: State, dt: f64, k: f64) -> State {
    State { x: s.x + dt * s.v, v: s.v - dt * k * s.x }
}

#[test]
fn a_state_parameter_replaced_whole_in_a_loop() {
    let b0 = Body { pos: Vector2::new(0.1, -0.2), vel: Vector2::new(2.0, 3.0) };
    let flat = |p: &[f64]| Body { pos: Vector2::new(p[0], p[1]), vel: Vector2::new(p[2], p[3]) };
    let x = [0.1, -0.2, 2.0, 3.0, 9.8];
    let (value, (gb, gg)) = landing_from_grad(b0, 9.8);
    assert_eq!(value, landing_from(b0, 9.8));
    let g = [gb.pos.x, gb.pos.y, gb.vel.x, gb.vel.y, gg];
    gradient_central("landing_from", &|p| landing_from(flat(p), p[4]), &x, &g, 1e-7);
    // The position moves one for one with its start.
    assert!(close(gb.pos.x, 1.0, 1e-15) && close(gb.pos.y, 1.0, 1e-15), "{gb:?}");
    let tb = Body { pos: Vector2::new(0.5, -0.5), vel: Vector2::new(0.25, 1.0) };
    let (_, tangent) = landing_from_jvp(b0, 9.8, tb, 0.3);
    let (_, pullback) = landing_from_vjp(b0, 9.8);
    let (ab, ag) = pullback(0.7);
    let reverse = [ab.pos.x, ab.pos.y, ab.vel.x, ab.vel.y, ag];
    forward_against_reverse("landing_from", tangent, &[0.5, -0.5, 0.25, 1.0, 0.3], 0.7, &reverse, 1e-12);

    let (value, dg) = landing_from_constant_grad(&b0, 9.8);
    assert_eq!(value, landing_from_constant(&b0, 9.8));
    assert!(close(dg, gg, 1e-14), "{dg} against {gg}");
    gradient_central("landing_from_constant", &|p| landing_from_constant(&b0, p[0]), &[9.8], &[dg], 1e-7);

    // Four Euler steps: (x, v) times M⁴ with M = [[1, dt], [-k dt, 1]], M⁴ = Σ C(4, j) (dt N)^j,
    // N² = -k I: x₄ = (1 - 6 k dt² + k² dt⁴) x₀ + (4 dt - 4 k dt³) v₀.
    let (k, dt, x0, v0) = (2.0, 0.1_f64, 0.3, -0.4);
    let (value, (gs, gk)) = stepped_from_grad(State { x: x0, v: v0 }, k);
    let a = 1.0 - 6.0 * k * dt.powi(2) + k * k * dt.powi(4);
    let b = 4.0 * dt - 4.0 * k * dt.powi(3);
    assert!(close(value, a * x0 + b * v0, 1e-14), "{value}");
    assert!(close(gs.x, a, 1e-14) && close(gs.v, b, 1e-14), "{gs:?}");
    let dk = (-6.0 * dt.powi(2) + 2.0 * k * dt.powi(4)) * x0 - 4.0 * dt.powi(3) * v0;
    assert!(close(gk, dk, 1e-12), "{gk} against {dk}");
    let p = [x0, v0, k];
    let flat = |q: &[f64]| stepped_from(State { x: q[0], v: q[1] }, q[2]);
    gradient_central("stepped_from", &flat, &p, &[gs.x, gs.v, gk], 1e-7);
    let (_, tangent) = stepped_from_jvp(State { x: x0, v: v0 }, k, State { x: 0.2, v: -0.5 }, 1.5);
    let (_, pullback) = stepped_from_vjp(State { x: x0, v: v0 }, k);
    let (ps, pk) = pullback(0.3);
    forward_against_reverse("stepped_from", tangent, &[0.2, -0.5, 1.5], 0.3, &[ps.x, ps.v, pk], 1e-12);
}
