//! What generated code calls to keep its adjoints and tangents (not derivative rules): zeros,
//! accumulation, the seed of a gradient, owned copies, the check of a tangent's length.
//! Re-exported through `__private`; not public API.

use crate::real::{Floating, Real};
use crate::tangent::{Differentiable, ScalarOutput, Tangent};

/// A tangent or cotangent held owned or by reference, as an owned value (dynamically sized
/// nalgebra values, which generated code reads through references).
#[inline(always)]
pub fn owned<T: crate::linalg::dynamic::Owned>(value: T) -> T::Out {
    value.owned()
}

/// The zero tangent of `value` (for floats, `0.0`).
#[inline(always)]
pub fn zero_tangent<T: Differentiable + ?Sized>(value: &T) -> T::Tangent {
    value.zero_tangent()
}

/// The zero adjoint of a `Vec` (or a `DVector` the function fills by index) the reverse
/// sweep no longer reads, in its own storage (no second allocation of the same size).
#[inline]
pub fn zero_tangent_reusing<A: Reusable>(array: A) -> A {
    array.zeroed()
}

/// `array` resized to `len` elements, those it gains `fill` (no new allocation where its
/// capacity suffices): a `Vec` replaced whole inside a loop by one of another length (a
/// layer's activations), whose elements are written next.
///
/// ```
/// let v = tapeless::__private::refit(vec![1.0, 2.0, 3.0], 2, 0.0);
/// assert_eq!(v, [1.0, 2.0]);
/// ```
#[inline]
pub fn refit<T: Clone>(mut array: Vec<T>, len: usize, fill: T) -> Vec<T> {
    array.truncate(len);
    array.resize(len, fill);
    array
}

/// The adjoint of a `Vec` made anew inside a loop, as the reverse sweep reaches the point where
/// it was made: `len` zeros (the length the `Vec` had before), made like `element`.
///
/// ```
/// let mut adjoint = vec![0.5, 1.5];
/// tapeless::__private::resize_adjoint(&mut adjoint, 3, &0.0_f64);
/// assert_eq!(adjoint, [0.0, 0.0, 0.0]);
/// ```
#[inline]
pub fn resize_adjoint<T: Differentiable>(adjoint: &mut Vec<T::Tangent>, len: usize, element: &T)
where
    T::Tangent: Clone,
{
    adjoint.clear();
    adjoint.resize(len, element.zero_tangent());
}

/// The adjoint of a `Vec` copy of the array `[T; N]` `source` (`a.to_vec()`), as the array's:
/// its first `N` elements (the copy has exactly `N`).
#[inline]
pub fn as_array_of<T: Copy + Default, const N: usize>(_source: &[T; N], adjoint: Vec<T>) -> [T; N] {
    let mut out = [T::default(); N];
    for (o, a) in out.iter_mut().zip(adjoint) {
        *o = a;
    }
    out
}

/// An array whose storage can hold its own zero adjoint: see [`zero_tangent_reusing`].
pub trait Reusable {
    /// The same storage, every element zero.
    fn zeroed(self) -> Self;
}

impl<T: Differentiable<Tangent = T>> Reusable for Vec<T> {
    #[inline]
    fn zeroed(mut self) -> Self {
        for element in self.iter_mut() {
            *element = element.zero_tangent();
        }
        self
    }
}

/// A `DVector` the function fills by index, and a `DMatrix` (`DMatrix::from_fn`).
macro_rules! reusable_matrix {
    ($($m:ident),*) => {$(
        impl<T: nalgebra::Scalar + num_traits::Zero> Reusable for nalgebra::$m<T> {
            #[inline]
            fn zeroed(mut self) -> Self {
                self.fill(T::zero());
                self
            }
        }
    )*};
}
reusable_matrix!(DVector, DMatrix);

/// The caller's gradient buffer of a `DVector`/`DMatrix` parameter (`_grad_into`), taken out of
/// `buffer` (left empty, no allocation) and zeroed in place when it has `like`'s shape, or a new
/// zero matrix of that shape otherwise (the first call).
#[inline]
pub fn take_zeroed<T, R, C>(
    buffer: &mut nalgebra::OMatrix<T, R, C>,
    like: &nalgebra::OMatrix<T, R, C>,
) -> nalgebra::OMatrix<T, R, C>
where
    T: nalgebra::Scalar + num_traits::Zero,
    R: nalgebra::Dim,
    C: nalgebra::Dim,
    nalgebra::DefaultAllocator: nalgebra::allocator::Allocator<R, C>,
{
    // No entries: a dynamic dimension of 0 (a static one keeps its size).
    let placeholder = nalgebra::OMatrix::<T, R, C>::zeros_generic(
        R::from_usize(R::try_to_usize().unwrap_or(0)),
        C::from_usize(C::try_to_usize().unwrap_or(0)),
    );
    let mut taken = std::mem::replace(buffer, placeholder);
    if taken.shape() == like.shape() {
        taken.fill(T::zero());
        taken
    } else {
        nalgebra::OMatrix::<T, R, C>::zeros_generic(like.shape_generic().0, like.shape_generic().1)
    }
}

/// The caller's gradient buffer, emptied and filled with the zero tangent of each element of
/// `like` (`0.0`, `[0.0; N]`, a point's zero vector): no allocation when its capacity suffices
/// (`_grad_into`).
#[inline]
pub fn zeroed_into<T: Differentiable>(mut buffer: Vec<T::Tangent>, like: &[T]) -> Vec<T::Tangent> {
    buffer.clear();
    buffer.extend(like.iter().map(Differentiable::zero_tangent));
    buffer
}

/// Zero of a float type the caller's code determines (a scalar an adjoint is summed in).
#[inline(always)]
pub fn zero_real<T: Real>() -> T {
    T::zero()
}

/// Whether a float is not zero.
#[inline(always)]
pub fn is_nonzero<T: Floating>(x: T) -> bool {
    !x.__tapeless_is_zero()
}

/// A tangent argument of `_jvp` whose length is not its parameter's: the derivative along it
/// is not defined. Panics, naming both and their lengths.
#[cold]
#[inline(never)]
pub fn tangent_length(tangent: &str, len: usize, param: &str, expected: usize) -> ! {
    panic!(
        "the tangent `{tangent}` has {len} elements but `{param}` has {expected}: a tangent has one entry per element of its parameter"
    )
}

/// `*adjoint += contribution`, for any tangent type.
#[inline(always)]
pub fn accumulate<T: Tangent>(adjoint: &mut T, contribution: T) {
    adjoint.add_tangent(contribution)
}

/// `adjoint[i] += contribution[i]` for every element: the adjoint of a `[T; N]` passed to a
/// function, receiving the cotangent its pullback gives, a `Vec<T>` for a `&[T]` parameter or a
/// `[T; N]` for an array one.
///
/// ```
/// let mut a = [1.0, 2.0];
/// tapeless::__private::accumulate_elements(&mut a, vec![0.5, -1.0]);
/// assert_eq!(a, [1.5, 1.0]);
/// ```
#[inline(always)]
pub fn accumulate_elements<T: Tangent, C: IntoIterator<Item = T>>(adjoint: &mut [T], contribution: C) {
    for (a, c) in adjoint.iter_mut().zip(contribution) {
        a.add_tangent(c);
    }
}

/// The seed `1` of a gradient: the cotangent of a scalar result.
#[inline(always)]
pub fn seed_one<T: ScalarOutput>(value: &T) -> T::Tangent {
    value.unit_seed()
}

/// `Self` is `T`: lets a generic bound name a concrete type, so an unmet bound on it is
/// reported where a function is called, not where it is defined.
pub trait SameAs<T> {}
impl<T> SameAs<T> for T {}

/// A value of any `Default` type, for a variable that a later assignment gives its real value
/// and type: the value a `loop` breaks with, carried out of the loop (`break v` is written as an
/// assignment and a plain `break`).
///
/// ```
/// let mut r = tapeless::__private::placeholder();
/// r = 2.5_f64;
/// assert_eq!(r, 2.5);
/// ```
#[inline(always)]
pub fn placeholder<T: Default>() -> T {
    T::default()
}

/// What a call that returns `Result` or `Option` gives once it has succeeded.
pub trait Succeeded {
    /// The `Ok`/`Some` value.
    type Value;
    /// The value; `Err`/`None` is unreachable where this is used.
    fn succeeded(self) -> Self::Value;
}

impl<T, E> Succeeded for Result<T, E> {
    type Value = T;
    #[inline(always)]
    fn succeeded(self) -> T {
        match self {
            Ok(v) => v,
            Err(_) => unreachable!("the call succeeded with the same arguments in the primal sweep"),
        }
    }
}

impl<T> Succeeded for Option<T> {
    type Value = T;
    #[inline(always)]
    fn succeeded(self) -> T {
        match self {
            Some(v) => v,
            None => unreachable!("the call succeeded with the same arguments in the primal sweep"),
        }
    }
}

/// The value of a call written `g(x)?` made again in the reverse sweep, where its pullback
/// cannot be kept from the primal sweep (`g(&local)`): the primal sweep already returned early
/// if it failed, and the arguments are unchanged since, so it succeeds here too.
#[inline(always)]
pub fn succeeded<R: Succeeded>(result: R) -> R::Value {
    result.succeeded()
}

/// The order that sorts `entries` by `compare`, as `slice::sort_by` would (stable: equal
/// entries keep their order): `order[k]` is the index of the entry that sorting puts at `k`.
/// Generated code sorts a differentiable array by gathering its entries in this order, so each
/// entry's derivative moves with it (`v.sort_by(..)`, `v.sort_unstable_by(..)`).
///
/// ```
/// let order = tapeless::__private::sort_order(&[0.3, -1.0, 2.0][..], |a: &f64, b: &f64| a.total_cmp(b));
/// assert_eq!(order, [1, 0, 2]);
/// ```
pub fn sort_order<T, F>(entries: &[T], mut compare: F) -> Vec<usize>
where
    F: FnMut(&T, &T) -> core::cmp::Ordering,
{
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by(|&i, &j| compare(&entries[i], &entries[j]));
    order
}

/// The order that sorts `entries` by `key`, as `slice::sort_by_key` would (stable): see
/// [`sort_order`].
///
/// ```
/// let order = tapeless::__private::sort_order_by_key(&[0.3, -1.0, 2.0][..], |a: &f64| (a.abs() * 10.0) as i64);
/// assert_eq!(order, [0, 1, 2]);
/// ```
pub fn sort_order_by_key<T, K: Ord, F>(entries: &[T], mut key: F) -> Vec<usize>
where
    F: FnMut(&T) -> K,
{
    let mut order: Vec<usize> = (0..entries.len()).collect();
    order.sort_by_key(|&i| key(&entries[i]));
    order
}
