//! nalgebra's `map` on a computed matrix whose closure reads other values: a log-sum-exp shifted
//! by the vector's max, centring by a computed mean, a float and an integer parameter read in a
//! loop, a static vector's `map`, a count made a float. Each gradient against its closed form or
//! central differences, JVP against VJP; the Hessian against its closed form and central
//! differences of `_grad`; a Jacobian against central differences.

mod common;

use common::{assert_close, central_gradient};
use nalgebra::{DMatrix, DVector, Vector3};
use tapeless::differentiable;

/// `ln Σ exp(zᵢ - m + b) + m` with `z = W x` and `m = max z`: `LSE(W x) + b`.
#[differentiable(wrt(w, b))]
fn shifted_lse(w: &DMatrix<f64>, x: &DVector<f64>, b: f64) -> f64 {
    let z = w * x;
    let m = z.max();
    let e = z.map(|v| (v - m + b).exp());
    e.sum().ln() + m
}

/// The sample variance, centred by the mean computed in the body.
#[differentiable]
fn variance(x: &DVector<f64>) -> f64 {
    let y = x * 1.0;
    let mean = y.mean();
    let c = y.map(|v| (v - mean) * (v - mean));
    c.sum() / (x.len() as f64 - 1.0)
}

/// Five Euler steps of `y' = -k yᵖ`: a float and an integer parameter read in the closure.
#[differentiable(wrt(y0, k))]
fn decay(y0: &DVector<f64>, k: f64, p: i32) -> f64 {
    let mut y = y0.clone();
    for _ in 0..5 {
        let f = y.map(|e| -k * e.powi(p));
        y = &y + f * 0.1;
    }
    y.norm_squared()
}

/// `Σ sin(2 vᵢ s)` through a static vector's `map`.
#[differentiable]
fn waves(v: Vector3<f64>, s: f64) -> f64 {
    let w = v * 2.0;
    w.map(|e| (e * s).sin()).norm_squared() + w.map(|e| (e * s).sin()).sum()
}

/// A count made a float first, then read in the closure: `‖2v / n‖`.
#[differentiable]
fn averaged(v: DVector<f64>) -> f64 {
    let nf = v.len() as f64;
    let u = &v * 2.0;
    u.map(|e| e / nf).norm()
}

/// `LSE(2 z) + b`, written with a shift that cancels: gradient `(2 softmax(2 z), 1)`, Hessian
/// `4 (diag p - p pᵀ)` in `z` and zero in `b`.
#[differentiable(hessian)]
fn lse_hessian(z0: &DVector<f64>, b: f64) -> f64 {
    let z = z0 * 2.0;
    let m = z.sum() / 3.0;
    z.map(|v| (v - m + b).exp()).sum().ln() + m
}

/// The softmax of `z / t`, shifted by its max.
#[differentiable(jacobian)]
fn softmax(z0: &DVector<f64>, t: f64) -> DVector<f64> {
    let z = z0 / t;
    let m = z.max();
    let e = z.map(|v| (v - m).exp());
    let s = e.sum();
    e / s
}

fn vector(v: &[f64]) -> DVector<f64> {
    DVector::from_column_slice(v)
}

fn points() -> [DVector<f64>; 3] {
    [vector(&[0.3, -0.2, 0.5]), vector(&[-0.6, 0.1, 0.25]), vector(&[1.05, 0.4, -0.35])]
}

fn softmax_of(z: &DVector<f64>) -> DVector<f64> {
    let e = z.map(f64::exp);
    let s = e.sum();
    e / s
}

#[test]
fn shifted_log_sum_exp_against_its_closed_form() {
    let w = DMatrix::from_row_slice(3, 3, &[0.5, 0.2, 0.0, 0.1, -0.3, 0.2, 0.0, 0.4, 0.2]);
    for x in points() {
        let (value, (gw, gb)) = shifted_lse_grad(&w, &x, 0.3);
        let p = softmax_of(&(&w * &x));
        assert_close(&[value], &[(&w * &x).map(f64::exp).sum().ln() + 0.3], 1e-12, "value");
        assert_close(gw.as_slice(), (&p * x.transpose()).as_slice(), 1e-12, "W");
        assert_close(&[gb], &[1.0], 1e-12, "b");
        let dw = DMatrix::from_fn(3, 3, |i, j| 0.1 * (i as f64 - j as f64));
        let (_, jv) = shifted_lse_jvp(&w, &x, 0.3, dw.clone(), 0.5);
        let (uw, ub) = shifted_lse_vjp(&w, &x, 0.3).1(1.2);
        assert_close(&[1.2 * jv], &[uw.dot(&dw) + ub * 0.5], 1e-12, "JVP against VJP");
    }
}

#[test]
fn variance_centred_by_a_computed_mean() {
    for x in points() {
        let (_, g) = variance_grad(&x);
        let mean = x.mean();
        let want = x.map(|v| 2.0 * (v - mean) / 2.0);
        assert_close(g.as_slice(), want.as_slice(), 1e-12, "closed form");
        let dx = vector(&[0.2, 0.1, -0.4]);
        let (_, jv) = variance_jvp(&x, dx.clone());
        assert_close(&[0.7 * jv], &[variance_vjp(&x).1(0.7).dot(&dx)], 1e-12, "JVP against VJP");
    }
}

#[test]
fn float_and_integer_parameters_read_in_a_loop() {
    for (y0, k, p) in points().into_iter().zip([(0.7, 3), (-0.4, 2), (1.1, 1)]).map(|(y, (k, p))| (y, k, p)) {
        let (value, (gy, gk)) = decay_grad(&y0, k, p);
        assert_eq!(value, decay(&y0, k, p));
        assert_close(
            gy.as_slice(),
            &central_gradient(|q| decay(&vector(q), k, p), y0.as_slice()),
            1e-6,
            "y0",
        );
        assert_close(&[gk], &central_gradient(|q| decay(&y0, q[0], p), &[k]), 1e-6, "k");
        let dy = vector(&[0.1, 0.4, -0.3]);
        let (_, jv) = decay_jvp(&y0, k, p, dy.clone(), 0.4);
        let (uy, uk) = decay_vjp(&y0, k, p).1(0.9);
        assert_close(&[0.9 * jv], &[uy.dot(&dy) + uk * 0.4], 1e-12, "JVP against VJP");
    }
}

#[test]
fn static_vector_map_reading_a_float() {
    for (v, s) in [(Vector3::new(0.3, -0.1, 0.7), 1.3), (Vector3::new(-0.5, 0.2, 0.1), -0.6)] {
        let (value, (gv, gs)) = waves_grad(v, s);
        assert_eq!(value, waves(v, s));
        // f = Σ sin² + Σ sin of uᵢ = 2 vᵢ s: ∂f/∂uᵢ = (2 sin uᵢ + 1) cos uᵢ.
        let du = (v * 2.0 * s).map(|u| (2.0 * u.sin() + 1.0) * u.cos());
        assert_close(gv.as_slice(), (du * 2.0 * s).as_slice(), 1e-12, "v");
        assert_close(&[gs], &[du.dot(&(v * 2.0))], 1e-12, "s");
        let (_, jv) = waves_jvp(v, s, Vector3::new(0.1, 0.2, 0.3), 0.5);
        let (uv, us) = waves_vjp(v, s).1(1.0);
        assert_close(&[jv], &[uv.dot(&Vector3::new(0.1, 0.2, 0.3)) + us * 0.5], 1e-12, "JVP against VJP");
    }
}

#[test]
fn count_made_a_float_then_read() {
    for v in points() {
        let (value, g) = averaged_grad(v.clone());
        let u = &v * (2.0 / 3.0);
        assert_close(&[value], &[u.norm()], 1e-12, "value");
        assert_close(g.as_slice(), (&u * (2.0 / 3.0) / u.norm()).as_slice(), 1e-12, "closed form");
        let dv = vector(&[0.4, -0.2, 0.1]);
        let (_, jv) = averaged_jvp(v.clone(), dv.clone());
        assert_close(&[0.5 * jv], &[averaged_vjp(v.clone()).1(0.5).dot(&dv)], 1e-12, "JVP against VJP");
    }
}

#[test]
fn hessian_of_a_log_sum_exp_against_its_closed_form() {
    for z0 in points() {
        let (value, (gz, gb), h) = lse_hessian_hessian(&z0, 0.4);
        let p = softmax_of(&(&z0 * 2.0));
        assert_close(&[value], &[lse_hessian(&z0, 0.4)], 1e-12, "value");
        assert_close(gz.as_slice(), (&p * 2.0).as_slice(), 1e-12, "gradient");
        assert_close(&[gb], &[1.0], 1e-12, "gradient in b");
        let want = (DMatrix::from_diagonal(&p) - &p * p.transpose()) * 4.0;
        for i in 0..4 {
            for j in 0..4 {
                let w = if i < 3 && j < 3 { want[(i, j)] } else { 0.0 };
                assert_close(&[h[(i, j)]], &[w], 1e-12, "Hessian");
            }
        }
        for i in 0..3 {
            let row = central_gradient(|q| lse_hessian_grad(&vector(q), 0.4).1.0[i], z0.as_slice());
            assert_close(h.row(i).columns(0, 3).transpose().as_slice(), &row, 1e-6, "central");
        }
    }
}

#[test]
fn jacobian_of_a_shifted_softmax() {
    for z0 in points() {
        let (value, j) = softmax_jacobian(&z0, 0.7);
        let p = softmax_of(&(&z0 / 0.7));
        assert_close(value.as_slice(), p.as_slice(), 1e-12, "value");
        let want = (DMatrix::from_diagonal(&p) - &p * p.transpose()) / 0.7;
        assert_close(j.columns(0, 3).into_owned().as_slice(), want.as_slice(), 1e-12, "closed form");
        let dt = central_gradient(|q| softmax(&z0, q[0])[1], &[0.7]);
        assert_close(&[j[(1, 3)]], &dt, 1e-6, "central differences in t");
        // Columns from `_jvp`, rows from `_vjp`.
        for c in 0..4 {
            let (dz, dt) = if c < 3 {
                (DVector::from_fn(3, |i, _| f64::from(u8::from(i == c))), 0.0)
            } else {
                (DVector::zeros(3), 1.0)
            };
            let (_, column) = softmax_jvp(&z0, 0.7, dz, dt);
            assert_close(j.column(c).as_slice(), column.as_slice(), 1e-12, "_jvp column");
        }
        for r in 0..3 {
            let (uz, ut) = softmax_vjp(&z0, 0.7).1(DVector::from_fn(3, |i, _| f64::from(u8::from(i == r))));
            let row: Vec<f64> = uz.iter().copied().chain([ut]).collect();
            assert_close(j.row(r).transpose().as_slice(), &row, 1e-12, "_vjp row");
        }
    }
}
