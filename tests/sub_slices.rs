//! Sub-slices taken as values, as published code takes them: `let tail = &x[1..];`,
//! `g(&x[..n - 1])`, `x.split_at(k)`, `x[a..b].to_vec()`, also in a function generic over
//! `num_traits::Float`, a `fold` closure dereferencing its element (`|s, v| s + *v * *v`), and
//! `for b2 in &bodies[i + 1..]` over a constant slice of structs, and parts of a local array of
//! rows (`pts[..n].to_vec()`, `&pts[1..]` of `vec![[0.0; 2]; n + 1]`; the copy was a `Vec<f64>`,
//! rustc's type mismatch inside generated code, until the forty-fourth session).
//! Each is checked against its analytic gradient, central differences, and forward mode against
//! reverse mode.

use num_traits::Float;
use tapeless::differentiable;

mod common;

use common::{check, close, hessian_against};

#[differentiable]
fn sum_squares(a: &[f64]) -> f64 {
    a.iter().fold(0.0, |s, v| s + *v * *v)
}

/// `Σ_{i≥1} x_i² · x_0 + Σ_{i<n-1} x_i² + (x_0² + x_1²) x_2 + 2 x_0 + Σ x`.
#[differentiable]
fn parts(x: &[f64]) -> f64 {
    let n = x.len();
    let tail = &x[1..];
    let (head, _) = x.split_at(2);
    let mut copy = x[..3].to_vec();
    copy[0] *= 2.0;
    sum_squares(tail) * x[0]
        + sum_squares(&x[..n - 1])
        + sum_squares(head) * tail[1]
        + copy[0]
        + x.iter().sum::<f64>()
}

fn parts_exact(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let tail: f64 = x[1..].iter().map(|v| v * v).sum();
    let init: f64 = x[..n - 1].iter().map(|v| v * v).sum();
    let head = x[0] * x[0] + x[1] * x[1];
    let value = tail * x[0] + init + head * x[2] + 2.0 * x[0] + x.iter().sum::<f64>();
    let mut g = vec![1.0; n];
    g[0] += tail + 2.0 * x[0] * x[2] + 2.0;
    g[1] += 2.0 * x[1] * x[2];
    g[2] += head;
    for i in 1..n {
        g[i] += 2.0 * x[i] * x[0];
    }
    for i in 0..n - 1 {
        g[i] += 2.0 * x[i];
    }
    (value, g)
}

#[test]
fn sub_slices_bound_passed_split_and_copied() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1, 0.4], &[1.0, 2.0, 3.0], &[-0.2, 0.5, 0.9, 1.3, -0.6]];
    for x in points {
        let (value, grad) = parts_grad(x);
        let (want, want_grad) = parts_exact(x);
        assert!(close(value, want, 1e-14), "{value} vs {want}");
        for (g, w) in grad.iter().zip(&want_grad) {
            assert!(close(*g, *w, 1e-13), "{grad:?} vs {want_grad:?}");
        }
    }
    check(&slice_fns!(parts, parts_jvp, parts_vjp, parts_grad), &points, 1e-7);
}

#[differentiable]
fn generic_squares<T: Float>(a: &[T]) -> T {
    a.iter().fold(T::zero(), |s, v| s + *v * *v)
}

/// The same in a generic function: `x_0 Σ_{i≥1} x_i²`.
#[differentiable]
fn generic_tail<T: Float>(x: &[T]) -> T {
    let t = &x[1..];
    generic_squares(t) * x[0]
}

#[test]
fn a_sub_slice_in_a_generic_function() {
    let x = [0.3, -0.7, 1.1];
    let (value, grad) = generic_tail_grad(&x);
    assert!(close(value, 0.3 * (0.49 + 1.21), 1e-15));
    let want = [1.7, 2.0 * -0.7 * 0.3, 2.0 * 1.1 * 0.3];
    for (g, w) in grad.iter().zip(&want) {
        assert!(close(*g, *w, 1e-14), "{grad:?}");
    }
    let fns = common::Fns {
        name: "generic_tail",
        f: &|p| generic_tail(p),
        jvp: &|p, t| generic_tail_jvp(p, t.to_vec()),
        vjp: &|p, u| {
            let (v, pullback) = generic_tail_vjp(p);
            (v, pullback(u))
        },
        grad: &|p| generic_tail_grad(p),
    };
    check(&fns, &[&x, &[1.0, 2.0, -0.5, 0.25], &[0.1, 0.2]], 1e-7);
}

/// A body of an n-body system, a constant of the energy below.
#[derive(Clone, Copy)]
struct Body {
    pos: [f64; 3],
    vel: [f64; 3],
    mass: f64,
}

/// The n-body energy, its pairs visited as published code does (`for b2 in &bodies[i + 1..]`
/// over a constant slice of structs), differentiated in the coupling `g` and a velocity scale.
#[differentiable(wrt(g, s))]
fn energy(bodies: &[Body], g: f64, s: f64) -> f64 {
    let mut e = 0.0;
    for (i, b) in bodies.iter().enumerate() {
        e += 0.5 * b.mass * s * s * (b.vel[0] * b.vel[0] + b.vel[1] * b.vel[1] + b.vel[2] * b.vel[2]);
        for b2 in &bodies[i + 1..] {
            let mut d2 = 0.0;
            for k in 0..3 {
                let d = b.pos[k] - b2.pos[k];
                d2 += d * d;
            }
            e -= g * b.mass * b2.mass / d2.sqrt();
        }
    }
    e
}

#[test]
fn pairs_over_a_sub_slice_of_a_constant_slice_of_structs() {
    let bodies = [
        Body { pos: [0.0, 1.0, 0.0], vel: [0.1, 0.0, -0.2], mass: 1.0 },
        Body { pos: [1.0, 0.0, 0.5], vel: [0.0, 0.2, 0.0], mass: 2.0 },
        Body { pos: [-0.5, 0.3, 0.2], vel: [0.3, 0.1, 0.1], mass: 0.5 },
    ];
    // E = s² K - g U: dE/dg = -U, dE/ds = 2 s K.
    let (mut kinetic, mut potential) = (0.0, 0.0);
    for (i, b) in bodies.iter().enumerate() {
        kinetic += 0.5 * b.mass * b.vel.iter().map(|v| v * v).sum::<f64>();
        for b2 in &bodies[i + 1..] {
            let d = (0..3).map(|k| (b.pos[k] - b2.pos[k]).powi(2)).sum::<f64>().sqrt();
            potential += b.mass * b2.mass / d;
        }
    }
    for (g, s) in [(1.0, 1.0), (2.5, 0.7), (0.3, -1.2)] {
        let (value, (dg, ds)) = energy_grad(&bodies, g, s);
        assert!(close(value, s * s * kinetic - g * potential, 1e-12));
        assert!(close(dg, -potential, 1e-12) && close(ds, 2.0 * s * kinetic, 1e-12), "{dg} {ds}");
        let (_, jv) = energy_jvp(&bodies, g, s, 0.3, -0.4);
        let (ug, us) = energy_vjp(&bodies, g, s).1(1.5);
        assert!(close(1.5 * jv, 0.3 * ug - 0.4 * us, 1e-12));
    }
}

/// Points `(x_{2i}, 2 x_{2i+1})` written into a local array of rows with a spare row, the
/// filled part copied, its tail borrowed: `p1.x · p0.y + sin(p2.y)`, that is
/// `2 x_2 x_1 + sin(2 x_5)`.
#[differentiable(hessian)]
fn point_rows(x: &[f64]) -> f64 {
    let n = x.len() / 2;
    let mut pts = vec![[0.0; 2]; n + 1];
    for i in 0..n {
        pts[i] = [x[2 * i], x[2 * i + 1] * 2.0];
    }
    let pts = pts[..n].to_vec();
    let tail = &pts[1..];
    tail[0][0] * pts[0][1] + tail[1][1].sin()
}

/// The same rows in a generic function, written entry by entry: `p1.x · p0.y = x_2 x_1`.
#[differentiable]
fn generic_point_rows<T: Float>(x: &[T]) -> T {
    let n = x.len() / 2;
    let mut pts = vec![[T::zero(); 2]; n + 1];
    for i in 0..n {
        pts[i][0] = x[2 * i];
        pts[i][1] = x[2 * i + 1];
    }
    let cut = pts[..n].to_vec();
    let tail = &cut[1..];
    tail[0][0] * cut[0][1]
}

#[test]
fn parts_of_an_array_of_rows() {
    let points: [&[f64]; 3] = [&[0.3, 0.6, 2.0, 0.7, 1.5, -0.2], &[-1.0, 0.4, 0.8, 1.1, 0.2, 0.9], &[0.5; 6]];
    check(&slice_fns!(point_rows, point_rows_jvp, point_rows_vjp, point_rows_grad), &points, 1e-7);
    check(
        &slice_fns!(
            generic_point_rows,
            generic_point_rows_jvp,
            generic_point_rows_vjp,
            generic_point_rows_grad
        ),
        &points,
        1e-7,
    );
    for x in points {
        let (value, g) = point_rows_grad(x);
        assert!(close(value, 2.0 * x[2] * x[1] + (2.0 * x[5]).sin(), 1e-15));
        let want = [0.0, 2.0 * x[2], 2.0 * x[1], 0.0, 0.0, 2.0 * (2.0 * x[5]).cos()];
        for (gi, wi) in g.iter().zip(want) {
            assert!(close(*gi, wi, 1e-15), "point_rows at {x:?}: {g:?}");
        }
        let want = [0.0, x[2], x[1], 0.0, 0.0, 0.0];
        for (gi, wi) in generic_point_rows_grad(x).1.iter().zip(want) {
            assert!(close(*gi, wi, 1e-15), "generic_point_rows at {x:?}");
        }
        let (_, _, h) = point_rows_hessian(x);
        let curvature = |i: usize, j: usize| match (i, j) {
            (1, 2) | (2, 1) => 2.0,
            (5, 5) => -4.0 * (2.0 * x[5]).sin(),
            _ => 0.0,
        };
        hessian_against("point_rows", &h, &curvature, &|q| point_rows_grad(q).1, x, 1e-14);
    }
}
