//! Rows of a nested array passed by reference to differentiable functions (`energy(&pos[i],
//! &pos[i + 1])` of `pos: &[[f64; 2]]`, also through `windows(2)`), and a method of a local struct
//! without `Clone` called in a loop. Before, the first was our "borrowed row of a nested array"
//! error and the second rustc's "`Spring: Clone` is not satisfied" at the attribute (the struct
//! was saved for the backward loop by a clone). The chain energy of springs against its closed
//! form and central differences, forward against reverse.
//!
//! Rows of `Vec`s (`w: &[Vec<f64>]`) passed the same way, `dot(&w[i], x)` or `dot(row, x)` of
//! `for row in w` and of a `map` (thirty-ninth session): borrowed in place, the callee's adjoint
//! added into the row's. They were our "row of a nested array taken whole" error.

mod common;

use common::{assert_close, central_gradient};
use tapeless::differentiable;

/// A spring of rest length 1 and stiffness 10 between two points.
#[differentiable]
fn energy(a: &[f64; 2], b: &[f64; 2]) -> f64 {
    let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
    5.0 * (d - 1.0).powi(2)
}

#[differentiable]
fn chain_by_index(pos: &[[f64; 2]]) -> f64 {
    let mut total = 0.0;
    for i in 0..pos.len() - 1 {
        total += energy(&pos[i], &pos[i + 1]);
    }
    total
}

#[differentiable]
fn chain_by_windows(pos: &[[f64; 2]]) -> f64 {
    pos.windows(2).map(|w| energy(&w[0], &w[1])).sum()
}

/// No `Clone`: the backward loop builds it again from its fields.
struct Spring {
    rest: f64,
    stiffness: f64,
}

impl Spring {
    #[differentiable]
    fn energy(&self, a: &[f64; 2], b: &[f64; 2]) -> f64 {
        let d = ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt();
        0.5 * self.stiffness * (d - self.rest).powi(2)
    }
}

#[differentiable]
fn chain_by_method(pos: &[[f64; 2]]) -> f64 {
    let spring = Spring { rest: 1.0, stiffness: 10.0 };
    pos.windows(2).map(|w| spring.energy(&w[0], &w[1])).sum()
}

/// `Σ 5 (|pᵢ₊₁ - pᵢ| - 1)²` and its gradient: `10 (d - 1) (pᵢ - pᵢ₊₁) / d` onto `pᵢ`, the
/// opposite onto `pᵢ₊₁`.
fn closed_form(pos: &[[f64; 2]]) -> (f64, Vec<f64>) {
    let mut g = vec![0.0; 2 * pos.len()];
    let mut value = 0.0;
    for i in 0..pos.len() - 1 {
        let (dx, dy) = (pos[i][0] - pos[i + 1][0], pos[i][1] - pos[i + 1][1]);
        let d = (dx * dx + dy * dy).sqrt();
        value += 5.0 * (d - 1.0).powi(2);
        let c = 10.0 * (d - 1.0) / d;
        g[2 * i] += c * dx;
        g[2 * i + 1] += c * dy;
        g[2 * i + 2] -= c * dx;
        g[2 * i + 3] -= c * dy;
    }
    (value, g)
}

type Chain = fn(&[[f64; 2]]) -> f64;
type ChainGrad = fn(&[[f64; 2]]) -> (f64, Vec<[f64; 2]>);
type ChainJvp = fn(&[[f64; 2]], Vec<[f64; 2]>) -> (f64, f64);

#[test]
fn rows_passed_by_reference() {
    let rows = |p: &[f64]| p.chunks(2).map(|c| [c[0], c[1]]).collect::<Vec<_>>();
    let cases: [(&str, Chain, ChainGrad, ChainJvp); 3] = [
        ("by index", chain_by_index, chain_by_index_grad, chain_by_index_jvp),
        ("by windows", chain_by_windows, chain_by_windows_grad, chain_by_windows_jvp),
        ("by method", chain_by_method, chain_by_method_grad, chain_by_method_jvp),
    ];
    for flat in [[0.0, 0.0, 1.2, 0.1, 2.0, 0.9, 2.5, 2.5], [0.3, -0.2, -0.5, 0.4, 0.1, 1.9, 1.0, 1.0]] {
        let pos = rows(&flat);
        let (value, exact) = closed_form(&pos);
        for (name, f, grad, jvp) in cases {
            let (v, g) = grad(&pos);
            let g: Vec<f64> = g.iter().flatten().copied().collect();
            assert_eq!(v, f(&pos), "{name}: value");
            assert_close(&[v], &[value], 1e-14, name);
            assert_close(&g, &exact, 1e-13, name);
            assert_close(&g, &central_gradient(|p| f(&rows(p)), &flat), 1e-7, name);
            // Forward against reverse: `<1, J t>` from the JVP, `<∇f, t>` from the gradient.
            let t = [0.5, -1.0, 0.25, 2.0, -0.3, 0.7, 1.1, -0.6];
            let (_, along) = jvp(&pos, rows(&t));
            let dot: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
            assert_close(&[along], &[dot], 1e-13, name);
        }
        // The pullback at a cotangent of 1.5 against the same JVP.
        let (_, pullback) = chain_by_method_vjp(&pos);
        let back: Vec<f64> = pullback(1.5).iter().flatten().copied().collect();
        let t = [0.5, -1.0, 0.25, 2.0, -0.3, 0.7, 1.1, -0.6];
        let (_, along) = chain_by_method_jvp(&pos, rows(&t));
        let dot: f64 = back.iter().zip(&t).map(|(a, b)| a * b).sum();
        assert_close(&[1.5 * along], &[dot], 1e-13, "by method, pullback");
    }
}

/// `Σ aᵢ bᵢ`.
#[differentiable(hessian)]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// A layer's `Σ tanh(wᵣ · x)` over rows bound by a `for`.
#[differentiable]
fn layer(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for row in w {
        s += dot(row, x).tanh();
    }
    s
}

/// The same by index.
#[allow(clippy::needless_range_loop)] // the index is the form under test
#[differentiable]
fn layer_by_index(w: &[Vec<f64>], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..w.len() {
        s += dot(&w[i], x).tanh();
    }
    s
}

/// The same as a chain, with second order.
#[differentiable(hessian)]
fn layer_by_map(w: &[Vec<f64>], x: &[f64]) -> f64 {
    w.iter().map(|row| dot(row, x).tanh()).sum()
}

/// `Σ_{i<j} |pᵢ - pⱼ|` through a helper of two rows.
#[differentiable]
fn pairwise(pts: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for i in 0..pts.len() {
        for j in (i + 1)..pts.len() {
            s += squared_distance(&pts[i], &pts[j]).sqrt();
        }
    }
    s
}

#[differentiable]
fn squared_distance(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| (p - q).powi(2)).sum()
}

fn rows(q: &[f64], width: usize) -> Vec<Vec<f64>> {
    q.chunks(width).map(<[f64]>::to_vec).collect()
}

#[test]
fn rows_of_vecs_passed_to_a_function() {
    let w = vec![vec![0.1, 0.2, 0.3], vec![-0.4, 0.5, 0.6]];
    let x = [1.0, -2.0, 0.5];
    let flat: Vec<f64> = w.concat();
    // ∂/∂w_rj = (1 - tanh²(w_r · x)) x_j, ∂/∂x_j = Σ_r (1 - tanh²) w_rj.
    let sech2: Vec<f64> = w.iter().map(|r| 1.0 - dot(r, &x).tanh().powi(2)).collect();
    let want_w: Vec<f64> = sech2.iter().flat_map(|s| x.map(|xj| s * xj)).collect();
    let want_x: Vec<f64> = (0..3).map(|j| sech2[0] * w[0][j] + sech2[1] * w[1][j]).collect();
    for (name, grad) in [
        ("for", layer_grad as fn(&[Vec<f64>], &[f64]) -> (f64, (Vec<Vec<f64>>, Vec<f64>))),
        ("index", layer_by_index_grad),
        ("map", layer_by_map_grad),
    ] {
        let (value, (gw, gx)) = grad(&w, &x);
        assert_close(&[value], &[layer(&w, &x)], 1e-15, name);
        assert_close(&gw.concat(), &want_w, 1e-14, name);
        assert_close(&gx, &want_x, 1e-14, name);
    }
    let fd = central_gradient(|q| layer(&rows(q, 3), &x), &flat);
    assert_close(&want_w, &fd, 1e-8, "differences");
    // Forward against reverse, along the rows and the input.
    let (dw, dx) = (vec![vec![0.5, -1.0, 0.25], vec![1.0, 0.0, -0.5]], vec![0.3, 0.2, -0.1]);
    let (_, t) = layer_by_index_jvp(&w, &x, dw.clone(), dx.clone());
    let (uw, ux) = layer_by_index_vjp(&w, &x).1(1.0);
    let back: f64 = uw.concat().iter().zip(dw.concat()).map(|(a, b)| a * b).sum::<f64>()
        + ux.iter().zip(&dx).map(|(a, b)| a * b).sum::<f64>();
    assert_close(&[t], &[back], 1e-14, "forward against reverse");
    let (_, t) = layer_jvp(&w, &x, dw, dx);
    assert_close(&[t], &[back], 1e-14, "forward against reverse, for");
}

#[test]
fn the_hessian_through_rows_of_vecs() {
    let w = vec![vec![0.1, 0.2, 0.3], vec![-0.4, 0.5, 0.6]];
    let x = [1.0, -2.0, 0.5];
    let (_, _, h) = layer_by_map_hessian(&w, &x);
    let mut point = w.concat();
    point.extend(x);
    let grad = |q: &[f64]| {
        let (_, (gw, gx)) = layer_by_map_grad(&rows(&q[..6], 3), &q[6..]);
        let mut g = gw.concat();
        g.extend(gx);
        g
    };
    // In closed form: with z_r = w_r · x and t_r = tanh z_r, s_r = 1 - t_r², the second
    // derivative of tanh is -2 t s: H = Σ_r -2 t_r s_r ∇z_r ∇z_rᵀ + s_r ∇²z_r, where ∇z_r is
    // x in row r's block and w_r in x's block, and ∇²z_r pairs w_rj with x_j.
    let want = |i: usize, j: usize| {
        let mut sum = 0.0;
        for (r, wr) in w.iter().enumerate() {
            let z = dot(wr, &x);
            let (t, s) = (z.tanh(), 1.0 - z.tanh().powi(2));
            let dz = |k: usize| match k {
                k if k < 6 && k / 3 == r => x[k % 3],
                k if k >= 6 => wr[k - 6],
                _ => 0.0,
            };
            let d2 = |a: usize, b: usize| {
                let (a, b) = if a < b { (a, b) } else { (b, a) };
                if a < 6 && a / 3 == r && b >= 6 && b - 6 == a % 3 { 1.0 } else { 0.0 }
            };
            sum += -2.0 * t * s * dz(i) * dz(j) + s * d2(i, j);
        }
        sum
    };
    common::hessian_against("layer_by_map", &h, &want, &grad, &point, 1e-12);
}

#[test]
fn pairwise_distances_of_rows() {
    let pts = vec![vec![0.0, 0.0], vec![3.0, 4.0], vec![1.0, 1.0]];
    let (value, g) = pairwise_grad(&pts);
    assert_close(&[value], &[5.0 + 2f64.sqrt() + 13f64.sqrt()], 1e-14, "value");
    let unit = |a: &[f64], b: &[f64]| {
        let d = squared_distance(a, b).sqrt();
        [(a[0] - b[0]) / d, (a[1] - b[1]) / d]
    };
    let (u01, u02, u12) = (unit(&pts[0], &pts[1]), unit(&pts[0], &pts[2]), unit(&pts[1], &pts[2]));
    let want = [
        u01[0] + u02[0],
        u01[1] + u02[1],
        -u01[0] + u12[0],
        -u01[1] + u12[1],
        -u02[0] - u12[0],
        -u02[1] - u12[1],
    ];
    assert_close(&g.concat(), &want, 1e-14, "closed form");
    assert_close(&want, &central_gradient(|q| pairwise(&rows(q, 2)), &pts.concat()), 1e-8, "differences");
    let v = vec![vec![0.5, -1.0], vec![0.25, 2.0], vec![-1.5, 0.0]];
    let (_, t) = pairwise_jvp(&pts, v.clone());
    let u = pairwise_vjp(&pts).1(1.0);
    let back: f64 = u.concat().iter().zip(v.concat()).map(|(a, b)| a * b).sum();
    assert_close(&[t], &[back], 1e-14, "forward against reverse");
}
