//! Results of calls bound without their type (`let k1 = rhs(y, k);`) of functions with the
//! attribute whose declared result is a collection: read as if the type were written, so the
//! body may index them at a computed index and take references to them. Each against the same
//! function written with the callee inlined, central differences, and JVP against VJP.

#[macro_use]
mod common;

use common::{assert_close, check, close};
use nalgebra::DVector;
use tapeless::differentiable;

/// A pendulum's right-hand side.
#[differentiable]
fn rhs(y: [f64; 2], k: f64) -> [f64; 2] {
    [y[1], -k * y[0].sin()]
}

/// Classical Runge-Kutta through `rhs`, its stages bound without types and read at `k1[i]`.
#[differentiable]
fn rk4(x: &[f64]) -> f64 {
    let (h, k) = (0.05, x[2]);
    let mut y = [x[0], x[1]];
    for _ in 0..20 {
        let k1 = rhs(y, k);
        let k2 = rhs([y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]], k);
        let k3 = rhs([y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]], k);
        let k4 = rhs([y[0] + h * k3[0], y[1] + h * k3[1]], k);
        for i in 0..2 {
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    y[0] * y[1]
}

/// The same with the right-hand side written out in a closure.
#[differentiable]
fn rk4_inline(x: &[f64]) -> f64 {
    let (h, k) = (0.05, x[2]);
    let f = |y: [f64; 2]| [y[1], -k * y[0].sin()];
    let mut y = [x[0], x[1]];
    for _ in 0..20 {
        let k1 = f(y);
        let k2 = f([y[0] + 0.5 * h * k1[0], y[1] + 0.5 * h * k1[1]]);
        let k3 = f([y[0] + 0.5 * h * k2[0], y[1] + 0.5 * h * k2[1]]);
        let k4 = f([y[0] + h * k3[0], y[1] + h * k3[1]]);
        for i in 0..2 {
            y[i] += h / 6.0 * (k1[i] + 2.0 * k2[i] + 2.0 * k3[i] + k4[i]);
        }
    }
    y[0] * y[1]
}

#[differentiable]
fn sines(v: DVector<f64>) -> DVector<f64> {
    v.map(|e| e.sin())
}

#[differentiable]
fn squares(v: &[f64]) -> Vec<f64> {
    v.iter().map(|e| e * e).collect()
}

/// A `DVector` result referenced and a `Vec` result indexed in a loop, both untyped.
#[differentiable]
fn mixed(x: &[f64]) -> f64 {
    let d = DVector::from_column_slice(x);
    let s = sines(d.clone());
    let q = squares(x);
    let mut t = (&s + &d).sum();
    for i in 0..q.len() {
        t += q[i] * s[i];
    }
    t
}

#[test]
fn untyped_results_of_collections() {
    let points: [&[f64]; 3] = [&[1.0, 0.0, 2.0], &[0.3, -0.7, 1.1], &[-0.5, 0.4, 3.0]];
    check(&slice_fns!(rk4, rk4_jvp, rk4_vjp, rk4_grad), &points, 1e-7);
    check(&slice_fns!(mixed, mixed_jvp, mixed_vjp, mixed_grad), &points, 1e-7);
    for x in points {
        let ((value, g), (want_value, want)) = (rk4_grad(x), rk4_inline_grad(x));
        assert!(close(value, want_value, 1e-14), "{value} vs {want_value}");
        assert_close(&g, &want, 1e-12, "rk4 against the closure form");
        // d/dx_i [sin x_i + x_i + x_i² sin x_i].
        let want: Vec<f64> = x.iter().map(|&v| v.cos() + 1.0 + 2.0 * v * v.sin() + v * v * v.cos()).collect();
        assert_close(&mixed_grad(x).1, &want, 1e-13, "mixed gradient");
    }
}

/// A rotation by a fixed angle, as methods with their own attribute on a block without one.
pub struct Turn {
    pub c: f64,
    pub s: f64,
}

impl Turn {
    #[differentiable(wrt(v))]
    pub fn apply(&self, v: &[f64; 2]) -> [f64; 2] {
        [self.c * v[0] - self.s * v[1], self.s * v[0] + self.c * v[1]]
    }

    /// `w_0 w_1 + w_0` of `w = R v`, the method's result bound without its type (until the
    /// forty-sixth session only a method of a block with the attribute was typed).
    #[differentiable(wrt(v))]
    pub fn product(&self, v: &[f64; 2]) -> f64 {
        let w = self.apply(v);
        w[0] * w[1] + w[0]
    }
}

#[test]
fn an_untyped_result_of_a_method_with_its_own_attribute() {
    let t = Turn { c: 0.6, s: 0.8 };
    for v in [[1.0, 2.0], [-0.3, 0.7], [2.5, -1.1]] {
        let (value, g) = t.product_grad(&v);
        let w = t.apply(&v);
        assert!(close(value, w[0] * w[1] + w[0], 1e-15));
        // ∂/∂w = (w_1 + 1, w_0), then through Rᵀ.
        let (a, b) = (w[1] + 1.0, w[0]);
        let want = [t.c * a + t.s * b, -t.s * a + t.c * b];
        assert_close(&g, &want, 1e-14, "product gradient");
        let f = |q: &[f64]| t.product(&[q[0], q[1]]);
        assert_close(&g, &common::central_gradient(f, &v), 1e-8, "product differences");
        let dir = [0.4, -0.9];
        let (_, d) = t.product_jvp(&v, dir);
        common::forward_against_reverse("product", d, &dir, 1.0, &g, 1e-14);
    }
}
