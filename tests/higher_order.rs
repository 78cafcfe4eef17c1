//! Helpers that take a closure, called with one from a differentiated function: a generic
//! quadrature rule in a module (with an early return and `num_traits` calls of its float type),
//! an RK4 step over a `Vec` state (replaced whole in a loop), a whole integration from a
//! literal initial state, `&dyn Fn` and `impl Fn` parameters,
//! methods that take a closure (on a parameter of their type, and on `self`), Newton's method
//! returning from inside its loop (Kepler's equation, against the implicit derivatives), a helper passing its
//! closure on to two others, a function passed by path, and a Hessian through the rule. Each
//! gradient against central differences of the function or its closed form, JVP against VJP;
//! the Hessian against its closed form and central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient};
use num_traits::Float;
use tapeless::{differentiable, piecewise};

mod quad {
    use num_traits::Float;

    /// The composite trapezoid rule on `n` intervals (zero for none).
    pub fn trapezoid<T: Float, F: Fn(T) -> T>(f: F, a: T, b: T, n: usize) -> T {
        if n == 0 {
            return T::zero();
        }
        let h = (b - a) / T::from(n).unwrap();
        let mut s = (f(a) + f(b)) / (T::one() + T::one());
        for i in 1..n {
            s = s + f(a + T::from(i).unwrap() * h);
        }
        s * h
    }
}

/// One classical Runge-Kutta step of `y' = f(t, y)`.
fn rk4_step<F: Fn(f64, &[f64]) -> Vec<f64>>(f: &F, t: f64, y: &[f64], h: f64) -> Vec<f64> {
    let k1 = f(t, y);
    let y2: Vec<f64> = y.iter().zip(&k1).map(|(a, k)| a + 0.5 * h * k).collect();
    let k2 = f(t + 0.5 * h, &y2);
    let y3: Vec<f64> = y.iter().zip(&k2).map(|(a, k)| a + 0.5 * h * k).collect();
    let k3 = f(t + 0.5 * h, &y3);
    let y4: Vec<f64> = y.iter().zip(&k3).map(|(a, k)| a + h * k).collect();
    let k4 = f(t + h, &y4);
    (0..y.len()).map(|i| y[i] + h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i])).collect()
}

/// A whole integration (Heun's method), the state made from the initial one by `to_vec` and
/// updated in place.
fn integrate<F: Fn(f64, &[f64]) -> Vec<f64>>(f: F, y0: &[f64], h: f64, steps: usize) -> Vec<f64> {
    let mut y = y0.to_vec();
    let mut t = 0.0;
    for _ in 0..steps {
        let k1 = f(t, &y);
        let ahead: Vec<f64> = y.iter().zip(&k1).map(|(a, b)| a + h * b).collect();
        let k2 = f(t + h, &ahead);
        for i in 0..y.len() {
            y[i] += 0.5 * h * (k1[i] + k2[i]);
        }
        t += h;
    }
    y
}

fn apply_twice(f: &dyn Fn(f64) -> f64, x: f64) -> f64 {
    f(f(x))
}

fn sum_over(f: impl Fn(usize) -> f64, n: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..n {
        s += f(i);
    }
    s
}

/// Passes its closure on to two other helpers.
fn twice_and_area<F: Fn(f64) -> f64>(g: F, x: f64) -> f64 {
    apply_twice(&g, x) + quad::trapezoid(&g, 0.0, x, 4)
}

/// Newton's method for `f(x) = 0`, returning from inside its loop once the step is small.
fn newton<F: Fn(f64) -> f64, G: Fn(f64) -> f64>(f: F, df: G, x0: f64) -> f64 {
    let mut x = x0;
    for _ in 0..50 {
        let step = f(x) / df(x);
        x -= step;
        if piecewise(step.abs() < 1e-13) {
            return x;
        }
    }
    x
}

/// Kepler's equation `E - e sin E = M`, solved for `E` by Newton's method.
#[differentiable]
fn eccentric_anomaly(m: f64, e: f64) -> f64 {
    newton(|x| x - e * x.sin() - m, |x| 1.0 - e * x.cos(), m)
}

/// Fills the caller's `Vec` through `&mut` (written as users write it).
#[allow(clippy::needless_range_loop)]
fn fill<F: Fn(usize) -> f64>(f: F, out: &mut [f64]) {
    for i in 0..out.len() {
        out[i] = f(i);
    }
}

/// Adds into the caller's float through `&mut`.
fn add_into<F: Fn(f64) -> f64>(f: F, x: f64, acc: &mut f64) {
    *acc += f(x);
}

/// `Σᵢ k i + sin(2k)`, through two helpers writing into the caller's variables.
#[differentiable]
fn written_through(k: f64) -> f64 {
    let mut v = vec![0.0; 4];
    fill(|i| k * i as f64, &mut v);
    let mut total = 0.0;
    add_into(|t| (k * t).sin(), 2.0, &mut total);
    v.iter().sum::<f64>() + total
}

/// A quadrature rule as a method, reading its settings from `self`.
struct Midpoint {
    n: usize,
}

impl Midpoint {
    fn integrate<F: Fn(f64) -> f64>(&self, f: F, a: f64, b: f64) -> f64 {
        let h = (b - a) / self.n as f64;
        (0..self.n).map(|i| f(a + (i as f64 + 0.5) * h)).sum::<f64>() * h
    }

    /// An associated function: the rule on `[0, 1]` with `n` points.
    fn on_unit<F: Fn(f64) -> f64>(f: F, n: usize) -> f64 {
        let h = 1.0 / n as f64;
        (0..n).map(|i| f((i as f64 + 0.5) * h)).sum::<f64>() * h
    }
}

#[differentiable]
fn unit_area(k: f64) -> f64 {
    Midpoint::on_unit(|t| (k * t).exp(), 10)
}

/// A model whose differentiated method averages through another method that takes a closure.
struct Model {
    n: usize,
    scale: f64,
}

impl Model {
    fn average<F: Fn(f64) -> f64>(&self, f: F) -> f64 {
        let mut s = 0.0;
        for i in 0..self.n {
            s += f(i as f64 / self.n as f64);
        }
        s / self.n as f64 * Self::unit()
    }

    fn unit() -> f64 {
        1.0
    }

    /// `scale · mean sin²(k tᵢ)`.
    #[differentiable(wrt(k))]
    fn energy(&self, k: f64) -> f64 {
        self.scale * self.average(|t| (k * t).sin().powi(2))
    }
}

#[differentiable(wrt(k))]
fn midpoint_area(q: &Midpoint, k: f64) -> f64 {
    q.integrate(|t| (k * t).exp(), 0.0, 1.0)
}

#[differentiable]
fn area(k: f64, b: f64) -> f64 {
    quad::trapezoid(|t| (k * t).exp(), 0.0, b, 8)
}

#[differentiable]
fn area_generic<S: Float>(k: S) -> S {
    quad::trapezoid(|t: S| (k * t).sin(), S::zero(), S::one(), 8)
}

#[differentiable]
fn pendulum(theta0: f64, omega0: f64) -> f64 {
    let g = 9.81;
    let rhs = |_t: f64, y: &[f64]| vec![y[1], -g * y[0].sin()];
    let mut y = vec![theta0, omega0];
    for step in 0..20 {
        y = rk4_step(&rhs, step as f64 * 0.05, &y, 0.05);
    }
    y[0] * y[1]
}

/// A damped oscillator from the initial state `&[1.0, 0.0]`, a literal (the helper's
/// `y0.to_vec()` of it was no array, so `y[i] += ..` was our error until the forty-fifth
/// session).
#[differentiable]
fn damped(k: f64, c: f64) -> f64 {
    let y = integrate(|_t, y| vec![y[1], -k * y[0] - c * y[1]], &[1.0, 0.0], 0.05, 40);
    (y[0] - 0.2).powi(2) + y[1].powi(2)
}

#[differentiable]
fn twice(a: f64, x: f64) -> f64 {
    apply_twice(&|v| a * v.sin(), x)
}

#[differentiable]
fn series(x: &[f64]) -> f64 {
    sum_over(|i| x[i] * x[i] * (i as f64 + 1.0), x.len())
}

#[differentiable]
fn passed_on(c: f64, x: f64) -> f64 {
    twice_and_area(|v| c * v * v, x)
}

/// A local closure passed by name to an `impl Fn` parameter.
#[differentiable]
fn by_name(x: f64) -> f64 {
    let cube = |t: f64| t * t * t * x;
    sum_over(|i| cube(i as f64 + x), 3) + apply_twice(&cube, 0.5)
}

#[differentiable]
fn upper_limit(x: f64) -> f64 {
    quad::trapezoid(f64::cos, 0.0, x, 16)
}

#[differentiable(hessian)]
fn scaled_area(k: f64, b: f64) -> f64 {
    quad::trapezoid(|t| (k * t).exp() * b, 0.0, b, 8)
}

/// Checks a function of two floats: `_grad` against central differences of `f`, and the JVP
/// along a direction against `<g, v>` and against the VJP's pullback.
#[allow(clippy::type_complexity)]
fn check2(
    name: &str,
    f: &dyn Fn(f64, f64) -> f64,
    grad: &dyn Fn(f64, f64) -> (f64, (f64, f64)),
    jvp: &dyn Fn(f64, f64, f64, f64) -> (f64, f64),
    vjp: &dyn Fn(f64, f64, f64) -> (f64, f64),
    points: &[[f64; 2]],
) {
    for p in points {
        let (value, (ga, gb)) = grad(p[0], p[1]);
        assert_eq!(value, f(p[0], p[1]), "{name}: value");
        let fd = central_gradient(|x| f(x[0], x[1]), p);
        assert_close(&[ga, gb], &fd, 1e-8, name);
        let (jv_value, jv) = jvp(p[0], p[1], 0.3, -0.7);
        assert_eq!(jv_value, value);
        assert_close(&[jv], &[0.3 * ga - 0.7 * gb], 1e-12, name);
        let (va, vb) = vjp(p[0], p[1], 1.5);
        assert_close(&[va, vb], &[1.5 * ga, 1.5 * gb], 1e-12, name);
    }
}

#[test]
fn a_generic_rule_in_a_module_with_an_early_return() {
    let points = [[0.5, 1.2], [-0.3, 2.0], [1.1, 0.4]];
    check2(
        "area",
        &area,
        &area_grad,
        &|k, b, dk, db| area_jvp(k, b, dk, db),
        &|k, b, u| area_vjp(k, b).1(u),
        &points,
    );
    for [k, b] in points {
        assert_eq!(area(k, b), quad::trapezoid(|t| (k * t).exp(), 0.0, b, 8));
    }
}

#[test]
fn a_generic_caller_in_f64_and_f32() {
    for k in [1.3, -0.4, 2.2] {
        let (value, g) = area_generic_grad(k);
        assert_eq!(value, area_generic(k));
        // `Σ wᵢ tᵢ cos(k tᵢ) h` on the same grid, by hand.
        let h = 1.0 / 8.0;
        let want: f64 = (0..=8)
            .map(|i| if i == 0 || i == 8 { 0.5 } else { 1.0 } * (i as f64 * h) * (k * i as f64 * h).cos() * h)
            .sum();
        assert_close(&[g], &[want], 1e-12, "area_generic");
        let (_, t) = area_generic_jvp(k, 0.8);
        assert_close(&[t], &[0.8 * g], 1e-12, "area_generic jvp");
        let (value32, g32) = area_generic_grad(k as f32);
        assert!((value32 as f64 - value).abs() < 1e-5 && (g32 as f64 - g).abs() < 1e-4, "f32: {g32} vs {g}");
    }
}

#[test]
fn an_rk4_step_over_a_vec_state() {
    check2(
        "pendulum",
        &pendulum,
        &pendulum_grad,
        &|a, b, da, db| pendulum_jvp(a, b, da, db),
        &|a, b, u| pendulum_vjp(a, b).1(u),
        &[[0.3, 0.1], [1.2, -0.5], [-0.7, 2.0]],
    );
}

#[test]
fn an_integration_from_a_literal_state() {
    check2(
        "damped",
        &damped,
        &damped_grad,
        &|k, c, dk, dc| damped_jvp(k, c, dk, dc),
        &|k, c, u| damped_vjp(k, c).1(u),
        &[[2.0, 0.3], [0.5, 0.1], [4.0, 1.2]],
    );
}

#[test]
fn a_dyn_fn_applied_twice() {
    check2(
        "twice",
        &twice,
        &twice_grad,
        &|a, x, da, dx| twice_jvp(a, x, da, dx),
        &|a, x, u| twice_vjp(a, x).1(u),
        &[[1.5, 0.4], [-0.8, 1.9], [0.3, -2.5]],
    );
    // `a sin(a sin x)`: d/dx = a² cos(a sin x) cos x.
    let (a, x) = (1.5, 0.4);
    let (_, (_, gx)) = twice_grad(a, x);
    assert_close(&[gx], &[a * a * (a * x.sin()).cos() * x.cos()], 1e-13, "twice d/dx");
}

#[test]
fn an_impl_fn_over_indices() {
    for x in [vec![1.0, 2.0, 3.0], vec![-0.5, 0.25, 4.0, 1.5]] {
        let (value, g) = series_grad(&x);
        assert_eq!(value, series(&x));
        let want: Vec<f64> = x.iter().enumerate().map(|(i, v)| 2.0 * (i as f64 + 1.0) * v).collect();
        assert_close(&g, &want, 1e-14, "series");
        let v: Vec<f64> = (0..x.len()).map(|i| 0.5 - i as f64).collect();
        let (_, t) = series_jvp(&x, v.clone());
        let (_, pullback) = series_vjp(&x);
        let u = pullback(2.0);
        let lhs = 2.0 * t;
        let rhs: f64 = u.iter().zip(&v).map(|(a, b)| a * b).sum();
        assert_close(&[lhs], &[rhs], 1e-13, "series forward against reverse");
    }
}

#[test]
fn a_closure_passed_on_to_other_helpers() {
    check2(
        "passed_on",
        &passed_on,
        &passed_on_grad,
        &|c, x, dc, dx| passed_on_jvp(c, x, dc, dx),
        &|c, x, u| passed_on_vjp(c, x).1(u),
        &[[0.7, 1.1], [-1.2, 0.6], [2.0, -0.9]],
    );
}

#[test]
fn a_local_closure_passed_by_name() {
    for x in [0.3, -0.8, 1.4] {
        let (value, g) = by_name_grad(x);
        assert_eq!(value, by_name(x));
        let fd = central_gradient(|p| by_name(p[0]), &[x]);
        assert_close(&[g], &fd, 1e-9, "by_name");
        let (_, t) = by_name_jvp(x, 1.7);
        let (_, pullback) = by_name_vjp(x);
        assert_close(&[t], &[1.7 * g], 1e-13, "by_name jvp");
        assert_close(&[pullback(1.7)], &[1.7 * g], 1e-13, "by_name vjp");
    }
}

#[test]
fn a_function_passed_by_path() {
    for x in [0.9, -1.4, 2.5] {
        let (value, g) = upper_limit_grad(x);
        assert_eq!(value, upper_limit(x));
        let fd = central_gradient(|p| upper_limit(p[0]), &[x]);
        assert_close(&[g], &fd, 1e-9, "upper_limit");
        let (_, t) = upper_limit_jvp(x, -0.6);
        assert_close(&[t], &[-0.6 * g], 1e-13, "upper_limit jvp");
    }
}

#[test]
fn a_hessian_through_the_rule() {
    // `(b²/8) Σ wⱼ exp(k cⱼ b)` with `cⱼ = j/8`, `w₀ = w₈ = 1/2` and 1 between.
    let sums = |k: f64, b: f64, p: i32| -> f64 {
        (0..=8)
            .map(|j| {
                let (w, c) = (if j == 0 || j == 8 { 0.5 } else { 1.0 }, j as f64 / 8.0);
                w * c.powi(p) * (k * c * b).exp()
            })
            .sum()
    };
    for [k, b] in [[0.5, 1.2], [-0.4, 0.7], [1.3, 1.9]] {
        let (s0, s1, s2) = (sums(k, b, 0), sums(k, b, 1), sums(k, b, 2));
        let hkk = b.powi(4) / 8.0 * s2;
        let hkb = 3.0 * b * b / 8.0 * s1 + b.powi(3) / 8.0 * k * s2;
        let hbb = 2.0 / 8.0 * s0 + 4.0 * b / 8.0 * k * s1 + b * b / 8.0 * k * k * s2;
        let (value, (gk, gb), h) = scaled_area_hessian(k, b);
        assert_eq!(value, scaled_area(k, b));
        assert_close(
            &[gk, gb],
            &[b.powi(3) / 8.0 * s1, 2.0 * b / 8.0 * s0 + b * b / 8.0 * k * s1],
            1e-12,
            "gradient",
        );
        assert_close(h.as_slice(), &[hkk, hkb, hkb, hbb], 1e-12, "analytic Hessian");
        let by_grad = |i: usize| {
            central_gradient(
                |p| {
                    let (_, g) = scaled_area_grad(p[0], p[1]);
                    [g.0, g.1][i]
                },
                &[k, b],
            )
        };
        let (row0, row1) = (by_grad(0), by_grad(1));
        assert_close(
            h.as_slice(),
            &[row0[0], row1[0], row0[1], row1[1]],
            1e-8,
            "Hessian against differences of _grad",
        );
    }
}

#[test]
fn methods_that_take_a_closure() {
    let q = Midpoint { n: 10 };
    for k in [0.5, -1.2, 2.0] {
        let (value, g) = midpoint_area_grad(&q, k);
        assert_eq!(value, midpoint_area(&q, k));
        // `Σ h tᵢ exp(k tᵢ)` on the midpoints `tᵢ`.
        let h = 0.1;
        let want: f64 = (0..10).map(|i| (i as f64 + 0.5) * h).map(|t| h * t * (k * t).exp()).sum();
        assert_close(&[g], &[want], 1e-12, "midpoint closed form");
        let (_, t) = midpoint_area_jvp(&q, k, -0.4);
        assert_close(&[t], &[-0.4 * g], 1e-13, "midpoint jvp");
        let (_, pullback) = midpoint_area_vjp(&q, k);
        assert_close(&[pullback(2.5)], &[2.5 * g], 1e-13, "midpoint vjp");
    }
    // The associated function agrees with the method.
    for k in [0.5, -1.2] {
        let (value, g) = unit_area_grad(k);
        assert_eq!(value, unit_area(k));
        let (_, want) = midpoint_area_grad(&q, k);
        assert_close(&[g], &[want], 1e-14, "associated function");
    }
    let m = Model { n: 8, scale: 2.0 };
    for k in [0.7, -0.3, 1.9] {
        let (value, g) = m.energy_grad(k);
        assert_eq!(value, m.energy(k));
        // `scale/n Σ 2 sin(k t) cos(k t) t = scale/n Σ t sin(2 k t)`.
        let want: f64 =
            (0..8).map(|i| i as f64 / 8.0).map(|t| t * (2.0 * k * t).sin()).sum::<f64>() * 2.0 / 8.0;
        assert_close(&[g], &[want], 1e-12, "energy closed form");
        assert_close(&[g], &central_gradient(|p| m.energy(p[0]), &[k]), 1e-8, "energy differences");
        let (_, t) = m.energy_jvp(k, 1.3);
        assert_close(&[t], &[1.3 * g], 1e-13, "energy jvp");
    }
}

#[test]
fn newton_returning_from_its_loop() {
    for (m, e) in [(1.0, 0.3), (2.5, 0.7), (0.2, 0.05)] {
        let (value, (gm, ge)) = eccentric_anomaly_grad(m, e);
        assert_eq!(value, eccentric_anomaly(m, e));
        assert!((value - e * value.sin() - m).abs() < 1e-12, "solves Kepler's equation");
        // The implicit derivatives: `dE/dM = 1 / (1 - e cos E)`, `dE/de = sin E / (1 - e cos E)`.
        let d = 1.0 - e * value.cos();
        assert_close(&[gm, ge], &[1.0 / d, value.sin() / d], 1e-12, "Kepler implicit derivatives");
        let (_, t) = eccentric_anomaly_jvp(m, e, 0.3, -2.0);
        assert_close(&[t], &[0.3 * gm - 2.0 * ge], 1e-12, "Kepler jvp");
        let (_, pullback) = eccentric_anomaly_vjp(m, e);
        let (um, ue) = pullback(-1.5);
        assert_close(&[um, ue], &[-1.5 * gm, -1.5 * ge], 1e-12, "Kepler vjp");
    }
}

#[test]
fn helpers_writing_through_mut_references() {
    for k in [0.7, -1.1, 2.3] {
        let (value, g) = written_through_grad(k);
        assert_eq!(value, written_through(k));
        assert_close(
            &[value, g],
            &[6.0 * k + (2.0 * k).sin(), 6.0 + 2.0 * (2.0 * k).cos()],
            1e-13,
            "written through",
        );
        let (_, t) = written_through_jvp(k, -0.5);
        let (_, pullback) = written_through_vjp(k);
        assert_close(&[t, pullback(-0.5)], &[-0.5 * g, -0.5 * g], 1e-13, "written through, both modes");
    }
}
