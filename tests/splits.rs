//! `split_first()` and `split_last()` of a slice: unwrapped, in `if let`, `match` and
//! `let .. else`, the rest passed on to another differentiable function. Before, each was
//! "no derivative is known for method `split_first`". Checked against closed forms, central
//! differences, and forward against reverse mode.

mod common;

use common::{check, close};
use tapeless::differentiable;

#[differentiable]
fn sines(x: &[f64]) -> f64 {
    x.iter().map(|v| v.sin()).sum()
}

/// `x₀ Σ_{i>0} x_i`.
#[differentiable]
fn head_times_rest(x: &[f64]) -> f64 {
    let (first, rest) = x.split_first().unwrap();
    first * rest.iter().sum::<f64>()
}

/// `x_{n-1} (n - 1) + Σ_{i<n-1} x_i²` where the slice is not empty, then
/// `x₀ x₁ + Σ_{i>0} sin x_i` (the rest passed on by reference).
#[differentiable]
fn split_forms(x: &[f64]) -> f64 {
    let mut s = 0.0;
    if let Some((last, init)) = x.split_last() {
        s += last * init.len() as f64 + init.iter().map(|v| v * v).sum::<f64>();
    }
    let t = match x.split_first() {
        Some((b, rest)) => b * rest[0],
        None => 0.0,
    };
    let Some((&a, tail)) = x.split_first() else { return s };
    s + t + sines(tail) * a.exp()
}

fn split_forms_closed(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let sines: f64 = x[1..].iter().map(|v| v.sin()).sum();
    let value = x[n - 1] * (n - 1) as f64
        + x[..n - 1].iter().map(|v| v * v).sum::<f64>()
        + x[0] * x[1]
        + sines * x[0].exp();
    let mut g: Vec<f64> = (0..n).map(|i| if i < n - 1 { 2.0 * x[i] } else { 0.0 }).collect();
    g[n - 1] += (n - 1) as f64;
    g[0] += x[1] + sines * x[0].exp();
    g[1] += x[0];
    for i in 1..n {
        g[i] += x[i].cos() * x[0].exp();
    }
    (value, g)
}

#[test]
fn a_slice_split_into_its_first_element_and_the_rest() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.2, 0.5], &[1.1, 0.4], &[-0.2, 0.9, 0.1, 2.0, -1.3]];
    for x in points {
        let (y, g) = head_times_rest_grad(x);
        let rest: f64 = x[1..].iter().sum();
        assert!(close(y, x[0] * rest, 1e-15));
        assert!(close(g[0], rest, 1e-15));
        for gi in &g[1..] {
            assert!(close(*gi, x[0], 1e-15));
        }
        let (y, g) = split_forms_grad(x);
        let (want, dwant) = split_forms_closed(x);
        assert!(close(y, want, 1e-14), "{y} vs {want}");
        for i in 0..x.len() {
            assert!(close(g[i], dwant[i], 1e-13), "d/dx{i}: {} vs {}", g[i], dwant[i]);
        }
    }
    check(
        &slice_fns!(head_times_rest, head_times_rest_jvp, head_times_rest_vjp, head_times_rest_grad),
        &points,
        1e-8,
    );
    check(&slice_fns!(split_forms, split_forms_jvp, split_forms_vjp, split_forms_grad), &points, 1e-8);
}

#[test]
fn an_empty_or_short_slice_takes_the_other_arm() {
    assert_eq!(split_forms(&[]), 0.0);
    let (y, g) = split_forms_grad(&[]);
    assert_eq!((y, g.len()), (0.0, 0));
    // One element: the last is that element times 0, the match takes `b * rest[0]`: rustc's
    // own index panic, as in the primal.
    assert!(std::panic::catch_unwind(|| split_forms(&[2.0])).is_err());
    assert!(std::panic::catch_unwind(|| split_forms_grad(&[2.0])).is_err());
}

/// Lookups and splits of a constant's `Vec` field (`self.w.first()`, `self.w[0]`): kept whole.
/// Before, `self.w[2]` and `self.w.first().unwrap()` moved the `Vec` out of `self`, rustc's
/// E0507 in generated code.
pub struct Table {
    pub w: Vec<f64>,
    pub a: [f64; 3],
}

impl Table {
    /// `x w₀ + x² Σ_{i>0} w_i + w_{n-1} + w₀ x + w_{n-1} w₁ x + w₂ a₁ x`.
    #[differentiable(wrt(x))]
    pub fn eval(&self, x: f64) -> f64 {
        let (first, rest) = self.w.split_first().unwrap();
        let s = match self.w.split_last() {
            Some((l, _)) => *l,
            None => 0.0,
        };
        let f = *self.w.first().unwrap();
        let g = self.w.last().copied().unwrap_or(0.0);
        let Some(&h) = self.w.get(1) else { return 0.0 };
        x * first + rest.iter().sum::<f64>() * x * x + s + f * x + g * h * x + self.w[2] * self.a[1] * x
    }
}

#[test]
fn lookups_of_a_constant_field() {
    let t = Table { w: vec![1.5, -2.0, 3.0, 0.5], a: [1.0, 2.0, 3.0] };
    let (w, a) = (&t.w, &t.a);
    let rest: f64 = w[1..].iter().sum();
    let linear = w[0] + w[0] + w[3] * w[1] + w[2] * a[1];
    for x in [0.5, -1.3, 2.2] {
        let (y, g) = t.eval_grad(x);
        assert!(close(y, linear * x + rest * x * x + w[3], 1e-14));
        assert!(close(g, linear + 2.0 * rest * x, 1e-14));
        let fd = (t.eval(x + 1e-6) - t.eval(x - 1e-6)) / 2e-6;
        assert!(close(g, fd, 1e-7));
        let (_, tangent) = t.eval_jvp(x, 0.75);
        assert!(close(tangent, 0.75 * g, 1e-14));
    }
}
