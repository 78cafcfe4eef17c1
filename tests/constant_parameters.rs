//! Parameters that are not differentiated and are not floats: a struct of data by reference
//! (read as `data.x.len()`, `data.x[i]`, `data.scale`), an enum of settings and an
//! `Option<f64>` (and its `unwrap_or`/`map_or`), in first order and in second order (where they are passed to the dual copy as
//! they are). First order against the analytic gradient, central differences and forward
//! against reverse; second order against the analytic Hessian and central differences of
//! `_grad`.

mod common;

use common::{check, close};
use tapeless::differentiable;

/// Observations of a line fit.
struct Dataset {
    x: Vec<f64>,
    y: Vec<f64>,
    scale: f64,
}

#[derive(Clone, Copy, Debug)]
enum Loss {
    Squared,
    Cauchy(f64),
}

/// `scale Σ ρ(w0 + w1 x_i - y_i)`, `ρ` squared or Cauchy's `c²/2 ln(1 + (r/c)²)`.
#[differentiable(hessian, wrt(w))]
fn fit(w: &[f64], data: &Dataset, kind: Loss) -> f64 {
    let mut total = 0.0;
    for i in 0..data.x.len() {
        let r = w[0] + w[1] * data.x[i] - data.y[i];
        total += match kind {
            Loss::Squared => 0.5 * r * r,
            Loss::Cauchy(c) => 0.5 * c * c * (1.0 + (r / c).powi(2)).ln(),
        };
    }
    total * data.scale
}

/// `ρ'(r)` and `ρ''(r)`.
fn rho(r: f64, kind: Loss) -> (f64, f64) {
    match kind {
        Loss::Squared => (r, 1.0),
        Loss::Cauchy(c) => {
            let q = 1.0 + (r / c).powi(2);
            (r / q, (1.0 - (r / c).powi(2)) / (q * q))
        }
    }
}

fn data() -> Dataset {
    Dataset { x: vec![0.0, 1.0, 2.0, 3.5], y: vec![1.0, 2.0, 2.5, 4.1], scale: 0.5 }
}

#[test]
fn a_data_struct_and_a_setting_in_first_order() {
    let d = data();
    for kind in [Loss::Squared, Loss::Cauchy(0.7)] {
        let fns = slice_fns_with!(fit, fit_jvp, fit_vjp, fit_grad; &d, kind);
        let points: [&[f64]; 3] = [&[0.1, 0.2], &[1.0, 0.8], &[-0.5, 1.4]];
        check(&fns, &points, 1e-8);
        for w in points {
            let (_, g) = fit_grad(w, &d, kind);
            let mut want = [0.0; 2];
            for i in 0..d.x.len() {
                let (d1, _) = rho(w[0] + w[1] * d.x[i] - d.y[i], kind);
                want[0] += d.scale * d1;
                want[1] += d.scale * d1 * d.x[i];
            }
            for k in 0..2 {
                assert!(common::close(g[k], want[k], 1e-13), "{kind:?}: d/dw{k} = {} vs {}", g[k], want[k]);
            }
        }
    }
}

#[test]
fn a_data_struct_and_a_setting_in_second_order() {
    let d = data();
    for kind in [Loss::Squared, Loss::Cauchy(0.7)] {
        for w in [[0.1, 0.2], [1.0, 0.8], [-0.5, 1.4]] {
            let (value, g, h) = fit_hessian(&w, &d, kind);
            assert_eq!((value, g), fit_grad(&w, &d, kind));
            let mut exact = [[0.0; 2]; 2];
            for i in 0..d.x.len() {
                let (_, d2) = rho(w[0] + w[1] * d.x[i] - d.y[i], kind);
                let row = [1.0, d.x[i]];
                for a in 0..2 {
                    for b in 0..2 {
                        exact[a][b] += d.scale * d2 * row[a] * row[b];
                    }
                }
            }
            for a in 0..2 {
                for b in 0..2 {
                    assert!(common::close(h[(a, b)], exact[a][b], 1e-13), "{kind:?}: H[{a},{b}]");
                    let gb = |p: &[f64]| fit_grad(p, &d, kind).1[a];
                    let fd = common::central(&gb, &w, b);
                    assert!(common::close(h[(a, b)], fd, 1e-7), "{kind:?}: H[{a},{b}] vs fd {fd}");
                }
            }
            let v = [0.3, -0.9];
            let (_, _, hv) = fit_hvp(&w, &d, kind, v.to_vec());
            for a in 0..2 {
                assert!(common::close(hv[a], h[(a, 0)] * v[0] + h[(a, 1)] * v[1], 1e-13));
            }
        }
    }
}

/// Methods of an `Option<f64>` setting, the way optional parameters are usually read:
/// `unwrap_or` with a literal and with a local, `map_or` with a closure. In second order the
/// methods run on the parameter's own type (before, the second-order method error).
#[differentiable(hessian, wrt(x))]
fn optional_weights(x: &[f64], decay: Option<f64>, floor: Option<f64>) -> f64 {
    let fallback = 0.25;
    let d = decay.unwrap_or(1.0);
    let f = floor.unwrap_or(fallback);
    let mut total = 0.0;
    for (i, v) in x.iter().enumerate() {
        total += d.powi(i as i32) * v * v * v + f * v;
    }
    total * floor.map_or(2.0, |c| c * 0.5 + fallback)
}

#[test]
fn methods_of_an_option_parameter_in_second_order() {
    let x = [0.4, -1.3, 0.8];
    for (decay, floor) in [(Some(0.5), Some(3.0)), (None, Some(-1.0)), (Some(2.0), None), (None, None)] {
        let (d, f) = (decay.unwrap_or(1.0), floor.unwrap_or(0.25));
        let m = floor.map_or(2.0, |c| c * 0.5 + 0.25);
        let (value, g, h) = optional_weights_hessian(&x, decay, floor);
        assert_eq!(value, optional_weights(&x, decay, floor));
        let (_, g1) = optional_weights_grad(&x, decay, floor);
        for i in 0..3 {
            // ∂/∂x_i = m (3 dⁱ x_i² + f), ∂²/∂x_i² = 6 m dⁱ x_i, the rest zero.
            let di = d.powi(i as i32);
            assert!(close(g[i], m * (3.0 * di * x[i] * x[i] + f), 1e-14), "{decay:?} {floor:?}: g[{i}]");
            assert!(close(g1[i], g[i], 1e-14));
            for j in 0..3 {
                let want = if i == j { 6.0 * m * di * x[i] } else { 0.0 };
                assert!(close(h[(i, j)], want, 1e-13), "{decay:?} {floor:?}: H[{i},{j}] = {}", h[(i, j)]);
                let gi = |p: &[f64]| optional_weights_grad(p, decay, floor).1[i];
                let fd = common::central(&gi, &x, j);
                assert!(close(h[(i, j)], fd, 1e-7), "H[{i},{j}] vs fd {fd}");
            }
        }
        let v = [0.3, -0.7, 1.1];
        let (_, t) = optional_weights_jvp(&x, decay, floor, v.to_vec());
        let (_, pullback) = optional_weights_vjp(&x, decay, floor);
        common::forward_against_reverse("optional_weights", t, &v, 1.3, &pullback(1.3), 1e-13);
    }
}

/// `k |x|² x0` for `Some(k)`, `|x|²` for `None`.
#[differentiable(hessian, wrt(x))]
fn scaled_square(x: &[f64], factor: Option<f64>) -> f64 {
    let s: f64 = x.iter().map(|v| v * v).sum();
    if let Some(k) = factor { k * s * x[0] } else { s }
}

#[test]
fn an_option_parameter_in_second_order() {
    let x = [0.4, -1.3, 0.8];
    for factor in [Some(2.0), Some(-0.5), None] {
        let (_, _, h) = scaled_square_hessian(&x, factor);
        for i in 0..3 {
            for j in 0..3 {
                let delta = if i == j { 1.0 } else { 0.0 };
                let want = match factor {
                    // k (2 x0 δ_ij + 2 (δ_i0 x_j + δ_j0 x_i)).
                    Some(k) => {
                        let e = |a: usize, b: usize| if a == 0 { x[b] } else { 0.0 };
                        k * (2.0 * x[0] * delta + 2.0 * (e(i, j) + e(j, i)))
                    }
                    None => 2.0 * delta,
                };
                assert!(
                    common::close(h[(i, j)], want, 1e-13),
                    "{factor:?}: H[{i},{j}] = {} vs {want}",
                    h[(i, j)]
                );
                let gi = |p: &[f64]| scaled_square_grad(p, factor).1[i];
                let fd = common::central(&gi, &x, j);
                assert!(common::close(h[(i, j)], fd, 1e-7), "{factor:?}: H[{i},{j}] vs fd {fd}");
            }
        }
    }
}

/// A plain function computing a constant, and a differentiable one called on constants only.
fn normalisation(s: f64, k: usize) -> f64 {
    1.0 / (s * k as f64).sqrt()
}

#[differentiable(hessian)]
fn wave(a: f64, b: f64) -> f64 {
    a * b.sin()
}

/// `c |x|² + wave(0.4, -0.7) x0 + wave(x0, x1)`, `c` from a call on constants.
#[differentiable(hessian)]
fn calls_on_constants(x: &[f64]) -> f64 {
    let c = normalisation(2.0, x.len());
    let h = wave(0.4, -0.7);
    c * x.iter().map(|v| v * v).sum::<f64>() + h * x[0] + wave(x[0], x[1])
}

#[test]
fn calls_on_constants_in_second_order() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.2], &[1.1, 0.4, -0.5], &[-0.8, 2.0, 0.1]];
    check(
        &slice_fns!(
            calls_on_constants,
            calls_on_constants_jvp,
            calls_on_constants_vjp,
            calls_on_constants_grad
        ),
        &points,
        1e-8,
    );
    for x in [[0.3, -0.7, 1.2], [1.1, 0.4, -0.5], [-0.8, 2.0, 0.1]] {
        let (value, g, h) = calls_on_constants_hessian(&x);
        assert_eq!((value, g.clone()), calls_on_constants_grad(&x));
        let (c, w) = (normalisation(2.0, 3), 0.4 * (-0.7f64).sin());
        let want_g = [2.0 * c * x[0] + w + x[1].sin(), 2.0 * c * x[1] + x[0] * x[1].cos(), 2.0 * c * x[2]];
        let want_h =
            [[2.0 * c, x[1].cos(), 0.0], [x[1].cos(), 2.0 * c - x[0] * x[1].sin(), 0.0], [0.0, 0.0, 2.0 * c]];
        for a in 0..3 {
            assert!(common::close(g[a], want_g[a], 1e-14), "gradient[{a}]");
            for b in 0..3 {
                assert!(common::close(h[(a, b)], want_h[a][b], 1e-14), "H[{a},{b}]");
                let fd = common::central(&|p: &[f64]| calls_on_constants_grad(p).1[a], &x, b);
                assert!(common::close(h[(a, b)], fd, 1e-7), "H[{a},{b}] vs fd {fd}");
            }
        }
    }
}

/// `wave` called on constants and, in a loop, on differentiated values, whose pullback the
/// reverse sweep makes again: `(Σ_{i<2} x_i wave(x_2, x_3) + wave(0.4, -0.7))²`. The dual copy
/// took both calls for calls on constants, which dropped the loop call's tangent: a wrong
/// Hessian in the rows and columns of `x_2` and `x_3`, silently, until the forty-fourth session
/// (found by `tests/differential.rs`, seed 9693).
#[differentiable(hessian)]
fn constant_and_looped_calls(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..2 {
        s += x[i] * wave(x[2], x[3]);
    }
    let k = s + wave(0.4, -0.7);
    k * k
}

#[test]
fn one_function_called_on_constants_and_in_a_loop() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.2, 0.5], &[1.1, 0.4, -0.5, 2.0], &[-0.8, 2.0, 0.1, -1.3]];
    check(
        &slice_fns!(
            constant_and_looped_calls,
            constant_and_looped_calls_jvp,
            constant_and_looped_calls_vjp,
            constant_and_looped_calls_grad
        ),
        &points,
        1e-8,
    );
    for x in points {
        // k = (x0 + x1) x2 sin(x3) + w: its gradient dk and Hessian d²k, then H = 2 (dk dkᵀ + k d²k).
        let (a, w) = (x[0] + x[1], 0.4 * (-0.7f64).sin());
        let (sn, cs) = (x[3].sin(), x[3].cos());
        let k = a * x[2] * sn + w;
        let dk = [x[2] * sn, x[2] * sn, a * sn, a * x[2] * cs];
        let d2k = |i: usize, j: usize| match (i.min(j), i.max(j)) {
            (0 | 1, 2) => sn,
            (0 | 1, 3) => x[2] * cs,
            (2, 3) => a * cs,
            (3, 3) => -a * x[2] * sn,
            _ => 0.0,
        };
        let (value, g, h) = constant_and_looped_calls_hessian(x);
        assert!(close(value, k * k, 1e-14));
        for i in 0..4 {
            assert!(close(g[i], 2.0 * k * dk[i], 1e-14), "gradient[{i}]");
        }
        common::hessian_against(
            "constant_and_looped_calls",
            &h,
            &|i, j| 2.0 * (dk[i] * dk[j] + k * d2k(i, j)),
            &|q| constant_and_looped_calls_grad(q).1,
            x,
            1e-13,
        );
    }
}

/// A linear model's parameters in a derived struct.
#[derive(Clone, Debug, PartialEq, tapeless::Differentiable)]
struct Linear {
    w: Vec<f64>,
    b: f64,
}

/// The mean squared error over samples of `(features, target)`: elements that are not `Copy`,
/// taken apart by reference as Rust binds them (`x: &Vec<f64>`, `y: &f64`).
#[allow(clippy::needless_range_loop)]
#[differentiable(wrt(p))]
fn mse(p: &Linear, data: &[(Vec<f64>, f64)]) -> f64 {
    let mut total = 0.0;
    for (x, y) in data {
        let pred: f64 = p.w.iter().zip(x).map(|(a, b)| a * b).sum::<f64>() + p.b;
        total += (pred - y).powi(2);
    }
    for i in 0..data.len() {
        let (x, y) = &data[i];
        total += 0.5 * (x[0] * p.w[0] - y).powi(2);
    }
    total / data.len() as f64
}

#[test]
fn samples_of_vectors_taken_apart_by_reference() {
    let data = vec![(vec![1.0, 2.0], 0.3), (vec![-1.0, 0.5], -0.2), (vec![0.25, -3.0], 1.0)];
    let p = Linear { w: vec![0.5, -0.2], b: 0.1 };
    let (value, g) = mse_grad(&p, &data);
    assert_eq!(value, mse(&p, &data));
    // Analytic: (1/n) Σ 2 r x (and 2 r for b), plus (1/n) Σ s x_0 for w_0, with r = w·x + b - y and
    // s = x_0 w_0 - y.
    let n = data.len() as f64;
    let (mut gw, mut gb) = (vec![0.0; 2], 0.0);
    for (x, y) in &data {
        let r = p.w[0] * x[0] + p.w[1] * x[1] + p.b - y;
        let s = x[0] * p.w[0] - y;
        gw[0] += (2.0 * r * x[0] + s * x[0]) / n;
        gw[1] += 2.0 * r * x[1] / n;
        gb += 2.0 * r / n;
    }
    for (k, want) in gw.iter().enumerate() {
        assert!(common::close(g.w[k], *want, 1e-14), "w{k}: {} vs {want}", g.w[k]);
    }
    assert!(common::close(g.b, gb, 1e-14));
    // Central differences, and forward against reverse along a direction.
    let f = |q: &[f64]| mse(&Linear { w: q[..2].to_vec(), b: q[2] }, &data);
    let q = [0.5, -0.2, 0.1];
    let flat = [g.w[0], g.w[1], g.b];
    for (k, gk) in flat.iter().enumerate() {
        assert!(common::close(*gk, common::central(&f, &q, k), 1e-9));
    }
    let dir = Linear { w: vec![0.3, -1.0], b: 0.7 };
    let (_, t) = mse_jvp(&p, &data, dir.clone());
    let (_, pullback) = mse_vjp(&p, &data);
    let back = pullback(2.0);
    let dot = back.w[0] * dir.w[0] + back.w[1] * dir.w[1] + back.b * dir.b;
    assert!(common::close(2.0 * t, dot, 1e-13), "<u, Jv> {} vs <Jᵀu, v> {dot}", 2.0 * t);
}

/// A constant `Vec` returned beside the value: `_jvp` moved it into the result and then read it
/// for its zero tangent (rustc's E0382 inside the expansion, found in review).
#[differentiable(wrt(x))]
fn with_weights_back(x: &[f64], v: Vec<f64>) -> (f64, Vec<f64>) {
    let w = &v;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin() * w[i];
    }
    (s, v)
}

#[test]
fn a_constant_vec_returned_by_value() {
    let (x, v) = ([1.0, 2.0, -0.5], vec![3.0, 4.0, 0.5]);
    let t = vec![0.2, -1.0, 0.7];
    let ((value, back), (ts, tv)) = with_weights_back_jvp(&x, v.clone(), t.clone());
    assert_eq!(back, v);
    assert_eq!(tv, vec![0.0; 3]);
    // Analytic: ∂s/∂x_i = v_i cos x_i.
    let g: Vec<f64> = (0..3).map(|i| v[i] * x[i].cos()).collect();
    let want: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!(common::close(ts, want, 1e-15));
    let f = |q: &[f64]| with_weights_back(q, v.clone()).0;
    for (i, gi) in g.iter().enumerate() {
        assert!(common::close(*gi, common::central(&f, &x, i), 1e-9));
    }
    // Reverse mode: the pullback of (u, anything) is u ∇s, and `<Jᵀu, t>` equals `u <∇s, t>`.
    let ((v2, _), pullback) = with_weights_back_vjp(&x, v.clone());
    assert_eq!(v2, value);
    let back = pullback((2.0, vec![9.0; 3]));
    let dot: f64 = back.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!(common::close(dot, 2.0 * ts, 1e-14));
}

/// A constant scratch buffer the function writes differentiated values into: `_jvp` gets no
/// tangent for it and starts it from zero (it named the missing `dw`, rustc's E0425 inside the
/// expansion, found in the thirty-first session).
#[differentiable(hessian, wrt(x))]
fn through_scratch(x: &[f64], mut w: Vec<f64>) -> f64 {
    for i in 0..x.len() {
        w[i] += x[i] * x[i];
    }
    w.iter().map(|v| v.sin()).sum()
}

#[test]
fn a_constant_buffer_written_with_differentiated_values() {
    let (x, w) = ([0.4, -0.9, 1.3], vec![0.5, 0.1, -0.2]);
    // Analytic: s = Σ sin(x_i² + w_i), ∂s/∂x_i = 2 x_i cos(x_i² + w_i), and the Hessian is
    // diagonal: 2 cos(u_i) - 4 x_i² sin(u_i).
    let u: Vec<f64> = (0..3).map(|i| x[i] * x[i] + w[i]).collect();
    let g: Vec<f64> = (0..3).map(|i| 2.0 * x[i] * u[i].cos()).collect();
    let (value, grad) = through_scratch_grad(&x, w.clone());
    assert!(common::close(value, u.iter().map(|v| v.sin()).sum(), 1e-15));
    common::assert_close(&grad, &g, 1e-14, "analytic gradient");
    let f = |q: &[f64]| through_scratch(q, w.clone());
    common::assert_close(&grad, &common::central_gradient(f, &x), 1e-8, "central differences");
    let t = vec![0.2, -1.0, 0.7];
    let (_, jv) = through_scratch_jvp(&x, w.clone(), t.clone());
    let want: f64 = g.iter().zip(&t).map(|(a, b)| a * b).sum();
    assert!(common::close(jv, want, 1e-14), "JVP {jv} against <∇s, t> {want}");
    let (_, _, hv) = through_scratch_hvp(&x, w.clone(), t.clone());
    let exact: Vec<f64> =
        (0..3).map(|i| (2.0 * u[i].cos() - 4.0 * x[i] * x[i] * u[i].sin()) * t[i]).collect();
    common::assert_close(&hv, &exact, 1e-13, "analytic Hessian times t");
    let h = 1e-5;
    let along = |s: f64| {
        let p: Vec<f64> = x.iter().zip(&t).map(|(a, b)| a + s * b).collect();
        through_scratch_grad(&p, w.clone()).1
    };
    let (up, down) = (along(h), along(-h));
    let fd: Vec<f64> = up.iter().zip(&down).map(|(a, b)| (a - b) / (2.0 * h)).collect();
    common::assert_close(&hv, &fd, 1e-7, "central differences of the gradient");
}

/// Observations as a slice of structs that are not `Copy`, read through `iter()`, a `for`
/// loop and indexing (each was rustc's "cannot move out of a slice" in generated code), and a
/// `Copy` point passed by value to a helper.
#[derive(Clone, Debug)]
struct Observation {
    x: f64,
    y: f64,
}

#[derive(Clone, Copy, Debug)]
struct Weight {
    w: f64,
}

fn squared(p: Weight) -> f64 {
    p.w * p.w
}

#[differentiable(wrt(a, b))]
fn observed(a: f64, b: f64, obs: &[Observation], weights: &[Weight]) -> f64 {
    let by_chain: f64 = obs.iter().map(|o| (a * o.x + b - o.y).powi(2)).sum();
    let mut by_loop = 0.0;
    for o in obs {
        by_loop += (a * o.x - o.y).abs();
    }
    let mut by_index = 0.0;
    for i in 0..obs.len() {
        by_index += b * obs[i].x * squared(weights[i]);
    }
    by_chain + by_loop + by_index
}

#[test]
fn slices_of_structs_as_constants() {
    let obs =
        vec![Observation { x: 1.0, y: 2.5 }, Observation { x: 2.0, y: 3.0 }, Observation { x: -1.0, y: 0.5 }];
    let weights = [Weight { w: 0.5 }, Weight { w: 2.0 }, Weight { w: -1.0 }];
    for (a, b) in [(1.3, 0.2), (-0.7, 1.1)] {
        let (value, (ga, gb)) = observed_grad(a, b, &obs, &weights);
        let mut want = (0.0, 0.0, 0.0);
        for (o, w) in obs.iter().zip(&weights) {
            let r = a * o.x + b - o.y;
            let s = a * o.x - o.y;
            want.0 += r * r + s.abs() + b * o.x * w.w * w.w;
            want.1 += 2.0 * r * o.x + s.signum() * o.x;
            want.2 += 2.0 * r + o.x * w.w * w.w;
        }
        assert!(
            close(value, want.0, 1e-14) && close(ga, want.1, 1e-14) && close(gb, want.2, 1e-14),
            "{value} {ga} {gb} vs {want:?}"
        );
        let (_, t) = observed_jvp(a, b, &obs, &weights, 0.3, -0.8);
        let (_, pullback) = observed_vjp(a, b, &obs, &weights);
        let (pa, pb) = pullback(1.0);
        assert!(close(t, 0.3 * pa - 0.8 * pb, 1e-14));
        let f = |p: &[f64]| observed(p[0], p[1], &obs, &weights);
        for (i, g) in [ga, gb].into_iter().enumerate() {
            assert!(close(g, common::central(&f, &[a, b], i), 1e-8));
        }
    }
}

/// Training samples with a `Vec` field, a slice of them as constant data: `s.input.iter()`,
/// `s.input.len()` (reading the field in place: moving it out of the borrowed sample was
/// rustc's error in generated code) and `s.target`.
#[derive(Clone, Debug)]
struct Sample {
    input: Vec<f64>,
    target: f64,
}

#[differentiable(wrt(w))]
fn mean_squared_error(w: &[f64], data: &[Sample]) -> f64 {
    let mut loss = 0.0;
    for s in data {
        let pred: f64 = s.input.iter().zip(w).map(|(x, w)| x * w).sum();
        loss += (pred - s.target).powi(2) / s.input.len() as f64;
    }
    loss / data.len() as f64
}

#[test]
#[allow(clippy::needless_range_loop)]
fn samples_with_vec_fields() {
    let data = vec![
        Sample { input: vec![1.0, 2.0], target: 1.0 },
        Sample { input: vec![0.5, -1.0], target: 0.0 },
        Sample { input: vec![-0.3, 0.8], target: -0.5 },
    ];
    let points: [&[f64]; 3] = [&[0.3, 0.2], &[-1.0, 0.5], &[0.0, 0.0]];
    check(
        &crate::slice_fns_with!(mean_squared_error, mean_squared_error_jvp, mean_squared_error_vjp, mean_squared_error_grad; &data),
        &points,
        1e-8,
    );
    for w in points {
        let (_, g) = mean_squared_error_grad(w, &data);
        // ∂/∂w = Σ 2 r x / (2 n).
        let mut want = [0.0; 2];
        for s in &data {
            let r = s.input[0] * w[0] + s.input[1] * w[1] - s.target;
            for j in 0..2 {
                want[j] += 2.0 * r * s.input[j] / 2.0 / 3.0;
            }
        }
        assert!(close(g[0], want[0], 1e-14) && close(g[1], want[1], 1e-14), "{g:?} vs {want:?}");
    }
}

/// How residuals are weighted: no float in it, nor in [`Settings`].
#[derive(Clone, Copy, Debug, PartialEq)]
enum Weighting {
    Uniform,
    Linear,
}

/// Settings of the crate's own types that hold no float.
struct Settings {
    weighting: Weighting,
    power: i32,
    label: String,
    skip: Vec<Option<usize>>,
}

/// `Σ w_i r_i^p` with `w_i = 1` or `i + 1`; `settings` and `weighting` are constants without a
/// `wrt(..)` list because their types hold no float.
#[differentiable(hessian)]
fn weighted_power(r: &[f64], weighting: Weighting, settings: &Settings) -> f64 {
    let mut total = 0.0;
    for (i, ri) in r.iter().enumerate() {
        if settings.skip.contains(&Some(i)) || settings.label.is_empty() {
            continue;
        }
        let w = match (weighting, settings.weighting) {
            (Weighting::Uniform, Weighting::Uniform) => 1.0,
            _ => (i + 1) as f64,
        };
        total += w * ri.powi(settings.power);
    }
    total
}

#[test]
fn parameters_of_the_crates_own_types_without_floats_are_constants() {
    let settings = |weighting| Settings { weighting, power: 3, label: "fit".into(), skip: vec![Some(1)] };
    for weighting in [Weighting::Uniform, Weighting::Linear] {
        let s = settings(weighting);
        let fns = slice_fns_with!(weighted_power, weighted_power_jvp, weighted_power_vjp, weighted_power_grad; weighting, &s);
        let points: [&[f64]; 3] = [&[0.5, 1.0, -0.7], &[1.2, -0.3, 0.4], &[-0.9, 0.8, 1.1]];
        check(&fns, &points, 1e-8);
        for r in points {
            let (_, g, h) = weighted_power_hessian(r, weighting, &s);
            for i in 0..3 {
                let w = if weighting == Weighting::Uniform { 1.0 } else { (i + 1) as f64 };
                let kept = if i == 1 { 0.0 } else { w };
                assert!(common::close(g[i], kept * 3.0 * r[i] * r[i], 1e-13), "{weighting:?}: d/dr{i}");
                assert!(common::close(h[(i, i)], kept * 6.0 * r[i], 1e-13), "{weighting:?}: H[{i},{i}]");
                let gi = |p: &[f64]| weighted_power_grad(p, weighting, &s).1[i];
                for j in 0..3 {
                    let fd = common::central(&gi, r, j);
                    assert!(common::close(h[(i, j)], fd, 1e-7), "{weighting:?}: H[{i},{j}] vs fd {fd}");
                }
            }
        }
    }
}

// ---- Constant floats read by index: the dual `_grad` takes them as they are.

/// `Σ_j c_j w_j²`; `c` is read by index, and is lifted by callers whose copies pass it.
#[differentiable(hessian, wrt(w))]
fn diagonal_weight(w: &[f64], c: &[f64]) -> f64 {
    w.iter().zip(c).map(|(a, b)| a * a * b).sum()
}

/// `Σ_i c_i (z_i - s₀)² + s₁ sin z_i + Σ_j c_j w_j²`, `z_i = a_i · w`, rows `a_i` of `a`
/// (row-major, `w.len()` columns). `a` and `shift` are read by index only; `c`, a `Vec` by
/// value, is also passed to `diagonal_weight`.
#[differentiable(hessian, wrt(w))]
fn rows_fit(w: &[f64], a: &[f64], c: Vec<f64>, shift: [f64; 2]) -> f64 {
    let d = w.len();
    let mut total = 0.0;
    for i in 0..c.len() {
        let mut z = 0.0;
        for j in 0..d {
            z += a[i * d + j] * w[j];
        }
        total += c[i] * (z - shift[0]).powi(2) + shift[1] * z.sin();
    }
    total + diagonal_weight(w, &c)
}

/// The rows' data, weights and shift of [`rows_fit`].
fn rows_data() -> (Vec<f64>, Vec<f64>, [f64; 2]) {
    (vec![0.5, -1.0, 1.5, 0.25, -0.75, 2.0], vec![0.8, 1.3, 0.4], [0.2, 0.7])
}

/// The gradient and Hessian of [`rows_fit`] by hand.
fn rows_fit_exact(w: &[f64]) -> ([f64; 2], [[f64; 2]; 2]) {
    let (a, c, s) = rows_data();
    let (mut g, mut h) = ([0.0; 2], [[0.0; 2]; 2]);
    for i in 0..c.len() {
        let row = [a[2 * i], a[2 * i + 1]];
        let z = row[0] * w[0] + row[1] * w[1];
        let (d1, d2) = (2.0 * c[i] * (z - s[0]) + s[1] * z.cos(), 2.0 * c[i] - s[1] * z.sin());
        for p in 0..2 {
            g[p] += d1 * row[p];
            for q in 0..2 {
                h[p][q] += d2 * row[p] * row[q];
            }
        }
    }
    for j in 0..2 {
        g[j] += 2.0 * c[j] * w[j];
        h[j][j] += 2.0 * c[j];
    }
    (g, h)
}

#[test]
fn constant_floats_read_by_index_in_first_order() {
    let (a, c, s) = rows_data();
    let fns = slice_fns_with!(rows_fit, rows_fit_jvp, rows_fit_vjp, rows_fit_grad; &a, c.clone(), s);
    let points: [&[f64]; 3] = [&[0.1, 0.2], &[1.0, -0.8], &[-0.5, 1.4]];
    check(&fns, &points, 1e-8);
    for w in points {
        let (_, g) = rows_fit_grad(w, &a, c.clone(), s);
        let (want, _) = rows_fit_exact(w);
        for k in 0..2 {
            assert!(close(g[k], want[k], 1e-13), "d/dw{k} = {} vs {}", g[k], want[k]);
        }
    }
}

#[test]
fn constant_floats_read_by_index_in_second_order() {
    let (a, c, s) = rows_data();
    for w in [[0.1, 0.2], [1.0, -0.8], [-0.5, 1.4]] {
        let (value, g, h) = rows_fit_hessian(&w, &a, c.clone(), s);
        assert_eq!((value, g), rows_fit_grad(&w, &a, c.clone(), s));
        let (_, exact) = rows_fit_exact(&w);
        for p in 0..2 {
            for q in 0..2 {
                assert!(
                    close(h[(p, q)], exact[p][q], 1e-12),
                    "H[{p},{q}] = {} vs {}",
                    h[(p, q)],
                    exact[p][q]
                );
                let gp = |x: &[f64]| rows_fit_grad(x, &a, c.clone(), s).1[p];
                let fd = common::central(&gp, &w, q);
                assert!(close(h[(p, q)], fd, 1e-7), "H[{p},{q}] vs fd {fd}");
            }
        }
        let v = [0.3, -0.9];
        let (_, _, hv) = rows_fit_hvp(&w, &a, c.clone(), s, v.to_vec());
        for p in 0..2 {
            assert!(close(hv[p], h[(p, 0)] * v[0] + h[(p, 1)] * v[1], 1e-13));
        }
    }
}
