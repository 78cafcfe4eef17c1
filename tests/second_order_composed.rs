//! `#[differentiable(hessian)]` of generic functions, methods, derived structs, constants of
//! every kind and composed calls (split out of `second_order.rs`): each `_hvp` and `_hessian`
//! against an analytic Hessian and central differences of the generated `_grad`.

// The functions are written as users write them.
#![allow(clippy::needless_range_loop, clippy::type_complexity)]

mod common;

use common::second_order::check;
use common::{close, direction};
use nalgebra::DMatrix;
use tapeless::{differentiable, no_grad};

// ---- Generic over `T: Float`: the generated `_grad` itself runs at `Dual<f64>`.

use num_traits::{Float, FloatConst, FromPrimitive};

/// Ackley-like: `-a e^(-b sqrt(mean x²)) - e^(mean cos(2π x)) + a + e`, written as generic
/// numeric crates write it.
#[differentiable(hessian)]
fn ackley<T: Float + FromPrimitive + FloatConst + std::iter::Sum>(x: &[T]) -> T {
    let n = T::from_usize(x.len()).unwrap();
    let (a, b) = (T::from_f64(20.0).unwrap(), T::from_f64(0.2).unwrap());
    let two_pi = T::from_f64(2.0).unwrap() * T::PI();
    let squares = x.iter().map(|&v| v * v).sum::<T>() / n;
    let cosines = x.iter().map(|&v| (two_pi * v).cos()).sum::<T>() / n;
    -a * (-b * squares.sqrt()).exp() - cosines.exp() + a + T::E()
}

#[test]
fn a_generic_function_at_dual_numbers() {
    for x in [vec![0.3, -0.7, 1.1], vec![1.5, 0.25], vec![-0.4, 0.9, 0.2, -1.3]] {
        let n = x.len() as f64;
        // Analytic Hessian: with r = sqrt(mean x²), A(x) = -a e^(-b r) and C(x) = -e^(mean cos 2πx).
        let (a, b, w) = (20.0_f64, 0.2_f64, 2.0 * std::f64::consts::PI);
        let r = (x.iter().map(|v| v * v).sum::<f64>() / n).sqrt();
        let m = x.iter().map(|v| (w * v).cos()).sum::<f64>() / n;
        let ea = a * (-b * r).exp();
        let exact = DMatrix::from_fn(x.len(), x.len(), |i, j| {
            // ∂r/∂x_i = x_i / (n r), ∂²r/∂x_i∂x_j = δ_ij / (n r) - x_i x_j / (n² r³).
            let (ri, rj) = (x[i] / (n * r), x[j] / (n * r));
            let rij = if i == j { 1.0 / (n * r) } else { 0.0 } - x[i] * x[j] / (n * n * r * r * r);
            let ackley_part = ea * b * rij - ea * b * b * ri * rj;
            // ∂m/∂x_i = -w sin(w x_i) / n, ∂²m/∂x_i² = -w² cos(w x_i) / n.
            let (mi, mj) = (-w * (w * x[i]).sin() / n, -w * (w * x[j]).sin() / n);
            let mij = if i == j { -w * w * (w * x[i]).cos() / n } else { 0.0 };
            ackley_part - m.exp() * (mij + mi * mj)
        });
        check(
            "ackley",
            &x,
            &ackley,
            &ackley_grad,
            &ackley_hessian,
            &|p, v| ackley_hvp(p, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}

// ---- A method reading `self` as a constant.

struct Chain {
    k: f64,
    rest: [f64; 2],
}

impl Chain {
    /// Springs between neighbours with rest lengths from `self`, plus a quartic term.
    #[differentiable(hessian, wrt(x))]
    fn energy(&self, x: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..x.len() - 1 {
            let stretch = x[i + 1] - x[i] - self.rest[i % 2];
            e += 0.5 * self.k * stretch * stretch + 0.1 * stretch.powi(4);
        }
        e
    }
}

#[test]
fn a_method_with_a_constant_receiver() {
    let chain = Chain { k: 2.0, rest: [1.0, 0.5] };
    for x in [vec![0.0, 1.2, 1.5], vec![0.3, 1.0, 2.2, 2.4], vec![-0.5, 0.9]] {
        let n = x.len();
        let mut exact = DMatrix::zeros(n, n);
        for i in 0..n - 1 {
            let s: f64 = x[i + 1] - x[i] - chain.rest[i % 2];
            let c = chain.k + 1.2 * s * s;
            exact[(i, i)] += c;
            exact[(i + 1, i + 1)] += c;
            exact[(i, i + 1)] -= c;
            exact[(i + 1, i)] -= c;
        }
        check(
            "chain",
            &x,
            &|p| chain.energy(p),
            &|p| chain.energy_grad(p),
            &|p| chain.energy_hessian(p),
            &|p, v| chain.energy_hvp(p, v.to_vec()),
            &exact,
            1e-6,
        );
    }
}

impl Chain {
    /// One spring's energy, composed by `total` through its `_vjp_for_hessian`.
    #[differentiable(hessian, wrt(s))]
    fn spring(&self, s: f64) -> f64 {
        0.5 * self.k * s * s + 0.1 * s.powi(4)
    }

    #[differentiable(hessian, wrt(x))]
    fn total(&self, x: &[f64]) -> f64 {
        let mut e = 0.0;
        for i in 0..x.len() - 1 {
            e += self.spring(x[i + 1] - x[i] - self.rest[i % 2]);
        }
        e
    }
}

#[test]
fn a_method_composing_a_method() {
    let chain = Chain { k: 2.0, rest: [1.0, 0.5] };
    for x in [vec![0.0, 1.2, 1.5], vec![0.3, 1.0, 2.2, 2.4]] {
        let (value, gradient, h) = chain.total_hessian(&x);
        let (expected_value, expected_gradient, expected) = chain.energy_hessian(&x);
        assert_eq!(value, expected_value);
        assert_eq!(value, chain.total(&x));
        let s = x[1] - x[0] - chain.rest[0];
        assert_eq!(chain.spring_grad(s).0, chain.spring(s));
        for (a, b) in gradient.iter().zip(&expected_gradient) {
            assert!(close(*a, *b, 1e-14));
        }
        for (a, b) in h.iter().zip(expected.iter()) {
            assert!(close(*a, *b, 1e-14), "composed {a} vs inline {b}");
        }
    }
}

// ---- A derived-struct loss: a linear model's parameters in a struct.

#[derive(Clone, Debug, PartialEq, tapeless::Differentiable)]
struct Linear {
    w: Vec<f64>,
    b: f64,
}

/// A smooth regression loss: `Σ log cosh(w·x_r + b - y_r) + 0.05 |w|²`.
#[differentiable(hessian, wrt(p))]
fn linear_loss(p: &Linear, data: &[f64], labels: &[f64]) -> f64 {
    let d = p.w.len();
    let mut loss = 0.0;
    for r in 0..labels.len() {
        let mut z = p.b - labels[r];
        for c in 0..d {
            z += p.w[c] * data[r * d + c];
        }
        loss += z.cosh().ln();
    }
    let mut norm = 0.0;
    for c in 0..d {
        norm += p.w[c] * p.w[c];
    }
    loss + 0.05 * norm
}

#[test]
fn a_derived_struct_loss() {
    let (rows, d) = (7, 3);
    let data: Vec<f64> = direction(rows * d, 21).iter().map(|v| 1.5 * v).collect();
    let labels = direction(rows, 22);
    for salt in [23, 24, 25] {
        let p = Linear { w: direction(d, salt), b: 0.3 * direction(1, salt + 10)[0] };
        // H over (w, b): Σ sech²(z) [x; 1][x; 1]ᵀ + 0.1 on w's diagonal.
        let mut exact = DMatrix::zeros(d + 1, d + 1);
        for r in 0..rows {
            let z: f64 = p.b - labels[r] + (0..d).map(|c| p.w[c] * data[r * d + c]).sum::<f64>();
            let s = 1.0 / z.cosh().powi(2);
            let x: Vec<f64> = (0..d).map(|c| data[r * d + c]).chain([1.0]).collect();
            for i in 0..=d {
                for j in 0..=d {
                    exact[(i, j)] += s * x[i] * x[j];
                }
            }
        }
        for c in 0..d {
            exact[(c, c)] += 0.1;
        }
        let to = |q: &[f64]| Linear { w: q[..d].to_vec(), b: q[d] };
        let flat = |l: &Linear| [l.w.clone(), vec![l.b]].concat();
        let mut point = p.w.clone();
        point.push(p.b);
        check(
            "linear_loss",
            &point,
            &|q| linear_loss(&to(q), &data, &labels),
            &|q| {
                let (v, g) = linear_loss_grad(&to(q), &data, &labels);
                (v, flat(&g))
            },
            &|q| {
                let (v, g, h) = linear_loss_hessian(&to(q), &data, &labels);
                (v, flat(&g), h)
            },
            &|q, v| {
                let (y, g, hv) = linear_loss_hvp(&to(q), &data, &labels, to(v));
                (y, flat(&g), flat(&hv))
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Constants of every kind in a dual copy: a `const` table, `f64::from`, `to_bits`, `f64`
// constants, `sin_cos`, `no_grad`, integer casts.

const TABLE: [f64; 3] = [0.5, 1.5, 2.5];

#[differentiable(hessian)]
fn constants(x: f64, y: f64, n: usize) -> f64 {
    let c = 0.75_f64;
    let bits = c.to_bits() % 7;
    let sgn = -c;
    let (s, co) = y.sin_cos();
    let k = f64::from(3u8) + n as f64 + bits as f64;
    let m = x.mul_add(y, 1.0) + x.exp_m1() + no_grad(y).rem_euclid(2.0);
    let t = TABLE[n % 3] * x.clamp(-1.0, 1.0) + no_grad(x.floor());
    if c.is_finite() && no_grad(x).is_sign_positive() {
        m * k * sgn + s * co + t + f64::EPSILON + f64::max(x, -5.0)
    } else {
        m
    }
}

#[test]
fn constants_of_every_kind() {
    for (x, y) in [(0.4_f64, 0.3_f64), (0.7, -0.9), (0.1, 1.4)] {
        let k = 3.0 + 2.0 + (0.75_f64.to_bits() % 7) as f64;
        let sgn = -0.75;
        // m k sgn + sin(2y)/2 + 2.5 x + max(x, -5) (= x here): H = [[k sgn e^x, k sgn], [k sgn, -2 sin 2y]].
        let exact =
            DMatrix::from_row_slice(2, 2, &[k * sgn * x.exp(), k * sgn, k * sgn, -2.0 * (2.0 * y).sin()]);
        check(
            "constants",
            &[x, y],
            &|p| constants(p[0], p[1], 2),
            &|p| {
                let (v, g) = constants_grad(p[0], p[1], 2);
                (v, vec![g.0, g.1])
            },
            &|p| {
                let (v, g, h) = constants_hessian(p[0], p[1], 2);
                (v, vec![g.0, g.1], h)
            },
            &|p, v| {
                let (r, g, hv) = constants_hvp(p[0], p[1], 2, v[0], v[1]);
                (r, vec![g.0, g.1], vec![hv.0, hv.1])
            },
            &exact,
            1e-6,
        );
    }
}

/// A `const` in the body, an array repeat and a collected `Vec`.
#[differentiable(hessian)]
fn inner_items(x: f64) -> f64 {
    const K: f64 = 2.0;
    let arr = [0.5; 3];
    let v: Vec<f64> = arr.iter().map(|a| a * x).collect();
    K * x.powf(2.5) + v[1] * x + std::f64::consts::PI * x.max(0.0)
}

#[test]
fn items_in_the_body_stay_constants() {
    for x in [0.7_f64, 1.3, 2.2] {
        let exact = DMatrix::from_element(1, 1, 7.5 * x.sqrt() + 1.0);
        check(
            "inner_items",
            &[x],
            &|p| inner_items(p[0]),
            &|p| {
                let (v, g) = inner_items_grad(p[0]);
                (v, vec![g])
            },
            &|p| {
                let (v, g, h) = inner_items_hessian(p[0]);
                (v, vec![g], h)
            },
            &|p, d| {
                let (v, g, hv) = inner_items_hvp(p[0], d[0]);
                (v, vec![g], vec![hv])
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Calls on constants whose arguments are themselves such calls: the dual copy passes the
// inner result (a value of unknown kind, promoted) back as `f64`, and an integer result too.

fn offset(a: f64, b: f64) -> f64 {
    a * b + a.sin()
}

fn count(a: f64) -> usize {
    a as usize + 2
}

fn half(k: usize) -> f64 {
    k as f64 * 0.5
}

#[differentiable(hessian, wrt(x, y))]
fn nested_constant_calls(x: f64, y: f64, n: usize) -> f64 {
    let k = offset(0.1, 0.2).exp();
    let c = if n > 2 { offset(offset(-0.75_f64, -0.25_f64), 0.5) } else { 1.0 };
    x * x * c + x * y * k + y * y * half(count(1.5))
}

#[test]
fn calls_on_constants_nest() {
    let c = offset(offset(-0.75, -0.25), 0.5);
    let k = offset(0.1, 0.2).exp();
    let s = half(count(1.5));
    // c x² + k x y + s y²: H = [[2c, k], [k, 2s]].
    let exact = DMatrix::from_row_slice(2, 2, &[2.0 * c, k, k, 2.0 * s]);
    for (x, y) in [(0.3_f64, -0.4_f64), (1.2, 0.8), (-0.6, 2.0)] {
        let (value, (gx, gy)) = nested_constant_calls_grad(x, y, 3);
        assert!(close(gx, 2.0 * c * x + k * y, 1e-13) && close(gy, k * x + 2.0 * s * y, 1e-13));
        // Forward against reverse along (0.6, -1.1).
        let (jv_value, jv) = nested_constant_calls_jvp(x, y, 3, 0.6, -1.1);
        assert_eq!(jv_value, value);
        assert!(close(jv, 0.6 * gx - 1.1 * gy, 1e-13), "jvp {jv}");
        check(
            "nested_constant_calls",
            &[x, y],
            &|p| nested_constant_calls(p[0], p[1], 3),
            &|p| {
                let (v, g) = nested_constant_calls_grad(p[0], p[1], 3);
                (v, vec![g.0, g.1])
            },
            &|p| {
                let (v, g, h) = nested_constant_calls_hessian(p[0], p[1], 3);
                (v, vec![g.0, g.1], h)
            },
            &|p, d| {
                let (v, g, hv) = nested_constant_calls_hvp(p[0], p[1], 3, d[0], d[1]);
                (v, vec![g.0, g.1], vec![hv.0, hv.1])
            },
            &exact,
            1e-6,
        );
    }
}

// ---- Composed calls whose pullback the reverse sweep makes again (`g(&local)`): the dual copy
// takes the call's value from the callee's dual `_vjp`.

/// `a(w, c) = Σ c_i w_i² + sin w_i`, failing on no data.
#[differentiable(hessian, wrt(w))]
fn borrowed_inner(w: &[f64], c: &[f64]) -> Result<f64, String> {
    if c.is_empty() {
        return Err("no data".to_string());
    }
    Ok(w.iter().zip(c).map(|(a, b)| a * a * b + a.sin()).sum())
}

/// `a(w, 2c) w₀ + a(w, c)`, both calls on borrowed locals.
#[differentiable(hessian, wrt(w))]
fn borrowed_outer(w: &[f64], c: Vec<f64>) -> Result<f64, String> {
    let doubled: Vec<f64> = c.iter().map(|v| v * 2.0).collect();
    let a = borrowed_inner(w, &doubled)?;
    Ok(a * w[0] + borrowed_inner(w, &c)?)
}

/// A scaled sum of `cosh(w_i c_i)`.
struct CoshSum {
    k: f64,
}

impl CoshSum {
    #[differentiable(hessian, wrt(w))]
    fn cosh_sum(&self, w: &[f64], c: &[f64]) -> f64 {
        self.k * w.iter().zip(c).map(|(a, b)| (a * b).cosh()).sum::<f64>()
    }

    /// `E(w) w₁`, the method called on a borrowed parameter.
    #[differentiable(hessian, wrt(w))]
    fn weighted(&self, w: &[f64], c: Vec<f64>) -> f64 {
        self.cosh_sum(w, &c) * w[1]
    }
}

#[test]
fn composed_calls_made_again_in_the_sweep() {
    let c = vec![0.5, 1.5, -0.3];
    // `a`'s value, gradient and diagonal Hessian at weights `c`.
    let parts = |w: &[f64], c: &[f64]| {
        let value: f64 = (0..3).map(|i| c[i] * w[i] * w[i] + w[i].sin()).sum();
        let g: Vec<f64> = (0..3).map(|i| 2.0 * c[i] * w[i] + w[i].cos()).collect();
        let h: Vec<f64> = (0..3).map(|i| 2.0 * c[i] - w[i].sin()).collect();
        (value, g, h)
    };
    for w in [vec![0.2, -0.4, 0.9], vec![1.1, 0.3, -0.6], vec![-0.8, 0.5, 0.1]] {
        let doubled: Vec<f64> = c.iter().map(|v| 2.0 * v).collect();
        let ((a, ga, ha), (_, gb, hb)) = (parts(&w, &doubled), parts(&w, &c));
        // First order: the analytic gradient, and forward against reverse.
        let (_, g) = borrowed_outer_grad(&w, c.clone()).unwrap();
        let v = [0.3, -0.9, 0.5];
        let (_, jv) = borrowed_outer_jvp(&w, c.clone(), v.to_vec()).unwrap();
        let mut gv = 0.0;
        for i in 0..3 {
            let want = ga[i] * w[0] + if i == 0 { a } else { 0.0 } + gb[i];
            assert!(close(g[i], want, 1e-13), "d/dw{i} = {} vs {want}", g[i]);
            gv += g[i] * v[i];
        }
        assert!(close(jv, gv, 1e-13), "<g, v> = {gv} by VJP, {jv} by JVP");
        let mut exact = DMatrix::zeros(3, 3);
        for i in 0..3 {
            exact[(i, i)] += ha[i] * w[0] + hb[i];
            exact[(i, 0)] += ga[i];
            exact[(0, i)] += ga[i];
        }
        check(
            "borrowed_outer",
            &w,
            &|p| borrowed_outer(p, c.clone()).unwrap(),
            &|p| borrowed_outer_grad(p, c.clone()).unwrap(),
            &|p| borrowed_outer_hessian(p, c.clone()).unwrap(),
            &|p, v| borrowed_outer_hvp(p, c.clone(), v.to_vec()).unwrap(),
            &exact,
            1e-6,
        );
        let m = CoshSum { k: 0.7 };
        let e_i: Vec<f64> = (0..3).map(|i| m.k * c[i] * (w[i] * c[i]).sinh()).collect();
        let (_, g) = m.weighted_grad(&w, c.clone());
        let (_, jv) = m.weighted_jvp(&w, c.clone(), v.to_vec());
        let energy: f64 = (0..3).map(|i| m.k * (w[i] * c[i]).cosh()).sum();
        let mut gv = 0.0;
        for i in 0..3 {
            let want = e_i[i] * w[1] + if i == 1 { energy } else { 0.0 };
            assert!(close(g[i], want, 1e-13), "d/dw{i} = {} vs {want}", g[i]);
            gv += g[i] * v[i];
        }
        assert!(close(jv, gv, 1e-13), "<g, v> = {gv} by VJP, {jv} by JVP");
        let mut exact = DMatrix::zeros(3, 3);
        for i in 0..3 {
            exact[(i, i)] += m.k * c[i] * c[i] * (w[i] * c[i]).cosh() * w[1];
            exact[(i, 1)] += e_i[i];
            exact[(1, i)] += e_i[i];
        }
        check(
            "CoshSum::weighted",
            &w,
            &|p| m.weighted(p, c.clone()),
            &|p| m.weighted_grad(p, c.clone()),
            &|p| m.weighted_hessian(p, c.clone()),
            &|p, v| m.weighted_hvp(p, c.clone(), v.to_vec()),
            &exact,
            1e-6,
        );
    }
    assert_eq!(borrowed_outer_hvp(&[0.1, 0.2, 0.3], Vec::new(), vec![1.0; 3]), Err("no data".to_string()));
}
