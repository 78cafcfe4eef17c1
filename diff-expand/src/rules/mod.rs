//! THE rule table: every primitive the macro differentiates, and how.
//!
//! Both emitters read this table and nothing else to learn a primitive's derivative, so adding a
//! primitive is one entry here: for a [`Family::Smooth`] rule, with its partial derivatives in
//! `diff-runtime/src/rules/elementary.rs`, named `<name>_d<i>`; for a new map of the linear,
//! bilinear or custom families, with its tangent and adjoint in [`math`].
//!
//! Rules are keyed by name (unique) and looked up with their arity (the receiver of a method
//! counts as argument 0), so `x.max(y)` and `f64::max(x, y)` are the same rule.

mod math;
pub use math::{Cotangent, Operand, Read, Tangents};

/// How a primitive's derivative is formed: its family (JAX's `deflinear`, `defbilinear`,
/// `defjvp`), and within a family the map itself. The emitters match on the family and take the
/// map's tangent and adjoint from the methods of [`Linear`], [`Bilinear`] and [`Custom`] (the
/// module `rules/math.rs`); they never spell a rule's derivative themselves.
#[derive(Debug)]
pub enum Family {
    /// Linear in its arguments: the tangent is the same map of the tangents, the adjoint its
    /// transpose applied to `ȳ`.
    Linear(Linear),
    /// Linear in each of its two arguments, `y = B(a, b)`: tangent `B(ta, b) + B(a, tb)`;
    /// adjoints by the two transposes, `ā += B₁ᵀ(ȳ, b)`, `b̄ += B₂ᵀ(ȳ, a)`.
    Bilinear(Bilinear),
    /// `y = f(args)` with runtime partials `<name>_d<i>(args..., y)`; `partials[i]` is false
    /// for an argument that is never differentiable (the `i32` exponent of `powi`). Tangent
    /// `Σ ∂y/∂a_i · t_i`; adjoint `ā_i += ∂y/∂a_i · ȳ`. `reads`: the primal values the partials
    /// read, which are all the reverse sweep keeps for them.
    Smooth { partials: &'static [bool], reads: Reads },
    /// Neither: the tangent and the adjoints written out, from the operands and the result.
    Custom(Custom),
    /// No useful derivative (zero almost everywhere, or the result is not a float). An error when
    /// an argument depends on a differentiable input.
    NonDifferentiable(Why),
    /// `v.len()`: depends on the shape only, never on the values (no derivative, no taint).
    Shape,
    /// A comparison or test: the result (a `bool`, an `Ordering`) carries no derivative, and that
    /// is fine; a branch on it is checked separately.
    Predicate,
}

/// The linear maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Linear {
    /// `a + b`: tangent `ta + tb`; adjoint `ā += ȳ`, `b̄ += ȳ`.
    Add,
    /// `a - b`: tangent `ta - tb`; adjoint `ā += ȳ`, `b̄ += -ȳ`.
    Sub,
    /// `-a`: tangent `-ta`; adjoint `ā += -ȳ`.
    Neg,
    /// `a` unchanged (a type ascription): tangent `ta`; adjoint `ā += ȳ`.
    Identity,
    /// `a as f32` / `a as f64`: tangent `ta as T`; adjoint `ā += ȳ` converted back.
    CastFloat,
    /// `m.transpose()`: tangent `t.transpose()`, adjoint `ā += ȳ.transpose()`.
    Transpose,
    /// `Vector3::new(x, y, z)`, `Matrix2::new(a, b, c, d)`: tangent built by the same
    /// constructor from the tangents, adjoint `x̄ += ȳ[0]`, ... for a vector and
    /// `ā += ȳ[(0, 0)]`, `b̄ += ȳ[(0, 1)]`, ... for a matrix, whose `new` takes rows first
    /// (any number of arguments; the table's arity is unused).
    Assemble,
    /// `w[0]`, `m[(1, 2)]`: one entry of a nalgebra matrix or vector, at a literal index
    /// (`Form::Index`); tangent `t[k]`, adjoint `w̄[k] += ȳ`.
    Entry,
    /// `q.y = e`, `q[i] = e`, `m[(i, j)] = e` of a nalgebra value held by value, the lowering's
    /// `<set entry>`: `with_entry(m, i.., e)`, the value with that entry replaced (arguments the
    /// value, the index values, the entry; `Form::Path` names the runtime's `with_entry` or
    /// `with_entry2`). Tangent the same replacement in the tangents; adjoints `m̄ +=` `ȳ` with
    /// that entry zero, `ē += ȳ[i..]`.
    SetEntry,
    /// `m.column(j)`, `m.row(i)` (the rule's name is the method): a copy of one column or row
    /// (`.into_owned()` in the primal); tangent the same part of the tangent, adjoint added in
    /// place into that part (`m̄.column_mut(j) += ȳ`).
    Part,
    /// `DVector::from_element(n, x)`, `Vector3::from_element(x)`: every entry `x` (the last
    /// argument; the others are dimensions). Tangent the same constructor of `tx`, adjoint
    /// `x̄ += ȳ.sum()`.
    Fill,
    /// `m.add_scalar(s)`: tangent `tm.add_scalar(ts)`; adjoints `m̄ += ȳ`, `s̄ += ȳ.sum()`.
    AddScalar,
    /// `m.sum()` of a nalgebra value: tangent `t.sum()`; adjoint `m̄ += ȳ` in every entry.
    SumEntries,
    /// `v.iter().sum()`: tangent `sum(tv)`; adjoint `v̄[i] += ȳ` for every `i`.
    Sum,
}

/// The bilinear maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bilinear {
    /// `a * b` in any algebra (floats, scalar times matrix, matrix product): adjoints through
    /// the runtime's `Product` trait (`ȳ b` for floats, `ȳ bᵀ` for matrices).
    Product,
    /// `a.dot(&b)`: adjoints `ā += b ȳ`, `b̄ += a ȳ`.
    Dot,
    /// `a.component_mul(&b)`: adjoints `ā += ȳ ∘ b`, `b̄ += ȳ ∘ a`.
    ComponentMul,
    /// `a.cross(&b)`: adjoints `ā += b × ȳ`, `b̄ += ȳ × a`.
    Cross,
}

/// The maps whose derivatives are written out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Custom {
    /// `a / b` with a scalar `b`: tangent `ta / b - y * (tb / b)`; adjoints through the
    /// runtime's `Quotient` trait.
    Quotient,
    /// `a.component_div(&b)`: tangent `(ta - y ∘ tb) ⊘ b`; adjoints `ā += ȳ ⊘ b`,
    /// `b̄ -= (ȳ ∘ y) ⊘ b`.
    ComponentDiv,
    /// `v.norm_squared()`: tangent `2 v.dot(&t)`; adjoint `v̄ += v (2 ȳ)`.
    NormSquared,
    /// `v.norm()`: tangent `v.dot(&t) / y`; adjoint `v̄ += v (ȳ / y)`.
    Norm,
    /// `v.normalize()`: tangent `(t - y (y·t)) / |v|`; adjoint `v̄ += (ȳ - y (y·ȳ)) / |v|`
    /// (the runtime's `normalize_adjoint` where `ȳ` may be a strong zero).
    Normalize,
    /// `m.trace()`: tangent `t.trace()`; adjoint `m̄ += ȳ I` (`ȳ` on the diagonal).
    Trace,
    /// `m.determinant()`: tangent `C : t` (`C` the cofactor matrix, the runtime's `cofactors`);
    /// adjoint `m̄ += C ȳ`.
    Determinant,
    /// `m.try_inverse().unwrap()` (or `.expect("..")`), the lowering's `<inverse>`: tangent
    /// `-(y t y)`; adjoint `m̄ -= yᵀ ȳ yᵀ`.
    Inverse,
    /// `a.lu().solve(&b).unwrap()` (and `qr`, `full_piv_lu`, `expect`), the lowering's `<solve>`
    /// (`lower::solves`): tangent `A⁻¹ (ḃ - Ȧ y)`; adjoints `b̄ += A⁻ᵀ ȳ`, `Ā -= (A⁻ᵀ ȳ) yᵀ` (the
    /// runtime's `solve`). With `lower` (`a.cholesky().unwrap().solve(&b)`,
    /// `<solve lower>`), `A` is the symmetric matrix made from `a`'s lower triangle, the only one
    /// `cholesky` reads: the tangent symmetrises `ȧ` the same way, and `ā` is folded onto that
    /// triangle (the runtime's `symmetric_from_lower`, `folded_to_lower`).
    Solve { lower: bool },
    /// `a.cholesky().unwrap().l()` (or of the decomposition kept in a variable), the lowering's
    /// `<cholesky l>`: with `A` the symmetric matrix of `a`'s lower triangle, tangent
    /// `L Φ(L⁻¹ Ȧ L⁻ᵀ)` (`Φ` the lower triangle, the diagonal halved); adjoint
    /// `L⁻ᵀ Φ(Lᵀ L̄) L⁻¹` folded onto the lower triangle (the runtime's
    /// `cholesky_factor_tangent`, `cholesky_factor_adjoint`, `folded_to_lower`).
    CholeskyFactor,
    /// `m.diagonal()`: tangent `t.diagonal()`; adjoint `m̄ += diag(ȳ)` (`ȳ` set on the diagonal
    /// of a zero tangent).
    Diagonal,
    /// `m.max()`, `m.min()`, `m.amax()`, `m.amin()` (the runtime's `Extremum` variant named):
    /// tangent the picked entry's (times its sign for the absolute ones, shared among ties);
    /// adjoint `ȳ` there and zero elsewhere (the runtime's `extremum_tangent`/`_adjoint`).
    Extremum(&'static str),
    /// A linear method of a matrix with a runtime adjoint (the method named): `m.column_sum()`,
    /// `m.row_sum()`, `m.column_mean()`, `m.row_mean()` (`ȳ` spread back over the entries
    /// summed), `m.lower_triangle()`, `m.upper_triangle()` (`ȳ`'s same triangle). Tangent the same
    /// method of `t`; adjoint the runtime's `{method}_adjoint(&m, &ȳ)` (`column_sum_adjoint`,
    /// ..). Adding one is a row here and that runtime function.
    LinearMethod(&'static str),
    /// `m.mean()`: tangent `t.mean()`; adjoint `ȳ / len` in every entry.
    Mean,
    /// `m.variance()` (the population variance, `Σ (mᵢ - mean)² / len`): tangent and adjoint
    /// from `2 (mᵢ - mean) / len` (the runtime's `variance_tangent`, `variance_adjoint`).
    Variance,
    /// `a.angle(&b)`: tangent `∇ₐ·ta + ∇_b·tb`; adjoints `ā += ∇ₐ ȳ`, `b̄ += ∇_b ȳ`, with
    /// `∇ₐ = -(b / (|a| |b|) - c a / |a|²) / √(1 - c²)` (the runtime's `angle_gradient`; zero
    /// where the vectors are parallel or one is zero).
    Angle,
    /// `m.map(|e| f(e))` of a nalgebra value, the closure made a scalar function `f` with its own
    /// derivatives (`Form::Map`): tangent `m.zip_map(&t, |e, t| f_jvp(e, t).1)`, adjoint
    /// `m̄ += m.zip_map(&ȳ, |e, ȳ| f'(e) ȳ)`.
    Map,
}

impl Custom {
    /// Whether the map gives a float read from its matrix operand (`v.norm()`, `m.trace()`).
    fn reduces(&self) -> bool {
        matches!(
            self,
            Custom::NormSquared
                | Custom::Norm
                | Custom::Trace
                | Custom::Determinant
                | Custom::Extremum(_)
                | Custom::Mean
                | Custom::Variance
                | Custom::Angle
        )
    }
}

impl Family {
    /// Whether a method with this rule is one of nalgebra's (every rule of the linear, bilinear
    /// and custom families: floats' own methods are smooth). A struct field it borrows as its
    /// receiver or `&`-argument (`p.w.dot(x)`, `p.r.transpose()`) is read in place, by
    /// reference, like `&p.w`: the field may be a `DMatrix`, which cannot be moved out of the
    /// struct (a static matrix held by reference has the runtime's products too).
    pub fn of_matrices(&self) -> bool {
        matches!(self, Family::Linear(_) | Family::Bilinear(_) | Family::Custom(_))
    }

    /// Whether the result has the shape of its matrix operand (`a + b`, `2.0 * m`, `m.transpose()`),
    /// rather than being a float read from it (`a.dot(&b)`, `m.sum()`, `v[0]`).
    pub fn keeps_shape(&self) -> bool {
        match self {
            Family::Linear(l) => !matches!(
                l,
                Linear::CastFloat | Linear::Assemble | Linear::Entry | Linear::SumEntries | Linear::Sum
            ),
            Family::Bilinear(b) => matches!(b, Bilinear::Product | Bilinear::ComponentMul | Bilinear::Cross),
            Family::Custom(c) => !c.reduces(),
            Family::Smooth { .. } | Family::NonDifferentiable(_) | Family::Shape | Family::Predicate => false,
        }
    }

    /// Whether a derivative flows through argument `i`: every argument of the differentiable
    /// families, those with a partial of a smooth rule, none of the others.
    pub fn differentiable(&self, i: usize) -> bool {
        match self {
            Family::Linear(_) | Family::Bilinear(_) | Family::Custom(_) => true,
            Family::Smooth { partials, .. } => partials.get(i).copied().unwrap_or(false),
            Family::NonDifferentiable(_) | Family::Shape | Family::Predicate => false,
        }
    }
}

/// Why a primitive has no derivative; selects the diagnostic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// Piecewise constant: derivative zero almost everywhere, undefined at the jumps.
    PiecewiseConstant,
    /// The result is an integer, a `bool` or bits: it leaves the differentiable world.
    Discrete,
}

/// The primal values a smooth rule's partials read (`elementary.rs` in the runtime): `sin`'s
/// `cos x` reads the argument, `exp`'s `y` the result. The reverse sweep keeps only those for
/// the adjoint, and passes, in the place of a value the partials do not read, one it keeps (the
/// first argument for the result, the result for the arguments), since every partial takes
/// `(args..., y)`: a 4 000-statement chain of `sin` and `cos` keeps 4 000 values for its
/// pullback instead of 8 000.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Reads {
    Arguments,
    Result,
    Both,
}

/// One primitive.
#[derive(Debug)]
pub struct Rule {
    /// Name as written (`sin`, `atan2`) or the operator's name (`add`, `lt`).
    pub name: &'static str,
    /// Number of arguments, the receiver included.
    pub arity: usize,
    pub kind: Family,
}

const D1: &[bool] = &[true];
const D2: &[bool] = &[true, true];
const D3: &[bool] = &[true, true, true];
const POWI: &[bool] = &[true, false];

macro_rules! table {
    ($($name:literal / $arity:literal => $kind:expr,)*) => {
        /// Every rule. Order does not matter; (name, arity) is unique.
        pub static RULES: &[Rule] = &[$(Rule { name: $name, arity: $arity, kind: $kind },)*];
    };
}

use Bilinear::*;
use Custom::*;
use Family::{NonDifferentiable, Predicate, Shape, Smooth};
use Linear::*;
use Why::*;

table! {
    // Operators.
    "add" / 2 => Family::Linear(Add),
    "sub" / 2 => Family::Linear(Sub),
    "neg" / 1 => Family::Linear(Neg),
    "mul" / 2 => Family::Bilinear(Product),
    "div" / 2 => Family::Custom(Quotient),
    "rem" / 2 => NonDifferentiable(PiecewiseConstant),
    "eq" / 2 => Predicate, "ne" / 2 => Predicate, "lt" / 2 => Predicate,
    "le" / 2 => Predicate, "gt" / 2 => Predicate, "ge" / 2 => Predicate,
    "and" / 2 => Predicate, "or" / 2 => Predicate, "not" / 1 => Predicate,
    "bitand" / 2 => NonDifferentiable(Discrete), "bitor" / 2 => NonDifferentiable(Discrete),
    "bitxor" / 2 => NonDifferentiable(Discrete), "shl" / 2 => NonDifferentiable(Discrete),
    "shr" / 2 => NonDifferentiable(Discrete),
    // Conversions.
    // Rules the lowering emits itself are named in angle brackets, which no method or function
    // name can be: a user's `x.typed()` must never find them.
    "<typed>" / 1 => Family::Linear(Identity),
    "<as float>" / 1 => Family::Linear(CastFloat),
    "<as discrete>" / 1 => NonDifferentiable(Discrete),
    // Elementary functions (partials in diff-runtime/src/rules/elementary.rs).
    "sin" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "cos" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "tan" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "asin" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "acos" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "atan" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "atan2" / 2 => Smooth { partials: D2, reads: Reads::Arguments },
    "sinh" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "cosh" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "tanh" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "asinh" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "acosh" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "atanh" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "exp" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "exp2" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "exp_m1" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "ln" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "log" / 2 => Smooth { partials: D2, reads: Reads::Both },
    "log2" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "log10" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "ln_1p" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "sqrt" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "cbrt" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "powi" / 2 => Smooth { partials: POWI, reads: Reads::Arguments },
    "powf" / 2 => Smooth { partials: D2, reads: Reads::Both },
    "recip" / 1 => Smooth { partials: D1, reads: Reads::Result },
    "hypot" / 2 => Smooth { partials: D2, reads: Reads::Both },
    "mul_add" / 3 => Smooth { partials: D3, reads: Reads::Arguments },
    "to_degrees" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "to_radians" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    // Continuous with kinks: allowed, with the conventions documented in elementary.rs.
    "abs" / 1 => Smooth { partials: D1, reads: Reads::Arguments },
    "max" / 2 => Smooth { partials: D2, reads: Reads::Arguments },
    "min" / 2 => Smooth { partials: D2, reads: Reads::Arguments },
    "clamp" / 3 => Smooth { partials: D3, reads: Reads::Arguments },
    "copysign" / 2 => Smooth { partials: D2, reads: Reads::Both },
    "midpoint" / 2 => Smooth { partials: D2, reads: Reads::Arguments },
    // Piecewise constant.
    "floor" / 1 => NonDifferentiable(PiecewiseConstant),
    "ceil" / 1 => NonDifferentiable(PiecewiseConstant),
    "round" / 1 => NonDifferentiable(PiecewiseConstant),
    "round_ties_even" / 1 => NonDifferentiable(PiecewiseConstant),
    "trunc" / 1 => NonDifferentiable(PiecewiseConstant),
    "fract" / 1 => NonDifferentiable(PiecewiseConstant),
    "signum" / 1 => NonDifferentiable(PiecewiseConstant),
    "rem_euclid" / 2 => NonDifferentiable(PiecewiseConstant),
    "div_euclid" / 2 => NonDifferentiable(PiecewiseConstant),
    // Leave the floats.
    "to_bits" / 1 => NonDifferentiable(Discrete),
    "to_int_unchecked" / 1 => NonDifferentiable(Discrete),
    // nalgebra's static matrices and vectors (arguments by reference: `a.dot(&b)`).
    "transpose" / 1 => Family::Linear(Transpose),
    "dot" / 2 => Family::Bilinear(Dot),
    "component_mul" / 2 => Family::Bilinear(ComponentMul),
    "component_div" / 2 => Family::Custom(ComponentDiv),
    "norm_squared" / 1 => Family::Custom(NormSquared),
    "norm" / 1 => Family::Custom(Norm),
    "magnitude_squared" / 1 => Family::Custom(NormSquared),
    "magnitude" / 1 => Family::Custom(Norm),
    "scale" / 2 => Family::Bilinear(Product),
    "unscale" / 2 => Family::Custom(Quotient),
    "<new>" / 0 => Family::Linear(Assemble),
    "normalize" / 1 => Family::Custom(Normalize),
    "trace" / 1 => Family::Custom(Trace),
    "diagonal" / 1 => Family::Custom(Diagonal),
    "determinant" / 1 => Family::Custom(Determinant),
    "<inverse>" / 1 => Family::Custom(Inverse),
    "<solve>" / 2 => Family::Custom(Solve { lower: false }),
    "<solve lower>" / 2 => Family::Custom(Solve { lower: true }),
    "<cholesky l>" / 1 => Family::Custom(CholeskyFactor),
    "cross" / 2 => Family::Bilinear(Cross),
    "<index>" / 1 => Family::Linear(Entry),
    "<set entry>" / 0 => Family::Linear(SetEntry),
    "sum" / 1 => Family::Linear(SumEntries),
    "max" / 1 => Family::Custom(Extremum("Max")),
    "min" / 1 => Family::Custom(Extremum("Min")),
    "amax" / 1 => Family::Custom(Extremum("Amax")),
    "amin" / 1 => Family::Custom(Extremum("Amin")),
    "column_sum" / 1 => Family::Custom(LinearMethod("column_sum")),
    "row_sum" / 1 => Family::Custom(LinearMethod("row_sum")),
    "column_mean" / 1 => Family::Custom(LinearMethod("column_mean")),
    "row_mean" / 1 => Family::Custom(LinearMethod("row_mean")),
    "lower_triangle" / 1 => Family::Custom(LinearMethod("lower_triangle")),
    "upper_triangle" / 1 => Family::Custom(LinearMethod("upper_triangle")),
    "mean" / 1 => Family::Custom(Mean),
    "variance" / 1 => Family::Custom(Variance),
    "angle" / 2 => Family::Custom(Angle),
    "add_scalar" / 2 => Family::Linear(AddScalar),
    "<map>" / 1 => Family::Custom(Map),
    "column" / 2 => Family::Linear(Part),
    "row" / 2 => Family::Linear(Part),
    "rows" / 3 => Family::Linear(Part),
    "columns" / 3 => Family::Linear(Part),
    "fixed_rows" / 2 => Family::Linear(Part),
    "fixed_columns" / 2 => Family::Linear(Part),
    "fixed_view" / 3 => Family::Linear(Part),
    "<fill>" / 0 => Family::Linear(Fill),
    // Arrays.
    "<iter sum>" / 1 => Family::Linear(Sum),
    "len" / 1 => Shape,
    "is_empty" / 1 => Shape,
    "nrows" / 1 => Shape,
    "ncols" / 1 => Shape,
    // Tests.
    "is_nan" / 1 => Predicate, "is_infinite" / 1 => Predicate, "is_finite" / 1 => Predicate,
    "is_normal" / 1 => Predicate, "is_subnormal" / 1 => Predicate,
    "is_sign_positive" / 1 => Predicate, "is_sign_negative" / 1 => Predicate,
    "classify" / 1 => Predicate, "partial_cmp" / 2 => Predicate, "total_cmp" / 2 => Predicate,
}

/// The rule for `name` applied to `arity` arguments (receiver included), if any.
pub fn lookup(name: &str, arity: usize) -> Option<&'static Rule> {
    RULES.iter().find(|r| r.name == name && r.arity == arity)
}

/// The operators' rules (named after their trait's method) and the rules the lowering emits
/// itself (in angle brackets): every name `operator` is called with.
pub const OPERATORS: &[&str] = &[
    "add",
    "sub",
    "neg",
    "mul",
    "div",
    "rem",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "and",
    "or",
    "not",
    "bitand",
    "bitor",
    "bitxor",
    "shl",
    "shr",
    "<typed>",
    "<as float>",
    "<as discrete>",
    "<new>",
    "<index>",
    "<set entry>",
    "<iter sum>",
    "<map>",
    "<fill>",
    "<inverse>",
    "<solve>",
    "<solve lower>",
    "<cholesky l>",
];

/// Whether `name` is a method of floats in the table that takes and gives floats or tests one
/// (`x.sin()`, `x.floor()`, `x.is_nan()`): the methods the runtime's `Scalar` gives the dual number
/// of second order. (`partial_cmp` is `PartialOrd`'s.)
pub fn float_method(name: &str) -> bool {
    !OPERATORS.contains(&name)
        && name != "partial_cmp"
        && RULES.iter().any(|r| {
            r.name == name
                && matches!(
                    r.kind,
                    Family::Smooth { .. }
                        | Family::NonDifferentiable(Why::PiecewiseConstant)
                        | Family::Predicate
                )
        })
}

/// The float method a function of the `libm` crate computes (`libm::log1p(x)` is `x.ln_1p()`,
/// `libm::powf(x, y)` the `f32` `x.powf(y)`), for the functions whose method has a rule: a call
/// `libm::name(..)` is that rule, its primal the call as written.
pub fn libm(name: &str) -> Option<&'static str> {
    // Named as in `f64`'s methods; libm's `f32` versions end in `f`.
    const SAME: &[&str] = &[
        "sin", "cos", "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "tanh", "asinh", "acosh",
        "atanh", "exp", "exp2", "log2", "log10", "sqrt", "cbrt", "hypot", "copysign", "floor", "ceil",
        "round", "trunc",
    ];
    const RENAMED: &[(&str, &str)] = &[
        ("expm1", "exp_m1"),
        ("log", "ln"),
        ("log1p", "ln_1p"),
        ("pow", "powf"),
        ("fabs", "abs"),
        ("fmax", "max"),
        ("fmin", "min"),
        ("fma", "mul_add"),
    ];
    let find = |n: &str| {
        SAME.iter()
            .find(|m| **m == n)
            .copied()
            .or_else(|| RENAMED.iter().find(|(l, _)| *l == n).map(|(_, m)| *m))
    };
    // `powf` is libm's `f32` `pow`, the same method.
    find(name).or_else(|| name.strip_suffix('f').and_then(find))
}

/// The rule named `name` (operators and the rules the lowering emits itself, all of which
/// have one arity).
pub fn operator(name: &str) -> &'static Rule {
    // Every name passed here is a literal of `lower/` present in the table; the unit test
    // `every_operator_is_in_the_table` pins each of them. The fallback is never reached.
    RULES.iter().find(|r| r.name == name).unwrap_or(&RULES[0])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name is one rule per arity (`x.max(y)` of floats, `v.max()` of a nalgebra value): the
    /// lowering looks rules up by both (`lookup`). `operator` looks up by name alone, so its
    /// names have one arity.
    #[test]
    fn names_are_unique_per_arity() {
        for (i, a) in RULES.iter().enumerate() {
            for b in &RULES[i + 1..] {
                assert!(a.name != b.name || a.arity != b.arity, "duplicate rule {}", a.name);
                assert!(
                    a.name != b.name || !OPERATORS.contains(&a.name),
                    "operator {} of two arities",
                    a.name
                );
            }
        }
    }

    #[test]
    fn every_operator_is_in_the_table() {
        // With the rules the lowering names outside `OPERATORS` (which `float_method` excludes):
        // `len` of a record's field and of a row, `sin_cos`'s halves, `column`/`row`.
        for name in OPERATORS.iter().chain(&["len", "sin", "cos", "column", "row"]) {
            assert_eq!(operator(name).name, *name);
        }
    }

    #[test]
    fn smooth_partials_match_arity() {
        for r in RULES {
            if let Family::Smooth { partials, .. } = r.kind {
                assert_eq!(partials.len(), r.arity, "{}", r.name);
            }
        }
    }
}
