//! What generated derivatives do at singular points, against what a hand-written derivative
//! does (ARCHITECTURE.md, "Edge values").

// The primal functions are only differentiated here.
#![allow(dead_code)]

use nalgebra::{DVector, Vector2, Vector3};
use num_traits::Float;
use tapeless::{differentiable, piecewise};

/// `sqrt` computed for every input but used only where it is defined.
#[differentiable]
fn guarded_sqrt(x: f64) -> f64 {
    let s = x.sqrt();
    if piecewise(x > 0.0) { s } else { 0.0 }
}

/// A NaN written into an array element that is overwritten before it is read.
#[differentiable]
fn overwritten(x: f64) -> f64 {
    let mut w = [0.0, 0.0];
    w[0] = x.ln();
    w[0] = 1.0;
    w[1] = 2.0 * x;
    w[0] + w[1]
}

/// `asin` computed beside a branch that may not use it: its partial reads its argument (NaN
/// at 2), not its result, and is still guarded by its result's adjoint.
#[differentiable(wrt(x))]
fn asin_beside_a_branch(x: f64, c: f64) -> f64 {
    let y = x.asin();
    let z = if c > 0.0 { y } else { 0.0 };
    z + x
}

/// A reciprocal computed for every input, used only where it is finite.
#[differentiable]
fn reciprocal_beside_a_branch(x: f64) -> f64 {
    let q = 1.0 / x;
    let z = if piecewise(x > 0.0) { q } else { 0.0 };
    z + x
}

/// The same over a generic float, whose quotient goes through the runtime's `Quotient`.
#[differentiable]
fn generic_reciprocal_beside_a_branch<T: Float>(x: T) -> T {
    let q = T::one() / x;
    let z = if piecewise(x > T::zero()) { q } else { T::zero() };
    z + x
}

/// A product of a quotient that may be infinite, used only where it is finite: the product's
/// own adjoint meets the infinite operand.
#[differentiable]
fn product_beside_a_branch(x: f64, y: f64) -> f64 {
    let q = 1.0 / x;
    let p = q * y;
    let z = if piecewise(x > 0.0) { p } else { 0.0 };
    z + y
}

/// The same over a generic float (the runtime's `Product`).
#[differentiable]
fn generic_product_beside_a_branch<T: Float>(x: T, y: T) -> T {
    let q = T::one() / x;
    let p = q * y;
    let z = if piecewise(x > T::zero()) { p } else { T::zero() };
    z + y
}

/// A unit direction computed before the test that it exists, as physics code writes it: `d / n`
/// at `n = 0` is NaN, and the branch that ran does not use it.
#[differentiable]
fn direction_beside_a_branch(a: Vector3<f64>, b: Vector3<f64>) -> f64 {
    let d = b - a;
    let n = d.norm();
    let u = d / n;
    if piecewise(n > 1e-12) { u.x + 2.0 * u.y } else { 0.0 }
}

/// The same with a dynamic vector.
#[differentiable]
fn dynamic_direction_beside_a_branch(d: &DVector<f64>) -> f64 {
    let n = d.norm();
    let u = d / n;
    if piecewise(n > 1e-12) { u[0] - u[1] } else { d.sum() }
}

/// The same direction written with `normalize`, used only where it exists.
#[differentiable]
fn unit_beside_a_branch(a: Vector3<f64>, b: Vector3<f64>) -> f64 {
    let d = b - a;
    let u = d.normalize();
    if piecewise(d.norm() > 1e-12) { u.x + 2.0 * u.y } else { a.z }
}

/// `u_x u_y + a_x` for the unit vector `u` along `b - a`, `a_x²` where `a = b`: second order
/// through an unused `normalize`.
#[differentiable(hessian)]
fn unit_product_beside_a_branch(a: Vector3<f64>, b: Vector3<f64>) -> f64 {
    let d = b - a;
    let u = d.normalize();
    if piecewise(d.norm() > 1e-12) { u.x * u.y + a.x } else { a.x * a.x }
}

/// One entry of an entrywise square root: the other entry's root is NaN and read by nothing.
#[differentiable(hessian)]
fn root_entry(v: Vector2<f64>) -> f64 {
    let r = v.map(|e| e.sqrt());
    r.y * r.y * r.y
}

/// The same on a dynamic vector (whose `map` derivative is saved in the primal sweep).
#[differentiable]
fn dynamic_root_entry(v: &DVector<f64>) -> f64 {
    let r = v.map(|e| e.sqrt());
    r[1] * r[1] * r[1]
}

/// One entry of an entrywise quotient whose other divisor is zero.
#[differentiable(hessian)]
fn ratio_entry(a: Vector2<f64>, b: Vector2<f64>) -> f64 {
    let r = a.component_div(&b);
    r.y * r.y
}

/// `norm` of a vector that may be zero, used only past a threshold on another input.
#[differentiable(wrt(p))]
fn norm_beside_a_branch(p: Vector2<f64>, r: f64) -> f64 {
    let d = p.norm();
    let pen = if r > 1.0 { d } else { 0.0 };
    pen + p.x
}

/// `y² / x + x y` for `x > 0`, `x y` otherwise: second order through an unused quotient.
#[differentiable(hessian)]
fn quotient_beside_a_branch(x: f64, y: f64) -> f64 {
    let q = y / x;
    let z = if piecewise(x > 0.0) { q * y } else { 0.0 };
    z + x * y
}

#[differentiable]
fn sqrt(x: f64) -> f64 {
    x.sqrt()
}

#[differentiable]
fn ln(x: f64) -> f64 {
    x.ln()
}

#[differentiable]
fn power(x: f64, p: f64) -> f64 {
    x.powf(p)
}

#[differentiable]
fn exp(x: f64) -> f64 {
    x.exp()
}

#[test]
fn an_untaken_branch_leaks_no_nan() {
    // A hand-written derivative never evaluates sqrt's derivative at -1: neither do we.
    assert_eq!(guarded_sqrt_grad(-1.0), (0.0, 0.0));
    assert_eq!(guarded_sqrt_jvp(-1.0, 1.0), (0.0, 0.0));
    let (_, pullback) = guarded_sqrt_vjp(-1.0);
    assert_eq!(pullback(1.0), 0.0);
    assert_eq!(guarded_sqrt_grad(4.0), (2.0, 0.25));
}

#[test]
fn an_overwritten_value_leaks_no_nan() {
    assert_eq!(overwritten_grad(-1.0), (-1.0, 2.0));
    assert_eq!(overwritten_jvp(-1.0, 1.0), (-1.0, 2.0));
}

#[test]
fn singular_points_match_the_calculus() {
    assert_eq!(sqrt_grad(0.0), (0.0, f64::INFINITY));
    assert_eq!(sqrt_jvp(0.0, 1.0), (0.0, f64::INFINITY));
    assert_eq!(ln_grad(0.0), (f64::NEG_INFINITY, f64::INFINITY));
    // x^p at x = 0: d/dx = p 0^(p-1) = 0 for p > 1; d/dp = 0 (the result is 0).
    assert_eq!(power_grad(0.0, 2.0), (0.0, (0.0, 0.0)));
    assert_eq!(power_grad(0.0, 1.0), (0.0, (1.0, 0.0)));
    // Overflow: the value and the derivative are infinite, as by hand.
    assert_eq!(exp_grad(1000.0), (f64::INFINITY, f64::INFINITY));
}

#[test]
fn nan_in_nan_out() {
    let (v, g) = exp_grad(f64::NAN);
    assert!(v.is_nan() && g.is_nan());
    let (v, g) = guarded_sqrt_grad(f64::NAN);
    // `NaN > 0` is false: the else branch runs, as in the primal.
    assert_eq!((v, g), (0.0, 0.0));
    assert_eq!(guarded_sqrt(f64::NAN), 0.0);
}

/// Central difference of `f` at `x`.
fn central(f: impl Fn(f64) -> f64, x: f64) -> f64 {
    let h = 1e-6;
    (f(x + h) - f(x - h)) / (2.0 * h)
}

#[test]
fn unused_partials_that_read_their_arguments_leak_no_nan() {
    // At x = 2 `asin` is NaN and so is its partial; the else branch ran: d/dx = 1.
    assert_eq!(asin_beside_a_branch_grad(2.0, -1.0), (2.0, 1.0));
    assert_eq!(asin_beside_a_branch_jvp(2.0, -1.0, 1.0), (2.0, 1.0));
    assert_eq!(asin_beside_a_branch_vjp(2.0, -1.0).1(1.0), 1.0);
    // Where the branch uses it: d/dx = 1 / sqrt(1 - x²) + 1, by hand, by differences, both modes.
    let (x, c) = (0.5, 1.0);
    let want = 1.0 / (1.0 - x * x).sqrt() + 1.0;
    let (_, g) = asin_beside_a_branch_grad(x, c);
    assert!((g - want).abs() < 1e-12, "{g} vs {want}");
    assert!((central(|x| asin_beside_a_branch(x, c), x) - want).abs() < 1e-6);
    let ((_, t), pullback) = (asin_beside_a_branch_jvp(x, c, 0.3), asin_beside_a_branch_vjp(x, c).1);
    assert!((t - 0.3 * pullback(1.0)).abs() < 1e-12);
}

#[test]
fn unused_quotients_leak_no_nan() {
    // At x = 0 the quotient is infinite; the else branch ran: d/dx = 1.
    assert_eq!(reciprocal_beside_a_branch_grad(0.0), (0.0, 1.0));
    assert_eq!(reciprocal_beside_a_branch_jvp(0.0, 1.0), (0.0, 1.0));
    assert_eq!(reciprocal_beside_a_branch_vjp(0.0).1(1.0), 1.0);
    assert_eq!(generic_reciprocal_beside_a_branch_grad(0.0f64), (0.0, 1.0));
    assert_eq!(generic_reciprocal_beside_a_branch_grad(0.0f32), (0.0, 1.0));
    // Where it is used: d/dx = 1 - 1 / x².
    for x in [0.5, 2.0] {
        let want = 1.0 - 1.0 / (x * x);
        for g in [reciprocal_beside_a_branch_grad(x).1, generic_reciprocal_beside_a_branch_grad(x).1] {
            assert!((g - want).abs() < 1e-12, "{g} vs {want}");
        }
        assert!((central(reciprocal_beside_a_branch, x) - want).abs() < 1e-6);
        assert!((central(generic_reciprocal_beside_a_branch, x) - want).abs() < 1e-6);
        let (_, t) = reciprocal_beside_a_branch_jvp(x, 0.7);
        assert!((t - 0.7 * reciprocal_beside_a_branch_vjp(x).1(1.0)).abs() < 1e-12);
        let (_, t) = generic_reciprocal_beside_a_branch_jvp(x, 0.7);
        assert!((t - 0.7 * generic_reciprocal_beside_a_branch_vjp(x).1(1.0)).abs() < 1e-12);
    }
}

#[test]
fn an_unused_norm_of_a_zero_vector_leaks_no_nan() {
    let (_, g) = norm_beside_a_branch_grad(Vector2::zeros(), 0.5);
    assert_eq!(g, Vector2::new(1.0, 0.0));
    // Used: p / |p| + (1, 0), by hand, by differences, and forward against reverse.
    let p = Vector2::new(3.0, 4.0);
    let (_, g) = norm_beside_a_branch_grad(p, 2.0);
    let want = p / 5.0 + Vector2::new(1.0, 0.0);
    assert!((g - want).norm() < 1e-12, "{g} vs {want}");
    for i in 0..2 {
        let e = Vector2::ith(i, 1.0);
        let fd = central(|h| norm_beside_a_branch(p + e * h, 2.0), 0.0);
        assert!((fd - want[i]).abs() < 1e-6);
    }
    let v = Vector2::new(0.3, -0.8);
    let (_, t) = norm_beside_a_branch_jvp(p, 2.0, v);
    assert!((t - norm_beside_a_branch_vjp(p, 2.0).1(1.0).dot(&v)).abs() < 1e-12);
}

#[test]
fn second_order_through_an_unused_quotient() {
    // At x = 0 the else branch ran: f = x y, gradient (y, x), Hessian [[0, 1], [1, 0]].
    let (v, g, h) = quotient_beside_a_branch_hessian(0.0, 2.0);
    assert_eq!((v, g), (0.0, (2.0, 0.0)));
    assert_eq!(h.as_slice(), &[0.0, 1.0, 1.0, 0.0]);
    // At (1, 2): f = y²/x + x y; H = [[2y²/x³, 1 - 2y/x²], [1 - 2y/x², 2/x]] = [[8, -3], [-3, 2]].
    let (x, y) = (1.0, 2.0);
    let (_, g, h) = quotient_beside_a_branch_hessian(x, y);
    assert_eq!(g, (-y * y / (x * x) + y, 2.0 * y / x + x));
    let want = [8.0, -3.0, -3.0, 2.0];
    for (got, want) in h.iter().zip(want) {
        assert!((got - want).abs() < 1e-12, "{h} vs {want:?}");
    }
    // Against central differences of the gradient.
    let gx = |x: f64, y: f64| quotient_beside_a_branch_grad(x, y).1;
    let columns = [
        (central(|s| gx(s, y).0, x), central(|s| gx(s, y).1, x)),
        (central(|s| gx(x, s).0, y), central(|s| gx(x, s).1, y)),
    ];
    for (j, (a, b)) in columns.into_iter().enumerate() {
        assert!((a - h[(0, j)]).abs() < 1e-5 && (b - h[(1, j)]).abs() < 1e-5, "column {j}: {a}, {b}");
    }
}

#[test]
fn unused_products_of_infinite_values_leak_no_nan() {
    // At x = 0, q = inf and the else branch ran: the gradient is (0, 1).
    assert_eq!(product_beside_a_branch_grad(0.0, 2.0), (2.0, (0.0, 1.0)));
    assert_eq!(generic_product_beside_a_branch_grad(0.0, 2.0), (2.0, (0.0, 1.0)));
    assert_eq!(product_beside_a_branch_jvp(0.0, 2.0, 1.0, 1.0), (2.0, 1.0));
    assert_eq!(product_beside_a_branch_vjp(0.0, 2.0).1(1.0), (0.0, 1.0));
    // Used (x > 0): f = y / x + y, gradient (-y / x², 1 / x + 1), by hand, by differences, and
    // forward against reverse.
    let (x, y) = (2.0, 3.0);
    let want = (-y / (x * x), 1.0 / x + 1.0);
    for (_, g) in [product_beside_a_branch_grad(x, y), generic_product_beside_a_branch_grad(x, y)] {
        assert!((g.0 - want.0).abs() < 1e-12 && (g.1 - want.1).abs() < 1e-12, "{g:?} vs {want:?}");
    }
    assert!((central(|s| product_beside_a_branch(s, y), x) - want.0).abs() < 1e-6);
    assert!((central(|s| product_beside_a_branch(x, s), y) - want.1).abs() < 1e-6);
    let (_, t) = product_beside_a_branch_jvp(x, y, 0.4, -0.9);
    let (gx, gy) = product_beside_a_branch_vjp(x, y).1(1.0);
    assert!((t - (0.4 * gx - 0.9 * gy)).abs() < 1e-12);
}

#[test]
fn unused_directions_of_zero_vectors_leak_no_nan() {
    let p = Vector3::new(1.0, 2.0, 3.0);
    let (v, (ga, gb)) = direction_beside_a_branch_grad(p, p);
    assert_eq!((v, ga.norm(), gb.norm()), (0.0, 0.0, 0.0));
    let (v, g) = dynamic_direction_beside_a_branch_grad(&DVector::zeros(3));
    assert_eq!((v, g.as_slice()), (0.0, &[1.0, 1.0, 1.0][..]));
    check_used_direction(
        direction_beside_a_branch,
        direction_beside_a_branch_grad,
        direction_beside_a_branch_jvp,
        |a, b| direction_beside_a_branch_vjp(a, b).1(1.0),
    );
    let x = DVector::from_column_slice(&[0.6, -0.8, 0.0]);
    let (_, g) = dynamic_direction_beside_a_branch_grad(&x);
    let e = DVector::from_column_slice(&[1.0, -1.0, 0.0]);
    let want = (&e - &x * x.dot(&e)) / 1.0;
    assert!((&g - &want).norm() < 1e-14, "{g} vs {want}");
    for i in 0..3 {
        let fd = central(
            |h| {
                dynamic_direction_beside_a_branch(
                    &(&x + DVector::from_fn(3, |k, _| if k == i { h } else { 0.0 })),
                )
            },
            0.0,
        );
        assert!((fd - want[i]).abs() < 1e-6);
    }
    let t = DVector::from_column_slice(&[0.2, 0.5, -0.4]);
    let (_, jt) = dynamic_direction_beside_a_branch_jvp(&x, t.clone());
    assert!((jt - dynamic_direction_beside_a_branch_vjp(&x).1(1.0).dot(&t)).abs() < 1e-14);
}

#[test]
fn unused_unit_vectors_of_zero_vectors_leak_no_nan() {
    let p = Vector3::new(1.0, 2.0, 3.0);
    let (v, (ga, gb)) = unit_beside_a_branch_grad(p, p);
    assert_eq!((v, ga, gb), (3.0, Vector3::z(), Vector3::zeros()));
    check_used_direction(
        unit_beside_a_branch,
        unit_beside_a_branch_grad,
        unit_beside_a_branch_jvp,
        |a, b| unit_beside_a_branch_vjp(a, b).1(1.0),
    );
}

type V3 = Vector3<f64>;

/// `f(a, b)`, `u_x + 2 u_y` of the unit vector `u` along `d = b - a`, where it is used: at `a =
/// (1, 2, 3)`, `d = (3, 4, 0)`. `d/db` is `(e - u (u . e)) / |d|` with `e = (1, 2, 0)`, `d/da` its
/// negative; checked against central differences, and forward mode against reverse.
fn check_used_direction(
    f: fn(V3, V3) -> f64,
    grad: fn(V3, V3) -> (f64, (V3, V3)),
    jvp: fn(V3, V3, V3, V3) -> (f64, f64),
    vjp: impl Fn(V3, V3) -> (V3, V3),
) {
    let (p, d) = (Vector3::new(1.0, 2.0, 3.0), Vector3::new(3.0, 4.0, 0.0));
    let (_, (ga, gb)) = grad(p, p + d);
    let (n, e) = (d.norm(), Vector3::new(1.0, 2.0, 0.0));
    let u = d / n;
    let want = (e - u * u.dot(&e)) / n;
    assert!((gb - want).norm() < 1e-14 && (ga + want).norm() < 1e-14, "{gb} vs {want}");
    for i in 0..3 {
        let fd = central(|h| f(p, p + d + Vector3::ith(i, h)), 0.0);
        assert!((fd - want[i]).abs() < 1e-6);
    }
    let (ta, tb) = (Vector3::new(0.1, -0.3, 0.2), Vector3::new(0.4, 0.5, -0.6));
    let (_, jt) = jvp(p, p + d, ta, tb);
    let (ua, ub) = vjp(p, p + d);
    assert!((jt - (ua.dot(&ta) + ub.dot(&tb))).abs() < 1e-14);
}

#[test]
fn second_order_through_an_unused_unit_vector() {
    let p = Vector3::new(1.0, 2.0, 3.0);
    // At a = b the branch that ran is a_x²: its Hessian is 2 in (a_x, a_x), zero elsewhere.
    let (_, _, h) = unit_product_beside_a_branch_hessian(p, p);
    for (k, e) in h.iter().enumerate() {
        assert_eq!(*e, if k == 0 { 2.0 } else { 0.0 }, "entry {k} of {h}");
    }
    // Where it is used: against central differences of the gradient, and in d = b - a against
    // the analytic Hessian of g(d) = d_x d_y / |d|² at d = (1, 1, 0): -1/2 on the diagonal of
    // (x, y) and at z, +1/2 off it.
    let d = Vector3::new(1.0, 1.0, 0.0);
    let (_, _, h) = unit_product_beside_a_branch_hessian(p, p + d);
    let grad = |x: &[f64]| {
        let (a, b) = (Vector3::new(x[0], x[1], x[2]), Vector3::new(x[3], x[4], x[5]));
        let (_, (ga, gb)) = unit_product_beside_a_branch_grad(a, b);
        [ga.as_slice(), gb.as_slice()].concat()
    };
    let x: Vec<f64> = p.iter().chain((p + d).iter()).copied().collect();
    assert_hessian_of_gradient(&h, grad, &x);
    let analytic = nalgebra::Matrix3::new(-0.5, 0.5, 0.0, 0.5, -0.5, 0.0, 0.0, 0.0, -0.5);
    for i in 0..3 {
        for j in 0..3 {
            assert!((h[(3 + i, 3 + j)] - analytic[(i, j)]).abs() < 1e-14);
            assert!((h[(i, j)] - analytic[(i, j)]).abs() < 1e-14);
        }
    }
}

#[test]
fn entries_nothing_read_leak_no_nan() {
    // v.y^(3/2): 3/2 v.y^(1/2) and 3/4 v.y^(-1/2); nothing of v.x, whose root is NaN.
    let v = Vector2::new(-1.0, 4.0);
    let (y, g, h) = root_entry_hessian(v);
    assert_eq!((y, g), (8.0, Vector2::new(0.0, 3.0)));
    assert_eq!(h.as_slice(), &[0.0, 0.0, 0.0, 0.375]);
    let (y, g) = dynamic_root_entry_grad(&DVector::from_column_slice(&[-1.0, 4.0]));
    assert_eq!((y, g.as_slice()), (8.0, &[0.0, 3.0][..]));
    // (a.y / b.y)²: 2 a.y / b.y² and -2 a.y² / b.y³; nothing of a.x / b.x = 1 / 0.
    let (a, b) = (Vector2::new(1.0, 2.0), Vector2::new(0.0, 4.0));
    let (_, (ga, gb), h) = ratio_entry_hessian(a, b);
    assert_eq!((ga, gb), (Vector2::new(0.0, 0.25), Vector2::new(0.0, -0.125)));
    // Rows and columns (a.x, a.y, b.x, b.y): 2 / b.y², -4 a.y / b.y³, 6 a.y² / b.y⁴.
    let want = [(1, 1, 0.125), (1, 3, -0.125), (3, 1, -0.125), (3, 3, 0.09375)];
    for i in 0..4 {
        for j in 0..4 {
            let w = want.iter().find(|(r, c, _)| (*r, *c) == (i, j)).map_or(0.0, |e| e.2);
            assert!((h[(i, j)] - w).abs() < 1e-15, "({i}, {j}): {}", h[(i, j)]);
        }
    }
    // The Hessians against central differences of the gradients, at the same points (a step
    // keeps v.x negative; b.x = ±step makes a.x / b.x finite, still read by nothing).
    let root_grad = |x: &[f64]| root_entry_grad(Vector2::new(x[0], x[1])).1.as_slice().to_vec();
    assert_hessian_of_gradient(&root_entry_hessian(v).2, root_grad, &[-1.0, 4.0]);
    let ratio_grad = |x: &[f64]| {
        let (_, (ga, gb)) = ratio_entry_grad(Vector2::new(x[0], x[1]), Vector2::new(x[2], x[3]));
        [ga.as_slice(), gb.as_slice()].concat()
    };
    assert_hessian_of_gradient(&h, ratio_grad, &[1.0, 2.0, 0.0, 4.0]);
    // Where every entry is defined: central differences, and forward against reverse.
    let (v, a, b) = (Vector2::new(2.0, 4.0), Vector2::new(1.0, 2.0), Vector2::new(3.0, 4.0));
    let (_, g) = root_entry_grad(v);
    let (_, (ga, gb)) = ratio_entry_grad(a, b);
    let dynamic = DVector::from_column_slice(v.as_slice());
    let (_, gd) = dynamic_root_entry_grad(&dynamic);
    for i in 0..2 {
        assert!((central(|t| root_entry(v + Vector2::ith(i, t)), 0.0) - g[i]).abs() < 1e-6);
        assert!((central(|t| ratio_entry(a + Vector2::ith(i, t), b), 0.0) - ga[i]).abs() < 1e-6);
        assert!((central(|t| ratio_entry(a, b + Vector2::ith(i, t)), 0.0) - gb[i]).abs() < 1e-6);
        let moved =
            |t: f64| dynamic_root_entry(&DVector::from_column_slice((v + Vector2::ith(i, t)).as_slice()));
        assert!((central(moved, 0.0) - gd[i]).abs() < 1e-6);
    }
    let (ta, tb) = (Vector2::new(0.3, -0.2), Vector2::new(0.5, 0.7));
    assert!((ratio_entry_jvp(a, b, ta, tb).1 - (ga.dot(&ta) + gb.dot(&tb))).abs() < 1e-14);
    assert!((root_entry_jvp(v, ta).1 - g.dot(&ta)).abs() < 1e-14);
    let td = DVector::from_column_slice(ta.as_slice());
    let (_, jt) = dynamic_root_entry_jvp(&dynamic, td.clone());
    assert!((jt - dynamic_root_entry_vjp(&dynamic).1(1.0).dot(&td)).abs() < 1e-14);
}

/// Every entry of the Hessian `h` at `x` against central differences of the gradient `grad`.
fn assert_hessian_of_gradient(h: &nalgebra::DMatrix<f64>, grad: impl Fn(&[f64]) -> Vec<f64>, x: &[f64]) {
    let step = 1e-6;
    for j in 0..x.len() {
        let (mut up, mut down) = (x.to_vec(), x.to_vec());
        up[j] += step;
        down[j] -= step;
        let (gu, gd) = (grad(&up), grad(&down));
        for i in 0..x.len() {
            let fd = (gu[i] - gd[i]) / (2.0 * step);
            assert!((h[(i, j)] - fd).abs() < 1e-6, "({i}, {j}): {} vs {fd}", h[(i, j)]);
        }
    }
}
