//! Arrays made after a guard's early `return` (`if x.is_empty() { return 0.0; }`), the way
//! published code checks its input first: a `collect`, `vec![0.0; n - 1]` written by index, a
//! sub-slice's copy and `split_first`'s rest. The rest of the function lowers as a branch, where
//! arrays were not made ("creating an array inside a loop or branch is not supported"); such an
//! array is now a placeholder at the top level made anew in the branch (`Op::Refill`), its length
//! evaluated only past the guard. Checked against closed forms, central differences, forward
//! against reverse, the guard's own path, and the Hessian.

mod common;

use common::{check, close};
use tapeless::differentiable;

/// `|x|`, through a collected vector of squares.
#[differentiable(hessian)]
fn norm_after_guard(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    let squares: Vec<f64> = x.iter().map(|a| a * a).collect();
    squares.iter().sum::<f64>().sqrt()
}

/// `Σ (x_{i+1} - x_i)²` from a vector of differences written by index; `x.len() - 1` would
/// underflow for an empty slice, which the guard leaves before.
#[differentiable]
fn roughness(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let mut d = vec![0.0; x.len() - 1];
    for i in 0..d.len() {
        d[i] = x[i + 1] - x[i];
    }
    d.iter().map(|v| v * v).sum()
}

/// `x₀ Σ_{i>0} x_i + x₀ x₁`: a sub-slice and `split_first` past the guard.
#[differentiable]
fn head_and_tail(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return x.iter().sum();
    }
    let tail = &x[1..];
    let (first, rest) = x.split_first().unwrap();
    first * tail.iter().sum::<f64>() + first * rest[0]
}

/// Two guards, and an array in the `else` of an ordinary `if` after them.
#[differentiable]
fn two_guards(x: &[f64], scale: f64) -> f64 {
    if x.is_empty() {
        return scale;
    }
    if tapeless::piecewise(x[0] > 100.0) {
        return x[0];
    }
    if x.len() == 1 {
        scale * x[0]
    } else {
        let w: Vec<f64> = x.iter().map(|v| v * scale).collect();
        w.iter().map(|v| v.sin()).sum()
    }
}

const POINTS: [&[f64]; 3] = [&[0.3, -0.4, 0.7, 1.1], &[2.0, 0.5], &[-0.2, 0.9, 0.1, 1.5, -0.6]];

#[test]
fn a_collect_after_a_guard_first_and_second_order() {
    for x in POINTS {
        let n: f64 = x.iter().map(|v| v * v).sum::<f64>().sqrt();
        let (y, g) = norm_after_guard_grad(x);
        assert!(close(y, n, 1e-15));
        for (gi, xi) in g.iter().zip(x) {
            assert!(close(*gi, xi / n, 1e-15));
        }
        // H = (I - x xᵀ / n²) / n.
        let (_, _, h) = norm_after_guard_hessian(x);
        for r in 0..x.len() {
            for c in 0..x.len() {
                let want = (if r == c { 1.0 } else { 0.0 } - x[r] * x[c] / (n * n)) / n;
                assert!(close(h[(r, c)], want, 1e-13), "H[{r},{c}] = {} vs {want}", h[(r, c)]);
            }
        }
    }
    check(
        &slice_fns!(norm_after_guard, norm_after_guard_jvp, norm_after_guard_vjp, norm_after_guard_grad),
        &POINTS,
        1e-8,
    );
    // The guard's path: nothing is made, and the gradient of an empty slice is empty.
    let (y, g) = norm_after_guard_grad(&[]);
    assert_eq!((y, g.len()), (0.0, 0));
    let (y, pullback) = norm_after_guard_vjp(&[]);
    assert_eq!((y, pullback(1.0).len()), (0.0, 0));
}

#[test]
fn an_array_of_a_length_valid_only_past_the_guard() {
    for x in POINTS {
        let (y, g) = roughness_grad(x);
        let n = x.len();
        let want: f64 = (0..n - 1).map(|i| (x[i + 1] - x[i]).powi(2)).sum();
        assert!(close(y, want, 1e-15));
        for i in 0..n {
            let left = if i > 0 { 2.0 * (x[i] - x[i - 1]) } else { 0.0 };
            let right = if i + 1 < n { -2.0 * (x[i + 1] - x[i]) } else { 0.0 };
            assert!(close(g[i], left + right, 1e-14));
        }
    }
    check(&slice_fns!(roughness, roughness_jvp, roughness_vjp, roughness_grad), &POINTS, 1e-8);
    for short in [&[][..], &[1.5][..]] {
        let (y, g) = roughness_grad(short);
        assert_eq!((y, g), (0.0, vec![0.0; short.len()]));
        let (_, t) = roughness_jvp(short, vec![1.0; short.len()]);
        assert_eq!(t, 0.0);
    }
}

#[test]
fn slices_and_splits_past_a_guard() {
    for x in POINTS {
        let (y, g) = head_and_tail_grad(x);
        let tail: f64 = x[1..].iter().sum();
        assert!(close(y, x[0] * tail + x[0] * x[1], 1e-15));
        assert!(close(g[0], tail + x[1], 1e-15) && close(g[1], 2.0 * x[0], 1e-15));
        for gi in &g[2..] {
            assert!(close(*gi, x[0], 1e-15));
        }
    }
    check(
        &slice_fns!(head_and_tail, head_and_tail_jvp, head_and_tail_vjp, head_and_tail_grad),
        &POINTS,
        1e-8,
    );
    assert_eq!(head_and_tail_grad(&[0.5]), (0.5, vec![1.0]));
}

#[test]
fn two_guards_and_an_ordinary_branch() {
    let s = 0.7;
    for x in POINTS {
        let (y, (g, gs)) = two_guards_grad(x, s);
        assert!(close(y, x.iter().map(|v| (v * s).sin()).sum::<f64>(), 1e-15));
        for (gi, xi) in g.iter().zip(x) {
            assert!(close(*gi, s * (xi * s).cos(), 1e-15));
        }
        let dgs: f64 = x.iter().map(|v| v * (v * s).cos()).sum();
        assert!(close(gs, dgs, 1e-14));
        let (_, t) = two_guards_jvp(x, s, vec![1.0; x.len()], 0.5);
        assert!(close(t, g.iter().sum::<f64>() + 0.5 * gs, 1e-14));
    }
    assert_eq!(two_guards_grad(&[], s), (s, (vec![], 1.0)));
    assert_eq!(two_guards_grad(&[200.0, 1.0], s).1.0, vec![1.0, 0.0]);
    assert_eq!(two_guards_grad(&[2.0], s), (2.0 * s, (vec![s], 2.0)));
}

/// `x.first()?` in a function returning `Option`: a guard that leaves with `None`, then a
/// collected vector: `Σ ln(1 + x_i / x₀)`.
#[differentiable]
fn relative_logs(x: &[f64]) -> Option<f64> {
    let first = *x.first()?;
    let scaled: Vec<f64> = x.iter().map(|v| v / first).collect();
    Some(scaled.iter().map(|v| v.ln_1p()).sum())
}

/// `let Some(&last) = x.last() else { return .. };` then a collected vector:
/// `Σ (x_i - x_last)² + x_last`.
#[differentiable]
fn spread_from_last(x: &[f64]) -> f64 {
    let Some(&last) = x.last() else { return 0.0 };
    let d: Vec<f64> = x.iter().map(|v| (v - last).powi(2)).collect();
    d.iter().sum::<f64>() + last
}

#[test]
fn question_mark_and_let_else_guards() {
    for x in [&[0.3, 0.4, 0.7, 1.1][..], &[1.5, 0.2], &[0.9]] {
        let (y, g) = relative_logs_grad(x).unwrap();
        let f0 = x[0];
        assert!(close(y, x.iter().map(|v| (v / f0).ln_1p()).sum(), 1e-15));
        // d/dx_i = 1 / (x₀ + x_i) for i > 0; d/dx₀ = Σ_{i>0} -x_i / (x₀ (x₀ + x_i)) + 1 / (2 x₀) · 0
        // (the term i = 0 is ln 2, constant).
        let want0: f64 = x[1..].iter().map(|v| -v / (f0 * (f0 + v))).sum();
        assert!(close(g[0], want0, 1e-13), "{} vs {want0}", g[0]);
        for i in 1..x.len() {
            assert!(close(g[i], 1.0 / (f0 + x[i]), 1e-14));
        }
        let (_, t) = relative_logs_jvp(x, vec![1.0; x.len()]).unwrap();
        assert!(close(t, g.iter().sum(), 1e-13));

        let (y, g) = spread_from_last_grad(x);
        let last = x[x.len() - 1];
        assert!(close(y, x.iter().map(|v| (v - last).powi(2)).sum::<f64>() + last, 1e-15));
        let n = x.len();
        for i in 0..n - 1 {
            assert!(close(g[i], 2.0 * (x[i] - last), 1e-14));
        }
        let sum_last: f64 = x[..n - 1].iter().map(|v| -2.0 * (v - last)).sum();
        assert!(close(g[n - 1], sum_last + 1.0, 1e-14));
    }
    assert!(relative_logs_grad(&[]).is_none());
    assert_eq!(spread_from_last_grad(&[]), (0.0, vec![]));
    check(
        &slice_fns!(spread_from_last, spread_from_last_jvp, spread_from_last_vjp, spread_from_last_grad),
        &POINTS,
        1e-8,
    );
}

/// Residuals returned from both sides of a guard, the Jacobian asked for: a vector made in the
/// guard's branch and one collected past it (before, the branch moved the array its adjoint was
/// then sized from: rustc's E0382 inside generated code).
#[differentiable(jacobian)]
fn residuals_after_guard(p: &[f64], t: &[f64]) -> Vec<f64> {
    if p.len() < 2 {
        return vec![0.0; t.len()];
    }
    let scaled: Vec<f64> = t.iter().map(|ti| p[1] * ti).collect();
    scaled.iter().map(|s| p[0] * s.exp()).collect()
}

#[test]
fn vectors_returned_from_both_sides_of_a_guard() {
    let (p, t) = ([2.0, -0.5], [0.0, 0.5, 1.0]);
    let (r, j) = residuals_after_guard_jacobian(&p, &t);
    for (i, ti) in t.iter().enumerate() {
        let e = (p[1] * ti).exp();
        assert!(close(r[i], p[0] * e, 1e-15));
        assert!(close(j[(i, 0)], e, 1e-15) && close(j[(i, 1)], p[0] * ti * e, 1e-15));
        for (k, _) in t.iter().enumerate() {
            let want = if k == i { p[0] * p[1] * e } else { 0.0 };
            assert!(close(j[(i, 2 + k)], want, 1e-15));
        }
    }
    // Rows from the VJP, columns from the JVP.
    let (_, pullback) = residuals_after_guard_vjp(&p, &t);
    let (gp, gt) = pullback(vec![1.0, -1.0, 0.5]);
    for c in 0..5 {
        let row_combination: f64 = (0..3).map(|i| [1.0, -1.0, 0.5][i] * j[(i, c)]).sum();
        let from_vjp = if c < 2 { gp[c] } else { gt[c - 2] };
        assert!(close(row_combination, from_vjp, 1e-14));
    }
    let (_, column) = residuals_after_guard_jvp(&p, &t, vec![0.0, 1.0], vec![0.0; 3]);
    for i in 0..3 {
        assert!(close(column[i], j[(i, 1)], 1e-15));
    }
    // The guard's side.
    let (r, j) = residuals_after_guard_jacobian(&[2.0], &[0.0, 0.5]);
    assert_eq!(r, vec![0.0, 0.0]);
    assert!(j.iter().all(|v| *v == 0.0) && j.shape() == (2, 3));
}

#[derive(Debug, PartialEq)]
enum SeriesError {
    Empty,
    NoSecond(String),
}

/// `x.first().ok_or(e)?` and `x.get(1).ok_or_else(|| e)?` in a function returning `Result`:
/// guards that leave with the user's error, then the elements: `x₀ x₁ + Σ eˣⁱ`.
#[differentiable]
fn first_two(x: &[f64]) -> Result<f64, SeriesError> {
    let first = x.first().ok_or(SeriesError::Empty)?;
    let second = *x.get(1).ok_or_else(|| SeriesError::NoSecond(format!("{} value(s)", x.len())))?;
    Ok(first * second + x.iter().map(|v| v.exp()).sum::<f64>())
}

#[test]
fn ok_or_of_an_element_in_a_result_function() {
    assert_eq!(first_two_grad(&[]), Err(SeriesError::Empty));
    assert_eq!(first_two_grad(&[0.5]), Err(SeriesError::NoSecond("1 value(s)".to_string())));
    assert!(first_two_jvp(&[0.5], vec![1.0]).is_err());
    for x in [&[0.3, 0.4, 0.7][..], &[1.5, -0.2], &[0.9, 0.1, -0.4, 2.0]] {
        let (y, g) = first_two_grad(x).unwrap();
        let exps: f64 = x.iter().map(|v| v.exp()).sum();
        assert!(close(y, x[0] * x[1] + exps, 1e-15));
        for i in 0..x.len() {
            let partner = match i {
                0 => x[1],
                1 => x[0],
                _ => 0.0,
            };
            assert!(close(g[i], partner + x[i].exp(), 1e-14), "d/dx{i}");
            let fd = common::central(&|p: &[f64]| first_two(p).unwrap_or(f64::NAN), x, i);
            assert!(close(g[i], fd, 1e-8), "d/dx{i}: {} vs central differences {fd}", g[i]);
        }
        let v = common::direction(x.len(), 5);
        let (_, t) = first_two_jvp(x, v.clone()).unwrap();
        let (_, pullback) = first_two_vjp(x).unwrap();
        common::forward_against_reverse("first_two", t, &v, 0.8, &pullback(0.8), 1e-13);
    }
}
