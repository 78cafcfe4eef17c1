//! Partial derivatives of the scalar primitives: `<name>_d<i>(args..., y)` is `∂y/∂arg_i` of
//! `y = name(args...)`, given the arguments and the already computed result `y` (many rules are
//! cheapest in terms of `y`: `exp`, `tanh`, `sqrt`).
//!
//! What each partial reads is declared in the macro's rule table (`Reads`: the arguments, the
//! result or both), and the reverse sweep keeps only that for the adjoint: in the place of a
//! value a partial does not read it passes one it keeps (`sin_d0(x, x)`, `exp_d0(y, y)`). So a
//! partial must not read a parameter its row does not declare: `tests/rules.rs` checks every
//! rule's reverse mode against its forward mode, which passes everything, and both against
//! central differences.
//!
//! Conventions at points where the function is continuous but not differentiable (documented in
//! the crate README): `abs` has derivative `0` at `0`; `max`, `min` and `clamp` split a tie
//! evenly (`0.5` to each side); `copysign(a, b)` has `∂/∂a = 0` at `a = 0` and `∂/∂b = 0`;
//! `hypot` and `atan2` have derivative `0` at the origin; `powf(x, p)`
//! has `∂/∂p = 0` where the result is `0`. Everywhere else the derivative is the calculus one,
//! including infinities where the derivative itself is infinite (`sqrt` at `0`).
//!
//! Each partial is `#[inline]`, not `#[inline(always)]`: an optimised build inlines it all the
//! same, while a debug build (which honours `always` even without optimisation) would paste its
//! body at every call, 8 000 times in a 4 000-statement function (0.25 s of its 3 s build).
#![allow(missing_docs)]

use crate::real::Real;

#[inline(always)]
fn lit<T: Real>(value: f64) -> T {
    T::from_f64(value)
}

/// `1 / sqrt(d)`, the shape of the inverse trigonometric and hyperbolic rules.
#[inline(always)]
fn rsqrt<T: Real>(d: T) -> T {
    T::one() / d.sqrt()
}

macro_rules! unary {
    ($($name:ident($x:ident, $y:ident) = $body:expr;)*) => {$(
        #[inline]
        #[allow(unused_variables)]
        pub fn $name<T: Real>($x: T, $y: T) -> T { $body }
    )*};
}

unary! {
    sin_d0(x, y) = x.cos();
    cos_d0(x, y) = -x.sin();
    tan_d0(x, y) = T::one() + y * y;
    asin_d0(x, y) = rsqrt(T::one() - x * x);
    acos_d0(x, y) = -rsqrt(T::one() - x * x);
    atan_d0(x, y) = T::one() / (T::one() + x * x);
    sinh_d0(x, y) = x.cosh();
    cosh_d0(x, y) = x.sinh();
    tanh_d0(x, y) = T::one() - y * y;
    asinh_d0(x, y) = rsqrt(x * x + T::one());
    acosh_d0(x, y) = rsqrt(x - T::one()) * rsqrt(x + T::one());
    atanh_d0(x, y) = T::one() / (T::one() - x * x);
    exp_d0(x, y) = y;
    exp2_d0(x, y) = y * lit(core::f64::consts::LN_2);
    exp_m1_d0(x, y) = y + T::one();
    ln_d0(x, y) = T::one() / x;
    log2_d0(x, y) = T::one() / (x * lit(core::f64::consts::LN_2));
    log10_d0(x, y) = T::one() / (x * lit(core::f64::consts::LN_10));
    ln_1p_d0(x, y) = T::one() / (T::one() + x);
    sqrt_d0(x, y) = lit::<T>(0.5) / y;
    cbrt_d0(x, y) = T::one() / (lit::<T>(3.0) * y * y);
    recip_d0(x, y) = -(y * y);
    to_degrees_d0(x, y) = lit(180.0 / core::f64::consts::PI);
    to_radians_d0(x, y) = lit(core::f64::consts::PI / 180.0);
    abs_d0(x, y) = if x > T::zero() { T::one() } else if x < T::zero() { -T::one() } else if x.is_nan() { x } else { T::zero() };
}

/// `∂ x.powi(n) / ∂x = n x^(n-1)` (`0` for `n = 0`, also at `x = 0`).
#[inline]
pub fn powi_d0<T: Real>(x: T, n: i32, _y: T) -> T {
    if n == 0 { T::zero() } else { lit::<T>(f64::from(n)) * x.powi(n - 1) }
}
/// `∂ x.powf(p) / ∂x = p x^(p-1)`.
#[inline]
pub fn powf_d0<T: Real>(x: T, p: T, _y: T) -> T {
    if p == T::zero() { T::zero() } else { p * x.powf(p - T::one()) }
}
/// `∂ x.powf(p) / ∂p = x^p ln x` (`0` where `x^p = 0`).
#[inline]
pub fn powf_d1<T: Real>(x: T, _p: T, y: T) -> T {
    if y == T::zero() { T::zero() } else { y * x.ln() }
}
/// `∂ x.log(b) / ∂x = 1 / (x ln b)`.
#[inline]
pub fn log_d0<T: Real>(x: T, b: T, _y: T) -> T {
    T::one() / (x * b.ln())
}
/// `∂ x.log(b) / ∂b = -log_b(x) / (b ln b)`.
#[inline]
pub fn log_d1<T: Real>(_x: T, b: T, y: T) -> T {
    -y / (b * b.ln())
}
/// `∂ a.atan2(b) / ∂a = b / (a² + b²)` (`0` at the origin).
#[inline]
pub fn atan2_d0<T: Real>(a: T, b: T, _y: T) -> T {
    let r2 = a * a + b * b;
    if r2 == T::zero() { T::zero() } else { b / r2 }
}
/// `∂ a.atan2(b) / ∂b = -a / (a² + b²)` (`0` at the origin).
#[inline]
pub fn atan2_d1<T: Real>(a: T, b: T, _y: T) -> T {
    let r2 = a * a + b * b;
    if r2 == T::zero() { T::zero() } else { -a / r2 }
}
/// `∂ a.midpoint(b) / ∂a = 1/2` (`midpoint` is `(a + b) / 2`, computed without overflow).
#[inline]
pub fn midpoint_d0<T: Real>(_a: T, _b: T, _y: T) -> T {
    lit(0.5)
}
/// `∂ a.midpoint(b) / ∂b = 1/2`.
#[inline]
pub fn midpoint_d1<T: Real>(_a: T, _b: T, _y: T) -> T {
    lit(0.5)
}
/// `∂ a.hypot(b) / ∂a = a / hypot(a, b)` (`0` at the origin).
#[inline]
pub fn hypot_d0<T: Real>(a: T, _b: T, y: T) -> T {
    if y == T::zero() { T::zero() } else { a / y }
}
/// `∂ a.hypot(b) / ∂b = b / hypot(a, b)` (`0` at the origin).
#[inline]
pub fn hypot_d1<T: Real>(_a: T, b: T, y: T) -> T {
    if y == T::zero() { T::zero() } else { b / y }
}

/// Share of `∂ max(a, b)` that goes to `a`: `1` if `a` is the larger, `0.5` on a tie. A NaN
/// argument is ignored by `max`, so it gets `0`.
#[inline(always)]
fn larger_share<T: Real>(a: T, b: T) -> T {
    if a > b {
        T::one()
    } else if a < b {
        T::zero()
    } else if a == b {
        lit(0.5)
    } else if a.is_nan() {
        T::zero()
    } else {
        T::one()
    }
}

/// Share of `∂ min(a, b)` that goes to `a`: the share of `max(-a, -b)`, `min(a, b) = -max(-a,
/// -b)`, so `1` if `a` is the smaller, `0.5` on a tie, and `0` for a NaN `a` (ignored by `min`:
/// `fold(f64::NAN, f64::min)` is the minimum's derivative, which `larger_share(b, a)` gave to the
/// NaN until the fiftieth session, a zero gradient, silently).
#[inline(always)]
fn smaller_share<T: Real>(a: T, b: T) -> T {
    larger_share(-a, -b)
}

/// `∂ a.max(b) / ∂a`.
#[inline]
pub fn max_d0<T: Real>(a: T, b: T, _y: T) -> T {
    larger_share(a, b)
}
/// `∂ a.max(b) / ∂b`.
#[inline]
pub fn max_d1<T: Real>(a: T, b: T, _y: T) -> T {
    larger_share(b, a)
}
/// `∂ a.min(b) / ∂a`.
#[inline]
pub fn min_d0<T: Real>(a: T, b: T, _y: T) -> T {
    smaller_share(a, b)
}
/// `∂ a.min(b) / ∂b`.
#[inline]
pub fn min_d1<T: Real>(a: T, b: T, _y: T) -> T {
    smaller_share(b, a)
}
/// `∂ x.clamp(lo, hi) / ∂x`: `1` strictly inside, `0.5` on a bound, `0` outside.
#[inline]
pub fn clamp_d0<T: Real>(x: T, lo: T, hi: T, _y: T) -> T {
    if lo == hi { T::zero() } else { larger_share(x, lo) * larger_share(hi, x) }
}
/// `∂ x.clamp(lo, hi) / ∂lo`.
#[inline]
pub fn clamp_d1<T: Real>(x: T, lo: T, hi: T, _y: T) -> T {
    if lo == hi { lit(0.5) } else { larger_share(lo, x) }
}
/// `∂ x.clamp(lo, hi) / ∂hi`.
#[inline]
pub fn clamp_d2<T: Real>(x: T, lo: T, hi: T, _y: T) -> T {
    if lo == hi { lit(0.5) } else { larger_share(x, hi) }
}
/// `∂ a.copysign(b) / ∂a`: `1` where the result has `a`'s sign, `-1` where it flips it, `0` at
/// `a = 0` (the kink of `|a|`, as `abs`).
#[inline]
pub fn copysign_d0<T: Real>(a: T, _b: T, y: T) -> T {
    if a == T::zero() || a.is_nan() {
        T::zero()
    } else if y == a {
        T::one()
    } else {
        -T::one()
    }
}
/// `∂ a.copysign(b) / ∂b = 0`: the result depends on `b`'s sign only.
#[inline]
pub fn copysign_d1<T: Real>(_a: T, _b: T, _y: T) -> T {
    T::zero()
}
/// `∂ a.mul_add(b, c) / ∂a = b`.
#[inline]
pub fn mul_add_d0<T: Real>(_a: T, b: T, _c: T, _y: T) -> T {
    b
}
/// `∂ a.mul_add(b, c) / ∂b = a`.
#[inline]
pub fn mul_add_d1<T: Real>(a: T, _b: T, _c: T, _y: T) -> T {
    a
}
/// `∂ a.mul_add(b, c) / ∂c = 1`.
#[inline]
pub fn mul_add_d2<T: Real>(_a: T, _b: T, _c: T, _y: T) -> T {
    T::one()
}
