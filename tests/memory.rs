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
    let least = (0..3)
        .map(|_| {
            let before = ALLOCATIONS.load(Ordering::SeqCst);
            for _ in 0..10 {
                std::hint::black_box(rosenbrock_grad_into(std::hint::black_box(&x), &mut grad));
                std::hint::black_box(rosenbrock_chain_grad_into(std::hint::black_box(&x), &mut chain_grad));
            }
            ALLOCATIONS.load(Ordering::SeqCst) - before
        })
        .min()
        .unwrap_or(usize::MAX);
    println!("allocations in 20 steady-state calls: {least}");
    assert_eq!(least, 0);
    assert_eq!(grad, want);
    // A buffer of the wrong length is resized.
    let mut short = vec![7.0; 3];
    rosenbrock_grad_into(&x[..5], &mut short);
    assert_eq!(short, rosenbrock_grad(&x[..5]).1);
}
