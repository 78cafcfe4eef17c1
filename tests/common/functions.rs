//! Functions shared by tests and benchmarks: each differentiated by the macro and written by
//! hand, so both can be checked against each other and timed side by side.
#![allow(dead_code, clippy::needless_range_loop)]

use tapeless::differentiable;

#[differentiable]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// The analytic gradient, one pass, as a careful person writes it.
pub fn rosenbrock_hand(x: &[f64]) -> (f64, Vec<f64>) {
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

#[differentiable(wrt(x, f))]
#[allow(clippy::too_many_arguments)]
pub fn conv_loss(x: &[f64], f: &[f64], hh: usize, ww: usize, ci: usize, co: usize, k: usize) -> f64 {
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
pub fn conv_hand(
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
