//! Tangent types: what a derivative of a value looks like, its zero, and how contributions add.
//!
//! [`Differentiable`] maps a primal type to its tangent type (for floats and tuples of floats:
//! itself). [`Tangent`] is what the reverse sweep needs of an adjoint: accumulation.
//! [`ScalarOutput`] marks the result types a gradient can be taken of.

/// A type that has derivatives: a tangent type and a zero of it.
///
/// ```
/// use tapeless::Differentiable;
///
/// assert_eq!(2.5_f64.zero_tangent(), 0.0);
/// assert_eq!((1.0_f32, 2.0_f64).zero_tangent(), (0.0, 0.0));
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a differentiable type",
    label = "tapeless has no tangent for `{Self}`",
    note = "differentiable types are f32, f64, arrays, Vecs and slices of them, tuples of these and `#[derive(Differentiable)]` structs; pass other values as constants (a struct field: mark it `#[no_grad]`)"
)]
pub trait Differentiable {
    /// The type of tangents (forward mode) and cotangents (reverse mode) of `Self`.
    type Tangent: Tangent;
    /// The zero tangent at this value.
    fn zero_tangent(&self) -> Self::Tangent;
    /// Sets `tangent` to the zero tangent at this value, reusing its storage where the type
    /// allows (a `Vec` keeps its capacity, a matrix of the same shape its buffer): what the
    /// generated `_grad_into` does with the caller's gradient.
    ///
    /// ```
    /// use tapeless::Differentiable;
    ///
    /// let mut buffer = vec![1.0, 2.0, 3.0, 4.0];
    /// let capacity = buffer.capacity();
    /// vec![5.0_f64, 6.0].zero_into(&mut buffer);
    /// assert_eq!(buffer, vec![0.0, 0.0]);
    /// assert_eq!(buffer.capacity(), capacity);
    /// ```
    fn zero_into(&self, tangent: &mut Self::Tangent) {
        *tangent = self.zero_tangent();
    }
}

/// `zero_into` of a sequence: the tangent's elements reused, cut or extended to `values`'s length.
fn zero_elements_into<T: Differentiable>(values: &[T], tangent: &mut Vec<T::Tangent>) {
    tangent.truncate(values.len());
    for (t, v) in tangent.iter_mut().zip(values) {
        v.zero_into(t);
    }
    let have = tangent.len();
    tangent.extend(values[have..].iter().map(Differentiable::zero_tangent));
}

/// A tangent or cotangent: something derivatives are accumulated in, scaled and measured, so a
/// gradient step `params - lr * grad` can be written on any tangent.
///
/// ```
/// use tapeless::Tangent;
///
/// let mut adjoint = (1.0_f64, vec![2.0_f64, 3.0]);
/// adjoint.add_tangent((0.5, vec![0.5, 1.0]));
/// assert_eq!(adjoint, (1.5, vec![2.5, 4.0]));
/// adjoint.scale_tangent(2.0);
/// assert_eq!(adjoint.dot_tangent(&(1.0, vec![1.0, 0.0])), 3.0 + 5.0);
/// ```
pub trait Tangent: Sized {
    /// `*self += other`.
    fn add_tangent(&mut self, other: Self);
    /// `*self *= factor`, every component.
    fn scale_tangent(&mut self, factor: f64);
    /// The sum of the products of corresponding components.
    fn dot_tangent(&self, other: &Self) -> f64;
}

/// A result type whose gradient exists: a single scalar, seeded with `1`.
///
/// ```
/// use tapeless::ScalarOutput;
///
/// assert_eq!(3.0_f64.unit_seed(), 1.0);
/// ```
#[diagnostic::on_unimplemented(
    message = "a gradient needs a scalar result, and `{Self}` is not one",
    note = "use the generated `_jvp` (forward mode) or `_vjp` (reverse mode, with an explicit cotangent) instead"
)]
pub trait ScalarOutput: Differentiable {
    /// The seed of a gradient: `1`.
    fn unit_seed(&self) -> Self::Tangent;
}

macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl Differentiable for $t {
            type Tangent = $t;
            #[inline(always)]
            fn zero_tangent(&self) -> $t { 0.0 }
        }
        impl Tangent for $t {
            #[inline(always)]
            fn add_tangent(&mut self, other: $t) { *self += other }
            #[inline(always)]
            fn scale_tangent(&mut self, factor: f64) { *self = (*self as f64 * factor) as $t }
            #[inline(always)]
            fn dot_tangent(&self, other: &$t) -> f64 { *self as f64 * *other as f64 }
        }
        impl ScalarOutput for $t {
            #[inline(always)]
            fn unit_seed(&self) -> $t { 1.0 }
        }
    )*};
}
impl_float!(f32, f64);

macro_rules! impl_tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Differentiable),+> Differentiable for ($($name,)+) {
            type Tangent = ($($name::Tangent,)+);
            #[inline(always)]
            fn zero_tangent(&self) -> Self::Tangent { ($(self.$idx.zero_tangent(),)+) }
        }
        impl<$($name: Tangent),+> Tangent for ($($name,)+) {
            #[inline(always)]
            fn add_tangent(&mut self, other: Self) { $(self.$idx.add_tangent(other.$idx);)+ }
            #[inline(always)]
            fn scale_tangent(&mut self, factor: f64) { $(self.$idx.scale_tangent(factor);)+ }
            #[inline(always)]
            fn dot_tangent(&self, other: &Self) -> f64 { 0.0 $(+ self.$idx.dot_tangent(&other.$idx))+ }
        }
    };
}
for_tuples!(impl_tuple);

/// A `Vec` of differentiable values: its tangent is a `Vec` of the same length.
impl<T: Differentiable> Differentiable for Vec<T> {
    type Tangent = Vec<T::Tangent>;
    fn zero_tangent(&self) -> Self::Tangent {
        self.iter().map(Differentiable::zero_tangent).collect()
    }
    fn zero_into(&self, tangent: &mut Self::Tangent) {
        zero_elements_into(self, tangent);
    }
}

/// A slice's tangent is an owned `Vec`.
impl<T: Differentiable> Differentiable for [T] {
    type Tangent = Vec<T::Tangent>;
    fn zero_tangent(&self) -> Self::Tangent {
        self.iter().map(Differentiable::zero_tangent).collect()
    }
    fn zero_into(&self, tangent: &mut Self::Tangent) {
        zero_elements_into(self, tangent);
    }
}

impl<T: Differentiable + ?Sized> Differentiable for &T {
    type Tangent = T::Tangent;
    fn zero_tangent(&self) -> Self::Tangent {
        (**self).zero_tangent()
    }
    fn zero_into(&self, tangent: &mut Self::Tangent) {
        (**self).zero_into(tangent);
    }
}

impl<T: Differentiable, const N: usize> Differentiable for [T; N] {
    type Tangent = [T::Tangent; N];
    fn zero_tangent(&self) -> Self::Tangent {
        core::array::from_fn(|i| self[i].zero_tangent())
    }
    fn zero_into(&self, tangent: &mut Self::Tangent) {
        for (t, v) in tangent.iter_mut().zip(self) {
            v.zero_into(t);
        }
    }
}

/// Elementwise, for `Vec<T>` and `[T; N]`; the lengths must agree (a shorter `other` adds to a
/// prefix).
macro_rules! impl_elementwise {
    ($([$($g:tt)*] $t:ty;)*) => {$(
        impl<$($g)*> Tangent for $t {
            fn add_tangent(&mut self, other: Self) {
                for (a, b) in self.iter_mut().zip(other) {
                    a.add_tangent(b);
                }
            }
            fn scale_tangent(&mut self, factor: f64) {
                self.iter_mut().for_each(|a| a.scale_tangent(factor));
            }
            fn dot_tangent(&self, other: &Self) -> f64 {
                self.iter().zip(other).map(|(a, b)| a.dot_tangent(b)).sum()
            }
        }
    )*};
}
impl_elementwise! {
    [T: Tangent] Vec<T>;
    [T: Tangent, const N: usize] [T; N];
}
