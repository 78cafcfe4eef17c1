//! Functions that call themselves, as special-function code writes them (statrs' `digamma`
//! recurs upward for small arguments), and a typed array result of a call inside a branch or
//! loop (which a recursive vector function needs). Each against its closed form or central
//! differences, JVP against VJP; a Jacobian against central differences.

mod common;

use common::{assert_close, central_gradient};
use tapeless::{differentiable, piecewise};

/// `xⁿ` by recursion: derivative `n xⁿ⁻¹`.
#[differentiable(wrt(x))]
fn power(x: f64, n: u32) -> f64 {
    if n == 0 { 1.0 } else { x * power(x, n - 1) }
}

/// ψ(x) by the recurrence ψ(x) = ψ(x + 1) - 1/x up to 6, then the asymptotic series.
#[differentiable]
fn digamma(x: f64) -> f64 {
    if piecewise(x < 6.0) {
        return digamma(x + 1.0) - 1.0 / x;
    }
    let x2 = 1.0 / (x * x);
    x.ln() - 0.5 / x - x2 * (1.0 / 12.0 - x2 * (1.0 / 120.0 - x2 / 252.0))
}

/// ψ'(x) the same way: ψ'(x) = ψ'(x + 1) + 1/x².
fn trigamma(x: f64) -> f64 {
    if x < 6.0 {
        return trigamma(x + 1.0) + 1.0 / (x * x);
    }
    let x2 = 1.0 / (x * x);
    1.0 / x + 0.5 * x2 + x2 / x * (1.0 / 6.0 - x2 * (1.0 / 30.0 - x2 / 42.0))
}

/// Two recursive calls per level.
#[differentiable]
fn branching(x: f64, n: u32) -> f64 {
    if n < 2 { x } else { branching(x, n - 1) + branching(x * 0.5, n - 2).sin() }
}

/// A vector result built from the recursive call's, read as an array.
#[differentiable(jacobian)]
fn swapped(x: f64, y: f64, n: u32) -> [f64; 2] {
    if n == 0 {
        [x, y]
    } else {
        let r: [f64; 2] = swapped(y, x * 0.5, n - 1);
        [r[0] + x, r[1] * y]
    }
}

struct Series;

#[differentiable]
impl Series {
    /// `Σ_{k≤n} xᵏ / k!` by recursion through `Self::`.
    fn exp_partial(x: f64, n: u32) -> f64 {
        if n == 0 { 1.0 } else { Self::exp_partial(x, n - 1) + x.powi(n as i32) / factorial(n) }
    }
}

fn factorial(n: u32) -> f64 {
    (1..=n).map(f64::from).product()
}

#[differentiable]
fn polar(x: f64, y: f64) -> [f64; 2] {
    [(x * x + y * y).sqrt(), y.atan2(x)]
}

/// A typed array result of a call in a loop (its adjoint declared where the sweep reaches it).
#[differentiable]
fn polar_sum(x: f64, y: f64) -> f64 {
    let mut s = 0.0;
    for k in 0..3 {
        let r: [f64; 2] = polar(x + k as f64, y);
        s += r[0] * r[1];
    }
    s
}

#[test]
fn power_by_recursion_against_its_closed_form() {
    for (x, n) in [(1.5, 4), (-0.7, 3), (2.0, 0), (0.3, 7)] {
        let (value, g) = power_grad(x, n);
        assert_close(&[value, g], &[x.powi(n as i32), f64::from(n) * x.powi(n as i32 - 1)], 1e-14, "power");
        assert_close(&[power_jvp(x, n, 0.5).1], &[0.5 * power_vjp(x, n).1(1.0)], 1e-14, "JVP against VJP");
    }
}

#[test]
fn recursion_through_self_in_an_impl_block() {
    for (x, n) in [(0.7, 5), (-1.2, 8)] {
        // The derivative of the partial sum to n is the partial sum to n - 1.
        let (value, g) = Series::exp_partial_grad(x, n);
        assert_eq!(value, Series::exp_partial(x, n));
        assert_close(&[g], &[Series::exp_partial(x, n - 1)], 1e-14, "closed form");
        let (_, jv) = Series::exp_partial_jvp(x, n, 0.4);
        assert_close(&[jv], &[0.4 * Series::exp_partial_vjp(x, n).1(1.0)], 1e-14, "JVP against VJP");
    }
}

#[test]
fn digamma_derivative_is_trigamma() {
    // (Away from integers, where the number of recurrence steps changes and central differences
    // would straddle two truncations of the series.)
    for x in [0.4, 1.37, 2.3, 5.5, 9.2] {
        let (value, g) = digamma_grad(x);
        assert_eq!(value, digamma(x));
        assert_close(&[g], &[trigamma(x)], 1e-9, "trigamma");
        assert_close(&[g], &central_gradient(|p| digamma(p[0]), &[x]), 1e-7, "central differences");
        assert_close(&[digamma_jvp(x, 1.3).1], &[1.3 * digamma_vjp(x).1(1.0)], 1e-14, "JVP against VJP");
    }
}

#[test]
fn two_recursive_calls_per_level() {
    for (x, n) in [(0.7, 6), (-0.4, 5), (1.2, 2)] {
        let (_, g) = branching_grad(x, n);
        assert_close(&[g], &central_gradient(|p| branching(p[0], n), &[x]), 1e-7, "central differences");
        assert_close(
            &[branching_jvp(x, n, 0.5).1],
            &[0.5 * branching_vjp(x, n).1(1.0)],
            1e-14,
            "JVP against VJP",
        );
    }
}

#[test]
fn recursive_vector_function_and_its_jacobian() {
    for (x, y, n) in [(0.7, 1.1, 3), (-0.5, 0.2, 4)] {
        let (value, j) = swapped_jacobian(x, y, n);
        assert_eq!(value, swapped(x, y, n));
        for row in 0..2 {
            let fd = central_gradient(|p| swapped(p[0], p[1], n)[row], &[x, y]);
            assert_close(&[j[(row, 0)], j[(row, 1)]], &fd, 1e-7, "central differences");
        }
        let (_, [t0, t1]) = swapped_jvp(x, y, n, 0.3, -0.2);
        let (ux, uy) = swapped_vjp(x, y, n).1([1.0, 0.5]);
        assert_close(&[t0 + 0.5 * t1], &[0.3 * ux - 0.2 * uy], 1e-14, "JVP against VJP");
    }
}

#[test]
fn typed_array_results_of_calls_in_a_loop() {
    for (x, y) in [(0.7, 0.4), (-0.3, 1.2)] {
        let (value, (gx, gy)) = polar_sum_grad(x, y);
        assert_eq!(value, polar_sum(x, y));
        assert_close(&[gx, gy], &central_gradient(|p| polar_sum(p[0], p[1]), &[x, y]), 1e-7, "central");
        let (_, jv) = polar_sum_jvp(x, y, 0.3, 0.9);
        let (ux, uy) = polar_sum_vjp(x, y).1(1.0);
        assert_close(&[jv], &[0.3 * ux + 0.9 * uy], 1e-14, "JVP against VJP");
    }
}
