//! tapeless against what its users would otherwise pick, on the functions of
//! `shared/bench-functions.md`, in one run: `cargo bench --bench peers`.
//!
//! - **num-dual** (forward mode, dual numbers): the gradient of n inputs carries an n-vector of
//!   derivatives through every operation (`DualDVec64`, `DualSVec64<5>`), so it is measured where
//!   that is feasible (n ≤ 100 and Black-Scholes' 5 inputs).
//! - **echidna** (reverse mode by operator overloading): an Adept-style tape of `Copy` variables,
//!   written once generically over `num_traits::Float`. Chosen among the tape crates because it
//!   builds on stable Rust with light dependencies (RustQuant's tape pulls in plotting, ad_trait
//!   a game engine's reflection) and is designed for speed. It has no `erf`; Black-Scholes records
//!   one as an elemental with its derivative, the way echidna records its own functions.
//!
//! Every peer's gradient is checked against the hand-written one before it is timed. Compare the
//! ratios within one run, not absolute times: the machine is shared and noisy.

#![allow(clippy::needless_range_loop)]

use std::hint::black_box;

use criterion::measurement::WallTime;
use criterion::{BatchSize, BenchmarkGroup, Criterion, criterion_group, criterion_main};
use nalgebra::{DMatrix, DVector, SVector};
use num_dual::{
    Dual2DVec64, Dual2SVec64, Dual2Vec, DualDVec64, DualNum, DualSVec64, DualVec, gradient, hessian,
};
use num_traits::Float;

#[path = "../tests/common/functions.rs"]
mod functions;

use functions::*;

/// Panics unless `a` equals the reference `b` to `tol` relative.
fn assert_gradient(name: &str, a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len(), "{name}: gradient length");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * y.abs().max(1.0), "{name}: d/dx{i} {x} vs hand-written {y}");
    }
}

// ---- the functions, generically ---------------------------------------------------------------

/// F1 over any `Float` (echidna's `Reverse<f64>`).
fn rosenbrock_float<T: Float>(x: &[T]) -> T {
    let (one, hundred) = (T::one(), T::from(100.0).unwrap_or_else(T::one));
    let mut s = T::zero();
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = one - x[i];
        s = s + hundred * a * a + b * b;
    }
    s
}

/// F1 over num-dual's dual numbers (not `Copy` for a dynamic derivative vector).
fn rosenbrock_dual<D: DualNum<Primitive = f64>>(x: &[D]) -> D {
    let mut s = D::from(0.0);
    for i in 0..x.len() - 1 {
        let a = x[i + 1].clone() - x[i].clone() * &x[i];
        let b = D::from(1.0) - &x[i];
        s += a.clone() * a * 100.0 + b.clone() * b;
    }
    s
}

/// F2 over any `Float`: `X` and `y` constants, `w` differentiated.
fn logistic_float<T: Float>(w: &[T], x: &[f64], y: &[f64]) -> T {
    let d = w.len();
    let mut total = T::zero();
    for i in 0..y.len() {
        let mut z = T::zero();
        for j in 0..d {
            z = z + w[j] * T::from(x[i * d + j]).unwrap_or_else(T::zero);
        }
        let m = z * T::from(-y[i]).unwrap_or_else(T::zero);
        total = total + m.exp().ln_1p();
    }
    total
}

/// F2 over num-dual's dual numbers.
fn logistic_dual<D: DualNum<Primitive = f64>>(w: &[D], x: &[f64], y: &[f64]) -> D {
    let d = w.len();
    let mut total = D::from(0.0);
    for i in 0..y.len() {
        let mut z = D::from(0.0);
        for j in 0..d {
            z += w[j].clone() * x[i * d + j];
        }
        total += (z * -y[i]).exp().ln_1p();
    }
    total
}

/// F4 over any `Float`: the outer product materialised, then summed.
fn outer_float<T: Float>(x: &[T], y: &[T]) -> T {
    let (n, m) = (x.len(), y.len());
    let mut mat = vec![T::zero(); n * m];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = x[i] * y[j];
        }
    }
    mat.iter().fold(T::zero(), |s, v| s + *v)
}

/// F3 over any `Float`: input and filter differentiated (as tapeless's `conv_loss_grad`).
fn conv_float<T: Float>(x: &[T], f: &[T], hh: usize, ww: usize, ci: usize, co: usize, k: usize) -> T {
    let mut out = vec![T::zero(); hh * ww * co];
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
                                let idx = (h * ww + w) * co + o;
                                out[idx] = out[idx] + xv * f[((kh * k + kw) * ci + c) * co + o];
                            }
                        }
                    }
                }
            }
        }
    }
    let n = T::from(out.len()).unwrap_or_else(T::one);
    out.iter().fold(T::zero(), |s, v| s + *v * *v) / n
}

/// F5 over any `Float`: the parameters flat (`W1` 784 x 128 row-major, `b1`, `W2` 128 x 10,
/// `b2`), the batch constant.
fn mlp_float<T: Float>(p: &[T], x: &DMatrix<f64>, labels: &[usize]) -> T {
    let (inputs, hidden, classes) = (784, 128, 10);
    let (w1, rest) = p.split_at(inputs * hidden);
    let (b1, rest) = rest.split_at(hidden);
    let (w2, b2) = rest.split_at(hidden * classes);
    let mut total = T::zero();
    for b in 0..x.nrows() {
        let h: Vec<T> = (0..hidden)
            .map(|j| {
                let mut a = b1[j];
                for k in 0..inputs {
                    a = a + w1[k * hidden + j] * T::from(x[(b, k)]).unwrap_or_else(T::zero);
                }
                a.tanh()
            })
            .collect();
        let z: Vec<T> = (0..classes)
            .map(|c| (0..hidden).fold(b2[c], |acc, j| acc + h[j] * w2[j * classes + c]))
            .collect();
        let m = z.iter().fold(z[0], |m, v| m.max(*v));
        let s = z.iter().fold(T::zero(), |s, v| s + (*v - m).exp());
        total = total + m + s.ln() - z[labels[b]];
    }
    total / T::from(x.nrows()).unwrap_or_else(T::one)
}

/// F5's parameters flat, in the canonical order.
fn flat_mlp(p: &Mlp) -> Vec<f64> {
    let row_major = |m: &DMatrix<f64>| m.transpose().as_slice().to_vec();
    [row_major(&p.w1), p.b1.as_slice().to_vec(), row_major(&p.w2), p.b2.as_slice().to_vec()].concat()
}

/// F6 over any `Float`, given an `erf` for it.
fn black_scholes_float<T: Float>(p: &[T], erf: impl Fn(T) -> T) -> T {
    let (s, k, t, r, sigma) = (p[0], p[1], p[2], p[3], p[4]);
    let (half, one) = (T::from(0.5).unwrap_or_else(T::one), T::one());
    let inv_sqrt2 = T::from(std::f64::consts::FRAC_1_SQRT_2).unwrap_or_else(T::one);
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + half * sigma * sigma) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    let n1 = half * (one + erf(d1 * inv_sqrt2));
    let n2 = half * (one + erf(d2 * inv_sqrt2));
    s * n1 - k * (-r * t).exp() * n2
}

/// `erf` on echidna's tape: its value and derivative `2/√π e^(-x²)` recorded as one elemental,
/// as echidna records its own functions.
fn erf_reverse(x: echidna::Reverse<f64>) -> echidna::Reverse<f64> {
    use echidna::Scalar;
    let v = x.value();
    let index = echidna::tape::with_active_tape(|t| t.push_unary(x.index(), erf_derivative(v)));
    echidna::Reverse::from_tape(tapeless::math::erf(v), index)
}

/// `erf'(x) = 2/√π e^(-x²)`.
fn erf_derivative(x: f64) -> f64 {
    2.0 / std::f64::consts::PI.sqrt() * (-x * x).exp()
}

/// `erf` as a custom operation of echidna's bytecode tape, with its second derivative
/// (`erf'' = -2x erf'`) in `partials_dual`, so the tape's forward-over-reverse Hessian is exact
/// through it (echidna's own elementals do the same).
struct ErfOp;

impl echidna::bytecode_tape::CustomOp<f64> for ErfOp {
    fn eval(&self, a: f64, _: f64) -> f64 {
        tapeless::math::erf(a)
    }
    fn partials(&self, a: f64, _: f64, _: f64) -> (f64, f64) {
        (erf_derivative(a), 0.0)
    }
    fn eval_dual(&self, a: echidna::Dual<f64>, _: echidna::Dual<f64>) -> echidna::Dual<f64> {
        echidna::Dual::new(tapeless::math::erf(a.re), erf_derivative(a.re) * a.eps)
    }
    fn partials_dual(
        &self,
        a: echidna::Dual<f64>,
        _: echidna::Dual<f64>,
        _: echidna::Dual<f64>,
    ) -> (echidna::Dual<f64>, echidna::Dual<f64>) {
        let d = erf_derivative(a.re);
        (echidna::Dual::new(d, -2.0 * a.re * d * a.eps), echidna::Dual::constant(0.0))
    }
}

/// `erf` on echidna's bytecode tape (for its Hessian): the custom operation above.
fn erf_bytecode(x: echidna::breverse::BReverse<f64>) -> echidna::breverse::BReverse<f64> {
    use echidna::Scalar;
    let handle = echidna::bytecode_tape::with_active_btape(|t| t.register_custom(std::sync::Arc::new(ErfOp)));
    x.custom_unary(handle, tapeless::math::erf(x.value()))
}

/// F6 over num-dual's dual numbers of first or second order, `erf` given for the type.
fn black_scholes_num_dual<D: DualNum<Primitive = f64> + Copy>(p: [D; 5], erf: impl Fn(D) -> D) -> D {
    let (s, k, t, r, sigma) = (p[0], p[1], p[2], p[3], p[4]);
    let sqrt_t = t.sqrt();
    let d1 = ((s / k).ln() + (r + sigma * sigma * 0.5) * t) / (sigma * sqrt_t);
    let d2 = d1 - sigma * sqrt_t;
    let n1 = (erf(d1 * std::f64::consts::FRAC_1_SQRT_2) + 1.0) * 0.5;
    let n2 = (erf(d2 * std::f64::consts::FRAC_1_SQRT_2) + 1.0) * 0.5;
    s * n1 - k * (-r * t).exp() * n2
}

/// F6 over num-dual's dual numbers; `erf` by its value and derivative `2/√π e^(-x²)`.
fn black_scholes_dual(p: SVector<DualSVec64<5>, 5>) -> DualSVec64<5> {
    let erf = |z: DualSVec64<5>| {
        let d = 2.0 / std::f64::consts::PI.sqrt() * (-z.re * z.re).exp();
        DualVec::new(tapeless::math::erf(z.re), z.eps * d)
    };
    black_scholes_num_dual([p[0], p[1], p[2], p[3], p[4]], erf)
}

/// F6 over num-dual's second-order dual numbers, `erf` carried with its first and second
/// derivative (`2/√π e^(-z²)` and `-2z` times it).
fn black_scholes_dual2(p: SVector<Dual2SVec64<5>, 5>) -> Dual2SVec64<5> {
    let erf = |z: Dual2SVec64<5>| {
        let d = 2.0 / std::f64::consts::PI.sqrt() * (-z.re * z.re).exp();
        let d2 = -2.0 * z.re * d;
        Dual2Vec::new(tapeless::math::erf(z.re), z.v1 * d, z.v2 * d + z.v1.tr_mul(&z.v1) * d2)
    };
    black_scholes_num_dual([p[0], p[1], p[2], p[3], p[4]], erf)
}

// ---- benchmarks -------------------------------------------------------------------------------

/// Times `f` at Black-Scholes' five inputs `p`, hidden from the optimiser.
fn bench_five<R>(
    group: &mut BenchmarkGroup<WallTime>,
    name: &str,
    p: [f64; 5],
    f: impl Fn(f64, f64, f64, f64, f64) -> R,
) {
    group.bench_function(name, |b| {
        b.iter(|| {
            let p = black_box(p);
            f(p[0], p[1], p[2], p[3], p[4])
        })
    });
}

fn bench_rosenbrock(c: &mut Criterion) {
    for n in [2, 100, 10_000] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
        let (_, hand) = rosenbrock_hand(&x);
        assert_gradient("tapeless", &rosenbrock_grad(&x).1, &hand, 1e-12);
        let tape = || echidna::grad(rosenbrock_float, &x);
        assert_gradient("echidna", &tape(), &hand, 1e-12);
        let mut group = c.benchmark_group(format!("peers_rosenbrock_{n}"));
        group.bench_function("hand_written", |b| b.iter(|| rosenbrock_hand(black_box(&x))));
        group.bench_function("tapeless_grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
        group.bench_function("echidna", |b| b.iter(|| echidna::grad(rosenbrock_float, black_box(&x))));
        if n <= 100 {
            let xd = DVector::from_column_slice(&x);
            let dual = || gradient(|v: DVector<DualDVec64>| rosenbrock_dual(v.as_slice()), &xd);
            assert_gradient("num-dual", dual().1.as_slice(), &hand, 1e-12);
            group.bench_function("num_dual", |b| {
                b.iter(|| gradient(|v: DVector<DualDVec64>| rosenbrock_dual(v.as_slice()), black_box(&xd)))
            });
        }
        group.finish();
    }
}

fn bench_logistic(c: &mut Criterion) {
    let (x, y, w) = f2_inputs();
    let (_, hand) = logistic_nll_hand(&w, &x, &y);
    assert_gradient("tapeless", &logistic_nll_grad(&w, &x, &y).1, &hand, 1e-12);
    assert_gradient("echidna", &echidna::grad(|v| logistic_float(v, &x, &y), &w), &hand, 1e-12);
    let wd = DVector::from_column_slice(&w);
    let dual = gradient(|v: DVector<DualDVec64>| logistic_dual(v.as_slice(), &x, &y), &wd);
    assert_gradient("num-dual", dual.1.as_slice(), &hand, 1e-12);
    let mut group = c.benchmark_group("peers_logistic_nll_1000x100");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(|| logistic_nll_hand(black_box(&w), &x, &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| logistic_nll_grad(black_box(&w), &x, &y)));
    group.bench_function("echidna", |b| {
        b.iter(|| echidna::grad(|v| logistic_float(v, &x, &y), black_box(&w)))
    });
    group.bench_function("num_dual", |b| {
        b.iter(|| gradient(|v: DVector<DualDVec64>| logistic_dual(v.as_slice(), &x, &y), black_box(&wd)))
    });
    group.finish();
}

fn bench_outer(c: &mut Criterion) {
    let x: Vec<f64> = (0..1000).map(|i| 0.5 + 0.001 * i as f64).collect();
    let y: Vec<f64> = (0..1000).map(|j| 1.0 - 0.0005 * j as f64).collect();
    let (_, hx, hy) = outer_product_sum_hand(&x, &y);
    let hand: Vec<f64> = hx.iter().chain(&hy).copied().collect();
    let xy: Vec<f64> = x.iter().chain(&y).copied().collect();
    let tape = |p: &[f64]| echidna::grad(|v| outer_float(&v[..1000], &v[1000..]), p);
    assert_gradient("echidna", &tape(&xy), &hand, 1e-12);
    let mut group = c.benchmark_group("peers_outer_product_sum_1000");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(|| outer_product_sum_hand(black_box(&x), &y)));
    group.bench_function("tapeless_grad", |b| b.iter(|| outer_product_sum_grad(black_box(&x), &y)));
    group.bench_function("echidna", |b| b.iter(|| tape(black_box(&xy))));
    group.finish();
}

fn bench_conv(c: &mut Criterion) {
    let (x, f) = (lcg(5, 28 * 28 * 3, 1.0, true), lcg(6, 3 * 3 * 3 * 10, 0.2, true));
    let (_, hx, hf) = conv_hand(&x, &f, 28, 28, 3, 10, 3);
    let hand: Vec<f64> = hx.iter().chain(&hf).copied().collect();
    let xf: Vec<f64> = x.iter().chain(&f).copied().collect();
    let n = x.len();
    let tape = |p: &[f64]| echidna::grad(|v| conv_float(&v[..n], &v[n..], 28, 28, 3, 10, 3), p);
    assert_gradient("echidna", &tape(&xf), &hand, 1e-10);
    let mut group = c.benchmark_group("peers_conv2d_28x28x3_3x3x3x10");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(|| conv_hand(black_box(&x), &f, 28, 28, 3, 10, 3)));
    group.bench_function("tapeless_grad", |b| b.iter(|| conv_loss_grad(black_box(&x), &f, 28, 28, 3, 10, 3)));
    group.bench_function("echidna", |b| b.iter(|| tape(black_box(&xf))));
    group.finish();
}

fn bench_mlp(c: &mut Criterion) {
    let (p, x, labels, onehot) = f5_inputs();
    let (_, h) = mlp_loss_hand(&p, &x, &labels);
    let flat = flat_mlp(&p);
    let tape = |q: &[f64]| echidna::grad(|v| mlp_float(v, &x, &labels), q);
    assert_gradient("echidna", &tape(&flat), &flat_mlp(&h), 1e-9);
    let mut group = c.benchmark_group("peers_mlp_32x784x128x10");
    group.sample_size(10);
    group.bench_function("hand_written", |b| b.iter(|| mlp_loss_hand(black_box(&p), &x, &labels)));
    group.bench_function("tapeless_grad", |b| b.iter(|| mlp_loss_grad(black_box(&p), &x, &onehot)));
    group.bench_function("echidna", |b| b.iter(|| tape(black_box(&flat))));
    group.finish();
}

fn bench_black_scholes(c: &mut Criterion) {
    let p = [100.0, 105.0, 0.75, 0.03, 0.2];
    let (_, hand) = black_scholes_hand(p[0], p[1], p[2], p[3], p[4]);
    let pv = SVector::<f64, 5>::from_column_slice(&p);
    let dual = gradient(black_scholes_dual, &pv);
    assert_gradient("num-dual", dual.1.as_slice(), &hand, 1e-12);
    let tape = |q: &[f64]| echidna::grad(|v| black_scholes_float(v, erf_reverse), q);
    assert_gradient("echidna", &tape(&p), &hand, 1e-12);
    let mut group = c.benchmark_group("peers_black_scholes");
    bench_five(&mut group, "hand_written", p, black_scholes_hand);
    bench_five(&mut group, "tapeless_grad", p, black_scholes_grad);
    group.bench_function("echidna", |b| b.iter(|| tape(&black_box(p))));
    group.bench_function("num_dual", |b| b.iter(|| gradient(black_scholes_dual, black_box(&pv))));
    group.finish();
}

// ---- second order -----------------------------------------------------------------------------

/// What forward mode printed over F1's adjoint program would be, written out by hand: each
/// statement of the expanded `rosenbrock_grad` (the `expand` example) followed by its tangent in
/// plain `f64`, the tangents that are symbolically zero left out (the seed's), and no
/// dual-number copy of the inputs or split of the result. The floor a source-transformed
/// `_hvp` could reach, against which the dual-number copy is measured.
fn rosenbrock_hvp_printed(x: &[f64], dx: &[f64]) -> (f64, Vec<f64>, Vec<f64>) {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    let (mut g, mut hv) = (vec![0.0; n], vec![0.0; n]);
    let (mut carry, mut dcarry, mut edge) = (0.0, 0.0, 0);
    let seed = 1.0;
    for i in 0..n - 1 {
        let (v10, dv10) = (x[i + 1], dx[i + 1]);
        let (v11, dv11, v12, dv12) = (x[i], dx[i], x[i], dx[i]);
        let (v13, dv13) = (v11 * v12, dv11 * v12 + v11 * dv12);
        let (v14, dv14) = (v10 - v13, dv10 - dv13);
        let (v16, dv16) = (x[i], dx[i]);
        let (v17, dv17) = (1.0 - v16, -dv16);
        let (v19, dv19) = (100.0 * v14, 100.0 * dv14);
        let (a20, a21) = (seed, seed);
        let (a17, da17) = (a21 * v17 + v17 * a21, a21 * dv17 + dv17 * a21);
        let (a19, da19) = (a20 * v14, a20 * dv14);
        let (a14, da14) = (v19 * a20 + 100.0 * a19, dv19 * a20 + 100.0 * da19);
        let (a16, da16) = (-a17, -da17);
        let (a13, da13) = (-a14, -da14);
        let (a11, da11) = (a13 * v12, da13 * v12 + a13 * dv12);
        let (a12, da12) = (v11 * a13, dv11 * a13 + v11 * da13);
        g[i] += a16 + a12 + a11 + carry;
        hv[i] += da16 + da12 + da11 + dcarry;
        (carry, dcarry, edge) = (a14, da14, i + 1);
    }
    if carry != 0.0 || dcarry != 0.0 {
        g[edge] += carry;
        hv[edge] += dcarry;
    }
    (s, g, hv)
}

/// `_hvp` against `_grad` (the bound: at most 4x) on F1, F2 and F6, and `_hessian`
/// against num-dual's `hessian` (second-order dual numbers carrying an n x n matrix) and
/// echidna's (forward over reverse on its bytecode tape) on Rosenbrock and F6, each peer's
/// Hessian asserted equal to ours first.
fn bench_second_order(c: &mut Criterion) {
    for n in [10, 100, 10_000] {
        let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
        let v: Vec<f64> = (0..n).map(|i| 1.0 - 0.01 * (i % 7) as f64).collect();
        let mut group = c.benchmark_group(format!("second_order_rosenbrock_{n}"));
        group.bench_function("tapeless_grad", |b| b.iter(|| rosenbrock_grad(black_box(&x))));
        // `_hvp` takes its direction by value: each iteration's copy is made outside the timing.
        group.bench_function("tapeless_hvp", |b| {
            b.iter_batched(|| v.clone(), |v| rosenbrock_hvp(black_box(&x), v), BatchSize::SmallInput)
        });
        let (ours, printed) = (rosenbrock_hvp(&x, v.clone()), rosenbrock_hvp_printed(&x, &v));
        assert_gradient("printed gradient", &printed.1, &ours.1, 1e-12);
        assert_gradient("printed Hv", &printed.2, &ours.2, 1e-12);
        group.bench_function("printed_hvp", |b| b.iter(|| rosenbrock_hvp_printed(black_box(&x), &v)));
        let lifted: Vec<tapeless::__private::Dual<f64>> =
            tapeless::__private::Lift::lift(&x[..], &v[..], "v");
        group.bench_function("dual_copy_alone", |b| {
            b.iter(|| __tapeless_rosenbrock_grad_dual(black_box(&lifted)))
        });
        if n <= 100 {
            let (_, _, h) = rosenbrock_hessian(&x);
            let xd = DVector::from_column_slice(&x);
            let dual = || hessian(|v: DVector<Dual2DVec64>| rosenbrock_dual(v.as_slice()), &xd);
            let tape = || echidna::hessian(rosenbrock_float, &x);
            let (dual_h, tape_h) = (dual().2, tape().2);
            for i in 0..n {
                for j in 0..n {
                    let tol = 1e-12 * h[(i, j)].abs().max(1.0);
                    assert!((dual_h[(i, j)] - h[(i, j)]).abs() <= tol, "num-dual H[{i},{j}]");
                    assert!((tape_h[i][j] - h[(i, j)]).abs() <= tol, "echidna H[{i},{j}]");
                }
            }
            group.bench_function("tapeless_hessian", |b| b.iter(|| rosenbrock_hessian(black_box(&x))));
            group.bench_function("num_dual_hessian", |b| {
                b.iter(|| hessian(|v: DVector<Dual2DVec64>| rosenbrock_dual(v.as_slice()), black_box(&xd)))
            });
            group.bench_function("echidna_hessian", |b| {
                b.iter(|| echidna::hessian(rosenbrock_float, black_box(&x)))
            });
        }
        group.finish();
    }
    let (x, y, w) = f2_inputs();
    let v = vec![0.5; w.len()];
    let mut group = c.benchmark_group("second_order_logistic_nll_1000x100");
    group.bench_function("tapeless_grad", |b| b.iter(|| logistic_nll_grad(black_box(&w), &x, &y)));
    group.bench_function("tapeless_hvp", |b| {
        b.iter_batched(|| v.clone(), |v| logistic_nll_hvp(black_box(&w), &x, &y, v), BatchSize::SmallInput)
    });
    group.finish();
    let p = [100.0, 105.0, 0.75, 0.03, 0.2];
    let mut group = c.benchmark_group("second_order_black_scholes");
    bench_five(&mut group, "tapeless_grad", p, black_scholes_grad);
    bench_five(&mut group, "tapeless_hvp", p, |a, b, c, d, e| {
        black_scholes_hvp(a, b, c, d, e, 1.0, 0.5, 0.25, 0.125, 1.0)
    });
    bench_five(&mut group, "tapeless_hessian", p, black_scholes_hessian);
    let pv = SVector::<f64, 5>::from_column_slice(&p);
    let (_, _, ours) = black_scholes_hessian(p[0], p[1], p[2], p[3], p[4]);
    let (_, _, theirs) = hessian(black_scholes_dual2, &pv);
    for i in 0..5 {
        for j in 0..5 {
            assert!(
                (theirs[(i, j)] - ours[(i, j)]).abs() <= 1e-10 * ours[(i, j)].abs().max(1.0),
                "num-dual H[{i},{j}]"
            );
        }
    }
    group.bench_function("num_dual_hessian", |b| b.iter(|| hessian(black_scholes_dual2, black_box(&pv))));
    let tape = |q: &[f64]| echidna::hessian(|v| black_scholes_float(v, erf_bytecode), q);
    let tape_h = tape(&p).2;
    for i in 0..5 {
        for j in 0..5 {
            assert!(
                (tape_h[i][j] - ours[(i, j)]).abs() <= 1e-10 * ours[(i, j)].abs().max(1.0),
                "echidna H[{i},{j}]: {} against {}",
                tape_h[i][j],
                ours[(i, j)]
            );
        }
    }
    group.bench_function("echidna_hessian", |b| b.iter(|| tape(black_box(&p))));
    group.finish();
}

/// A straight-line formula of four inputs: the squared misfit of a first-order decay whose
/// rate follows Arrhenius' law, `c0 exp(-A exp(-Ea / (R T)) t)`, with a log barrier on `A` and
/// a pull of `T` toward 300 K. Its `_hvp` is printed as forward mode over the adjoint program.
#[tapeless::differentiable(hessian)]
fn arrhenius(p: &[f64]) -> f64 {
    let (c0, a, ea, temp) = (p[0], p[1], p[2], p[3]);
    let k = a * (-ea / (8.314 * temp)).exp();
    let c = c0 * (-k * 2.5).exp();
    let r = c - 0.37;
    0.5 * r * r - 0.01 * a.ln() + (temp / 300.0 - 1.0).powi(2)
}

/// `_hvp` printed over the adjoint program against what `_hvp` was before, the dual-number copy
/// of `_grad` with the inputs lifted to `x + ε v` and the result split (still emitted: it is
/// `_hessian`'s), both asserted equal first; and against `_grad`.
fn bench_printed_hvp(c: &mut Criterion) {
    use tapeless::__private::{Dual, Lift, Split};
    let (p, v) = ([1.2, 0.8, 1500.0, 310.0], [1.0, -0.5, 20.0, 3.0]);
    let copy = |p: &[f64], v: &[f64]| {
        let lifted: Vec<Dual<f64>> = Lift::lift(p, v, "v");
        let (value, gradient) = __tapeless_arrhenius_grad_dual(&lifted);
        let (gradient, hv): (Vec<f64>, Vec<f64>) = Split::split(gradient);
        (value.re, gradient, hv)
    };
    let (printed, dual) = (arrhenius_hvp(&p, v.to_vec()), copy(&p, &v));
    assert_eq!(printed.0, dual.0);
    assert_gradient("printed gradient", &printed.1, &dual.1, 1e-12);
    assert_gradient("printed H v", &printed.2, &dual.2, 1e-12);
    let mut group = c.benchmark_group("second_order_straight_line");
    group.bench_function("tapeless_grad", |b| b.iter(|| arrhenius_grad(black_box(&p))));
    group.bench_function("printed_hvp", |b| {
        b.iter_batched(|| v.to_vec(), |v| arrhenius_hvp(black_box(&p), v), BatchSize::SmallInput)
    });
    group.bench_function("dual_copy_hvp", |b| b.iter(|| copy(black_box(&p), &v)));
    group.finish();
}

criterion_group!(
    benches,
    bench_second_order,
    bench_printed_hvp,
    bench_rosenbrock,
    bench_logistic,
    bench_conv,
    bench_outer,
    bench_mlp,
    bench_black_scholes
);
criterion_main!(benches);
