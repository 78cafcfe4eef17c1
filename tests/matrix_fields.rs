//! Matrix-valued fields of a `#[derive(Differentiable)]` struct multiplied together and passed
//! through shape-keeping nalgebra methods (`p.w.transpose() * x`, `f.r * f.m`,
//! `f.t.normalize()`). The macro cannot see a field's type: a `Matrix3` field read by value was
//! once taken for a float, and the product of two such fields got the adjoint `ȳ m` where
//! `ȳ mᵀ` is right (a wrong gradient, caught here); a `DMatrix` field under `transpose` was
//! moved out of the struct (rustc's E0507 in generated code). First order against analytic
//! gradients and central differences, forward against reverse; second order against central
//! differences of the gradient.

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
