//! Functions written the way published numeric crates write them, each a construct the macro
//! once rejected or miscompiled: an `is_empty` guard, `zip` over a slice bound by a pattern or
//! borrowed into a local, the quadratic form `xᵀ A x` with nalgebra's `transpose`, and a
//! function generic over nalgebra's `RealField` taking a `DVector<T>`, `chain`, `matches!` and a
//! borrowed local. Each is checked against
//! its analytic gradient, central differences, and forward against reverse mode.

mod common;

use common::{Fns, check, close};
use nalgebra::{DMatrix, DVector, RealField};
use tapeless::differentiable;

/// The mean of `sin`, zero for an empty series (`is_empty` reads the length, not the values).
#[differentiable]
fn mean_sine(x: &[f64]) -> f64 {
    if x.is_empty() {
        return 0.0;
    }
    x.iter().map(|v| v.sin()).sum::<f64>() / x.len() as f64
}

#[test]
fn an_is_empty_guard_is_a_constant_condition() {
    let fns = slice_fns!(mean_sine, mean_sine_jvp, mean_sine_vjp, mean_sine_grad);
    check(&fns, &[&[0.3, -1.2, 0.7], &[2.0], &[0.1, 0.2, 0.3, 0.4, 0.5]], 1e-9);
    let x = [0.3, -1.2, 0.7];
    let (_, g) = mean_sine_grad(&x);
    for i in 0..3 {
        assert!(close(g[i], x[i].cos() / 3.0, 1e-15));
    }
    assert_eq!(mean_sine_grad(&[]), (0.0, vec![]));
}

/// A weighted sum whose weights are optional, zipped as the slice the pattern binds.
#[differentiable(wrt(x))]
fn weighted_squares(x: &[f64], weights: Option<&[f64]>) -> f64 {
    match weights {
        Some(w) => x.iter().zip(w).map(|(a, b)| a * a * b).sum(),
        None => x.iter().map(|a| a * a).sum(),
    }
}

#[test]
fn zip_over_a_slice_bound_by_a_pattern() {
    let w = [0.5, 2.0, -1.0, 3.0];
    let with = slice_fns_with!(
        weighted_squares, weighted_squares_jvp, weighted_squares_vjp, weighted_squares_grad; Some(&w)
    );
    check(&with, &[&[0.3, -1.2, 0.7, 1.0], &[1.0, 2.0, 3.0, 4.0], &[-0.5, 0.0, 0.5, 1.5]], 1e-9);
    let x = [0.3, -1.2, 0.7, 1.0];
    let (_, g) = weighted_squares_grad(&x, Some(&w));
    for i in 0..4 {
        assert!(close(g[i], 2.0 * x[i] * w[i], 1e-15));
    }
    assert_eq!(weighted_squares_grad(&x, None).1, x.iter().map(|a| 2.0 * a).collect::<Vec<_>>());
}

/// Weights passed by value and borrowed into a local before the loop: the pullback cannot
/// capture the borrow, so it borrows again from the `Vec` it takes in.
#[differentiable(wrt(x))]
fn borrowed_weights(x: &[f64], v: Vec<f64>) -> f64 {
    let w = &v;
    let mut s = 0.0;
    for i in 0..x.len() {
        s += x[i].sin() * w[i];
    }
    s + x.iter().zip(w).map(|(a, b)| a * b).sum::<f64>()
}

#[test]
fn a_local_borrow_of_a_parameter_in_the_pullback() {
    let v = vec![3.0, 4.0, -1.0];
    let fns = slice_fns_with!(
        borrowed_weights, borrowed_weights_jvp, borrowed_weights_vjp, borrowed_weights_grad; v.clone()
    );
    check(&fns, &[&[1.0, 2.0, 0.5], &[-0.3, 0.0, 2.5], &[0.1, 0.1, 0.1]], 1e-9);
    let x = [1.0, 2.0, 0.5];
    let (_, g) = borrowed_weights_grad(&x, v.clone());
    for i in 0..3 {
        assert!(close(g[i], v[i] * (x[i].cos() + 1.0), 1e-15));
    }
}

/// `xᵀ A x + ‖x‖²`: the row times the column is a `1 x 1` matrix, read at `(0, 0)`.
#[differentiable]
fn quadratic_form(x: &DVector<f64>, a: &DMatrix<f64>) -> f64 {
    (x.transpose() * a * x)[(0, 0)] + x.norm_squared()
}

#[test]
fn a_quadratic_form_through_transpose() {
    let a = DMatrix::from_row_slice(3, 3, &[2.0, 1.0, 0.0, 0.0, 3.0, -1.0, 0.5, 0.0, 1.0]);
    let fns = Fns {
        name: "quadratic_form",
        f: &|x| quadratic_form(&DVector::from_column_slice(x), &a),
        jvp: &|x, t| {
            let zero = DMatrix::zeros(3, 3);
            quadratic_form_jvp(&DVector::from_column_slice(x), &a, DVector::from_column_slice(t), zero)
        },
        vjp: &|x, u| {
            let x = DVector::from_column_slice(x);
            let (v, pullback) = quadratic_form_vjp(&x, &a);
            (v, pullback(u).0.as_slice().to_vec())
        },
        grad: &|x| {
            let (v, (gx, _)) = quadratic_form_grad(&DVector::from_column_slice(x), &a);
            (v, gx.as_slice().to_vec())
        },
    };
    check(&fns, &[&[1.0, 2.0, -0.5], &[0.0, 0.3, 1.0], &[-2.0, 1.0, 1.0]], 1e-9);
    // Analytic: ∂/∂x = (A + Aᵀ) x + 2 x, ∂/∂A = x xᵀ.
    let x = DVector::from_vec(vec![1.0, 2.0, -0.5]);
    let (value, (gx, ga)) = quadratic_form_grad(&x, &a);
    assert!(close(value, x.dot(&(&a * &x)) + x.norm_squared(), 1e-15));
    let want = (&a + a.transpose()) * &x + 2.0 * &x;
    assert!((gx - want).norm() <= 1e-13);
    assert!((ga - &x * x.transpose()).norm() <= 1e-13);
}

/// Log-sum-exp and a least-squares energy generic over nalgebra's `RealField`.
#[differentiable]
fn log_sum_exp<T: RealField + Copy>(x: &DVector<T>) -> T {
    x.map(|e| e.exp()).sum().ln()
}

#[differentiable(wrt(x))]
fn energy<T: RealField + Copy>(x: &DVector<T>, a: &DMatrix<T>) -> T {
    let y = a * x;
    y.dot(&y) * nalgebra::convert(0.5)
}

#[test]
fn real_field_functions_of_dynamic_vectors() {
    let fns = Fns {
        name: "log_sum_exp",
        f: &|x| log_sum_exp(&DVector::from_column_slice(x)),
        jvp: &|x, t| log_sum_exp_jvp(&DVector::from_column_slice(x), DVector::from_column_slice(t)),
        vjp: &|x, u| {
            let x = DVector::from_column_slice(x);
            let (v, pullback) = log_sum_exp_vjp(&x);
            (v, pullback(u).as_slice().to_vec())
        },
        grad: &|x| {
            let (v, g) = log_sum_exp_grad(&DVector::from_column_slice(x));
            (v, g.as_slice().to_vec())
        },
    };
    check(&fns, &[&[0.5, -1.0, 2.0], &[0.0, 0.0, 0.0], &[3.0, 1.0, -2.0]], 1e-9);
    // Analytic: the softmax.
    let x = DVector::from_vec(vec![0.5f64, -1.0, 2.0]);
    let (_, g) = log_sum_exp_grad(&x);
    let s: f64 = x.iter().map(|e| e.exp()).sum();
    for i in 0..3 {
        assert!(close(g[i], x[i].exp() / s, 1e-15));
    }
    // At `f32` too.
    let (v32, g32) = log_sum_exp_grad(&DVector::from_vec(vec![0.5f32, 1.0]));
    assert!((v32 - (0.5f32.exp() + 1.0f32.exp()).ln()).abs() < 1e-6);
    assert!((g32[0] + g32[1] - 1.0).abs() < 1e-6);

    // `½ ‖A x‖²`: gradient `Aᵀ A x`.
    let a = DMatrix::from_row_slice(2, 3, &[1.0, 2.0, 0.0, 0.0, 1.0, 3.0]);
    let fns = Fns {
        name: "energy",
        f: &|x| energy(&DVector::from_column_slice(x), &a),
        jvp: &|x, t| energy_jvp(&DVector::from_column_slice(x), &a, DVector::from_column_slice(t)),
        vjp: &|x, u| {
            let x = DVector::from_column_slice(x);
            let (v, pullback) = energy_vjp(&x, &a);
            (v, pullback(u).as_slice().to_vec())
        },
        grad: &|x| {
            let (v, g) = energy_grad(&DVector::from_column_slice(x), &a);
            (v, g.as_slice().to_vec())
        },
    };
    check(&fns, &[&[0.5, -1.0, 2.0], &[1.0, 1.0, 1.0], &[-0.2, 0.4, 0.0]], 1e-9);
    let (_, g) = energy_grad(&x, &a);
    assert!((g - a.transpose() * (&a * &x)).norm() <= 1e-13);
}

/// `v.map(f).sum()` of nalgebra values whose closure reads another value: summed as the chain
/// of its entries (a `DMatrix` in nalgebra's column-major order).
#[differentiable]
fn scaled_exp_sum(v: &DVector<f64>, m: &DMatrix<f64>, scale: f64) -> f64 {
    v.map(|e| (e * scale).exp()).sum() + m.map(|e| (e * scale).sin()).sum()
}

#[test]
fn a_nalgebra_map_then_sum_reads_other_values() {
    let m = DMatrix::from_row_slice(2, 2, &[0.1, 0.2, -0.4, 0.9]);
    let fns = Fns {
        name: "scaled_exp_sum",
        f: &|p| scaled_exp_sum(&DVector::from_column_slice(&p[..3]), &m, p[3]),
        jvp: &|p, t| {
            let (dv, dm) = (DVector::from_column_slice(&t[..3]), DMatrix::zeros(2, 2));
            scaled_exp_sum_jvp(&DVector::from_column_slice(&p[..3]), &m, p[3], dv, dm, t[3])
        },
        vjp: &|p, u| {
            let v = DVector::from_column_slice(&p[..3]);
            let (value, pullback) = scaled_exp_sum_vjp(&v, &m, p[3]);
            let (gv, _, gs) = pullback(u);
            (value, gv.iter().copied().chain([gs]).collect())
        },
        grad: &|p| {
            let (value, (gv, _, gs)) = scaled_exp_sum_grad(&DVector::from_column_slice(&p[..3]), &m, p[3]);
            (value, gv.iter().copied().chain([gs]).collect())
        },
    };
    check(&fns, &[&[0.5, -1.0, 2.0, 0.7], &[0.0, 0.1, 0.2, -1.0], &[1.0, 1.0, -1.0, 0.3]], 1e-9);
    // Analytic: ∂/∂v_i = s e^{s v_i}, ∂/∂m_ij = s cos(s m_ij), ∂/∂s = Σ v_i e^{s v_i} + Σ m_ij cos(s m_ij).
    let (v, s) = (DVector::from_vec(vec![0.5, -1.0, 2.0]), 0.7);
    let (_, (gv, gm, gs)) = scaled_exp_sum_grad(&v, &m, s);
    for i in 0..3 {
        assert!(close(gv[i], s * (s * v[i]).exp(), 1e-15));
    }
    for (g, e) in gm.iter().zip(m.iter()) {
        assert!(close(*g, s * (s * e).cos(), 1e-15));
    }
    let want: f64 =
        v.iter().map(|e| e * (s * e).exp()).sum::<f64>() + m.iter().map(|e| e * (s * e).cos()).sum::<f64>();
    assert!(close(gs, want, 1e-14));
}

/// A linear recurrence written with a destructuring assignment.
#[differentiable(hessian)]
fn recurrence(x: f64, y: f64, n: usize) -> f64 {
    let (mut a, mut b) = (x, y);
    for _ in 0..n {
        (a, b) = (b, 0.5 * a + 0.3 * b * b);
    }
    a + b
}

#[test]
fn a_destructuring_assignment_in_a_loop() {
    let fns = fns_of_two!(recurrence_of, recurrence_jvp_of, recurrence_vjp_of, recurrence_grad_of);
    check(&fns, &[&[1.2, 0.4], &[-0.5, 0.3], &[0.1, -0.9]], 1e-9);
    // Analytic at n = 1: a + b = y + 0.5 x + 0.3 y², so (0.5, 1 + 0.6 y).
    let (value, (gx, gy)) = recurrence_grad(1.2, 0.4, 1);
    assert!(close(value, 0.4 + 0.6 + 0.3 * 0.16, 1e-15));
    assert!(close(gx, 0.5, 1e-15) && close(gy, 1.0 + 0.6 * 0.4, 1e-15));
}

fn recurrence_of(x: f64, y: f64) -> f64 {
    recurrence(x, y, 6)
}
fn recurrence_jvp_of(x: f64, y: f64, dx: f64, dy: f64) -> (f64, f64) {
    recurrence_jvp(x, y, 6, dx, dy)
}
fn recurrence_vjp_of(x: f64, y: f64) -> (f64, impl FnOnce(f64) -> (f64, f64)) {
    recurrence_vjp(x, y, 6)
}
fn recurrence_grad_of(x: f64, y: f64) -> (f64, (f64, f64)) {
    recurrence_grad(x, y, 6)
}

/// A loss chosen by an enum taken by reference: its parameter is a `&f64` in the arm.
pub enum Loss {
    Squared,
    Huber(f64),
}

#[differentiable(wrt(r))]
fn loss(r: f64, kind: &Loss) -> f64 {
    match kind {
        Loss::Squared => 0.5 * r * r,
        Loss::Huber(d) => {
            if tapeless::piecewise(r.abs() <= *d) {
                0.5 * r * r
            } else {
                d * (r.abs() - 0.5 * d) + r / d - r / d
            }
        }
    }
}

/// A helper function declared inside the body, without the attribute (second order too: the
/// helper gets its own).
#[differentiable(hessian)]
fn with_helper(x: f64, y: f64) -> f64 {
    fn softplus(v: f64) -> f64 {
        (1.0 + v.exp()).ln()
    }
    softplus(x * y) + softplus(-x)
}

#[test]
fn a_float_behind_a_reference_and_a_nested_helper() {
    for (r, want) in [(0.3, 0.3), (1.7, 1.0), (-2.5, -1.0)] {
        let (_, g) = loss_grad(r, &Loss::Huber(1.0));
        assert!(close(g, want, 1e-15), "huber'({r}) = {g}");
        let (_, t) = loss_jvp(r, &Loss::Huber(1.0), 1.0);
        let (_, pullback) = loss_vjp(r, &Loss::Huber(1.0));
        assert!(close(t, g, 1e-15) && close(pullback(2.0), 2.0 * g, 1e-15));
        let h = 1e-6;
        let fd = (loss(r + h, &Loss::Huber(1.0)) - loss(r - h, &Loss::Huber(1.0))) / (2.0 * h);
        assert!(close(g, fd, 1e-8));
    }
    assert_eq!(loss_grad(0.7, &Loss::Squared).1, 0.7);

    let fns = fns_of_two!(with_helper, with_helper_jvp, with_helper_vjp, with_helper_grad);
    check(&fns, &[&[1.2, 0.4], &[-0.5, 0.3], &[0.1, -0.9]], 1e-9);
    // Analytic: σ(xy) y - σ(-x), σ(xy) x.
    let sigma = |t: f64| 1.0 / (1.0 + (-t).exp());
    let (x, y) = (1.2, 0.4);
    let (_, (gx, gy)) = with_helper_grad(x, y);
    assert!(close(gx, sigma(x * y) * y - sigma(-x), 1e-15));
    assert!(close(gy, sigma(x * y) * x, 1e-15));
}

/// Guards on finiteness (`any`/`all` of `is_nan`/`is_finite`): whether a value is NaN changes
/// only where it is not a number, so the branch needs no `piecewise`.
#[differentiable]
fn guarded_sum(x: &[f64]) -> f64 {
    if x.iter().any(|v| v.is_nan()) {
        return f64::NAN;
    }
    if !x.iter().all(|&v| v.is_finite()) {
        return 0.0;
    }
    x.iter().map(|v| (v * 0.5).exp()).sum()
}

#[test]
fn finiteness_guards_with_any_and_all() {
    let fns = slice_fns!(guarded_sum, guarded_sum_jvp, guarded_sum_vjp, guarded_sum_grad);
    check(&fns, &[&[0.3, -1.2, 0.7], &[2.0], &[0.1, 0.2, 0.3, 0.4, 0.5]], 1e-9);
    let x = [0.3, -1.2, 0.7];
    let (_, g) = guarded_sum_grad(&x);
    for i in 0..3 {
        assert!(close(g[i], 0.5 * (0.5 * x[i]).exp(), 1e-15));
    }
    assert!(guarded_sum_grad(&[1.0, f64::NAN]).0.is_nan());
    assert_eq!(guarded_sum_grad(&[1.0, f64::INFINITY]), (0.0, vec![0.0, 0.0]));
}

/// `std::mem::swap` of two locals, in a branch and in a loop.
#[differentiable]
fn swapped(x: f64, y: f64, n: usize) -> f64 {
    let mut a = x;
    let mut b = y;
    if n % 2 == 1 {
        std::mem::swap(&mut a, &mut b);
    }
    for _ in 0..n {
        a = a * 0.5 + b.sin();
        core::mem::swap(&mut a, &mut b);
    }
    a * b
}

#[test]
fn swaps_of_locals() {
    for n in [0, 1, 4] {
        let fns = Fns {
            name: "swapped",
            f: &|p| swapped(p[0], p[1], n),
            jvp: &|p, t| swapped_jvp(p[0], p[1], n, t[0], t[1]),
            vjp: &|p, u| {
                let (v, pullback) = swapped_vjp(p[0], p[1], n);
                let (a, b) = pullback(u);
                (v, vec![a, b])
            },
            grad: &|p| {
                let (v, (a, b)) = swapped_grad(p[0], p[1], n);
                (v, vec![a, b])
            },
        };
        check(&fns, &[&[0.3, 0.7], &[-1.0, 2.0], &[1.5, 0.1]], 1e-9);
    }
    // Analytic at n = 1: a = y, b = x, then a = y/2 + sin x, swapped: (x)(y/2 + sin x).
    let (x, y) = (0.3, 0.7);
    let (_, (gx, gy)) = swapped_grad(x, y, 1);
    assert!(close(gx, y / 2.0 + x.sin() + x * x.cos(), 1e-15) && close(gy, x / 2.0, 1e-15));
}

#[test]
fn second_order_through_a_nested_helper_and_a_destructuring_assignment() {
    let sigma = |t: f64| 1.0 / (1.0 + (-t).exp());
    let ds = |t: f64| sigma(t) * (1.0 - sigma(t));
    for (x, y) in [(1.2, 0.4), (-0.5, 0.3), (0.1, -0.9)] {
        let (_, _, h) = with_helper_hessian(x, y);
        let exact = [
            [ds(x * y) * y * y + ds(-x), ds(x * y) * x * y + sigma(x * y)],
            [ds(x * y) * x * y + sigma(x * y), ds(x * y) * x * x],
        ];
        let fd = hessian_by_differences(&|p| with_helper_grad(p[0], p[1]).1, x, y);
        let rfd = hessian_by_differences(&|p| recurrence_grad(p[0], p[1], 5).1, x, y);
        let (_, _, hr) = recurrence_hessian(x, y, 5);
        for i in 0..2 {
            for j in 0..2 {
                assert!(close(h[(i, j)], exact[i][j], 1e-14), "{i}{j}: {} vs {}", h[(i, j)], exact[i][j]);
                assert!(close(h[(i, j)], fd[i][j], 1e-7));
                assert!(
                    close(hr[(i, j)], rfd[i][j], 1e-7),
                    "recurrence {i}{j}: {} vs {}",
                    hr[(i, j)],
                    rfd[i][j]
                );
            }
        }
        assert_eq!(h[(0, 1)], h[(1, 0)]);
        assert!(close(hr[(0, 1)], hr[(1, 0)], 1e-12));
    }
    // Analytic at n = 1: a + b = y + 0.5 x + 0.3 y², so H = [[0, 0], [0, 0.6]].
    let (_, _, h1) = recurrence_hessian(1.2, 0.4, 1);
    assert_eq!((h1[(0, 0)], h1[(0, 1)], h1[(1, 1)]), (0.0, 0.0, 0.6));
}

/// The Hessian of a function of two floats by central differences of its gradient.
fn hessian_by_differences(grad: &dyn Fn(&[f64]) -> (f64, f64), x: f64, y: f64) -> [[f64; 2]; 2] {
    let h = 1e-5;
    let column = |k: usize| {
        let (mut up, mut down) = ([x, y], [x, y]);
        up[k] += h;
        down[k] -= h;
        let (a, b) = (grad(&up), grad(&down));
        [(a.0 - b.0) / (2.0 * h), (a.1 - b.1) / (2.0 * h)]
    };
    let (c0, c1) = (column(0), column(1));
    [[c0[0], c1[0]], [c0[1], c1[1]]]
}

/// `Option` and string parameters are constants without `wrt(..)`: they have no tangent.
#[differentiable]
fn scaled_sine(x: f64, scale: Option<f64>, label: &str) -> f64 {
    let s = scale.unwrap_or(1.0);
    if label.is_empty() { s * x.sin() } else { s * x.sin() + 0.0 }
}

#[test]
fn option_and_string_parameters_are_constants() {
    for scale in [Some(2.0), None] {
        let s = scale.unwrap_or(1.0);
        let (value, g) = scaled_sine_grad(0.5, scale, "run");
        assert!(close(value, s * 0.5_f64.sin(), 1e-15) && close(g, s * 0.5_f64.cos(), 1e-15));
        let (_, t) = scaled_sine_jvp(0.5, scale, "run", 1.0);
        let (_, pullback) = scaled_sine_vjp(0.5, scale, "");
        assert!(close(t, g, 1e-15) && close(pullback(3.0), 3.0 * g, 1e-15));
        let h = 1e-6;
        let fd = (scaled_sine(0.5 + h, scale, "run") - scaled_sine(0.5 - h, scale, "run")) / (2.0 * h);
        assert!(close(g, fd, 1e-8));
    }
}

/// `let w = &x;` of a differentiated slice: the same slice, read by index, by chain and passed on.
#[differentiable]
fn through_a_borrow(x: &[f64]) -> f64 {
    let w = &x;
    let mut s = 0.0;
    for i in 0..w.len() {
        s += w[i].sin();
    }
    s + w.iter().map(|v| v * v).sum::<f64>() + squares(w)
}

#[differentiable]
fn squares(a: &[f64]) -> f64 {
    a.iter().map(|v| v * v).sum()
}

#[test]
fn a_borrow_of_a_differentiated_slice() {
    let fns = slice_fns!(through_a_borrow, through_a_borrow_jvp, through_a_borrow_vjp, through_a_borrow_grad);
    check(&fns, &[&[0.3, -1.2, 0.7], &[2.0], &[0.1, 0.2, 0.3, 0.4]], 1e-9);
    let x = [0.3, -1.2, 0.7];
    let (_, g) = through_a_borrow_grad(&x);
    for i in 0..3 {
        assert!(close(g[i], x[i].cos() + 4.0 * x[i], 1e-15));
    }
}

/// `chain` of two slices, a borrow of a local `Vec` read by index, by chain and passed on, and a
/// `matches!` test of a constant.
#[differentiable]
fn chained_energy(x: &[f64], y: &[f64], n: usize) -> f64 {
    let joined: f64 = x.iter().chain(y.iter()).map(|v| v * v).sum();
    let scaled: Vec<f64> = x.iter().map(|v| 2.0 * v).collect();
    let w = &scaled;
    let mut cross = 0.0;
    for (a, b) in w.iter().chain(y).zip(y.iter().chain(x)) {
        cross += a * b;
    }
    let k = if matches!(n, 0 | 1) { 0.5 } else { 1.5 };
    joined + k * (w[0] * squares(w)) + cross
}

#[test]
fn chain_matches_and_a_borrowed_local() {
    let (x, y) = ([0.3, -0.7, 1.1], [0.5, 0.2]);
    for n in [1, 4] {
        let k = if n <= 1 { 0.5 } else { 1.5 };
        let (value, (gx, gy)) = chained_energy_grad(&x, &y, n);
        // Σx² + Σy² + k (2 x0) (4 Σx²) + <(2x0, 2x1, 2x2, y0, y1), (y0, y1, x0, x1, x2)>.
        let sx: f64 = x.iter().map(|v| v * v).sum();
        let sy: f64 = y.iter().map(|v| v * v).sum();
        let cross = 2.0 * x[0] * y[0] + 2.0 * x[1] * y[1] + 2.0 * x[2] * x[0] + y[0] * x[1] + y[1] * x[2];
        let want = sx + sy + k * 8.0 * x[0] * sx + cross;
        assert!(close(value, want, 1e-14), "{value} vs {want}");
        let want_gx = [
            2.0 * x[0] + k * 8.0 * (sx + 2.0 * x[0] * x[0]) + 2.0 * y[0] + 2.0 * x[2],
            2.0 * x[1] + k * 16.0 * x[0] * x[1] + 2.0 * y[1] + y[0],
            2.0 * x[2] + k * 16.0 * x[0] * x[2] + 2.0 * x[0] + y[1],
        ];
        let want_gy = [2.0 * y[0] + 2.0 * x[0] + x[1], 2.0 * y[1] + 2.0 * x[1] + x[2]];
        for (g, w) in gx.iter().zip(&want_gx).chain(gy.iter().zip(&want_gy)) {
            assert!(close(*g, *w, 1e-13), "{gx:?} {gy:?} vs {want_gx:?} {want_gy:?}");
        }
        let fns = Fns {
            name: "chained_energy",
            f: &|p| chained_energy(&p[..3], &p[3..], n),
            jvp: &|p, t| chained_energy_jvp(&p[..3], &p[3..], n, t[..3].to_vec(), t[3..].to_vec()),
            vjp: &|p, u| {
                let (v, pullback) = chained_energy_vjp(&p[..3], &p[3..], n);
                let (a, b) = pullback(u);
                (v, [a, b].concat())
            },
            grad: &|p| {
                let (v, (a, b)) = chained_energy_grad(&p[..3], &p[3..], n);
                (v, [a, b].concat())
            },
        };
        check(
            &fns,
            &[&[0.3, -0.7, 1.1, 0.5, 0.2], &[1.0, 2.0, 0.5, -1.0, 0.3], &[-0.2, 0.4, 0.9, 1.2, -0.8]],
            1e-7,
        );
    }
}
