//! What the reverse sweep saves in loops, in both modes: reads the inner loop does not move
//! (summed in registers), arrays the sweep no longer reads, arrays written once per element and
//! only summed, and neighbouring reads `x[i]`, `x[i + 1]`. Every gradient is checked against
//! analytic values or central differences and forward mode against reverse mode. (Split from
//! `tests/loops.rs`.)

// Index loops are how numerical code is written, and what the macro must handle.
#![allow(clippy::needless_range_loop, clippy::type_complexity, clippy::useless_vec)]

mod common;

use common::functions::rosenbrock_jvp;
use common::{check_pullback, check_wrt_x};
use tapeless::differentiable;

fn points(n: usize) -> Vec<f64> {
    // The deterministic F1 input of shared/bench-functions.md.
    (0..n).map(|i| 0.5 + 0.001 * (i % 1000) as f64).collect()
}

// ---- Reads the inner loop does not move, and arrays the reverse sweep no longer reads ------------

/// `x[i]` and `x[k]` are read at indices the inner loop does not change: their adjoints are
/// summed in a register for the whole inner loop and added once after it.
#[differentiable(wrt(x))]
fn invariant_reads(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut s = 0.0;
    for i in 0..n {
        let k = n - 1 - i;
        for j in 0..m {
            s += x[i] * x[j] * x[i] + (x[k] * 0.5).sin() * x[(i + j) % n];
        }
    }
    s
}

#[test]
fn reads_at_an_index_the_inner_loop_does_not_change() {
    let x = points(7);
    for m in [0, 1, 7] {
        check_wrt_x(
            "invariant_reads",
            &|p| invariant_reads(p, m),
            &|p| invariant_reads_grad(p, m).1,
            &|p, d| invariant_reads_jvp(p, m, d).1,
            &x,
        );
        let (_, pullback) = invariant_reads_vjp(&x, m);
        check_pullback("invariant_reads", &invariant_reads_grad(&x, m).1, 2.0, &pullback(2.0));
    }
    // Analytic at m = 1: s = sum_i x_i^2 x_0 + sin(x_{n-1-i} / 2) x_i.
    let (n, g) = (x.len(), invariant_reads_grad(&x, 1).1);
    for (i, gi) in g.iter().enumerate() {
        let mut d = 2.0 * x[i] * x[0] + (x[n - 1 - i] * 0.5).sin();
        d += 0.5 * (x[i] * 0.5).cos() * x[n - 1 - i];
        if i == 0 {
            d += x.iter().map(|v| v * v).sum::<f64>();
        }
        assert!(common::close(*gi, d, 1e-13), "d/dx{i} = {gi}, analytic {d}");
    }
}

/// The inner loop runs no iteration: the primal never reads `x[far]` (out of range), and the
/// gradient must not either.
#[differentiable(wrt(x))]
fn read_past_the_end_in_an_empty_loop(x: &[f64], far: usize, m: usize) -> f64 {
    let mut s = x[0];
    for j in 0..m {
        s += x[far] * x[j];
    }
    s
}

#[test]
fn an_invariant_read_in_a_loop_that_runs_no_iteration() {
    let x = [0.5, 2.0, -1.5];
    let (value, g) = read_past_the_end_in_an_empty_loop_grad(&x, 10, 0);
    assert_eq!((value, g), (0.5, vec![1.0, 0.0, 0.0]));
    let (_, pullback) = read_past_the_end_in_an_empty_loop_vjp(&x, 10, 0);
    assert_eq!(pullback(3.0), vec![3.0, 0.0, 0.0]);
    check_wrt_x(
        "read_past_the_end_in_an_empty_loop",
        &|p| read_past_the_end_in_an_empty_loop(p, 2, 3),
        &|p| read_past_the_end_in_an_empty_loop_grad(p, 2, 3).1,
        &|p, d| read_past_the_end_in_an_empty_loop_jvp(p, 2, 3, d).1,
        &x,
    );
}

/// `a[z]` is read at an index the loop does not change, but the loop also writes `a[z]`: each
/// read sees another value, so its adjoint cannot be summed across iterations.
#[differentiable(wrt(x))]
fn invariant_read_of_a_written_element(x: &[f64]) -> f64 {
    let z = 0;
    let mut a = vec![0.0; 2];
    a[z] = x[0];
    for j in 0..x.len() {
        a[1] += a[z] * x[j];
        a[z] = (x[j] * a[z]).sin();
    }
    a[1] + a[z]
}

#[test]
fn an_invariant_read_of_an_element_the_loop_writes() {
    let x = [0.7, -0.4, 1.1, 0.3];
    check_wrt_x(
        "invariant_read_of_a_written_element",
        &invariant_read_of_a_written_element,
        &|p| invariant_read_of_a_written_element_grad(p).1,
        &|p, d| invariant_read_of_a_written_element_jvp(p, d).1,
        &x,
    );
}

/// `table` is built, written and summed; the reverse sweep never reads its values, so `_grad`
/// lets its adjoint take its storage. `squares` is read by the sweep (`v * v`), so it keeps it.
#[differentiable(wrt(x))]
fn built_and_summed(x: &[f64], w: f64) -> f64 {
    let n = x.len();
    let mut table = vec![0.0; n * n];
    let mut squares = x.to_vec();
    for i in 0..n {
        squares[i] = x[i] * w;
        for j in 0..n {
            table[i * n + j] = x[i] * x[j] * w;
        }
    }
    let mut s = 0.0;
    for v in table.iter() {
        s += v;
    }
    for v in squares.iter() {
        s += v * v;
    }
    s
}

#[test]
fn an_array_the_reverse_sweep_does_not_read() {
    let x = points(6);
    for w in [0.8, -1.7] {
        check_wrt_x(
            "built_and_summed",
            &|p| built_and_summed(p, w),
            &|p| built_and_summed_grad(p, w).1,
            &|p, d| built_and_summed_jvp(p, w, d).1,
            &x,
        );
        // Analytic: s = w (sum x)^2 + w^2 sum x^2.
        let total: f64 = x.iter().sum();
        let (_, pullback) = built_and_summed_vjp(&x, w);
        let (g, from_pullback) = (built_and_summed_grad(&x, w).1, pullback(1.0));
        for i in 0..x.len() {
            let d = 2.0 * w * total + 2.0 * w * w * x[i];
            assert!(common::close(g[i], d, 1e-13), "d/dx{i} = {}, analytic {d}", g[i]);
            assert_eq!(g[i], from_pullback[i], "_grad and the pullback of _vjp");
        }
    }
}

/// A tangent has one entry per element of its parameter; any other length is the caller's
/// mistake, reported at the call with both lengths (not an index out of bounds inside `_jvp`).
#[test]
#[should_panic(expected = "the tangent `dx` has 2 elements but `x` has 3")]
fn a_tangent_of_the_wrong_length_is_reported_at_the_call() {
    rosenbrock_jvp(&[1.0, 2.0, 3.0], vec![1.0, 1.0]);
}

// ---- An array written once per element and only summed -----------------------------------------

/// Each element of `mat` is written at most once (`i * m + j`, `j < m`) and the array is read
/// only by the sum: reverse mode keeps its adjoint as one scalar, forward mode adds up the stored
/// tangents. Three elements are never written; the sum starts from `x[0]` and its square root is
/// taken, so the scalar is not the seed.
#[differentiable(wrt(x))]
fn written_once_and_summed(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut mat = vec![0.5; n * m + 3];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = (x[i] * x[j % n]).sin() + 1.0;
        }
    }
    let mut s = x[0] * x[0];
    for v in mat.iter() {
        s += v;
    }
    s.sqrt()
}

/// Rows of different lengths overlap (`i * k + j` with `k = n - i`): later rows overwrite
/// earlier ones, whose values then reach the sum no more. The scalar adjoint would be wrong here.
#[differentiable(wrt(x))]
fn overlapping_rows_summed(x: &[f64]) -> f64 {
    let n = x.len();
    let mut mat = vec![0.0; n * n];
    for i in 0..n {
        let k = n - i;
        for j in 0..k {
            mat[i * k + j] = x[j] * x[i] + x[i];
        }
    }
    let mut s = 0.0;
    for v in mat.iter() {
        s += v;
    }
    s
}

#[test]
fn an_array_written_once_and_only_summed() {
    let x = [0.3, -0.8, 1.1, 0.45];
    for m in [0, 1, 3, 6] {
        check_wrt_x(
            "written_once_and_summed",
            &|p| written_once_and_summed(p, m),
            &|p| written_once_and_summed_grad(p, m).1,
            &|p, d| written_once_and_summed_jvp(p, m, d).1,
            &x,
        );
        let (_, pullback) = written_once_and_summed_vjp(&x, m);
        check_pullback(
            "written_once_and_summed",
            &written_once_and_summed_grad(&x, m).1,
            -1.5,
            &pullback(-1.5),
        );
    }
    // Analytic at m = 1: s = x0^2 + sum_i (sin(x_i x_0) + 1) + 0.5 * 3, f = sqrt(s).
    let s: f64 = x[0] * x[0] + x.iter().map(|v| (v * x[0]).sin() + 1.0).sum::<f64>() + 1.5;
    let g = written_once_and_summed_grad(&x, 1).1;
    for i in 0..x.len() {
        let mut ds = x[0] * (x[i] * x[0]).cos();
        if i == 0 {
            ds += 2.0 * x[0] + x.iter().map(|v| v * (v * x[0]).cos()).sum::<f64>();
        }
        let d = ds / (2.0 * s.sqrt());
        assert!(common::close(g[i], d, 1e-13), "d/dx{i} = {}, analytic {d}", g[i]);
    }
}

#[test]
fn overlapping_rows_are_not_treated_as_written_once() {
    let x = [0.3, -0.8, 1.1, 0.45, -0.2];
    check_wrt_x(
        "overlapping_rows_summed",
        &overlapping_rows_summed,
        &|p| overlapping_rows_summed_grad(p).1,
        &|p, d| overlapping_rows_summed_jvp(p, d).1,
        &x,
    );
}

/// The same shape summed by `iter().sum()`, its result used in one branch only.
#[differentiable(wrt(x))]
fn written_once_and_iter_summed(x: &[f64], m: usize) -> f64 {
    let n = x.len();
    let mut mat = vec![0.0; n * m];
    for i in 0..n {
        for j in 0..m {
            mat[i * m + j] = x[i] * (x[j % n] * 0.5).exp();
        }
    }
    let s = mat.iter().sum::<f64>();
    if tapeless::piecewise(x[0] > 0.0) { s * s } else { x[1] * 2.0 }
}

#[test]
fn an_array_written_once_and_summed_by_iter_sum() {
    for x in [[0.3, -0.8, 1.1], [-0.3, -0.8, 1.1]] {
        for m in [0, 2, 5] {
            check_wrt_x(
                "written_once_and_iter_summed",
                &|p| written_once_and_iter_summed(p, m),
                &|p| written_once_and_iter_summed_grad(p, m).1,
                &|p, d| written_once_and_iter_summed_jvp(p, m, d).1,
                &x,
            );
            let (_, pullback) = written_once_and_iter_summed_vjp(&x, m);
            let g = written_once_and_iter_summed_grad(&x, m).1;
            check_pullback("written_once_and_iter_summed", &g, 0.5, &pullback(0.5));
        }
    }
}

/// Rows of a literal length: `0..4` and `i * 4` are two literals of one value, so each element
/// is still written at most once. With `i * 3` the rows overlap and later ones overwrite.
#[differentiable(wrt(x))]
fn literal_rows_summed(x: &[f64], overlap: bool) -> f64 {
    let mut a = vec![0.0; 16];
    let mut b = vec![0.0; 16];
    for i in 0..3 {
        for j in 0..4 {
            a[i * 4 + j] = (x[i] * x[j]).cos();
        }
    }
    for i in 0..3 {
        for j in 0..4 {
            b[i * 3 + j] = x[i] * x[j] * x[j];
        }
    }
    let (sa, sb) = (a.iter().sum::<f64>(), b.iter().sum::<f64>());
    if overlap { sb } else { sa * 0.5 }
}

#[test]
fn rows_of_a_literal_length() {
    let x = [0.3, -0.8, 1.1, 0.45];
    for overlap in [false, true] {
        check_wrt_x(
            "literal_rows_summed",
            &|p| literal_rows_summed(p, overlap),
            &|p| literal_rows_summed_grad(p, overlap).1,
            &|p, d| literal_rows_summed_jvp(p, overlap, d).1,
            &x,
        );
    }
}

/// Reads of `x[i]` and `x[i + 1]` in one iteration: their adjoints go through registers
/// (`emit::reverse::loops::shift_loads`), in a backward loop that runs forward (independent
/// iterations) and in one that must run backward (a carried recurrence).
mod neighbours {
    use tapeless::differentiable;

    #[differentiable]
    pub fn independent(x: &[f64]) -> f64 {
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            s += (x[i + 1] - x[i]).powi(2) * x[i].cos();
        }
        s
    }

    #[differentiable]
    pub fn recurrent(x: &[f64]) -> f64 {
        let mut s = 0.5;
        for i in 0..x.len() - 1 {
            s = (s * x[i + 1] + x[i]).sin();
        }
        s
    }
}

#[test]
fn neighbouring_reads_in_both_loop_directions() {
    let points: [&[f64]; 3] = [&[0.3, -0.2, 0.9, 1.4], &[1.0, 2.0, 4.0, 0.5, -0.7], &[-1.2, 0.5, 0.1]];
    for (name, f, jvp, vjp, grad) in [
        (
            "independent",
            neighbours::independent as fn(&[f64]) -> f64,
            neighbours::independent_jvp as fn(&[f64], Vec<f64>) -> (f64, f64),
            (|x: &[f64], ct: f64| {
                let (v, pb) = neighbours::independent_vjp(x);
                (v, pb(ct))
            }) as fn(&[f64], f64) -> (f64, Vec<f64>),
            neighbours::independent_grad as fn(&[f64]) -> (f64, Vec<f64>),
        ),
        (
            "recurrent",
            neighbours::recurrent,
            neighbours::recurrent_jvp,
            |x: &[f64], ct: f64| {
                let (v, pb) = neighbours::recurrent_vjp(x);
                (v, pb(ct))
            },
            neighbours::recurrent_grad,
        ),
    ] {
        let fns = common::Fns { name, f: &f, jvp: &|x, v| jvp(x, v.to_vec()), vjp: &vjp, grad: &grad };
        common::check(&fns, &points, 1e-8);
    }
    // The last element gets only the carried part: ∂/∂x_n of (x_n - x_{n-1})² cos x_{n-1}.
    let x = [0.3, -0.2, 0.9];
    let (_, g) = neighbours::independent_grad(&x);
    assert!(common::close(g[2], 2.0 * (0.9 - -0.2) * (-0.2f64).cos(), 1e-15), "{g:?}");
}
