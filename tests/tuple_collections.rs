//! Collections of tuples of floats (`data: &[(f64, f64)]`, `Vec<(f64, f64)>`) as parameters,
//! the way least-squares code holds its `(t, y)` points: differentiated by default like `&[f64]`,
//! read as `pts[i].0`, `let (x, y) = pts[i]`, `for &(x, y) in pts` and `|&(t, y)|` of a chain,
//! their gradient a `Vec` of tuples. Before, such a parameter was "cannot tell whether parameter
//! `data: &[(f64, f64)]` is differentiable", and listed in `wrt(..)`, every destructuring of an
//! element was the opaque-expression error. Gradients against closed forms and central
//! differences, JVP against VJP, Hessians against closed forms and differences of `_grad`.

#![allow(clippy::needless_range_loop)] // index loops are the forms under test

mod common;

use common::{assert_close, central_gradient, hessian_against};
use tapeless::differentiable;

/// Half the squared residuals of `a e^{-k t}` against `(t, y)` points.
#[differentiable(hessian)]
fn decay_fit(p: &[f64], data: &[(f64, f64)]) -> f64 {
    let (a, k) = (p[0], p[1]);
    data.iter()
        .map(|&(t, y)| {
            let r = a * (-k * t).exp() - y;
            r * r
        })
        .sum::<f64>()
        * 0.5
}

/// Weighted line fit, by a `for` over an enumeration with a reference pattern.
#[differentiable]
fn weighted_line(p: [f64; 2], pts: Vec<(f64, f64)>) -> f64 {
    let mut s = 0.0;
    for (i, &(x, y)) in pts.iter().enumerate() {
        let w = 1.0 + i as f64;
        s += w * (p[0] * x + p[1] - y).powi(2);
    }
    s
}

/// Length of a polyline through 3-D points, reading parts by `.0`, `.1`, `.2` of a zip.
#[differentiable]
fn polyline(pts: &[(f64, f64, f64)]) -> f64 {
    pts.iter()
        .zip(pts.iter().skip(1))
        .map(|(a, b)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2) + (a.2 - b.2).powi(2)).sqrt())
        .sum()
}

/// Indexed reads: `let (x, y) = pts[i]` and `pts[0].0`.
#[differentiable]
fn indexed(c: f64, pts: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 0..pts.len() {
        let (x, y) = pts[i];
        s += (c * x * y).sin();
    }
    s + pts[0].0 * c
}

const DATA: [(f64, f64); 4] = [(0.0, 2.1), (0.5, 1.3), (1.0, 0.8), (2.0, 0.3)];

fn flat(pts: &[(f64, f64)]) -> Vec<f64> {
    pts.iter().flat_map(|&(a, b)| [a, b]).collect()
}

/// `Σ aᵢ bᵢ` of two lists of pairs, flattened.
fn dot(a: &[(f64, f64)], b: &[(f64, f64)]) -> f64 {
    flat(a).iter().zip(flat(b)).map(|(x, y)| x * y).sum()
}

fn pairs(q: &[f64]) -> Vec<(f64, f64)> {
    q.chunks(2).map(|c| (c[0], c[1])).collect()
}

#[test]
fn a_least_squares_fit_over_points() {
    let p = [1.8, 0.9];
    let (value, (g, gd)) = decay_fit_grad(&p, &DATA);
    assert_eq!(value, decay_fit(&p, &DATA));
    // ∂/∂a = Σ r e^{-kt}, ∂/∂k = -Σ r a t e^{-kt}, ∂/∂t_i = -r a k e^{-kt}, ∂/∂y_i = -r.
    let (mut ga, mut gk, mut want) = (0.0, 0.0, vec![]);
    for &(t, y) in &DATA {
        let e = (-p[1] * t).exp();
        let r = p[0] * e - y;
        ga += r * e;
        gk -= r * p[0] * t * e;
        want.push((-r * p[0] * p[1] * e, -r));
    }
    assert_close(&g, &[ga, gk], 1e-13, "parameters");
    assert_close(&flat(&gd), &flat(&want), 1e-13, "points");
    assert_close(&g, &central_gradient(|q| decay_fit(q, &DATA), &p), 1e-8, "differences, parameters");
    let by_points = central_gradient(|q| decay_fit(&p, &pairs(q)), &flat(&DATA));
    assert_close(&flat(&gd), &by_points, 1e-8, "differences, points");
    // Forward against reverse along both parameters.
    let (v, w) = (vec![0.3, -1.1], vec![(0.5, 0.2), (-1.0, 0.0), (0.1, 0.7), (0.0, -0.4)]);
    let (_, t) = decay_fit_jvp(&p, &DATA, v.clone(), w.clone());
    let (u, ud) = decay_fit_vjp(&p, &DATA).1(0.7);
    let back = u[0] * v[0] + u[1] * v[1] + flat(&ud).iter().zip(flat(&w)).map(|(a, b)| a * b).sum::<f64>();
    assert_close(&[0.7 * t], &[back], 1e-13, "forward against reverse");
}

#[test]
fn the_hessian_over_parameters_and_points() {
    let p = [1.8, 0.9];
    let (_, _, h) = decay_fit_hessian(&p, &DATA);
    // The Hessian in (a, k) in closed form; every entry against differences of `_grad`.
    let mut want = [[0.0; 2]; 2];
    for &(t, y) in &DATA {
        let e = (-p[1] * t).exp();
        want[0][0] += e * e;
        want[0][1] += -t * e * (2.0 * p[0] * e - y);
        want[1][1] += p[0] * t * t * e * (2.0 * p[0] * e - y);
    }
    want[1][0] = want[0][1];
    let mut x = p.to_vec();
    x.extend(flat(&DATA));
    let grad = |q: &[f64]| {
        let (_, (g, gd)) = decay_fit_grad(&q[..2], &pairs(&q[2..]));
        let mut out = g;
        out.extend(flat(&gd));
        out
    };
    let fd = |i: usize, j: usize| common::central(&|q: &[f64]| grad(q)[i], &x, j);
    let closed = |i: usize, j: usize| if i < 2 && j < 2 { want[i][j] } else { fd(i, j) };
    hessian_against("decay_fit", &h, &closed, &grad, &x, 1e-7);
}

#[test]
fn a_vec_of_points_in_an_enumerated_loop() {
    let p = [0.7, -0.2];
    let pts = DATA.to_vec();
    let (_, (g, gd)) = weighted_line_grad(p, pts.clone());
    let (mut gp, mut want) = ([0.0; 2], vec![]);
    for (i, &(x, y)) in pts.iter().enumerate() {
        let (w, r) = (1.0 + i as f64, p[0] * x + p[1] - y);
        gp[0] += 2.0 * w * r * x;
        gp[1] += 2.0 * w * r;
        want.push((2.0 * w * r * p[0], -2.0 * w * r));
    }
    assert_close(&g, &gp, 1e-13, "parameters");
    assert_close(&flat(&gd), &flat(&want), 1e-13, "points");
    let v = ([1.0, 0.5], vec![(0.2, -0.3), (0.0, 1.0), (0.4, 0.4), (-1.0, 0.1)]);
    let (_, t) = weighted_line_jvp(p, pts.clone(), v.0, v.1.clone());
    let (u, ud) = weighted_line_vjp(p, pts).1(1.0);
    let back =
        u[0] * v.0[0] + u[1] * v.0[1] + flat(&ud).iter().zip(flat(&v.1)).map(|(a, b)| a * b).sum::<f64>();
    assert_close(&[t], &[back], 1e-13, "forward against reverse");
}

#[test]
fn triples_read_by_their_parts_in_a_zip() {
    let pts = [(0.0, 0.0, 0.0), (1.0, 2.0, 2.0), (1.0, 2.0, 5.0), (4.0, 6.0, 5.0)];
    let (value, g) = polyline_grad(&pts);
    assert_close(&[value], &[3.0 + 3.0 + 5.0], 1e-14, "length");
    let f = |q: &[f64]| polyline(&q.chunks(3).map(|c| (c[0], c[1], c[2])).collect::<Vec<_>>());
    let x: Vec<f64> = pts.iter().flat_map(|&(a, b, c)| [a, b, c]).collect();
    let got: Vec<f64> = g.iter().flat_map(|&(a, b, c)| [a, b, c]).collect();
    // The first point moves the first segment only: minus its unit direction.
    assert_close(&got[..3], &[-1.0 / 3.0, -2.0 / 3.0, -2.0 / 3.0], 1e-14, "first point");
    assert_close(&got, &central_gradient(f, &x), 1e-8, "differences");
    // Forward against reverse along every coordinate at once.
    let v = vec![(0.5, -1.0, 0.25), (1.0, 0.0, -0.5), (-0.3, 0.2, 0.1), (0.0, 1.0, 2.0)];
    let (_, t) = polyline_jvp(&pts, v.clone());
    let u = polyline_vjp(&pts).1(0.8);
    let back: f64 = u.iter().zip(&v).map(|(a, b)| a.0 * b.0 + a.1 * b.1 + a.2 * b.2).sum();
    assert_close(&[0.8 * t], &[back], 1e-13, "forward against reverse");
}

#[test]
fn indexed_parts_and_a_literal_index() {
    let (c, pts) = (0.6, [(0.5, 1.5), (-1.0, 0.25), (2.0, 0.75)]);
    let (_, (gc, gp)) = indexed_grad(c, &pts);
    let mut want_c = pts[0].0;
    let mut want = vec![];
    for &(x, y) in &pts {
        let k = (c * x * y).cos();
        want_c += k * x * y;
        want.push((k * c * y, k * c * x));
    }
    want[0].0 += c;
    assert_close(&[gc], &[want_c], 1e-14, "constant");
    assert_close(&flat(&gp), &flat(&want), 1e-14, "points");
    let (_, t) = indexed_jvp(c, &pts, 1.0, vec![(0.0, 0.0); 3]);
    assert_close(&[t], &[gc], 1e-14, "forward along c");
    let fd = central_gradient(|q| indexed(q[0], &pairs(&q[1..])), &[[c].as_slice(), &flat(&pts)].concat());
    assert_close(&[[gc].as_slice(), &flat(&gp)].concat(), &fd, 1e-8, "differences");
    let w = vec![(0.5, -1.0), (0.2, 0.3), (-0.7, 1.0)];
    let (_, t) = indexed_jvp(c, &pts, -0.4, w.clone());
    let (uc, up) = indexed_vjp(c, &pts).1(1.0);
    assert_close(&[t], &[-0.4 * uc + dot(&up, &w)], 1e-13, "forward against reverse");
}

/// Elements borrowed by index: `let (x, y) = &pts[i]` and `let &(a, b) = &pts[0]`.
#[differentiable]
fn borrowed(pts: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for i in 1..pts.len() {
        let (x, y) = &pts[i];
        s += x * y;
    }
    let &(a, b) = &pts[0];
    s + a / b
}

#[derive(Clone, Debug, tapeless::Differentiable)]
pub struct Bead {
    pub m: f64,
    pub x: f64,
}

/// `let a = &beads[i - 1]` of a slice of structs, read by its fields (the same lowering).
#[differentiable]
fn springs(beads: &[Bead]) -> f64 {
    let mut s = 0.0;
    for i in 1..beads.len() {
        let a = &beads[i - 1];
        let b = &beads[i];
        s += a.m * b.m * (a.x - b.x).powi(2);
    }
    s
}

#[test]
fn elements_borrowed_by_index() {
    let pts = [(0.5, 2.0), (1.5, -0.5), (3.0, 0.25)];
    let (value, g) = borrowed_grad(&pts);
    assert_close(&[value], &[0.25 - 0.75 + 0.75], 1e-15, "value");
    assert_close(&flat(&g), &[0.5, -0.125, -0.5, 1.5, 0.25, 3.0], 1e-15, "closed form");
    assert_close(&flat(&g), &central_gradient(|q| borrowed(&pairs(q)), &flat(&pts)), 1e-8, "differences");
    let w = vec![(1.0, -0.5), (0.25, 2.0), (-1.0, 0.5)];
    let (_, t) = borrowed_jvp(&pts, w.clone());
    assert_close(&[t], &[dot(&borrowed_vjp(&pts).1(1.0), &w)], 1e-14, "forward against reverse");

    let beads = [Bead { m: 1.0, x: 0.0 }, Bead { m: 2.0, x: 1.0 }, Bead { m: 0.5, x: 3.0 }];
    let (value, g) = springs_grad(&beads);
    assert_close(&[value], &[2.0 + 4.0], 1e-15, "springs");
    let got: Vec<f64> = g.iter().flat_map(|b| [b.m, b.x]).collect();
    // ∂/∂m₀ = m₁ d², ∂/∂x₀ = 2 m₀ m₁ (x₀ - x₁), and so on along the chain.
    assert_close(&got, &[2.0, -4.0, 1.0 + 2.0, 4.0 - 4.0, 8.0, 4.0], 1e-15, "closed form");
    let (_, t) =
        springs_jvp(&beads, vec![Bead { m: 0.0, x: 1.0 }, Bead { m: 1.0, x: 0.0 }, Bead { m: 0.0, x: 0.0 }]);
    assert_close(&[t], &[g[0].x + g[1].m], 1e-14, "forward against reverse");
    let beads_of = |q: &[f64]| q.chunks(2).map(|c| Bead { m: c[0], x: c[1] }).collect::<Vec<_>>();
    let at: Vec<f64> = beads.iter().flat_map(|b| [b.m, b.x]).collect();
    assert_close(&got, &central_gradient(|q| springs(&beads_of(q)), &at), 1e-8, "differences");
}

/// An element taken whole: returned as Rust's tuple, and bound to a name read by `.0`, `.1`.
#[differentiable]
fn first_point(pts: &[(f64, f64)]) -> (f64, f64) {
    pts[0]
}

#[differentiable]
fn second_point_sum(pts: &[(f64, f64)]) -> f64 {
    let p = pts[1];
    p.0 * p.1
}

#[test]
fn elements_taken_whole() {
    let pts = [(1.0, 2.0), (3.0, 4.0)];
    assert_eq!(first_point(&pts), (1.0, 2.0));
    let (value, pullback) = first_point_vjp(&pts);
    assert_eq!(value, (1.0, 2.0));
    assert_close(&flat(&pullback((1.0, 10.0))), &[1.0, 10.0, 0.0, 0.0], 1e-15, "pullback");
    let (_, t) = first_point_jvp(&pts, vec![(0.5, -1.0), (2.0, 2.0)]);
    assert_eq!(t, (0.5, -1.0));
    // Forward against reverse for the pair returned: ⟨u, J v⟩ = ⟨Jᵀ u, v⟩.
    let (u, v) = ((0.3, -2.0), vec![(1.5, 0.5), (-1.0, 4.0)]);
    let (_, t) = first_point_jvp(&pts, v.clone());
    assert_close(
        &[u.0 * t.0 + u.1 * t.1],
        &[dot(&first_point_vjp(&pts).1(u), &v)],
        1e-15,
        "forward against reverse",
    );
    let (value, g) = second_point_sum_grad(&pts);
    assert_close(&[value], &[12.0], 1e-15, "value");
    assert_close(&flat(&g), &[0.0, 0.0, 4.0, 3.0], 1e-15, "gradient");
    assert_close(
        &flat(&g),
        &central_gradient(|q| second_point_sum(&pairs(q)), &flat(&pts)),
        1e-8,
        "differences",
    );
    let (_, t) = second_point_sum_jvp(&pts, v.clone());
    assert_close(&[t], &[dot(&second_point_sum_vjp(&pts).1(1.0), &v)], 1e-14, "forward against reverse, sum");
}

/// A local copy of the points (`to_vec`, `to_owned`), read by index, by a chain and by a loop:
/// its elements are the points' (it was "a field access of a differentiable value").
#[differentiable(hessian)]
fn copied(pts: &[(f64, f64)]) -> f64 {
    let d = pts.to_vec();
    let e = pts.to_owned();
    let mut cubic = 0.0;
    for &(u, v) in e.iter() {
        cubic += u * v * v;
    }
    d[0].0 * d[1].1 + d.iter().map(|p| p.0 * p.1).sum::<f64>() + cubic
}

#[test]
fn a_local_copy_of_the_points() {
    let pts = [(1.0, 2.0), (3.0, -4.0), (0.5, 1.5)];
    let (value, g) = copied_grad(&pts);
    let f = |p: &[(f64, f64)]| p[0].0 * p[1].1 + p.iter().map(|q| q.0 * q.1 + q.0 * q.1 * q.1).sum::<f64>();
    assert!((value - f(&pts)).abs() < 1e-14);
    // ∂/∂u_k = v_k + v_k², ∂/∂v_k = u_k + 2 u_k v_k, plus v_1 on u_0 and u_0 on v_1.
    let mut want: Vec<f64> = pts.iter().flat_map(|&(u, v)| [v + v * v, u + 2.0 * u * v]).collect();
    want[0] += pts[1].1;
    want[3] += pts[0].0;
    assert_close(&flat(&g), &want, 1e-14, "copied closed form");
    assert_close(
        &flat(&g),
        &central_gradient(|q| copied(&pairs(q)), &flat(&pts)),
        1e-8,
        "copied differences",
    );
    let dir = [0.3, -0.7, 1.1, 0.2, -0.4, 0.9];
    let (_, t) = copied_jvp(&pts, pairs(&dir));
    let back: f64 = flat(&g).iter().zip(dir).map(|(a, b)| a * b).sum();
    assert_close(&[t], &[back], 1e-13, "copied forward against reverse");
    // H: the (u_k, v_k) block [[0, 1 + 2 v_k], [1 + 2 v_k, 2 u_k]], and 1 between u_0 and v_1.
    let (_, _, h) = copied_hessian(&pts);
    let closed = |i: usize, j: usize| {
        let (k, l) = (i / 2, j / 2);
        let (u, v) = pts[k];
        let block = match (k == l, i % 2, j % 2) {
            (true, 0, 1) | (true, 1, 0) => 1.0 + 2.0 * v,
            (true, 1, 1) => 2.0 * u,
            _ => 0.0,
        };
        block + if (i, j) == (0, 3) || (i, j) == (3, 0) { 1.0 } else { 0.0 }
    };
    let grad = |q: &[f64]| flat(&copied_grad(&pairs(q)).1);
    hessian_against("copied", &h, &closed, &grad, &flat(&pts), 1e-13);
}
