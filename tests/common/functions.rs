//! Functions shared by tests and benchmarks: each differentiated by the macro and written by
//! hand, so both can be checked against each other and timed side by side.
#![allow(dead_code, clippy::needless_range_loop)]

use nalgebra::{DMatrix, DVector, RowDVector};
use tapeless::{Differentiable, differentiable};

#[differentiable(hessian)]
pub fn rosenbrock(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// F1 as a loop with the chain's arithmetic (`powi(2)`): separates the cost of the chain from
/// the cost of `powi` in the benchmark.
#[differentiable]
pub fn rosenbrock_powi(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// F1 as published crates write it: an iterator chain.
#[differentiable]
pub fn rosenbrock_chain(x: &[f64]) -> f64 {
    x.iter().zip(x.iter().skip(1)).map(|(&a, &b)| 100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2)).sum()
}

/// One term of F1, a differentiable helper.
#[differentiable]
pub fn rosenbrock_term(a: f64, b: f64) -> f64 {
    100.0 * (b - a * a).powi(2) + (1.0 - a).powi(2)
}

/// F1 through its helper called in the loop, as code split into small functions writes it.
#[differentiable]
pub fn rosenbrock_terms(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += rosenbrock_term(x[i], x[i + 1]);
    }
    s
}

/// The analytic directional derivative along `dx`, one pass, as a careful person writes it: the
/// floor a forward-mode derivative can be held to.
pub fn rosenbrock_jvp_hand(x: &[f64], dx: &[f64]) -> (f64, f64) {
    let (mut s, mut ds) = (0.0, 0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let da = dx[i + 1] - 2.0 * x[i] * dx[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
        ds += 200.0 * a * da - 2.0 * b * dx[i];
    }
    (s, ds)
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
#[differentiable(hessian, wrt(w))]
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

/// F2 written with iterator chains: a row's dot product as `zip` over a sub-slice.
#[differentiable(wrt(w))]
pub fn logistic_nll_chain(w: &[f64], x: &[f64], y: &[f64]) -> f64 {
    let d = w.len();
    y.iter()
        .enumerate()
        .map(|(i, &yi)| {
            let z: f64 = x[i * d..(i + 1) * d].iter().zip(w.iter()).map(|(a, b)| a * b).sum();
            (-yi * z).exp().ln_1p()
        })
        .sum()
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

// ---- F5 MLP 784-128-10 ----------------------------------------------------------------------

/// F5's parameters: `H = tanh(X W1 + b1)`, `Z = H W2 + b2`.
#[derive(Clone, Debug, Differentiable)]
pub struct Mlp {
    pub w1: DMatrix<f64>,
    pub b1: RowDVector<f64>,
    pub w2: DMatrix<f64>,
    pub b2: RowDVector<f64>,
}

/// F5: mean softmax cross-entropy of the 2-layer tanh network over the batch `x` (one row per
/// example), `onehot` the labels as rows of a one-hot matrix. Written as a user would with
/// nalgebra: biases broadcast as `ones * b`, row sums as a product with a column of ones.
#[differentiable(wrt(p))]
pub fn mlp_loss(p: &Mlp, x: &DMatrix<f64>, onehot: &DMatrix<f64>) -> f64 {
    let rows = DVector::from_element(x.nrows(), 1.0);
    let classes = DVector::from_element(onehot.ncols(), 1.0);
    let h = (x * &p.w1 + &rows * &p.b1).map(|a| a.tanh());
    let z = &h * &p.w2 + &rows * &p.b2;
    let logsumexp = (z.map(|e| e.exp()) * &classes).map(|s| s.ln());
    (logsumexp.sum() - z.component_mul(onehot).sum()) / x.nrows() as f64
}

/// F5's loss and gradient by hand with nalgebra: a stable log-sum-exp per row, softmax minus
/// one-hot, then the two layers backwards (`dW = Hᵀ dZ`, `db` = column sums, `dH = dZ W2ᵀ`,
/// `dA = dH ∘ (1 - H²)`). `Hᵀ dZ` is formed as a transpose and a blocked product: nalgebra's
/// `tr_mul` computes it as dot products, several times slower at these sizes.
pub fn mlp_loss_hand(p: &Mlp, x: &DMatrix<f64>, labels: &[usize]) -> (f64, Mlp) {
    let n = x.nrows() as f64;
    let mut a1 = x * &p.w1;
    for mut row in a1.row_iter_mut() {
        row += &p.b1;
    }
    let h = a1.map(|a| a.tanh());
    let mut z = &h * &p.w2;
    for mut row in z.row_iter_mut() {
        row += &p.b2;
    }
    let mut loss = 0.0;
    let mut dz = z.clone();
    for b in 0..z.nrows() {
        let m = z.row(b).max();
        let s: f64 = z.row(b).iter().map(|e| (e - m).exp()).sum();
        loss += m + s.ln() - z[(b, labels[b])];
        for c in 0..z.ncols() {
            let target = if c == labels[b] { 1.0 } else { 0.0 };
            dz[(b, c)] = ((z[(b, c)] - m).exp() / s - target) / n;
        }
    }
    let (w2, b2) = (h.transpose() * &dz, dz.row_sum());
    let mut dh = &dz * p.w2.transpose();
    dh.zip_apply(&h, |d, hv| *d *= 1.0 - hv * hv);
    let (w1, b1) = (x.transpose() * &dh, dh.row_sum());
    (loss / n, Mlp { w1, b1, w2, b2 })
}

/// F5's inputs: parameters, the batch X (32 x 784), the labels and their one-hot matrix.
pub fn f5_inputs() -> (Mlp, DMatrix<f64>, Vec<usize>, DMatrix<f64>) {
    let x = DMatrix::from_row_slice(32, 784, &lcg(7, 32 * 784, 1.0, false));
    let labels: Vec<usize> = (0..32).map(|b| (3 * b + 1) % 10).collect();
    let onehot = DMatrix::from_fn(32, 10, |b, c| if labels[b] == c { 1.0 } else { 0.0 });
    let p = Mlp {
        w1: DMatrix::from_row_slice(784, 128, &lcg(8, 784 * 128, 0.05, true)),
        b1: RowDVector::from_fn(128, |_, h| 0.01 * ((h % 7) as f64 - 3.0)),
        w2: DMatrix::from_row_slice(128, 10, &lcg(9, 128 * 10, 0.1, true)),
        b2: RowDVector::from_fn(10, |_, c| 0.01 * c as f64 - 0.05),
    };
    (p, x, labels, onehot)
}

// ---- F6 Black-Scholes call ------------------------------------------------------------------

/// The call price; `N(z) = (1 + erf(z / sqrt 2)) / 2`.
#[differentiable(hessian)]
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

// ---- A least-squares fit: 100 residuals of 5 parameters (the Jacobian benchmark) -------------

/// `r_i = a e^(-k t_i) + b sin(w t_i + phi) - y_i`.
#[differentiable(jacobian, wrt(p))]
pub fn fit_residuals(p: &[f64; 5], t: &[f64], y: &[f64]) -> Vec<f64> {
    let mut r = vec![0.0; t.len()];
    for i in 0..t.len() {
        r[i] = p[0] * (-p[1] * t[i]).exp() + p[2] * (p[3] * t[i] + p[4]).sin() - y[i];
    }
    r
}

/// The residuals and their Jacobian (row-major, `t.len()` x 5), by hand.
pub fn fit_residuals_hand(p: &[f64; 5], t: &[f64], y: &[f64]) -> (Vec<f64>, DMatrix<f64>) {
    let mut r = vec![0.0; t.len()];
    let mut j = DMatrix::zeros(t.len(), 5);
    for i in 0..t.len() {
        let e = (-p[1] * t[i]).exp();
        let (s, c) = (p[3] * t[i] + p[4]).sin_cos();
        r[i] = p[0] * e + p[2] * s - y[i];
        j[(i, 0)] = e;
        j[(i, 1)] = -p[0] * t[i] * e;
        j[(i, 2)] = s;
        j[(i, 3)] = p[2] * t[i] * c;
        j[(i, 4)] = p[2] * c;
    }
    (r, j)
}

/// The fit's inputs: 100 times in [0, 5) and data from known parameters.
pub fn fit_inputs() -> ([f64; 5], Vec<f64>, Vec<f64>) {
    let t: Vec<f64> = (0..100).map(|i| i as f64 * 0.05).collect();
    let y = t.iter().map(|ti| 1.5 * (-0.8 * ti).exp() + 0.3 * (2.0 * ti + 0.1).sin()).collect();
    ([1.2, 0.6, 0.25, 2.2, 0.0], t, y)
}

/// `steps` steps of gradient descent on `½ xᵀ H x` from `x₀`, then the loss: a `DVector` state
/// reassigned in a loop (the loop carries it owned, `emit::CarryLines`).
#[differentiable(wrt(x0))]
pub fn unrolled_descent(x0: &DVector<f64>, h: &DMatrix<f64>, lr: f64, steps: usize) -> f64 {
    let mut x = x0.clone();
    for _ in 0..steps {
        let g = h * &x;
        x -= g * lr;
    }
    0.5 * x.dot(&(h * &x))
}

/// [`unrolled_descent`] and its gradient by hand: forward keeping nothing but the final state
/// (each step is linear), backward `ḡ ← ḡ - lr Hᵀ ḡ` from `ḡ = ½ (H + Hᵀ) x_K`.
pub fn unrolled_descent_hand(
    x0: &DVector<f64>,
    h: &DMatrix<f64>,
    lr: f64,
    steps: usize,
) -> (f64, DVector<f64>) {
    let mut x = x0.clone();
    for _ in 0..steps {
        let g = h * &x;
        x -= g * lr;
    }
    let hx = h * &x;
    let value = 0.5 * x.dot(&hx);
    let mut g = (hx + h.tr_mul(&x)) * 0.5;
    for _ in 0..steps {
        let back = h.tr_mul(&g);
        g -= back * lr;
    }
    (value, g)
}

/// A symmetric positive definite `H` of size `n` and a start `x₀` for [`unrolled_descent`].
pub fn descent_inputs(n: usize) -> (DVector<f64>, DMatrix<f64>) {
    let a = DMatrix::from_fn(n, n, |i, j| ((i * 7 + j * 3) % 11) as f64 / 11.0 - 0.5);
    let h = a.tr_mul(&a) / n as f64 + DMatrix::identity(n, n);
    let x0 = DVector::from_fn(n, |i, _| 0.5 - (i % 5) as f64 * 0.2);
    (x0, h)
}
