//! The checks of a printed `_hvp` shared by `tests/printed_hvp.rs` and
//! `tests/printed_hvp_calls.rs`: `H v` against an analytic Hessian, central differences of
//! `_grad` and the dual copy of `_grad`; `_hessian` against the analytic Hessian; `_jvp`
//! against the gradient.
#![allow(dead_code)]

use tapeless::__private::Dual;

/// Checks `hv` (at `x` along `v`) against the analytic Hessian `h`, central differences of
/// `grad` and `copy`, the dual-number copy's `H v`; and `hessian`, `_hessian`'s matrix, against
/// `h`.
#[allow(clippy::too_many_arguments)]
pub fn check(
    name: &str,
    x: &[f64],
    v: &[f64],
    hv: &[f64],
    h: &[Vec<f64>],
    copy: &[f64],
    hessian: &[Vec<f64>],
    grad: &dyn Fn(&[f64]) -> Vec<f64>,
) {
    let n = x.len();
    let step = 1e-5;
    let plus: Vec<f64> = (0..n).map(|i| x[i] + step * v[i]).collect();
    let minus: Vec<f64> = (0..n).map(|i| x[i] - step * v[i]).collect();
    let (gp, gm) = (grad(&plus), grad(&minus));
    for i in 0..n {
        let analytic: f64 = (0..n).map(|j| h[i][j] * v[j]).sum();
        let copy = copy[i];
        for j in 0..n {
            let tol = 1e-10 * h[i][j].abs().max(1.0);
            assert!(
                (hessian[i][j] - h[i][j]).abs() <= tol,
                "{name}: H[{i}][{j}] = {} against {}",
                hessian[i][j],
                h[i][j]
            );
        }
        let central = (gp[i] - gm[i]) / (2.0 * step);
        let scale = analytic.abs().max(1.0);
        assert!(
            (hv[i] - analytic).abs() <= 1e-10 * scale,
            "{name}: (H v)[{i}] = {} against analytic {analytic}",
            hv[i]
        );
        assert!(
            (hv[i] - copy).abs() <= 1e-10 * scale,
            "{name}: (H v)[{i}] = {} against the dual copy's {copy}",
            hv[i]
        );
        assert!(
            (hv[i] - central).abs() <= 1e-6 * scale,
            "{name}: (H v)[{i}] = {} against central {central}",
            hv[i]
        );
    }
}

/// `<∇f, v>` from the gradient equals `_jvp`'s tangent along `v`.
pub fn check_jvp(name: &str, gradient: &[f64], v: &[f64], jvp: f64) {
    let dot: f64 = gradient.iter().zip(v).map(|(g, d)| g * d).sum();
    assert!((dot - jvp).abs() <= 1e-12 * dot.abs().max(1.0), "{name}: <grad, v> = {dot}, jvp {jvp}");
}

/// What `_hvp` of a function of one slice returns: value, gradient, `H v`.
pub type HvpResult = (f64, Vec<f64>, Vec<f64>);
/// What `_grad` of a function of one slice returns: value, gradient.
pub type GradResult = (f64, Vec<f64>);
/// What `_jvp` of a function of one slice returns: value, tangent.
pub type JvpResult = (f64, f64);
/// What `_hessian` of a function of one slice returns.
pub type HessianResult = (f64, Vec<f64>, tapeless::__private::nalgebra::DMatrix<f64>);

/// The items of a function of one slice that the checks read.
// (Each field is a generated item's signature, spelled out.)
#[allow(clippy::type_complexity)]
pub struct Slice<'a> {
    pub hvp: &'a dyn Fn(&[f64], Vec<f64>) -> HvpResult,
    pub grad: &'a dyn Fn(&[f64]) -> GradResult,
    pub hessian: &'a dyn Fn(&[f64]) -> HessianResult,
    pub jvp: &'a dyn Fn(&[f64], Vec<f64>) -> JvpResult,
    /// The dual copy of `_grad`: the gradient at inputs lifted to `x + ε v`.
    pub copy: &'a dyn Fn(&[Dual<f64>]) -> Vec<Dual<f64>>,
}

/// [`check`] and [`check_jvp`] of a function of one slice at `x` along `v`, its value and
/// gradient from `_hvp` equal to `_grad`'s.
pub fn check_slice(name: &str, f: Slice, x: &[f64], v: &[f64], analytic: &[Vec<f64>]) {
    let (value, g, hv) = (f.hvp)(x, v.to_vec());
    assert_eq!((value, g.clone()), (f.grad)(x), "{name}: value and gradient");
    let (_, _, h) = (f.hessian)(x);
    let lifted: Vec<Dual<f64>> = x.iter().zip(v).map(|(a, d)| Dual::new(*a, *d)).collect();
    let copy: Vec<f64> = (f.copy)(&lifted).iter().map(|d| d.eps).collect();
    check(name, x, v, &hv, analytic, &copy, &matrix_rows(&h), &|q| (f.grad)(q).1);
    check_jvp(name, &g, v, (f.jvp)(x, v.to_vec()).1);
}

/// The items of a function of two floats that the checks read.
// (Each field is a generated item's signature, spelled out.)
#[allow(clippy::type_complexity)]
pub struct Pair<'a> {
    pub hvp: &'a dyn Fn(f64, f64, f64, f64) -> (f64, (f64, f64), (f64, f64)),
    pub grad: &'a dyn Fn(f64, f64) -> (f64, (f64, f64)),
    pub hessian: &'a dyn Fn(f64, f64) -> (f64, (f64, f64), tapeless::__private::nalgebra::DMatrix<f64>),
    pub jvp: &'a dyn Fn(f64, f64, f64, f64) -> (f64, f64),
    /// The dual copy of `_grad`: the gradient at inputs lifted to `x + ε v`.
    pub copy: &'a dyn Fn(Dual<f64>, Dual<f64>) -> (Dual<f64>, Dual<f64>),
}

/// [`check`] and [`check_jvp`] of a function of two floats at `(x, y)` along `v`, its value and
/// gradient from `_hvp` equal to `_grad`'s.
pub fn check_pair(name: &str, f: Pair, (x, y): (f64, f64), v: [f64; 2], analytic: [[f64; 2]; 2]) {
    let (value, g, hv) = (f.hvp)(x, y, v[0], v[1]);
    assert_eq!((value, g), (f.grad)(x, y), "{name}: value and gradient");
    let (_, _, h) = (f.hessian)(x, y);
    let (a, b) = (f.copy)(Dual::new(x, v[0]), Dual::new(y, v[1]));
    let grad = |p: &[f64]| {
        let g = (f.grad)(p[0], p[1]).1;
        vec![g.0, g.1]
    };
    check(name, &[x, y], &v, &[hv.0, hv.1], &rows(analytic), &[a.eps, b.eps], &matrix_rows(&h), &grad);
    check_jvp(name, &[g.0, g.1], &v, (f.jvp)(x, y, v[0], v[1]).1);
}

/// The Hessian of `r²` from `r`, its gradient `g` and its Hessian `h`: `2 (g gᵀ + r h)`.
pub fn square_hessian(r: f64, g: [f64; 2], h: [[f64; 2]; 2]) -> [[f64; 2]; 2] {
    let mut out = [[0.0; 2]; 2];
    for i in 0..2 {
        for j in 0..2 {
            out[i][j] = 2.0 * (g[i] * g[j] + r * h[i][j]);
        }
    }
    out
}

pub fn rows<const N: usize>(h: [[f64; N]; N]) -> Vec<Vec<f64>> {
    h.iter().map(|r| r.to_vec()).collect()
}

pub fn matrix_rows(h: &tapeless::__private::nalgebra::DMatrix<f64>) -> Vec<Vec<f64>> {
    (0..h.nrows()).map(|i| (0..h.ncols()).map(|j| h[(i, j)]).collect()).collect()
}
