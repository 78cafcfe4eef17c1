//! nalgebra values a function borrows without writing `&`: a struct field that is the receiver
//! of a nalgebra method (`m.w.dot(x)`, `l.b.sum()`, `p.v.cross(q)`) or its argument
//! (`q.dot(&p.v)`), and the elements of a slice of `DVector`s (`for x in xs`). Rust borrows
//! these implicitly; the generated code reads them by reference too (before, it moved them out
//! of their struct or slice: rustc's E0507 inside the generated code). Each gradient is checked
//! against central differences and forward mode against reverse mode.

mod common;

use common::{close, forward_against_reverse, gradient_central};
use nalgebra::{DMatrix, DVector, Matrix3, Vector2, Vector3};
use tapeless::{Differentiable, differentiable};

/// A linear model, as users write one: weights in a `DVector`.
#[derive(Clone, Debug, Differentiable)]
pub struct Linear {
    pub w: DVector<f64>,
    pub b: f64,
}

#[differentiable(wrt(m))]
fn predict(m: &Linear, x: &DVector<f64>) -> f64 {
    m.w.dot(x) + m.b
}

#[differentiable(wrt(m))]
fn ridge(m: &Linear, xs: &[DVector<f64>], ys: &[f64], lambda: f64) -> f64 {
    let mut loss = 0.0;
    for (x, y) in xs.iter().zip(ys) {
        let r = m.w.dot(x) + m.b - y;
        loss += r * r;
    }
    loss / xs.len() as f64 + lambda * m.w.norm_squared()
}

#[derive(Clone, Debug, Differentiable)]
pub struct Layer {
    pub w: DMatrix<f64>,
    pub b: DVector<f64>,
}

#[differentiable(wrt(l))]
fn layer_loss(l: &Layer, x: &DVector<f64>) -> f64 {
    let h = &l.w * x + &l.b;
    // A method keeping the shape reads a field by value: a `DMatrix` field is borrowed first.
    let w = &l.w;
    h.map(|v| v.tanh()).norm_squared() + l.b.sum() * 0.1 + w.transpose().norm()
}

#[differentiable(wrt(xs))]
fn spread(xs: &[DVector<f64>], c: &DVector<f64>) -> f64 {
    let mut s = 0.0;
    for x in xs {
        s += (x - c).norm_squared();
    }
    s
}

#[derive(Clone, Debug, Differentiable)]
pub struct Body {
    pub v: Vector3<f64>,
    pub k: f64,
}

/// A static vector field read by reference (receivers, `&p.v`) and by value (`p.v * 2.0`).
#[differentiable(wrt(p))]
fn mixed(p: &Body, q: &Vector3<f64>) -> f64 {
    p.v.dot(&p.v) + (p.v * 2.0).norm() + p.v.cross(q).norm_squared() * p.k + q.dot(&p.v)
}

#[differentiable(wrt(p))]
fn in_loop(p: &Body, qs: &[Vector2<f64>]) -> f64 {
    let mut s = 0.0;
    for q in qs {
        let d = p.v.x * q.x + p.v.y * q.y;
        s += d * d + p.v.norm() * p.k;
    }
    s
}

fn linear(c: &[f64]) -> Linear {
    Linear { w: DVector::from_column_slice(&c[..c.len() - 1]), b: c[c.len() - 1] }
}

fn coords_linear(m: &Linear) -> Vec<f64> {
    m.w.iter().copied().chain([m.b]).collect()
}

#[test]
fn a_dvector_field_read_as_a_method_receiver() {
    let x = DVector::from_vec(vec![1.0, 2.0, 3.0]);
    let xs =
        vec![x.clone(), DVector::from_vec(vec![0.5, -1.0, 0.25]), DVector::from_vec(vec![2.0, 0.0, -1.5])];
    let ys = [1.0, 0.5, -0.25];
    let (v, u) = ([0.3, -0.7, 0.2, 0.9], 1.3);
    for point in [[0.5, -0.25, 2.0, 0.1], [-1.0, 0.3, 0.7, -0.4], [0.0, 1.5, -0.5, 2.0]] {
        let m = linear(&point);
        let f = |c: &[f64]| predict(&linear(c), &x);
        let (value, g) = predict_grad(&m, &x);
        assert_eq!(value, predict(&m, &x));
        // Analytic: the gradient of w·x + b is (x, 1).
        let want: Vec<f64> = x.iter().copied().chain([1.0]).collect();
        assert_eq!(coords_linear(&g), want);
        // Into the caller's buffer: the same gradient.
        let mut buffer = linear(&[9.0; 4]);
        assert_eq!(predict_grad_into(&m, &x, &mut buffer), value);
        assert_eq!(coords_linear(&buffer), want);
        let (_, t) = predict_jvp(&m, &x, linear(&v));
        let (_, pullback) = predict_vjp(&m, &x);
        gradient_central("predict", &f, &point, &coords_linear(&g), 1e-6);
        forward_against_reverse("predict", t, &v, u, &coords_linear(&pullback(u)), 1e-10);

        let f = |c: &[f64]| ridge(&linear(c), &xs, &ys, 0.1);
        let (value, g) = ridge_grad(&m, &xs, &ys, 0.1);
        assert_eq!(value, ridge(&m, &xs, &ys, 0.1));
        let (_, t) = ridge_jvp(&m, &xs, &ys, 0.1, linear(&v));
        let (_, pullback) = ridge_vjp(&m, &xs, &ys, 0.1);
        gradient_central("ridge", &f, &point, &coords_linear(&g), 1e-6);
        forward_against_reverse("ridge", t, &v, u, &coords_linear(&pullback(u)), 1e-10);
    }
}

fn layer(c: &[f64]) -> Layer {
    Layer { w: DMatrix::from_column_slice(2, 3, &c[..6]), b: DVector::from_column_slice(&c[6..8]) }
}

fn coords_layer(l: &Layer) -> Vec<f64> {
    l.w.iter().chain(l.b.iter()).copied().collect()
}

#[test]
fn dmatrix_and_dvector_fields_read_by_methods_and_by_reference() {
    let x = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let v = [0.1, -0.4, 0.3, 0.2, -0.5, 0.6, 0.7, -0.1];
    let u = 0.8;
    for point in [[0.1, 0.2, -0.3, 0.4, 0.5, 0.6, 0.1, -0.2], [-0.5, 0.3, 0.2, -0.1, 0.8, -0.6, 0.4, 0.3]] {
        let l = layer(&point);
        let f = |c: &[f64]| layer_loss(&layer(c), &x);
        let (value, g) = layer_loss_grad(&l, &x);
        assert_eq!(value, layer_loss(&l, &x));
        let (_, t) = layer_loss_jvp(&l, &x, layer(&v));
        let (_, pullback) = layer_loss_vjp(&l, &x);
        gradient_central("layer_loss", &f, &point, &coords_layer(&g), 1e-6);
        forward_against_reverse("layer_loss", t, &v, u, &coords_layer(&pullback(u)), 1e-10);
    }
}

#[test]
fn elements_of_a_differentiated_slice_of_dvectors() {
    let c = DVector::from_vec(vec![0.5, -1.0, 2.0]);
    let split = |p: &[f64]| vec![DVector::from_column_slice(&p[..3]), DVector::from_column_slice(&p[3..])];
    let flat = |xs: &[DVector<f64>]| xs.iter().flat_map(|x| x.iter().copied()).collect::<Vec<f64>>();
    let v = [0.2, -0.3, 0.5, 0.1, 0.9, -0.6];
    let u = -1.1;
    for point in [[1.0, 2.0, 3.0, 0.5, 1.0, 1.5], [-0.3, 0.4, 0.0, 2.0, -1.0, 0.7]] {
        let xs = split(&point);
        let f = |p: &[f64]| spread(&split(p), &c);
        let (value, g) = spread_grad(&xs, &c);
        assert_eq!(value, spread(&xs, &c));
        // Analytic: 2 (x_k - c) for each vector.
        let want: Vec<f64> = xs.iter().flat_map(|x| ((x - &c) * 2.0).data.as_vec().clone()).collect();
        assert_eq!(flat(&g), want);
        let (_, t) = spread_jvp(&xs, &c, split(&v));
        let (_, pullback) = spread_vjp(&xs, &c);
        gradient_central("spread", &f, &point, &flat(&g), 1e-6);
        forward_against_reverse("spread", t, &v, u, &flat(&pullback(u)), 1e-10);
    }
}

#[derive(Clone, Debug, Differentiable)]
pub struct Inner {
    pub w: DVector<f64>,
    pub r: Matrix3<f64>,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Outer {
    pub inner: Inner,
    pub v: Vector3<f64>,
}

/// Fields of a nested struct: a `DVector` reduced by `dot` (read by reference), a static
/// matrix transposed (read by value, as a method keeping the shape reads it), a static vector's
/// coordinate and norm.
#[differentiable(wrt(p))]
fn nested(p: &Outer, x: &DVector<f64>, q: &Vector3<f64>) -> f64 {
    p.inner.w.dot(x) + (p.inner.r.transpose() * q).norm_squared() + p.v.x * p.v.norm()
}

fn outer(c: &[f64]) -> Outer {
    Outer {
        inner: Inner { w: DVector::from_column_slice(&c[..2]), r: Matrix3::from_column_slice(&c[2..11]) },
        v: Vector3::new(c[11], c[12], c[13]),
    }
}

fn coords_outer(p: &Outer) -> Vec<f64> {
    p.inner.w.iter().chain(p.inner.r.iter()).chain(p.v.iter()).copied().collect()
}

#[test]
fn fields_of_a_nested_struct_by_reference_and_by_value() {
    let (x, q) = (DVector::from_vec(vec![0.5, 1.0]), Vector3::new(1.0, 0.0, 1.0));
    let v: Vec<f64> = (0..14).map(|i| ((i * 7 % 5) as f64 - 2.0) * 0.3).collect();
    let u = 0.6;
    for shift in [0.0, 0.4, -0.9] {
        let point: Vec<f64> = (0..14).map(|i| (i as f64 * 0.37 + shift).sin() + 0.1).collect();
        let p = outer(&point);
        let (value, g) = nested_grad(&p, &x, &q);
        assert_eq!(value, nested(&p, &x, &q));
        // Analytic in r: d|rᵀq|²/dr = 2 q (rᵀq)ᵀ.
        let want = q * (p.inner.r.transpose() * q).transpose() * 2.0;
        for (got, w) in g.inner.r.iter().zip(want.iter()) {
            assert!(close(*got, *w, 1e-13), "{got} != {w}");
        }
        gradient_central("nested", &|c| nested(&outer(c), &x, &q), &point, &coords_outer(&g), 1e-6);
        let (_, t) = nested_jvp(&p, &x, &q, outer(&v));
        let (_, pullback) = nested_vjp(&p, &x, &q);
        forward_against_reverse("nested", t, &v, u, &coords_outer(&pullback(u)), 1e-10);
    }
}

fn body(c: &[f64]) -> Body {
    Body { v: Vector3::new(c[0], c[1], c[2]), k: c[3] }
}

fn coords_body(b: &Body) -> Vec<f64> {
    b.v.iter().copied().chain([b.k]).collect()
}

#[test]
fn a_static_vector_field_read_by_reference_and_by_value() {
    let q = Vector3::new(1.0, 2.0, 3.0);
    let qs = [Vector2::new(1.0, 2.0), Vector2::new(-1.0, 0.5), Vector2::new(0.3, -0.8)];
    let v = [0.4, -0.2, 0.6, -0.9];
    let u = 0.7;
    for point in [[0.3, -0.2, 0.5, 1.5], [1.0, 0.4, -0.7, -0.3], [-0.2, 0.9, 0.1, 2.0]] {
        let p = body(&point);
        let f = |c: &[f64]| mixed(&body(c), &q);
        let (value, g) = mixed_grad(&p, &q);
        assert_eq!(value, mixed(&p, &q));
        let (_, t) = mixed_jvp(&p, &q, body(&v));
        let (_, pullback) = mixed_vjp(&p, &q);
        gradient_central("mixed", &f, &point, &coords_body(&g), 1e-6);
        forward_against_reverse("mixed", t, &v, u, &coords_body(&pullback(u)), 1e-10);
        // Analytic in `k`: the coefficient of `k` is |v x q|^2.
        assert!(close(g.k, p.v.cross(&q).norm_squared(), 1e-14));

        let f = |c: &[f64]| in_loop(&body(c), &qs);
        let (value, g) = in_loop_grad(&p, &qs);
        assert_eq!(value, in_loop(&p, &qs));
        let (_, t) = in_loop_jvp(&p, &qs, body(&v));
        let (_, pullback) = in_loop_vjp(&p, &qs);
        gradient_central("in_loop", &f, &point, &coords_body(&g), 1e-6);
        forward_against_reverse("in_loop", t, &v, u, &coords_body(&pullback(u)), 1e-10);
    }
}
