//! Functions shared by tests and benchmarks: each differentiated by the macro and written by
//! hand, so both can be checked against each other and timed side by side.
#![allow(dead_code, clippy::needless_range_loop)]

use nalgebra::{DMatrix, DVector};
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

// ---- F2 logistic-regression NLL -------------------------------------------------------------

/// `L(w) = sum_i ln(1 + exp(-y_i (X_i . w)))`, X row-major m x d.
#[differentiable(wrt(w))]
pub fn logistic_nll(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let d = w.len();
    let mut total = 0.0;
    for i in 0..y.len() {
        let mut z = 0.0;
        for j in 0..d {
            z += x[i * d + j] * w[j];
        }
        total += (-y[i] * z).exp().ln_1p();
    }
    total
}

pub fn logistic_nll_hand(w: &[f64], x: &[f64], y: &[f64]) -> (f64, Vec<f64>) {
    let d = w.len();
    let mut g = vec![0.0; d];
    let mut total = 0.0;
    for i in 0..y.len() {
        let row = &x[i * d..(i + 1) * d];
        let z: f64 = row.iter().zip(w).map(|(a, b)| a * b).sum();
        let e = (-y[i] * z).exp();
        total += e.ln_1p();
        let coef = -y[i] * e / (1.0 + e);
        for j in 0..d {
            g[j] += coef * row[j];
        }
    }
    (total, g)
}

/// F2 with nalgebra, as a user writes it: margins `-y ∘ (X w)`, then `ln(1 + exp(.))` summed.
#[differentiable(wrt(w))]
pub fn logistic_nll_nalgebra(w: &DVector<f64>, x: &DMatrix<f64>, y: &DVector<f64>) -> f64 {
    let margins = -y.component_mul(&(x * w));
    margins.map(|t| t.exp().ln_1p()).sum()
}

/// F2's value and gradient `Xᵀ r` with `r_i = -y_i σ(-y_i z_i)`, by hand with nalgebra.
pub fn logistic_nll_nalgebra_hand(
    w: &DVector<f64>,
    x: &DMatrix<f64>,
    y: &DVector<f64>,
) -> (f64, DVector<f64>) {
    let z = x * w;
    let mut loss = 0.0;
    let mut r = DVector::zeros(z.len());
    for i in 0..z.len() {
        let e = (-y[i] * z[i]).exp();
        loss += e.ln_1p();
        r[i] = -y[i] * e / (1.0 + e);
    }
    (loss, x.tr_mul(&r))
}

/// F2's inputs as nalgebra values.
pub fn f2_inputs_nalgebra() -> (DMatrix<f64>, DVector<f64>, DVector<f64>) {
    let (x, y, w) = f2_inputs();
    (DMatrix::from_row_slice(1000, 100, &x), DVector::from_vec(y), DVector::from_vec(w))
}

// ---- F4 sum of an explicit outer product ----------------------------------------------------

/// `M = x y^T` materialised, then summed.
#[differentiable]
pub fn outer_product_sum(x: &[f64], y: &[f64]) -> f64 {
    let (n, m) = (x.len(), y.len());
    let mut mat = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = x[i] * y[j];
        }
    }
    let mut s = 0.0;
    for v in mat.iter() {
        s += v;
    }
    s
}

pub fn outer_product_sum_hand(x: &[f64], y: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let (n, m) = (x.len(), y.len());
    let mut mat = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = x[i] * y[j];
        }
    }
    let s = mat.iter().sum::<f64>();
    let (sx, sy) = (x.iter().sum::<f64>(), y.iter().sum::<f64>());
    (s, vec![sy; n], vec![sx; m])
}

/// F4 with nalgebra: the outer product `x yᵀ` as a `DMatrix`, summed.
#[differentiable]
pub fn outer_product_sum_nalgebra(x: &DVector<f64>, y: &DVector<f64>) -> f64 {
    (x * y.transpose()).sum()
}

/// F4 by hand with nalgebra: the matrix is built (the function's definition), the gradient is
/// `(sum(y), ..)`, `(sum(x), ..)`.
pub fn outer_product_sum_nalgebra_hand(
    x: &DVector<f64>,
    y: &DVector<f64>,
) -> (f64, DVector<f64>, DVector<f64>) {
    let s = (x * y.transpose()).sum();
    (s, DVector::from_element(x.len(), y.sum()), DVector::from_element(y.len(), x.sum()))
}

// ---- F6 Black-Scholes call ------------------------------------------------------------------

/// The call price; `N(z) = (1 + erf(z / sqrt 2)) / 2`.
#[differentiable]
pub fn black_scholes(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    let n1 = 0.5 * (1.0 + tapeless::math::erf(d1 * std::f64::consts::FRAC_1_SQRT_2));
    let n2 = 0.5 * (1.0 + tapeless::math::erf(d2 * std::f64::consts::FRAC_1_SQRT_2));
    s * n1 - k * (-r * t).exp() * n2
}

/// The price and its five Greeks (delta, dC/dK, theta as dC/dT, rho, vega), by hand.
pub fn black_scholes_hand(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> (f64, [f64; 5]) {
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    let cdf = |z: f64| 0.5 * (1.0 + tapeless::math::erf(z * std::f64::consts::FRAC_1_SQRT_2));
    let pdf = |z: f64| (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let (n1, n2, discount) = (cdf(d1), cdf(d2), (-r * t).exp());
    let price = s * n1 - k * discount * n2;
    let greeks = [
        n1,
        -discount * n2,
        s * pdf(d1) * sigma / (2.0 * sqrt_t) + r * k * discount * n2,
        k * t * discount * n2,
        s * pdf(d1) * sqrt_t,
    ];
    (price, greeks)
}

/// The deterministic inputs of shared/bench-functions.md: an LCG stream.
pub fn lcg(seed: u64, n: usize, scale: f64, symmetric: bool) -> Vec<f64> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let u = (s >> 11) as f64 * 2f64.powi(-53);
            scale * if symmetric { 2.0 * u - 1.0 } else { u }
        })
        .collect()
}

/// F2's inputs: X (1000 x 100), labels, w.
pub fn f2_inputs() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let x = lcg(2, 1000 * 100, 1.0, true);
    let y = lcg(3, 1000, 1.0, false).into_iter().map(|u| if u < 0.5 { 1.0 } else { -1.0 }).collect();
    let w = lcg(4, 100, 0.1, true);
    (x, y, w)
}
