//! Every supported scalar operation, each in a small function checked at three points or more
//! against central finite differences and forward mode against reverse mode.

// The functions are written the way users write them, not the way clippy would.
#![allow(
    clippy::assign_op_pattern,
    clippy::eq_op,
    clippy::neg_multiply,
    clippy::let_and_return,
    clippy::unnecessary_cast,
    clippy::nonminimal_bool,
    double_negations
)]

mod common;

use tapeless::{differentiable, no_grad, piecewise};

/// Defines `mod NAME { #[differentiable] pub fn f(..) -> f64 }` and a test checking it.
macro_rules! scalar {
    ($name:ident ($($a:ident),+) { $($body:tt)* } arity $n:tt at [$($p:expr),+ $(,)?]) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[differentiable]
            pub fn f($($a: f64),+) -> f64 { $($body)* }
        }
        #[test]
        fn $name() {
            check_fn!($name, $n, &[$(&$p),+]);
        }
    };
}

// ---- arithmetic and bindings ----------------------------------------------------------------
scalar!(add_sub(x, y) { x + y - x * 0.5 - (y - 3.0) } arity 2 at [[1.0, 2.0], [-3.0, 0.5], [10.0, -7.0]]);
scalar!(mul_div(x, y) { x * y / (1.0 + x * x) } arity 2 at [[1.0, 2.0], [-3.0, 0.5], [0.1, -7.0]]);
scalar!(negation(x, y) { -x * -y + -(x - y) } arity 2 at [[1.0, 2.0], [-3.0, 0.5], [0.1, -7.0]]);
scalar!(division_by_variable(x, y) { (x - 1.0) / y + 1.0 / (x * y) } arity 2 at [[1.0, 2.0], [-3.0, 0.5], [0.3, -7.0]]);
scalar!(let_mut_reassign(x, y) { let mut s = x; s = s * y; s = s + x; s = s * s; s } arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(compound_assign(x, y) {
    let mut s = x;
    s += y;
    s -= 0.5 * x;
    s *= y;
    s /= 1.0 + x * x;
    s
} arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(blocks(x, y) { let t = { let u = x * y; u + 1.0 }; let w = { t * t }; w } arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(tuples(x, y) { let (a, b) = (x * y, x + y); let t = (a, (b, 2.0)); t.0 * (t.1).0 * t.1.1 } arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(literals(x, y) { 2.5 * x + 1e-1 * y + 3.0 + 2f64 * x * y } arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(shadowing(x) { let x = x * 2.0; let x = x.sin() + x; x * x } arity 1 at [[1.0], [-0.3], [2.0]]);
scalar!(repeated_use(x) { x * x * x + x / x - x } arity 1 at [[1.0], [-0.3], [2.0]]);
scalar!(typed_let(x, y) { let s: f64 = x * y; let t: f64 = s + 1.0; t * s } arity 2 at [[1.0, 2.0], [-0.3, 0.5], [2.0, -1.5]]);
scalar!(float_casts(x) { let y = x as f64; (y as f64) * 3.0 } arity 1 at [[1.0], [-0.3], [2.0]]);
scalar!(four_parameters(a, b, c, d) { a * b - c / d + (a + d).sin() } arity 4 at [[1.0, 2.0, 3.0, 4.0], [-1.0, 0.5, 0.2, -2.0], [0.3, 0.3, -0.3, 1.5]]);

// ---- elementary functions, method form ------------------------------------------------------
scalar!(sin(x) { x.sin() } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(cos(x) { x.cos() } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(tan(x) { x.tan() } arity 1 at [[0.3], [-1.0], [1.2]]);
scalar!(asin(x) { x.asin() } arity 1 at [[0.3], [-0.7], [0.9]]);
scalar!(acos(x) { x.acos() } arity 1 at [[0.3], [-0.7], [0.9]]);
scalar!(atan(x) { x.atan() } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(atan2(y, x) { y.atan2(x) } arity 2 at [[0.3, 1.0], [-2.0, -1.0], [5.0, -0.5]]);
scalar!(sinh(x) { x.sinh() } arity 1 at [[0.3], [-2.0], [3.0]]);
scalar!(cosh(x) { x.cosh() } arity 1 at [[0.3], [-2.0], [3.0]]);
scalar!(tanh(x) { x.tanh() } arity 1 at [[0.3], [-2.0], [1.5]]);
scalar!(asinh(x) { x.asinh() } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(acosh(x) { x.acosh() } arity 1 at [[1.3], [2.0], [5.0]]);
scalar!(atanh(x) { x.atanh() } arity 1 at [[0.3], [-0.6], [0.9]]);
scalar!(exp(x) { x.exp() } arity 1 at [[0.3], [-2.0], [3.0]]);
scalar!(exp2(x) { x.exp2() } arity 1 at [[0.3], [-2.0], [3.0]]);
scalar!(exp_m1(x) { x.exp_m1() } arity 1 at [[0.3], [-2.0], [1e-3]]);
scalar!(ln(x) { x.ln() } arity 1 at [[0.3], [2.0], [50.0]]);
scalar!(log(x, b) { x.log(b) } arity 2 at [[0.3, 2.0], [2.0, 10.0], [50.0, 3.0]]);
scalar!(log2(x) { x.log2() } arity 1 at [[0.3], [2.0], [50.0]]);
scalar!(log10(x) { x.log10() } arity 1 at [[0.3], [2.0], [50.0]]);
scalar!(ln_1p(x) { x.ln_1p() } arity 1 at [[0.3], [-0.5], [50.0]]);
scalar!(sqrt(x) { x.sqrt() } arity 1 at [[0.3], [2.0], [50.0]]);
scalar!(cbrt(x) { x.cbrt() } arity 1 at [[0.3], [-2.0], [50.0]]);
scalar!(powi(x) { x.powi(3) + x.powi(-2) + x.powi(0) } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(powf(x, p) { x.powf(p) } arity 2 at [[0.3, 2.5], [2.0, -1.5], [5.0, 0.5]]);
scalar!(recip(x) { x.recip() } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(hypot(x, y) { x.hypot(y) } arity 2 at [[0.3, 1.0], [-2.0, -1.0], [5.0, -0.5]]);
scalar!(mul_add(a, b, c) { a.mul_add(b, c) } arity 3 at [[0.3, 1.0, 2.0], [-2.0, -1.0, 0.5], [5.0, -0.5, -3.0]]);
scalar!(to_degrees_radians(x) { x.to_degrees() + x.to_radians() } arity 1 at [[0.3], [-2.0], [5.0]]);

// ---- continuous with kinks: checked away from the kinks (conventions: tests/rules.rs) -------
scalar!(abs(x) { x.abs() * x } arity 1 at [[0.3], [-2.0], [5.0]]);
scalar!(max(x, y) { x.max(y) * 2.0 } arity 2 at [[0.3, 1.0], [-2.0, -3.0], [5.0, -0.5]]);
scalar!(min(x, y) { x.min(y) * 2.0 } arity 2 at [[0.3, 1.0], [-2.0, -3.0], [5.0, -0.5]]);
scalar!(clamp(x, lo, hi) { x.clamp(lo, hi) * x } arity 3 at [[0.3, 0.0, 1.0], [-2.0, -1.0, 1.0], [5.0, -1.0, 2.0]]);

// ---- path form `f64::name(..)` --------------------------------------------------------------
scalar!(qualified_path_form(x, y) { <f64>::ln(y * y + 1.0) + <f64>::sqrt(x * x + 1.0) * <f64>::max(x, y) } arity 2 at [[0.3, 1.0], [-2.0, -1.0], [1.0, -0.5]]);
scalar!(path_form(x, y) { f64::sin(x) + f64::powi(y, 3) + f64::atan2(x, y) + f64::exp(x * y) + f64::max(x, y) } arity 2 at [[0.3, 1.0], [-2.0, -1.0], [1.0, -0.5]]);

// ---- constants, no_grad and branches --------------------------------------------------------
scalar!(no_grad_factor(x) { x * no_grad(x.round()) + no_grad(x).floor() } arity 1 at [[2.7], [-1.3], [0.2]]);
scalar!(constant_code_copied(x) { let n = 3; let k = (n * 2) as f64; let c = std::f64::consts::PI; x * k + c } arity 1 at [[2.7], [-1.3], [0.2]]);
scalar!(piecewise_relu(x) { if piecewise(x > 0.0) { x * x } else { 0.5 * x } } arity 1 at [[2.7], [-1.3], [0.2]]);
scalar!(piecewise_nested(x, y) {
    let mut z = x * y;
    if piecewise(x > y) {
        let t = z.sin();
        if piecewise(t > 0.0) { z = t * x; } else { z = z + y; }
    } else if piecewise(x < -1.0) {
        z = z * z;
    } else {
        z = z - x.exp();
    }
    z + x
} arity 2 at [[2.0, 1.0], [2.0, 1.7], [-2.0, 0.5], [0.1, 0.5], [3.0, 0.01]]);
scalar!(piecewise_value_set_in_one_branch(x) { let mut y = 0.0; if piecewise(x > 0.0) { y = 2.0 * x; } y + 1.0 } arity 1 at [[1.0], [-1.0], [0.5]]);
scalar!(short_circuit(x, y) { let (a, b) = (x > 0.0, y > 0.0); if piecewise(a && b || !a) { x * y } else { x + y } } arity 2 at [[1.0, 2.0], [1.0, -2.0], [-1.0, 2.0]]);
scalar!(branch_merges_tuple(x, y) { let (p, q) = if piecewise(x > y) { (x * y, x) } else { (y, x * x) }; p + q * 2.0 } arity 2 at [[2.0, 1.0], [1.0, 2.0], [-1.0, 3.0]]);

// ---- constant conditions need no `piecewise` -------------------------------------------------
mod constant_branch {
    use super::*;
    #[differentiable]
    pub fn g(x: f64, n: i32, flip: bool) -> f64 {
        let mut y = x.powi(n);
        if n > 2 && !flip {
            y = y * 2.0;
        } else if flip {
            y = -y;
        } else {
            y = y + x.exp();
        }
        y
    }
    #[differentiable]
    pub fn f(x: f64) -> f64 {
        g(x, 3, false) + g(x, 1, false) + g(x, 2, true)
    }
}
#[test]
fn constant_branch() {
    check_fn!(constant_branch, 1, &[&[0.5], &[-1.5], &[2.0]]);
}

// ---- composition ----------------------------------------------------------------------------
mod composition {
    use super::*;
    #[differentiable]
    pub fn square(x: f64) -> f64 {
        x * x
    }
    #[differentiable]
    pub fn dist(x: f64, c: f64) -> f64 {
        (square(x - c) + 1.0).sqrt()
    }
    #[differentiable]
    pub fn polar(x: f64, y: f64) -> (f64, f64) {
        (x.hypot(y), y.atan2(x))
    }
    #[differentiable]
    pub fn f(x: f64, y: f64) -> f64 {
        let (r, theta) = polar(x, y);
        // A constant float argument gets a zero tangent; the callee is evaluated once per sweep.
        dist(r, 3.0) * theta.cos() + composition::square(y) + self::dist(x, y)
    }
}
#[test]
fn composition() {
    check_fn!(composition, 2, &[&[0.5, 1.0], &[-1.5, 0.3], &[2.0, -2.0]]);
}

mod methods {
    use super::*;
    pub struct Spring {
        pub k: f64,
        pub rest: f64,
    }
    impl Spring {
        #[differentiable]
        pub fn energy(&self, x: f64) -> f64 {
            0.5 * self.k * (x - self.rest).powi(2)
        }
        #[differentiable]
        pub fn total(&self, x: f64, y: f64) -> f64 {
            self.energy(x) + self.energy(y) * Self::scale(x)
        }
        #[differentiable]
        pub fn scale(x: f64) -> f64 {
            1.0 + x.tanh()
        }
    }
    pub fn f(x: f64, y: f64) -> f64 {
        SPRING.total(x, y)
    }
    pub fn f_jvp(x: f64, y: f64, dx: f64, dy: f64) -> (f64, f64) {
        SPRING.total_jvp(x, y, dx, dy)
    }
    pub fn f_vjp(x: f64, y: f64) -> (f64, impl FnOnce(f64) -> (f64, f64)) {
        SPRING.total_vjp(x, y)
    }
    pub fn f_grad(x: f64, y: f64) -> (f64, (f64, f64)) {
        SPRING.total_grad(x, y)
    }
    const SPRING: Spring = Spring { k: 3.0, rest: 0.5 };
}
#[test]
fn methods() {
    check_fn!(methods, 2, &[&[0.5, 1.0], &[-1.5, 0.3], &[2.0, -2.0]]);
}

mod wrt_subset {
    use super::*;
    #[differentiable(wrt(y))]
    pub fn g(x: f64, y: f64) -> f64 {
        x.exp() * y.sin()
    }
    pub fn f(y: f64) -> f64 {
        g(0.7, y)
    }
    pub fn f_jvp(y: f64, dy: f64) -> (f64, f64) {
        g_jvp(0.7, y, dy)
    }
    pub fn f_vjp(y: f64) -> (f64, impl FnOnce(f64) -> f64) {
        g_vjp(0.7, y)
    }
    pub fn f_grad(y: f64) -> (f64, f64) {
        g_grad(0.7, y)
    }
}
#[test]
fn wrt_subset() {
    check_fn!(wrt_subset, 1, &[&[0.5], &[-1.5], &[2.0]]);
}

// ---- tuple results: a vector-valued function, checked through its Jacobian ------------------
#[differentiable]
fn spherical(r: f64, theta: f64, phi: f64) -> (f64, (f64, f64)) {
    let s = theta.sin();
    (r * s * phi.cos(), (r * s * phi.sin(), r * theta.cos()))
}

#[test]
fn tuple_result_jacobian() {
    for (k, x) in [[1.0, 0.3, 0.2], [2.0, 1.2, -2.0], [0.5, 2.5, 4.0]].iter().enumerate() {
        let f = |p: &[f64]| {
            let (a, (b, c)) = spherical(p[0], p[1], p[2]);
            [a, b, c]
        };
        let v = common::direction(3, k as u64);
        let u = common::direction(3, k as u64 + 50);
        let (value, (ta, (tb, tc))) = spherical_jvp(x[0], x[1], x[2], v[0], v[1], v[2]);
        assert_eq!(value, spherical(x[0], x[1], x[2]));
        // J v by central differences along v.
        let h = 1e-6;
        let plus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a + h * b).collect();
        let minus: Vec<f64> = x.iter().zip(&v).map(|(a, b)| a - h * b).collect();
        let (fp, fm) = (f(&plus), f(&minus));
        for (i, t) in [ta, tb, tc].iter().enumerate() {
            let fd = (fp[i] - fm[i]) / (2.0 * h);
            assert!(common::close(*t, fd, 1e-7), "component {i}: {t} vs {fd}");
        }
        let (_, pullback) = spherical_vjp(x[0], x[1], x[2]);
        let (gr, gt, gp) = pullback((u[0], (u[1], u[2])));
        let lhs = u[0] * ta + u[1] * tb + u[2] * tc;
        let rhs = gr * v[0] + gt * v[1] + gp * v[2];
        assert!(common::close(lhs, rhs, 1e-12), "{lhs} vs {rhs}");
    }
}

/// Floats by shared reference are copied once and differentiated like values.
#[differentiable]
fn by_reference(x: &f64, y: f64) -> f64 {
    x.sin() * y + *x * *x
}

#[test]
fn a_float_by_reference() {
    let (x, y) = (0.7, -1.3);
    let (value, (gx, gy)) = by_reference_grad(&x, y);
    assert_eq!(value, by_reference(&x, y));
    assert!((gx - (x.cos() * y + 2.0 * x)).abs() < 1e-14);
    assert!((gy - x.sin()).abs() < 1e-14);
    let (_, t) = by_reference_jvp(&x, y, 0.4, -0.9);
    assert!((t - (0.4 * gx - 0.9 * gy)).abs() < 1e-14);
}

/// `sin_cos` destructured, and kept as a pair.
#[differentiable]
fn sin_cos_pair(x: f64) -> f64 {
    let (s, c) = x.sin_cos();
    let p = (x * 2.0).sin_cos();
    s * c + p.1 * x
}

#[test]
fn sin_cos_is_the_pair_of_its_rules() {
    let x = 0.6;
    let (value, g) = sin_cos_pair_grad(x);
    assert_eq!(value, sin_cos_pair(x));
    // d/dx [sin x cos x + x cos 2x] = cos 2x + cos 2x - 2x sin 2x.
    let expected = 2.0 * (2.0 * x).cos() - 2.0 * x * (2.0 * x).sin();
    assert!((g - expected).abs() < 1e-14, "{g} vs {expected}");
    let (_, t) = sin_cos_pair_jvp(x, 0.5);
    assert!((t - 0.5 * g).abs() < 1e-14);
}
