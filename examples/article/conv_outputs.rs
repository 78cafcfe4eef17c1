//! Article 002: conv outputs (gradients of an intermediate): the cases written as ordinary Rust with `#[differentiable]`, and the rows of
//! the tour (what TensorFlow 2.21 really does, from shared/tape-cases/TRUTH.md, and what tapeless
//! does).
#![allow(dead_code)]

use super::Row;
#[allow(unused_imports)]
use tapeless::{differentiable, no_grad, piecewise};

/// 002: conv2d (SAME padding, stride 1, cross-correlation; HWC input, HWIO filter). The
/// intermediate `convOutputs` is this function's result.
#[differentiable(wrt(x, f))]
#[allow(clippy::too_many_arguments)]
pub fn conv2d(x: &[f64], f: &[f64], hh: usize, ww: usize, ci: usize, co: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0.0; hh * ww * co];
    let pad = (k - 1) / 2;
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
    out
}

/// 002: `loss = mean(square(convOutputs))`.
#[differentiable]
pub fn mean_square(c: &[f64]) -> f64 {
    let mut s = 0.0;
    for v in c.iter() {
        s += v * v;
    }
    s / c.len() as f64
}

/// 002's deterministic inputs (TRUTH.md), rounded through `f32` as TensorFlow saw them.
pub fn conv_inputs() -> (Vec<f64>, Vec<f64>) {
    let x = (0..28 * 28 * 3).map(|i| (((i % 11) as f64 - 5.0) / 5.0) as f32 as f64).collect();
    let f = (0..3 * 3 * 3 * 10).map(|j| ((j % 7) as f64 - 3.0) / 4.0).collect();
    (x, f)
}

/// 002: one forward evaluation, then the pullback chain gives the gradient with respect to the
/// intermediate and, through it, the filter and the input: `(loss, dL/dconv, dL/dx, dL/df)`.
pub fn conv_gradients(x: &[f64], f: &[f64]) -> (f64, Vec<f64>, Vec<f64>, Vec<f64>) {
    let (c, conv_pullback) = conv2d_vjp(x, f, 28, 28, 3, 10, 3);
    let (loss, loss_pullback) = mean_square_vjp(&c);
    let dconv = loss_pullback(1.0);
    let (dx, df) = conv_pullback(dconv.clone());
    (loss, dconv, dx, df)
}

pub fn rows() -> Vec<Row> {
    let (x, f) = conv_inputs();
    let (loss, dconv, dx, df) = conv_gradients(&x, &f);
    let sum = |v: &[f64]| v.iter().sum::<f64>();
    vec![Row {
        id: "002-ex1/2",
        construct: "dL/dconvOutputs and dL/dfilter",
        tape: "1st call: 2 conv/7840; 2nd: RuntimeError",
        tapeless: format!(
            "loss {:.9}; sums: dL/dconv {:.9e}, dL/dfilter {:.9e}, dL/dinput {:.9e} (one forward pass)",
            loss,
            sum(&dconv),
            sum(&df),
            sum(&dx)
        ),
    }]
}
