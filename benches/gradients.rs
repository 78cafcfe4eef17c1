//! Generated gradients against careful hand-written ones, on the same inputs in one run.
//!
//! `cargo bench --bench gradients`. Compare the ratios generated / hand-written of one run, not
//! absolute times (machines are shared and noisy).

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop)]

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use tapeless::differentiable;

// ---- F1 Rosenbrock ----------------------------------------------------------------------------

#[differentiable]
fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// The analytic gradient, one pass, as a careful person writes it.
fn rosenbrock_hand(x: &[f64]) -> (f64, Vec<f64>) {
    let n = x.len();
    let mut g = vec![0.0; n];
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        g[i] += -400.0 * a * x[i] - 2.0 * b;
        g[i + 1] += 200.0 * a;
    }
    (s, g)
}

fn f1_input(n: usize) -> Vec<f64> {
    (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect()
}

fn bench_rosenbrock(c: &mut Criterion) {
    for n in [100, 10_000] {
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
        let v = vec![1.0; n];
        group.bench_function("tapeless_jvp", |b| b.iter(|| rosenbrock_jvp(black_box(&x), v.clone())));
        group.finish();
    }
}

// ---- F3 conv2d --------------------------------------------------------------------------------

#[differentiable(wrt(x, f))]
#[allow(clippy::too_many_arguments)]
fn conv_loss(x: &[f64], f: &[f64], hh: usize, ww: usize, ci: usize, co: usize, k: usize) -> f64 {
    let mut out = vec![0.0; hh * ww * co];
    let pad = (k - 1) / 2;
    for h in 0..hh {
        for w in 0..ww {
            for kh in 0..k {
                for kw in 0..k {
                    if h + kh >= pad && h + kh - pad < hh && w + kw >= pad && w + kw - pad < ww {
                        let ih = h + kh - pad;
                        let iw = w + kw - pad;
                        for c in 0..ci {
                            let xv = x[(ih * ww + iw) * ci + c];
                            for o in 0..co {
                                let idx = (h * ww + w) * co + o;
                                out[idx] += xv * f[((kh * k + kw) * ci + c) * co + o];
                            }
                        }
                    }
                }
            }
        }
    }
    let n = out.len();
    let mut s = 0.0;
    for i in 0..n {
        s += out[i] * out[i];
    }
    s / n as f64
}

/// Forward pass, then the two adjoint loops (filter and input) written by hand.
#[allow(clippy::too_many_arguments)]
fn conv_hand(
    x: &[f64],
    f: &[f64],
    hh: usize,
    ww: usize,
    ci: usize,
    co: usize,
    k: usize,
) -> (f64, Vec<f64>, Vec<f64>) {
    let pad = (k - 1) / 2;
    let mut out = vec![0.0; hh * ww * co];
    for h in 0..hh {
        for w in 0..ww {
            for kh in 0..k {
                for kw in 0..k {
                    if h + kh >= pad && h + kh - pad < hh && w + kw >= pad && w + kw - pad < ww {
                        let (ih, iw) = (h + kh - pad, w + kw - pad);
                        for c in 0..ci {
                            let xv = x[(ih * ww + iw) * ci + c];
                            for o in 0..co {
                                out[(h * ww + w) * co + o] += xv * f[((kh * k + kw) * ci + c) * co + o];
                            }
                        }
                    }
                }
            }
        }
    }
    let n = out.len() as f64;
    let loss = out.iter().map(|v| v * v).sum::<f64>() / n;
    let gout: Vec<f64> = out.iter().map(|v| 2.0 * v / n).collect();
    let (mut gx, mut gf) = (vec![0.0; x.len()], vec![0.0; f.len()]);
    for h in 0..hh {
        for w in 0..ww {
            for kh in 0..k {
                for kw in 0..k {
                    if h + kh >= pad && h + kh - pad < hh && w + kw >= pad && w + kw - pad < ww {
                        let (ih, iw) = (h + kh - pad, w + kw - pad);
                        for c in 0..ci {
                            let xi = (ih * ww + iw) * ci + c;
                            let mut acc = 0.0;
                            for o in 0..co {
                                let g = gout[(h * ww + w) * co + o];
                                let fi = ((kh * k + kw) * ci + c) * co + o;
                                gf[fi] += x[xi] * g;
                                acc += f[fi] * g;
                            }
                            gx[xi] += acc;
                        }
                    }
                }
            }
        }
    }
    (loss, gx, gf)
}

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
    group.finish();
}

criterion_group!(benches, bench_rosenbrock, bench_conv);
criterion_main!(benches);
