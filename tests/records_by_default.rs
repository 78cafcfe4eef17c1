//! Parameters of a struct the crate derives `Differentiable` for are differentiated without a
//! `wrt(..)` list, as floats and slices are: `fn loss(p: &Params, ..)`, `fn energy(bodies:
//! &[Body], ..)`. Before, each was "cannot tell whether parameter `p: &Params` is
//! differentiable". Gradients against closed forms and central differences, JVP against VJP.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::Vector2;
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Line {
    pub w: Vec<f64>,
    pub b: f64,
}

/// Half the squared error of `w · x + b` against `y` over constant data read by a `wrt`-less
/// signature: `xs` and `ys` are slices, so they are differentiated too.
#[differentiable]
fn squared_error(p: &Line, xs: &[[f64; 2]], ys: &[f64]) -> f64 {
    let mut loss = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let r = p.w[0] * x[0] + p.w[1] * x[1] + p.b - y;
        loss += 0.5 * r * r;
    }
    loss
}

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Body {
    pub pos: Vector2<f64>,
    pub vel: Vector2<f64>,
}

/// `Σ |pos + vel dt|² + ½ |vel|²`.
#[differentiable]
fn kinetic(bodies: &[Body], dt: f64) -> f64 {
    let mut e = 0.0;
    for b in bodies {
        let next = b.pos + b.vel * dt;
        e += next.norm_squared() + 0.5 * b.vel.norm_squared();
    }
    e
}

#[test]
fn a_parameter_struct_without_a_wrt_list() {
    let p = Line { w: vec![0.3, -0.2], b: 0.1 };
    let xs = [[1.0, 2.0], [-1.0, 0.5], [0.3, 0.3]];
    let ys = [1.0, 0.0, 1.5];
    let (value, (g, gx, gy)) = squared_error_grad(&p, &xs, &ys);
    assert_eq!(value, squared_error(&p, &xs, &ys));
    // ∂/∂w = Σ r x, ∂/∂b = Σ r, ∂/∂x = r w, ∂/∂y = -r.
    let r: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| p.w[0] * x[0] + p.w[1] * x[1] + p.b - y).collect();
    let gw0: f64 = r.iter().zip(&xs).map(|(r, x)| r * x[0]).sum();
    let gw1: f64 = r.iter().zip(&xs).map(|(r, x)| r * x[1]).sum();
    assert_close(&[g.w[0], g.w[1], g.b], &[gw0, gw1, r.iter().sum()], 1e-14, "parameters");
    for i in 0..3 {
        assert_close(&gx[i], &[r[i] * p.w[0], r[i] * p.w[1]], 1e-14, "data");
        assert_close(&[gy[i]], &[-r[i]], 1e-14, "targets");
    }
    let f = |q: &[f64]| squared_error(&Line { w: vec![q[0], q[1]], b: q[2] }, &xs, &ys);
    assert_close(&[g.w[0], g.w[1], g.b], &central_gradient(f, &[0.3, -0.2, 0.1]), 1e-8, "differences");
    // Forward against reverse, along the parameters only.
    let dir = Line { w: vec![0.5, -1.0], b: 2.0 };
    let (_, t) = squared_error_jvp(&p, &xs, &ys, dir.clone(), vec![[0.0; 2]; 3], vec![0.0; 3]);
    let (u, _, _) = squared_error_vjp(&p, &xs, &ys).1(1.5);
    let back = u.w[0] * dir.w[0] + u.w[1] * dir.w[1] + u.b * dir.b;
    assert_close(&[1.5 * t], &[back], 1e-13, "forward against reverse");
}

#[test]
fn a_slice_of_structs_without_a_wrt_list() {
    let bodies = vec![
        Body { pos: Vector2::new(1.0, 2.0), vel: Vector2::new(0.3, -0.1) },
        Body { pos: Vector2::new(-0.5, 0.4), vel: Vector2::new(1.1, 0.7) },
    ];
    let dt = 0.1;
    let (value, (g, gdt)) = kinetic_grad(&bodies, dt);
    assert_eq!(value, kinetic(&bodies, dt));
    let mut want_dt = 0.0;
    for (b, gb) in bodies.iter().zip(&g) {
        let next = b.pos + b.vel * dt;
        assert_close(gb.pos.as_slice(), (2.0 * next).as_slice(), 1e-14, "positions");
        assert_close(gb.vel.as_slice(), (2.0 * dt * next + b.vel).as_slice(), 1e-14, "velocities");
        want_dt += 2.0 * next.dot(&b.vel);
    }
    assert_close(&[gdt], &[want_dt], 1e-14, "time step");
    let of = |q: &[f64]| {
        let bodies: Vec<Body> = q[..8]
            .chunks(4)
            .map(|c| Body { pos: Vector2::new(c[0], c[1]), vel: Vector2::new(c[2], c[3]) })
            .collect();
        kinetic(&bodies, q[8])
    };
    let mut at: Vec<f64> = bodies.iter().flat_map(|b| [b.pos.x, b.pos.y, b.vel.x, b.vel.y]).collect();
    at.push(dt);
    let mut got: Vec<f64> = g.iter().flat_map(|b| [b.pos.x, b.pos.y, b.vel.x, b.vel.y]).collect();
    got.push(gdt);
    assert_close(&got, &central_gradient(of, &at), 1e-8, "differences");
    let dir: Vec<Body> = bodies
        .iter()
        .map(|b| Body { pos: Vector2::new(b.vel.y, 0.5), vel: Vector2::new(-1.0, b.pos.x) })
        .collect();
    let (_, t) = kinetic_jvp(&bodies, dt, dir.clone(), 0.3);
    let (u, udt) = kinetic_vjp(&bodies, dt).1(1.0);
    let back: f64 =
        u.iter().zip(&dir).map(|(u, d)| u.pos.dot(&d.pos) + u.vel.dot(&d.vel)).sum::<f64>() + udt * 0.3;
    assert_close(&[t], &[back], 1e-13, "forward against reverse");
}

/// A local copy of a slice of structs, read by a loop and by index.
#[differentiable]
fn copied_bodies(bodies: &[Body], dt: f64) -> f64 {
    let bs = bodies.to_vec();
    let mut e = 0.0;
    for b in &bs {
        e += (b.pos + b.vel * dt).norm_squared();
    }
    e + bs[0].vel.x * dt
}

#[test]
fn a_local_copy_of_a_slice_of_structs() {
    let bodies = vec![
        Body { pos: Vector2::new(1.0, 2.0), vel: Vector2::new(0.3, -0.1) },
        Body { pos: Vector2::new(-0.5, 0.4), vel: Vector2::new(1.1, 0.7) },
    ];
    let dt = 0.2;
    let (value, (g, gdt)) = copied_bodies_grad(&bodies, dt);
    assert!((value - copied_bodies(&bodies, dt)).abs() < 1e-15);
    // ∂/∂pos = 2 (pos + vel dt), ∂/∂vel = 2 dt (pos + vel dt) (+ dt on the first x).
    for (k, b) in bodies.iter().enumerate() {
        let next = b.pos + b.vel * dt;
        let extra = if k == 0 { dt } else { 0.0 };
        assert_close(g[k].pos.as_slice(), (2.0 * next).as_slice(), 1e-14, "positions");
        assert_close(
            &[g[k].vel.x, g[k].vel.y],
            &[2.0 * dt * next.x + extra, 2.0 * dt * next.y],
            1e-14,
            "velocities",
        );
    }
    let flat = |bs: &[Body], dt: f64| {
        let mut v: Vec<f64> = bs.iter().flat_map(|b| [b.pos.x, b.pos.y, b.vel.x, b.vel.y]).collect();
        v.push(dt);
        v
    };
    let unflat = |v: &[f64]| {
        let bs: Vec<Body> = v[..8]
            .chunks(4)
            .map(|c| Body { pos: Vector2::new(c[0], c[1]), vel: Vector2::new(c[2], c[3]) })
            .collect();
        (bs, v[8])
    };
    let fd = central_gradient(
        |v| {
            let (bs, dt) = unflat(v);
            copied_bodies(&bs, dt)
        },
        &flat(&bodies, dt),
    );
    assert_close(&flat(&g, gdt), &fd, 1e-8, "copied_bodies differences");
    let dir = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9, 0.5, -0.2, 0.6];
    let (dbs, ddt) = unflat(&dir);
    let (_, t) = copied_bodies_jvp(&bodies, dt, dbs, ddt);
    let back: f64 = flat(&g, gdt).iter().zip(dir).map(|(a, b)| a * b).sum();
    assert_close(&[t], &[back], 1e-13, "copied_bodies forward against reverse");
}
