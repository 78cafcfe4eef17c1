//! # tapeless: compile-time automatic differentiation
//!
//! `#[differentiable]` turns an ordinary numeric function into forward-mode and reverse-mode
//! derivative code while the crate compiles, and turns every construct whose derivative would be
//! silently wrong, zero or missing into a compile error that points at the expression.
//!
//! ```
//! use tapeless::differentiable;
//!
//! #[differentiable]
//! fn f(x: f64, y: f64) -> f64 {
//!     x * y + x.sin()
//! }
//!
//! // Forward mode: value and directional derivative along (dx, dy).
//! let (value, slope) = f_jvp(1.0, 2.0, 1.0, 0.0);
//! assert_eq!(value, 2.0 + 1.0_f64.sin());
//! assert_eq!(slope, 2.0 + 1.0_f64.cos());
//!
//! // Reverse mode: value and pullback.
//! let (_, pullback) = f_vjp(1.0, 2.0);
//! let (gx, gy) = pullback(1.0);
//! assert_eq!((gx, gy), (2.0 + 1.0_f64.cos(), 1.0));
//!
//! // Gradient of a scalar result.
//! assert_eq!(f_grad(1.0, 2.0).1, (gx, gy));
//! ```
//!
//! Functions as numeric code writes them: generic over `num_traits::Float` (or nalgebra's
//! `RealField`, or [`Real`]), with array patterns, closures, iterator chains, `match` and
//! assertions, differentiated as the loops they stand for. The generated items keep the
//! generics, so they run at `f64` and `f32`.
//!
//! ```
//! use num_traits::{Float, FromPrimitive};
//! use std::iter::Sum;
//! use tapeless::differentiable;
//!
//! #[differentiable]
//! fn spread<T>(x: &[T], p: &[T; 2]) -> T
//! where
//!     T: Float + FromPrimitive + Sum,
//! {
//!     assert!(x.len() >= 2, "need two points");
//!     let [scale, shift] = *p;
//!     let quarter = T::from_f64(0.25).unwrap();
//!     let squash = |v: T| T::one() + (v - shift) * quarter * scale;
//!     x.iter().zip(x.iter().skip(1)).map(|(&u, &v)| (squash(v) - u).powi(2)).sum()
//! }
//!
//! let (value, (dx, dp)) = spread_grad(&[0.5, 1.0, 2.0], &[1.0, 0.0]);
//! // d/dscale of (1 + v/4 scale - u)² summed: 2 r v / 4 for each pair (u, v).
//! let r = |u: f64, v: f64| 1.0 + v / 4.0 - u;
//! let want = 2.0 * r(0.5, 1.0) * 1.0 / 4.0 + 2.0 * r(1.0, 2.0) * 2.0 / 4.0;
//! assert!((dp[0] - want).abs() < 1e-15);
//! assert_eq!(dx.len(), 3);
//! assert!(value > 0.0);
//!
//! // The same function at single precision.
//! let (_, (_, dp32)) = spread_grad(&[0.5f32, 1.0, 2.0], &[1.0, 0.0]);
//! assert!((dp32[0] as f64 - want).abs() < 1e-6);
//! ```
//!
//! ## Generated items
//!
//! For `fn f(x: f64, y: f64) -> R` (the names are part of the public contract):
//!
//! | item | meaning |
//! |---|---|
//! | `f_jvp(x, y, dx, dy) -> (R, R)` | forward mode: value and directional derivative |
//! | `f_vjp(x, y) -> (R, impl FnOnce(R) -> (f64, f64))` | reverse mode: value and pullback |
//! | `f_grad(x, y) -> (R, (f64, f64))` | only for a scalar `R`: value and gradient |
//!
//! With one differentiated parameter, the gradient and the pullback's result are that one value,
//! not a 1-tuple. `#[differentiable(wrt(x))]` chooses the differentiated parameters; by default
//! every `f32`/`f64` parameter is one, and integer and `bool` parameters are constants.
//!
//! ## What a body may contain
//!
//! `let`, `let mut`, reassignment, `+= -= *= /=`, blocks, tuples, literals, `+ - * /`, unary
//! minus, float-to-float `as` casts, the elementary functions of `f64`/`f32` in both call forms
//! (`x.sin()` and `f64::sin(x)`), `if`/`else` on conditions that do not depend on
//! differentiated values (or wrapped in [`piecewise`]), calls of other `#[differentiable]`
//! functions (composition), and any constant code. The list of elementary functions and the
//! conventions at kinks (`abs`, `max`, `min`, `clamp`) are in the README.
//!
//! ## Compile errors instead of silent zeros
//!
//! `floor`, `ceil`, `round`, `trunc`, `fract`, `signum` and `%` of a differentiated value, casts
//! of one to an integer or `bool`, a method with no known derivative, a branch on one without
//! [`piecewise`], and a differentiated parameter that cannot reach the result are compile errors
//! spanned on the expression, each with a `help:` that says what to do. [`no_grad`] marks a value
//! as constant on purpose.
//!
//! ## Giving an opaque function a derivative
//!
//! Declare the derivative on the function: `jvp = ..` has the signature of the generated `_jvp`,
//! `vjp = ..` maps the point and the result's cotangent to the parameters' cotangents. The body
//! is not differentiated. Either one is enough where the other can be derived (from `vjp`,
//! forward mode of a float result; from `jvp`, reverse mode of float parameters and result):
//!
//! ```
//! use tapeless::differentiable;
//!
//! /// log(1 + e^x), computed by some external routine, with its derivative declared.
//! #[differentiable(vjp = softplus_adjoint)]
//! fn softplus(x: f64) -> f64 { x.exp().ln_1p() }
//! fn softplus_adjoint(x: f64, ct: f64) -> f64 { ct / (1.0 + (-x).exp()) }
//!
//! #[differentiable]
//! fn loss(x: f64) -> f64 { 2.0 * softplus(x) }
//!
//! let (_, g) = loss_grad(0.0);
//! assert!((g - 1.0).abs() < 1e-15);
//! let (_, t) = softplus_jvp(0.0, 2.0); // derived from the adjoint
//! assert!((t - 1.0).abs() < 1e-15);
//! ```
//!
//! A call `g(x)` inside a differentiated function calls `g_jvp`/`g_vjp` by name, so writing
//! those two by hand with the signatures the macro would generate works too; check them with
//! [`check`]:
//!
//! ```
//! use tapeless::differentiable;
//!
//! /// log(1 + e^x), computed by some external routine.
//! fn softplus(x: f64) -> f64 { x.exp().ln_1p() }
//! fn softplus_jvp(x: f64, dx: f64) -> (f64, f64) {
//!     (softplus(x), dx / (1.0 + (-x).exp()))
//! }
//! fn softplus_vjp(x: f64) -> (f64, impl FnOnce(f64) -> f64) {
//!     (softplus(x), move |ct| ct / (1.0 + (-x).exp()))
//! }
//!
//! #[differentiable]
//! fn loss(x: f64) -> f64 { 2.0 * softplus(x) }
//!
//! let (_, g) = loss_grad(0.0);
//! assert!((g - 1.0).abs() < 1e-15);
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

extern crate self as tapeless;

pub mod errors;

pub use diff_macros::Differentiable;
/// Generates the derivatives of a function at compile time.
///
/// On `fn f(x: f64, y: f64) -> R` it keeps `f` and adds `f_jvp(x, y, dx, dy) -> (R, R)`
/// (forward mode), `f_vjp(x, y) -> (R, impl FnOnce(R) -> (f64, f64))` (reverse mode) and, for a
/// scalar `R`, `f_grad(x, y) -> (R, (f64, f64))`. `#[differentiable(wrt(x))]` differentiates
/// with respect to `x` only. On a method in an `impl` block the generated items are sibling
/// methods.
///
/// ```
/// use tapeless::{differentiable, piecewise};
///
/// struct Spring { k: f64 }
///
/// impl Spring {
///     #[differentiable(wrt(x))]
///     fn energy(&self, x: f64, rest: f64) -> f64 {
///         let stretch = x - rest;
///         let soft = if piecewise(stretch > 0.0) { stretch } else { 0.5 * stretch };
///         0.5 * self.k * soft.powi(2)
///     }
/// }
///
/// let spring = Spring { k: 4.0 };
/// let (energy, force) = spring.energy_grad(1.5, 1.0);
/// assert_eq!((energy, force), (0.5, 2.0));
/// let (_, slope) = spring.energy_jvp(1.5, 1.0, 1.0);
/// assert_eq!(slope, force);
/// ```
///
/// `#[differentiable(hessian)]` adds `f_hvp` (value, gradient and Hessian-vector product) and
/// `f_hessian` (value, gradient and the Hessian as an `nalgebra::DMatrix`), for functions of
/// `f64`s, slices, `Vec`s and arrays:
///
/// ```
/// use tapeless::differentiable;
///
/// #[differentiable(hessian)]
/// fn rosenbrock(x: &[f64]) -> f64 {
///     let mut s = 0.0;
///     for i in 0..x.len() - 1 {
///         s += 100.0 * (x[i + 1] - x[i] * x[i]).powi(2) + (1.0 - x[i]).powi(2);
///     }
///     s
/// }
///
/// let (value, gradient, h) = rosenbrock_hessian(&[1.0, 1.0]);
/// assert_eq!((value, gradient), (0.0, vec![0.0, 0.0]));
/// assert_eq!((h[(0, 0)], h[(0, 1)], h[(1, 1)]), (802.0, -400.0, 200.0));
/// let (_, _, hv) = rosenbrock_hvp(&[1.0, 1.0], vec![1.0, 0.0]);
/// assert_eq!(hv, vec![802.0, -400.0]);
/// ```
///
/// `#[differentiable(jacobian)]` adds `f_jacobian` for a result of floats (a `Vec`, an array, a
/// nalgebra vector, a tuple): the value and the `m x n` Jacobian, by forward mode when `n <= m`
/// and reverse mode otherwise:
///
/// ```
/// use tapeless::differentiable;
///
/// #[differentiable(jacobian)]
/// fn polar(r: f64, theta: f64) -> [f64; 2] {
///     [r * theta.cos(), r * theta.sin()]
/// }
///
/// let (xy, j) = polar_jacobian(2.0, 0.0);
/// assert_eq!(xy, [2.0, 0.0]);
/// assert_eq!((j[(0, 0)], j[(0, 1)], j[(1, 0)], j[(1, 1)]), (1.0, -0.0, 0.0, 2.0));
/// ```
///
/// A construct whose derivative would be silently wrong is a compile error:
///
/// ```compile_fail
/// #[tapeless::differentiable]
/// fn step(x: f64) -> f64 {
///     x.floor() // error: derivative zero almost everywhere; use `no_grad(x).floor()` if intended
/// }
/// ```
pub use diff_macros::differentiable;
pub use diff_runtime::{Differentiable, Real, ScalarOutput, Tangent, check, math, no_grad, piecewise};

/// Items used by generated code. Not public API.
#[doc(hidden)]
pub mod __private {
    pub use diff_runtime::__private::*;
}
