//! Generated gradients against careful hand-written ones, on the same inputs in one run.
//!
//! `cargo bench --bench gradients`. Compare the ratios generated / hand-written of one run, not
//! absolute times (machines are shared and noisy).

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};

#[path = "../tests/common/functions.rs"]
mod functions;

use functions::*;

#[path = "../tests/common/long_chain.rs"]
mod long_chain;

/// `_jvp` takes its tangents by value: each iteration gets its own copy, made outside the timed
/// region (the copy is the caller's work, not the derivative's; for the MLP it is 100 000
/// parameters).
fn bench_jvp<T: Clone, O>(group: &mut BenchmarkGroup<WallTime>, tangent: &T, jvp: impl Fn(T) -> O) {
    group.bench_function("tapeless_jvp", |b| b.iter_batched(|| tangent.clone(), &jvp, BatchSize::LargeInput));
}

// ---- F1 Rosenbrock ----------------------------------------------------------------------------

fn f1_input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect()
}

fn bench_rosenbrock(c: &mut Criterion) {
    for n in [2, 100, 10_000, 1_000_000] {
        let x = f1_input(n);
        let (generated, hand) = (rosenbrock_grad(&x), rosenbrock_hand(&x));
        assert!((generated.0 - hand.0).abs() <= 1e-12 * hand.0.abs());
        for (a, b) in generated.1.iter().zip(&hand.1) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "generated {a} vs hand-written {b}");
        }
        let mut group = c.benchmark_group(format!("rosenbrock_{n}"));
        group.bench_function("primal", |b| b.iter(|| rosenbrock(black_box(&x))));
        group.bench_function("hand_written", |b| b.iter(|| rosenbrock_hand(black_box(&x))));
        group.bench_function("tapeless_grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
        group.bench_function("tapeless_grad_chain", |b| b.iter(|| rosenbrock_chain_grad(black_box(&x))));
        group.bench_function("tapeless_grad_powi", |b| b.iter(|| rosenbrock_powi_grad(black_box(&x))));
        let terms = rosenbrock_terms_grad(&x);
        for (a, b) in terms.1.iter().zip(&hand.1) {
            assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "by terms {a} vs hand-written {b}");
        }
        group.bench_function("tapeless_grad_terms", |b| b.iter(|| rosenbrock_terms_grad(black_box(&x))));
        let v = vec![1.0; n];
        bench_jvp(&mut group, &v, |v| rosenbrock_jvp(black_box(&x), v));
        group.bench_function("hand_written_jvp", |b| b.iter(|| rosenbrock_jvp_hand(black_box(&x), &v)));
        group.finish();
    }
}

// ---- F3 conv2d --------------------------------------------------------------------------------

/// The F3 inputs of shared/bench-functions.md (LCG seeds 5 and 6).
fn f3_inputs() -> (Vec<f64>, Vec<f64>) {
    fn lcg(seed: u64, n: usize, scale: f64) -> Vec<f64> {
        let mut s = seed;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                scale * (2.0 * ((s >> 11) as f64 * 2f64.powi(-53)) - 1.0)
            })
            .collect()
    }
    (lcg(5, 28 * 28 * 3, 1.0), lcg(6, 3 * 3 * 3 * 10, 0.2))
}

fn bench_conv(c: &mut Criterion) {
    let (x, f) = f3_inputs();
    let (loss, (gx, gf)) = conv_loss_grad(&x, &f, 28, 28, 3, 10, 3);
    let (hand_loss, hand_gx, hand_gf) = conv_hand(&x, &f, 28, 28, 3, 10, 3);
    assert!((loss - hand_loss).abs() <= 1e-12 * hand_loss);
    for (a, b) in gx.iter().zip(&hand_gx).chain(gf.iter().zip(&hand_gf)) {
        assert!((a - b).abs() <= 1e-10 * b.abs().max(1e-3), "generated {a} vs hand-written {b}");
    }
    let mut group = c.benchmark_group("conv2d_28x28x3_3x3x3x10");
    group.bench_function("primal", |b| b.iter(|| conv_loss(black_box(&x), black_box(&f), 28, 28, 3, 10, 3)));
    group.bench_function("hand_written", |b| {
        b.iter(|| conv_hand(black_box(&x), black_box(&f), 28, 28, 3, 10, 3))
    });
    group.bench_function("tapeless_grad", |b| {
        b.iter(|| conv_loss_grad(black_box(&x), black_box(&f), 28, 28, 3, 10, 3))
    });
    let (dx, df) = (vec![1.0; x.len()], vec![1.0; f.len()]);
    bench_jvp(&mut group, &(dx, df), |(dx, df)| {
        conv_loss_jvp(black_box(&x), black_box(&f), 28, 28, 3, 10, 3, dx, df)
    });
    group.finish();
}

fn bench_logistic(c: &mut Criterion) {
    let (x, y, w) = f2_inputs();
    let mut group = c.benchmark_group("logistic_nll_1000x100");
    group.bench_function("primal", |b| b.iter(|| logistic_nll(black_box(&w), &x, &y)));
    group.bench_function("hand_written", |b| b.iter(|| logistic_nll_hand(black_box(&w), &x, &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| logistic_nll_grad(black_box(&w), &x, &y)));
    group
        .bench_function("tapeless_grad_chain", |b| b.iter(|| logistic_nll_chain_grad(black_box(&w), &x, &y)));
    let v = vec![1.0; w.len()];
    bench_jvp(&mut group, &v, |v| logistic_nll_jvp(black_box(&w), &x, &y, v));
    group.finish();
}

/// F2 written with nalgebra (`DMatrix`), against a hand-written nalgebra gradient.
fn bench_logistic_nalgebra(c: &mut Criterion) {
    let (x, y, w) = f2_inputs_nalgebra();
    let (generated, hand) = (logistic_nll_nalgebra_grad(&w, &x, &y), logistic_nll_nalgebra_hand(&w, &x, &y));
    assert!((generated.0 - hand.0).abs() <= 1e-12 * hand.0);
    for (a, b) in generated.1.iter().zip(hand.1.iter()) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "generated {a} vs hand-written {b}");
    }
    let mut group = c.benchmark_group("logistic_nll_nalgebra_1000x100");
    group.bench_function("primal", |b| b.iter(|| logistic_nll_nalgebra(black_box(&w), &x, &y)));
    group.bench_function("hand_written", |b| b.iter(|| logistic_nll_nalgebra_hand(black_box(&w), &x, &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| logistic_nll_nalgebra_grad(black_box(&w), &x, &y)));
    let v = nalgebra::DVector::from_element(w.len(), 1.0);
    bench_jvp(&mut group, &v, |v| logistic_nll_nalgebra_jvp(black_box(&w), &x, &y, v));
    group.finish();
}

/// F4 written with nalgebra (`x * y.transpose()` as a `DMatrix`, summed).
fn bench_outer_nalgebra(c: &mut Criterion) {
    let x = nalgebra::DVector::from_fn(1000, |i, _| 0.5 + 0.001 * i as f64);
    let y = nalgebra::DVector::from_fn(1000, |j, _| 1.0 - 0.0005 * j as f64);
    let (generated, hand) =
        (outer_product_sum_nalgebra_grad(&x, &y), outer_product_sum_nalgebra_hand(&x, &y));
    assert!((generated.0 - hand.0).abs() <= 1e-12 * hand.0);
    let (g, h) = (generated.1, (hand.1, hand.2));
    for (a, b) in g.0.iter().zip(h.0.iter()).chain(g.1.iter().zip(h.1.iter())) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0), "generated {a} vs hand-written {b}");
    }
    let mut group = c.benchmark_group("outer_product_sum_nalgebra_1000");
    group.bench_function("primal", |b| b.iter(|| outer_product_sum_nalgebra(black_box(&x), &y)));
    group.bench_function("hand_written", |b| b.iter(|| outer_product_sum_nalgebra_hand(black_box(&x), &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| outer_product_sum_nalgebra_grad(black_box(&x), &y)));
    let (dx, dy) = (x.clone(), y.clone());
    bench_jvp(&mut group, &(dx, dy), |(dx, dy)| outer_product_sum_nalgebra_jvp(black_box(&x), &y, dx, dy));
    group.finish();
}

/// F5, the 784-128-10 MLP (batch 32), parameters in a derived struct of nalgebra matrices.
fn bench_mlp(c: &mut Criterion) {
    let (p, x, labels, onehot) = f5_inputs();
    let ((loss, g), (hand_loss, h)) = (mlp_loss_grad(&p, &x, &onehot), mlp_loss_hand(&p, &x, &labels));
    assert!((loss - hand_loss).abs() <= 1e-12 * hand_loss);
    let pairs = [(&g.w1, &h.w1), (&g.w2, &h.w2)];
    for (a, b) in pairs.iter().flat_map(|(a, b)| a.iter().zip(b.iter())) {
        assert!((a - b).abs() <= 1e-10 * b.abs().max(1e-3), "generated {a} vs hand-written {b}");
    }
    for (a, b) in g.b1.iter().zip(h.b1.iter()).chain(g.b2.iter().zip(h.b2.iter())) {
        assert!((a - b).abs() <= 1e-10 * b.abs().max(1e-3), "generated {a} vs hand-written {b}");
    }
    let mut group = c.benchmark_group("mlp_32x784x128x10");
    group.bench_function("primal", |b| b.iter(|| mlp_loss(black_box(&p), &x, &onehot)));
    group.bench_function("hand_written", |b| b.iter(|| mlp_loss_hand(black_box(&p), &x, &labels)));
    group.bench_function("tapeless_grad", |b| b.iter(|| mlp_loss_grad(black_box(&p), &x, &onehot)));
    let d = p.clone();
    bench_jvp(&mut group, &d, |d| mlp_loss_jvp(black_box(&p), &x, &onehot, d));
    group.finish();
}

fn bench_outer(c: &mut Criterion) {
    let x: Vec<f64> = (0..1000).map(|i| 0.5 + 0.001 * i as f64).collect();
    let y: Vec<f64> = (0..1000).map(|j| 1.0 - 0.0005 * j as f64).collect();
    let mut group = c.benchmark_group("outer_product_sum_1000");
    group.bench_function("primal", |b| b.iter(|| outer_product_sum(black_box(&x), &y)));
    group.bench_function("hand_written", |b| b.iter(|| outer_product_sum_hand(black_box(&x), &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| outer_product_sum_grad(black_box(&x), &y)));
    let (dx, dy) = (vec![1.0; x.len()], vec![1.0; y.len()]);
    bench_jvp(&mut group, &(dx, dy), |(dx, dy)| outer_product_sum_jvp(black_box(&x), &y, dx, dy));
    group.finish();
}

fn bench_black_scholes(c: &mut Criterion) {
    let mut group = c.benchmark_group("black_scholes");
    let p = || black_box((100.0, 105.0, 0.75, 0.03, 0.2));
    group.bench_function("primal", |b| {
        b.iter(|| {
            let (s, k, t, r, v) = p();
            black_scholes(s, k, t, r, v)
        })
    });
    group.bench_function("hand_written", |b| {
        b.iter(|| {
            let (s, k, t, r, v) = p();
            black_scholes_hand(s, k, t, r, v)
        })
    });
    group.bench_function("tapeless_grad", |b| {
        b.iter(|| {
            let (s, k, t, r, v) = p();
            black_scholes_grad(s, k, t, r, v)
        })
    });
    group.bench_function("tapeless_jvp", |b| {
        b.iter(|| {
            let (s, k, t, r, v) = p();
            black_scholes_jvp(s, k, t, r, v, 1.0, 0.0, 0.0, 0.0, 0.0)
        })
    });
    group.finish();
}

// ---- Jacobian: 100 residuals of 5 parameters -------------------------------------------------

fn bench_jacobian(c: &mut Criterion) {
    let (p, t, y) = fit_inputs();
    let (j, hand) = (fit_residuals_jacobian(&p, &t, &y).1, fit_residuals_hand(&p, &t, &y).1);
    assert!((j - &hand).abs().max() <= 1e-12 * hand.abs().max());
    let mut group = c.benchmark_group("jacobian_fit_100x5");
    group.bench_function("primal", |b| b.iter(|| fit_residuals(black_box(&p), &t, &y)));
    group.bench_function("hand_written", |b| b.iter(|| fit_residuals_hand(black_box(&p), &t, &y)));
    group.bench_function("tapeless_jacobian", |b| b.iter(|| fit_residuals_jacobian(black_box(&p), &t, &y)));
    group.finish();
}

// ---- A 1 800-statement chain, whose `_grad` calls `_vjp` and its pullback ----------------------

fn bench_long_chain(c: &mut Criterion) {
    let (x, y) = (0.3, 0.7);
    let (generated, hand) = (long_chain::big_grad(x, y), long_chain::big_hand(x, y));
    for (a, b) in [(generated.1.0, hand.1.0), (generated.1.1, hand.1.1)] {
        assert!((a - b).abs() <= 1e-9 * b.abs(), "generated {a} vs hand-written {b}");
    }
    let mut group = c.benchmark_group("long_chain_1800");
    group.bench_function("primal", |b| b.iter(|| long_chain::big(black_box(x), y)));
    group.bench_function("hand_written", |b| b.iter(|| long_chain::big_hand(black_box(x), y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| long_chain::big_grad(black_box(x), y)));
    group.bench_function("tapeless_jvp", |b| b.iter(|| long_chain::big_jvp(black_box(x), y, 1.0, 0.0)));
    group.finish();
}

/// A `DVector` state reassigned in a loop (nineteenth session): 10 steps of descent, n = 50.
fn bench_unrolled_descent(c: &mut Criterion) {
    let (x0, h) = descent_inputs(50);
    let (generated, hand) =
        (unrolled_descent_grad(&x0, &h, 0.1, 10), unrolled_descent_hand(&x0, &h, 0.1, 10));
    assert!((generated.1 - &hand.1).norm() <= 1e-12 * hand.1.norm(), "generated and hand-written differ");
    let mut group = c.benchmark_group("unrolled_descent_50x10");
    group.bench_function("primal", |b| b.iter(|| unrolled_descent(black_box(&x0), &h, 0.1, 10)));
    group.bench_function("hand_written", |b| b.iter(|| unrolled_descent_hand(black_box(&x0), &h, 0.1, 10)));
    group.bench_function("tapeless_grad", |b| b.iter(|| unrolled_descent_grad(black_box(&x0), &h, 0.1, 10)));
    group.finish();
}

criterion_group!(
    benches,
    bench_unrolled_descent,
    bench_long_chain,
    bench_jacobian,
    bench_rosenbrock,
    bench_conv,
    bench_logistic,
    bench_logistic_nalgebra,
    bench_outer,
    bench_outer_nalgebra,
    bench_mlp,
    bench_black_scholes
);
criterion_main!(benches);
