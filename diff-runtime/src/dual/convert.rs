//! Between the primal's values and the dual copy's: `cast` and `promote` of values the copy
//! reads from outside, `Lift` of `_hvp`'s inputs into dual numbers, `Split` of its gradient
//! back, and `erf`'s dual reverse mode.

use super::{Dual, Scalar};
use crate::real::Floating;

/// `value as S` in the scalar-generic copy of `_grad`: an integer or a float of the primal
/// becomes the scalar (a constant), and the scalar stays itself.
#[doc(hidden)]
pub trait CastTo<S> {
    fn cast_to(self) -> S;
}

impl<T: Floating + Scalar> CastTo<Dual<T>> for Dual<T> {
    #[inline(always)]
    fn cast_to(self) -> Self {
        self
    }
}

macro_rules! cast_constant {
    ($($t:ty),*) => {$(
        impl<T: Floating + Scalar> CastTo<Dual<T>> for $t {
            #[inline(always)]
            #[allow(clippy::cast_lossless, clippy::cast_precision_loss)]
            fn cast_to(self) -> Dual<T> {
                Dual::constant(T::__tapeless_from_f64(self as f64))
            }
        }
    )*};
}
cast_constant!(i8, i16, i32, i64, i128, isize, u8, u16, u32, u64, u128, usize, f32, f64);

/// `value as S`, see [`CastTo`].
#[doc(hidden)]
#[inline(always)]
pub fn cast<S, A: CastTo<S>>(value: A) -> S {
    value.cast_to()
}

/// [`crate::math`]'s functions on dual numbers, for the dual copy of a `_grad` that calls them.
#[doc(hidden)]
pub mod math {
    use super::Dual;

    /// `m.determinant()`, `m.try_inverse()`, `m.lu()` and `m.cholesky()` (for their `solve`) of
    /// a matrix of dual numbers (generic over the entries).
    pub use crate::linalg::{cholesky, determinant, lu, try_inverse};

    /// `erf'(x) = 2/√π e^(-x²)` and its derivative, at `x` as a dual number.
    #[inline]
    fn erf_derivative(x: Dual<f64>) -> Dual<f64> {
        let d = 2.0 / core::f64::consts::PI.sqrt() * (-x.re * x.re).exp();
        Dual { re: d, eps: -2.0 * x.re * d * x.eps }
    }

    /// Reverse mode of `erf` on dual numbers.
    #[inline]
    pub fn erf_vjp(x: Dual<f64>) -> (Dual<f64>, impl FnOnce(Dual<f64>) -> Dual<f64>) {
        let d = erf_derivative(x);
        (Dual { re: libm::erf(x.re), eps: d.re * x.eps }, move |ct: Dual<f64>| d * ct)
    }

    /// `m.norm_squared()` of a nalgebra matrix of dual numbers (nalgebra's needs `RealField`).
    #[inline]
    pub fn norm_squared<
        R: nalgebra::Dim,
        C: nalgebra::Dim,
        S: nalgebra::storage::Storage<Dual<f64>, R, C>,
    >(
        m: &nalgebra::Matrix<Dual<f64>, R, C, S>,
    ) -> Dual<f64> {
        m.iter().fold(Dual::constant(0.0), |s, &e| s + e * e)
    }

    /// `m.mean()` of a nalgebra matrix of dual numbers (nalgebra's needs `SupersetOf<f64>`):
    /// the sum over the number of entries.
    ///
    /// ```
    /// use nalgebra::Vector2;
    /// use tapeless::__private::{Dual, dual_math};
    ///
    /// let m = Vector2::new(Dual { re: 1.0, eps: 2.0 }, Dual { re: 3.0, eps: 0.0 });
    /// assert_eq!(dual_math::mean(&m), Dual { re: 2.0, eps: 1.0 });
    /// ```
    #[inline]
    pub fn mean<R: nalgebra::Dim, C: nalgebra::Dim, S: nalgebra::storage::Storage<Dual<f64>, R, C>>(
        m: &nalgebra::Matrix<Dual<f64>, R, C, S>,
    ) -> Dual<f64> {
        m.iter().fold(Dual::constant(0.0), |s, &e| s + e) / Dual::constant(m.len() as f64)
    }

    /// `m.variance()` of a nalgebra matrix of dual numbers: nalgebra's population variance,
    /// `Σ (mᵢ - mean)² / len` (zero for no entries, as nalgebra's).
    #[inline]
    pub fn variance<R: nalgebra::Dim, C: nalgebra::Dim, S: nalgebra::storage::Storage<Dual<f64>, R, C>>(
        m: &nalgebra::Matrix<Dual<f64>, R, C, S>,
    ) -> Dual<f64> {
        if m.is_empty() {
            return Dual::constant(0.0);
        }
        let mean = mean(m);
        m.iter().fold(Dual::constant(0.0), |s, &e| s + (e - mean) * (e - mean))
            / Dual::constant(m.len() as f64)
    }

    macro_rules! extrema {
        ($($name:ident: $which:ident, $what:literal;)*) => {$(
            #[doc = concat!("`m.", stringify!($name), "()` of a nalgebra matrix of dual numbers: ", $what, ", ")]
            /// its derivative the picked entry's (shared equally among tied entries), as first
            /// order's [`crate::linalg::extremum_tangent`] gives it.
            #[inline]
            pub fn $name<R: nalgebra::Dim, C: nalgebra::Dim, S: nalgebra::storage::Storage<Dual<f64>, R, C>>(
                m: &nalgebra::Matrix<Dual<f64>, R, C, S>,
            ) -> Dual<f64> {
                crate::linalg::extremum_tangent(m, m, crate::linalg::Extremum::$which)
            }
        )*};
    }
    extrema! {
        max: Max, "the largest entry";
        min: Min, "the smallest entry";
        amax: Amax, "the largest absolute value";
        amin: Amin, "the smallest absolute value";
    }

    /// `m.norm()` of a nalgebra matrix of dual numbers.
    #[inline]
    pub fn norm<R: nalgebra::Dim, C: nalgebra::Dim, S: nalgebra::storage::Storage<Dual<f64>, R, C>>(
        m: &nalgebra::Matrix<Dual<f64>, R, C, S>,
    ) -> Dual<f64> {
        norm_squared(m).sqrt()
    }

    /// `m.normalize()` of a nalgebra matrix of dual numbers.
    #[inline]
    pub fn normalize<R, C, S>(m: &nalgebra::Matrix<Dual<f64>, R, C, S>) -> nalgebra::OMatrix<Dual<f64>, R, C>
    where
        R: nalgebra::Dim,
        C: nalgebra::Dim,
        S: nalgebra::storage::Storage<Dual<f64>, R, C>,
        nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
    {
        let n = norm(m);
        m.map(|e| e / n)
    }

    /// Reverse mode of `erfc` on dual numbers.
    #[inline]
    pub fn erfc_vjp(x: Dual<f64>) -> (Dual<f64>, impl FnOnce(Dual<f64>) -> Dual<f64>) {
        let d = -erf_derivative(x);
        (Dual { re: libm::erfc(x.re), eps: d.re * x.eps }, move |ct: Dual<f64>| d * ct)
    }
}

/// A value the dual copy of `_grad` reads from outside the function (a `const`, an entry of a
/// constant table, a call's result): floats become dual constants, integers and `bool` stay, and
/// arrays, slices and `Vec`s of those follow their elements.
#[doc(hidden)]
pub trait Promote {
    /// The value as the dual copy holds it.
    type Out;
    fn promote(self) -> Self::Out;
}

impl Promote for f64 {
    type Out = Dual<f64>;
    #[inline(always)]
    fn promote(self) -> Dual<f64> {
        Dual::constant(self)
    }
}

impl Promote for Dual<f64> {
    type Out = Self;
    #[inline(always)]
    fn promote(self) -> Self {
        self
    }
}

/// A float bound by reference (`Kernel::Gaussian { width } =>` of `kernel: &Kernel`, where
/// `width` is a `&f64`): its value, as a dual constant.
impl Promote for &f64 {
    type Out = Dual<f64>;
    #[inline(always)]
    fn promote(self) -> Dual<f64> {
        Dual::constant(*self)
    }
}

/// An `Option` of a value from outside (`T::from_usize(n)` of a generic function, whose
/// `unwrap` the copy reads as a value of its own): its value promoted.
impl<T: Promote> Promote for Option<T> {
    type Out = Option<T::Out>;
    #[inline(always)]
    fn promote(self) -> Option<T::Out> {
        self.map(Promote::promote)
    }
}

/// A `Result` from outside (`knots.binary_search_by(..)` of constant data, matched on `Ok(i)` and
/// `Err(i)`): its value promoted, its error as it is.
impl<T: Promote, E> Promote for Result<T, E> {
    type Out = Result<T::Out, E>;
    #[inline(always)]
    fn promote(self) -> Result<T::Out, E> {
        self.map(Promote::promote)
    }
}

/// Integers, `bool`, `char` and orderings are the same in the dual copy: promoted as they are, and, as a
/// value whose kind the macro does not know (a call's result) is unwrapped like a float, taken
/// back as they are ([`Primal`]).
macro_rules! same_in_the_copy {
    ($($t:ty),*) => {$(
        impl Promote for $t {
            type Out = $t;
            #[inline(always)]
            fn promote(self) -> $t {
                self
            }
        }
        impl Primal for $t {
            type Out = $t;
            #[inline(always)]
            fn primal(self) -> $t {
                self
            }
        }
    )*};
}
// (`core::cmp::Ordering`: the comparison of `max_by(|a, b| a.total_cmp(b))`, `lower::reductions`.)
same_in_the_copy!(
    i8,
    i16,
    i32,
    i64,
    i128,
    isize,
    u8,
    u16,
    u32,
    u64,
    u128,
    usize,
    bool,
    char,
    core::cmp::Ordering
);

/// Tuples of constants (`edges: &[(usize, usize)]`): each part promoted.
macro_rules! promote_tuple {
    ($($t:ident $i:tt),*) => {
        impl<$($t: Promote),*> Promote for ($($t,)*) {
            type Out = ($($t::Out,)*);
            fn promote(self) -> Self::Out {
                ($(self.$i.promote(),)*)
            }
        }
    };
}
promote_tuple!(A 0, B 1);
promote_tuple!(A 0, B 1, C 2);
promote_tuple!(A 0, B 1, C 2, D 3);

impl<T: Promote, const N: usize> Promote for [T; N] {
    type Out = [T::Out; N];
    fn promote(self) -> Self::Out {
        self.map(Promote::promote)
    }
}

impl<T: Promote + Copy, const N: usize> Promote for &[T; N] {
    type Out = [T::Out; N];
    fn promote(self) -> Self::Out {
        self.map(Promote::promote)
    }
}

impl<T: Promote + Copy> Promote for &[T] {
    type Out = Vec<T::Out>;
    fn promote(self) -> Self::Out {
        self.iter().map(|x| x.promote()).collect()
    }
}

impl<T: Promote> Promote for Vec<T> {
    type Out = Vec<T::Out>;
    fn promote(self) -> Self::Out {
        self.into_iter().map(Promote::promote).collect()
    }
}

impl<T: Promote + nalgebra::Scalar + Copy, const R: usize, const C: usize> Promote
    for nalgebra::SMatrix<T, R, C>
where
    T::Out: nalgebra::Scalar,
{
    type Out = nalgebra::SMatrix<T::Out, R, C>;
    fn promote(self) -> Self::Out {
        self.map(Promote::promote)
    }
}

impl<T: Promote + nalgebra::Scalar + Copy, const R: usize, const C: usize> Promote
    for &nalgebra::SMatrix<T, R, C>
where
    T::Out: nalgebra::Scalar,
{
    type Out = nalgebra::SMatrix<T::Out, R, C>;
    fn promote(self) -> Self::Out {
        self.map(Promote::promote)
    }
}

impl<T: Promote + Copy> Promote for &Vec<T> {
    type Out = Vec<T::Out>;
    fn promote(self) -> Self::Out {
        self.iter().map(|x| x.promote()).collect()
    }
}

/// A field the dual copy reads from a constant parameter (`settings.weighting`), promoted when
/// its type has [`Promote`] and kept as it is (cloned from the parameter) otherwise: an enum of
/// the user's own, which holds no float. Written `Promoting(value).promote_field()` with both
/// traits in scope; method resolution tries [`PromoteByTrait`] on the value first, then
/// [`PromoteAsIs`] on a reference to it.
#[doc(hidden)]
pub struct Promoting<T>(pub T);

/// See [`Promoting`].
#[doc(hidden)]
pub trait PromoteByTrait {
    type Out;
    fn promote_field(self) -> Self::Out;
}

impl<T: Promote> PromoteByTrait for Promoting<T> {
    type Out = T::Out;
    #[inline(always)]
    fn promote_field(self) -> T::Out {
        self.0.promote()
    }
}

/// See [`Promoting`].
#[doc(hidden)]
pub trait PromoteAsIs {
    type Out;
    fn promote_field(self) -> Self::Out;
}

impl<T: Clone> PromoteAsIs for &Promoting<T> {
    type Out = T;
    #[inline(always)]
    fn promote_field(self) -> T {
        self.0.clone()
    }
}

/// The value part of a float of the dual copy, for a call on constants only (`helper(0.4, 0.7)`),
/// whose callee takes `f64`: the derivative part of a constant is zero.
#[doc(hidden)]
pub trait Primal {
    type Out;
    fn primal(self) -> Self::Out;
}

impl Primal for Dual<f64> {
    type Out = f64;
    #[inline(always)]
    fn primal(self) -> f64 {
        self.re
    }
}

impl Primal for f64 {
    type Out = f64;
    #[inline(always)]
    fn primal(self) -> f64 {
        self
    }
}

/// See [`Primal`].
#[doc(hidden)]
#[inline(always)]
pub fn primal<A: Primal>(value: A) -> A::Out {
    value.primal()
}

/// The value of a call of a composed function in the dual copy, where `_grad` calls the primal
/// `g(x)` (its pullback is made again in the reverse sweep): the copy calls
/// `g_vjp_for_hessian(x)`, which takes the dual numbers, and keeps the value. A `_vjp` returns
/// `(value, pullback)`, or that inside the `Result`/`Option` the function returns.
#[doc(hidden)]
pub trait ValueOfVjp {
    type Value;
    fn value_of_vjp(self) -> Self::Value;
}

impl<T, F> ValueOfVjp for (T, F) {
    type Value = T;
    #[inline(always)]
    fn value_of_vjp(self) -> T {
        self.0
    }
}

impl<T, F, E> ValueOfVjp for Result<(T, F), E> {
    type Value = Result<T, E>;
    #[inline(always)]
    fn value_of_vjp(self) -> Result<T, E> {
        self.map(|(value, _)| value)
    }
}

impl<T, F> ValueOfVjp for Option<(T, F)> {
    type Value = Option<T>;
    #[inline(always)]
    fn value_of_vjp(self) -> Option<T> {
        self.map(|(value, _)| value)
    }
}

/// See [`ValueOfVjp`].
#[doc(hidden)]
#[inline(always)]
pub fn value_of_vjp<A: ValueOfVjp>(call: A) -> A::Value {
    call.value_of_vjp()
}

/// See [`Promote`].
#[doc(hidden)]
#[inline(always)]
pub fn promote<A: Promote>(value: A) -> A::Out {
    value.promote()
}

/// A parameter of `_hvp` made a dual number: value `self`, derivative `direction` (or zero for a
/// parameter that is not differentiated).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "second order (`hessian`) cannot run `{Self}` in dual numbers",
    label = "a parameter of `_hvp`/`_hessian`",
    note = "second order takes f64, slices, Vecs and arrays of f64 or of rows of f64, nalgebra vectors and matrices of f64 (static or dynamic), and `#[derive(Differentiable)]` structs whose fields are all of those types (not slices), with no `#[no_grad]` field and no field of another derived struct"
)]
pub trait Lift {
    /// The same shape with dual entries.
    type Lifted;
    /// The type of a direction: `Self` (a derived struct's own tangent type). Named here so that a
    /// type without `Lift` is reported once, by this trait, and not again as a mismatched
    /// direction.
    type Direction: ?Sized;
    /// `self + ε direction`. Panics if the lengths differ, naming `what`.
    fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted;
    /// `self + ε 0`.
    fn lift_constant(&self) -> Self::Lifted;
    /// `self + ε e_index`: direction `1` in the scalar with this index (a float is index `0`),
    /// none if `index` is out of range.
    fn lift_unit(&self, index: usize) -> Self::Lifted;
    /// The number of scalars (`1` for a float).
    fn scalars(&self) -> usize;
}

macro_rules! lift_float {
    ($($t:ident),*) => {$(
        impl Lift for $t {
            type Lifted = Dual<$t>;
            type Direction = Self;
            #[inline(always)]
            fn lift(&self, direction: &Self::Direction, _what: &str) -> Dual<$t> {
                Dual::new(*self, *direction)
            }
            #[inline(always)]
            fn lift_constant(&self) -> Dual<$t> {
                Dual::constant(*self)
            }
            #[inline(always)]
            fn lift_unit(&self, index: usize) -> Dual<$t> {
                Dual::new(*self, if index == 0 { 1.0 } else { 0.0 })
            }
            #[inline(always)]
            fn scalars(&self) -> usize {
                1
            }
        }
    )*};
}
lift_float!(f32, f64);

/// A tuple of floats (`p: (f64, f64)`), lifted part by part; its scalars are numbered in order.
/// Not listed among the types rustc suggests for a struct without `Lift`: a user's struct
/// cannot be a tuple.
macro_rules! lift_tuple {
    ($($name:ident $idx:tt),+) => {
        #[diagnostic::do_not_recommend]
        impl<$($name: Lift<Direction = $name>),+> Lift for ($($name,)+) {
            type Lifted = ($($name::Lifted,)+);
            type Direction = Self;
            #[inline]
            fn lift(&self, direction: &Self, what: &str) -> Self::Lifted {
                ($(self.$idx.lift(&direction.$idx, what),)+)
            }
            #[inline]
            fn lift_constant(&self) -> Self::Lifted {
                ($(self.$idx.lift_constant(),)+)
            }
            #[inline]
            fn lift_unit(&self, index: usize) -> Self::Lifted {
                let mut offset = 0;
                ($(lift_unit_at(&self.$idx, &mut offset, index),)+)
            }
            #[inline]
            fn scalars(&self) -> usize {
                0 $(+ self.$idx.scalars())+
            }
        }
    };
}
for_tuples!(lift_tuple);

/// An element of a collection lifted for `e_index`: the unit direction if the element holds
/// that scalar, a constant otherwise. `offset` is the number of scalars of the elements before
/// it (a float holds one, a row `[f64; N]` N), advanced past this one.
fn lift_unit_at<T: Lift>(x: &T, offset: &mut usize, index: usize) -> T::Lifted {
    let (at, n) = (*offset, x.scalars());
    *offset += n;
    if (at..at + n).contains(&index) { x.lift_unit(index - at) } else { x.lift_constant() }
}

impl<T: Lift<Direction = T>> Lift for [T] {
    type Lifted = Vec<T::Lifted>;
    type Direction = Self;
    fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted {
        if direction.len() != self.len() {
            crate::__private::tangent_length(what, direction.len(), "the parameter", self.len());
        }
        self.iter().zip(direction).map(|(x, v)| x.lift(v, what)).collect()
    }
    fn lift_constant(&self) -> Self::Lifted {
        self.iter().map(Lift::lift_constant).collect()
    }
    fn lift_unit(&self, index: usize) -> Self::Lifted {
        let mut offset = 0;
        self.iter().map(|x| lift_unit_at(x, &mut offset, index)).collect()
    }
    fn scalars(&self) -> usize {
        self.iter().map(Lift::scalars).sum()
    }
}

impl<T: Lift<Direction = T>> Lift for Vec<T> {
    type Lifted = Vec<T::Lifted>;
    type Direction = Self;
    fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted {
        self.as_slice().lift(direction, what)
    }
    fn lift_constant(&self) -> Self::Lifted {
        self.as_slice().lift_constant()
    }
    fn lift_unit(&self, index: usize) -> Self::Lifted {
        self.as_slice().lift_unit(index)
    }
    fn scalars(&self) -> usize {
        self.as_slice().scalars()
    }
}

impl<T: Lift<Direction = T>, const N: usize> Lift for [T; N] {
    type Lifted = [T::Lifted; N];
    type Direction = Self;
    fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted {
        core::array::from_fn(|i| self[i].lift(&direction[i], what))
    }
    fn lift_constant(&self) -> Self::Lifted {
        core::array::from_fn(|i| self[i].lift_constant())
    }
    fn lift_unit(&self, index: usize) -> Self::Lifted {
        let mut offset = 0;
        core::array::from_fn(|i| lift_unit_at(&self[i], &mut offset, index))
    }
    fn scalars(&self) -> usize {
        self.as_slice().scalars()
    }
}

/// A static nalgebra matrix or vector, entry by entry (numbered column by column, as nalgebra
/// stores them).
impl<T: Lift<Direction = T> + nalgebra::Scalar, const R: usize, const C: usize> Lift
    for nalgebra::SMatrix<T, R, C>
where
    T::Lifted: nalgebra::Scalar,
{
    type Lifted = nalgebra::SMatrix<T::Lifted, R, C>;
    type Direction = Self;
    fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted {
        nalgebra::SMatrix::from_fn(|r, c| self[(r, c)].lift(&direction[(r, c)], what))
    }
    fn lift_constant(&self) -> Self::Lifted {
        nalgebra::SMatrix::from_fn(|r, c| self[(r, c)].lift_constant())
    }
    fn lift_unit(&self, index: usize) -> Self::Lifted {
        nalgebra::SMatrix::from_fn(|r, c| self[(r, c)].lift_unit(if c * R + r == index { 0 } else { 1 }))
    }
    fn scalars(&self) -> usize {
        R * C
    }
}

/// A dynamically sized nalgebra matrix or vector (`DVector`, `DMatrix`, `RowDVector`), entry by
/// entry, column by column.
macro_rules! lift_dynamic {
    ($($m:ident),*) => {$(
        impl<T: Lift<Direction = T> + nalgebra::Scalar> Lift for nalgebra::$m<T>
        where
            T::Lifted: nalgebra::Scalar,
        {
            type Lifted = nalgebra::$m<T::Lifted>;
            type Direction = Self;
            fn lift(&self, direction: &Self::Direction, what: &str) -> Self::Lifted {
                if direction.shape() != self.shape() {
                    crate::__private::tangent_length(what, direction.len(), "the parameter", self.len());
                }
                let (r, c) = self.shape_generic();
                nalgebra::$m::from_fn_generic(r, c, |i, j| self[(i, j)].lift(&direction[(i, j)], what))
            }
            fn lift_constant(&self) -> Self::Lifted {
                self.map(|x| x.lift_constant())
            }
            fn lift_unit(&self, index: usize) -> Self::Lifted {
                let (r, c) = self.shape_generic();
                let rows = self.nrows();
                nalgebra::$m::from_fn_generic(r, c, |i, j| {
                    self[(i, j)].lift_unit(if j * rows + i == index { 0 } else { 1 })
                })
            }
            fn scalars(&self) -> usize {
                self.len()
            }
        }

        impl<T: Floating + nalgebra::Scalar> Split for nalgebra::$m<Dual<T>> {
            type Parts = nalgebra::$m<T>;
            fn split(self) -> (Self::Parts, Self::Parts) {
                (self.map(|d| d.re), self.map(|d| d.eps))
            }
        }

        impl<T: Promote + nalgebra::Scalar + Copy> Promote for nalgebra::$m<T>
        where
            T::Out: nalgebra::Scalar,
        {
            type Out = nalgebra::$m<T::Out>;
            fn promote(self) -> Self::Out {
                self.map(Promote::promote)
            }
        }

        impl<T: Promote + nalgebra::Scalar + Copy> Promote for &nalgebra::$m<T>
        where
            T::Out: nalgebra::Scalar,
        {
            type Out = nalgebra::$m<T::Out>;
            fn promote(self) -> Self::Out {
                self.map(Promote::promote)
            }
        }
    )*};
}
lift_dynamic!(DMatrix, DVector, RowDVector);

/// A gradient computed in dual numbers, split into the gradient and the Hessian-vector product.
#[doc(hidden)]
pub trait Split {
    /// The gradient's type at the primal's float type.
    type Parts;
    /// `(value parts, derivative parts)`.
    fn split(self) -> (Self::Parts, Self::Parts);
}

impl<T: Floating> Split for Dual<T> {
    type Parts = T;
    #[inline(always)]
    fn split(self) -> (T, T) {
        (self.re, self.eps)
    }
}

/// Element by element: a `Vec` of dual numbers, or of rows of them (`Vec<[Dual<f64>; 3]>`).
impl<S: Split> Split for Vec<S> {
    type Parts = Vec<S::Parts>;
    fn split(self) -> (Vec<S::Parts>, Vec<S::Parts>) {
        self.into_iter().map(Split::split).unzip()
    }
}

impl<S: Split, const N: usize> Split for [S; N]
where
    S::Parts: Clone,
{
    type Parts = [S::Parts; N];
    fn split(self) -> ([S::Parts; N], [S::Parts; N]) {
        let parts = self.map(Split::split);
        (parts.clone().map(|p| p.0), parts.map(|p| p.1))
    }
}

impl<T: Floating + nalgebra::Scalar, const R: usize, const C: usize> Split
    for nalgebra::SMatrix<Dual<T>, R, C>
{
    type Parts = nalgebra::SMatrix<T, R, C>;
    fn split(self) -> (Self::Parts, Self::Parts) {
        (self.map(|d| d.re), self.map(|d| d.eps))
    }
}

macro_rules! split_tuple {
    ($($name:ident $idx:tt),+) => {

        impl<$($name: Split),+> Split for ($($name,)+) {
            type Parts = ($($name::Parts,)+);
            fn split(self) -> (Self::Parts, Self::Parts) {
                $( #[allow(non_snake_case)] let $name = self.$idx.split(); )+
                (($($name.0,)+), ($($name.1,)+))
            }
        }
    };
}
for_tuples!(split_tuple);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn erf_carries_its_second_derivative() {
        // d/dx erf'(x) = -2x erf'(x).
        let x = Dual::new(0.4_f64, 1.0);
        let (y, pullback) = math::erf_vjp(x);
        let d = 2.0 / core::f64::consts::PI.sqrt() * (-0.16_f64).exp();
        assert_eq!(y.re, libm::erf(0.4));
        assert!((y.eps - d).abs() < 1e-15);
        let g = pullback(Dual::new(1.0, 0.0));
        assert!((g.re - d).abs() < 1e-15 && (g.eps + 0.8 * d).abs() < 1e-15);
    }

    #[test]
    fn split_undoes_lift() {
        let x = [1.0_f64, 2.0];
        let lifted = x.lift(&[3.0, 4.0], "v");
        assert_eq!(lifted.split(), ([1.0, 2.0], [3.0, 4.0]));
    }
}
