//! Elements looked up through `Option` (`x.first()`, `x.last()`, `x.get(i)`), consumed by
//! `if let`, `match`, `unwrap_or`, `unwrap` and `expect`, as numeric code writes them. Each
//! function is checked against its analytic gradient, central differences, and forward
//! against reverse mode (`common::check`), including where the element is missing.

mod common;

use common::{Fns, check};
use nalgebra::DVector;
use tapeless::differentiable;

/// The two ends of a series, zero for an empty one.
#[differentiable]
fn ends(x: &[f64]) -> f64 {
    let first = if let Some(&v) = x.first() { v } else { 0.0 };
    let last = x.last().copied().unwrap_or(0.0);
    first * last + first.sin()
}

/// A stencil whose neighbours may be outside the slice.
#[differentiable]
fn stencil(x: &[f64], i: usize) -> f64 {
    let left = match x.get(i.wrapping_sub(1)) {
        Some(v) => *v,
        None => 0.0,
    };
    let mid = *x.get(i).unwrap();
    let right = match x.get(i + 1) {
        None => 1.0,
        Some(&v) => v * v,
    };
    let far = x.get(i + 5).copied().unwrap_or(2.0);
    left * mid + right.sin() + far
}

/// An element of a computed `Vec`, and `expect`.
#[differentiable]
fn scaled_ends(x: &[f64]) -> f64 {
    let y: Vec<f64> = x.iter().map(|v| v * 2.0).collect();
    let top = *y.last().expect("a nonempty series");
    top * y.first().copied().unwrap_or(0.0)
}

/// A nalgebra vector's entries.
#[differentiable]
fn entries(v: &DVector<f64>) -> f64 {
    let a = v.get(0).copied().unwrap_or(1.0);
    if let Some(b) = v.get(1) { a * b.exp() } else { a }
}

#[test]
fn if_let_and_unwrap_or_of_the_ends() {
    let fns = slice_fns!(ends, ends_jvp, ends_vjp, ends_grad);
    check(&fns, &[&[0.5, 2.0, -1.5], &[1.2], &[-0.3, 0.7, 0.1, 2.2]], 1e-8);
    for x in [vec![0.5f64, 2.0, -1.5], vec![1.2], vec![-0.3, 0.7, 0.1, 2.2]] {
        let (f, l) = (x[0], x[x.len() - 1]);
        let mut want = vec![0.0; x.len()];
        want[0] += l + f.cos();
        *want.last_mut().unwrap() += f;
        assert_eq!(ends_grad(&x), (f * l + f.sin(), want), "at {x:?}");
    }
    // Empty: both fall back to their constants.
    assert_eq!(ends_grad(&[]), (0.0, vec![]));
    assert_eq!(ends_jvp(&[], vec![]), (0.0, 0.0));
}

#[test]
fn match_get_and_unwrap_at_every_position() {
    let x = [1.5, 2.0, 3.0, -0.5];
    for i in 0..x.len() {
        let fns = slice_fns_with!(stencil, stencil_jvp, stencil_vjp, stencil_grad; i);
        check(&fns, &[&x, &[0.3, -1.0, 0.8, 2.0], &[-2.0, 0.1, 0.4, 1.1]], 1e-8);
        // Analytic: left·mid + sin(right²) + far (missing neighbours are constants).
        let (_, g) = stencil_grad(&x, i);
        let mut want = vec![0.0; x.len()];
        if i > 0 {
            want[i - 1] += x[i];
            want[i] += x[i - 1];
        }
        if i + 1 < x.len() {
            want[i + 1] += 2.0 * x[i + 1] * (x[i + 1] * x[i + 1]).cos();
        }
        for (k, (a, b)) in g.iter().zip(&want).enumerate() {
            assert!(common::close(*a, *b, 1e-14), "stencil at {i}: d/dx{k} = {a}, want {b}");
        }
    }
}

#[test]
#[should_panic(expected = "index out of bounds")]
fn unwrap_of_a_missing_element_panics_as_the_function_does() {
    let _ = stencil_grad(&[1.0, 2.0], 2);
}

#[test]
fn last_and_expect_of_a_computed_vec() {
    let fns = slice_fns!(scaled_ends, scaled_ends_jvp, scaled_ends_vjp, scaled_ends_grad);
    check(&fns, &[&[1.5, 2.0, 3.0], &[0.4], &[-1.0, 0.5]], 1e-8);
    let (value, g) = scaled_ends_grad(&[1.5, 2.0, 3.0]);
    assert_eq!((value, g), (18.0, vec![12.0, 0.0, 6.0]));
}

#[test]
fn get_of_a_nalgebra_vector() {
    let f = |x: &[f64]| entries(&DVector::from_column_slice(x));
    let fns = Fns {
        name: "entries",
        f: &f,
        jvp: &|x, t| entries_jvp(&DVector::from_column_slice(x), DVector::from_column_slice(t)),
        vjp: &|x, u| {
            let x = DVector::from_column_slice(x);
            let (v, pullback) = entries_vjp(&x);
            (v, pullback(u).as_slice().to_vec())
        },
        grad: &|x| {
            let (v, g) = entries_grad(&DVector::from_column_slice(x));
            (v, g.as_slice().to_vec())
        },
    };
    check(&fns, &[&[1.5, 2.0], &[-0.4, 0.3], &[0.9, -1.1, 5.0]], 1e-8);
    let (a, b) = (1.5f64, 2.0f64);
    let (value, g) = entries_grad(&DVector::from_vec(vec![a, b]));
    assert_eq!((value, g.as_slice()), (a * b.exp(), &[b.exp(), a * b.exp()][..]));
    assert_eq!(entries_grad(&DVector::from_vec(vec![a])).1.as_slice(), &[1.0]);
}

/// `let Some(..) = lookup else { leave };`, at the top and in a loop.
#[differentiable]
fn tail(x: &[f64], i: usize) -> f64 {
    let Some(&v) = x.get(i) else {
        return 0.0;
    };
    let Some(w) = x.last() else {
        return -1.0;
    };
    v * v * w + w.sin()
}

/// `Σ (x_{i+1} - x_i)²`, stopping at the missing neighbour with `break`.
#[differentiable]
fn steps(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        let Some(&next) = x.get(i + 1) else {
            break;
        };
        s += (next - x[i]).powi(2);
    }
    s
}

#[test]
fn let_else_of_a_lookup() {
    for i in [0, 1, 2, 5] {
        let fns = slice_fns_with!(tail, tail_jvp, tail_vjp, tail_grad; i);
        check(&fns, &[&[1.0, 2.0, 3.0], &[0.5, -0.4, 1.2], &[-1.1, 0.3, 0.7]], 1e-8);
        let x = [1.0, 2.0, 3.0];
        let (_, g) = tail_grad(&x, i);
        let mut want = vec![0.0; 3];
        if i < 3 {
            want[i] += 2.0 * x[i] * x[2];
            want[2] += x[i] * x[i] + x[2].cos();
        }
        assert_eq!(g, want, "at {i}");
    }
    assert_eq!(tail_grad(&[], 0), (0.0, vec![]));
    let fns = slice_fns!(steps, steps_jvp, steps_vjp, steps_grad);
    check(&fns, &[&[1.0, 2.0, 4.0], &[0.3], &[-0.5, 0.2, 0.9, 1.4]], 1e-8);
    assert_eq!(steps_grad(&[1.0, 2.0, 4.0]), (5.0, vec![-2.0, -2.0, 4.0]));
}

/// `x.iter().nth(k)` is `x.get(k)`, `x.iter().rev().nth(k)` the element `k` from the end; an index
/// past the end gives the default. Was "no derivative is known for method `iter`" (our error).
#[allow(clippy::iter_nth)]
#[differentiable]
fn nth_lookups(x: &[f64]) -> f64 {
    let second = x.iter().nth(1).copied().unwrap_or(0.0);
    let far = x.iter().nth(10).copied().unwrap_or(1.5);
    let from_end = x.iter().rev().nth(1).copied().unwrap();
    second * far + from_end.sin()
}

#[test]
fn nth_of_an_iterator() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[2.0, 0.5, -1.5, 0.25], &[-0.4, 0.9]];
    check(&slice_fns!(nth_lookups, nth_lookups_jvp, nth_lookups_vjp, nth_lookups_grad), &points, 1e-7);
    for x in points {
        // 1.5 x[1] + sin(x[n-2]).
        let n = x.len();
        let mut want = vec![0.0; n];
        want[1] += 1.5;
        want[n - 2] += x[n - 2].cos();
        let (value, g) = nth_lookups_grad(x);
        assert_eq!(value, 1.5 * x[1] + x[n - 2].sin());
        assert_eq!(g, want);
    }
}
