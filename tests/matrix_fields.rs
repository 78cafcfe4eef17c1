//! Matrix-valued fields of a `#[derive(Differentiable)]` struct multiplied together and passed
//! through shape-keeping nalgebra methods (`p.w.transpose() * x`, `f.r * f.m`,
//! `f.t.normalize()`). The macro cannot see a field's type: a `Matrix3` field read by value was
//! once taken for a float, and the product of two such fields got the adjoint `ȳ m` where
//! `ȳ mᵀ` is right (a wrong gradient, caught here); a `DMatrix` field under `transpose` was
//! moved out of the struct (rustc's E0507 in generated code). First order against analytic
//! gradients and central differences, forward against reverse; second order against central
//! differences of the gradient.
//!
//! The same holds for matrices in local arrays (`mats.to_vec()` of a `&[Matrix3<f64>]`): their
//! entries were taken for floats too, with the same wrong adjoint; and a local copy of a slice
//! of `[f64; 2]` points was rustc's error in generated code.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::{DMatrix, DVector, Matrix2x3, Matrix3, Vector3};
use tapeless::{Differentiable, differentiable};

#[derive(Clone, Debug, Differentiable)]
pub struct Frame {
    pub r: Matrix3<f64>,
    pub m: Matrix3<f64>,
    pub t: Vector3<f64>,
    pub p: Matrix2x3<f64>,
    pub s: f64,
}

/// `|R M v|²`: a product of two square fields.
#[differentiable(hessian, wrt(f))]
fn chained(f: &Frame, v: &Vector3<f64>) -> f64 {
    let a = f.r * f.m;
    (a * v).norm_squared()
}

/// Every shape-keeping method on fields, with products by fields and by the float field.
#[differentiable(wrt(f))]
fn assorted(f: &Frame, v: &Vector3<f64>) -> f64 {
    let a = f.r.transpose() * v;
    let b = f.r * f.t;
    let c = f.t.cross(v);
    let d = f.p * f.t.normalize();
    let e = f.r.transpose() * f.s;
    a.dot(&b)
        + c.norm()
        + d.norm_squared()
        + e.trace()
        + f.t.component_mul(v).sum()
        + (f.m.transpose() / f.s).sum()
}

fn frame(c: &[f64]) -> Frame {
    Frame {
        r: Matrix3::from_column_slice(&c[0..9]),
        m: Matrix3::from_column_slice(&c[9..18]),
        t: Vector3::from_column_slice(&c[18..21]),
        p: Matrix2x3::from_column_slice(&c[21..27]),
        s: c[27],
    }
}

fn coords(f: &Frame) -> Vec<f64> {
    f.r.iter().chain(f.m.iter()).chain(f.t.iter()).chain(f.p.iter()).copied().chain([f.s]).collect()
}

/// `H v` (flattened) against central differences of the gradient `grad` at `c` along `v`.
fn hessian_along(name: &str, grad: &dyn Fn(&[f64]) -> Vec<f64>, c: &[f64], v: &[f64], hv: &[f64], tol: f64) {
    let at = |s: f64| grad(&c.iter().zip(v).map(|(a, b)| a + s * b).collect::<Vec<f64>>());
    let (up, down) = (at(1e-5), at(-1e-5));
    for (k, h) in hv.iter().enumerate() {
        let fd = (up[k] - down[k]) / 2e-5;
        assert!(close(*h, fd, tol), "{name}: (H v)[{k}] = {h} vs {fd}");
    }
}

fn points() -> Vec<Vec<f64>> {
    (0..3)
        .map(|k| common::direction(28, 40 + k).iter().map(|x| x + if k == 1 { 0.5 } else { 0.0 }).collect())
        .collect()
}

#[test]
fn a_product_of_two_square_fields() {
    let v = Vector3::new(0.2, 0.7, -0.4);
    for c in points() {
        let f = frame(&c);
        let (value, g) = chained_grad(&f, &v);
        assert_eq!(value, chained(&f, &v));
        // y = R M v: d|y|²/dR = 2 y (M v)ᵀ, d|y|²/dM = 2 Rᵀ y vᵀ.
        let y = f.r * f.m * v;
        let (gr, gm) = (2.0 * y * (f.m * v).transpose(), 2.0 * f.r.transpose() * y * v.transpose());
        assert!((g.r - gr).norm() < 1e-13 * gr.norm(), "dR: {} vs {gr}", g.r);
        assert!((g.m - gm).norm() < 1e-13 * gm.norm(), "dM: {} vs {gm}", g.m);
        gradient_central("chained", &|x| chained(&frame(x), &v), &c, &coords(&g), 1e-8);
        let dir = common::direction(28, 7);
        let (_, tangent) = chained_jvp(&f, &v, frame(&dir));
        let (_, pullback) = chained_vjp(&f, &v);
        forward_against_reverse("chained", tangent, &dir, 0.8, &coords(&pullback(0.8)), 1e-12);

        // H along a direction: against central differences of the gradient.
        let (hvalue, hg, hv) = chained_hvp(&f, &v, frame(&dir));
        assert_eq!((hvalue, coords(&hg)), (value, coords(&g)));
        hessian_along("chained", &|p| coords(&chained_grad(&frame(p), &v).1), &c, &dir, &coords(&hv), 1e-7);
    }
}

#[test]
fn shape_keeping_methods_of_static_fields() {
    let v = Vector3::new(0.2, 0.7, -0.4);
    for c in points() {
        let f = frame(&c);
        let (value, g) = assorted_grad(&f, &v);
        assert_eq!(value, assorted(&f, &v));
        gradient_central("assorted", &|x| assorted(&frame(x), &v), &c, &coords(&g), 1e-7);
        // The product of R by the float field: d/ds of tr(Rᵀ s) + sum(Mᵀ / s).
        let ds = f.r.trace() - f.m.sum() / (f.s * f.s);
        assert!(close(g.s, ds, 1e-12), "ds: {} vs {ds}", g.s);
        let dir = common::direction(28, 8);
        let (_, tangent) = assorted_jvp(&f, &v, frame(&dir));
        let (_, pullback) = assorted_vjp(&f, &v);
        forward_against_reverse("assorted", tangent, &dir, 1.3, &coords(&pullback(1.3)), 1e-12);
    }
}

#[derive(Clone, Debug, Differentiable)]
pub struct Layer {
    pub w: DMatrix<f64>,
    pub b: DVector<f64>,
}

/// A `DMatrix` field transposed and a `DVector` field normalized, without `&`.
#[differentiable(hessian, wrt(l))]
fn backward_layer(l: &Layer, x: &DVector<f64>) -> f64 {
    let y = l.w.transpose() * x;
    y.norm_squared() + l.b.component_mul(&l.b).sum() + l.w.column(0).norm() + l.b.normalize()[0]
}

fn layer(c: &[f64]) -> Layer {
    Layer { w: DMatrix::from_column_slice(3, 2, &c[0..6]), b: DVector::from_column_slice(&c[6..8]) }
}

fn layer_coords(l: &Layer) -> Vec<f64> {
    l.w.iter().chain(l.b.iter()).copied().collect()
}

#[test]
fn a_dmatrix_field_transposed() {
    let x = DVector::from_vec(vec![0.4, 1.1, -0.6]);
    for k in 0..3 {
        let c: Vec<f64> = common::direction(8, 60 + k).iter().map(|v| v + 0.3).collect();
        let l = layer(&c);
        let (_, g) = backward_layer_grad(&l, &x);
        // d|Wᵀx|²/dW = 2 x (Wᵀ x)ᵀ, plus d|w₀|/dw₀ in the first column.
        let mut gw = 2.0 * &x * (l.w.transpose() * &x).transpose();
        let w0 = l.w.column(0).into_owned();
        gw.column_mut(0).axpy(1.0 / w0.norm(), &w0, 1.0);
        let n = l.b.norm();
        let gb = 2.0 * &l.b + (DVector::from_vec(vec![1.0, 0.0]) - &l.b * (l.b[0] / (n * n))) / n;
        assert!((&g.w - &gw).norm() < 1e-13 * gw.norm(), "dW: {} vs {gw}", g.w);
        assert!((&g.b - &gb).norm() < 1e-13 * gb.norm(), "db: {} vs {gb}", g.b);
        gradient_central("backward_layer", &|p| backward_layer(&layer(p), &x), &c, &layer_coords(&g), 1e-8);
        let dir = common::direction(8, 9);
        let (_, tangent) = backward_layer_jvp(&l, &x, layer(&dir));
        let (_, pullback) = backward_layer_vjp(&l, &x);
        forward_against_reverse("backward_layer", tangent, &dir, 0.6, &layer_coords(&pullback(0.6)), 1e-12);
        let (_, _, hv) = backward_layer_hvp(&l, &x, layer(&dir));
        let grad = |p: &[f64]| layer_coords(&backward_layer_grad(&layer(p), &x).1);
        hessian_along("backward_layer", &grad, &c, &dir, &layer_coords(&hv), 1e-6);
    }
}

/// A product of two matrices of a local copy of a slice.
#[differentiable]
fn copied_product(mats: &[Matrix3<f64>], v: &Vector3<f64>) -> f64 {
    let ms = mats.to_vec();
    (ms[0] * ms[1] * v).norm_squared()
}

/// The same, the matrices collected from an iterator (transposed twice).
#[differentiable]
fn collected_product(mats: &[Matrix3<f64>], v: &Vector3<f64>) -> f64 {
    let ms: Vec<Matrix3<f64>> = mats.iter().map(|m| m.transpose().transpose()).collect();
    (ms[0] * ms[1] * v).norm_squared()
}

#[test]
fn matrices_in_a_local_array() {
    let v = Vector3::new(0.2, 0.7, -0.4);
    for c in points() {
        let f = frame(&c);
        let mats = [f.r, f.m];
        let y = f.r * f.m * v;
        let (gr, gm) = (2.0 * y * (f.m * v).transpose(), 2.0 * f.r.transpose() * y * v.transpose());
        let flat: Vec<f64> = c[..18].to_vec();
        let unflat = |p: &[f64]| [Matrix3::from_column_slice(&p[..9]), Matrix3::from_column_slice(&p[9..18])];
        for (name, grad, jvp, f) in [
            (
                "copied_product",
                copied_product_grad
                    as fn(&[Matrix3<f64>], &Vector3<f64>) -> (f64, (Vec<Matrix3<f64>>, Vector3<f64>)),
                copied_product_jvp
                    as fn(&[Matrix3<f64>], &Vector3<f64>, Vec<Matrix3<f64>>, Vector3<f64>) -> (f64, f64),
                copied_product as fn(&[Matrix3<f64>], &Vector3<f64>) -> f64,
            ),
            ("collected_product", collected_product_grad, collected_product_jvp, collected_product),
        ] {
            let (_, (g, _)) = grad(&mats, &v);
            assert!((g[0] - gr).norm() < 1e-13 * gr.norm(), "{name} dR: {} vs {gr}", g[0]);
            assert!((g[1] - gm).norm() < 1e-13 * gm.norm(), "{name} dM: {} vs {gm}", g[1]);
            let g_flat: Vec<f64> = g.iter().flat_map(|m| m.iter().copied()).collect();
            gradient_central(name, &|p| f(&unflat(p), &v), &flat, &g_flat, 1e-8);
            let dir = common::direction(18, 21);
            let (_, tangent) = jvp(&mats, &v, unflat(&dir).to_vec(), Vector3::zeros());
            forward_against_reverse(name, tangent, &dir, 1.0, &g_flat, 1e-12);
        }
    }
}

/// Velocity Verlet for unit springs to the origin, on a local copy of the positions.
#[differentiable(wrt(pos))]
fn verlet(pos: &[[f64; 2]], vel: &[[f64; 2]], dt: f64, steps: usize) -> f64 {
    let mut x: Vec<[f64; 2]> = pos.to_vec();
    let mut v: Vec<[f64; 2]> = vel.to_vec();
    for _ in 0..steps {
        for i in 0..x.len() {
            v[i][0] -= dt * x[i][0];
            v[i][1] -= dt * x[i][1];
            x[i][0] += dt * v[i][0];
            x[i][1] += dt * v[i][1];
        }
    }
    x.iter().map(|p| p[0] * p[0] + p[1] * p[1]).sum()
}

#[test]
fn a_local_copy_of_a_slice_of_points() {
    let vel = [[0.1, -0.2], [0.0, 0.3], [0.4, 0.1]];
    for k in 0..3 {
        let c: Vec<f64> = common::direction(6, 30 + k);
        let pos: Vec<[f64; 2]> = c.chunks(2).map(|p| [p[0], p[1]]).collect();
        let (value, g) = verlet_grad(&pos, &vel, 0.1, 5);
        assert_eq!(value, verlet(&pos, &vel, 0.1, 5));
        // Each step is linear in (x, v): x' = (1 - dt²) x + dt v, v' = v - dt x. The result is
        // Σ |x_n|², x_n = a x_0 + b v_0 per coordinate; its gradient in x_0 is 2 a x_n.
        let (mut a, mut b, mut av, mut bv) = (1.0, 0.0, 0.0, 1.0);
        for _ in 0..5 {
            let (na_v, nb_v) = (av - 0.1 * a, bv - 0.1 * b);
            (a, b, av, bv) = (a + 0.1 * na_v, b + 0.1 * nb_v, na_v, nb_v);
        }
        for i in 0..3 {
            for d in 0..2 {
                let xn = a * pos[i][d] + b * vel[i][d];
                assert!(close(g[i][d], 2.0 * a * xn, 1e-12), "d/dx{i}{d}: {} vs {}", g[i][d], 2.0 * a * xn);
            }
        }
        let flat: Vec<f64> = g.iter().flatten().copied().collect();
        let unflat = |p: &[f64]| p.chunks(2).map(|q| [q[0], q[1]]).collect::<Vec<[f64; 2]>>();
        gradient_central("verlet", &|p| verlet(&unflat(p), &vel, 0.1, 5), &c, &flat, 1e-8);
        let dir = common::direction(6, 5);
        let (_, tangent) = verlet_jvp(&pos, &vel, 0.1, 5, unflat(&dir));
        let (_, pullback) = verlet_vjp(&pos, &vel, 0.1, 5);
        let g_u: Vec<f64> = pullback(0.3).iter().flatten().copied().collect();
        forward_against_reverse("verlet", tangent, &dir, 0.3, &g_u, 1e-12);
    }
}
