//! Values read as constants inside code the macro keeps as written, as published numeric code
//! sorts and indexes:
//! - `idx.sort_by(|&a, &b| no_grad(x[a]).total_cmp(&no_grad(x[b])))`: an argsort by value,
//!   its comparisons cut from the derivative by `tapeless::no_grad` (before, still "a method
//!   changing a constant local of a differentiable value", the help's own fix rejected);
//! - `(0..x.len()).collect::<Vec<usize>>()`: a shape, not a read of `x` (before, "a range of a
//!   differentiable value");
//! - `let (a, b) = p;` of a differentiated parameter `p: (f64, f64)` (before, "destructuring
//!   of a differentiable value"), in second order too, and `p: &(f64, f64)`.
//!
//! Checked against closed forms, central differences, and forward against reverse mode.

mod common;

use common::{check, close};
use tapeless::differentiable;

/// `2 min(x) + max(x) + median-ish x[idx[n / 2]]`: the order is piecewise constant, the values
/// read through it are differentiable.
#[differentiable]
fn ordered(x: &[f64]) -> f64 {
    let mut idx: Vec<usize> = (0..x.len()).collect();
    idx.sort_by(|&a, &b| tapeless::no_grad(x[a]).total_cmp(&tapeless::no_grad(x[b])));
    let n = idx.len();
    2.0 * x[idx[0]] + x[idx[n - 1]] + x[idx[n / 2]]
}

/// `a e^b + c`, the pair taken apart by a pattern; second order too (the pair lifted part by
/// part: before, the second-order parameter type error).
#[differentiable(hessian)]
fn pair(p: (f64, f64), c: f64) -> f64 {
    let (a, b) = p;
    a * b.exp() + c
}

#[test]
fn an_argsort_by_constant_comparisons() {
    let points: [&[f64]; 3] = [&[0.3, -0.4, 0.7, 1.1, 0.25], &[2.0, 1.5, -3.0], &[0.1, 0.9, 0.5, -0.2]];
    for x in points {
        let mut sorted: Vec<(usize, f64)> = x.iter().copied().enumerate().collect();
        sorted.sort_by(|a, b| a.1.total_cmp(&b.1));
        let n = x.len();
        let (lo, hi, mid) = (sorted[0].0, sorted[n - 1].0, sorted[n / 2].0);
        let (y, g) = ordered_grad(x);
        assert!(close(y, 2.0 * x[lo] + x[hi] + x[mid], 1e-15));
        let mut want = vec![0.0; n];
        want[lo] += 2.0;
        want[hi] += 1.0;
        want[mid] += 1.0;
        assert_eq!(g, want);
    }
    check(&slice_fns!(ordered, ordered_jvp, ordered_vjp, ordered_grad), &points, 1e-8);
}

#[test]
fn a_tuple_parameter_taken_apart() {
    for (a, b, c) in [(0.3, 0.5, 1.0), (-1.2, 0.1, 0.0), (2.0, -0.7, 3.0)] {
        let (y, ((ga, gb), gc)) = pair_grad((a, b), c);
        assert!(close(y, a * b.exp() + c, 1e-15));
        assert!(close(ga, b.exp(), 1e-15) && close(gb, a * b.exp(), 1e-15) && gc == 1.0);
        let h = 1e-6;
        let fd_b = (pair((a, b + h), c) - pair((a, b - h), c)) / (2.0 * h);
        assert!(close(gb, fd_b, 1e-8));
        let (_, t) = pair_jvp((a, b), c, (0.4, -0.9), 0.2);
        let (_, pullback) = pair_vjp((a, b), c);
        let ((ba, bb), bc) = pullback(1.5);
        assert!(close(1.5 * t, 0.4 * ba - 0.9 * bb + 0.2 * bc, 1e-14));
        // Inputs in order a, b, c: H_ab = e^b, H_bb = a e^b, the rest zero.
        let (_, _, hm) = pair_hessian((a, b), c);
        let want = [[0.0, b.exp(), 0.0], [b.exp(), a * b.exp(), 0.0], [0.0; 3]];
        let grad = |q: &[f64]| {
            let (_, ((ga, gb), gc)) = pair_grad((q[0], q[1]), q[2]);
            vec![ga, gb, gc]
        };
        common::hessian_against("pair", &hm, &|i, j| want[i][j], &grad, &[a, b, c], 1e-14);
        let (_, _, ((ha, hb), hc)) = pair_hvp((a, b), c, (0.4, -0.9), 0.2);
        let v = [0.4, -0.9, 0.2];
        for (i, got) in [ha, hb, hc].into_iter().enumerate() {
            let want: f64 = (0..3).map(|j| hm[(i, j)] * v[j]).sum();
            assert!(close(got, want, 1e-14), "(H v)[{i}] = {got} against {want}");
        }
    }
}

/// `a b z + sin a` of a pair by reference, in second order.
#[differentiable(hessian)]
fn pair_by_reference(p: &(f64, f64), z: f64) -> f64 {
    p.0 * p.1 * z + p.0.sin()
}

#[test]
fn a_tuple_by_reference_in_second_order() {
    for (a, b, z) in [(1.0, 2.0, 3.0), (-0.4, 0.7, -1.1), (2.5, -0.3, 0.6)] {
        let (value, ((ga, gb), gz), h) = pair_by_reference_hessian(&(a, b), z);
        assert!(close(value, a * b * z + a.sin(), 1e-15));
        assert!(close(ga, b * z + a.cos(), 1e-15) && close(gb, a * z, 1e-15) && close(gz, a * b, 1e-15));
        let want = [[-a.sin(), z, b], [z, 0.0, a], [b, a, 0.0]];
        let grad = |q: &[f64]| {
            let (_, ((ga, gb), gz)) = pair_by_reference_grad(&(q[0], q[1]), q[2]);
            vec![ga, gb, gz]
        };
        common::hessian_against("pair_by_reference", &h, &|i, j| want[i][j], &grad, &[a, b, z], 1e-14);
        let p = (a, b);
        let (_, t) = pair_by_reference_jvp(&p, z, (0.4, -0.9), 0.2);
        let (_, pullback) = pair_by_reference_vjp(&p, z);
        let ((ba, bb), bz) = pullback(1.5);
        assert!(close(1.5 * t, 0.4 * ba - 0.9 * bb + 0.2 * bz, 1e-14));
    }
}

/// Integer data kept by a test of the length only (`i < x.len()`), and by values read as
/// constants: `Σ x_i` over the kept indices.
#[differentiable]
fn kept(x: &[f64], order: &[usize]) -> f64 {
    let mut idx = order.to_vec();
    idx.retain(|&i| i < x.len());
    idx.retain(|&i| tapeless::no_grad(x[i]) > 0.0);
    idx.iter().map(|&i| x[i] * x[i]).sum()
}

#[test]
fn integer_data_filtered_by_length_and_by_constant_values() {
    let order = [4, 0, 9, 2, 3, 2];
    for x in [[0.3, -0.4, 0.7, 1.1, 0.25], [-1.0, 2.0, 0.5, -0.1, 0.0]] {
        let (y, g) = kept_grad(&x, &order);
        let mut want = vec![0.0; 5];
        let mut value = 0.0;
        for &i in order.iter().filter(|&&i| i < 5 && x[i] > 0.0) {
            value += x[i] * x[i];
            want[i] += 2.0 * x[i];
        }
        assert!(close(y, value, 1e-15));
        assert_eq!(g, want);
        let (_, t) = kept_jvp(&x, &order, vec![1.0, 0.5, -0.5, 2.0, 0.1]);
        let dot: f64 = g.iter().zip([1.0, 0.5, -0.5, 2.0, 0.1]).map(|(a, b)| a * b).sum();
        assert!(close(t, dot, 1e-14));
    }
}

/// A helper of the user's, not differentiated, called on differentiable values inside
/// `no_grad`: called as written on constant copies (before, a call of `scale_of_vjp`, which
/// does not exist: rustc's error).
fn scale_of(x: &[f64]) -> f64 {
    x.iter().map(|v| v.abs()).fold(0.0, f64::max)
}

fn checked_len(x: &[f64]) -> Result<usize, String> {
    if x.len() < 2 { Err(format!("{} values, two needed", x.len())) } else { Ok(x.len()) }
}

/// `x_0 x_1 / s + Σ x / n`, with `s = max |x_i|` held constant and `n` from a fallible check.
#[differentiable]
fn normalised(x: &[f64]) -> Result<f64, String> {
    let n = tapeless::no_grad(checked_len(x))?;
    let s = tapeless::no_grad(scale_of(x));
    Ok(x[0] * x[1] / s + x.iter().sum::<f64>() / n as f64)
}

#[test]
fn helpers_called_inside_no_grad() {
    for x in [[1.0, -2.0, 3.0], [0.5, 0.25, -0.125], [-4.0, 1.5, 2.0]] {
        let (value, g) = normalised_grad(&x).unwrap();
        assert_eq!(value, normalised(&x).unwrap());
        // Closed form, `s` and `n` constant: ∂/∂x_0 = x_1 / s + 1/n, ∂/∂x_1 = x_0 / s + 1/n,
        // ∂/∂x_2 = 1/n.
        let (s, n) = (scale_of(&x), 3.0);
        let want = [x[1] / s + 1.0 / n, x[0] / s + 1.0 / n, 1.0 / n];
        for i in 0..3 {
            assert!(close(g[i], want[i], 1e-15), "{g:?} vs {want:?}");
        }
        // Forward against reverse.
        let d = common::direction(3, 4);
        let (_, t) = normalised_jvp(&x, d.clone()).unwrap();
        let (_, pullback) = normalised_vjp(&x).unwrap();
        let back: f64 = pullback(1.0).iter().zip(&d).map(|(a, b)| a * b).sum();
        assert!(close(t, back, 1e-14) && close(t, g.iter().zip(&d).map(|(a, b)| a * b).sum(), 1e-14));
    }
    // The check's error comes back from every generated item.
    assert_eq!(normalised_grad(&[1.0]).unwrap_err(), "1 values, two needed");
    assert!(normalised_jvp(&[1.0], vec![1.0]).is_err());
}
