//! Numeric Rust as people write it (issue 13), construct by construct. Each function is
//! checked against its analytic gradient, against central differences and forward against
//! reverse mode (`common::check`).
//!
//! So far: array patterns (`let [a, b] = *p;`, `let [a, _, c] = x;`), `&[T; N]` and `&Vec<T>`
//! parameters, `*p` of an array reference, statement macros (`assert!`, `println!`, a
//! `panic!` guard on a differentiated value), `match` on constants, local closures, lookups
//! through `Option`, `collect`, functions passed in, masks and index pairs. Iterator chains are
//! in tests/chains_as_loops.rs.

mod common;

use common::{Fns, check};
use tapeless::differentiable;

/// Himmelblau's function with the destructuring published test-function crates use.
#[differentiable]
fn himmelblau(p: &[f64; 2]) -> f64 {
    let [a, b] = *p;
    (a.powi(2) + b - 11.0).powi(2) + (a + b * b - 7.0).powi(2)
}

/// Skipping an element with `_`, and a by-value array.
#[differentiable]
fn skip_middle(x: [f64; 3]) -> f64 {
    let [a, _, c] = x;
    a * c.exp() + (a - c).powi(3)
}

/// `let mut q = *p;` copies the array: writing `q` leaves `p` as it was.
#[differentiable]
fn copy_then_write(p: &[f64; 2]) -> f64 {
    let mut q = *p;
    q[0] *= q[1];
    q[0] + p[0] * p[1] + q[1].sin()
}

/// argmin's `Vec` backend passes `&Vec<f64>`.
#[allow(clippy::ptr_arg)]
#[differentiable]
fn rosenbrock_vec(p: &Vec<f64>) -> f64 {
    let mut s = 0.0;
    for i in 0..p.len() - 1 {
        s += 100.0 * (p[i + 1] - p[i] * p[i]).powi(2) + (1.0 - p[i]).powi(2);
    }
    s
}

fn pair(x: &[f64]) -> [f64; 2] {
    [x[0], x[1]]
}

fn triple(x: &[f64]) -> [f64; 3] {
    [x[0], x[1], x[2]]
}

/// The four views of a function of one array parameter (by reference with `&`, or by value),
/// over slices: `array_fns!(f, f_jvp, f_vjp, f_grad, convert, &)`.
macro_rules! array_fns {
    ($f:ident, $jvp:ident, $vjp:ident, $grad:ident, $convert:ident $(, $by_ref:tt)?) => {
        Fns {
            name: stringify!($f),
            f: &|x| $f($($by_ref)? $convert(x)),
            jvp: &|x, v| $jvp($($by_ref)? $convert(x), $convert(v)),
            vjp: &|x, ct| {
                let p = $convert(x);
                let (value, pullback) = $vjp($($by_ref)? p);
                (value, pullback(ct).to_vec())
            },
            grad: &|x| {
                let (value, g) = $grad($($by_ref)? $convert(x));
                (value, g.to_vec())
            },
        }
    };
}

#[test]
fn array_patterns_of_a_reference() {
    check(
        &array_fns!(himmelblau, himmelblau_jvp, himmelblau_vjp, himmelblau_grad, pair, &),
        &[&[1.0, 2.0], &[3.0, 2.0], &[-0.7, 1.9]],
        1e-8,
    );
    // Analytic: ∂/∂a = 4a(a²+b-11) + 2(a+b²-7), ∂/∂b = 2(a²+b-11) + 4b(a+b²-7); zero at (3, 2).
    for [a, b] in [[1.0, 2.0], [3.0, 2.0], [-0.7, 1.9]] {
        let (_, g) = himmelblau_grad(&[a, b]);
        let want = [
            4.0 * a * (a * a + b - 11.0) + 2.0 * (a + b * b - 7.0),
            2.0 * (a * a + b - 11.0) + 4.0 * b * (a + b * b - 7.0),
        ];
        assert!(
            common::close(g[0], want[0], 1e-14) && common::close(g[1], want[1], 1e-14),
            "{g:?} vs {want:?}"
        );
    }
}

#[test]
fn the_pullback_does_not_hold_a_by_copy_reference() {
    // `&[f64; 2]` is copied on entry, so the pullback may outlive the temporary array.
    let (value, pullback) = himmelblau_vjp(&[3.0, 2.0]);
    assert_eq!(value, 0.0);
    assert_eq!(pullback(1.0), [0.0, 0.0]);
    let (_, pullback) = himmelblau_vjp(&[1.0, 2.0]);
    let g = pullback(2.0);
    assert!(common::close(g[0], 2.0 * -36.0, 1e-15) && common::close(g[1], 2.0 * -32.0, 1e-15), "{g:?}");
}

#[test]
fn array_patterns_with_a_wildcard() {
    check(
        &array_fns!(skip_middle, skip_middle_jvp, skip_middle_vjp, skip_middle_grad, triple),
        &[&[0.5, 2.0, 1.5], &[-1.0, 0.0, 0.3], &[1.1, -2.0, -0.6]],
        1e-8,
    );
    let (a, c) = (0.5f64, 1.5f64);
    let (_, g) = skip_middle_grad([a, 7.0, c]);
    let want = [c.exp() + 3.0 * (a - c).powi(2), 0.0, a * c.exp() - 3.0 * (a - c).powi(2)];
    for i in 0..3 {
        assert!(common::close(g[i], want[i], 1e-14), "{g:?} vs {want:?}");
    }
}

#[test]
fn a_dereferenced_array_is_a_copy() {
    check(
        &array_fns!(copy_then_write, copy_then_write_jvp, copy_then_write_vjp, copy_then_write_grad, pair, &),
        &[&[2.0, 5.0], &[-0.3, 0.8], &[1.4, -2.2]],
        1e-8,
    );
    // f = 2 p0 p1 + sin p1: had the write gone through to `p`, f would be p0 p1² + ...
    let (p0, p1) = (2.0f64, 5.0f64);
    let (value, g) = copy_then_write_grad(&[p0, p1]);
    assert!(common::close(value, 2.0 * p0 * p1 + p1.sin(), 1e-15));
    assert!(common::close(g[0], 2.0 * p1, 1e-15) && common::close(g[1], 2.0 * p0 + p1.cos(), 1e-15), "{g:?}");
}

#[test]
fn vec_by_reference() {
    let as_vec = |x: &[f64]| x.to_vec();
    check(
        &Fns {
            name: "rosenbrock_vec",
            f: &|x| rosenbrock_vec(&as_vec(x)),
            jvp: &|x, v| rosenbrock_vec_jvp(&as_vec(x), v.to_vec()),
            vjp: &|x, ct| {
                let p = as_vec(x);
                let (value, pullback) = rosenbrock_vec_vjp(&p);
                (value, pullback(ct))
            },
            grad: &|x| rosenbrock_vec_grad(&as_vec(x)),
        },
        &[&[1.2, 0.7, -0.4], &[1.0, 1.0, 1.0, 1.0], &[-1.5, 2.0]],
        1e-8,
    );
    // Zero at the minimum (1, .., 1); -2(1 - x0) - 400 x0 (x1 - x0²) in the first coordinate.
    let (_, g) = rosenbrock_vec_grad(&vec![1.0; 4]);
    assert!(g.iter().all(|d| *d == 0.0), "{g:?}");
    let (_, g) = rosenbrock_vec_grad(&vec![0.5, 0.5]);
    assert!(common::close(g[0], -2.0 * 0.5 - 400.0 * 0.5 * (0.5 - 0.25), 1e-14), "{g:?}");
    assert!(common::close(g[1], 200.0 * (0.5 - 0.25), 1e-14), "{g:?}");
}

/// Assertions and printing stay in the primal of every generated item and change no derivative.
mod log_scaled {
    use tapeless::differentiable;

    #[differentiable]
    pub fn f(x: f64, y: f64) -> f64 {
        assert!(x > 0.0, "x must be positive, got {}", x);
        debug_assert!(!y.is_nan());
        let r = x.ln() * y;
        eprintln!("log_scaled: r = {}", r);
        r + y.powi(2)
    }
}

/// A guard whose only effect is to leave needs no `piecewise`, also inside a loop.
#[differentiable]
fn guarded_sum(v: &[f64]) -> f64 {
    let mut s = 0.0;
    for (i, e) in v.iter().enumerate() {
        assert!(e.is_finite());
        if *e > 10.0 {
            panic!("element {} is too large: {}", i, e);
        }
        s += e.sin() * e;
    }
    if s < -100.0 {
        unreachable!("the sum of x sin x is bounded below here");
    }
    s
}

#[test]
fn statement_macros_change_no_derivative() {
    check_fn!(log_scaled, 2, &[&[2.0, 3.0], &[0.5, -1.5], &[7.0, 0.25]]);
    // Analytic: ∂/∂x = y / x, ∂/∂y = ln x + 2y.
    let (x, y) = (2.0f64, 3.0f64);
    let (_, (gx, gy)) = log_scaled::f_grad(x, y);
    assert!(common::close(gx, y / x, 1e-15) && common::close(gy, x.ln() + 2.0 * y, 1e-15));
    check(
        &Fns {
            name: "guarded_sum",
            f: &guarded_sum,
            jvp: &|x, v| guarded_sum_jvp(x, v.to_vec()),
            vjp: &|x, ct| {
                let (value, pullback) = guarded_sum_vjp(x);
                (value, pullback(ct))
            },
            grad: &guarded_sum_grad,
        },
        &[&[0.3, -1.2, 2.0], &[1.0], &[-3.0, 4.0, 0.5, 9.5]],
        1e-8,
    );
    // Analytic: d/dv_i (v_i sin v_i) = sin v_i + v_i cos v_i.
    let v = [0.3, -1.2, 2.0];
    let (_, g) = guarded_sum_grad(&v);
    for i in 0..3 {
        assert!(common::close(g[i], v[i].sin() + v[i] * v[i].cos(), 1e-15), "{g:?}");
    }
}

#[test]
fn statement_macros_run_in_every_generated_item() {
    let fails = |f: fn()| std::panic::catch_unwind(f).is_err();
    assert!(fails(|| {
        log_scaled::f_grad(-1.0, 1.0);
    }));
    assert!(fails(|| {
        log_scaled::f_jvp(-1.0, 1.0, 1.0, 0.0);
    }));
    assert!(fails(|| {
        let _ = log_scaled::f_vjp(-1.0, 1.0);
    }));
    assert!(fails(|| {
        guarded_sum_grad(&[1.0, 11.0]);
    }));
    assert!(fails(|| {
        guarded_sum_jvp(&[1.0, 11.0], vec![1.0, 0.0]);
    }));
    assert!(fails(|| {
        let _ = guarded_sum_vjp(&[1.0, f64::INFINITY]);
    }));
    assert!(!fails(|| {
        guarded_sum_grad(&[1.0, 9.0]);
    }));
}

/// How a model's term is shaped: a `match` on an enum chooses the formula.
#[derive(Clone, Copy)]
pub enum Shape {
    Linear,
    Quadratic,
    Periodic { harmonics: usize },
}

/// `match` on an integer (literals, or-patterns, a range, a binding with a guard), on an enum,
/// and on a `bool`; `unreachable!()` as an arm.
mod matches {
    use super::Shape;
    use tapeless::differentiable;

    #[allow(clippy::single_match, clippy::match_bool)] // `match` on a `bool` on purpose
    #[differentiable]
    pub fn by_order(x: f64, y: f64, order: usize) -> f64 {
        let base = match order {
            0 => 1.0,
            1 | 2 => x * y,
            3..=5 => x.powi(order as i32) + y,
            k if k % 2 == 0 => (x * k as f64).sin() * y,
            _ => x.exp() - y,
        };
        let mut scale = 1.0;
        match order > 3 {
            true => scale = y.cosh(),
            false => {}
        }
        base * scale
    }

    #[differentiable(wrt(x, y))]
    pub fn term(x: f64, y: f64, shape: Shape) -> f64 {
        match shape {
            Shape::Linear => 2.0 * x + y,
            Shape::Quadratic => x * x - x * y,
            Shape::Periodic { harmonics: 0 } => unreachable!("a periodic term has a harmonic"),
            Shape::Periodic { .. } => (x + y).sin(),
        }
    }
}

/// A `match` on a differentiated condition, accepted as piecewise.
mod hinge {
    use tapeless::{differentiable, piecewise};

    #[differentiable]
    pub fn f(x: f64) -> f64 {
        match piecewise(x > 0.0) {
            true => x * x,
            false => 0.5 * x,
        }
    }
}

/// `by_order`'s analytic gradient.
fn by_order_gradient(x: f64, y: f64, order: usize) -> (f64, f64) {
    let (base, db) = match order {
        0 => (1.0, (0.0, 0.0)),
        1 | 2 => (x * y, (y, x)),
        3..=5 => (x.powi(order as i32) + y, (order as f64 * x.powi(order as i32 - 1), 1.0)),
        k if k % 2 == 0 => {
            let k = k as f64;
            ((k * x).sin() * y, (k * (k * x).cos() * y, (k * x).sin()))
        }
        _ => (x.exp() - y, (x.exp(), -1.0)),
    };
    if order > 3 { (db.0 * y.cosh(), db.1 * y.cosh() + base * y.sinh()) } else { db }
}

#[test]
fn match_on_constants() {
    for order in [0, 1, 2, 3, 5, 6, 7, 8] {
        let f = |x: &[f64]| matches::by_order(x[0], x[1], order);
        check(
            &Fns {
                name: "by_order",
                f: &f,
                jvp: &|x, v| matches::by_order_jvp(x[0], x[1], order, v[0], v[1]),
                vjp: &|x, ct| {
                    let (value, pullback) = matches::by_order_vjp(x[0], x[1], order);
                    let (a, b) = pullback(ct);
                    (value, vec![a, b])
                },
                grad: &|x| {
                    let (value, (a, b)) = matches::by_order_grad(x[0], x[1], order);
                    (value, vec![a, b])
                },
            },
            &[&[0.7, 1.3], &[-0.4, 0.9], &[1.1, -0.6]],
            1e-8,
        );
        let (x, y) = (0.7, 1.3);
        let (_, (gx, gy)) = matches::by_order_grad(x, y, order);
        let (wx, wy) = by_order_gradient(x, y, order);
        assert!(
            common::close(gx, wx, 1e-13) && common::close(gy, wy, 1e-13),
            "order {order}: ({gx}, {gy}) vs ({wx}, {wy})"
        );
    }
    for (shape, want) in [
        (Shape::Linear, [2.0, 1.0]),
        (Shape::Quadratic, [2.0 * 0.7 - 1.3, -0.7]),
        (Shape::Periodic { harmonics: 3 }, [(2.0f64).cos(), (2.0f64).cos()]),
    ] {
        let (value, (gx, gy)) = matches::term_grad(0.7, 1.3, shape);
        assert_eq!(value, matches::term(0.7, 1.3, shape));
        assert!(
            common::close(gx, want[0], 1e-14) && common::close(gy, want[1], 1e-14),
            "({gx}, {gy}) vs {want:?}"
        );
        let (_, t) = matches::term_jvp(0.7, 1.3, shape, 0.5, -2.0);
        assert!(common::close(t, 0.5 * gx - 2.0 * gy, 1e-14));
        let (_, pullback) = matches::term_vjp(0.7, 1.3, shape);
        let (bx, by) = pullback(3.0);
        assert!(common::close(bx, 3.0 * gx, 1e-14) && common::close(by, 3.0 * gy, 1e-14));
    }
    assert!(
        std::panic::catch_unwind(|| matches::term_grad(0.7, 1.3, Shape::Periodic { harmonics: 0 })).is_err()
    );
    check_fn!(hinge, 1, &[&[1.5], &[-2.0], &[0.25]]);
    assert_eq!(hinge::f_grad(1.5).1, 3.0);
    assert_eq!(hinge::f_grad(-2.0).1, 0.5);
}

/// Local closures capturing constants and differentiated values, calling each other, taking
/// references (`|&u, v|`, `|u: &f64|`), called in place, and capturing by `move` a value changed
/// afterwards (the closure keeps the old one).
mod closures {
    use tapeless::differentiable;

    #[allow(clippy::redundant_closure_call)] // called in place on purpose
    #[differentiable]
    pub fn spread(x: &[f64], a: f64) -> f64 {
        let one = 1.0;
        let squash = |v: f64| one + (v - one) / 4.0 * a;
        let term = |&u: &f64, v: f64| (squash(v) - u).powi(2);
        let mut s = 0.0;
        for i in 0..x.len() - 1 {
            s += term(&x[i], x[i + 1]);
        }
        s + (|t: f64| t * t)(a)
    }

    #[differentiable]
    pub fn kept_by_move(x: f64, y: f64) -> f64 {
        let mut k = x * y;
        let scaled = move |t: f64| t * k;
        k = k.sin();
        scaled(y) + k
    }

    #[differentiable]
    pub fn through_reference(x: f64, y: f64) -> f64 {
        let norm = |u: &f64, v: &f64| (*u * *u + *v * *v).sqrt();
        let r = norm(&x, &y);
        let logistic = |t: f64| 1.0 / (1.0 + (-t).exp());
        logistic(r) * logistic(x - y)
    }
}

#[test]
fn local_closures_are_inlined() {
    let points: [&[f64]; 3] = [&[0.3, -0.2, 0.9, 1.5], &[1.0, 2.0, -1.0, 0.5], &[-0.7, 0.1, 0.4, -1.2]];
    // spread over x[0..3] and a = x[3].
    check(
        &Fns {
            name: "spread",
            f: &|p| closures::spread(&p[..3], p[3]),
            jvp: &|p, v| closures::spread_jvp(&p[..3], p[3], v[..3].to_vec(), v[3]),
            vjp: &|p, ct| {
                let (value, pullback) = closures::spread_vjp(&p[..3], p[3]);
                let (mut g, ga) = pullback(ct);
                g.push(ga);
                (value, g)
            },
            grad: &|p| {
                let (value, (mut g, ga)) = closures::spread_grad(&p[..3], p[3]);
                g.push(ga);
                (value, g)
            },
        },
        &points,
        1e-8,
    );
    // Analytic at x = (0.3, -0.2, 0.9), a = 1.5: squash(v) = 1 + (v - 1) a / 4.
    let (x, a) = ([0.3, -0.2, 0.9], 1.5);
    let squash = |v: f64| 1.0 + (v - 1.0) / 4.0 * a;
    let r = [squash(x[1]) - x[0], squash(x[2]) - x[1]];
    let want = [-2.0 * r[0], 2.0 * r[0] * a / 4.0 - 2.0 * r[1], 2.0 * r[1] * a / 4.0];
    let want_a = 2.0 * r[0] * (x[1] - 1.0) / 4.0 + 2.0 * r[1] * (x[2] - 1.0) / 4.0 + 2.0 * a;
    let (_, (g, ga)) = closures::spread_grad(&x, a);
    for i in 0..3 {
        assert!(common::close(g[i], want[i], 1e-14), "{g:?} vs {want:?}");
    }
    assert!(common::close(ga, want_a, 1e-14), "{ga} vs {want_a}");

    check_fn!(kept_by_move, 2, &[&[0.5, 1.2], &[-1.0, 0.3], &[2.0, -0.7]]);
    // f = y (x y) + sin(x y): the closure multiplies by the x y it captured, not sin(x y).
    let (x, y) = (0.5f64, 1.2f64);
    let (value, (gx, gy)) = closures::kept_by_move_grad(x, y);
    assert!(common::close(value, x * y * y + (x * y).sin(), 1e-15));
    assert!(
        common::close(gx, y * y + y * (x * y).cos(), 1e-14)
            && common::close(gy, 2.0 * x * y + x * (x * y).cos(), 1e-14)
    );

    check_fn!(through_reference, 2, &[&[0.5, 1.2], &[-1.0, 0.3], &[2.0, -0.7]]);
}

mod kept_by_move {
    pub use super::closures::{
        kept_by_move as f, kept_by_move_grad as f_grad, kept_by_move_jvp as f_jvp, kept_by_move_vjp as f_vjp,
    };
}

mod through_reference {
    pub use super::closures::{
        through_reference as f, through_reference_grad as f_grad, through_reference_jvp as f_jvp,
        through_reference_vjp as f_vjp,
    };
}

/// Elements reached through a reference a method returns, dereferenced: `*x.get(1).unwrap()`,
/// `*x.last().unwrap()`, and a `reduce` whose comparison is accepted with `piecewise`.
#[differentiable]
fn dereferenced_calls(x: &[f64]) -> f64 {
    let largest = *x.iter().reduce(|a, b| if tapeless::piecewise(a > b) { a } else { b }).unwrap();
    *x.get(1).unwrap() * 2.0 + x.last().unwrap().sin() * *x.first().unwrap() + largest.powi(2)
}

#[test]
fn dereferenced_method_results() {
    let points: [&[f64]; 3] = [&[1.0, 3.0, 2.0], &[0.5, -1.0, 0.25, 4.0], &[-2.0, 0.1, 0.3]];
    let fns = slice_fns!(
        dereferenced_calls,
        dereferenced_calls_jvp,
        dereferenced_calls_vjp,
        dereferenced_calls_grad
    );
    check(&fns, &points, 1e-8);
    for x in points {
        let (_, g) = dereferenced_calls_grad(x);
        let n = x.len();
        let k = (0..n).fold(0, |k, i| if x[i] > x[k] { i } else { k });
        let mut want = vec![0.0; n];
        want[1] += 2.0;
        want[n - 1] += x[n - 1].cos() * x[0];
        want[0] += x[n - 1].sin();
        want[k] += 2.0 * x[k];
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-15), "d/dx{i}: {} vs {}", g[i], want[i]);
        }
    }
}

/// `Option` combinators on a looked-up element: `x.first().map(f).unwrap_or(d)`,
/// `x.last().map_or(d, f)`, `x.get(i).map(f).unwrap()`, `unwrap_or_else`, `map_or_else`.
#[differentiable]
fn mapped_lookups(x: &[f64]) -> f64 {
    x.first().map(|v| v * 2.0).unwrap_or(0.0)
        + x.last().map_or(1.0, |&v| v.sin())
        + x.get(1).map(|v| v.exp()).unwrap()
        + x.get(3).map(|v| v * v).unwrap_or_else(|| x[0] * 0.5)
        + x.get(2).copied().map_or_else(|| 0.0, |v| v.cos())
}

#[test]
fn option_combinators_on_lookups() {
    let points: [&[f64]; 3] = [&[1.0, 2.0, 3.0], &[0.5, -1.0, 0.25, 4.0], &[-2.0, 0.1, 0.3, 0.7, 1.1]];
    let fns = slice_fns!(mapped_lookups, mapped_lookups_jvp, mapped_lookups_vjp, mapped_lookups_grad);
    check(&fns, &points, 1e-8);
    for x in points {
        let n = x.len();
        let (value, g) = mapped_lookups_grad(x);
        let fourth = if n > 3 { x[3] * x[3] } else { x[0] * 0.5 };
        let want_value = 2.0 * x[0] + x[n - 1].sin() + x[1].exp() + fourth + x[2].cos();
        assert!(common::close(value, want_value, 1e-15));
        let mut want = vec![0.0; n];
        want[0] += 2.0;
        want[n - 1] += x[n - 1].cos();
        want[1] += x[1].exp();
        if n > 3 {
            want[3] += 2.0 * x[3];
        } else {
            want[0] += 0.5;
        }
        want[2] -= x[2].sin();
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-15), "d/dx{i}: {} vs {}", g[i], want[i]);
        }
    }
}

/// `collect::<Vec<_>>()` with the element type left to inference: floats and indices (a
/// constant chain); in a generic function the type is written (`Vec<_>` there is our error).
#[differentiable]
fn collected_untyped(x: &[f64], n: usize) -> f64 {
    let squares = x.iter().map(|v| v * v).collect::<Vec<_>>();
    let picks = (0..n).map(|i| (i * 2) % x.len()).collect::<Vec<_>>();
    squares.iter().zip(x.iter().skip(1)).map(|(a, b)| a * b).sum::<f64>()
        + picks.iter().map(|&i| x[i]).sum::<f64>()
}

#[differentiable]
fn collected_generic<T: num_traits::Float + std::iter::Sum>(x: &[T]) -> Vec<T> {
    x.iter().map(|&v| v.sin() * v).collect::<Vec<T>>()
}

/// Flags collected untyped: a `Vec<bool>` from a constant chain, read in a branch.
#[differentiable]
fn even_entries(x: &[f64]) -> f64 {
    let even = (0..x.len()).map(|i| i % 2 == 0).collect::<Vec<_>>();
    let mut s = 0.0;
    for i in 0..x.len() {
        if even[i] {
            s += x[i].sin();
        }
    }
    s
}

#[test]
fn collect_with_an_inferred_element_type() {
    let points: [&[f64]; 3] = [&[1.0, 2.0, 3.0], &[0.5, -1.0, 0.25, 4.0], &[-2.0, 0.1, 0.3, 0.7, 1.1]];
    let fns = slice_fns_with!(collected_untyped, collected_untyped_jvp, collected_untyped_vjp, collected_untyped_grad; 4);
    check(&fns, &points, 1e-8);
    for x in points {
        let n = x.len();
        let (_, g) = collected_untyped_grad(x, 4);
        // Σ x_i² x_{i+1} + Σ_k x_{2k mod n}.
        let mut want = vec![0.0; n];
        for i in 0..n - 1 {
            want[i] += 2.0 * x[i] * x[i + 1];
            want[i + 1] += x[i] * x[i];
        }
        for k in 0..4 {
            want[(2 * k) % n] += 1.0;
        }
        for i in 0..n {
            assert!(common::close(g[i], want[i], 1e-14), "d/dx{i}: {} vs {}", g[i], want[i]);
        }
        let (_, g) = even_entries_grad(x);
        for i in 0..n {
            let want = if i % 2 == 0 { x[i].cos() } else { 0.0 };
            assert!(common::close(g[i], want, 1e-15), "even_entries d/dx{i}");
        }
        let direction = common::direction(n, 7);
        let (_, jv) = even_entries_jvp(x, direction.clone());
        let (_, pullback) = even_entries_vjp(x);
        let back: f64 = pullback(1.0).iter().zip(&direction).map(|(a, b)| a * b).sum();
        assert!(common::close(jv, back, 1e-14), "even_entries: {jv} vs {back}");
        // The generic one, elementwise: d/dx (x sin x) = sin x + x cos x, forward against reverse.
        let (y, t) = collected_generic_jvp(x, vec![1.0; n]);
        let (_, pullback) = collected_generic_vjp(x);
        let back = pullback(vec![1.0; n]);
        for i in 0..n {
            assert!(common::close(y[i], x[i].sin() * x[i], 1e-15));
            let d = x[i].sin() + x[i] * x[i].cos();
            assert!(common::close(t[i], d, 1e-14) && common::close(back[i], d, 1e-14), "element {i}");
        }
    }
}

/// Functions passed as parameters are constants: called on constants (`weight(k)`), or on a
/// differentiated value through `no_grad`.
#[differentiable]
fn with_callbacks(x: f64, k: usize, weight: fn(usize) -> f64, shape: &dyn Fn(f64) -> f64) -> f64 {
    x.sin() * weight(k) + x * tapeless::no_grad(shape(x))
}

#[test]
fn functions_passed_in_are_constants() {
    fn half(k: usize) -> f64 {
        k as f64 * 0.5
    }
    let square = |t: f64| t * t;
    for x in [0.3, -1.2, 2.0] {
        let (value, g) = with_callbacks_grad(x, 3, half, &square);
        assert!(common::close(value, 1.5 * x.sin() + x * x * x, 1e-15));
        // The cut derivative: d/dx = 1.5 cos x + x² (the square held constant).
        assert!(common::close(g, 1.5 * x.cos() + x * x, 1e-15), "{g}");
        let (_, t) = with_callbacks_jvp(x, 3, half, &square, 0.7);
        assert!(common::close(t, 0.7 * g, 1e-15));
    }
}

/// Second order with a function passed in that takes integers (one that takes floats is our
/// error: ui `second_order/function_parameter_taking_floats`).
#[differentiable(hessian)]
fn weighted_sine(x: f64, y: f64, k: usize, weight: fn(usize) -> f64) -> f64 {
    (x * y).sin() * weight(k)
}

#[test]
fn a_function_passed_in_second_order() {
    fn half(k: usize) -> f64 {
        k as f64 * 0.5
    }
    for (x, y) in [(0.3, 1.1), (-1.2, 0.4)] {
        let w = 1.5;
        let (_, g, h) = weighted_sine_hessian(x, y, 3, half);
        let (s, c) = (x * y).sin_cos();
        assert!(common::close(g.0, w * y * c, 1e-15) && common::close(g.1, w * x * c, 1e-15));
        let (_, jv) = weighted_sine_jvp(x, y, 3, half, 0.4, -0.9);
        let (_, pullback) = weighted_sine_vjp(x, y, 3, half);
        let (bx, by) = pullback(1.0);
        assert!(common::close(jv, 0.4 * bx - 0.9 * by, 1e-14));
        // H = w [[-y² s, c - x y s], [c - x y s, -x² s]].
        let want = [[-y * y * s, c - x * y * s], [c - x * y * s, -x * x * s]];
        let grad = |p: &[f64]| {
            let (_, (gx, gy)) = weighted_sine_grad(p[0], p[1], 3, half);
            [gx, gy]
        };
        for i in 0..2 {
            for j in 0..2 {
                assert!(common::close(h[(i, j)], w * want[i][j], 1e-14), "H[{i},{j}]");
                let gj = |p: &[f64]| grad(p)[j];
                assert!(common::close(h[(i, j)], common::central(&gj, &[x, y], i), 1e-7));
            }
        }
    }
}

/// A mask zipped in and filtered on (`**m`: the predicate gets `&(&x, &bool)`), and pairs of
/// indices destructured in a closure.
#[differentiable(wrt(x))]
fn masked_pairs(x: &[f64], mask: &[bool], pairs: &[(usize, usize)]) -> f64 {
    let masked: f64 = x.iter().zip(mask).filter(|(_, m)| **m).map(|(v, _)| v * v).sum();
    masked + pairs.iter().map(|&(i, j)| (x[i] - x[j]).powi(2)).sum::<f64>()
}

#[test]
fn masks_and_index_pairs() {
    let (mask, pairs) = ([true, false, true], [(0, 1), (1, 2)]);
    let points: [&[f64]; 3] = [&[1.0, 2.0, 4.0], &[-0.5, 0.3, 0.1], &[2.0, -1.0, 0.0]];
    check(
        &slice_fns_with!(masked_pairs, masked_pairs_jvp, masked_pairs_vjp, masked_pairs_grad; &mask, &pairs),
        &points,
        1e-8,
    );
    for x in points {
        let (_, g) = masked_pairs_grad(x, &mask, &pairs);
        let want = [
            2.0 * x[0] + 2.0 * (x[0] - x[1]),
            -2.0 * (x[0] - x[1]) + 2.0 * (x[1] - x[2]),
            2.0 * x[2] - 2.0 * (x[1] - x[2]),
        ];
        for i in 0..3 {
            assert!(common::close(g[i], want[i], 1e-14), "d/dx{i}: {} vs {}", g[i], want[i]);
        }
    }
}

/// Copies of a differentiated float, `vec![s; n]` and `[s; 3]` (with `s = x₀ x₁`), and a
/// `cfg!(debug_assertions)` test: `Σ_k (k + 1) s + 3 s² + Σ x`.
#[differentiable]
fn copies(x: &[f64]) -> f64 {
    let s = x[0] * x[1];
    let filled = vec![s; x.len()];
    let three = [s; 3];
    if cfg!(debug_assertions) {
        debug_assert!(filled.len() == x.len());
    }
    let weighted: f64 = filled.iter().enumerate().map(|(k, v)| (k + 1) as f64 * v).sum();
    weighted + three.iter().map(|v| v * s).sum::<f64>() + x.iter().sum::<f64>()
}

#[test]
fn copies_of_a_differentiated_value() {
    let points: [&[f64]; 3] = [&[0.5, 1.5, -0.3], &[2.0, -1.0], &[0.1, 0.2, 0.3, 0.4]];
    check(&slice_fns!(copies, copies_jvp, copies_vjp, copies_grad), &points, 1e-8);
    for x in points {
        let n = x.len() as f64;
        let s = x[0] * x[1];
        // d/ds = n (n + 1) / 2 + 6 s; s depends on x₀ and x₁.
        let ds = n * (n + 1.0) / 2.0 + 6.0 * s;
        let (value, g) = copies_grad(x);
        assert!(common::close(value, copies(x), 1e-15));
        assert!(common::close(g[0], ds * x[1] + 1.0, 1e-14), "d/dx0 = {}", g[0]);
        assert!(common::close(g[1], ds * x[0] + 1.0, 1e-14), "d/dx1 = {}", g[1]);
        for gi in &g[2..] {
            assert!(common::close(*gi, 1.0, 1e-15));
        }
    }
}

/// Copies of a differentiated nalgebra vector: `n |d| + |d|` with `d = (x, 2x, 1/2)`.
#[differentiable]
fn vector_copies(x: f64, n: usize) -> f64 {
    let d = nalgebra::Vector3::new(x, 2.0 * x, 0.5);
    let v = vec![d; n];
    let w = [d; 2];
    v.iter().map(|p| p.norm()).sum::<f64>() + w[1].norm()
}

#[test]
fn copies_of_a_differentiated_vector() {
    for (x, n) in [(0.5, 3), (-1.2, 1), (2.0, 4)] {
        let norm = (5.0 * x * x + 0.25_f64).sqrt();
        let (value, g) = vector_copies_grad(x, n);
        assert!(common::close(value, (n + 1) as f64 * norm, 1e-15));
        assert!(common::close(g, (n + 1) as f64 * 5.0 * x / norm, 1e-14), "d/dx = {g}");
        let fd = common::central(&|p: &[f64]| vector_copies(p[0], n), &[x], 0);
        assert!(common::close(g, fd, 1e-8));
        let (_, t) = vector_copies_jvp(x, n, 0.7);
        let (_, pullback) = vector_copies_vjp(x, n);
        common::forward_against_reverse("vector_copies", t, &[0.7], 1.3, &[pullback(1.3)], 1e-13);
    }
}

/// `to_owned()` of a slice (a `Vec`), of a fixed array (an array) and of a sub-slice, as
/// `to_vec()` and `clone()` are read: `Σ x² + x₁ x₂ + x₀ x₃`.
#[allow(clippy::unnecessary_to_owned)]
#[differentiable]
fn owned_copies(x: &[f64]) -> f64 {
    let v = x.to_owned();
    let pair = [x[0], x[3]];
    let ends = pair.to_owned();
    let part = x[1..3].to_owned();
    v.iter().map(|t| t * t).sum::<f64>() + part[0] * part[1] + ends[0] * ends[1]
}

#[test]
fn copies_by_to_owned() {
    let points: [&[f64]; 3] = [&[0.5, 1.5, -0.3, 2.0], &[2.0, -1.0, 0.7, 0.1], &[0.1, 0.2, 0.3, 0.4, 0.9]];
    check(&slice_fns!(owned_copies, owned_copies_jvp, owned_copies_vjp, owned_copies_grad), &points, 1e-8);
    for x in points {
        let (_, g) = owned_copies_grad(x);
        let mut want: Vec<f64> = x.iter().map(|t| 2.0 * t).collect();
        (want[0], want[1], want[2], want[3]) =
            (want[0] + x[3], want[1] + x[2], want[2] + x[1], want[3] + x[0]);
        common::assert_close(&g, &want, 1e-15, "owned_copies");
    }
}

/// A local `Vec` replaced by an untyped `collect()` outside a loop (inside one it was already
/// followed, `lower::assignments::whole_array`); was "`map` on this value" (our error).
#[differentiable]
fn replaced_by_collect(x: &[f64]) -> f64 {
    let mut v = x.to_vec();
    v = v.iter().rev().map(|a| a * a).collect();
    v[0] * 2.0 + v[1]
}

#[test]
fn a_vec_replaced_by_an_untyped_collect() {
    let points: [&[f64]; 3] = [&[0.3, -0.7, 1.1], &[2.0, 0.5, -1.5, 0.25], &[-0.4, 0.9]];
    check(
        &slice_fns!(
            replaced_by_collect,
            replaced_by_collect_jvp,
            replaced_by_collect_vjp,
            replaced_by_collect_grad
        ),
        &points,
        1e-7,
    );
    for x in points {
        // 2 x[n-1]² + x[n-2]².
        let n = x.len();
        let mut want = vec![0.0; n];
        want[n - 1] = 4.0 * x[n - 1];
        want[n - 2] = 2.0 * x[n - 2];
        assert_eq!(replaced_by_collect_grad(x).1, want);
    }
}

/// Observations gathered from constant slices into structs, then read by field: the
/// `collect::<Vec<Obs>>()` is kept as written (`lower::iterators`, a type without a derivative);
/// was "`map` on this value is not supported" (our error, with a help about iterators).
#[derive(Clone, Copy)]
struct Obs {
    t: f64,
    y: f64,
}

#[differentiable(wrt(k))]
fn decay_fit(k: &[f64], ts: &[f64], ys: &[f64]) -> f64 {
    let obs: Vec<Obs> = ts.iter().zip(ys).map(|(&t, &y)| Obs { t, y }).collect();
    obs.iter().map(|o| (o.y - k[1] * (-k[0] * o.t).exp()).powi(2)).sum()
}

#[test]
fn observations_collected_into_structs_from_constants() {
    let (ts, ys) = ([0.0, 1.0, 2.0, 3.5], [1.1, 0.6, 0.4, 0.1]);
    let k = [0.5, 1.2];
    let f = |k: &[f64]| decay_fit(k, &ts, &ys);
    common::check_wrt_x(
        "decay_fit",
        &f,
        &|k| decay_fit_grad(k, &ts, &ys).1,
        &|k, v| decay_fit_jvp(k, &ts, &ys, v).1,
        &k,
    );
    // Σ 2 r (-∂model): ∂/∂k0 of a e^{-k0 t} is -a t e^{-k0 t}, ∂/∂a is e^{-k0 t}.
    let mut want = [0.0; 2];
    for (t, y) in ts.iter().zip(&ys) {
        let e = (-k[0] * t).exp();
        let r = y - k[1] * e;
        want[0] += 2.0 * r * k[1] * t * e;
        want[1] -= 2.0 * r * e;
    }
    common::assert_close(&decay_fit_grad(&k, &ts, &ys).1, &want, 1e-12, "decay_fit analytic");
    let (value, pullback) = decay_fit_vjp(&k, &ts, &ys);
    assert_eq!(value, f(&k));
    common::check_pullback("decay_fit", &decay_fit_grad(&k, &ts, &ys).1, 2.0, &pullback(2.0));
}
