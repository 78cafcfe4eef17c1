//! Second order where the dual copy keeps plain `f64`s (`second/typed.rs`): the value's carry,
//! literals, the seed and the adjoints only it reaches, values saved on a loop's stack and in a
//! branch's trace, a trace whose fields are plain and dual, a gradient entry whose Hessian row is
//! constant. Each `_hessian` is checked against the analytic Hessian and against central
//! differences of `_grad`, and `_hvp` against `H v`.

// Index loops are how numerical code is written.
#![allow(clippy::needless_range_loop)]

mod common;

use common::close;
use nalgebra::DMatrix;
use tapeless::differentiable;

/// Central differences of the gradient `g`, row by row: the Hessian `_grad` implies.
fn hessian_of_grad(g: &dyn Fn(&[f64]) -> Vec<f64>, x: &[f64]) -> DMatrix<f64> {
    let n = x.len();
    DMatrix::from_fn(n, n, |i, j| common::central(&|y: &[f64]| g(y)[i], x, j))
}

/// `_hvp` of a function of one slice along `v` against the Hessian times `v`.
fn assert_hvp(hvp: &dyn Fn(Vec<f64>) -> Vec<f64>, h: &DMatrix<f64>, v: &[f64], what: &str) {
    let want = h * nalgebra::DVector::from_column_slice(v);
    common::assert_close(&hvp(v.to_vec()), want.as_slice(), 1e-13, what);
}

fn assert_matrix(got: &DMatrix<f64>, want: &DMatrix<f64>, tol: f64, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.iter().zip(want.iter()) {
        assert!(close(*g, *w, tol), "{what}: {got} against {want}");
    }
}

/// `Σ_i ½ (x_i d)²` where `|x_i d| < 1`, else `|x_i d| - ½`: a Huber sum over a loop whose
/// branch saves a plain literal and a dual product in its trace.
#[differentiable(hessian)]
fn huber_scaled(x: &[f64], d: f64) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let r = x[i] * d;
        if tapeless::piecewise(r.abs() < 1.0) {
            s += 0.5 * r * r;
        } else {
            s += r.abs() - 0.5;
        }
    }
    s
}

fn huber_scaled_flat(p: &[f64]) -> f64 {
    huber_scaled(&p[1..], p[0])
}

fn huber_scaled_grad_flat(p: &[f64]) -> Vec<f64> {
    let (_, (gx, gd)) = huber_scaled_grad(&p[1..], p[0]);
    [vec![gd], gx].concat()
}

#[test]
fn a_branch_in_a_loop() {
    let (x, d) = ([0.3, -2.0, 0.8, 1.7], 0.9);
    let (value, (gx, gd), h) = huber_scaled_hessian(&x, d);
    assert!(close(value, huber_scaled(&x, d), 1e-15));
    // Analytic, numbered x_0.., then d: inside, ∂²/∂x_i² = d², ∂²/∂x_i∂d = 2 x_i d, ∂²/∂d² = x_i²;
    // outside, |x_i d| has ∂²/∂x_i∂d = sign(x_i d) and no other second derivative.
    let n = x.len();
    let mut want = DMatrix::zeros(n + 1, n + 1);
    for (i, &xi) in x.iter().enumerate() {
        if (xi * d).abs() < 1.0 {
            want[(i, i)] = d * d;
            want[(i, n)] = 2.0 * xi * d;
            want[(n, i)] = 2.0 * xi * d;
            want[(n, n)] += xi * xi;
        } else {
            want[(i, n)] = (xi * d).signum();
            want[(n, i)] = (xi * d).signum();
        }
    }
    assert_matrix(&h, &want, 1e-14, "huber_scaled Hessian");
    // Central differences of `_grad` in the order `_hessian` numbers its inputs.
    let p = [vec![d], x.to_vec()].concat();
    let fd = hessian_of_grad(&huber_scaled_grad_flat, &p);
    let reorder = |m: &DMatrix<f64>| {
        let idx: Vec<usize> = (1..=n).chain([0]).collect();
        DMatrix::from_fn(n + 1, n + 1, |i, j| m[(idx[i], idx[j])])
    };
    assert_matrix(&h, &reorder(&fd), 1e-7, "huber_scaled Hessian against _grad");
    common::gradient_central("huber_scaled", &huber_scaled_flat, &p, &huber_scaled_grad_flat(&p), 1e-8);
    assert!(close(gd, huber_scaled_grad_flat(&p)[0], 1e-15) && gx.len() == n);
    let v = [0.5, -1.0, 0.25, 2.0, 1.5];
    let (_, _, hv) = huber_scaled_hvp(&x, d, v[..n].to_vec(), v[n]);
    let want_hv = &want * nalgebra::DVector::from_column_slice(&v);
    let got_hv = [hv.0, vec![hv.1]].concat();
    common::assert_close(&got_hv, want_hv.as_slice(), 1e-14, "huber_scaled H v");
}

/// `Σ_k (k+1)⁻¹ sin(x_k) + x_0 x_1 + 3 x_2 - 2`: integer casts, literals, a bilinear term whose
/// Hessian row is constant and a linear term with none.
#[differentiable(hessian)]
fn weighted_sines(x: &[f64]) -> f64 {
    let mut s = -2.0;
    for (k, xk) in x.iter().enumerate() {
        s += xk.sin() / (k + 1) as f64;
    }
    s + x[0] * x[1] + 3.0 * x[2]
}

#[test]
fn literals_casts_and_constant_rows() {
    let x = [0.4, -1.2, 2.0];
    let (_, g, h) = weighted_sines_hessian(&x);
    let mut want = DMatrix::from_fn(3, 3, |i, j| if i == j { -x[i].sin() / (i + 1) as f64 } else { 0.0 });
    want[(0, 1)] = 1.0;
    want[(1, 0)] = 1.0;
    assert_matrix(&h, &want, 1e-14, "weighted_sines Hessian");
    let fd = hessian_of_grad(&|y: &[f64]| weighted_sines_grad(y).1, &x);
    assert_matrix(&h, &fd, 1e-7, "weighted_sines Hessian against _grad");
    let want_g = [x[0].cos() + x[1], x[1].cos() / 2.0 + x[0], x[2].cos() / 3.0 + 3.0];
    common::assert_close(&g, &want_g, 1e-14, "weighted_sines gradient");
    assert_hvp(&|v| weighted_sines_hvp(&x, v).2, &want, &[0.3, -1.0, 2.5], "weighted_sines H v");
}

/// The call price of Black-Scholes through `erf` (a pullback of the runtime's dual math) with
/// the rate and volatility fixed: a Hessian in the spot and the strike.
#[differentiable(hessian, wrt(s, k))]
fn call_price(s: f64, k: f64, t: f64) -> f64 {
    let (r, sigma) = (0.03, 0.25);
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
    let d2 = d1 - sigma * t.sqrt();
    let n = |z: f64| 0.5 * (1.0 + tapeless::math::erf(z * std::f64::consts::FRAC_1_SQRT_2));
    s * n(d1) - k * (-r * t).exp() * n(d2)
}

#[test]
fn a_pullback_of_dual_math() {
    let (s, k, t) = (100.0, 95.0, 0.5);
    let (_, _, h) = call_price_hessian(s, k, t);
    // Gamma ∂²C/∂S² = φ(d1) / (S σ √t); ∂²C/∂K² = e^(-rt) φ(d2) / (K σ √t); the cross term
    // -φ(d1) / (K σ √t) (the price is homogeneous of degree one: S² Γ_SS = K² Γ_KK = -S K Γ_SK).
    let (r, sigma) = (0.03_f64, 0.25_f64);
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * t.sqrt());
    let phi = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let gamma = phi(d1) / (s * sigma * t.sqrt());
    let want =
        DMatrix::from_row_slice(2, 2, &[gamma, -gamma * s / k, -gamma * s / k, gamma * s * s / (k * k)]);
    assert_matrix(&h, &want, 1e-12, "call_price Hessian");
    let g = |p: &[f64]| {
        let (_, (gs, gk)) = call_price_grad(p[0], p[1], t);
        vec![gs, gk]
    };
    assert_matrix(&h, &hessian_of_grad(&g, &[s, k]), 1e-6, "call_price Hessian against _grad");
    let (_, _, (hs, hk)) = call_price_hvp(s, k, t, 0.3, -0.8);
    let want_hv = &want * nalgebra::DVector::from_column_slice(&[0.3, -0.8]);
    common::assert_close(&[hs, hk], want_hv.as_slice(), 1e-12, "call_price H v");
}

/// `Σ_i ρ(r_i)` with `r_i = a e^(-b t_i) + c` and `ρ(r) = r²` inside `|r| < 1`, `2|r| - 1` outside:
/// a branch's value bound by `let`, whose adjoint starts from a zero declared untyped (a zero the
/// retyping writes out as `0.0f64` or its dual number: left as `zero_real()`, rustc could not tell
/// its type once `Add` had impls for both).
#[differentiable(hessian, wrt(p))]
fn robust_decay(p: &[f64; 3], t: &[f64]) -> f64 {
    let [a, b, c] = *p;
    t.iter()
        .map(|&ti| {
            let r = a * (-b * ti).exp() + c;
            if tapeless::piecewise(r.abs() < 1.0) { r * r } else { 2.0 * r.abs() - 1.0 }
        })
        .sum()
}

#[test]
fn a_zero_declared_before_a_branch() {
    let (p, t) = ([0.8, 0.3, 0.1], [0.0, 0.5, 1.0, 2.0, 6.0]);
    let (_, _, h) = robust_decay_hessian(&p, &t);
    let mut want = DMatrix::zeros(3, 3);
    for &ti in &t {
        let e = (-p[1] * ti).exp();
        let r = p[0] * e + p[2];
        let grad = [e, -p[0] * ti * e, 1.0];
        let mut second = DMatrix::zeros(3, 3);
        second[(0, 1)] = -ti * e;
        second[(1, 0)] = -ti * e;
        second[(1, 1)] = p[0] * ti * ti * e;
        let outer = DMatrix::from_fn(3, 3, |i, j| grad[i] * grad[j]);
        want += if r.abs() < 1.0 { 2.0 * (outer + r * second) } else { 2.0 * r.signum() * second };
    }
    assert_matrix(&h, &want, 1e-13, "robust_decay Hessian");
    let g = |q: &[f64]| robust_decay_grad(&[q[0], q[1], q[2]], &t).1.to_vec();
    assert_matrix(&h, &hessian_of_grad(&g, &p), 1e-7, "robust_decay Hessian against _grad");
    let hv = |v: Vec<f64>| robust_decay_hvp(&p, &t, [v[0], v[1], v[2]]).2.to_vec();
    assert_hvp(&hv, &want, &[0.4, -1.1, 0.9], "robust_decay H v");
}

/// `Σ_k sin((k+1) x_k²) + x_0 x_(n-1)` through a `while` loop filling a local `vec!`, with an
/// integer counter.
#[differentiable(hessian)]
fn filled_while(x: &[f64]) -> f64 {
    let mut w = vec![0.0; x.len()];
    let mut i = 0;
    while i < x.len() {
        w[i] = x[i] * x[i] * (i as f64 + 1.0);
        i += 1;
    }
    w.iter().map(|v| v.sin()).sum::<f64>() + x[0] * x[x.len() - 1]
}

#[test]
fn a_local_array_filled_by_a_while_loop() {
    let x = [0.4, -0.9, 1.3, 0.2];
    let (_, g, h) = filled_while_hessian(&x);
    let n = x.len();
    let mut want = DMatrix::from_fn(n, n, |i, j| {
        if i != j {
            return 0.0;
        }
        let k = (i + 1) as f64;
        let u = k * x[i] * x[i];
        -u.sin() * (2.0 * k * x[i]).powi(2) + 2.0 * k * u.cos()
    });
    want[(0, n - 1)] += 1.0;
    want[(n - 1, 0)] += 1.0;
    assert_matrix(&h, &want, 1e-13, "filled_while Hessian");
    assert_matrix(
        &h,
        &hessian_of_grad(&|y: &[f64]| filled_while_grad(y).1, &x),
        1e-7,
        "filled_while Hessian against _grad",
    );
    let want_g: Vec<f64> = (0..n)
        .map(|i| {
            let k = (i + 1) as f64;
            (k * x[i] * x[i]).cos() * 2.0 * k * x[i]
                + if i == 0 {
                    x[n - 1]
                } else if i == n - 1 {
                    x[0]
                } else {
                    0.0
                }
        })
        .collect();
    common::assert_close(&g, &want_g, 1e-14, "filled_while gradient");
    assert_hvp(&|v| filled_while_hvp(&x, v).2, &want, &[1.0, 0.5, -0.25, 2.0], "filled_while H v");
}

/// `m² + k x_(n-1) + Σ_i x_i x_(n-1-i)` with `m` the largest entry, `k` its index (carried as an
/// integer beside it), and a `zip` with the reversed slice, whose length is a `core::cmp::min`.
#[differentiable(hessian)]
fn largest_and_mirror(x: &[f64]) -> f64 {
    let n = x.len();
    let (mut best, mut idx) = (x[0], 0);
    for i in 1..n {
        if tapeless::piecewise(x[i] > best) {
            best = x[i];
            idx = i;
        }
    }
    best * best + (idx as f64) * x[n - 1] + x.iter().zip(x.iter().rev()).map(|(a, b)| a * b).sum::<f64>()
}

#[test]
fn an_integer_carried_beside_a_float() {
    let x = [0.3, -0.7, 1.2, 0.5, 2.0, -1.1];
    let n = x.len();
    let (_, _, h) = largest_and_mirror_hessian(&x);
    // The mirror sum counts each pair twice; the largest entry is x_4.
    let mut want = DMatrix::from_fn(n, n, |i, j| if i + j == n - 1 { 2.0 } else { 0.0 });
    want[(4, 4)] += 2.0;
    assert_matrix(&h, &want, 1e-14, "largest_and_mirror Hessian");
    let fd = hessian_of_grad(&|y: &[f64]| largest_and_mirror_grad(y).1, &x);
    assert_matrix(&h, &fd, 1e-7, "largest_and_mirror Hessian against _grad");
    let v = [0.5, -1.0, 0.25, 2.0, 1.5, -0.75];
    assert_hvp(&|v| largest_and_mirror_hvp(&x, v).2, &want, &v, "largest_and_mirror H v");
}
