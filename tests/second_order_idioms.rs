//! Second order of code written as published crates write it, where the dual copy of `_grad`
//! was rustc's error inside generated code until the fortieth session: a `let total: f64 =
//! exps.iter().sum();` of a local `Vec` (the copy could not infer the sum's type), a float bound
//! by reference in a `match` on a constant enum (`Kernel::Gaussian { width } =>`: `width` is a
//! `&f64`), and a `match` on a constant `Result` (`binary_search_by`). And helpers generic over
//! `num_traits::Float` (one with a const length) called from a concrete `hessian` function,
//! whose `_vjp_for_hessian` did not exist until the forty-fifth session (rustc's "cannot find
//! function"), and generic functions with data parameters of primitive types (`t: f64`,
//! `n: usize`) outside `wrt(..)`, which `_hessian` lifted to dual numbers (rustc's mismatch
//! inside generated code) until the same session. Since the forty-sixth session, nalgebra's
//! statistics (`mean`, `max`, `amax`, `variance`) and a method generic over its `impl` block's
//! float (`impl<T: Float> Banana<T>`), both our error before. Each `_hessian` against its closed
//! form and central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use nalgebra::DVector;
use num_traits::Float;
use tapeless::differentiable;

/// Cross-entropy of a softmax, the probabilities summed through a typed `let`.
#[differentiable(hessian, wrt(logits))]
fn softmax_cross_entropy(logits: &[f64], label: usize) -> f64 {
    let max = logits.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let exps: Vec<f64> = logits.iter().map(|&l| (l - max).exp()).collect();
    let total: f64 = exps.iter().sum();
    -(exps[label] / total).ln()
}

pub enum Kernel {
    Gaussian { width: f64 },
    Linear,
}

/// A kernel chosen by a constant enum whose variant holds a float.
#[differentiable(hessian, wrt(x))]
fn kernel(x: f64, k: &Kernel) -> f64 {
    match k {
        Kernel::Gaussian { width } => (-x * x / (2.0 * width * width)).exp(),
        Kernel::Linear => x,
    }
}

/// The square of a piecewise-linear interpolation, its segment found by a binary search on
/// constant knots.
#[differentiable(hessian, wrt(values))]
fn interpolated_square(knots: &[f64], values: &[f64], t: f64) -> f64 {
    let i = match knots.binary_search_by(|k| k.total_cmp(&t)) {
        Ok(i) => i.min(knots.len() - 2),
        Err(i) => i.saturating_sub(1).min(knots.len() - 2),
    };
    let s = (t - knots[i]) / (knots[i + 1] - knots[i]);
    let v = values[i] * (1.0 - s) + values[i + 1] * s;
    v * v
}

#[test]
fn a_typed_sum_of_a_local_vec() {
    let logits = [0.3, -1.2, 0.8, 0.1];
    for label in [0, 2] {
        let (value, g, h) = softmax_cross_entropy_hessian(&logits, label);
        let z: f64 = logits.iter().map(|l| l.exp()).sum();
        let p: Vec<f64> = logits.iter().map(|l| l.exp() / z).collect();
        assert!((value - (-p[label].ln())).abs() < 1e-14);
        // ∇ = p - e_label, H = diag(p) - p pᵀ.
        let want: Vec<f64> = (0..4).map(|i| p[i] - if i == label { 1.0 } else { 0.0 }).collect();
        assert_close(&g, &want, 1e-14, "softmax gradient");
        let f = |x: &[f64]| softmax_cross_entropy(x, label);
        assert_close(&g, &central_gradient(f, &logits), 1e-8, "softmax differences");
        let dir = [0.4, -1.0, 0.3, 0.8];
        let (_, t) = softmax_cross_entropy_jvp(&logits, label, dir.to_vec());
        forward_against_reverse("softmax_cross_entropy", t, &dir, 1.0, &g, 1e-14);
        let closed = |i: usize, j: usize| if i == j { p[i] - p[i] * p[i] } else { -p[i] * p[j] };
        let grad = |x: &[f64]| softmax_cross_entropy_grad(x, label).1;
        hessian_against("softmax_cross_entropy", &h, &closed, &grad, &logits, 1e-12);
    }
}

#[test]
fn a_float_bound_by_reference_in_a_constant_enum() {
    let gaussian = Kernel::Gaussian { width: 0.7 };
    for x in [0.3, -1.1, 2.0] {
        let (value, g, h) = kernel_hessian(x, &gaussian);
        let w2 = 0.49;
        let f = (-x * x / (2.0 * w2)).exp();
        assert!((value - f).abs() < 1e-15);
        assert_close(&[g], &[-x / w2 * f], 1e-14, "kernel gradient");
        assert_close(&[g], &central_gradient(|y| kernel(y[0], &gaussian), &[x]), 1e-8, "kernel differences");
        let (_, t) = kernel_jvp(x, &gaussian, 0.7);
        forward_against_reverse("kernel", t, &[0.7], 1.0, &[g], 1e-14);
        let closed = |_: usize, _: usize| f * (x * x / (w2 * w2) - 1.0 / w2);
        let grad = |y: &[f64]| vec![kernel_grad(y[0], &gaussian).1];
        hessian_against("kernel", &h, &closed, &grad, &[x], 1e-13);
        let (_, _, h) = kernel_hessian(x, &Kernel::Linear);
        assert_eq!(h[(0, 0)], 0.0);
    }
}

#[test]
fn a_match_on_a_constant_result() {
    let knots = [0.0, 1.0, 2.5, 3.0];
    let values = [1.0, 2.0, 0.5, 3.0];
    for t in [0.4, 1.0, 2.8] {
        let (value, g, h) = interpolated_square_hessian(&knots, &values, t);
        // v = w · values with w nonzero on one segment: ∇ = 2 v w, H = 2 w wᵀ.
        let i = knots.windows(2).position(|k| t >= k[0] && t < k[1]).unwrap_or(knots.len() - 2);
        let s = (t - knots[i]) / (knots[i + 1] - knots[i]);
        let mut w = [0.0; 4];
        w[i] = 1.0 - s;
        w[i + 1] = s;
        let v: f64 = w.iter().zip(&values).map(|(a, b)| a * b).sum();
        assert!((value - v * v).abs() < 1e-14);
        assert_close(&g, &w.map(|wi| 2.0 * v * wi), 1e-14, "interpolation gradient");
        let f = |x: &[f64]| interpolated_square(&knots, x, t);
        assert_close(&g, &central_gradient(f, &values), 1e-8, "interpolation differences");
        let dir = [0.5, -0.3, 1.2, 0.7];
        let (_, d) = interpolated_square_jvp(&knots, &values, t, dir.to_vec());
        forward_against_reverse("interpolated_square", d, &dir, 1.0, &g, 1e-14);
        let closed = |a: usize, b: usize| 2.0 * w[a] * w[b];
        let grad = |x: &[f64]| interpolated_square_grad(&knots, x, t).1;
        hessian_against("interpolated_square", &h, &closed, &grad, &values, 1e-14);
    }
}

#[differentiable(hessian)]
fn squared_norm<T: Float>(p: &[T]) -> T {
    p.iter().fold(T::zero(), |s, &v| s + v * v)
}

#[differentiable(hessian)]
fn scaled_sum<T: Float, const N: usize>(p: &[T; N], s: T) -> T {
    p.iter().fold(T::zero(), |a, &v| a + v * s)
}

/// `x_0 Σ x_i² + x_0 (x_1 + x_2)`, through the two generic helpers.
#[differentiable(hessian)]
fn through_generic_helpers(x: &[f64]) -> f64 {
    squared_norm(x) * x[0] + scaled_sum(&[x[1], x[2]], x[0])
}

#[test]
fn generic_helpers_called_from_a_concrete_hessian() {
    for x in [[0.3, 1.2, -0.7, 2.0], [-1.0, 0.5, 0.25, 0.1], [2.0, -0.3, 0.8, -1.5]] {
        let (value, g, h) = through_generic_helpers_hessian(&x);
        let norm: f64 = x.iter().map(|v| v * v).sum();
        assert!((value - (x[0] * norm + x[0] * (x[1] + x[2]))).abs() < 1e-14);
        let mut want = [0.0; 4];
        want[0] = norm + 2.0 * x[0] * x[0] + x[1] + x[2];
        for i in 1..4 {
            want[i] = 2.0 * x[0] * x[i] + if i < 3 { x[0] } else { 0.0 };
        }
        assert_close(&g, &want, 1e-13, "generic helpers gradient");
        let f = |y: &[f64]| through_generic_helpers(y);
        assert_close(&g, &central_gradient(f, &x), 1e-8, "generic helpers differences");
        let dir = [0.5, -0.3, 1.2, 0.7];
        let (_, d) = through_generic_helpers_jvp(&x, dir.to_vec());
        forward_against_reverse("through_generic_helpers", d, &dir, 1.0, &g, 1e-13);
        let closed = |i: usize, j: usize| match (i.min(j), i.max(j)) {
            (0, 0) => 6.0 * x[0],
            (0, k) => 2.0 * x[k] + if k < 3 { 1.0 } else { 0.0 },
            (a, b) if a == b => 2.0 * x[0],
            _ => 0.0,
        };
        let grad = |y: &[f64]| through_generic_helpers_grad(y).1;
        hessian_against("through_generic_helpers", &h, &closed, &grad, &x, 1e-13);
    }
}

/// `p_0 p_1 t + n p_1`, `t` and `n` data of primitive types.
#[differentiable(hessian, wrt(p))]
fn with_data<T: Float>(p: &[T], t: f64, n: usize) -> T {
    p[0] * p[1] * T::from(t).unwrap() + T::from(n).unwrap() * p[1]
}

#[test]
fn a_generic_function_with_data_of_primitive_types() {
    for (p, t, n) in [([1.0, 2.0], 0.5, 3), ([-0.4, 0.9], 2.5, 0), ([3.0, -1.5], -1.0, 7)] {
        let (value, g, h) = with_data_hessian(&p, t, n);
        assert!((value - (p[0] * p[1] * t + n as f64 * p[1])).abs() < 1e-14);
        assert_close(&g, &[p[1] * t, p[0] * t + n as f64], 1e-14, "with_data gradient");
        let f = |q: &[f64]| with_data(q, t, n);
        assert_close(&g, &central_gradient(f, &p), 1e-8, "with_data differences");
        let dir = [0.5, -0.3];
        let (_, d) = with_data_jvp(&p, t, n, dir.to_vec());
        forward_against_reverse("with_data", d, &dir, 1.0, &g, 1e-14);
        let closed = |i: usize, j: usize| if i == j { 0.0 } else { t };
        let grad = |q: &[f64]| with_data_grad(q, t, n).1;
        hessian_against("with_data", &h, &closed, &grad, &p, 1e-14);
        let (_, _, hv) = with_data_hvp(&p, t, n, dir.to_vec());
        assert_close(&hv, &[t * dir[1], t * dir[0]], 1e-14, "with_data hvp");
    }
}

/// nalgebra's statistics of a differentiated vector: `mean`, `amax`, `max`, `min`, `variance`
/// (the dual copy calls the runtime's dual versions since the forty-sixth session: nalgebra's
/// need bounds the dual number does not meet, so they were our error before).
#[differentiable(hessian)]
fn statistics(v: &nalgebra::DVector<f64>) -> f64 {
    v.mean() * v.amax() + v.max() * v.min() + v.variance()
}

/// `amin` of a static vector, squared, plus its mean.
#[differentiable(hessian)]
fn smallest(v: &nalgebra::Vector3<f64>) -> f64 {
    v.amin().powi(2) + v.mean()
}

#[test]
fn nalgebra_statistics_under_second_order() {
    for x in [[0.3, -1.2, 0.7, 2.0], [-1.0, 0.5, 0.25, 0.1], [2.0, -0.3, 0.8, -2.5]] {
        let v = nalgebra::DVector::from_row_slice(&x);
        let n = x.len() as f64;
        let (value, g, h) = statistics_hessian(&v);
        assert!((value - statistics(&v)).abs() < 1e-14);
        let index =
            |key: &dyn Fn(f64) -> f64| (0..x.len()).max_by(|&a, &b| key(x[a]).total_cmp(&key(x[b]))).unwrap();
        let (a, top, bottom) = (index(&|e: f64| e.abs()), index(&|e| e), index(&|e| -e));
        let (mean, amax, sign) = (v.mean(), x[a].abs(), x[a].signum());
        let mut want: Vec<f64> = x.iter().map(|e| amax / n + 2.0 * (e - mean) / n).collect();
        want[a] += mean * sign;
        want[top] += x[bottom];
        want[bottom] += x[top];
        assert_close(g.as_slice(), &want, 1e-13, "statistics gradient");
        let f = |y: &[f64]| statistics(&nalgebra::DVector::from_row_slice(y));
        assert_close(g.as_slice(), &central_gradient(f, &x), 1e-8, "statistics differences");
        let dir = [0.5, -0.3, 1.2, 0.7];
        let (_, d) = statistics_jvp(&v, nalgebra::DVector::from_row_slice(&dir));
        forward_against_reverse("statistics", d, &dir, 1.0, g.as_slice(), 1e-13);
        let is = |i: usize, k: usize| if i == k { 1.0 } else { 0.0 };
        let closed = |i: usize, j: usize| {
            sign / n * (is(j, a) + is(i, a))
                + is(i, top) * is(j, bottom)
                + is(i, bottom) * is(j, top)
                + 2.0 / n * (is(i, j) - 1.0 / n)
        };
        let grad = |y: &[f64]| statistics_grad(&nalgebra::DVector::from_row_slice(y)).1.as_slice().to_vec();
        hessian_against("statistics", &h, &closed, &grad, &x, 1e-13);
    }
    for x in [[0.3, -1.2, 0.7], [-1.0, 0.5, 0.25], [2.0, -0.3, 0.8]] {
        let v = nalgebra::Vector3::from_row_slice(&x);
        let (_, g, h) = smallest_hessian(&v);
        let k = (0..3).min_by(|&a, &b| x[a].abs().total_cmp(&x[b].abs())).unwrap();
        let mut want = [1.0 / 3.0; 3];
        want[k] += 2.0 * x[k];
        assert_close(g.as_slice(), &want, 1e-13, "smallest gradient");
        let f = |y: &[f64]| smallest(&nalgebra::Vector3::from_row_slice(y));
        assert_close(g.as_slice(), &central_gradient(f, &x), 1e-8, "smallest differences");
        let dir = [0.5, -0.3, 1.2];
        let (_, d) = smallest_jvp(&v, nalgebra::Vector3::from_row_slice(&dir));
        forward_against_reverse("smallest", d, &dir, 1.0, g.as_slice(), 1e-13);
        let closed = |i: usize, j: usize| if i == k && j == k { 2.0 } else { 0.0 };
        let grad = |y: &[f64]| smallest_grad(&nalgebra::Vector3::from_row_slice(y)).1.as_slice().to_vec();
        hessian_against("smallest", &h, &closed, &grad, &x, 1e-13);
    }
}

/// A problem generic over its float, as argmin-style code writes one: the struct's parameter
/// named apart from the block's, a `Vec` of it, a count and a flag beside.
pub struct Banana<F> {
    pub a: F,
    pub b: F,
    pub weights: Vec<F>,
    pub shift: usize,
    pub scaled: bool,
}

#[differentiable(hessian, wrt(x))]
impl<T: Float> Banana<T> {
    fn term(&self, x: &[T], i: usize) -> T {
        self.b * (x[i + 1] - x[i] * x[i]).powi(2) + (self.a - x[i]).powi(2)
    }

    /// `Σ wᵢ (b (xᵢ₊₁ - xᵢ²)² + (a - xᵢ)²)`, times 2 if `scaled`.
    pub fn cost(&self, x: &[T]) -> T {
        let mut s = T::zero();
        for i in self.shift..x.len() - 1 {
            s = s + self.weights[i] * self.term(x, i);
        }
        if self.scaled { s + s } else { s }
    }
}

#[test]
fn a_method_generic_over_its_blocks_float() {
    for (x, scaled) in
        [([0.3, -0.5, 0.9, 1.2], false), ([1.0, 1.0, 1.0, 1.0], true), ([-1.2, 0.4, 2.0, -0.7], true)]
    {
        let p = Banana { a: 1.0, b: 10.0, weights: vec![0.5, 2.0, 1.5], shift: 0, scaled };
        let k = if scaled { 2.0 } else { 1.0 };
        let (value, g, h) = p.cost_hessian(&x);
        assert!((value - p.cost(&x)).abs() < 1e-13);
        let mut want = [0.0; 4];
        for i in 0..3 {
            let (w, r) = (k * p.weights[i], x[i + 1] - x[i] * x[i]);
            want[i] += w * (-4.0 * p.b * r * x[i] - 2.0 * (p.a - x[i]));
            want[i + 1] += w * 2.0 * p.b * r;
        }
        assert_close(&g, &want, 1e-13, "banana gradient");
        assert_close(&g, &central_gradient(|y| p.cost(y), &x), 1e-7, "banana differences");
        let dir = [0.5, -0.3, 1.2, 0.7];
        let (_, d) = p.cost_jvp(&x, dir.to_vec());
        forward_against_reverse("banana", d, &dir, 1.0, &g, 1e-13);
        let closed = |i: usize, j: usize| {
            let mut sum = 0.0;
            for t in 0..3 {
                let w = k * p.weights[t];
                sum += w * match (i.min(j), i.max(j)) {
                    (a, b) if a == t && b == t => 12.0 * p.b * x[t] * x[t] - 4.0 * p.b * x[t + 1] + 2.0,
                    (a, b) if a == t && b == t + 1 => -4.0 * p.b * x[t],
                    (a, b) if a == t + 1 && b == t + 1 => 2.0 * p.b,
                    _ => 0.0,
                };
            }
            sum
        };
        let grad = |y: &[f64]| p.cost_grad(y).1;
        hessian_against("banana", &h, &closed, &grad, &x, 1e-12);
        let (_, _, hv) = p.cost_hvp(&x, dir.to_vec());
        let want_hv: Vec<f64> = (0..4).map(|i| (0..4).map(|j| closed(i, j) * dir[j]).sum()).collect();
        assert_close(&hv, &want_hv, 1e-12, "banana hvp");
    }
}

/// A model generic over nalgebra's `RealField`, whose methods' `_grad` is copied at dual numbers
/// into a block for `Fit<f64>` (forty-sixth session; it was our error).
pub struct Fit<T> {
    pub ridge: T,
    pub xs: Vec<T>,
    pub n: usize,
}

#[differentiable(hessian)]
impl<T: nalgebra::RealField + Copy> Fit<T> {
    /// `½ Σᵢ (p_x xᵢ - p_y)² + ridge |p|²`.
    #[differentiable(hessian, wrt(p))]
    pub fn loss(&self, p: &nalgebra::Vector2<T>) -> T {
        let half: T = nalgebra::convert(0.5);
        let mut s = T::zero();
        for i in 0..self.n {
            s += half * (p.x * self.xs[i] - p.y).powi(2);
        }
        s + self.ridge * p.norm_squared()
    }
}

#[test]
fn a_method_generic_over_its_blocks_real_field() {
    let fit = Fit { ridge: 0.25, xs: vec![0.5, -1.0, 2.0], n: 3 };
    let (sx, sxx, n) = (1.5, 0.25 + 1.0 + 4.0, 3.0);
    for p in [[0.3, -0.4], [1.0, 2.0], [-2.0, 0.7]] {
        let v = nalgebra::Vector2::new(p[0], p[1]);
        let (value, g, h) = fit.loss_hessian(&v);
        assert!((value - fit.loss(&v)).abs() < 1e-13);
        let r: Vec<f64> = fit.xs.iter().map(|x| p[0] * x - p[1]).collect();
        let want = [
            r.iter().zip(&fit.xs).map(|(r, x)| r * x).sum::<f64>() + 2.0 * fit.ridge * p[0],
            -r.iter().sum::<f64>() + 2.0 * fit.ridge * p[1],
        ];
        assert_close(g.as_slice(), &want, 1e-13, "fit gradient");
        let f = |q: &[f64]| fit.loss(&nalgebra::Vector2::new(q[0], q[1]));
        assert_close(g.as_slice(), &central_gradient(f, &p), 1e-8, "fit differences");
        let dir = [0.5, -0.3];
        let (_, d) = fit.loss_jvp(&v, nalgebra::Vector2::new(dir[0], dir[1]));
        forward_against_reverse("fit", d, &dir, 1.0, g.as_slice(), 1e-13);
        let closed = |i: usize, j: usize| match (i, j) {
            (0, 0) => sxx + 2.0 * fit.ridge,
            (1, 1) => n + 2.0 * fit.ridge,
            _ => -sx,
        };
        let grad = |q: &[f64]| fit.loss_grad(&nalgebra::Vector2::new(q[0], q[1])).1.as_slice().to_vec();
        hessian_against("fit", &h, &closed, &grad, &p, 1e-13);
    }
}

/// Associated functions (no `self`) with `hessian`, of a concrete block and of a generic one:
/// the first's `_hvp` called its dual copy without `Self::` (rustc's "cannot find function"
/// inside generated code until the forty-sixth session), the second was our error. The third,
/// with its own attribute in a block without one, did so until the forty-seventh (the prescan
/// tells it is in a block).
pub struct Tools;

impl Tools {
    /// `x⁴ + x y²`.
    #[differentiable(hessian)]
    pub fn mixed(x: f64, y: f64) -> f64 {
        x * x * x * x + x * y * y
    }
}

#[differentiable(hessian)]
impl Tools {
    /// `Σ xᵢ⁴`.
    pub fn quartic(x: &[f64]) -> f64 {
        x.iter().map(|v| v.powi(4)).sum()
    }
}

pub struct Cubes<T> {
    pub unused: T,
}

#[differentiable(hessian)]
impl<T: Float> Cubes<T> {
    /// `Σ xᵢ³`.
    pub fn total(x: &[T]) -> T {
        x.iter().fold(T::zero(), |s, &v| s + v * v * v)
    }
}

#[test]
fn associated_functions_under_second_order() {
    for x in [[0.3, -1.2, 2.5], [1.0, 0.5, -0.25], [-2.0, 0.7, 1.1]] {
        let (value, g, h) = Tools::quartic_hessian(&x);
        assert!((value - Tools::quartic(&x)).abs() < 1e-13);
        let want: Vec<f64> = x.iter().map(|v| 4.0 * v.powi(3)).collect();
        assert_close(&g, &want, 1e-13, "quartic gradient");
        assert_close(&g, &central_gradient(Tools::quartic, &x), 1e-7, "quartic differences");
        let dir = [0.5, -0.3, 1.2];
        let (_, d) = Tools::quartic_jvp(&x, dir.to_vec());
        forward_against_reverse("quartic", d, &dir, 1.0, &g, 1e-12);
        let closed = |i: usize, j: usize| if i == j { 12.0 * x[i] * x[i] } else { 0.0 };
        hessian_against("quartic", &h, &closed, &|y: &[f64]| Tools::quartic_grad(y).1, &x, 1e-13);

        let (_, g, h) = Cubes::<f64>::total_hessian(&x);
        let want: Vec<f64> = x.iter().map(|v| 3.0 * v * v).collect();
        assert_close(&g, &want, 1e-13, "cubes gradient");
        assert_close(&g, &central_gradient(Cubes::<f64>::total, &x), 1e-7, "cubes differences");
        let (_, d) = Cubes::<f64>::total_jvp(&x, dir.to_vec());
        forward_against_reverse("cubes", d, &dir, 1.0, &g, 1e-12);
        let closed = |i: usize, j: usize| if i == j { 6.0 * x[i] } else { 0.0 };
        hessian_against("cubes", &h, &closed, &|y: &[f64]| Cubes::<f64>::total_grad(y).1, &x, 1e-13);

        let (a, b) = (x[0], x[1]);
        let (value, (gx, gy), h) = Tools::mixed_hessian(a, b);
        assert!((value - Tools::mixed(a, b)).abs() < 1e-13);
        let g = [gx, gy];
        assert_close(&g, &[4.0 * a.powi(3) + b * b, 2.0 * a * b], 1e-13, "mixed gradient");
        let f = |p: &[f64]| Tools::mixed(p[0], p[1]);
        assert_close(&g, &central_gradient(f, &[a, b]), 1e-7, "mixed differences");
        let (_, d) = Tools::mixed_jvp(a, b, 0.5, -0.3);
        forward_against_reverse("mixed", d, &[0.5, -0.3], 1.0, &g, 1e-12);
        let closed = |i: usize, j: usize| match (i, j) {
            (0, 0) => 12.0 * a * a,
            (1, 1) => 2.0 * a,
            _ => 2.0 * b,
        };
        let grad = |p: &[f64]| {
            let (gx, gy) = Tools::mixed_grad(p[0], p[1]).1;
            vec![gx, gy]
        };
        hessian_against("mixed", &h, &closed, &grad, &[a, b], 1e-13);
    }
}

/// Mean squared error of a linear model over feature vectors held as `&[DVector<f64>]`: the
/// constant slice was passed to the dual copy as it is, its elements then `dot`ted with dual
/// vectors (rustc's type mismatch inside generated code until the forty-seventh session).
#[differentiable(hessian, wrt(w))]
fn feature_loss(w: &DVector<f64>, xs: &[DVector<f64>], ys: &[f64]) -> f64 {
    let mut total = 0.0;
    for (x, &y) in xs.iter().zip(ys) {
        let r = w.dot(x) - y;
        total += r * r;
    }
    total / xs.len() as f64
}

/// The same slice differentiated too: `Σ (w·xₖ)²` over every entry of `w` and of the `xₖ`.
#[differentiable(hessian)]
fn projections(w: &DVector<f64>, xs: &[DVector<f64>]) -> f64 {
    xs.iter().map(|x| w.dot(x).powi(2)).sum()
}

/// The loss generic over nalgebra's `RealField`.
#[differentiable(hessian, wrt(w))]
fn field_loss<T: nalgebra::RealField + Copy>(w: &DVector<T>, xs: &[DVector<T>], ys: &[T]) -> T {
    let mut total = T::zero();
    for (x, &y) in xs.iter().zip(ys) {
        let r = w.dot(x) - y;
        total += r * r;
    }
    total
}

#[test]
fn slices_of_dynamic_vectors_under_second_order() {
    let xs = vec![
        DVector::from_vec(vec![1.0, 2.0, -0.5]),
        DVector::from_vec(vec![0.5, -1.0, 0.25]),
        DVector::from_vec(vec![-0.3, 0.7, 1.5]),
    ];
    let ys = [1.0, 0.0, -0.5];
    let n = xs.len() as f64;
    for w in [[0.1, 0.2, -0.3], [1.0, -0.5, 0.25]] {
        let w = DVector::from_vec(w.to_vec());
        // ∇ = (2/n) Σ (w·x - y) x, H = (2/n) Σ x xᵀ.
        let residual = |x: &DVector<f64>, y: f64| w.dot(x) - y;
        let want =
            xs.iter().zip(&ys).fold(DVector::zeros(3), |g, (x, &y)| g + x * (2.0 * residual(x, y) / n));
        let (value, g, h) = feature_loss_hessian(&w, &xs, &ys);
        assert!((value - feature_loss(&w, &xs, &ys)).abs() < 1e-13);
        assert_close(g.as_slice(), want.as_slice(), 1e-13, "feature gradient");
        let f = |q: &[f64]| feature_loss(&DVector::from_column_slice(q), &xs, &ys);
        assert_close(g.as_slice(), &central_gradient(f, w.as_slice()), 1e-8, "feature differences");
        let dir = [0.5, -0.3, 1.2];
        let (_, d) = feature_loss_jvp(&w, &xs, &ys, DVector::from_column_slice(&dir));
        forward_against_reverse("feature", d, &dir, 1.0, g.as_slice(), 1e-13);
        let closed = |i: usize, j: usize| xs.iter().map(|x| 2.0 * x[i] * x[j] / n).sum::<f64>();
        let grad =
            |q: &[f64]| feature_loss_grad(&DVector::from_column_slice(q), &xs, &ys).1.as_slice().to_vec();
        hessian_against("feature", &h, &closed, &grad, w.as_slice(), 1e-13);

        let (_, g, h) = field_loss_hessian(&w, &xs, &ys);
        assert_close(g.as_slice(), (want * n).as_slice(), 1e-12, "field gradient");
        let f = |q: &[f64]| field_loss(&DVector::from_column_slice(q), &xs, &ys);
        assert_close(g.as_slice(), &central_gradient(f, w.as_slice()), 1e-8, "field differences");
        let (_, d) = field_loss_jvp(&w, &xs, &ys, DVector::from_column_slice(&dir));
        forward_against_reverse("field", d, &dir, 1.0, g.as_slice(), 1e-13);
        let closed = |i: usize, j: usize| xs.iter().map(|x| 2.0 * x[i] * x[j]).sum::<f64>();
        let grad =
            |q: &[f64]| field_loss_grad(&DVector::from_column_slice(q), &xs, &ys).1.as_slice().to_vec();
        hessian_against("field", &h, &closed, &grad, w.as_slice(), 1e-13);

        // Inputs numbered `w`, then `xs[0]`, `xs[1]`, `xs[2]`, three each.
        let (value, (gw, gx), h) = projections_hessian(&w, &xs);
        assert!((value - projections(&w, &xs)).abs() < 1e-13);
        let mut g: Vec<f64> = gw.as_slice().to_vec();
        gx.iter().for_each(|v| g.extend(v.iter()));
        let at = |q: &[f64]| {
            let w = DVector::from_column_slice(&q[..3]);
            let xs: Vec<DVector<f64>> = q[3..].chunks(3).map(DVector::from_column_slice).collect();
            (w, xs)
        };
        let mut p = w.as_slice().to_vec();
        xs.iter().for_each(|x| p.extend(x.iter()));
        let f = |q: &[f64]| {
            let (w, xs) = at(q);
            projections(&w, &xs)
        };
        assert_close(&g, &central_gradient(f, &p), 1e-7, "projections differences");
        let dir: Vec<f64> = (0..12).map(|k| 0.1 * k as f64 - 0.5).collect();
        let (dw, dx) = at(&dir);
        let (_, d) = projections_jvp(&w, &xs, dw, dx);
        forward_against_reverse("projections", d, &dir, 1.0, &g, 1e-12);
        // ∂²/∂wᵢ∂wⱼ = 2 Σ xᵢxⱼ, ∂²/∂wᵢ∂x_kj = 2 (δᵢⱼ (w·xₖ) + x_ki wⱼ), ∂²/∂x_ki∂x_kj = 2 wᵢwⱼ.
        let closed = |r: usize, c: usize| {
            let (r, c) = if r <= c { (r, c) } else { (c, r) };
            match (r / 3, c / 3) {
                (0, 0) => xs.iter().map(|x| 2.0 * x[r] * x[c]).sum(),
                (0, k) => {
                    let (x, j) = (&xs[k - 1], c % 3);
                    2.0 * (if r == j { w.dot(x) } else { 0.0 } + x[r] * w[j])
                }
                (a, b) if a == b => 2.0 * w[r % 3] * w[c % 3],
                _ => 0.0,
            }
        };
        let grad = |q: &[f64]| {
            let (w, xs) = at(q);
            let (_, (gw, gx)) = projections_grad(&w, &xs);
            let mut g: Vec<f64> = gw.as_slice().to_vec();
            gx.iter().for_each(|v| g.extend(v.iter()));
            g
        };
        hessian_against("projections", &h, &closed, &grad, &p, 1e-12);
    }
}
