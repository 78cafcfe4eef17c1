//! The error catalogue: every compile error `#[differentiable]` reports, with a minimal example,
//! why it is an error (and what a runtime tape does in the same case, from TensorFlow 2.21 and
//! JAX as measured for the articles' cases), and the fixes. Each error's `help:` line ends with
//! the name of its section here, for example `(tapeless::errors, "differentiable-condition")`.
//!
//! Errors caused by a differentiated value also carry a note that walks from the parameter to
//! the value, one binding per step: "`w` depends on the differentiated parameter `x`: `t`
//! (line 6), then `u` (line 7), then `w` (line 8)".
//!
//! # differentiable-condition
//!
//! An `if`, `while`, `match`, `filter` or `take_while` predicate, search predicate (`position`,
//! `partition_point`, `find`) or `max_by` comparison looks at a value that depends on a
//! differentiated parameter.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 {
//!     if x > 1.0 { x * x } else { x }
//! }
//! ```
//!
//! The function is only piecewise differentiable: its derivative jumps, or is undefined, where
//! the condition flips, and a value set only in the branch not taken has derivative zero. A tape
//! differentiates the branch that ran (TF 2.21 and JAX give 4.0 at x = 2 here) and returns `None`
//! for a variable assigned only in the other branch.
//!
//! Fixes: `if tapeless::piecewise(x > 1.0)` accepts the derivative of the branch that runs
//! (`.filter(|v| tapeless::piecewise(**v > 0.0))` that of the elements kept, `take_while` likewise
//! that of the elements taken, and
//! `knots.partition_point(|&k| tapeless::piecewise(k <= t))`, `position` and `rposition` that of
//! the elements read at the index found; `find` testing a differentiated value has no such form:
//! search with `position` and read `x[i]`);
//! a condition computed from `tapeless::no_grad(..)` is a constant by declaration. A guard whose
//! only effect is to leave (`if x <= 0.0 { panic!(..) }`, `return Err(..)`) needs neither.
//! `max_by`/`min_by` comparing the floats themselves (`|a, b| a.partial_cmp(b).unwrap()`,
//! `a.total_cmp(b)`, `f64::total_cmp`) is accepted: the largest value is continuous, like
//! `max`, and its derivative is the chosen element's (the first of a tie, where `max` splits
//! it). Ranked by a key (`a.sin().partial_cmp(&b.sin())`), it is this error: rank by a key of
//! `tapeless::no_grad(..)` values or constants instead.
//!
//! `g(x).unwrap_or(c)` (or `.unwrap_or_default()`, `.unwrap_or_else(|| c)`, `.map_or(c, f)`,
//! `.map_or_else(..)`) of a `#[differentiable]` function returning
//! `Option` or `Result` is this error too: the fallback runs where `g` fails, which moves with
//! `x`. Test where `g` succeeds yourself, `if tapeless::piecewise(x > 0.0) { g(x).unwrap() } else
//! { c }`, or pass the failure on with `?`.
//!
//! # piecewise-constant
//!
//! `floor`, `ceil`, `round`, `trunc`, `fract`, `signum` or `%` of a differentiated value.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 { x.floor() * x }
//! ```
//!
//! The derivative is zero almost everywhere and undefined at the jumps. TF 2.21 returns `None`
//! for `tf.floor` and `tf.round` (silently); JAX returns 0.0.
//!
//! Fixes: `tapeless::no_grad(x).floor()` if the value is meant to be a constant; otherwise a
//! smooth alternative.
//!
//! `%`, `rem_euclid` and `fract` (an angle wrapped into `[0, 2π)`, a phase) are not constant
//! between their jumps: their slope in the wrapped value is 1 there, which is what TF and JAX
//! return, across the jumps too. The error says so, and how to keep that slope where it is
//! meant: subtract the wrapped part as a constant, `a - m * tapeless::no_grad(a.div_euclid(m))`
//! for `a.rem_euclid(m)`, `a - m * tapeless::no_grad((a / m).trunc())` for `a % m`.
//!
//! # leaves-the-floats
//!
//! A differentiated value becomes an integer, a `bool` or bits: `as i64`, `to_bits`, `as usize`.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 { f64::from_bits(x.to_bits() + 1) * x }
//! ```
//!
//! The derivative cannot follow the value out of the floats. TF returns `None` for a cast to an
//! integer; JAX refuses integer outputs. The error points at the first construct that leaves the
//! floats (`to_bits` here), not at what follows from it.
//!
//! Fixes: keep the value a float, or cut the derivative on purpose with `tapeless::no_grad(..)`.
//!
//! # unknown-cast
//!
//! `x as T` where the macro cannot tell whether `T` is a float type.
//!
//! ```compile_fail
//! type Real = f64;
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 { (x as Real) * 2.0 }
//! ```
//!
//! Fix: cast differentiable values to `f32` or `f64` (or to a float type parameter with
//! `T::from(x).unwrap()`).
//!
//! # no-derivative
//!
//! A method of a differentiated value that has no rule in the table and is not a
//! `#[differentiable]` function's.
//!
//! ```compile_fail
//! trait Logistic { fn logistic(self) -> f64; }
//! impl Logistic for f64 { fn logistic(self) -> f64 { 1.0 / (1.0 + (-self).exp()) } }
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 { x.logistic() * x }
//! ```
//!
//! A tape treats an opaque function as a constant: TF 2.21 gives −0.529836 instead of −3.66781
//! for `np.sin(x) * x` at 3.7, with no warning.
//!
//! Fixes: make it a `#[differentiable]` function and call that; or declare its derivative
//! (`#[differentiable(jvp = .., vjp = ..)]`, see the crate documentation); or
//! `tapeless::no_grad(..)` if the result is meant to be constant.
//!
//! `.clone()` of a float or of a nalgebra value is the value itself. Of a differentiated
//! struct's field it is what the field's declared type says: a float or a static nalgebra
//! value the field's value, a `DVector`/`DMatrix` the field read in place, a `Vec` or array of
//! floats a copy (so is `p.w.to_vec()`), and `let P { a, w } = p.clone();` binds each field
//! so. A field of another type (a nested struct), or of a struct declared outside the crate's
//! files, is this error, with the help to read the field without `.clone()`.
//!
//! `windows`, `chunks` and `chunks_exact` of a differentiated array are followed only where a
//! loop or a `map` reads the pieces in place (`for c in x.chunks_exact(3)`, also through
//! `enumerate`, `zip`, `skip`, `take`, `step_by` and `rev`). Collected into a `Vec<&[f64]>` or
//! otherwise kept, they are this error, with that help.
//!
//! A called *function* of the caller's file without the attribute (and with no `g_jvp` or
//! `g_vjp` written by hand in the crate) is this error too, at the call. One of another file or
//! crate is rustc's: ``cannot find function `g_jvp` `` (E0425), as the macro cannot know whether
//! a sibling `g_jvp` exists there; the fixes are the same.
//!
//! # conversion-to-option
//!
//! `x.to_f64()` or `T::from_f64(x)` of a differentiated value kept as an `Option`.
//!
//! ```compile_fail
//! use num_traits::Float;
//! #[tapeless::differentiable]
//! fn f<T: Float>(x: T) -> T {
//!     let a = x.to_f64();
//!     T::from(a.unwrap_or(0.0)).unwrap()
//! }
//! ```
//!
//! Fix: unwrap where it is converted, `x.to_f64().unwrap()` or `T::from_f64(x).unwrap()` (or
//! `.expect(..)`): the conversion then carries the derivative.
//!
//! # unreachable-parameter
//!
//! A differentiated parameter does not reach the result through differentiable operations.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64, y: f64) -> f64 {
//!     let scale = tapeless::no_grad(y);
//!     x * scale
//! }
//! ```
//!
//! Its derivative would be identically zero: the tape's `None` ("computed outside the tape",
//! TF 2.21's silent `None` for a value computed before the tape).
//!
//! Fixes: remove it from `wrt(..)`; or make the computation that uses it reach the result. A
//! parameter named `_y` and never read is declared unused: its gradient is zero, no error.
//!
//! # question-mark
//!
//! `e?` where `e` is computed from a differentiated value (in a function returning `Result` or
//! `Option`), and `e` is not a call of a function with the attribute.
//!
//! ```compile_fail
//! fn checked_sqrt(x: f64) -> Option<f64> { (x >= 0.0).then(|| x.sqrt()) }
//! #[tapeless::differentiable]
//! fn outer(x: f64) -> Option<f64> { Some(checked_sqrt(x)?.sin()) }
//! ```
//!
//! The derivative cannot follow a value through a `Result` or `Option` the macro cannot see
//! into. A call of a function with the attribute composes: `inner(x)?`, `inner(x).unwrap()` and
//! `inner(x).expect("..")` unwrap its `_jvp`'s and `_vjp`'s results the same way, so its error
//! leaves the caller's generated items as it leaves the caller.
//!
//! Fix: put `#[differentiable]` on the function, or check before the computation and leave with
//! `return Err(..)`.
//!
//! # opaque-expression
//!
//! An expression the macro does not model reads a differentiated value: a reference taken of it,
//! a range, `vec![x; n]` of it in a function generic over its float type, a method call with a
//! closure on it.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64) -> f64 { let r = x..2.0; r.start }
//! ```
//!
//! Treating it as a constant would be silently wrong (TF 2.21: `.numpy()` inside the tape gives
//! `None`).
//!
//! Fixes: compute it from constants, or cut the derivative on purpose with
//! `tapeless::no_grad(..)`; for arrays, create them from constants and write their elements.
//!
//! # computed-index
//!
//! `e[i]` at a computed index into a value that is not a local array, `Vec`, slice or nalgebra
//! value.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64, i: usize) -> f64 { [x, 2.0 * x][i] }
//! ```
//!
//! Fix: bind it to a local first (`let w = ..; w[i]`).
//!
//! # not-supported
//!
//! Syntax the macro does not support yet: an escaping closure, a method calling itself through
//! `self` (a function may call itself, also as `Self::f`), `async`,
//! `unsafe`, a struct pattern of a reference, `collect::<Vec<_>>()` in a function generic over
//! its float type,
//! `from_fn` with a size the macro cannot read, a method called for its effect on or with a
//! differentiated value that the macro does not follow (`v.push(x)` under a branch in a loop,
//! `v.insert(0, x)`, `v.rotate_left(1)`: what it stores or rearranges would not be followed,
//! and the gradient would silently keep the old contents), and the others in the README's list.
//!
//! ```compile_fail
//! struct Decay { rate: f64 }
//! #[tapeless::differentiable]
//! impl Decay {
//!     fn after(&self, x: f64, n: u32) -> f64 { if n == 0 { x } else { self.after(x * self.rate, n - 1) } }
//! }
//! ```
//!
//! Each says what to write instead (here: the recursion as a loop).
//!
//! # unknown-parameter-type
//!
//! A parameter of a type the macro cannot classify (a struct, a type alias).
//!
//! ```compile_fail
//! struct Weights(Vec<f64>);
//! #[tapeless::differentiable]
//! fn f(w: &Weights, x: f64) -> f64 { w.0[0] * x }
//! ```
//!
//! Fix: list the parameters to differentiate, `#[differentiable(wrt(x))]`; the others are
//! constants. A struct to differentiate derives `Differentiable` (this one does not): one whose
//! derive the macro reads in the crate's source is differentiated by default; one defined
//! elsewhere (another crate) is listed in `wrt(..)`.
//! `Option<..>`, `String` and `&str` parameters need no list: they have no tangent, so they are
//! constants.
//!
//! A parameter that takes a closure (`f: F` with `F: Fn(f64) -> f64`) is reported here too: a
//! closure has no derivative to pass on. Remove the attribute from such a helper: a
//! `#[differentiable]` function that calls it with a closure writes its body out at the call and
//! differentiates it there. (The helper is found by reading the crate's source files, so this
//! example, a doctest, is not run: in a crate it works as written, see `tests/higher_order.rs`.)
//!
//! ```ignore
//! fn trapezoid<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, n: usize) -> f64 {
//!     let h = (b - a) / n as f64;
//!     let inner: f64 = (1..n).map(|i| f(a + i as f64 * h)).sum();
//!     h * (0.5 * (f(a) + f(b)) + inner)
//! }
//!
//! #[tapeless::differentiable]
//! fn area(k: f64) -> f64 {
//!     trapezoid(|t| (k * t).exp(), 0.0, 1.0, 16)
//! }
//!
//! let (value, slope) = area_grad(0.5);
//! assert!((value - 2.0 * (0.5f64.exp() - 1.0)).abs() < 1e-3);
//! assert!(slope > 0.0);
//! ```
//!
//! # generic-without-float-bound
//!
//! A parameter of a type parameter that has no float bound.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f<T: Copy + core::ops::Mul<Output = T>>(x: T, k: T) -> T { x * k }
//! ```
//!
//! Fix: bound it by `num_traits::Float`, nalgebra's `RealField` or `tapeless::Real`. On a method
//! of a generic `impl` block the macro cannot read in the source file (one a `macro_rules!`
//! writes), put `#[differentiable]` on the block, which sees the bounds.
//!
//! A type parameter bounded by one of nalgebra's dimension traits (`x: &OVector<T, D>` with
//! `D: Dim`) is a size the macro cannot read: write the function for `DVector<T>`/`DMatrix<T>`,
//! or for `SVector<T, N>` with `const N: usize`.
//!
//! # wrt-not-differentiable
//!
//! `wrt(..)` lists a parameter of a type with no derivative (an integer, a `bool`).
//!
//! ```compile_fail
//! #[tapeless::differentiable(wrt(n))]
//! fn f(x: f64, n: usize) -> f64 { x * n as f64 }
//! ```
//!
//! Fix: remove it from `wrt(..)`; it is used as a constant.
//!
//! In a `#[differentiable]` `impl` block, a call `self.g(..)` of a method whose `wrt(..)` leaves
//! out a parameter (or `self`) that gets a differentiable value is this error too: `g`'s
//! generated items take no tangent for it, so its derivative would be lost. So is a call
//! `g(x, x)` of a function `#[differentiable(wrt(a))] fn g(a: f64, b: f64)` defined before the
//! caller.
//!
//! ```compile_fail
//! #[derive(Clone, tapeless::Differentiable)]
//! pub struct P { pub a: f64 }
//! #[tapeless::differentiable]
//! impl P {
//!     #[differentiable(wrt(self))]
//!     fn g(&self, x: f64) -> f64 { self.a * x }
//!     #[differentiable(wrt(self, y))]
//!     fn f(&self, y: f64) -> f64 { self.g(y) }
//! }
//! ```
//!
//! Fix: add the parameter to `g`'s `wrt(..)`.
//!
//! # wrt-unknown
//!
//! `wrt(..)` names something that is not a parameter, or some but not all of the names a
//! parameter written as a pattern binds (the parameter is one value, differentiated whole:
//! `wrt(x, y)` of `&[x, y]: &[f64; 2]` lists it). The message lists the parameters there are.
//! On an `impl` block, `wrt(..)` may name the parameters of several methods, each method
//! differentiating those that are its own (`wrt(self, x0, x)` for `fn step(&self, x: f64)` and
//! `fn run(&self, x0: f64)`); a name that is no method's parameter is this error.
//!
//! ```compile_fail
//! #[tapeless::differentiable(wrt(z))]
//! fn f(x: f64) -> f64 { x * x }
//! ```
//!
//! ```compile_fail
//! #[tapeless::differentiable(wrt(x))]
//! fn g(&[x, y]: &[f64; 2]) -> f64 { x * y }
//! ```
//!
//! ```compile_fail
//! struct Model { k: f64 }
//! #[tapeless::differentiable(wrt(x, typo))]
//! impl Model {
//!     pub fn value(&self, x: f64) -> f64 { self.k * x }
//! }
//! ```
//!
//! # attribute-twice
//!
//! `#[differentiable]` written twice on one function (an option added in a second attribute):
//! each would generate the same items.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! #[tapeless::differentiable(hessian)]
//! fn f(x: f64) -> f64 { x * x }
//! ```
//!
//! Fix: one attribute with every option in it, `#[differentiable(hessian, wrt(x))]`.
//!
//! # trait-impl-method
//!
//! `#[differentiable]` on a method of a trait `impl` (`impl CostFunction for Problem`) whose block
//! has none: the methods it generates are not the trait's, so they cannot go inside it.
//!
//! ```compile_fail
//! pub trait Cost { fn cost(&self, p: &[f64]) -> f64; }
//! pub struct Quad { c: f64 }
//! impl Cost for Quad {
//!     #[tapeless::differentiable(wrt(p))]
//!     fn cost(&self, p: &[f64]) -> f64 { self.c * p.iter().map(|v| v * v).sum::<f64>() }
//! }
//! ```
//!
//! Fix: put `#[differentiable]` on the block too. The trait impl stays as written, and
//! `cost_jvp`, `cost_vjp` and `cost_grad` go into an inherent `impl Quad` beside it:
//!
//! ```
//! pub trait Cost { fn cost(&self, p: &[f64]) -> f64; }
//! pub struct Quad { c: f64 }
//! #[tapeless::differentiable]
//! impl Cost for Quad {
//!     #[differentiable(wrt(p))]
//!     fn cost(&self, p: &[f64]) -> f64 { self.c * p.iter().map(|v| v * v).sum::<f64>() }
//! }
//! let (value, g) = Quad { c: 2.0 }.cost_grad(&[1.0, 2.0]);
//! assert_eq!((value, g), (10.0, vec![4.0, 8.0]));
//! ```
//!
//! (The macro knows a method is in a trait impl from reading the source file; where it cannot,
//! a doctest, rustc reports the generated methods as not members of the trait.)
//!
//! # same-name
//!
//! `hessian`, `jacobian` or declared derivatives (`vjp = ..`) on a function whose name is, in
//! the same file, both that of a free function and of a function in an `impl` block without the
//! attribute, each with `#[differentiable]`. The generated `_hessian`/`_hvp`/`_jacobian`, and a
//! declared function's `_grad`, call their siblings (the dual copy of `_grad`, `_jvp`, `_vjp`):
//! as `energy_vjp` from a free function, as
//! `Self::energy_vjp` from an associated one. The attribute sees only the function, so it reads
//! the file to tell which it is; with one of each it cannot, and guessing would call the other
//! function's sibling.
//!
//! ```text
//! #[differentiable(hessian)]
//! pub fn energy(x: f64, y: f64) -> f64 { x * x + y * y }
//!
//! impl Spring {
//!     #[differentiable(hessian)]
//!     pub fn energy(x: f64, y: f64) -> f64 { 0.5 * (x - y) * (x - y) }
//! }
//! ```
//!
//! Fixes: rename one of the two, or put `#[differentiable]` on the `impl` block too (a method's
//! own attribute still decides what it differentiates): the block's expansion knows its
//! functions are associated.
//!
//! # nothing-to-differentiate
//!
//! No parameter is differentiated.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(n: usize) -> f64 { n as f64 }
//! ```
//!
//! Fix: give the function a float parameter, or list one in `wrt(..)`.
//!
//! # uninitialized
//!
//! A variable read before it is assigned on every path.
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64, n: usize) -> f64 {
//!     let y;
//!     if n > 2 { y = x; }
//!     y
//! }
//! ```
//!
//! # branch-shape
//!
//! The branches of an `if` give results of different shapes (a tuple and a float).
//!
//! ```compile_fail
//! #[tapeless::differentiable]
//! fn f(x: f64, n: usize) -> f64 {
//!     let t = if n > 1 { (x, x) } else { x };
//!     t.0
//! }
//! ```
//!
//! # second-order
//!
//! `#[differentiable(hessian)]` on a function with a construct second order has no rule for
//! yet: a call on floats whose result is unused, a method that differentiates `self`, a
//! generic function other than one over a single `T: Float` with `num_traits` bounds (or one
//! that converts a differentiated value to `f64`) or over nalgebra's `RealField` (one of those
//! that asks `T` for something other than `T::zero()`, `T::one()`, a constant such as `T::pi()`,
//! a conversion such as `T::from_f64(c)`, `T::from_subset(&c)`, `nalgebra::convert(c)` or a
//! float method such as `T::sqrt(x)`, or calls another differentiable function), building a struct, `f32`, or a parameter other than `f64`, `&[f64]`, `Vec<f64>`,
//! `[f64; N]`, rows of those, a nalgebra vector or matrix of `f64`, a slice, `Vec` or array of
//! static nalgebra vectors of `f64` (and references to them) or an integer
//! constant. The Hessian through such a construct would be missing, so it is an error, never a
//! wrong number.
//!
//! ```compile_fail
//! #[tapeless::differentiable(hessian)]
//! fn mixed(x: f64) -> f64 {
//!     (x as f32).sin() as f64 // error: second order computes in `f64`
//! }
//! ```
//!
//! Fixes: write the computation with the operations second order takes (in `f64` only,
//! here); or drop `hessian`, which first order does not need. A call of another function composes when that function has `hessian` too.
//!
//! # jacobian
//!
//! `#[differentiable(jacobian)]` numbers the scalars of the result and of the differentiated
//! parameters: they must be `f64`s, `Vec`s, slices or arrays of `f64`, nalgebra vectors and
//! matrices of `f64`, or tuples of those (a function generic over one float type `T` is taken
//! at `T = f64`), or one of those in a `Result` or `Option` (`_jacobian` then returns it too).
//! A result or parameter of another type (a struct, a `Vec` of rows) has no numbering, and a
//! parameter of another type passed by value cannot be passed to every column's call.
//!
//! ```compile_fail
//! #[tapeless::differentiable(jacobian)]
//! fn f(x: f64) -> Vec<Vec<f64>> { // error: `jacobian` does not support this result type
//!     vec![vec![x.sin()], vec![x.cos()]]
//! }
//! ```
//!
//! Fixes: return a `Vec<f64>`, an array, a nalgebra vector or matrix, or a tuple of floats;
//! pass other parameters by reference.
//!
//! # Errors rustc reports
//!
//! A few errors come from rustc by design, each with its own message:
//!
//! - **A declared derivative of the wrong type** (`jvp = f` where `f` does not have `_jvp`'s
//!   signature): E0308 at the path in the attribute, "expected fn pointer `fn(f64, f64) ->
//!   (f64, f64)`", the exact type to write.
//! - **A gradient of a result that is not a scalar**: E0277 "a gradient needs a scalar result"
//!   at the call of `_grad`; use `_jvp` or `_vjp` with an explicit cotangent (TF silently sums
//!   the outputs instead).
//! - **A function of a matrix the rules do not cover** (`v.abs()` of a `Vector3`): E0277
//!   "tapeless knows this elementary function's derivative for `f32` and `f64`"; apply it to the
//!   entries with `v.map(|e| e.abs())`.
//! - **`#[differentiable]` on a lone method of a trait impl**: E0407 "method `cost_jvp` is not a
//!   member of trait"; the method cannot tell it is in a trait impl. Put `#[differentiable]` on
//!   the `impl` block.
//! - **Composing a function of another crate that leaves out a parameter (a `wrt(..)` subset,
//!   or an integer parameter given a value the caller cannot type)**: E0061 "this function
//!   takes 3 arguments but 4 arguments were supplied" at the call, with E0308 "expected `f64`,
//!   found `(_, _)`" on the caller's attribute. The macro knows every function with the
//!   attribute in the crate's `src/` and in the caller's file (it reads them before expanding
//!   the first function) and every one expanded before the caller; the call passes exactly
//!   their slots. Of any other, it knows nothing, so the call `g(x, c)` passes
//!   `g_jvp(x, c, dx, dc)`, one tangent for every argument that may be a float, array or
//!   matrix, where a `g` declared with `wrt(x)` has `g_jvp(x, c, dx)`. Fixes: drop the subset,
//!   or call `g` through a helper of your crate.
//!   E0425 ``cannot find value `__tapeless_wrt_g_10` `` at a call means the caller reached a
//!   different `g` than the one it knows (two functions of that name and parameter count with
//!   different parameters differentiated): rename one.
//! - **A `hessian` function calling one of another crate without `hessian`**: E0425 ``cannot
//!   find function `g_vjp_for_hessian` `` at the call. Second order composes through the
//!   callee's dual copy of its `_vjp`, which `#[differentiable(hessian)]` on `g` generates: add
//!   `hessian` to `g`'s attribute. (rustc may suggest the caller's own `_vjp_for_hessian` as a
//!   similar name; it is not the fix.) A callee of the same crate without `hessian` is our
//!   "second-order" error at the call.
//! - **`hessian` with a struct parameter that has no dual twin** (a `#[no_grad]` field, a field
//!   that is not `f64`, a `Vec` or array of `f64` or a nalgebra vector or matrix of `f64`, or a
//!   struct without `#[derive(Differentiable)]`): E0277 "second order (`hessian`) cannot run
//!   `Name` in dual numbers", at the attribute and at the parameter. The function's macro cannot
//!   see the struct's fields; `#[derive(Differentiable)]` generates the twin only where it can.
//!   Pass the floats as `f64`, slice, array or nalgebra parameters, or drop `hessian`.
//! - **A called function of another file or crate with no derivative**: E0425 ``cannot find
//!   function `g_jvp` ``; see "no-derivative" above.
//!
//! `tests/errors_are_ours.rs` checks that every rustc error in the ui corpus is one of these.
