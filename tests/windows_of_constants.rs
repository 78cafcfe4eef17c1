//! `windows`/`chunks` of a constant collection whose elements are not floats (`data: &[(f64,
//! f64)]`, `&[Point]`, `self.points`), in a chain or a `for` loop: `w[j]` reads `data[i + j]`, a
//! constant, as a loop over the collection does. Each checked against its closed form, central
//! differences and forward against reverse; the time-stamp integral also to second order.

mod common;

use common::{central, close, direction, forward_against_reverse, gradient_central, hessian_against};
use tapeless::differentiable;

#[derive(Clone, Copy)]
struct Sample {
    t: f64,
    y: f64,
}

/// `s Σ (t_{k+1} - t_k)² y_{k+1}` over time-stamped samples held as tuples.
#[differentiable(wrt(s))]
fn weighted_steps(s: f64, p: &[(f64, f64)]) -> f64 {
    p.windows(2).map(|w| s * (w[1].0 - w[0].0).powi(2) * w[1].1).sum()
}

/// `Σ sin(s (t_{k+1} - t_k)) y_{k+1}` over a slice of structs, as a `for` loop.
#[differentiable(wrt(s))]
fn phase_steps(s: f64, p: &[Sample]) -> f64 {
    let mut acc = 0.0;
    for w in p.windows(2) {
        acc += (s * (w[1].t - w[0].t)).sin() * w[1].y;
    }
    acc
}

/// The trapezoid rule for `∫ x² dt` over uneven time stamps: `x` differentiated, the stamps a
/// constant collection of `(t, weight)` pairs, zipped window by window.
#[differentiable(hessian, wrt(x))]
fn trapezoid(x: &[f64], stamps: &[(f64, f64)]) -> f64 {
    x.windows(2)
        .zip(stamps.windows(2))
        .map(|(xw, tw)| 0.5 * (xw[0] * xw[0] + xw[1] * xw[1]) * (tw[1].0 - tw[0].0) * tw[1].1)
        .sum()
}

/// `e^s Σ_chunks c[0].y |c|`: chunks of a slice of structs, the last one shorter.
#[differentiable(wrt(s))]
fn chunk_heads(s: f64, p: &[Sample]) -> f64 {
    let mut acc = 0.0;
    for c in p.chunks(2) {
        acc += s.exp() * c[0].y * c.len() as f64;
    }
    acc
}

struct Series {
    samples: Vec<Sample>,
}

impl Series {
    /// `s² Σ (y_{k+1} - y_k)`, the windows of a field.
    #[differentiable(wrt(s))]
    fn rise(&self, s: f64) -> f64 {
        self.samples.windows(2).map(|w| s * s * (w[1].y - w[0].y)).sum::<f64>()
    }
}

const STAMPS: [(f64, f64); 5] = [(0.0, 1.0), (0.5, 2.0), (1.25, 0.5), (2.0, 1.5), (3.5, 1.0)];

fn samples() -> Vec<Sample> {
    STAMPS.iter().map(|&(t, y)| Sample { t, y }).collect()
}

/// One scalar `s`: the gradient against `want` and central differences, the JVP against it and
/// the pullback against the JVP.
fn check_scalar(name: &str, f: &dyn Fn(f64) -> f64, grad: (f64, f64), jvp: (f64, f64), back: f64, want: f64) {
    let (value, g) = grad;
    let s = 0.7;
    assert_eq!(value, f(s), "{name}: value");
    assert!(close(g, want, 1e-13), "{name}: {g} against the closed form {want}");
    gradient_central(name, &|q: &[f64]| f(q[0]), &[s], &[g], 1e-8);
    assert_eq!(jvp.0, value, "{name}: JVP value");
    forward_against_reverse(name, jvp.1, &[-1.3], 0.6, &[back], 1e-13);
}

#[test]
fn windows_of_tuples_and_structs() {
    let (s, p, q) = (0.7, STAMPS, samples());
    let steps: f64 = p.windows(2).map(|w| (w[1].0 - w[0].0).powi(2) * w[1].1).sum();
    let (_, pb) = weighted_steps_vjp(s, &p);
    check_scalar(
        "weighted_steps",
        &|s| weighted_steps(s, &p),
        weighted_steps_grad(s, &p),
        weighted_steps_jvp(s, &p, -1.3),
        pb(0.6),
        steps,
    );

    let phase: f64 = q.windows(2).map(|w| (w[1].t - w[0].t) * (s * (w[1].t - w[0].t)).cos() * w[1].y).sum();
    let (_, pb) = phase_steps_vjp(s, &q);
    check_scalar(
        "phase_steps",
        &|s| phase_steps(s, &q),
        phase_steps_grad(s, &q),
        phase_steps_jvp(s, &q, -1.3),
        pb(0.6),
        phase,
    );

    // Chunks [0, 1], [2, 3], [4]: heads 1.0, 0.5, 1.0 with lengths 2, 2, 1.
    let heads = s.exp() * (1.0 * 2.0 + 0.5 * 2.0 + 1.0);
    let (_, pb) = chunk_heads_vjp(s, &q);
    check_scalar(
        "chunk_heads",
        &|s| chunk_heads(s, &q),
        chunk_heads_grad(s, &q),
        chunk_heads_jvp(s, &q, -1.3),
        pb(0.6),
        heads,
    );

    let series = Series { samples: q.clone() };
    let (_, pb) = series.rise_vjp(s);
    check_scalar(
        "rise",
        &|s| series.rise(s),
        series.rise_grad(s),
        series.rise_jvp(s, -1.3),
        pb(0.6),
        2.0 * s * (1.0 - 1.0),
    );
    // The rise telescopes to y_last - y_first = 0 here: check a nonzero one too.
    let mut steep = q.clone();
    steep[4].y = 4.0;
    let steep = Series { samples: steep };
    assert!(close(steep.rise_grad(s).1, 2.0 * s * 3.0, 1e-14));
}

#[test]
fn a_trapezoid_over_time_stamps_to_second_order() {
    let x = [0.3, -0.2, 1.1, 0.5, 0.9];
    let f = |x: &[f64]| trapezoid(x, &STAMPS);
    // d/dx_k: x_k times the weights of the two intervals it ends.
    let weight = |k: usize| (STAMPS[k + 1].0 - STAMPS[k].0) * STAMPS[k + 1].1;
    let want = |k: usize| {
        let left = if k > 0 { weight(k - 1) } else { 0.0 };
        let right = if k + 1 < x.len() { weight(k) } else { 0.0 };
        x[k] * (left + right)
    };
    let (value, g) = trapezoid_grad(&x, &STAMPS);
    assert_eq!(value, f(&x));
    for (k, gk) in g.iter().enumerate() {
        assert!(close(*gk, want(k), 1e-14), "d/dx{k} = {gk} against {}", want(k));
        assert!(close(*gk, central(&f, &x, k), 1e-8));
    }
    let v = direction(x.len(), 3);
    let (_, t) = trapezoid_jvp(&x, &STAMPS, v.clone());
    let (_, pb) = trapezoid_vjp(&x, &STAMPS);
    forward_against_reverse("trapezoid", t, &v, 0.6, &pb(0.6), 1e-13);
    let (hv, hg, h) = trapezoid_hessian(&x, &STAMPS);
    assert_eq!((hv, hg), (value, g));
    let diagonal = |k: usize| want(k) / x[k];
    hessian_against(
        "trapezoid",
        &h,
        &|i, j| if i == j { diagonal(i) } else { 0.0 },
        &|q: &[f64]| trapezoid_grad(q, &STAMPS).1,
        &x,
        1e-14,
    );
}
