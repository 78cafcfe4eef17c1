//! `#[derive(Differentiable)]` structs: as parameters (field reads in both modes, gradient
//! steps) and as results (built from values, returned, composed through field reads).

// Index loops are how numerical code is written.
#![allow(clippy::needless_range_loop)]

mod common;

use tapeless::{Differentiable, Tangent, differentiable};

/// A one-hidden-layer network with parameters in a struct: `y = sum_j v_j tanh(w_j x + b_j) + c`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Net {
    pub w: Vec<f64>,
    pub b: Vec<f64>,
    pub v: Vec<f64>,
    pub c: f64,
}

#[differentiable(wrt(net))]
fn predict(net: &Net, x: f64) -> f64 {
    let mut y = net.c;
    for j in 0..net.w.len() {
        y += net.v[j] * (net.w[j] * x + net.b[j]).tanh();
    }
    y
}

#[differentiable(wrt(net))]
fn loss(net: &Net, xs: &[f64], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for i in 0..xs.len() {
        let mut y = net.c;
        for j in 0..net.w.len() {
            y += net.v[j] * (net.w[j] * xs[i] + net.b[j]).tanh();
        }
        let r = y - ys[i];
        total += r * r;
    }
    total / xs.len() as f64
}

/// A struct with a constant field gets a separate tangent type.
#[derive(Clone, Debug, Differentiable)]
pub struct Scaled {
    pub weights: [f64; 3],
    #[no_grad]
    pub name: String,
}

#[differentiable(wrt(s))]
fn weighted(s: &Scaled, x: &[f64]) -> f64 {
    let mut t = 0.0;
    for i in 0..3 {
        t += s.weights[i] * x[i] * x[i];
    }
    t
}

fn net() -> Net {
    Net { w: vec![0.5, -1.2, 0.8], b: vec![0.1, 0.0, -0.3], v: vec![1.0, 0.7, -0.4], c: 0.2 }
}

/// The parameters as a flat vector and back, for central differences.
fn flat(n: &Net) -> Vec<f64> {
    n.w.iter().chain(&n.b).chain(&n.v).copied().chain([n.c]).collect()
}
fn unflat(p: &[f64]) -> Net {
    Net { w: p[0..3].to_vec(), b: p[3..6].to_vec(), v: p[6..9].to_vec(), c: p[9] }
}

#[test]
fn gradient_of_a_parameter_struct() {
    let (xs, ys) = ([0.1, -0.4, 0.9, 1.5], [0.3, -0.2, 0.5, 0.1]);
    let n = net();
    let (value, g) = loss_grad(&n, &xs, &ys);
    assert_eq!(value, loss(&n, &xs, &ys));
    let f = |p: &[f64]| loss(&unflat(p), &xs, &ys);
    let (p, gp) = (flat(&n), flat(&g));
    for i in 0..p.len() {
        let fd = common::central(&f, &p, i);
        assert!(common::close(gp[i], fd, 1e-9), "d/dp{i}: {} vs {fd}", gp[i]);
    }
    // Forward mode along a direction in parameter space.
    let d = unflat(&common::direction(10, 4));
    let (_, t) = loss_jvp(&n, &xs, &ys, d.clone());
    assert!(common::close(t, g.dot_tangent(&d), 1e-12), "{t} vs {}", g.dot_tangent(&d));
    let (y, dy) = predict_grad(&n, 0.5);
    assert_eq!(y, predict(&n, 0.5));
    assert_eq!(dy.c, 1.0);
}

#[test]
fn gradient_descent_in_one_line() {
    let (xs, ys) = ([0.1, -0.4, 0.9, 1.5], [0.3, -0.2, 0.5, 0.1]);
    let mut params = net();
    let start = loss(&params, &xs, &ys);
    for _ in 0..50 {
        let (_, grad) = loss_grad(&params, &xs, &ys);
        params = params - 0.1 * grad;
    }
    let end = loss(&params, &xs, &ys);
    assert!(end < 0.5 * start, "loss {start} -> {end}");
}

#[test]
fn no_grad_fields_get_a_separate_tangent() {
    let s = Scaled { weights: [1.0, 2.0, 3.0], name: "w".into() };
    let x = [0.5, 1.0, -2.0];
    let (value, g): (f64, ScaledTangent) = weighted_grad(&s, &x);
    assert_eq!(value, weighted(&s, &x));
    assert_eq!(g.weights, [0.25, 1.0, 4.0]);
    let stepped = s.clone() - 0.5 * g.clone();
    assert_eq!(stepped.weights, [0.875, 1.5, 1.0]);
    assert_eq!(stepped.name, "w");
    let (_, t) = weighted_jvp(&s, &x, ScaledTangent { weights: [1.0, 0.0, 1.0] });
    assert_eq!(t, 0.25 + 4.0);
    assert_eq!(s.zero_tangent(), ScaledTangent { weights: [0.0; 3] });
}

/// `&self` of a derived struct, differentiated with `wrt(self, ..)`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Spring {
    pub k: f64,
    pub rest: [f64; 2],
}

impl Spring {
    #[differentiable(wrt(self, x))]
    pub fn energy(&self, x: f64) -> f64 {
        let d = x - self.rest[0] - self.rest[1];
        0.5 * self.k * d * d + self.scale(x)
    }

    #[differentiable(wrt(self, x))]
    pub fn scale(&self, x: f64) -> f64 {
        self.k * x.sin()
    }
}

#[test]
fn a_differentiated_receiver() {
    let s = Spring { k: 3.0, rest: [0.25, 0.5] };
    let x = 1.5;
    let (value, (ds, dx)) = s.energy_grad(x);
    assert_eq!(value, s.energy(x));
    let d = x - 0.75;
    // d/dk = d²/2 + sin x: `self.scale(x)` composes through `scale_vjp`, receiver included.
    assert!((ds.k - (0.5 * d * d + x.sin())).abs() < 1e-14, "{}", ds.k);
    assert_eq!(ds.rest, [-3.0 * d, -3.0 * d]);
    assert!((dx - (3.0 * d + 3.0 * x.cos())).abs() < 1e-14);
    let (_, t) = s.energy_jvp(x, Spring { k: 1.0, rest: [0.0, 1.0] }, 0.5);
    assert!((t - (ds.k + ds.rest[1] + 0.5 * dx)).abs() < 1e-14);
    // Central differences on k.
    let h = 1e-6;
    let up = Spring { k: 3.0 + h, ..s.clone() }.energy(x);
    let down = Spring { k: 3.0 - h, ..s.clone() }.energy(x);
    let fd = (up - down) / (2.0 * h);
    assert!((fd - ds.k).abs() < 1e-8, "{fd} vs {}", ds.k);
}

/// A derived struct whose methods are named like rules (`norm`, `sum`, `sin_cos`): calls
/// on it are the user's methods, composed through their `_jvp`/`_vjp`.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Pair {
    pub a: f64,
    pub b: f64,
}

impl Pair {
    #[differentiable(wrt(self))]
    pub fn norm(&self) -> f64 {
        (self.a * self.a + self.b * self.b).sqrt()
    }

    #[differentiable(wrt(self, x))]
    pub fn sum(&self, x: f64) -> f64 {
        self.norm() * x + self.a
    }

    #[differentiable(wrt(self))]
    pub fn sin_cos(&self) -> f64 {
        self.a.sin() * self.b.cos()
    }
}

#[differentiable(wrt(p))]
fn pair_energy(p: &Pair) -> f64 {
    p.norm() * 2.0 + p.sum(0.5).sin() + p.sin_cos()
}

#[test]
fn methods_named_like_rules_stay_the_users() {
    let p = Pair { a: 0.8, b: -1.4 };
    let f = |q: &[f64]| pair_energy(&Pair { a: q[0], b: q[1] });
    let (value, g) = pair_energy_grad(&p);
    assert_eq!(value, f(&[p.a, p.b]));
    for (i, gi) in [g.a, g.b].iter().enumerate() {
        let fd = common::central(&f, &[p.a, p.b], i);
        assert!(common::close(*gi, fd, 1e-9), "d/dp{i}: {gi} vs {fd}");
    }
    let (_, t) = pair_energy_jvp(&p, Pair { a: 0.3, b: -0.6 });
    assert!(common::close(t, 0.3 * g.a - 0.6 * g.b, 1e-12));
}

/// A struct as a result.
#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Polar {
    pub r: f64,
    pub theta: f64,
}

#[differentiable]
fn to_polar(x: f64, y: f64) -> Polar {
    Polar { r: x.hypot(y), theta: y.atan2(x) }
}

/// A caller reads the fields of the struct a differentiable function returns.
#[differentiable]
fn spiral(x: f64, y: f64) -> f64 {
    let p = to_polar(x, y);
    p.r.ln() * p.theta + (p.theta * 3.0).sin()
}

/// A struct with a `#[no_grad]` field (so its tangent is `FitTangent`), a `DVector`, a `Vec`, and a
/// local struct read by field before the result is built.
#[derive(Clone, Debug, Differentiable)]
pub struct Fit {
    pub coef: nalgebra::DVector<f64>,
    pub scale: f64,
    pub samples: Vec<f64>,
    #[no_grad]
    pub iterations: usize,
}

#[differentiable(wrt(x, s))]
fn fit(x: &nalgebra::DVector<f64>, s: f64, k: usize) -> Fit {
    let scale = x.norm() * s;
    let local = Polar { r: s, theta: scale };
    Fit { coef: x * s, scale, samples: vec![s * s, local.r * local.theta.cos()], iterations: k }
}

#[test]
fn structs_as_results_in_both_modes() {
    let (x, y) = (1.0, 2.0);
    let (p, t) = to_polar_jvp(x, y, 1.0, 0.0);
    assert_eq!(p, to_polar(x, y));
    // d/dx of (hypot, atan2) = (x / r, -y / r²).
    let r2 = x * x + y * y;
    assert!(common::close(t.r, x / r2.sqrt(), 1e-15) && common::close(t.theta, -y / r2, 1e-15));
    let (_, pullback) = to_polar_vjp(x, y);
    let (gx, gy) = pullback(Polar { r: 0.5, theta: -2.0 });
    // <u, J v> = <Jᵀ u, v> along v = (1, 0) and (0, 1).
    let (_, ty) = to_polar_jvp(x, y, 0.0, 1.0);
    assert!(common::close(gx, 0.5 * t.r - 2.0 * t.theta, 1e-15));
    assert!(common::close(gy, 0.5 * ty.r - 2.0 * ty.theta, 1e-15));

    // Composed through field reads: against central differences and forward mode.
    for at in [[1.0, 2.0], [-0.7, 0.4], [2.5, -1.5]] {
        let f = |p: &[f64]| spiral(p[0], p[1]);
        let (value, (gx, gy)) = spiral_grad(at[0], at[1]);
        assert!(common::close(value, f(&at), 0.0));
        for (i, g) in [gx, gy].into_iter().enumerate() {
            let fd = common::central(&f, &at, i);
            assert!(common::close(g, fd, 1e-9), "d/dx{i} at {at:?}: {g} vs {fd}");
        }
        let (_, t) = spiral_jvp(at[0], at[1], 0.3, -0.8);
        assert!(common::close(t, 0.3 * gx - 0.8 * gy, 1e-13));
    }
}

#[test]
fn a_result_struct_with_matrix_array_and_no_grad_fields() {
    let x = nalgebra::DVector::from_vec(vec![1.0, 2.0]);
    let s = 0.5;
    let (f, pullback) = fit_vjp(&x, s, 3);
    assert_eq!(f.iterations, 3);
    assert_eq!(f.coef, &x * s);
    let u = FitTangent {
        coef: nalgebra::DVector::from_vec(vec![1.0, -0.5]),
        scale: 2.0,
        samples: vec![0.3, 1.0],
    };
    let (gx, gs) = pullback(u.clone());
    // <u, J v> = <Jᵀ u, v> with a random direction (dx, ds).
    let (dx, ds) = (nalgebra::DVector::from_vec(vec![0.4, -0.9]), 0.7);
    let (_, t) = fit_jvp(&x, s, 3, dx.clone(), ds);
    assert!(common::close(u.dot_tangent(&t), gx.dot_tangent(&dx) + gs * ds, 1e-13));
    // Each output coordinate against central differences: <u, f(p)> as a scalar function.
    let g = |p: &[f64]| {
        let f = fit(&nalgebra::DVector::from_vec(p[..2].to_vec()), p[2], 3);
        u.coef.dot(&f.coef) + u.scale * f.scale + u.samples[0] * f.samples[0] + u.samples[1] * f.samples[1]
    };
    let p = [1.0, 2.0, 0.5];
    for (i, grad) in [gx[0], gx[1], gs].into_iter().enumerate() {
        let fd = common::central(&g, &p, i);
        assert!(common::close(grad, fd, 1e-9), "d/dp{i}: {grad} vs {fd}");
    }
}

/// A derived struct held in a field of another: `p.inner.c`, `p.inner.w[i]`.
#[derive(Clone, Debug, Differentiable)]
pub struct Inner {
    pub c: f64,
    pub w: Vec<f64>,
}

#[derive(Clone, Debug, Differentiable)]
pub struct Outer {
    pub inner: Inner,
    pub k: f64,
}

#[differentiable(wrt(p))]
fn nested_energy(p: &Outer, x: f64) -> f64 {
    let mut s = p.inner.c * x;
    for i in 0..p.inner.w.len() {
        s += (p.inner.w[i] * p.k).sin();
    }
    s + p.inner.c.powi(2)
}

#[test]
fn fields_of_nested_structs() {
    let p = Outer { inner: Inner { c: 0.5, w: vec![1.0, 2.0, -0.7] }, k: 0.3 };
    let x = 2.0;
    let (value, g) = nested_energy_grad(&p, x);
    assert_eq!(value, nested_energy(&p, x));
    // Analytic: d/dc = x + 2c, d/dw_i = k cos(k w_i), d/dk = Σ w_i cos(k w_i).
    assert!(common::close(g.inner.c, x + 2.0 * p.inner.c, 1e-15));
    for (i, w) in p.inner.w.iter().enumerate() {
        assert!(common::close(g.inner.w[i], p.k * (p.k * w).cos(), 1e-15));
    }
    let dk: f64 = p.inner.w.iter().map(|w| w * (p.k * w).cos()).sum();
    assert!(common::close(g.k, dk, 1e-14));
    let d = Outer { inner: Inner { c: 0.4, w: vec![0.1, -0.3, 0.2] }, k: -0.5 };
    let (_, t) = nested_energy_jvp(&p, x, d.clone());
    assert!(common::close(t, g.dot_tangent(&d), 1e-14));
    // `_grad_into` over a dirty buffer of other lengths gives the same gradient.
    let mut buffer = Outer { inner: Inner { c: 9.0, w: vec![5.0; 7] }, k: 3.0 };
    assert_eq!(nested_energy_grad_into(&p, x, &mut buffer), value);
    assert_eq!((buffer.inner.c, &buffer.inner.w, buffer.k), (g.inner.c, &g.inner.w, g.k));
}

/// Struct patterns: of a copied differentiated parameter and of a constant one.
#[derive(Clone, Copy, Debug, PartialEq, Differentiable)]
pub struct Line {
    pub slope: f64,
    pub offset: f64,
}

#[derive(Clone, Copy)]
pub struct Scale {
    factor: f64,
    #[allow(dead_code)]
    label: u8,
}

#[differentiable(wrt(line))]
fn fit_error(line: &Line, xs: &[f64], ys: &[f64], scale: Scale) -> f64 {
    let Line { slope, offset: b } = *line;
    let Scale { factor, .. } = scale;
    let mut s = 0.0;
    for i in 0..xs.len() {
        s += (slope * xs[i] + b - ys[i]).powi(2);
    }
    s * factor
}

#[test]
fn struct_patterns() {
    let line = Line { slope: 1.5, offset: -0.5 };
    let (xs, ys) = ([0.0, 1.0, 2.0], [0.2, 0.9, 2.8]);
    let scale = Scale { factor: 0.5, label: 0 };
    let (value, g) = fit_error_grad(&line, &xs, &ys, scale);
    // Analytic: with r_i = slope x_i + b - y_i, ∂/∂slope = Σ r_i x_i, ∂/∂b = Σ r_i (factor 1/2).
    let r: Vec<f64> = xs.iter().zip(&ys).map(|(x, y)| 1.5 * x - 0.5 - y).collect();
    assert!(common::close(value, 0.5 * r.iter().map(|r| r * r).sum::<f64>(), 1e-15));
    let want_slope: f64 = r.iter().zip(&xs).map(|(r, x)| r * x).sum();
    assert!(
        common::close(g.slope, want_slope, 1e-15) && common::close(g.offset, r.iter().sum(), 1e-15),
        "{g:?}"
    );
    let d = Line { slope: 0.3, offset: -1.2 };
    let (_, t) = fit_error_jvp(&line, &xs, &ys, scale, d);
    assert!(common::close(t, g.dot_tangent(&d), 1e-14), "{t}");
    let f = |p: &[f64]| fit_error(&Line { slope: p[0], offset: p[1] }, &xs, &ys, scale);
    assert!(common::close(g.slope, common::central(&f, &[1.5, -0.5], 0), 1e-9));
    assert!(common::close(g.offset, common::central(&f, &[1.5, -0.5], 1), 1e-9));
}

// ---- Tuples of floats as parameters: differentiated without `wrt`, their parts read like a
// struct's fields (`_grad_into` of one taken by value zeroed the caller's buffer through a
// reference it did not have: rustc's E0308 inside generated code).

/// `x.0 x.1 k + sin x.0` of a point given as a tuple.
#[differentiable]
fn on_pair(x: (f64, f64), k: f64) -> f64 {
    x.0 * x.1 * k + x.0.sin()
}

/// A tuple behind a reference, and a vector result with its Jacobian.
#[differentiable(jacobian)]
fn from_triple(x: &(f64, f64, f64)) -> [f64; 2] {
    [x.0 * x.1, x.2.exp()]
}

#[test]
fn tuples_of_floats_as_parameters() {
    for (x, k) in [((2.0, 3.0), 0.5), ((-1.0, 0.25), 2.0), ((0.3, -0.7), -1.5)] {
        let (value, ((g0, g1), gk)) = on_pair_grad(x, k);
        assert_eq!(value, on_pair(x, k));
        let want = (x.1 * k + x.0.cos(), x.0 * k, x.0 * x.1);
        assert!(
            common::close(g0, want.0, 1e-15)
                && common::close(g1, want.1, 1e-15)
                && common::close(gk, want.2, 1e-15)
        );
        let f = |p: &[f64]| on_pair((p[0], p[1]), p[2]);
        let at = [x.0, x.1, k];
        for (i, g) in [g0, g1, gk].into_iter().enumerate() {
            assert!(common::close(g, common::central(&f, &at, i), 1e-8), "d/dp{i}");
        }
        // Forward against reverse along (1, -2, 0.5).
        let (_, t) = on_pair_jvp(x, k, (1.0, -2.0), 0.5);
        assert!(common::close(t, g0 - 2.0 * g1 + 0.5 * gk, 1e-14));
        // `_grad_into` writes into the caller's tuple.
        let mut buffer = (9.0, 9.0);
        let into = on_pair_only_grad_into(x, k, &mut buffer);
        assert_eq!((into, buffer), (value, (g0, g1)));
    }
    let x = (2.0, 3.0, 0.4);
    let (y, j) = from_triple_jacobian(&x);
    assert_eq!(y, from_triple(&x));
    let exact = nalgebra::DMatrix::from_row_slice(2, 3, &[x.1, x.0, 0.0, 0.0, 0.0, x.2.exp()]);
    common::check_jacobian(
        "from_triple",
        &j,
        &exact,
        &|q| from_triple(&(q[0], q[1], q[2])).to_vec(),
        &[x.0, x.1, x.2],
    );
    let (_, row) = from_triple_vjp(&x);
    let (a, b, c) = row([0.0, 1.0]);
    assert!(
        common::close(a, j[(1, 0)], 1e-15)
            && common::close(b, j[(1, 1)], 1e-15)
            && common::close(c, j[(1, 2)], 1e-15)
    );
}

/// Only the pair differentiated, so that `_grad_into` takes the tuple's buffer.
#[differentiable(wrt(x))]
fn on_pair_only(x: (f64, f64), k: f64) -> f64 {
    x.0 * x.1 * k + x.0.sin()
}

// ---- A vector field read whole and by index: both reads' adjoints count.

#[derive(Clone, Debug, PartialEq, Differentiable)]
pub struct Body {
    pub a: f64,
    pub v: nalgebra::Vector3<f64>,
}

/// `a² + |v|² + v₁ a`: `p.v` is read whole (`norm_squared`) and by index (`p.v[1]`). The second
/// read's field adjoint used to replace the first's instead of adding to it: `∂/∂v₁` came out
/// `2 v₁` instead of `2 v₁ + a`, a wrong gradient without any error.
#[differentiable(hessian, wrt(p))]
fn body_energy(p: &Body, k: f64) -> f64 {
    p.a * p.a + p.v.norm_squared() * k + p.v[1] * p.a
}

#[test]
fn a_field_read_whole_and_by_index_sums_both_adjoints() {
    for (a, v, k) in
        [(2.0, [1.0, 2.0, 3.0], 1.0), (-0.5, [0.3, -1.2, 0.8], 2.5), (1.5, [0.0, 0.4, -2.0], 0.5)]
    {
        let p = Body { a, v: nalgebra::Vector3::from(v) };
        let (value, g) = body_energy_grad(&p, k);
        assert_eq!(value, body_energy(&p, k));
        let want_a = 2.0 * a + v[1];
        let want_v = [2.0 * k * v[0], 2.0 * k * v[1] + a, 2.0 * k * v[2]];
        assert!(common::close(g.a, want_a, 1e-15), "d/da {} vs {want_a}", g.a);
        for i in 0..3 {
            assert!(common::close(g.v[i], want_v[i], 1e-15), "d/dv{i} {} vs {}", g.v[i], want_v[i]);
        }
        let f = |q: &[f64]| body_energy(&Body { a: q[0], v: nalgebra::Vector3::new(q[1], q[2], q[3]) }, k);
        let at = [a, v[0], v[1], v[2]];
        let flat = [g.a, g.v[0], g.v[1], g.v[2]];
        for (i, gi) in flat.iter().enumerate() {
            assert!(
                common::close(*gi, common::central(&f, &at, i), 1e-8),
                "d/dp{i} against central differences"
            );
        }
        // Forward against reverse, and `_grad_into` into a buffer that held something else.
        let dir = Body { a: 0.3, v: nalgebra::Vector3::new(-1.0, 0.5, 2.0) };
        let (_, t) = body_energy_jvp(&p, k, dir.clone());
        let dot = g.a * dir.a + g.v.dot(&dir.v);
        assert!(common::close(t, dot, 1e-14), "jvp {t} vs <g, d> {dot}");
        let mut buffer = Body { a: 7.0, v: nalgebra::Vector3::new(9.0, 9.0, 9.0) };
        assert_eq!(body_energy_grad_into(&p, k, &mut buffer), value);
        assert_eq!(buffer, g);
        // Second order: the Hessian in (a, v₀, v₁, v₂) is [[2, 0, 1, 0], [0, 2k, 0, 0],
        // [1, 0, 2k, 0], [0, 0, 0, 2k]].
        let (_, _, h) = body_energy_hessian(&p, k);
        let exact = [
            [2.0, 0.0, 1.0, 0.0],
            [0.0, 2.0 * k, 0.0, 0.0],
            [1.0, 0.0, 2.0 * k, 0.0],
            [0.0, 0.0, 0.0, 2.0 * k],
        ];
        let grad_at = |q: &[f64]| {
            let (_, g) = body_energy_grad(&Body { a: q[0], v: nalgebra::Vector3::new(q[1], q[2], q[3]) }, k);
            [g.a, g.v[0], g.v[1], g.v[2]]
        };
        for c in 0..4 {
            let (mut up, mut down) = (at, at);
            up[c] += 1e-6;
            down[c] -= 1e-6;
            let (gu, gd) = (grad_at(&up), grad_at(&down));
            for r in 0..4 {
                assert!(common::close(h[(r, c)], exact[r][c], 1e-14), "H[{r},{c}] = {}", h[(r, c)]);
                assert!(common::close(h[(r, c)], (gu[r] - gd[r]) / 2e-6, 1e-7), "H[{r},{c}] against _grad");
            }
        }
    }
}

/// A struct built in the body whose vector field is read by index and whole: `x² y + |(x, y)| +
/// x y`. Its pullback moved the struct in while holding a borrow of its field (rustc's E0505
/// inside generated code); the borrow is now made again inside the pullback.
#[differentiable]
fn built_and_indexed(x: f64, y: f64) -> f64 {
    let s = Body { a: x * y, v: nalgebra::Vector3::new(x, y, 0.0) };
    s.a * s.v[0] + s.v.norm() + s.a
}

#[test]
fn a_vector_field_of_a_struct_built_in_the_body() {
    for (x, y) in [(0.5_f64, 2.0_f64), (-1.5, 0.3), (2.0, -0.7)] {
        let r = (x * x + y * y).sqrt();
        let (value, (gx, gy)) = built_and_indexed_grad(x, y);
        assert!(common::close(value, x * x * y + r + x * y, 1e-15));
        let want = (2.0 * x * y + x / r + y, x * x + y / r + x);
        assert!(
            common::close(gx, want.0, 1e-14) && common::close(gy, want.1, 1e-14),
            "({gx}, {gy}) vs {want:?}"
        );
        let f = |p: &[f64]| built_and_indexed(p[0], p[1]);
        assert!(common::close(gx, common::central(&f, &[x, y], 0), 1e-8));
        assert!(common::close(gy, common::central(&f, &[x, y], 1), 1e-8));
        let (_, pullback) = built_and_indexed_vjp(x, y);
        assert_eq!(pullback(1.0), (gx, gy));
        let (_, t) = built_and_indexed_jvp(x, y, 0.5, -2.0);
        assert!(common::close(t, 0.5 * gx - 2.0 * gy, 1e-14));
    }
}
