//! nalgebra's static matrices and vectors as differentiable values: products (scalar, matrix,
//! outer), quotients by a scalar, transpose, dot, component_mul, component_div, norm,
//! norm_squared, normalize, cross, assembly from floats and entries at literal indices. Every
//! gradient against central differences and forward mode against reverse mode.

mod common;

use nalgebra::{Matrix2, Matrix2x3, SMatrix, SVector, Vector2, Vector3};
use tapeless::differentiable;

/// Every entry of `grad` against a central difference of `f` at `x` (relative 1e-9).
fn assert_matches_differences(f: &dyn Fn(&[f64]) -> f64, x: &[f64], grad: &[f64]) {
    for (i, g) in grad.iter().enumerate() {
        let fd = common::central(f, x, i);
        assert!(common::close(*g, fd, 1e-9), "d/dx{i}: {g} vs {fd}");
    }
}

#[differentiable]
fn quadratic(a: SMatrix<f64, 2, 2>, v: SVector<f64, 2>) -> f64 {
    (a * v).dot(&v)
}

#[differentiable]
fn outer(x: Vector3<f64>, y: Vector2<f64>) -> SMatrix<f64, 3, 2> {
    x * y.transpose()
}

#[differentiable]
fn mixed(a: Matrix2<f64>, b: Matrix2<f64>, s: f64) -> f64 {
    let c = (a * b.transpose()) / s + a.component_mul(&b) * s;
    let u = Vector2::new(1.0, -0.5);
    c.norm() + (c * c).norm_squared() + (2.0 * c * u).dot(&u)
}

fn flat2(m: &Matrix2<f64>) -> [f64; 4] {
    [m[(0, 0)], m[(1, 0)], m[(0, 1)], m[(1, 1)]]
}

#[test]
fn quadratic_form_gradients() {
    let a = SMatrix::<f64, 2, 2>::new(1.0, 2.0, 3.0, 4.0);
    let v = SVector::<f64, 2>::new(0.5, -1.0);
    let (value, (ga, gv)) = quadratic_grad(a, v);
    assert_eq!(value, quadratic(a, v));
    assert_eq!(ga, v * v.transpose());
    assert_eq!(gv, (a + a.transpose()) * v);
    let (da, dv) = (SMatrix::<f64, 2, 2>::new(0.1, -0.2, 0.3, 0.4), SVector::<f64, 2>::new(1.0, 2.0));
    let (_, t) = quadratic_jvp(a, v, da, dv);
    assert!(common::close(t, ga.dot(&da) + gv.dot(&dv), 1e-14));
}

#[test]
fn outer_product_with_a_matrix_cotangent() {
    let x = Vector3::new(1.0, 2.0, 3.0);
    let y = Vector2::new(4.0, 5.0);
    let (z, t) = outer_jvp(x, y, Vector3::new(1.0, 0.0, 0.0), Vector2::zeros());
    assert_eq!(z, x * y.transpose());
    assert_eq!(z, outer(x, y));
    assert_eq!(t, SMatrix::<f64, 3, 2>::new(4.0, 5.0, 0.0, 0.0, 0.0, 0.0));
    let (_, pullback) = outer_vjp(x, y);
    // A cotangent of ones: the gradient of sum(outer) = (sum(y), ..), (sum(x), ..).
    let (gx, gy) = pullback(SMatrix::<f64, 3, 2>::repeat(1.0));
    assert_eq!(gx, Vector3::repeat(9.0));
    assert_eq!(gy, Vector2::repeat(6.0));
    // <U, J v> = <J^T U, v> with a general cotangent.
    let u = SMatrix::<f64, 3, 2>::new(0.5, -1.0, 2.0, 0.25, 1.5, -0.75);
    let (dx, dy) = (Vector3::new(0.3, -0.2, 0.9), Vector2::new(-1.1, 0.4));
    let (_, jv) = outer_jvp(x, y, dx, dy);
    let (_, pullback) = outer_vjp(x, y);
    let (gx, gy) = pullback(u);
    assert!(common::close(u.dot(&jv), gx.dot(&dx) + gy.dot(&dy), 1e-13));
}

#[test]
fn matrix_expressions_against_central_differences() {
    let a = Matrix2::new(0.9, -0.3, 0.4, 1.2);
    let b = Matrix2::new(-0.5, 0.8, 0.2, 0.6);
    let s = 1.7;
    let f =
        |p: &[f64]| mixed(Matrix2::new(p[0], p[2], p[1], p[3]), Matrix2::new(p[4], p[6], p[5], p[7]), p[8]);
    let point: Vec<f64> = flat2(&a).iter().chain(&flat2(&b)).copied().chain([s]).collect();
    let (value, (ga, gb, gs)) = mixed_grad(a, b, s);
    assert_eq!(value, mixed(a, b, s));
    let g: Vec<f64> = flat2(&ga).iter().chain(&flat2(&gb)).copied().chain([gs]).collect();
    for (i, gi) in g.iter().enumerate() {
        let fd = common::central(&f, &point, i);
        assert!(common::close(*gi, fd, 1e-8), "d/dp{i}: {gi} vs {fd}");
    }
    let (da, db, ds) = (Matrix2::new(0.1, 0.2, -0.3, 0.4), Matrix2::new(-0.5, 0.6, 0.7, -0.8), 0.9);
    let (_, t) = mixed_jvp(a, b, s, da, db, ds);
    assert!(common::close(t, ga.dot(&da) + gb.dot(&db) + gs * ds, 1e-12), "{t}");
}

/// Vectors assembled from differentiated floats.
#[differentiable]
fn assembled(r: f64, theta: f64, phi: f64) -> f64 {
    let p = Vector3::new(r * theta.sin() * phi.cos(), r * theta.sin() * phi.sin(), r * theta.cos());
    let q = Vector3::new(1.0, 2.0, 3.0);
    p.dot(&q) + (p.component_mul(&p)).norm()
}

#[test]
fn vectors_assembled_from_floats() {
    let x = [1.5, 0.7, -0.4];
    let f = |p: &[f64]| assembled(p[0], p[1], p[2]);
    let (value, (gr, gt, gp)) = assembled_grad(x[0], x[1], x[2]);
    assert_eq!(value, f(&x));
    for (i, g) in [gr, gt, gp].iter().enumerate() {
        let fd = common::central(&f, &x, i);
        assert!(common::close(*g, fd, 1e-9), "d/dx{i}: {g} vs {fd}");
    }
    let (_, t) = assembled_jvp(x[0], x[1], x[2], 0.3, -0.2, 0.5);
    assert!(common::close(t, 0.3 * gr - 0.2 * gt + 0.5 * gp, 1e-12));
}

#[differentiable]
fn torque_alignment(r: Vector3<f64>, f: Vector3<f64>) -> f64 {
    let t = r.cross(&f);
    let axis = Vector3::new(0.2, -0.4, 0.9);
    t.normalize().dot(&axis) + t.norm_squared() * 0.1
}

#[test]
fn cross_and_normalize() {
    let (r, f) = (Vector3::new(0.3, -1.2, 0.8), Vector3::new(1.1, 0.4, -0.6));
    let flat = [r[0], r[1], r[2], f[0], f[1], f[2]];
    let g = |p: &[f64]| torque_alignment(Vector3::new(p[0], p[1], p[2]), Vector3::new(p[3], p[4], p[5]));
    let (value, (gr, gf)) = torque_alignment_grad(r, f);
    assert_eq!(value, g(&flat));
    let grad = [gr[0], gr[1], gr[2], gf[0], gf[1], gf[2]];
    assert_matches_differences(&g, &flat, &grad);
    let (dr, df) = (Vector3::new(0.5, 0.1, -0.3), Vector3::new(-0.2, 0.7, 0.4));
    let (_, t) = torque_alignment_jvp(r, f, dr, df);
    assert!(common::close(t, gr.dot(&dr) + gf.dot(&df), 1e-12));
}

/// A rotation-and-shear matrix assembled entry by entry, non-square so that rows and columns
/// cannot be confused: `Matrix2x3::new` takes its six entries row by row.
#[differentiable]
fn sheared(angle: f64, shear: f64, v: Vector3<f64>) -> f64 {
    let (s, c) = (angle.sin(), angle.cos());
    let m = Matrix2x3::new(c, -s, shear, s * shear, c, 0.5);
    let w = m * v;
    w.norm() + w[0] * 0.3 - m[(1, 2)] * w[1]
}

#[test]
fn matrices_assembled_from_floats() {
    let x = [0.4, -0.7, 1.2, -0.3, 0.8];
    let f = |p: &[f64]| sheared(p[0], p[1], Vector3::new(p[2], p[3], p[4]));
    let v = Vector3::new(x[2], x[3], x[4]);
    let (value, (ga, gs, gv)) = sheared_grad(x[0], x[1], v);
    assert_eq!(value, f(&x));
    let grad = [ga, gs, gv[0], gv[1], gv[2]];
    assert_matches_differences(&f, &x, &grad);
    let dv = Vector3::new(0.2, -0.5, 0.1);
    let (_, t) = sheared_jvp(x[0], x[1], v, 0.3, -0.6, dv);
    assert!(common::close(t, 0.3 * ga - 0.6 * gs + gv.dot(&dv), 1e-12));
}

/// Entries of matrix and vector parameters and of an intermediate product, at literal indices.
#[differentiable]
fn entries(a: Matrix2<f64>, v: Vector2<f64>) -> f64 {
    a[(0, 0)] * v[1] + a[(1, 0)].sin() * (a * v)[0] + (a.transpose() * v)[1].powi(2)
}

#[test]
fn entries_at_literal_indices() {
    let a = Matrix2::new(0.7, -1.1, 0.4, 1.9);
    let v = Vector2::new(-0.6, 1.3);
    // Flattened row by row: a00, a01, a10, a11, v0, v1.
    let x = [a[(0, 0)], a[(0, 1)], a[(1, 0)], a[(1, 1)], v[0], v[1]];
    let f = |p: &[f64]| entries(Matrix2::new(p[0], p[1], p[2], p[3]), Vector2::new(p[4], p[5]));
    let (value, (ga, gv)) = entries_grad(a, v);
    assert_eq!(value, f(&x));
    let grad = [ga[(0, 0)], ga[(0, 1)], ga[(1, 0)], ga[(1, 1)], gv[0], gv[1]];
    assert_matches_differences(&f, &x, &grad);
    let (da, dv) = (Matrix2::new(0.2, -0.4, 0.9, 0.1), Vector2::new(0.5, -0.3));
    let (_, t) = entries_jvp(a, v, da, dv);
    assert!(common::close(t, ga.dot(&da) + gv.dot(&dv), 1e-12));
}

/// Elementwise quotients with both operands differentiated, and with a constant numerator.
#[differentiable]
fn ratios(a: Vector3<f64>, b: Vector3<f64>) -> f64 {
    let q = a.component_div(&b);
    let r = Vector3::new(1.0, 2.0, 3.0).component_div(&(b + a.component_mul(&a)));
    q.dot(&a) + r.norm_squared() + b.component_div(&Vector3::new(2.0, -4.0, 8.0)).norm()
}

#[test]
fn component_div_of_differentiated_vectors() {
    let (a, b) = (Vector3::new(0.8, -1.3, 0.4), Vector3::new(1.7, 0.9, -2.2));
    let x = [a[0], a[1], a[2], b[0], b[1], b[2]];
    let f = |p: &[f64]| ratios(Vector3::new(p[0], p[1], p[2]), Vector3::new(p[3], p[4], p[5]));
    let (value, (ga, gb)) = ratios_grad(a, b);
    assert_eq!(value, f(&x));
    let grad = [ga[0], ga[1], ga[2], gb[0], gb[1], gb[2]];
    assert_matches_differences(&f, &x, &grad);
    let (da, db) = (Vector3::new(0.3, 0.6, -0.2), Vector3::new(-0.5, 0.1, 0.7));
    let (_, t) = ratios_jvp(a, b, da, db);
    assert!(common::close(t, ga.dot(&da) + gb.dot(&db), 1e-12));
}

/// `sum()` of matrices and vectors and `add_scalar` with a differentiated scalar.
#[differentiable]
fn shifted(v: Vector3<f64>, m: Matrix2<f64>, s: f64) -> f64 {
    let w = v.add_scalar(s * s);
    v.sum() * 2.0 + (m * s).sum().sin() + w.norm() + m.add_scalar(0.5).component_mul(&m).sum()
}

#[test]
fn sum_and_add_scalar() {
    let (v, m, s) = (Vector3::new(0.4, -1.1, 0.7), Matrix2::new(0.3, -0.8, 1.2, 0.5), 0.9);
    let x = [v[0], v[1], v[2], m[(0, 0)], m[(0, 1)], m[(1, 0)], m[(1, 1)], s];
    let f = |p: &[f64]| shifted(Vector3::new(p[0], p[1], p[2]), Matrix2::new(p[3], p[4], p[5], p[6]), p[7]);
    let (value, (gv, gm, gs)) = shifted_grad(v, m, s);
    assert_eq!(value, f(&x));
    let grad = [gv[0], gv[1], gv[2], gm[(0, 0)], gm[(0, 1)], gm[(1, 0)], gm[(1, 1)], gs];
    assert_matches_differences(&f, &x, &grad);
    let (dv, dm, ds) = (Vector3::new(0.2, 0.5, -0.4), Matrix2::new(-0.3, 0.1, 0.6, 0.2), -0.7);
    let (_, t) = shifted_jvp(v, m, s, dv, dm, ds);
    assert!(common::close(t, gv.dot(&dv) + gm.dot(&dm) + gs * ds, 1e-12));
}

/// Parameters by reference, and a vector accumulated in a loop.
#[differentiable]
fn borrowed(v: &Vector3<f64>, m: &Matrix2<f64>, x: &[f64]) -> f64 {
    let mut acc = Vector3::zeros();
    for xi in x.iter() {
        acc += v * xi.sin();
    }
    acc.norm() + (m * Vector2::new(1.0, 2.0)).norm_squared() * x[0]
}

#[test]
fn borrowed_parameters_and_a_loop_accumulator() {
    let (v, m, x) = (Vector3::new(1.0, -2.0, 0.5), Matrix2::new(0.3, -0.8, 1.2, 0.5), [0.4, 1.3, -0.2]);
    let flat = [v[0], v[1], v[2], m[(0, 0)], m[(0, 1)], m[(1, 0)], m[(1, 1)], x[0], x[1], x[2]];
    let f =
        |p: &[f64]| borrowed(&Vector3::new(p[0], p[1], p[2]), &Matrix2::new(p[3], p[4], p[5], p[6]), &p[7..]);
    let (value, (gv, gm, gx)) = borrowed_grad(&v, &m, &x);
    assert_eq!(value, f(&flat));
    let grad = [gv[0], gv[1], gv[2], gm[(0, 0)], gm[(0, 1)], gm[(1, 0)], gm[(1, 1)], gx[0], gx[1], gx[2]];
    assert_matches_differences(&f, &flat, &grad);
    let (dv, dm, dx) =
        (Vector3::new(0.2, 0.5, -0.4), Matrix2::new(-0.3, 0.1, 0.6, 0.2), vec![0.1, -0.2, 0.3]);
    let (_, t) = borrowed_jvp(&v, &m, &x, dv, dm, dx.clone());
    let r = gv.dot(&dv) + gm.dot(&dm) + gx.iter().zip(&dx).map(|(a, b)| a * b).sum::<f64>();
    assert!(common::close(t, r, 1e-12));
}

/// The same machinery in single precision.
#[differentiable]
fn single(v: Vector3<f32>, s: f32) -> f32 {
    (2.0 * v / s).norm() - v.dot(&v)
}

#[test]
fn single_precision_vectors() {
    let (v, s) = (Vector3::new(1.0f32, 2.0, 3.0), 2.0f32);
    let (value, (gv, gs)) = single_grad(v, s);
    assert_eq!(value, single(v, s));
    // d/dv = (2/s) v/|v| - 2v, d/ds = -2|v|/s².
    let expected = v / v.norm() * (2.0 / s) - v * 2.0;
    assert!((gv - expected).norm() < 1e-5, "{gv} vs {expected}");
    assert!((gs + 2.0 * v.norm() / (s * s)).abs() < 1e-5);
    let (_, t) = single_jvp(v, s, Vector3::new(0.5, -0.5, 1.0), 0.25);
    assert!((t - (gv.dot(&Vector3::new(0.5, -0.5, 1.0)) + 0.25 * gs)).abs() < 1e-5);
}

/// A vector result, composed by a caller through `rotate_jvp` / `rotate_vjp`.
#[differentiable]
fn rotate(theta: f64, v: Vector2<f64>) -> Vector2<f64> {
    let (s, c) = theta.sin_cos();
    Matrix2::new(c, -s, s, c) * v
}

#[differentiable]
fn rotated_twice(theta: f64, v: Vector2<f64>) -> f64 {
    let w = rotate(theta, v);
    w.dot(&Vector2::new(1.0, 0.0)) + rotate(theta * 2.0, w).component_mul(&w).sum()
}

#[test]
fn vector_results_compose() {
    let (theta, v) = (0.3, Vector2::new(1.0, 2.0));
    let x = [theta, v[0], v[1]];
    let f = |p: &[f64]| rotated_twice(p[0], Vector2::new(p[1], p[2]));
    let (value, (gt, gv)) = rotated_twice_grad(theta, v);
    assert_eq!(value, f(&x));
    assert_matches_differences(&f, &x, &[gt, gv[0], gv[1]]);
    let (_, t) = rotated_twice_jvp(theta, v, 0.7, Vector2::new(-0.4, 0.9));
    assert!(common::close(t, 0.7 * gt + gv.dot(&Vector2::new(-0.4, 0.9)), 1e-12));
    // The vector-valued function itself: a unit cotangent on each component against its JVP.
    let (_, pullback) = rotate_vjp(theta, v);
    let (bt, bv) = pullback(Vector2::new(0.0, 1.0));
    let (_, tangent) = rotate_jvp(theta, v, 1.0, Vector2::zeros());
    assert!(common::close(bt, tangent[1], 1e-14));
    assert_eq!(bv, Vector2::new(theta.sin(), theta.cos()));
}

/// nalgebra's own spellings with typenum dimensions, as least-squares code writes them.
mod owned {
    use nalgebra::{Const, Dyn, OMatrix, OVector, U2, U3};
    use tapeless::differentiable;

    /// A model `p0 exp(p1 t) + p2` at one `t`, parameters in an `OVector<f64, U3>`.
    #[differentiable(wrt(p))]
    pub fn model(p: &OVector<f64, U3>, t: f64) -> f64 {
        p[0] * (p[1] * t).exp() + p[2]
    }

    /// A quadratic form with `OMatrix<f64, U2, Const<2>>`.
    #[differentiable]
    pub fn form(a: &OMatrix<f64, U2, Const<2>>, x: OVector<f64, U2>) -> f64 {
        (a * x).dot(&x)
    }

    /// `OVector<f64, Dyn>` is a `DVector`.
    #[differentiable]
    pub fn half_norm(v: &OVector<f64, Dyn>) -> f64 {
        v.norm_squared() * 0.5
    }
}

#[test]
fn typenum_spellings() {
    use nalgebra::{DVector, OMatrix, OVector, U2, U3};
    let p = OVector::<f64, U3>::new(1.5, -0.4, 0.2);
    let t = 0.7;
    let (value, g) = owned::model_grad(&p, t);
    assert!(common::close(value, owned::model(&p, t), 1e-15));
    let e = (p[1] * t).exp();
    let want = [e, p[0] * t * e, 1.0];
    for i in 0..3 {
        assert!(common::close(g[i], want[i], 1e-15), "{g:?}");
    }
    let f = |x: &[f64]| owned::model(&OVector::<f64, U3>::new(x[0], x[1], x[2]), t);
    assert_matches_differences(&f, &[1.5, -0.4, 0.2], g.as_slice());
    let (_, tangent) = owned::model_jvp(&p, t, OVector::<f64, U3>::new(0.3, -1.0, 2.0));
    assert!(common::close(tangent, g.dot(&OVector::<f64, U3>::new(0.3, -1.0, 2.0)), 1e-14));

    let a = OMatrix::<f64, U2, U2>::new(1.0, 2.0, 3.0, 4.0);
    let x = OVector::<f64, U2>::new(0.5, -1.0);
    let (value, (ga, gx)) = owned::form_grad(&a, x);
    assert_eq!(value, owned::form(&a, x));
    assert_eq!(ga, x * x.transpose());
    assert_eq!(gx, (a + a.transpose()) * x);
    // Forward against reverse along a direction.
    let (da, dx) = (OMatrix::<f64, U2, U2>::new(0.3, -1.0, 0.5, 2.0), OVector::<f64, U2>::new(-0.4, 0.7));
    let (_, t) = owned::form_jvp(&a, x, da, dx);
    assert!(common::close(t, ga.dot(&da) + gx.dot(&dx), 1e-14), "{t}");

    let v = DVector::from_vec(vec![1.0, -2.0, 0.5]);
    let (value, g) = owned::half_norm_grad(&v);
    assert!(common::close(value, owned::half_norm(&v), 1e-15));
    assert!(common::close(value, 0.5 * v.norm_squared(), 1e-15));
    assert_eq!(g, v);
    let d = DVector::from_vec(vec![0.2, 0.5, -1.0]);
    let (_, t) = owned::half_norm_jvp(&v, d.clone());
    assert!(common::close(t, g.dot(&d), 1e-15), "{t}");
}

/// `from_fn` of statically sized types, as least-squares residuals are built.
mod from_fn {
    use nalgebra::{OVector, SMatrix, SVector, U3, Vector2};
    use tapeless::differentiable;

    /// Residuals of `a exp(b t_i)` against data at three points, as an `OVector<f64, U3>`.
    #[differentiable(wrt(p))]
    pub fn residuals(p: &Vector2<f64>, t: &[f64], y: &[f64]) -> OVector<f64, U3> {
        OVector::<f64, U3>::from_fn(|i, _| p[0] * (p[1] * t[i]).exp() - y[i])
    }

    /// Half the sum of squares of the residuals.
    #[differentiable(wrt(p))]
    pub fn cost(p: &Vector2<f64>, t: &[f64], y: &[f64]) -> f64 {
        let r = OVector::<f64, U3>::from_fn(|i, _| p[0] * (p[1] * t[i]).exp() - y[i]);
        0.5 * r.norm_squared()
    }

    /// `from_iterator` of chains: entries column by column, as nalgebra fills them.
    #[differentiable]
    pub fn from_chains(x: &[f64]) -> f64 {
        let v = OVector::<f64, U3>::from_iterator(x.iter().map(|e| e * e));
        let m = SMatrix::<f64, 2, 2>::from_iterator(x.iter().copied());
        v.sum() + m[(0, 1)] * 10.0
    }

    /// A matrix entry by entry.
    #[differentiable]
    pub fn outer_trace(u: SVector<f64, 2>) -> f64 {
        let m = SMatrix::<f64, 2, 2>::from_fn(|i, j| u[i] * u[j] + if i == j { 1.0 } else { 0.0 });
        m[(0, 0)] * m[(1, 1)] - m[(0, 1)] * m[(1, 0)]
    }
}

#[test]
fn from_fn_of_static_sizes() {
    use nalgebra::{SVector, Vector2};
    let (t, y) = ([0.0, 0.5, 1.0], [1.1, 1.6, 2.8]);
    let p = Vector2::new(1.2, 0.8);
    let (value, g) = from_fn::cost_grad(&p, &t, &y);
    assert!(common::close(value, from_fn::cost(&p, &t, &y), 1e-15));
    // Analytic: ∂/∂a = Σ r e^{bt}, ∂/∂b = Σ r a t e^{bt}.
    let (mut ga, mut gb) = (0.0, 0.0);
    for i in 0..3 {
        let e = (p[1] * t[i]).exp();
        let r = p[0] * e - y[i];
        ga += r * e;
        gb += r * p[0] * t[i] * e;
    }
    assert!(common::close(g[0], ga, 1e-14) && common::close(g[1], gb, 1e-14), "{g:?}");
    let f = |x: &[f64]| from_fn::cost(&Vector2::new(x[0], x[1]), &t, &y);
    assert_matches_differences(&f, &[1.2, 0.8], g.as_slice());
    // The residuals' JVP against the cost's gradient: <r, J v> = <∇cost, v>.
    let v = Vector2::new(0.3, -0.7);
    let (r, jv) = from_fn::residuals_jvp(&p, &t, &y, v);
    assert_eq!(r, from_fn::residuals(&p, &t, &y));
    assert!(common::close(r.dot(&jv), g.dot(&v), 1e-14));

    // v = (x0², x1², x2²), m[(0, 1)] = x2 (column-major): ∂/∂x = (2x0, 2x1, 2x2 + 10, 0).
    let x = [0.5, -1.5, 2.0, 3.0];
    let (value, g) = from_fn::from_chains_grad(&x);
    assert!(common::close(value, from_fn::from_chains(&x), 1e-15));
    assert!(common::close(value, 0.25 + 2.25 + 4.0 + 20.0, 1e-15));
    assert_eq!(g, vec![1.0, -3.0, 14.0, 0.0]);
    let (_, t) = from_fn::from_chains_jvp(&x, vec![1.0, 1.0, 1.0, 1.0]);
    assert!(common::close(t, 1.0 - 3.0 + 14.0, 1e-15));

    // det(I + u uᵀ) = 1 + |u|², gradient 2u.
    let u = SVector::<f64, 2>::new(0.5, -1.5);
    let (value, g) = from_fn::outer_trace_grad(u);
    assert_eq!(value, from_fn::outer_trace(u));
    assert!(common::close(value, 1.0 + u.norm_squared(), 1e-14));
    assert!(common::close(g[0], 2.0 * u[0], 1e-14) && common::close(g[1], 2.0 * u[1], 1e-14), "{g:?}");
    let d = SVector::<f64, 2>::new(0.3, -0.8);
    let (_, t) = from_fn::outer_trace_jvp(u, d);
    assert!(common::close(t, g.dot(&d), 1e-14), "{t}");
}

/// A differentiated function passing its by-copy reference parameter on (`g(p)` with
/// `p: &Vector2<f64>`, `p: &[f64; 2]`, `x: &f64`).
mod passed_on {
    use nalgebra::Vector2;
    use tapeless::differentiable;

    #[differentiable]
    pub fn inner(p: &Vector2<f64>, w: &[f64; 2], s: &f64) -> f64 {
        p.dot(p) * w[0] + w[1] * s
    }

    #[differentiable]
    pub fn outer(p: &Vector2<f64>, w: &[f64; 2], s: &f64) -> f64 {
        inner(p, w, s) * 2.0 + p[0]
    }
}

#[test]
fn by_copy_references_passed_on() {
    use nalgebra::Vector2;
    let (p, w, s) = (Vector2::new(0.5, -1.5), [2.0, 3.0], 0.7);
    let (value, (gp, gw, gs)) = passed_on::outer_grad(&p, &w, &s);
    assert!(common::close(value, passed_on::outer(&p, &w, &s), 1e-15));
    assert!(
        common::close(gp[0], 2.0 * 2.0 * p[0] * w[0] + 1.0, 1e-15)
            && common::close(gp[1], 2.0 * 2.0 * p[1] * w[0], 1e-15)
    );
    assert!(common::close(gw[0], 2.0 * p.dot(&p), 1e-15) && common::close(gw[1], 2.0 * s, 1e-15));
    assert!(common::close(gs, 2.0 * w[1], 1e-15));
    let (_, t) = passed_on::outer_jvp(&p, &w, &s, Vector2::new(1.0, 0.0), [0.0, 1.0], 2.0);
    assert!(common::close(t, gp[0] + gw[1] + 2.0 * gs, 1e-14));
}

// ---- Coordinates by name and the aliases `magnitude`, `scale`, `unscale`.

/// `v.x v.y + v.z² + |w|` with `|w|` by `magnitude`, `w` scaled and unscaled.
#[differentiable]
fn coordinates(v: &Vector3<f64>, w: Vector2<f64>, s: f64) -> f64 {
    let u = w.scale(s).unscale(2.0);
    v.x * v.y + v.z * v.z + u.magnitude() + w.magnitude_squared() * u.y
}

#[test]
fn coordinates_by_name_and_norm_aliases() {
    let f = |x: &[f64]| coordinates(&Vector3::new(x[0], x[1], x[2]), Vector2::new(x[3], x[4]), x[5]);
    for x in
        [[0.5, -1.0, 2.0, 0.3, 1.5, 0.7], [1.0, 2.0, 3.0, -4.0, 5.0, -2.0], [-0.2, 0.7, -1.3, 2.2, 0.1, 3.0]]
    {
        let (v, w, s) = (Vector3::new(x[0], x[1], x[2]), Vector2::new(x[3], x[4]), x[5]);
        let (value, (gv, gw, gs)) = coordinates_grad(&v, w, s);
        assert_eq!(value, f(&x));
        // Analytic: u = w s / 2, f = v0 v1 + v2² + |u| + |w|² u1.
        let u = w * s / 2.0;
        let (nu, nw2) = (u.norm(), w.norm_squared());
        let du = u / nu; // d|u|/du
        let exact = [
            v.y,
            v.x,
            2.0 * v.z,
            du.x * s / 2.0 + 2.0 * w.x * u.y,
            du.y * s / 2.0 + 2.0 * w.y * u.y + nw2 * s / 2.0,
            du.dot(&w) / 2.0 + nw2 * w.y / 2.0,
        ];
        let grad = [gv.x, gv.y, gv.z, gw.x, gw.y, gs];
        for (g, e) in grad.iter().zip(exact) {
            assert!(common::close(*g, e, 1e-13), "{grad:?} vs analytic {exact:?}");
        }
        assert_matches_differences(&f, &x, &grad);
        // Forward against reverse along a direction.
        let d = common::direction(6, 9);
        let (_, t) =
            coordinates_jvp(&v, w, s, Vector3::new(d[0], d[1], d[2]), Vector2::new(d[3], d[4]), d[5]);
        let (_, pullback) = coordinates_vjp(&v, w, s);
        let (bv, bw, bs) = pullback(1.0);
        let dot = bv.dot(&Vector3::new(d[0], d[1], d[2])) + bw.dot(&Vector2::new(d[3], d[4])) + bs * d[5];
        assert!(common::close(t, dot, 1e-13), "<Jv> {t} vs <J^T 1, v> {dot}");
    }
}

/// Coordinates of computed vectors: `(0.5 v).z (v / 4).x = v_x v_z / 8`.
#[differentiable]
fn computed_coordinates(v: Vector3<f64>) -> f64 {
    (v - v.scale(0.5)).z * v.unscale(4.0).x
}

#[test]
fn coordinates_of_computed_vectors() {
    let f = |x: &[f64]| computed_coordinates(Vector3::new(x[0], x[1], x[2]));
    for x in [[0.5, -1.0, 2.0], [1.0, 2.0, 3.0], [-0.2, 0.7, -1.3]] {
        let v = Vector3::new(x[0], x[1], x[2]);
        let (value, g) = computed_coordinates_grad(v);
        assert!(common::close(value, x[0] * x[2] / 8.0, 1e-15));
        assert_eq!(g, Vector3::new(x[2] / 8.0, 0.0, x[0] / 8.0));
        assert_matches_differences(&f, &x, g.as_slice());
        let d = Vector3::new(0.3, -0.8, 1.1);
        let (_, t) = computed_coordinates_jvp(v, d);
        let (_, pullback) = computed_coordinates_vjp(v);
        assert!(common::close(t, pullback(1.0).dot(&d), 1e-14));
    }
}

/// A projectile with quadratic drag, explicit Euler from `Vector2::zeros()`, reading `pos.x`.
#[differentiable(wrt(v0))]
fn shot_miss(v0: Vector2<f64>, target: f64, steps: usize) -> f64 {
    let dt = 0.01;
    let gravity = Vector2::new(0.0, -9.81);
    let mut pos = Vector2::zeros();
    let mut vel = v0;
    for _ in 0..steps {
        let acc = gravity - vel * (0.1 * vel.norm());
        vel += acc * dt;
        pos += vel * dt;
    }
    (pos.x - target).powi(2) + pos.y.powi(2)
}

#[test]
fn a_simulation_from_static_zeros() {
    for v0 in [Vector2::new(10.0, 8.0), Vector2::new(14.0, 3.0), Vector2::new(6.0, 12.0)] {
        let (value, g) = shot_miss_grad(v0, 20.0, 150);
        assert_eq!(value, shot_miss(v0, 20.0, 150));
        let f = |x: &[f64]| shot_miss(Vector2::new(x[0], x[1]), 20.0, 150);
        assert_matches_differences(&f, v0.as_slice(), g.as_slice());
        let d = Vector2::new(0.6, -0.8);
        let (_, t) = shot_miss_jvp(v0, 20.0, 150, d);
        let (_, pullback) = shot_miss_vjp(v0, 20.0, 150);
        assert!(common::close(t, pullback(1.0).dot(&d), 1e-12));
    }
}
