//! Particle code as simulation crates write it: positions as `&[[f64; 3]]` or as
//! `&[Vector3<f64>]`, pair loops, and a chain over rows. The two Lennard-Jones forms must agree
//! with each other, with the analytic force of a pair, with central differences, and forward
//! mode with reverse mode.

// Index loops over coordinates, as such code writes them.
#![allow(clippy::needless_range_loop)]

use nalgebra::Vector3;
use tapeless::differentiable;

mod common;

use common::{Fns, check, close};

#[differentiable]
fn lj_arrays(pos: &[[f64; 3]]) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            let mut r2 = 0.0;
            for k in 0..3 {
                let d = pos[i][k] - pos[j][k];
                r2 += d * d;
            }
            let inv6 = 1.0 / (r2 * r2 * r2);
            e += 4.0 * (inv6 * inv6 - inv6);
        }
    }
    e
}

#[differentiable]
fn lj_vectors(pos: &[Vector3<f64>]) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            let r2 = (pos[i] - pos[j]).norm_squared();
            let inv6 = 1.0 / (r2 * r2 * r2);
            e += 4.0 * (inv6 * inv6 - inv6);
        }
    }
    e
}

/// The distances of points from the origin, summed through a chain over rows.
#[differentiable]
fn radii(pos: &[[f64; 2]]) -> f64 {
    pos.iter().map(|p| (p[0] * p[0] + p[1] * p[1]).sqrt()).sum()
}

fn rows3(flat: &[f64]) -> Vec<[f64; 3]> {
    flat.chunks(3).map(|c| [c[0], c[1], c[2]]).collect()
}

fn vectors(flat: &[f64]) -> Vec<Vector3<f64>> {
    flat.chunks(3).map(|c| Vector3::new(c[0], c[1], c[2])).collect()
}

/// The [`Fns`] of a function of `&[Vector3<f64>]`, on the points' coordinates flattened.
macro_rules! vector_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident) => {
        Fns {
            name: stringify!($f),
            f: &|p| $f(&vectors(p)),
            jvp: &|p, t| $jvp(&vectors(p), vectors(t)),
            vjp: &|p, u| {
                let points = vectors(p);
                let (v, pullback) = $vjp(&points);
                (v, pullback(u).iter().flat_map(|g| g.iter().copied()).collect())
            },
            grad: &|p| {
                let (v, g) = $grad(&vectors(p));
                (v, g.iter().flat_map(|g| g.iter().copied()).collect())
            },
        }
    };
}

#[test]
fn lennard_jones_by_arrays_and_by_vectors() {
    // A pair at distance r along a unit direction u: dE/dx_0 = E'(r) u, E'(r) = 4 (-12 r^-13 + 6 r^-7).
    let (r, u) = (1.2_f64, [0.6, 0.0, 0.8]);
    let pair = [[0.0, 0.0, 0.0], [r * u[0], r * u[1], r * u[2]]];
    let (e, g) = lj_arrays_grad(&pair);
    assert!(close(e, 4.0 * (r.powi(-12) - r.powi(-6)), 1e-14));
    let de = 4.0 * (-12.0 * r.powi(-13) + 6.0 * r.powi(-7));
    for k in 0..3 {
        assert!(close(g[0][k], -de * u[k], 1e-13) && close(g[1][k], de * u[k], 1e-13), "{g:?}");
    }
    let points: [&[f64]; 3] = [
        &[0.0, 0.0, 0.0, 1.1, 0.1, 0.0, 0.2, 1.2, 0.3],
        &[0.1, -0.2, 0.0, 1.0, 0.3, 0.2, -0.4, 1.1, 0.5, 0.9, 1.0, -0.7],
        &[0.0, 0.0, 0.0, 0.0, 1.3, 0.0],
    ];
    for x in points {
        let (ea, ga) = lj_arrays_grad(&rows3(x));
        let (ev, gv) = lj_vectors_grad(&vectors(x));
        assert!(close(ea, ev, 1e-14));
        for (a, v) in ga.iter().zip(&gv) {
            for k in 0..3 {
                assert!(close(a[k], v[k], 1e-13), "{ga:?} vs {gv:?}");
            }
        }
    }
    let fns = Fns {
        name: "lj_arrays",
        f: &|p| lj_arrays(&rows3(p)),
        jvp: &|p, t| lj_arrays_jvp(&rows3(p), rows3(t)),
        vjp: &|p, u| {
            let rows = rows3(p);
            let (v, pullback) = lj_arrays_vjp(&rows);
            (v, pullback(u).concat())
        },
        grad: &|p| {
            let (v, g) = lj_arrays_grad(&rows3(p));
            (v, g.concat())
        },
    };
    check(&fns, &points, 1e-7);
    check(&vector_fns!(lj_vectors, lj_vectors_jvp, lj_vectors_vjp, lj_vectors_grad), &points, 1e-7);
}

#[test]
fn a_chain_over_rows_of_fixed_arrays() {
    let pos = [[0.3, 0.9], [0.2, 1.0], [-1.5, 0.4]];
    let (value, grad) = radii_grad(&pos);
    let want: f64 = pos.iter().map(|p| p[0].hypot(p[1])).sum();
    assert!(close(value, want, 1e-15));
    for (g, p) in grad.iter().zip(&pos) {
        let r = p[0].hypot(p[1]);
        assert!(close(g[0], p[0] / r, 1e-15) && close(g[1], p[1] / r, 1e-15), "{grad:?}");
    }
    let rows2 = |flat: &[f64]| flat.chunks(2).map(|c| [c[0], c[1]]).collect::<Vec<_>>();
    let fns = Fns {
        name: "radii",
        f: &|p| radii(&rows2(p)),
        jvp: &|p, t| radii_jvp(&rows2(p), rows2(t)),
        vjp: &|p, u| {
            let rows = rows2(p);
            let (v, pullback) = radii_vjp(&rows);
            (v, pullback(u).concat())
        },
        grad: &|p| {
            let (v, g) = radii_grad(&rows2(p));
            (v, g.concat())
        },
    };
    check(&fns, &[&[0.3, 0.9, 0.2, 1.0], &[1.0, -2.0], &[0.5, 0.5, -0.3, 0.8, 2.0, 0.1]], 1e-7);
}

/// A local array of vectors (`vec![v; n]` of a nalgebra vector), one overwritten and read whole:
/// the sum of the points' coordinates, scaled by `x[0]` (its entries are vectors, not floats;
/// this was rustc's E0277 inside generated code).
#[differentiable]
fn scaled_corners(x: &[f64]) -> f64 {
    let mut corners = vec![Vector3::new(1.0, 2.0, 0.5); 3];
    corners[1] = Vector3::new(x[1], x[2], x[1] * x[2]);
    let mut total = 0.0;
    for c in &corners {
        let scaled = c * x[0];
        total += scaled[0] + scaled[1] + scaled[2];
    }
    total
}

#[test]
fn a_local_array_of_vectors() {
    let x = [0.5, 2.0, -3.0];
    // 2 (1 + 2 + 0.5) x0 + (x1 + x2 + x1 x2) x0.
    let (value, g) = scaled_corners_grad(&x);
    let inner = x[1] + x[2] + x[1] * x[2];
    assert!(close(value, (7.0 + inner) * x[0], 1e-15));
    let want = [7.0 + inner, x[0] * (1.0 + x[2]), x[0] * (1.0 + x[1])];
    for i in 0..3 {
        assert!(close(g[i], want[i], 1e-15), "{g:?} vs {want:?}");
    }
    check(
        &slice_fns!(scaled_corners, scaled_corners_jvp, scaled_corners_vjp, scaled_corners_grad),
        &[&x, &[1.0, 0.1, 0.2], &[-2.0, 1.5, 0.7]],
        1e-7,
    );
}

/// The Lennard-Jones energy of one pair, taking its points by reference.
#[differentiable(hessian)]
fn lj_pair(a: &Vector3<f64>, b: &Vector3<f64>) -> f64 {
    let r2 = (a - b).norm_squared();
    let inv6 = 1.0 / (r2 * r2 * r2);
    4.0 * (inv6 * inv6 - inv6)
}

/// The same energy as `lj_vectors`, by the pair helper called on references to the elements,
/// `lj_pair(&pos[i], &pos[j])`, as simulation code calls its pair potentials; and a chain of
/// neighbours through `windows(2)`.
// `&w[1] - &w[0]`, as nalgebra code writes it to avoid moves.
#[allow(clippy::op_ref)]
#[differentiable(hessian)]
fn lj_by_pairs(pos: &[Vector3<f64>]) -> f64 {
    let mut e = 0.0;
    for i in 0..pos.len() {
        for j in (i + 1)..pos.len() {
            e += lj_pair(&pos[i], &pos[j]);
        }
    }
    let chain: f64 = pos.windows(2).map(|w| (&w[1] - &w[0]).norm()).sum();
    e + 0.1 * chain
}

#[test]
fn a_pair_helper_called_on_references_to_elements() {
    let points: [&[f64]; 3] = [
        &[0.0, 0.0, 0.0, 1.1, 0.1, 0.0, 0.2, 1.2, 0.3],
        &[0.1, -0.2, 0.0, 1.0, 0.3, 0.2, -0.4, 1.1, 0.5, 0.9, 1.0, -0.7],
        &[0.0, 0.0, 0.0, 0.0, 1.3, 0.0],
    ];
    for x in points {
        let pos = vectors(x);
        let (e, g) = lj_by_pairs_grad(&pos);
        let (e_ref, g_ref) = lj_vectors_grad(&pos);
        // The chain term's gradient: unit vectors along each link, 0.1 each.
        let mut want: Vec<Vector3<f64>> = g_ref.clone();
        let mut chain = 0.0;
        for k in 0..pos.len() - 1 {
            let d = pos[k + 1] - pos[k];
            chain += d.norm();
            want[k + 1] += 0.1 * d / d.norm();
            want[k] -= 0.1 * d / d.norm();
        }
        assert!(close(e, e_ref + 0.1 * chain, 1e-14), "{e} vs {}", e_ref + 0.1 * chain);
        for (a, w) in g.iter().zip(&want) {
            for k in 0..3 {
                assert!(close(a[k], w[k], 1e-12), "{g:?} vs {want:?}");
            }
        }
        // The Hessian against central differences of `_grad`.
        let (_, _, h) = lj_by_pairs_hessian(&pos);
        let n = x.len();
        for i in 0..n {
            let gi = |p: &[f64]| lj_by_pairs_grad(&vectors(p)).1[i / 3][i % 3];
            for j in 0..n {
                let fd = common::central(&gi, x, j);
                assert!(close(h[(i, j)], fd, 1e-6), "H[{i},{j}] = {} vs {fd}", h[(i, j)]);
            }
        }
    }
    check(&vector_fns!(lj_by_pairs, lj_by_pairs_jvp, lj_by_pairs_vjp, lj_by_pairs_grad), &points, 1e-7);
}
