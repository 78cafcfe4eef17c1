//! Adjoints of products and quotients, by the operand types: `a * b` is a scalar product, a
//! scalar times a matrix, or a matrix product, and its adjoint differs for each (`ȳ b` vs
//! `ȳ bᵀ` vs `sum(ȳ ∘ b)`). Generated code calls [`product_lhs`] and friends; the trait impls
//! decide, and for two floats they inline to the scalar arithmetic.
//!
//! Forward mode needs no dispatch: the tangent of `a * b` is `ta * b + a * tb` in any algebra.

/// `y = a * b`: the adjoints of both operands given the cotangent `ȳ`.
#[diagnostic::on_unimplemented(
    message = "tapeless has no derivative for `{Self} * {B}`",
    note = "differentiable products: float * float, float * matrix, matrix * float, and matrix products \
            of nalgebra types with matching dimensions (for DVector/DMatrix: DMatrix * DMatrix, \
            DMatrix * DVector, RowDVector * DMatrix, DVector * RowDVector)"
)]
pub trait Product<B>: Sized {
    /// The type of `ȳ` as generated code holds it (`a * b`, or a reference to it).
    type Output;
    /// The type of `ā` (`Self`, or the owned value `Self` refers to).
    type Lhs;
    /// The type of `b̄`.
    type Rhs;
    /// `ā` from `ȳ`.
    fn lhs_adjoint(ybar: Self::Output, a: Self, b: B) -> Self::Lhs;
    /// `b̄` from `ȳ`.
    fn rhs_adjoint(ybar: Self::Output, a: Self, b: B) -> Self::Rhs;
    /// [`Self::lhs_adjoint`] with a strong zero where `ȳ` is a float: `0` whenever `ȳ` is `0`,
    /// even where `b` is infinite (a product the path that ran did not use). A matrix's is
    /// `lhs_adjoint`.
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self::Output, a: Self, b: B) -> Self::Lhs {
        Self::lhs_adjoint(ybar, a, b)
    }
    /// [`Self::rhs_adjoint`] with a strong zero where `ȳ` is a float.
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self::Output, a: Self, b: B) -> Self::Rhs {
        Self::rhs_adjoint(ybar, a, b)
    }
}

/// `y = a / b` with a scalar `b`.
#[diagnostic::on_unimplemented(
    message = "tapeless has no derivative for `{Self} / {B}`",
    note = "differentiable quotients: float / float, matrix / float"
)]
pub trait Quotient<B>: Sized {
    /// The type of `ȳ` as generated code holds it (`a / b`, or a reference to it).
    type Output;
    /// The type of `ā`.
    type Lhs;
    /// The type of `b̄` (`B`, or the owned value `B` refers to).
    type Rhs;
    /// `ā = ȳ / b`.
    fn lhs_adjoint(ybar: Self::Output, b: B) -> Self::Lhs;
    /// `b̄ = -⟨ȳ, y⟩ / b`.
    fn rhs_adjoint(ybar: Self::Output, y: Self::Output, b: B) -> Self::Rhs;
    /// [`Self::lhs_adjoint`] with a strong zero where `ȳ` is a float: `0` whenever `ȳ` is `0`,
    /// even where `b` is `0` (a quotient the path that ran did not use). A matrix's is
    /// `lhs_adjoint`.
    #[inline(always)]
    fn strong_lhs_adjoint(ybar: Self::Output, b: B) -> Self::Lhs {
        Self::lhs_adjoint(ybar, b)
    }
    /// [`Self::rhs_adjoint`] with a strong zero where `ȳ` is a float.
    #[inline(always)]
    fn strong_rhs_adjoint(ybar: Self::Output, y: Self::Output, b: B) -> Self::Rhs {
        Self::rhs_adjoint(ybar, y, b)
    }
}

// One impl per float type, not `impl<T: Real> Product<T> for T`: with a blanket impl, a missing
// combination (`&DVector * &DVector`) would be reported as an unmet `Real` bound. Either operand
// may be a float behind a reference (`d` bound by `match kind { Loss::Huber(d) => d * r }` on a
// `&Loss`): the same adjoints, owned.
macro_rules! impl_float {
    ($($t:ty),*) => {$(
        impl_float!(@ $t, $t, $t);
        impl_float!(@ $t, &$t, $t);
        impl_float!(@ $t, $t, &$t);
        impl_float!(@ $t, &$t, &$t);
    )*};
    (@ $t:ty, $a:ty, $b:ty) => {
        impl Product<$b> for $a {
            type Output = $t;
            type Lhs = $t;
            type Rhs = $t;
            #[inline(always)]
            fn lhs_adjoint(ybar: $t, _a: $a, b: $b) -> $t {
                ybar * b
            }
            #[inline(always)]
            fn rhs_adjoint(ybar: $t, a: $a, _b: $b) -> $t {
                ybar * a
            }
            #[inline(always)]
            fn strong_lhs_adjoint(ybar: $t, _a: $a, b: $b) -> $t {
                if ybar == 0.0 { 0.0 } else { ybar * b }
            }
            #[inline(always)]
            fn strong_rhs_adjoint(ybar: $t, a: $a, _b: $b) -> $t {
                if ybar == 0.0 { 0.0 } else { ybar * a }
            }
        }

        impl Quotient<$b> for $a {
            type Output = $t;
            type Lhs = $t;
            type Rhs = $t;
            #[inline(always)]
            fn lhs_adjoint(ybar: $t, b: $b) -> $t {
                ybar / b
            }
            #[inline(always)]
            fn rhs_adjoint(ybar: $t, y: $t, b: $b) -> $t {
                -(ybar * y) / b
            }
            #[inline(always)]
            fn strong_lhs_adjoint(ybar: $t, b: $b) -> $t {
                if ybar == 0.0 { 0.0 } else { ybar / b }
            }
            #[inline(always)]
            fn strong_rhs_adjoint(ybar: $t, y: $t, b: $b) -> $t {
                if ybar == 0.0 { 0.0 } else { -(ybar * y) / b }
            }
        }
    };
}
impl_float!(f32, f64);

/// `ā` of `a * b` with a strong zero where `ȳ` is a float ([`Product::strong_lhs_adjoint`]).
#[inline(always)]
pub fn product_lhs_strong<A: Product<B>, B>(ybar: A::Output, a: A, b: B) -> A::Lhs {
    A::strong_lhs_adjoint(ybar, a, b)
}

/// `b̄` of `a * b` with a strong zero where `ȳ` is a float ([`Product::strong_rhs_adjoint`]).
#[inline(always)]
pub fn product_rhs_strong<A: Product<B>, B>(ybar: A::Output, a: A, b: B) -> A::Rhs {
    A::strong_rhs_adjoint(ybar, a, b)
}

/// `ā` of `a / b` with a strong zero where `ȳ` is a float ([`Quotient::strong_lhs_adjoint`]).
#[inline(always)]
pub fn quotient_lhs_strong<A: Quotient<B>, B>(ybar: A::Output, _a: &A, b: B) -> A::Lhs {
    A::strong_lhs_adjoint(ybar, b)
}

/// `b̄` of `a / b` with a strong zero where `ȳ` is a float ([`Quotient::strong_rhs_adjoint`]).
#[inline(always)]
pub fn quotient_rhs_strong<A: Quotient<B>, B>(ybar: A::Output, _a: &A, y: A::Output, b: B) -> A::Rhs {
    A::strong_rhs_adjoint(ybar, y, b)
}

/// `ā` of `a * b`.
#[inline(always)]
pub fn product_lhs<A: Product<B>, B>(ybar: A::Output, a: A, b: B) -> A::Lhs {
    A::lhs_adjoint(ybar, a, b)
}

/// `b̄` of `a * b`.
#[inline(always)]
pub fn product_rhs<A: Product<B>, B>(ybar: A::Output, a: A, b: B) -> A::Rhs {
    A::rhs_adjoint(ybar, a, b)
}

/// `ā` of `a / b`.
#[inline(always)]
pub fn quotient_lhs<A: Quotient<B>, B>(ybar: A::Output, _a: &A, b: B) -> A::Lhs {
    A::lhs_adjoint(ybar, b)
}

/// `b̄` of `a / b`.
#[inline(always)]
pub fn quotient_rhs<A: Quotient<B>, B>(ybar: A::Output, _a: &A, y: A::Output, b: B) -> A::Rhs {
    A::rhs_adjoint(ybar, y, b)
}
