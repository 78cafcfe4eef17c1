//! Peak heap memory of generated gradients, measured with a counting allocator (test code only;
//! the library and generated code hold no `unsafe`). Run with `--nocapture` to see the figures.
//!
//! What reverse mode saves is stated in ARCHITECTURE.md ("What the reverse sweep saves"): these
//! tests pin it.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};

use tapeless::differentiable;

mod common;

use common::functions::{
    conv_loss_grad, rosenbrock_chain_grad_into, rosenbrock_grad, rosenbrock_grad_into, rosenbrock_jvp,
};

struct Counting;

static CURRENT: AtomicUsize = AtomicUsize::new(0);
static ALLOCATIONS: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: delegates to the system allocator unchanged; only counts bytes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::SeqCst);
        let now = CURRENT.fetch_add(layout.size(), Ordering::SeqCst) + layout.size();
        PEAK.fetch_max(now, Ordering::SeqCst);
        // SAFETY: the caller upholds `GlobalAlloc::alloc`'s contract.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        CURRENT.fetch_sub(layout.size(), Ordering::SeqCst);
        // SAFETY: the caller upholds `GlobalAlloc::dealloc`'s contract.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Peak bytes allocated on top of what was live when `f` started. The counter is global, so an
/// allocation by another thread of the test harness can land inside a measurement: the least of
/// three runs is the function's own.
fn peak<T>(f: impl Fn() -> T) -> (T, usize) {
    let mut least = usize::MAX;
    let mut out = None;
    for _ in 0..3 {
        let base = CURRENT.load(Ordering::SeqCst);
        PEAK.store(base, Ordering::SeqCst);
        out = Some(f());
        least = least.min(PEAK.load(Ordering::SeqCst).saturating_sub(base));
    }
    (out.unwrap_or_else(f), least)
}

#[differentiable(wrt(t0))]
fn recurrence(t0: f64, n: usize) -> f64 {
    let mut t = t0;
    let mut sum = 0.0;
    for _ in 0..n {
        t = (0.9 * t + 0.1).sin();
        sum += t;
    }
    sum
}

fn rosenbrock_saves_nothing_but_the_gradient() {
    let n = 10_000;
    let x: Vec<f64> = (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
    let (_, bytes) = peak(|| rosenbrock_grad(&x));
    println!("rosenbrock_grad n={n}: peak {bytes} bytes (the gradient alone is {})", 8 * n);
    assert_eq!(bytes, 8 * n, "only the gradient vector may be allocated");
    let (_, bytes) = peak(|| rosenbrock_jvp(&x, vec![1.0; n]));
    println!("rosenbrock_jvp n={n}: peak {bytes} bytes (the tangent argument)");
    assert_eq!(bytes, 8 * n);
}

fn a_carried_value_costs_one_f64_per_iteration() {
    let n = 1000;
    let ((value, _), bytes) = peak(|| recurrence_grad(0.3, n));
    assert_eq!(value, recurrence(0.3, n));
    println!("recurrence_grad n={n}: peak {bytes} bytes");
    // The carried `t` is pushed once per iteration (the sine's partial needs it); the stack
    // grows by doubling, so its capacity is below 2 * 8 * n, plus the previous buffer while it
    // moves.
    assert!(bytes >= 8 * n && bytes <= 3 * 8 * n, "{bytes}");
}

fn conv2d_saves_the_branch_traces_and_the_output_loads() {
    let x: Vec<f64> = (0..28 * 28 * 3).map(|i| ((i % 11) as f64 - 5.0) / 5.0).collect();
    let f: Vec<f64> = (0..3 * 3 * 3 * 10).map(|j| ((j % 7) as f64 - 3.0) / 4.0).collect();
    let (_, bytes) = peak(|| conv_loss_grad(&x, &f, 28, 28, 3, 10, 3));
    let gradients = 8 * (x.len() + f.len());
    let output = 8 * 28 * 28 * 10;
    println!(
        "conv_loss_grad 28x28x3 * 3x3x3x10: peak {bytes} bytes (gradients {gradients}, output array {output})"
    );
    // Gradients, the output array and its adjoint, plus the loops' stacks: bounded by a small
    // multiple of the output size, never by the number of multiply-adds (211 680).
    assert!(bytes <= gradients + 8 * output, "{bytes}");
}

/// One test, so no other test thread of this binary allocates while a figure is measured.
#[test]
fn peak_memory() {
    rosenbrock_saves_nothing_but_the_gradient();
    a_carried_value_costs_one_f64_per_iteration();
    conv2d_saves_the_branch_traces_and_the_output_loads();
    grad_into_allocates_nothing_in_steady_state();
    struct_grad_into_allocates_nothing_in_steady_state();
    matrix_grad_into_allocates_nothing_in_steady_state();
}

/// The allocations of ten calls of `f`, the least of three rounds.
fn steady_state_allocations(f: &mut dyn FnMut()) -> usize {
    (0..3)
        .map(|_| {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..10 {
                f();
            }
            ALLOCATIONS.load(Ordering::SeqCst) - before
        })
        .min()
        .unwrap_or(usize::MAX)
}

/// `_grad_into` writes into the caller's buffer: after the first call has sized it, F1's gradient
/// at n = 10 000 allocates nothing (loop-written and chain-written). The least of three rounds of
/// ten calls.
fn grad_into_allocates_nothing_in_steady_state() {
    let x: Vec<f64> = (0..10_000).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect();
    let (value, want) = rosenbrock_grad(&x);
    let mut grad = Vec::new();
    assert_eq!(rosenbrock_grad_into(&x, &mut grad), value);
    assert_eq!(grad, want);
    let mut chain_grad = Vec::new();
    let chain_value = rosenbrock_chain_grad_into(&x, &mut chain_grad);
    assert!((chain_value - value).abs() <= 1e-12 * value.abs());
    for (a, b) in chain_grad.iter().zip(&want) {
        assert!((a - b).abs() <= 1e-12 * b.abs().max(1.0));
    }
    let least = steady_state_allocations(&mut || {
        std::hint::black_box(rosenbrock_grad_into(std::hint::black_box(&x), &mut grad));
        std::hint::black_box(rosenbrock_chain_grad_into(std::hint::black_box(&x), &mut chain_grad));
    });
    println!("allocations in 20 steady-state calls: {least}");
    assert_eq!(least, 0);
    assert_eq!(grad, want);
    // A buffer of the wrong length is resized.
    let mut short = vec![7.0; 3];
    rosenbrock_grad_into(&x[..5], &mut short);
    assert_eq!(short, rosenbrock_grad(&x[..5]).1);
}

/// A linear model's parameters in a derived struct.
#[derive(Clone, Debug, PartialEq, tapeless::Differentiable)]
struct Model {
    w: Vec<f64>,
    b: f64,
}

/// A separable least-squares loss of the model: `Σ_i (w_i x_i + b - y_i)²` (its reverse sweep
/// recomputes each term, so it saves nothing per iteration).
#[differentiable(wrt(m))]
fn model_loss(m: &Model, x: &[f64], y: &[f64]) -> f64 {
    let mut loss = 0.0;
    for i in 0..m.w.len() {
        let r = m.w[i] * x[i] + m.b - y[i];
        loss += r * r;
    }
    loss
}

/// `_grad_into` of a derived struct: the caller's struct is zeroed in place (its `Vec` keeps its
/// capacity) and the fields' adjoints are its fields: no allocation once it is sized, and the
/// same gradient as `_grad`.
fn struct_grad_into_allocates_nothing_in_steady_state() {
    let d = 10_000;
    let m = Model { w: (0..d).map(|i| 0.001 * (i % 17) as f64 - 0.008).collect(), b: 0.25 };
    let x: Vec<f64> = (0..d).map(|i| ((i * 7919) % 1000) as f64 / 1000.0 - 0.5).collect();
    let y: Vec<f64> = (0..d).map(|r| (r as f64 * 0.3).sin()).collect();
    let (value, want) = model_loss_grad(&m, &x, &y);
    assert_eq!(value, model_loss(&m, &x, &y));
    // Analytic: ∂/∂w_i = 2 r_i x_i, ∂/∂b = 2 Σ r_i.
    let r: Vec<f64> = (0..d).map(|i| m.w[i] * x[i] + m.b - y[i]).collect();
    for i in 0..d {
        assert!((want.w[i] - 2.0 * r[i] * x[i]).abs() <= 1e-12);
    }
    let db: f64 = 2.0 * r.iter().sum::<f64>();
    assert!((want.b - db).abs() <= 1e-9 * db.abs().max(1.0));
    // Forward against reverse: `<g, d>` equals the JVP along `d`.
    let dir = Model { w: (0..d).map(|i| ((i % 5) as f64 - 2.0) * 0.1).collect(), b: 0.7 };
    let (_, t) = model_loss_jvp(&m, &x, &y, dir.clone());
    let r_dot: f64 = want.w.iter().zip(&dir.w).map(|(a, b)| a * b).sum::<f64>() + want.b * dir.b;
    assert!((t - r_dot).abs() <= 1e-10 * t.abs().max(1.0), "jvp {t} vs <g, d> {r_dot}");
    let mut grad = Model { w: vec![9.0; 3], b: 4.0 };
    assert_eq!(model_loss_grad_into(&m, &x, &y, &mut grad), value);
    assert_eq!(grad, want);
    let least = steady_state_allocations(&mut || {
        std::hint::black_box(model_loss_grad_into(std::hint::black_box(&m), &x, &y, &mut grad));
    });
    println!("allocations in 10 steady-state struct calls: {least}");
    assert_eq!(least, 0);
    assert_eq!(grad, want);
}

/// F1 over a `DVector`, read by index.
#[differentiable]
fn rosenbrock_dvector(x: &nalgebra::DVector<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
    }
    s
}

/// A weighted sum of sines over a `DMatrix`, read by index.
#[differentiable]
fn weighted_sines(m: &nalgebra::DMatrix<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..m.nrows() {
        for j in 0..m.ncols() {
            s += m[(i, j)].sin() * (i + 2 * j + 1) as f64;
        }
    }
    s
}

/// `_grad_into` of a `DVector`/`DMatrix` parameter read by index: the caller's buffer is zeroed
/// in place and is the adjoint, so after the first call nothing is allocated; the gradient is
/// `_grad`'s, which is checked against the analytic one (and forward mode against it).
fn matrix_grad_into_allocates_nothing_in_steady_state() {
    let n = 10_000;
    let x = nalgebra::DVector::from_fn(n, |i, _| 0.5 + 0.001 * (i % 1000) as f64);
    let (value, want) = rosenbrock_dvector_grad(&x);
    for i in 0..n {
        let mut d = -2.0 * (1.0 - x[i]) * if i + 1 < n { 1.0 } else { 0.0 };
        if i + 1 < n {
            d -= 400.0 * x[i] * (x[i + 1] - x[i] * x[i]);
        }
        if i > 0 {
            d += 200.0 * (x[i] - x[i - 1] * x[i - 1]);
        }
        assert!((want[i] - d).abs() <= 1e-9 * d.abs().max(1.0), "{i}: {} vs {d}", want[i]);
    }
    let dir = nalgebra::DVector::from_fn(n, |i, _| ((i % 7) as f64 - 3.0) * 0.1);
    let (_, t) = rosenbrock_dvector_jvp(&x, dir.clone());
    assert!((t - want.dot(&dir)).abs() <= 1e-9 * t.abs().max(1.0));
    let mut grad = nalgebra::DVector::zeros(0);
    assert_eq!(rosenbrock_dvector_grad_into(&x, &mut grad), value);
    assert_eq!(grad, want);
    let m = nalgebra::DMatrix::from_fn(30, 20, |i, j| 0.01 * (i * 20 + j) as f64);
    let (m_value, m_want) = weighted_sines_grad(&m);
    for i in 0..30 {
        for j in 0..20 {
            let d = m[(i, j)].cos() * (i + 2 * j + 1) as f64;
            assert!((m_want[(i, j)] - d).abs() <= 1e-14, "({i}, {j})");
        }
    }
    let mut m_grad = nalgebra::DMatrix::from_element(2, 2, 7.0);
    assert_eq!(weighted_sines_grad_into(&m, &mut m_grad), m_value);
    assert_eq!(m_grad, m_want);
    let least = steady_state_allocations(&mut || {
        std::hint::black_box(rosenbrock_dvector_grad_into(std::hint::black_box(&x), &mut grad));
        std::hint::black_box(weighted_sines_grad_into(std::hint::black_box(&m), &mut m_grad));
    });
    println!("DVector/DMatrix _grad_into, allocations in 20 steady-state calls: {least}");
    assert_eq!(least, 0);
    assert_eq!(grad, want);
    assert_eq!(m_grad, m_want);
}
