//! A local `Vec` replaced inside a loop by one of another length: the activations of a network
//! whose layers have different widths (`h = layer.w.iter().zip(&layer.b).map(..).collect()`,
//! or `next` filled by `push` and then `h = next`), a sequence shortened by pairwise products
//! until one value is left, and one refined by inserting midpoints. Before the forty-first
//! session each was our "creating this array inside a loop" error (or, for a `collect()` whose
//! length the macro took for constant, a panic of the generated items). Gradients against
//! closed forms (or a hand-written backpropagation) and central differences, JVP against VJP,
//! Hessians against closed forms and central differences of `_grad`.

mod common;

use common::{assert_close, central_gradient, forward_against_reverse, hessian_against};
use num_traits::Float;
use tapeless::differentiable;

/// A layer of constants: `w` holds one row per output.
pub struct Layer {
    pub w: Vec<Vec<f64>>,
    pub b: Vec<f64>,
}

/// `Σ h` after `tanh` layers, written as a chain that collects each layer's activations.
#[differentiable(wrt(x))]
fn network(layers: &[Layer], x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for layer in layers {
        h = layer
            .w
            .iter()
            .zip(&layer.b)
            .map(|(row, b)| (row.iter().zip(&h).map(|(a, c)| a * c).sum::<f64>() + b).tanh())
            .collect();
    }
    h.iter().sum()
}

/// `Σ h²` after the same layers, each filled by `push` and then moved into `h`.
#[differentiable(wrt(x))]
fn network_pushed(layers: &[Layer], x: &[f64]) -> f64 {
    let mut h: Vec<f64> = x.to_vec();
    for layer in layers {
        let mut next = Vec::new();
        for (row, b) in layer.w.iter().zip(&layer.b) {
            let mut s = *b;
            for (w, v) in row.iter().zip(&h) {
                s += w * v;
            }
            next.push(s.tanh());
        }
        h = next;
    }
    h.iter().map(|v| v * v).sum()
}

/// Neighbours multiplied until one value is left: `a b² c` of three inputs, `a b³ c³ d` of four.
#[differentiable(hessian)]
fn pyramid(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    while v.len() > 1 {
        v = v.windows(2).map(|w| w[0] * w[1]).collect();
    }
    v[0]
}

/// The same, generic over the float type.
#[differentiable]
fn pyramid_generic<T: Float>(x: &[T]) -> T {
    let mut v = x.to_vec();
    while v.len() > 1 {
        v = v.windows(2).map(|w| w[0] * w[1]).collect();
    }
    v[0]
}

/// A polyline refined `rounds` times by inserting a bent midpoint between neighbours, then
/// its sum of squares: the `Vec` grows from `n` to `2n - 1` each round.
#[differentiable]
fn refined(x: &[f64], rounds: usize) -> f64 {
    let mut v = x.to_vec();
    for _ in 0..rounds {
        let n = v.len();
        let mut next = vec![0.0; 2 * n - 1];
        for i in 0..n {
            next[2 * i] = v[i];
        }
        for i in 0..n - 1 {
            next[2 * i + 1] = 0.5 * (v[i] + v[i + 1]) + 0.1 * v[i] * v[i + 1];
        }
        v = next;
    }
    v.iter().map(|a| a * a).sum()
}

/// Each row scaled by `x` and summed: a `Vec` collected per row, as long as the row (ui
/// `loops/array_of_varying_length_in_loop` until the forty-first session).
#[differentiable(wrt(x))]
fn rows_scaled(x: f64, rows: &[Vec<f64>]) -> f64 {
    let mut s = 0.0;
    for row in rows {
        let scaled: Vec<f64> = row.iter().map(|v| v * x * x).collect();
        s += scaled.iter().sum::<f64>();
    }
    s
}

/// Layers of widths 3 -> 4 -> 2 -> 3.
fn layers() -> Vec<Layer> {
    let layer = |rows: usize, cols: usize, s: f64| Layer {
        w: (0..rows).map(|i| (0..cols).map(|j| ((i * 3 + j) as f64 * s).sin()).collect()).collect(),
        b: (0..rows).map(|i| 0.1 * i as f64 - s).collect(),
    };
    vec![layer(4, 3, 0.7), layer(2, 4, 0.3), layer(3, 2, 1.1)]
}

/// The gradient of `Σ out(h)` with respect to `x`, by a hand-written backpropagation:
/// `out_grad` maps the last activations to their adjoint.
fn backpropagation(layers: &[Layer], x: &[f64], out_grad: fn(&[f64]) -> Vec<f64>) -> Vec<f64> {
    let mut activations = vec![x.to_vec()];
    for layer in layers {
        let h = activations.last().unwrap();
        let next = layer
            .w
            .iter()
            .zip(&layer.b)
            .map(|(row, b)| (row.iter().zip(h).map(|(a, c)| a * c).sum::<f64>() + b).tanh())
            .collect();
        activations.push(next);
    }
    let mut adjoint = out_grad(activations.last().unwrap());
    for (k, layer) in layers.iter().enumerate().rev() {
        let (input, output) = (&activations[k], &activations[k + 1]);
        let mut back = vec![0.0; input.len()];
        for (r, row) in layer.w.iter().enumerate() {
            let dz = adjoint[r] * (1.0 - output[r] * output[r]);
            for (j, w) in row.iter().enumerate() {
                back[j] += w * dz;
            }
        }
        adjoint = back;
    }
    adjoint
}

#[test]
fn a_network_of_layers_of_different_widths_against_backpropagation() {
    let layers = layers();
    for x in [[0.3, -0.2, 0.9], [-1.1, 0.4, 0.05]] {
        let (value, g) = network_grad(&layers, &x);
        assert!((value - network(&layers, &x)).abs() < 1e-15);
        let want = backpropagation(&layers, &x, |h| vec![1.0; h.len()]);
        assert_close(&g, &want, 1e-12, "network against backpropagation");
        assert_close(&g, &central_gradient(|q| network(&layers, q), &x), 1e-8, "network against differences");
        let v = vec![0.4, -1.3, 0.8];
        let (_, jvp) = network_jvp(&layers, &x, v.clone());
        let (_, pullback) = network_vjp(&layers, &x);
        forward_against_reverse("network", jvp, &v, 2.5, &pullback(2.5), 1e-12);

        let (value, g) = network_pushed_grad(&layers, &x);
        assert!((value - network_pushed(&layers, &x)).abs() < 1e-15);
        let want = backpropagation(&layers, &x, |h| h.iter().map(|a| 2.0 * a).collect());
        assert_close(&g, &want, 1e-12, "pushed network against backpropagation");
        let fd = central_gradient(|q| network_pushed(&layers, q), &x);
        assert_close(&g, &fd, 1e-8, "pushed network against differences");
        let (_, jvp) = network_pushed_jvp(&layers, &x, v.clone());
        let (_, pullback) = network_pushed_vjp(&layers, &x);
        forward_against_reverse("pushed network", jvp, &v, -0.7, &pullback(-0.7), 1e-12);
    }
}

#[test]
fn a_sequence_shortened_until_one_value_is_left() {
    // a b² c
    let x = [0.7, -1.3, 0.4];
    let (value, g) = pyramid_grad(&x);
    let [a, b, c] = x;
    assert!((value - a * b * b * c).abs() < 1e-15);
    assert_close(&g, &[b * b * c, 2.0 * a * b * c, a * b * b], 1e-14, "pyramid of three");
    // a b³ c³ d
    let x = [0.7, -1.3, 0.4, 1.9];
    let [a, b, c, d] = x;
    let (value, g) = pyramid_grad(&x);
    assert!((value - a * b.powi(3) * c.powi(3) * d).abs() < 1e-14);
    let want = [
        b.powi(3) * c.powi(3) * d,
        3.0 * a * b * b * c.powi(3) * d,
        3.0 * a * b.powi(3) * c * c * d,
        a * b.powi(3) * c.powi(3),
    ];
    assert_close(&g, &want, 1e-13, "pyramid of four");
    assert_close(&g, &central_gradient(pyramid, &x), 1e-8, "pyramid against differences");
    let v = vec![0.3, 0.1, -0.6, 1.2];
    let (_, jvp) = pyramid_jvp(&x, v.clone());
    let (_, pullback) = pyramid_vjp(&x);
    forward_against_reverse("pyramid", jvp, &v, 1.5, &pullback(1.5), 1e-12);
    let (_, generic) = pyramid_generic_grad(&x);
    assert_close(&generic, &want, 1e-13, "generic pyramid");
    let (_, generic32) = pyramid_generic_grad(&[0.5_f32, 2.0, 1.5]);
    assert!((generic32[1] - 2.0 * 0.5 * 2.0 * 1.5).abs() < 1e-5, "f32: {generic32:?}");
    // Its Hessian: exponents (1, 3, 3, 1) of (a, b, c, d).
    let (_, _, h) = pyramid_hessian(&x);
    let powers = [1, 3, 3, 1];
    let f = a * b.powi(3) * c.powi(3) * d;
    let want = |i: usize, j: usize| {
        let (pi, pj) = (powers[i] as f64, powers[j] as f64);
        if i == j { f * pi * (pi - 1.0) / (x[i] * x[i]) } else { f * pi * pj / (x[i] * x[j]) }
    };
    hessian_against("pyramid", &h, &want, &|q| pyramid_grad(q).1, &x, 1e-12);
}

#[test]
fn a_polyline_refined_by_midpoints_grows_each_round() {
    let x = [0.3, 1.2, -0.5, 0.9];
    for rounds in [0, 1, 3] {
        let (value, g) = refined_grad(&x, rounds);
        assert!((value - refined(&x, rounds)).abs() < 1e-12);
        let fd = central_gradient(|q| refined(q, rounds), &x);
        assert_close(&g, &fd, 1e-8, "refined against differences");
        let v = vec![-0.2, 0.5, 1.0, 0.3];
        let (_, jvp) = refined_jvp(&x, rounds, v.clone());
        let (_, pullback) = refined_vjp(&x, rounds);
        forward_against_reverse("refined", jvp, &v, 0.9, &pullback(0.9), 1e-12);
    }
    // One round of two points: a, m, b with m = (a + b) / 2 + ab / 10.
    let (a, b) = (0.3, 1.2);
    let m = 0.5 * (a + b) + 0.1 * a * b;
    let (_, g) = refined_grad(&[a, b], 1);
    let want = [2.0 * a + 2.0 * m * (0.5 + 0.1 * b), 2.0 * b + 2.0 * m * (0.5 + 0.1 * a)];
    assert_close(&g, &want, 1e-14, "one round against the closed form");
}

#[test]
fn a_vec_collected_per_row_as_long_as_the_row() {
    let rows = vec![vec![1.0, 2.0], vec![0.5, -1.0, 4.0, 3.0], vec![], vec![2.5]];
    let total: f64 = rows.iter().flatten().sum();
    let x = 0.8;
    let (value, g) = rows_scaled_grad(x, &rows);
    assert!((value - total * x * x).abs() < 1e-14);
    assert!((g - 2.0 * total * x).abs() < 1e-14, "{g} against {}", 2.0 * total * x);
    let fd = common::central(&|q: &[f64]| rows_scaled(q[0], &rows), &[x], 0);
    assert!((g - fd).abs() < 1e-8);
    let (_, jvp) = rows_scaled_jvp(x, &rows, 1.0);
    let (_, pullback) = rows_scaled_vjp(x, &rows);
    forward_against_reverse("rows scaled", jvp, &[1.0], 0.5, &[pullback(0.5)], 1e-14);
}

/// `dot` of this crate, a `#[differentiable]` helper.
#[differentiable]
fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(p, q)| p * q).sum()
}

/// The activations copied before each layer and the copy passed to `dot`, as the help of ui
/// `loops/borrowed_then_written_after` says (passing `&h` itself there is our error).
#[differentiable(wrt(x))]
fn network_through_dot(layers: &[Layer], x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for layer in layers {
        let prev = h.clone();
        h = layer.w.iter().zip(&layer.b).map(|(row, b)| (dot(row, &prev) + b).tanh()).collect();
    }
    h.iter().sum()
}

/// Each unit's score, the rows of the constant layers passed to a differentiable helper
/// (`dot(row, x)` of `layer.w`; before, "a row of a nested array taken whole").
#[differentiable(wrt(x))]
fn scores(layers: &[Layer], x: &[f64]) -> f64 {
    let mut s = 0.0;
    for layer in layers {
        for (row, b) in layer.w.iter().zip(&layer.b) {
            s += (dot(row, x) + b).tanh();
        }
    }
    s
}

/// The previous activations copied each layer (made anew at their length; in a function
/// generic over its float type, ui `loops/copy_of_a_resized_vec`).
#[differentiable(wrt(x))]
fn network_with_a_copy(widths: &[usize], x: &[f64]) -> f64 {
    let mut h = x.to_vec();
    for &n in widths {
        let prev = h.clone();
        h = (0..n).map(|i| (prev.iter().sum::<f64>() * (i as f64 + 1.0)).tanh()).collect();
    }
    h.iter().sum()
}

#[test]
fn rows_of_constant_layers_passed_to_a_helper() {
    let layers: Vec<Layer> = layers().into_iter().filter(|l| l.w[0].len() == 3).collect();
    let x = [0.3, -0.2, 0.9];
    let (value, g) = scores_grad(&layers, &x);
    assert!((value - scores(&layers, &x)).abs() < 1e-15);
    // d/dx_j Σ tanh(w_r · x + b_r) = Σ_r (1 - tanh²) w_rj.
    let mut want = [0.0; 3];
    for layer in &layers {
        for (row, b) in layer.w.iter().zip(&layer.b) {
            let t = (row.iter().zip(&x).map(|(a, c)| a * c).sum::<f64>() + b).tanh();
            for (w, r) in want.iter_mut().zip(row) {
                *w += (1.0 - t * t) * r;
            }
        }
    }
    assert_close(&g, &want, 1e-14, "scores against the closed form");
    assert_close(&g, &central_gradient(|q| scores(&layers, q), &x), 1e-8, "scores against differences");
    let v = vec![-0.6, 0.2, 1.1];
    let (_, jvp) = scores_jvp(&layers, &x, v.clone());
    let (_, pullback) = scores_vjp(&layers, &x);
    forward_against_reverse("scores", jvp, &v, 0.9, &pullback(0.9), 1e-12);
}

/// The same generic over the float type, the copy collected with its type as the help of ui
/// `loops/copy_of_a_resized_vec` says.
#[allow(clippy::iter_cloned_collect)] // the help's form (`to_vec()` is our error here)
#[differentiable(wrt(x))]
fn network_with_a_copy_generic<T: Float>(widths: &[usize], x: &[T]) -> T {
    let mut h = x.to_vec();
    for &n in widths {
        let prev: Vec<T> = h.iter().copied().collect();
        h = (0..n)
            .map(|i| (prev.iter().fold(T::zero(), |a, &b| a + b) * T::from(i + 1).unwrap()).tanh())
            .collect();
    }
    h.iter().fold(T::zero(), |a, &b| a + b)
}

#[test]
fn a_copy_made_in_the_loop_that_resizes_its_source() {
    let widths = [4, 2, 3];
    let x = [0.3, -0.2, 0.9];
    let (value, g) = network_with_a_copy_grad(&widths, &x);
    assert!((value - network_with_a_copy(&widths, &x)).abs() < 1e-15);
    // The result depends on x through Σ x alone: every entry of the gradient is the same.
    assert!(g.iter().all(|gi| (gi - g[0]).abs() < 1e-15), "{g:?}");
    let fd = central_gradient(|q| network_with_a_copy(&widths, q), &x);
    assert_close(&g, &fd, 1e-8, "copy against differences");
    let v = vec![0.5, 1.0, -0.25];
    let (_, jvp) = network_with_a_copy_jvp(&widths, &x, v.clone());
    let (_, pullback) = network_with_a_copy_vjp(&widths, &x);
    forward_against_reverse("copy", jvp, &v, 0.8, &pullback(0.8), 1e-12);
    let (generic_value, generic) = network_with_a_copy_generic_grad(&widths, &x);
    assert!((generic_value - value).abs() < 1e-15);
    assert_close(&generic, &g, 1e-15, "generic copy");
}

#[test]
fn a_copy_of_the_activations_passed_to_a_helper() {
    let layers = layers();
    let x = [0.3, -0.2, 0.9];
    let (value, g) = network_through_dot_grad(&layers, &x);
    assert!((value - network(&layers, &x)).abs() < 1e-15);
    let want = backpropagation(&layers, &x, |h| vec![1.0; h.len()]);
    assert_close(&g, &want, 1e-12, "through dot against backpropagation");
    let fd = central_gradient(|q| network_through_dot(&layers, q), &x);
    assert_close(&g, &fd, 1e-8, "through dot against differences");
    let v = vec![0.4, -1.3, 0.8];
    let (_, jvp) = network_through_dot_jvp(&layers, &x, v.clone());
    let (_, pullback) = network_through_dot_vjp(&layers, &x);
    forward_against_reverse("through dot", jvp, &v, 1.7, &pullback(1.7), 1e-12);
}
