//! Values and tangents as lists of scalars, for the matrices of second order and of Jacobians:
//! [`Coordinates`] numbers the scalars of a parameter or a result and builds the unit tangent
//! of one of them; [`Flat`] lists a tangent's scalars in the same order (a column of
//! `_hessian` or `_jacobian`, a row of `_jacobian` in reverse mode).
//!
//! The order is the storage order: slices, `Vec`s and arrays by index, nalgebra matrices
//! column by column (nalgebra's own order), tuples component by component.

use nalgebra::{DMatrix, DVector, RowDVector, SMatrix};

use crate::tangent::Differentiable;

/// A tangent's scalars in order.
#[doc(hidden)]
pub trait Flat {
    /// Appends the scalars to `out`.
    fn push_to(&self, out: &mut Vec<f64>);
    /// Appends the scalars of each of `items` in order (a float's: the slice copied at once).
    fn push_each(items: &[Self], out: &mut Vec<f64>)
    where
        Self: Sized,
    {
        for x in items {
            x.push_to(out);
        }
    }
}

/// The scalars of `value` in order.
#[doc(hidden)]
pub fn flat<T: Flat + ?Sized>(value: &T) -> Vec<f64> {
    let mut out = Vec::new();
    value.push_to(&mut out);
    out
}

/// A value whose scalars can be numbered: how many, and the unit tangent of each.
#[doc(hidden)]
pub trait Coordinates: Differentiable {
    /// The number of scalars.
    fn scalars(&self) -> usize;
    /// The tangent that is `1` in scalar `index` and `0` elsewhere (all zero if `index` is out
    /// of range).
    fn unit(&self, index: usize) -> Self::Tangent;
}

impl Flat for f64 {
    fn push_to(&self, out: &mut Vec<f64>) {
        out.push(*self);
    }
    fn push_each(items: &[f64], out: &mut Vec<f64>) {
        out.extend_from_slice(items);
    }
}

impl Coordinates for f64 {
    fn scalars(&self) -> usize {
        1
    }
    fn unit(&self, index: usize) -> f64 {
        if index == 0 { 1.0 } else { 0.0 }
    }
}

/// Element by element: floats, or rows of them (`[[f64; 3]]`, `Vec<Vec<f64>>`).
impl<T: Flat> Flat for [T] {
    fn push_to(&self, out: &mut Vec<f64>) {
        T::push_each(self, out);
    }
}

impl<T: Flat> Flat for Vec<T> {
    fn push_to(&self, out: &mut Vec<f64>) {
        self.as_slice().push_to(out);
    }
}

impl<T: Flat, const N: usize> Flat for [T; N] {
    fn push_to(&self, out: &mut Vec<f64>) {
        self.as_slice().push_to(out);
    }
}

/// Element by element (floats, rows `[f64; 3]`, static nalgebra vectors), numbered in order:
/// element `k` holds the scalars after those of the elements before it.
impl<T: Coordinates> Coordinates for [T] {
    fn scalars(&self) -> usize {
        self.iter().map(Coordinates::scalars).sum()
    }
    fn unit(&self, index: usize) -> Vec<T::Tangent> {
        let mut offset = 0;
        self.iter().map(|x| unit_at(x, &mut offset, index)).collect()
    }
}

/// The unit tangent of scalar `index` restricted to `x`, whose scalars start at `offset`
/// (advanced past them): zero unless `x` holds it.
fn unit_at<T: Coordinates>(x: &T, offset: &mut usize, index: usize) -> T::Tangent {
    let t = x.unit(index.wrapping_sub(*offset));
    *offset += x.scalars();
    t
}

impl<T: Coordinates> Coordinates for Vec<T> {
    fn scalars(&self) -> usize {
        self.as_slice().scalars()
    }
    fn unit(&self, index: usize) -> Vec<T::Tangent> {
        self.as_slice().unit(index)
    }
}

impl<T: Coordinates, const N: usize> Coordinates for [T; N] {
    fn scalars(&self) -> usize {
        self.as_slice().scalars()
    }
    fn unit(&self, index: usize) -> [T::Tangent; N] {
        let mut offset = 0;
        core::array::from_fn(|i| unit_at(&self[i], &mut offset, index))
    }
}

impl<T: Coordinates + ?Sized> Coordinates for &T {
    fn scalars(&self) -> usize {
        (**self).scalars()
    }
    fn unit(&self, index: usize) -> Self::Tangent {
        (**self).unit(index)
    }
}

impl<const R: usize, const C: usize> Flat for SMatrix<f64, R, C> {
    fn push_to(&self, out: &mut Vec<f64>) {
        out.extend_from_slice(self.as_slice());
    }
}

impl<const R: usize, const C: usize> Coordinates for SMatrix<f64, R, C> {
    fn scalars(&self) -> usize {
        R * C
    }
    fn unit(&self, index: usize) -> Self {
        let mut t = Self::zeros();
        if let Some(e) = t.as_mut_slice().get_mut(index) {
            *e = 1.0;
        }
        t
    }
}

macro_rules! dynamic {
    ($($m:ident),*) => {$(
        impl Flat for $m<f64> {
            fn push_to(&self, out: &mut Vec<f64>) {
                out.extend_from_slice(self.as_slice());
            }
        }

        impl Coordinates for $m<f64> {
            fn scalars(&self) -> usize {
                self.len()
            }
            fn unit(&self, index: usize) -> Self {
                let mut t = self.zero_tangent();
                if let Some(e) = t.as_mut_slice().get_mut(index) {
                    *e = 1.0;
                }
                t
            }
        }
    )*};
}
dynamic!(DVector, DMatrix, RowDVector);

macro_rules! tuple {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Flat),+> Flat for ($($name,)+) {
            fn push_to(&self, out: &mut Vec<f64>) {
                $( self.$idx.push_to(out); )+
            }
        }

        impl<$($name: Coordinates),+> Coordinates for ($($name,)+) {
            fn scalars(&self) -> usize {
                0 $(+ self.$idx.scalars())+
            }
            #[allow(unused_assignments)]
            fn unit(&self, index: usize) -> Self::Tangent {
                let mut offset = 0;
                ($({
                    let t = self.$idx.unit(index.wrapping_sub(offset));
                    offset += self.$idx.scalars();
                    t
                },)+)
            }
        }
    };
}
for_tuples!(tuple);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn units_and_entries_agree_on_the_order() {
        let value = (2.0_f64, vec![1.0, 2.0, 3.0], nalgebra::Vector2::new(5.0, 6.0));
        assert_eq!(value.scalars(), 6);
        for i in 0..6 {
            let e = flat(&value.unit(i));
            assert_eq!(e.iter().filter(|x| **x == 1.0).count(), 1);
            assert_eq!(e[i], 1.0);
        }
        assert_eq!(flat(&value), vec![2.0, 1.0, 2.0, 3.0, 5.0, 6.0]);
        assert!(flat(&value.unit(6)).iter().all(|x| *x == 0.0));
    }
}
