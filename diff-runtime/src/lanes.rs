//! Forward mode in several directions in one sweep, for `_jacobian`: every tangent scalar is a
//! [`Lanes<L>`], the directional derivatives along `L` directions side by side. The function's
//! primal runs once for all `L` columns of the Jacobian, and each elementary partial is computed
//! once and multiplied into every lane.
//!
//! [`LaneTangent`] gives each value type its tangent in lanes (`f64` to `Lanes<L>`, `Vec<f64>`
//! to `Vec<Lanes<L>>`, ..), its zero, the unit seeds of a block of `L` input scalars, and reads
//! the lanes of a result back in storage order (the order of [`crate::__private::Coordinates`]).

use core::ops::{Add, AddAssign, Div, Mul, Neg, Sub};

use nalgebra::allocator::Allocator;
use nalgebra::{DefaultAllocator, Dim, OMatrix};

/// `L` tangent scalars, one per direction.
///
/// ```
/// use tapeless::__private::Lanes;
///
/// let t = Lanes([1.0, 0.0, 2.0]);
/// assert_eq!((t * 3.0 + Lanes([0.5; 3])).0, [3.5, 0.5, 6.5]);
/// assert_eq!((2.0 * -t).0, [-2.0, -0.0, -4.0]);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Lanes<const L: usize>(pub [f64; L]);

impl<const L: usize> Lanes<L> {
    /// Every lane zero.
    pub const ZERO: Self = Lanes([0.0; L]);

    #[inline(always)]
    fn zip(mut self, other: Self, f: impl Fn(f64, f64) -> f64) -> Self {
        for k in 0..L {
            self.0[k] = f(self.0[k], other.0[k]);
        }
        self
    }

    #[inline(always)]
    fn each(mut self, f: impl Fn(f64) -> f64) -> Self {
        for k in 0..L {
            self.0[k] = f(self.0[k]);
        }
        self
    }
}

impl<const L: usize> Default for Lanes<L> {
    fn default() -> Self {
        Self::ZERO
    }
}

impl<const L: usize> Add for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.zip(other, |a, b| a + b)
    }
}

impl<const L: usize> AddAssign for Lanes<L> {
    #[inline(always)]
    fn add_assign(&mut self, other: Self) {
        *self = *self + other;
    }
}

impl<const L: usize> Sub for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        self.zip(other, |a, b| a - b)
    }
}

impl<const L: usize> Neg for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.each(|a| -a)
    }
}

/// A factor of lanes: `f64`, and the float type parameter of a generic function at `f64`.
pub trait LaneFactor: Copy {
    /// The factor as an `f64`.
    fn lane_factor(self) -> f64;
}

impl LaneFactor for f64 {
    #[inline(always)]
    fn lane_factor(self) -> f64 {
        self
    }
}

/// What the lanes copy of a generic function asks of its float type `T` (`f64` has it): `T`
/// times lanes, and a `T`'s tangent in lanes is `Lanes<L>` (`Lanes<L>` times `T` comes with
/// [`LaneFactor`]).
pub trait LaneFloat<const L: usize>:
    LaneFactor + Mul<Lanes<L>, Output = Lanes<L>> + LaneTangent<L, Lanes = Lanes<L>>
{
}

impl<const L: usize> LaneFloat<L> for f64 {}

impl<const L: usize, T: LaneFactor> Mul<T> for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, factor: T) -> Self {
        let factor = factor.lane_factor();
        self.each(|a| a * factor)
    }
}

impl<const L: usize> Mul<Lanes<L>> for f64 {
    type Output = Lanes<L>;
    #[inline(always)]
    fn mul(self, lanes: Lanes<L>) -> Lanes<L> {
        lanes.each(|a| self * a)
    }
}

impl<const L: usize, T: LaneFactor> Div<T> for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn div(self, divisor: T) -> Self {
        let divisor = divisor.lane_factor();
        self.each(|a| a / divisor)
    }
}

/// A value whose tangent can be carried in lanes.
pub trait LaneTangent<const L: usize> {
    /// The tangent with a [`Lanes<L>`] for every scalar.
    type Lanes;
    /// The zero tangent.
    fn zero_lanes(&self) -> Self::Lanes;
    /// The seed of the block of directions starting at input scalar `first`: the scalar
    /// numbered `*next` (then `*next + 1`, ..: the caller numbers the scalars of all the
    /// differentiated parameters in order) is `1` in lane `*next - first` if that is below `L`.
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes;
    /// Calls `f` on the lanes of every scalar of `tangent`, in storage order.
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit);
}

impl<const L: usize> LaneTangent<L> for f64 {
    type Lanes = Lanes<L>;
    #[inline(always)]
    fn zero_lanes(&self) -> Lanes<L> {
        Lanes::ZERO
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Lanes<L> {
        let mut seed = Lanes::ZERO;
        if let Some(lane) = next.checked_sub(first).and_then(|k| seed.0.get_mut(k)) {
            *lane = 1.0;
        }
        *next += 1;
        seed
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Lanes<L>, f: &mut Visit) {
        f(tangent)
    }
}

impl<const L: usize, T: LaneTangent<L>> LaneTangent<L> for [T] {
    type Lanes = Vec<T::Lanes>;
    fn zero_lanes(&self) -> Self::Lanes {
        self.iter().map(T::zero_lanes).collect()
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
        self.iter().map(|e| e.seed_lanes(next, first)).collect()
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
        tangent.iter().for_each(|t| T::each_lane(t, f))
    }
}

impl<const L: usize, T: LaneTangent<L>> LaneTangent<L> for Vec<T> {
    type Lanes = Vec<T::Lanes>;
    fn zero_lanes(&self) -> Self::Lanes {
        self[..].zero_lanes()
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
        self[..].seed_lanes(next, first)
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
        <[T]>::each_lane(tangent, f)
    }
}

impl<const L: usize, const N: usize, T: LaneTangent<L>> LaneTangent<L> for [T; N] {
    type Lanes = [T::Lanes; N];
    fn zero_lanes(&self) -> Self::Lanes {
        core::array::from_fn(|i| self[i].zero_lanes())
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
        core::array::from_fn(|i| self[i].seed_lanes(next, first))
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
        tangent.iter().for_each(|t| T::each_lane(t, f))
    }
}

impl<const L: usize, T: LaneTangent<L> + ?Sized> LaneTangent<L> for &T {
    type Lanes = T::Lanes;
    fn zero_lanes(&self) -> Self::Lanes {
        (**self).zero_lanes()
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
        (**self).seed_lanes(next, first)
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
        T::each_lane(tangent, f)
    }
}

macro_rules! tuple {
    ($($name:ident $idx:tt),+) => {
        impl<const L: usize, $($name: LaneTangent<L>),+> LaneTangent<L> for ($($name,)+) {
            type Lanes = ($($name::Lanes,)+);
            fn zero_lanes(&self) -> Self::Lanes {
                ($(self.$idx.zero_lanes(),)+)
            }
            fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
                ($(self.$idx.seed_lanes(next, first),)+)
            }
            fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
                $( $name::each_lane(&tangent.$idx, f); )+
            }
        }
    };
}
for_tuples!(tuple);

/// nalgebra matrices and vectors of `f64`, static or dynamic: a matrix of lanes, in nalgebra's
/// storage order (column by column).
impl<const L: usize, R: Dim, C: Dim> LaneTangent<L> for OMatrix<f64, R, C>
where
    DefaultAllocator: Allocator<R, C>,
{
    type Lanes = OMatrix<Lanes<L>, R, C>;
    fn zero_lanes(&self) -> Self::Lanes {
        self.map(|_| Lanes::ZERO)
    }
    fn seed_lanes(&self, next: &mut usize, first: usize) -> Self::Lanes {
        self.map(|e| e.seed_lanes(next, first))
    }
    fn each_lane<Visit: FnMut(&Lanes<L>)>(tangent: &Self::Lanes, f: &mut Visit) {
        tangent.iter().for_each(f)
    }
}

/// The zero tangent of `value` in lanes.
#[inline(always)]
pub fn zero_lanes<const L: usize, T: LaneTangent<L> + ?Sized>(value: &T) -> T::Lanes {
    value.zero_lanes()
}

/// The sum of a tangent array in lanes (the tangent of `x.iter().sum()`).
#[inline]
pub fn lanes_sum<const L: usize, A: AsRef<[Lanes<L>]> + ?Sized>(tangents: &A) -> Lanes<L> {
    tangents.as_ref().iter().fold(Lanes::ZERO, |acc, &t| acc + t)
}

/// Writes columns `first..first + L` (those below the matrix's width) of a Jacobian from the
/// tangent of a result in lanes: the lanes of its scalar `r` are row `r`.
pub fn lanes_into_columns<const L: usize, T: LaneTangent<L> + ?Sized>(
    tangent: &T::Lanes,
    jacobian: &mut nalgebra::DMatrix<f64>,
    first: usize,
) {
    let (rows, width) = (jacobian.nrows(), jacobian.ncols().saturating_sub(first).min(L));
    // Column-major: entry `(row, first + k)` is at `(first + k) * rows + row`.
    let Some(block) = jacobian.as_mut_slice().get_mut(first * rows..) else { return };
    let mut row = 0;
    T::each_lane(tangent, &mut |lanes| {
        for (k, lane) in lanes.0.iter().take(width).enumerate() {
            if let Some(e) = block.get_mut(k * rows + row) {
                *e = *lane;
            }
        }
        row += 1;
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_number_the_scalars_of_all_parameters_in_order() {
        let (a, b) = (2.0_f64, vec![1.0, 2.0, 3.0]);
        // Block starting at scalar 2: `b[1]` is lane 0, `b[2]` lane 1.
        let mut next = 0;
        let (sa, sb): (Lanes<2>, Vec<Lanes<2>>) = (a.seed_lanes(&mut next, 2), b.seed_lanes(&mut next, 2));
        assert_eq!(next, 4);
        assert_eq!(sa, Lanes([0.0, 0.0]));
        assert_eq!(sb, vec![Lanes([0.0, 0.0]), Lanes([1.0, 0.0]), Lanes([0.0, 1.0])]);
    }

    #[test]
    fn nalgebra_values_are_seeded_and_read_column_by_column() {
        let m = nalgebra::Matrix2::new(1.0, 2.0, 3.0, 4.0);
        let mut next = 0;
        let seed: nalgebra::Matrix2<Lanes<4>> = m.seed_lanes(&mut next, 0);
        // Storage order: (0, 0), (1, 0), (0, 1), (1, 1).
        assert_eq!(seed[(1, 0)], Lanes([0.0, 1.0, 0.0, 0.0]));
        assert_eq!(seed[(0, 1)], Lanes([0.0, 0.0, 1.0, 0.0]));
        let mut j = nalgebra::DMatrix::zeros(4, 4);
        lanes_into_columns::<4, nalgebra::Matrix2<f64>>(&seed, &mut j, 0);
        assert_eq!(j, nalgebra::DMatrix::identity(4, 4));
        let v = nalgebra::DVector::from_vec(vec![1.0, 2.0]);
        assert_eq!(LaneTangent::<3>::zero_lanes(&v), nalgebra::DVector::from_element(2, Lanes::ZERO));
    }

    #[test]
    fn lanes_fill_the_columns_of_their_block_only() {
        let tangent = (Lanes([1.0, 2.0, 3.0]), [Lanes([4.0, 5.0, 6.0])]);
        let mut j = nalgebra::DMatrix::zeros(2, 4);
        lanes_into_columns::<3, (f64, [f64; 1])>(&tangent, &mut j, 2);
        assert_eq!(j, nalgebra::DMatrix::from_row_slice(2, 4, &[0.0, 0.0, 1.0, 2.0, 0.0, 0.0, 4.0, 5.0]));
        assert_eq!(lanes_sum(&[Lanes([1.0, 2.0]), Lanes([3.0, 4.0])]), Lanes([4.0, 6.0]));
    }
}
