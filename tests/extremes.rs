//! `max_by`/`min_by` comparing the floats themselves, as numeric code finds a largest value:
//! `max_by(|a, b| a.partial_cmp(b).unwrap())`, `min_by(|a, b| a.total_cmp(b))`,
//! `max_by(f64::total_cmp)`. The largest value is continuous, like `max`, and its derivative is
//! the chosen element's. Checked against analytic gradients and central differences (at points
//! without ties), and forward against reverse mode.
//!
//! Also the index of the largest value, found through `enumerate()` with the comparison on
//! `no_grad` copies (`|a, b| no_grad(*a.1).total_cmp(&no_grad(*b.1))`): the index is a
//! constant the user chose to cut, and the elements read through it carry their derivative.

mod common;

use common::{check, close, hessian_against};
use tapeless::{differentiable, no_grad};

/// log-sum-exp shifted by the largest entry, the numerically stable form.
#[differentiable]
fn stable_lse(x: &[f64]) -> f64 {
    let best = x.iter().copied().max_by(|a, b| a.partial_cmp(b).unwrap()).unwrap();
    best + x.iter().map(|v| (v - best).exp()).sum::<f64>().ln()
}

/// The range of the values, plus a reduction.
#[differentiable]
fn range_and_squares(x: &[f64]) -> f64 {
    let lo = *x.iter().min_by(|a, b| a.total_cmp(b)).unwrap();
    let hi = x.iter().cloned().max_by(f64::total_cmp).unwrap();
    hi - lo + x.iter().map(|v| v * v).reduce(|a, b| a + b).unwrap()
}

/// Reversed comparison: the smallest value through `max_by`.
#[differentiable]
fn smallest_reversed(x: &[f64]) -> f64 {
    let m = x.iter().map(|v| v.sin()).max_by(|a, b| b.partial_cmp(a).expect("no NaN")).unwrap();
    m * m
}

/// The `Option<&f64>` copied before it is unwrapped (`.copied().unwrap()`, `.cloned().unwrap_or(..)`).
#[differentiable]
fn spread_copied(x: &[f64]) -> f64 {
    let hi = x.iter().max_by(|a, b| a.partial_cmp(b).unwrap()).copied().unwrap();
    let lo = x.iter().min_by(|a, b| a.total_cmp(b)).cloned().unwrap_or(0.0);
    (hi - lo) * hi
}

/// Second order through the reduction: `x_k² x_0` for the largest `x_k`.
#[differentiable(hessian)]
fn largest_squared(x: &[f64]) -> f64 {
    let hi = x.iter().copied().max_by(|a, b| a.total_cmp(b)).unwrap();
    hi * hi * x[0]
}

const POINTS: [&[f64]; 3] = [&[3.0, 1.0, 2.0], &[-0.5, 0.7, 0.2, 1.5], &[0.1, -2.0, 0.4]];

#[test]
fn largest_and_smallest_values() {
    check(&slice_fns!(stable_lse, stable_lse_jvp, stable_lse_vjp, stable_lse_grad), &POINTS, 1e-8);
    check(
        &slice_fns!(range_and_squares, range_and_squares_jvp, range_and_squares_vjp, range_and_squares_grad),
        &POINTS,
        1e-8,
    );
    check(
        &slice_fns!(smallest_reversed, smallest_reversed_jvp, smallest_reversed_vjp, smallest_reversed_grad),
        &POINTS,
        1e-8,
    );
    for x in POINTS {
        // Analytic: the softmax; 2 x plus one at the largest and minus one at the smallest;
        // 2 m cos(x_k) at the smallest sine.
        let (_, g) = stable_lse_grad(x);
        let total: f64 = x.iter().map(|v| v.exp()).sum();
        for (gi, xi) in g.iter().zip(x) {
            assert!(close(*gi, xi.exp() / total, 1e-14));
        }
        let (_, g) = range_and_squares_grad(x);
        let (lo, hi) = (arg(x, |a, b| a < b), arg(x, |a, b| a > b));
        for (k, xk) in x.iter().enumerate() {
            let want = 2.0 * xk + f64::from(u8::from(k == hi)) - f64::from(u8::from(k == lo));
            assert_eq!(g[k], want);
        }
        let (_, g) = smallest_reversed_grad(x);
        let k = arg(x, |a, b| a.sin() < b.sin());
        for (j, gj) in g.iter().enumerate() {
            let want = if j == k { 2.0 * x[k].sin() * x[k].cos() } else { 0.0 };
            assert!(close(*gj, want, 1e-15));
        }
    }
}

/// The index of the element `better` than all others.
fn arg(x: &[f64], better: impl Fn(f64, f64) -> bool) -> usize {
    (0..x.len()).fold(0, |best, k| if better(x[k], x[best]) { k } else { best })
}

#[test]
fn an_extreme_copied_out_of_its_option() {
    check(
        &slice_fns!(spread_copied, spread_copied_jvp, spread_copied_vjp, spread_copied_grad),
        &POINTS,
        1e-8,
    );
    for x in POINTS {
        // (hi - lo) hi: 2 hi - lo at the largest, -hi at the smallest.
        let (lo, hi) = (arg(x, |a, b| a < b), arg(x, |a, b| a > b));
        let (_, g) = spread_copied_grad(x);
        for (k, gk) in g.iter().enumerate() {
            let want = match k {
                k if k == hi => 2.0 * x[hi] - x[lo],
                k if k == lo => -x[hi],
                _ => 0.0,
            };
            assert_eq!(*gk, want, "at {x:?}");
        }
    }
}

#[test]
fn second_order_through_the_largest_value() {
    // Was rustc's "`Ordering: Promote` is not satisfied" inside the dual copy.
    for x in POINTS {
        let k = arg(x, |a, b| a > b);
        let n = x.len();
        let mut exact = nalgebra::DMatrix::zeros(n, n);
        exact[(k, k)] += 2.0 * x[0];
        exact[(k, 0)] += 2.0 * x[k];
        exact[(0, k)] += 2.0 * x[k];
        let (value, gradient, h) = largest_squared_hessian(x);
        assert_eq!((value, &gradient), (largest_squared(x), &largest_squared_grad(x).1));
        for i in 0..n {
            let at = |d: f64| {
                let mut p = x.to_vec();
                p[i] += d;
                largest_squared_grad(&p).1
            };
            let (up, down) = (at(1e-6), at(-1e-6));
            for j in 0..n {
                assert!(close(h[(j, i)], exact[(j, i)], 1e-14), "H[{j},{i}] at {x:?}");
                assert!(close(h[(j, i)], (up[j] - down[j]) / 2e-6, 1e-7), "H[{j},{i}] by differences");
            }
        }
    }
}

/// The largest entry found by its index (`argmax`), read again through the index: `x_k² + Σ x`.
/// `*a.1` is a `&f64` in the user's code and a float in ours (was rustc's E0614 inside the
/// expansion).
#[differentiable(hessian)]
fn argmax_squared(x: &[f64]) -> f64 {
    let (k, _) = x.iter().enumerate().max_by(|a, b| no_grad(*a.1).total_cmp(&no_grad(*b.1))).unwrap();
    x[k] * x[k] + x.iter().sum::<f64>()
}

/// The smallest entry's index through a tuple pattern (`**a`), and its value kept from the
/// search: `x_k sin(x_k)`.
#[differentiable]
fn argmin_both(x: &[f64]) -> f64 {
    let (k, v) = x.iter().enumerate().min_by(|(_, a), (_, b)| no_grad(**a).total_cmp(&no_grad(**b))).unwrap();
    x[k] * v.sin()
}

#[test]
fn an_index_found_by_its_value_through_enumerate() {
    check(
        &slice_fns!(argmax_squared, argmax_squared_jvp, argmax_squared_vjp, argmax_squared_grad),
        &POINTS,
        1e-8,
    );
    check(&slice_fns!(argmin_both, argmin_both_jvp, argmin_both_vjp, argmin_both_grad), &POINTS, 1e-8);
    for x in POINTS {
        let (hi, lo) = (arg(x, |a, b| a > b), arg(x, |a, b| a < b));
        let (value, g) = argmax_squared_grad(x);
        assert_eq!(value, argmax_squared(x));
        for (j, gj) in g.iter().enumerate() {
            let want = 1.0 + if j == hi { 2.0 * x[hi] } else { 0.0 };
            assert!(close(*gj, want, 1e-15), "argmax_squared at {x:?}");
        }
        let (_, g) = argmin_both_grad(x);
        for (j, gj) in g.iter().enumerate() {
            let want = if j == lo { x[lo].sin() + x[lo] * x[lo].cos() } else { 0.0 };
            assert!(close(*gj, want, 1e-15), "argmin_both at {x:?}");
        }
        let (_, gradient, h) = argmax_squared_hessian(x);
        assert_eq!(gradient, argmax_squared_grad(x).1);
        hessian_against(
            "argmax_squared",
            &h,
            &|i, j| if i == hi && j == hi { 2.0 } else { 0.0 },
            &|q| argmax_squared_grad(q).1,
            x,
            1e-15,
        );
    }
}

/// The largest value by a `fold` over copied elements, as published numeric code finds it:
/// `x.iter().copied().fold(f64::NEG_INFINITY, |a, b| a.max(b))` (the closure takes values, not
/// references: it was rustc's type mismatch inside generated code until the forty-eighth
/// session), then a stable log-sum-exp; the smallest positive entry through `cloned().filter`.
#[differentiable]
fn fold_lse(x: &[f64]) -> f64 {
    let m = x.iter().copied().fold(f64::NEG_INFINITY, |a, b| a.max(b));
    let lo = x.iter().cloned().filter(|&v| tapeless::piecewise(v > 0.0)).fold(f64::INFINITY, |a, b| a.min(b));
    m + x.iter().copied().map(|v| (v - m).exp()).sum::<f64>().ln() + lo
}

/// The same largest value over a generic float.
#[differentiable]
fn fold_max_generic<T: num_traits::Float>(x: &[T]) -> T {
    let m = x.iter().copied().fold(T::neg_infinity(), |a, b| a.max(b));
    m * m
}

#[test]
fn folds_over_copied_elements() {
    check(&slice_fns!(fold_lse, fold_lse_jvp, fold_lse_vjp, fold_lse_grad), &POINTS, 1e-8);
    check(
        &slice_fns!(fold_max_generic, fold_max_generic_jvp, fold_max_generic_vjp, fold_max_generic_grad),
        &POINTS,
        1e-8,
    );
    for x in POINTS {
        // Analytic: the softmax, plus one at the smallest positive entry; 2 m at the largest.
        let (_, g) = fold_lse_grad(x);
        let total: f64 = x.iter().map(|v| v.exp()).sum();
        let lo = arg(x, |a, b| a > 0.0 && (b <= 0.0 || a < b));
        for (k, (gk, xk)) in g.iter().zip(x).enumerate() {
            let want = xk.exp() / total + f64::from(u8::from(k == lo));
            assert!(close(*gk, want, 1e-14), "{gk} vs {want}");
        }
        let (_, g) = fold_max_generic_grad(x);
        let hi = arg(x, |a, b| a > b);
        for (k, gk) in g.iter().enumerate() {
            assert_eq!(*gk, if k == hi { 2.0 * x[hi] } else { 0.0 });
        }
    }
}

/// The range from folds started at NaN, the form the standard library's documentation shows
/// (`fold(f64::NAN, f64::max)`): `max` and `min` ignore the NaN, and so must their derivatives.
/// The smallest value's gradient went to the NaN, so it was zero, silently, until the fiftieth
/// session.
#[differentiable]
fn range_from_nan(x: &[f64]) -> f64 {
    let hi = x.iter().copied().fold(f64::NAN, f64::max);
    let lo = x.iter().copied().fold(f64::NAN, f64::min);
    hi - 2.0 * lo
}

#[test]
fn folds_started_at_nan() {
    check(
        &slice_fns!(range_from_nan, range_from_nan_jvp, range_from_nan_vjp, range_from_nan_grad),
        &POINTS,
        1e-8,
    );
    for x in POINTS {
        let (hi, lo) = (arg(x, |a, b| a > b), arg(x, |a, b| a < b));
        let (_, g) = range_from_nan_grad(x);
        for (k, gk) in g.iter().enumerate() {
            let want = f64::from(u8::from(k == hi)) - 2.0 * f64::from(u8::from(k == lo));
            assert_eq!(*gk, want, "{x:?}: {g:?}");
        }
    }
}

/// The index of the largest entry through `Option::map`, as published code writes an `argmax`:
/// `.max_by(..).map(|(i, _)| i).unwrap()`, then a weight read at it, and the extremes mapped by
/// a closure and by a path: `w_k x_k + x_0 + min² + exp(max)` (it was the "`map` on this value"
/// error until the fiftieth session).
#[differentiable(wrt(x))]
fn argmax_mapped(x: &[f64], w: &[f64]) -> f64 {
    let k =
        x.iter().enumerate().max_by(|a, b| no_grad(*a.1).total_cmp(&no_grad(*b.1))).map(|(i, _)| i).unwrap();
    let smallest = x.iter().copied().min_by(f64::total_cmp).map(|v| v * v).unwrap();
    let largest = x.iter().copied().reduce(f64::max).map(f64::exp).unwrap();
    w[k] * x[k] + x[0] + smallest + largest
}

#[test]
fn an_index_found_through_option_map() {
    const WEIGHTS: [f64; 4] = [2.0, -1.0, 0.5, 3.0];
    let w = |x: &[f64]| &WEIGHTS[..x.len()];
    let fns = common::Fns {
        name: "argmax_mapped",
        f: &|x| argmax_mapped(x, w(x)),
        jvp: &|x, t| argmax_mapped_jvp(x, w(x), t.to_vec()),
        vjp: &|x, u| {
            let (v, pullback) = argmax_mapped_vjp(x, w(x));
            (v, pullback(u))
        },
        grad: &|x| argmax_mapped_grad(x, w(x)),
    };
    check(&fns, &POINTS, 1e-8);
    for x in POINTS {
        let (hi, lo) = (arg(x, |a, b| a > b), arg(x, |a, b| a < b));
        let (_, g) = argmax_mapped_grad(x, w(x));
        for (j, gj) in g.iter().enumerate() {
            let mut want = if j == hi { WEIGHTS[hi] + x[hi].exp() } else { 0.0 };
            want += f64::from(u8::from(j == 0)) + if j == lo { 2.0 * x[lo] } else { 0.0 };
            assert!(close(*gj, want, 1e-15), "argmax_mapped at {x:?}: {g:?}");
        }
    }
}
