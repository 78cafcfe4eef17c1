//! Time the expansion of `#[differentiable]` per function (no compiler involved):
//! `cargo run --release -p diff-expand --example expansion_time`.

use std::str::FromStr;
use std::time::Instant;

use proc_macro2::TokenStream;

const FUNCTIONS: &[(&str, &str, &str)] = &[
    (
        "rosenbrock",
        "",
        "fn rosenbrock(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() - 1 { let a = x[i + 1] - x[i] * x[i]; let b = 1.0 - x[i]; s += 100.0 * a * a + b * b; } s }",
    ),
    (
        "black_scholes",
        "",
        "fn black_scholes(s: f64, k: f64, t: f64, r: f64, sigma: f64) -> f64 { let sqrt_t = t.sqrt(); let d1 = ((s / k).ln() + (r + 0.5 * sigma * sigma) * t) / (sigma * sqrt_t); let d2 = d1 - sigma * sqrt_t; let n1 = 0.5 * (1.0 + tapeless::math::erf(d1 * std::f64::consts::FRAC_1_SQRT_2)); let n2 = 0.5 * (1.0 + tapeless::math::erf(d2 * std::f64::consts::FRAC_1_SQRT_2)); s * n1 - k * (-r * t).exp() * n2 }",
    ),
    (
        "conv_loss",
        "wrt(x, f)",
        "fn conv_loss(x: &[f64], f: &[f64], hh: usize, ww: usize, ci: usize, co: usize, k: usize) -> f64 { let mut out = vec![0.0; hh * ww * co]; let pad = (k - 1) / 2; for h in 0..hh { for w in 0..ww { for kh in 0..k { for kw in 0..k { if h + kh >= pad && h + kh - pad < hh && w + kw >= pad && w + kw - pad < ww { let ih = h + kh - pad; let iw = w + kw - pad; for c in 0..ci { let xv = x[(ih * ww + iw) * ci + c]; for o in 0..co { let idx = (h * ww + w) * co + o; out[idx] += xv * f[((kh * k + kw) * ci + c) * co + o]; } } } } } } } let n = out.len(); let mut s = 0.0; for i in 0..n { s += out[i] * out[i]; } s / n as f64 }",
    ),
];

fn main() {
    let rounds = 200;
    println!("{:<14} {:>14}", "function", "ms / expansion");
    for (name, attr, item) in FUNCTIONS {
        let (attr, item) =
            (TokenStream::from_str(attr).expect("attr"), TokenStream::from_str(item).expect("item"));
        let start = Instant::now();
        let mut size = 0;
        for _ in 0..rounds {
            size = diff_expand::differentiable(attr.clone(), item.clone()).to_string().len();
        }
        let ms = start.elapsed().as_secs_f64() * 1e3 / rounds as f64;
        println!("{name:<14} {ms:>14.3}   ({size} bytes of output)");
    }
}
