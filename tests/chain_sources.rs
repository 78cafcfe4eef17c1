//! Chain and loop sources with literal bounds (`(0..3).map(..)`, `x[..3].iter()`, `for v in
//! x[1..4].iter()`): each checked against its analytic gradient, central differences and JVP
//! against VJP (`common::check`).

mod common;

use common::{check, close};
use tapeless::differentiable;

/// `Σ_{i<3} x_i² + Σ_{i<3} x_i + Σ_{1≤i<4} x_i³`.
#[differentiable]
fn heads(x: &[f64]) -> f64 {
    let squares: f64 = (0..3).map(|i| x[i] * x[i]).sum();
    let sum: f64 = x[..3].iter().sum();
    let mut cubes = 0.0;
    for v in x[1..4].iter() {
        cubes += v * v * v;
    }
    let last: f64 = (1..=2).map(|i| x[i + 2]).sum();
    squares + sum + cubes + last
}

#[test]
fn literal_bounds_of_ranges_and_sub_slices() {
    let grad = |x: &[f64]| {
        let analytic: Vec<f64> = (0..x.len())
            .map(|i| {
                let mut g = 0.0;
                if i < 3 {
                    g += 2.0 * x[i] + 1.0;
                }
                if (1..4).contains(&i) {
                    g += 3.0 * x[i] * x[i];
                }
                if (3..=4).contains(&i) {
                    g += 1.0;
                }
                g
            })
            .collect();
        let (v, g) = heads_grad(x);
        for (a, b) in g.iter().zip(&analytic) {
            assert!(close(*a, *b, 1e-14), "{g:?} vs analytic {analytic:?}");
        }
        (v, g)
    };
    let fns = slice_fns!(heads, heads_jvp, heads_vjp, grad);
    check(
        &fns,
        &[&[0.5, -1.0, 2.0, 0.3, 1.5], &[1.0, 2.0, 3.0, 4.0, 5.0], &[-0.2, 0.7, -1.3, 2.2, 0.0]],
        1e-8,
    );
}

/// `for &v in ..` and `|m, &v|` bind values, which are passed on as values: `m.max(v)`
/// (the generated code passed `&v`, which rustc rejected, for f64 and generic floats alike).
#[differentiable]
fn running_max(x: &[f64]) -> f64 {
    let mut m = x[0];
    for &v in x.iter() {
        m = m.max(v);
    }
    let folded = x.iter().fold(x[1], |a, &v| a.max(v));
    let mut tail = x[2];
    for &v in &x[3..] {
        tail = tail.min(v);
    }
    m * folded + tail
}

#[differentiable]
fn generic_running_max<T: num_traits::Float>(x: &[T]) -> T {
    let mut m = x[0];
    for &v in x.iter() {
        m = m.max(v);
    }
    m * x[1]
}

#[test]
fn values_bound_by_reference_patterns() {
    for x in [[0.5, -1.0, 2.0, 0.3, 1.5], [1.0, 2.0, 3.0, 4.0, 5.0], [-0.2, 0.7, -1.3, 2.2, 0.1]] {
        let max = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let argmax = x.iter().position(|v| *v == max).unwrap_or(0);
        let tail_min = x[2..].iter().copied().fold(f64::INFINITY, f64::min);
        let argmin = 2 + x[2..].iter().position(|v| *v == tail_min).unwrap_or(0);
        let mut exact = [0.0; 5];
        exact[argmax] += 2.0 * max; // m * folded with m = folded = max (x[1] <= max)
        exact[argmin] += 1.0;
        let (value, g) = running_max_grad(&x);
        assert_eq!(value, running_max(&x));
        for (a, b) in g.iter().zip(exact) {
            assert!(close(*a, b, 1e-14), "{g:?} vs analytic {exact:?}");
        }
        let fns = slice_fns!(running_max, running_max_jvp, running_max_vjp, running_max_grad);
        check(&fns, &[&x, &[0.1, 0.2, 0.3, 0.4, 0.5], &[3.0, -1.0, 0.5, -2.0, 1.0]], 1e-8);

        let (value, g) = generic_running_max_grad(&x);
        assert_eq!(value, max * x[1]);
        let mut exact = [0.0; 5];
        exact[argmax] += x[1];
        exact[1] += max;
        assert_eq!(g, exact.to_vec());
        let d = common::direction(5, 3);
        let (_, t) = generic_running_max_jvp(&x, d.clone());
        let (_, pullback) = generic_running_max_vjp(&x);
        let back: f64 = pullback(1.0).iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(close(t, back, 1e-14), "<Jv> {t} vs <J^T 1, v> {back}");
        let (_, g32) = generic_running_max_grad(&x.map(|v| v as f32));
        for (a, b) in g32.iter().zip(&exact) {
            assert!((*a as f64 - b).abs() < 1e-5, "f32 {g32:?} vs {exact:?}");
        }
    }
}

/// Data points as a slice of tuples, a constant the loop and the chain read.
#[differentiable(wrt(a, b))]
fn line_fit(a: f64, b: f64, data: &[(f64, f64)]) -> f64 {
    let mut s = 0.0;
    for &(x, y) in data {
        s += (a * x + b - y).powi(2);
    }
    let t: f64 = data.iter().map(|&(x, y)| (a * x - y).abs()).sum();
    s + t
}

struct Points {
    data: Vec<(f64, f64)>,
}

impl Points {
    /// The same loss reading `self.data`.
    #[differentiable(wrt(a, b))]
    fn loss(&self, a: f64, b: f64) -> f64 {
        let mut s = 0.0;
        for (x, y) in self.data.iter() {
            s += (a * x + b - y).powi(2);
        }
        s / self.data.len() as f64
    }
}

#[test]
fn constant_collections_of_tuples() {
    let data = [(1.0, 2.0), (2.0, 3.5), (3.0, 7.0), (-1.0, 0.5)];
    let points = Points { data: data.to_vec() };
    for (a, b) in [(1.5, 0.2), (-0.7, 1.0), (2.5, -3.0)] {
        let (value, (ga, gb)) = line_fit_grad(a, b, &data);
        assert_eq!(value, line_fit(a, b, &data));
        let (mut ea, mut eb) = (0.0, 0.0);
        for &(x, y) in &data {
            let r = a * x + b - y;
            ea += 2.0 * r * x + (a * x - y).signum() * x;
            eb += 2.0 * r;
        }
        assert!(close(ga, ea, 1e-14) && close(gb, eb, 1e-14), "({ga}, {gb}) vs ({ea}, {eb})");
        let (_, t) = line_fit_jvp(a, b, &data, 0.3, -0.7);
        assert!(close(t, 0.3 * ga - 0.7 * gb, 1e-14));
        let (_, pullback) = line_fit_vjp(a, b, &data);
        assert_eq!(pullback(2.0), (2.0 * ga, 2.0 * gb));
        let f = |p: &[f64]| line_fit(p[0], p[1], &data);
        assert!(close(ga, common::central(&f, &[a, b], 0), 1e-8));
        assert!(close(gb, common::central(&f, &[a, b], 1), 1e-8));

        let (value, (ga, gb)) = points.loss_grad(a, b);
        assert_eq!(value, points.loss(a, b));
        let n = data.len() as f64;
        let ea: f64 = data.iter().map(|&(x, y)| 2.0 * (a * x + b - y) * x / n).sum();
        let eb: f64 = data.iter().map(|&(x, y)| 2.0 * (a * x + b - y) / n).sum();
        assert!(close(ga, ea, 1e-14) && close(gb, eb, 1e-14));
        let (_, t) = points.loss_jvp(a, b, 1.0, 2.0);
        let (_, pullback) = points.loss_vjp(a, b);
        let (ba, bb) = pullback(1.0);
        assert!(close(t, ba + 2.0 * bb, 1e-14));
    }
}

/// A slice unpacked into an array by `try_into().unwrap()` / `try_from(..).expect(..)`.
#[differentiable]
fn unpacked(x: &[f64]) -> f64 {
    let [a, b, c]: [f64; 3] = x.try_into().unwrap();
    let head: [f64; 2] = <[f64; 2]>::try_from(&x[..2]).expect("two entries");
    a * b + c.sin() + head[0] * head[1]
}

#[test]
fn slices_unpacked_into_arrays() {
    for x in [[0.5, -1.0, 2.0], [1.0, 2.0, 3.0], [-0.2, 0.7, -1.3]] {
        let (value, g) = unpacked_grad(&x);
        assert_eq!(value, unpacked(&x));
        let exact = [2.0 * x[1], 2.0 * x[0], x[2].cos()];
        for (a, b) in g.iter().zip(exact) {
            assert!(close(*a, b, 1e-14), "{g:?} vs {exact:?}");
        }
        let fns = slice_fns!(unpacked, unpacked_jvp, unpacked_vjp, unpacked_grad);
        check(&fns, &[&x, &[0.1, 0.2, 0.3], &[3.0, -1.0, 0.5]], 1e-8);
    }
}

#[test]
#[should_panic(expected = "the length of the slice converted to an array")]
fn unpacking_a_slice_of_another_length_panics_as_the_conversion_does() {
    let _ = unpacked_grad(&[1.0, 2.0, 3.0, 4.0]);
}

/// Parts of a slice at an offset unpacked the same way, and `<[f64; 2]>::try_from` bound to an
/// untyped name: `x_0 x_1 x_2 + x_3 x_4 + x_1 x_2 + 2 x_4`. (`x[3..5]` taken apart read
/// `x[3..5][0]`, rustc's E0382 on the range inside generated code until the forty-fifth
/// session; the untyped binding was our "no derivative for `unwrap`" error.)
#[differentiable]
fn unpacked_parts(x: &[f64]) -> f64 {
    let [p, q, r]: [f64; 3] = x[..3].try_into().unwrap();
    let t: [f64; 2] = x[3..5].try_into().expect("two");
    let u = <[f64; 2]>::try_from(&x[1..3]).unwrap();
    p * q * r + t[0] * t[1] + u[0] * u[1] + 2.0 * x[3..5][1]
}

#[test]
fn parts_of_slices_unpacked_into_arrays() {
    let points: [&[f64]; 3] =
        [&[0.5, -1.0, 2.0, 0.3, 1.1], &[1.0, 2.0, 3.0, 4.0, 5.0], &[-0.2, 0.7, -1.3, 0.9, -0.4]];
    for x in points {
        let (value, g) = unpacked_parts_grad(x);
        assert_eq!(value, unpacked_parts(x));
        let exact = [x[1] * x[2], x[0] * x[2] + x[2], x[0] * x[1] + x[1], x[4], x[3] + 2.0];
        for (a, b) in g.iter().zip(exact) {
            assert!(close(*a, b, 1e-14), "{g:?} vs {exact:?}");
        }
    }
    check(
        &slice_fns!(unpacked_parts, unpacked_parts_jvp, unpacked_parts_vjp, unpacked_parts_grad),
        &points,
        1e-8,
    );
}

/// A part taken apart by `let .. else`: `x_0 x_1 + x_2 x_3` (our `let .. else` error until the
/// forty-fifth session).
#[differentiable(hessian)]
fn head_parts(x: &[f64]) -> f64 {
    let [a, b, c] = x[..3] else { return 0.0 };
    a * b + c * x[3]
}

#[test]
fn a_part_taken_apart_by_let_else() {
    let points: [&[f64]; 3] = [&[0.5, -1.0, 2.0, 0.3], &[1.0, 2.0, 3.0, 4.0, 5.0], &[-0.2, 0.7, -1.3, 0.9]];
    for x in points {
        let (value, g, h) = head_parts_hessian(x);
        assert!(close(value, x[0] * x[1] + x[2] * x[3], 1e-15));
        let mut exact = vec![x[1], x[0], x[3], x[2]];
        exact.resize(x.len(), 0.0);
        for (a, b) in g.iter().zip(&exact) {
            assert!(close(*a, *b, 1e-14), "{g:?} vs {exact:?}");
        }
        let closed =
            |i: usize, j: usize| if matches!((i, j), (0, 1) | (1, 0) | (2, 3) | (3, 2)) { 1.0 } else { 0.0 };
        common::hessian_against("head_parts", &h, &closed, &|q| head_parts_grad(q).1, x, 1e-14);
    }
    check(&slice_fns!(head_parts, head_parts_jvp, head_parts_vjp, head_parts_grad), &points, 1e-8);
}

/// Functions by path in `map`: `ln Σ exp(x_i) + Σ |sin x_i|`.
#[differentiable]
fn by_path(x: &[f64]) -> f64 {
    x.iter().copied().map(f64::exp).sum::<f64>().ln()
        + x.iter().cloned().map(f64::sin).map(f64::abs).sum::<f64>()
}

#[differentiable]
fn generic_by_path<T: num_traits::Float + std::iter::Sum>(x: &[T]) -> T {
    x.iter().copied().map(T::exp).sum::<T>().ln()
}

#[test]
fn functions_by_path_in_map() {
    for x in [[0.5_f64, -1.0, 2.0], [1.0, 2.0, 3.0], [-0.2, 0.7, -1.3]] {
        let total: f64 = x.iter().map(|e| e.exp()).sum();
        let exact: Vec<f64> = x.iter().map(|e| e.exp() / total + e.cos() * e.sin().signum()).collect();
        let (value, g) = by_path_grad(&x);
        assert_eq!(value, by_path(&x));
        for (a, b) in g.iter().zip(&exact) {
            assert!(close(*a, *b, 1e-14), "{g:?} vs {exact:?}");
        }
        let fns = slice_fns!(by_path, by_path_jvp, by_path_vjp, by_path_grad);
        check(&fns, &[&x, &[0.1, 0.2, 0.3], &[3.0, -1.0, 0.5]], 1e-8);
        let (_, g) = generic_by_path_grad(&x);
        let softmax: Vec<f64> = x.iter().map(|e| e.exp() / total).collect();
        for (a, b) in g.iter().zip(&softmax) {
            assert!(close(*a, *b, 1e-14), "{g:?} vs {softmax:?}");
        }
        let d = common::direction(3, 5);
        let (_, t) = generic_by_path_jvp(&x, d.clone());
        let (_, pullback) = generic_by_path_vjp(&x);
        let back: f64 = pullback(1.0).iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(close(t, back, 1e-14));
    }
}

/// `reduce(..).unwrap_or(c)`: `Σ x_i²`, or `0.5` for an empty slice; and the largest entry
/// times the first.
#[differentiable]
fn reduced_or(x: &[f64]) -> f64 {
    x.iter().map(|e| e * e).reduce(|a, b| a + b).unwrap_or(0.5)
}

#[differentiable]
fn largest_times_first(x: &[f64]) -> f64 {
    x.iter().copied().reduce(f64::max).unwrap_or(1.0) * x[0]
}

#[test]
fn reduce_with_a_default() {
    assert_eq!(reduced_or_grad(&[]), (0.5, vec![]));
    for x in [[0.5_f64, -1.0, 2.0], [1.0, 2.0, 3.0], [-0.2, 0.7, -1.3]] {
        let (value, g) = reduced_or_grad(&x);
        assert_eq!(value, reduced_or(&x));
        assert_eq!(g, x.iter().map(|e| 2.0 * e).collect::<Vec<_>>());
        check(
            &slice_fns!(reduced_or, reduced_or_jvp, reduced_or_vjp, reduced_or_grad),
            &[&x, &[0.1, 0.2], &[3.0]],
            1e-8,
        );
        let (value, g) = largest_times_first_grad(&x);
        assert_eq!(value, largest_times_first(&x));
        let k = (0..3).fold(0, |k, i| if x[i] > x[k] { i } else { k });
        let mut exact = [0.0; 3];
        exact[k] += x[0];
        exact[0] += x[k];
        assert_eq!(g, exact.to_vec());
        let fns = slice_fns!(
            largest_times_first,
            largest_times_first_jvp,
            largest_times_first_vjp,
            largest_times_first_grad
        );
        check(&fns, &[&x, &[0.1, 0.2, 0.3], &[3.0, -1.0, 0.5]], 1e-8);
    }
}

/// Windows and chunks read as slices (`w.iter()`), and a window read inside a chain nested in
/// its body: `Σ_i (mean of x_i..x_{i+2})²`, `Σ_k ‖chunk_k‖`, `Σ_i x_i x_{i+1} Σ y`.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    x.windows(3).map(|w| w.iter().sum::<f64>() / 3.0).map(|m| m * m).sum::<f64>()
}

#[differentiable]
fn chunk_norms(x: &[f64]) -> f64 {
    x.chunks(2).map(|c| c.iter().map(|v| v * v).sum::<f64>().sqrt()).sum::<f64>()
}

#[differentiable(wrt(x))]
fn nested_window(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2).map(|w| w[0] * y.iter().map(|v| v * w[1]).sum::<f64>()).sum()
}

#[test]
fn windows_as_slices_and_inside_nested_chains() {
    let points: [&[f64]; 3] =
        [&[0.3, -1.2, 0.7, 1.9, -0.4], &[1.0, 2.0, 3.0, 4.0, 5.0], &[0.5, 0.5, -0.5, 0.25, 2.0]];
    check(&slice_fns!(smoothed, smoothed_jvp, smoothed_vjp, smoothed_grad), &points, 1e-9);
    check(&slice_fns!(chunk_norms, chunk_norms_jvp, chunk_norms_vjp, chunk_norms_grad), &points, 1e-9);
    let y = [1.0, 2.0, 3.0];
    let fns = common::Fns {
        name: "nested_window",
        f: &|x| nested_window(x, &y),
        jvp: &|x, t| nested_window_jvp(x, &y, t.to_vec()),
        vjp: &|x, u| {
            let (v, pullback) = nested_window_vjp(x, &y);
            (v, pullback(u))
        },
        grad: &|x| nested_window_grad(x, &y),
    };
    check(&fns, &points, 1e-9);
    // Analytic: the value Σ_i x_i x_{i+1} Σ y and its gradient (it was silently wrong, value and
    // gradient, when the inner chain's index stood for the window's).
    let x = points[0];
    let sy: f64 = y.iter().sum();
    let (value, g) = nested_window_grad(x, &y);
    let want: f64 = x.windows(2).map(|w| w[0] * w[1] * sy).sum();
    assert!(close(value, want, 1e-14), "{value} vs {want}");
    for i in 0..x.len() {
        let left = if i > 0 { x[i - 1] } else { 0.0 };
        let right = if i + 1 < x.len() { x[i + 1] } else { 0.0 };
        assert!(close(g[i], sy * (left + right), 1e-14));
    }
    // Smoothed, analytic: ∂/∂x_j = Σ_{windows i ∋ j} 2 m_i / 3.
    let (_, g) = smoothed_grad(x);
    let means: Vec<f64> = x.windows(3).map(|w| w.iter().sum::<f64>() / 3.0).collect();
    for (j, gj) in g.iter().enumerate() {
        let want: f64 =
            (0..means.len()).filter(|i| (*i..*i + 3).contains(&j)).map(|i| 2.0 * means[i] / 3.0).sum();
        assert!(close(*gj, want, 1e-14));
    }
}

/// Windows of two arrays side by side, and windows numbered: `zip` and `enumerate` of `windows`
/// and `chunks_exact`, in a chain and in a `for` loop. The trapezoid rule `Σ ½ (t_{i+1} - t_i)
/// (y_i + y_{i+1})`, `Σ_i (i + 1) (x_{i+1} - x_i)²`, `Σ_i c_i (x_i - 2 x_{i+1} + x_{i+2})²` and
/// `Σ_k p_{2k} q_{2k+1} - p_{2k+1} q_{2k}`.
#[differentiable(wrt(y))]
fn trapezoid(y: &[f64], t: &[f64]) -> f64 {
    t.windows(2).zip(y.windows(2)).map(|(tw, yw)| 0.5 * (tw[1] - tw[0]) * (yw[0] + yw[1])).sum()
}

#[differentiable]
fn weighted_steps(x: &[f64]) -> f64 {
    x.windows(2).enumerate().map(|(i, w)| (i as f64 + 1.0) * (w[1] - w[0]).powi(2)).sum()
}

#[differentiable(wrt(x))]
fn curvature(x: &[f64], c: &[f64]) -> f64 {
    let mut s = 0.0;
    for (w, &ci) in x.windows(3).zip(c) {
        s += ci * (w[0] - 2.0 * w[1] + w[2]).powi(2);
    }
    s
}

#[differentiable(wrt(p))]
fn chunk_cross(p: &[f64], q: &[f64]) -> f64 {
    let mut s = 0.0;
    for (a, b) in p.chunks_exact(2).zip(q.chunks_exact(2)) {
        s += a[0] * b[1] - a[1] * b[0];
    }
    s
}

#[test]
fn windows_zipped_and_enumerated() {
    let points: [&[f64]; 3] = [&[0.3, -1.2, 0.7, 1.9], &[1.0, 2.0, 3.0, 4.0], &[0.5, 0.5, -0.5, 0.25]];
    let t = [0.0, 0.5, 1.5, 2.0];
    let c = [2.0, -0.5];
    let q = [1.0, -3.0, 0.5, 2.0];
    check(&slice_fns_with!(trapezoid, trapezoid_jvp, trapezoid_vjp, trapezoid_grad; &t), &points, 1e-9);
    check(
        &slice_fns!(weighted_steps, weighted_steps_jvp, weighted_steps_vjp, weighted_steps_grad),
        &points,
        1e-8,
    );
    check(&slice_fns_with!(curvature, curvature_jvp, curvature_vjp, curvature_grad; &c), &points, 1e-8);
    check(
        &slice_fns_with!(chunk_cross, chunk_cross_jvp, chunk_cross_vjp, chunk_cross_grad; &q),
        &points,
        1e-9,
    );
    for x in points {
        // Trapezoid, analytic: ∂/∂y_j = ½ (t_{j+1} - t_{j-1}), one-sided at the ends.
        let (_, g) = trapezoid_grad(x, &t);
        let n = t.len();
        for j in 0..n {
            let want = 0.5 * (t[(j + 1).min(n - 1)] - t[j.saturating_sub(1)]);
            assert!(close(g[j], want, 1e-15), "{g:?}");
        }
        // Weighted steps, analytic: ∂/∂x_j = 2 j (x_j - x_{j-1}) - 2 (j + 1) (x_{j+1} - x_j).
        let (_, g) = weighted_steps_grad(x);
        for j in 0..x.len() {
            let left = if j > 0 { 2.0 * j as f64 * (x[j] - x[j - 1]) } else { 0.0 };
            let right = if j + 1 < x.len() { 2.0 * (j + 1) as f64 * (x[j + 1] - x[j]) } else { 0.0 };
            assert!(close(g[j], left - right, 1e-14), "{g:?}");
        }
        // Curvature, analytic: each window i adds 2 c_i d_i (1, -2, 1) at x_i, x_{i+1}, x_{i+2}.
        let (_, g) = curvature_grad(x, &c);
        let mut want = vec![0.0; x.len()];
        for i in 0..c.len() {
            let d = x[i] - 2.0 * x[i + 1] + x[i + 2];
            for (k, w) in [1.0, -2.0, 1.0].into_iter().enumerate() {
                want[i + k] += 2.0 * c[i] * d * w;
            }
        }
        assert!(g.iter().zip(&want).all(|(a, b)| close(*a, *b, 1e-14)), "{g:?} vs {want:?}");
        // Cross terms, analytic: ∂/∂p_{2k} = q_{2k+1}, ∂/∂p_{2k+1} = -q_{2k}.
        let (_, g) = chunk_cross_grad(x, &q);
        assert_eq!(g, vec![q[1], -q[0], q[3], -q[2]]);
    }
}

/// `scan` with a running state, as cumulative sums and products are written in Rust: `Σ_k c_k²`
/// of the cumulative sums `c`, `Σ_k ln w_k` of the wealth `w_k = Π_{j≤k} (1 + r_j)`, the sum of
/// running maxima, and an exponentially weighted average numbered in a `for` loop.
#[differentiable]
fn cumulative_squares(x: &[f64]) -> f64 {
    let c: Vec<f64> = x
        .iter()
        .scan(0.0, |s, &v| {
            *s += v;
            Some(*s)
        })
        .collect();
    c.iter().map(|v| v * v).sum()
}

#[differentiable]
fn log_wealth(r: &[f64]) -> f64 {
    r.iter()
        .scan(1.0, |w, &ri| {
            *w *= 1.0 + ri;
            Some(*w)
        })
        .map(|w| w.ln())
        .sum::<f64>()
}

#[differentiable]
fn running_maxima(x: &[f64]) -> f64 {
    x.iter()
        .scan(f64::NEG_INFINITY, |m, &v| {
            *m = m.max(v);
            Some(*m)
        })
        .sum()
}

#[differentiable(wrt(x))]
fn weighted_average(x: &[f64], alpha: f64) -> f64 {
    let mut total = 0.0;
    for (i, m) in x
        .iter()
        .scan(x[0], |m, &v| {
            *m = alpha * v + (1.0 - alpha) * *m;
            Some(*m)
        })
        .enumerate()
    {
        total += (i as f64 + 1.0) * m;
    }
    total
}

#[test]
fn scans_with_a_running_state() {
    let points: [&[f64]; 3] =
        [&[0.3, -1.2, 0.7, 1.9], &[0.01, -0.02, 0.03, 0.015], &[0.5, 0.25, -0.125, 0.8]];
    check(
        &slice_fns!(
            cumulative_squares,
            cumulative_squares_jvp,
            cumulative_squares_vjp,
            cumulative_squares_grad
        ),
        &points,
        1e-8,
    );
    let returns: [&[f64]; 3] =
        [&[0.01, -0.02, 0.03, 0.015], &[0.1, 0.2, -0.3, 0.05], &[0.5, 0.25, -0.125, 0.8]];
    check(&slice_fns!(log_wealth, log_wealth_jvp, log_wealth_vjp, log_wealth_grad), &returns, 1e-8);
    check(
        &slice_fns!(running_maxima, running_maxima_jvp, running_maxima_vjp, running_maxima_grad),
        &points,
        1e-8,
    );
    check(
        &slice_fns_with!(weighted_average, weighted_average_jvp, weighted_average_vjp, weighted_average_grad; 0.3),
        &points,
        1e-8,
    );
    for x in points {
        let n = x.len();
        // Cumulative squares, analytic: ∂/∂x_j = Σ_{k≥j} 2 c_k.
        let c: Vec<f64> = (0..n).map(|k| x[..=k].iter().sum()).collect();
        let (value, g) = cumulative_squares_grad(x);
        assert!(close(value, c.iter().map(|v| v * v).sum(), 1e-14));
        for j in 0..n {
            let want: f64 = (j..n).map(|k| 2.0 * c[k]).sum();
            assert!(close(g[j], want, 1e-14), "{g:?}");
        }
        // Log wealth, analytic: Σ_k Σ_{j≤k} ln(1 + r_j), so ∂/∂r_j = (n - j) / (1 + r_j).
        for r in returns {
            let (_, g) = log_wealth_grad(r);
            for j in 0..r.len() {
                assert!(close(g[j], (r.len() - j) as f64 / (1.0 + r[j]), 1e-14), "{g:?}");
            }
        }
        // Running maxima, analytic: each maximum's derivative goes to the entry that holds it.
        let (_, g) = running_maxima_grad(x);
        let mut want = vec![0.0; n];
        let mut best = 0;
        for k in 0..n {
            if x[k] > x[best] {
                best = k;
            }
            want[best] += 1.0;
        }
        assert_eq!(g, want);
    }
}

/// Chains over vectors computed where they are iterated: `(x - y).iter()` of two `DVector`s and
/// `m.column(1).iter()` (each computed once, then iterated).
#[differentiable(wrt(x))]
fn computed_sources(x: &nalgebra::DVector<f64>, y: &nalgebra::DVector<f64>) -> f64 {
    let squares: f64 = (x - y).iter().map(|d| d * d).sum();
    let m = x * y.transpose();
    squares + m.column(1).iter().map(|e| e.sin()).sum::<f64>()
}

#[test]
fn chains_over_computed_vectors() {
    let y = nalgebra::DVector::from_row_slice(&[0.5, -1.0, 2.0]);
    for x in [[0.3, 0.7, -1.2], [1.5, 0.0, 0.4]] {
        let xv = nalgebra::DVector::from_row_slice(&x);
        let (value, g) = computed_sources_grad(&xv, &y);
        assert_eq!(value, computed_sources(&xv, &y));
        // `Σ (xᵢ - yᵢ)² + Σ sin(xᵢ y₁)`: `2 (xᵢ - yᵢ) + y₁ cos(xᵢ y₁)`.
        for i in 0..3 {
            let want = 2.0 * (x[i] - y[i]) + y[1] * (x[i] * y[1]).cos();
            assert!(close(g[i], want, 1e-13), "d/dx{i}: {} against {want}", g[i]);
        }
        let v = nalgebra::DVector::from_row_slice(&[1.0, -0.5, 0.25]);
        let (_, t) = computed_sources_jvp(&xv, &y, v.clone());
        assert!(close(t, g.dot(&v), 1e-13), "jvp {t} against <g, v> {}", g.dot(&v));
    }
}
