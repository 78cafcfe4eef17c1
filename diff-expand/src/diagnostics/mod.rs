//! Every message the macro can give, in one enum, so their wording stays consistent and each is
//! easy to find from a `tests/ui/*.stderr` snapshot.
//!
//! Policy (ARCHITECTURE.md, "Diagnostics"): a construct whose derivative would be silently
//! wrong, zero or missing is an error spanned on the construct, saying what it is, why, and what
//! to do (`help:`). rustc shows one error per span, so the help is part of the message text.

use crate::ir::Loc;

pub mod unsupported;

/// Syntax the macro does not support (yet): what it is, and what to write instead (empty if
/// nothing short can be said). The messages of the lowering are the constants of
/// [`unsupported`]; a message naming something of the user's is built where it is reported.
#[derive(Clone, Copy)]
pub struct Unsupported<'a> {
    pub what: &'a str,
    pub help: &'static str,
}

impl From<Unsupported<'_>> for Diagnostic {
    fn from(u: Unsupported) -> Self {
        Diagnostic::Unsupported { what: u.what.to_string(), help: u.help }
    }
}

/// What a parameter's type must be, from its syntax, to be differentiated (signature.rs).
const DIFFERENTIABLE_TYPES: &str = "f32, f64, tuples of floats, nalgebra's static matrices such as \
     `Vector3<f64>`, `&` of those, `&[T]`, `Vec<T>`, `[T; N]` of those, and `#[derive(Differentiable)]` \
     structs (a struct defined elsewhere: named in `wrt(...)`)";

/// The opaque form of `chain.collect::<Vec<Obs>>()` of a type without a derivative
/// (`lower::iterators`): kept as written, our error where the chain reads a differentiated value.
pub const COLLECTED_INTO_STRUCTS: &str = "a `Vec` collected into a type without a derivative";
/// What [`Diagnostic::ActiveOpaque`] says of a `collect::<Vec<(f64, f64)>>()` of differentiable
/// values.
pub const COLLECTED_INTO_TUPLES: &str = "a `Vec` of tuples collected in the body";

/// A user-facing error.
pub enum Diagnostic {
    /// `floor`, `round`, `%`, ... applied to a differentiable value.
    PiecewiseConstant { name: String, example: String },
    /// `%`, `rem_euclid`, `fract` of a differentiable value: slope 1 between jumps.
    Wraps { name: String, keep: String, constant: String },
    /// An `as` cast or method turning a differentiable value into an integer, `bool` or bits.
    Discrete { what: String },
    /// `as T` on a differentiable value where `T` is not `f32`/`f64`.
    UnknownCast { ty: String },
    /// A branch condition computed from a differentiable value, without `piecewise(..)`.
    ActiveCondition { keyword: &'static str },
    /// A search by a closure (`position`, `partition_point`, `find`) tests a differentiable
    /// value.
    ActiveSearch { method: String },
    /// A method with no rule and no way to compose, on a differentiable receiver.
    UnknownMethod { name: String, arity: usize },
    /// `g(x).unwrap_or(c)` of a differentiable function `g` returning `Option` or `Result`.
    FallbackOfCall { name: String, callee: String },
    /// `g(x)` of a differentiable `x`, `g` a function of the caller's file without the attribute.
    /// `call` is what the call names (`self.power`, `Self::sq`, `sq`); `method`: it takes `self`.
    PlainFunction { name: String, call: String, method: bool },
    /// `.clone()` of a differentiable struct field of a type the macro does not copy (a nested
    /// struct, or one whose declaration the prescan did not read).
    UnknownClone,
    /// `self.g(x)` with `x` differentiable where `g`'s `wrt(..)` (same `impl` block) omits it.
    SiblingWrt { method: String, param: String },
    /// `x.to_f64()` or `T::from_f64(x)` of a differentiable value kept as an `Option`.
    ConversionToOption { name: String },
    /// A wrt parameter that cannot reach the result through differentiable operations.
    Unreachable { param: String, cut: bool },
    /// `e?` where `e` reads a differentiable value.
    ActiveTry,
    /// An expression form the IR does not model, applied to a differentiable value.
    ActiveOpaque { what: &'static str },
    /// `v[i]` with a computed index into a differentiable value that is not an array.
    ActiveIndex,
    /// A name bound inside a pattern (`Some(k)`) of a differentiable value (`lower::patterns`).
    PatternPart,
    /// Syntax the macro does not support (yet).
    Unsupported { what: String, help: &'static str },
    /// A parameter whose type cannot be classified from syntax, with no `wrt(...)`.
    UnknownParamType { param: String, ty: String },
    /// A parameter that takes a closure (`f: F` with `F: Fn(f64) -> f64`).
    ClosureParam { param: String, ty: String },
    /// A parameter whose type is a type parameter without a float bound (`x: T`, `T: Copy`).
    UnboundedTypeParam { param: String, ty: String, generic: String },
    /// A parameter whose type has a generic nalgebra dimension (`OVector<T, D>`, `D: Dim`).
    GenericDimension { param: String, ty: String, generic: String },
    /// A method's parameter typed by what looks like a type parameter of its `impl`.
    ImplTypeParam { param: String, ty: String, generic: String },
    /// A `wrt(...)` entry naming a parameter whose type is not differentiable.
    WrtNotDifferentiable { param: String, ty: String },
    /// A `wrt(...)` entry naming no parameter.
    /// A `wrt(..)` name that is not a parameter: of the function `of`, or (`None`) of any
    /// method of an `impl` block whose attribute lists it; `params` are the parameters there are.
    WrtUnknown { name: String, of: Option<String>, params: Vec<String> },
    /// A `wrt(...)` entry naming some, not all, of the names a parameter pattern binds.
    WrtPartOfPattern { name: String, pattern: String, names: String },
    /// `#[differentiable]` written twice on one function.
    AttributeTwice,
    /// `#[differentiable]` on a method of a trait `impl` whose block has none.
    TraitImplMethod { name: String },
    /// No parameter to differentiate with respect to.
    NothingToDifferentiate,
    /// A variable read before it is assigned on every path.
    Uninitialized { name: String },
    /// The two branches of an `if` produce results of different tuple shapes.
    BranchShape,
    /// A construct `#[differentiable(hessian)]` has no second-order rule for yet.
    SecondOrder { what: String, help: &'static str },
    /// A signature `#[differentiable(jacobian)]` cannot number the scalars of.
    Jacobian { what: String, help: &'static str },
    /// `hessian`, `jacobian` or declared derivatives on a function whose name is that of a free
    /// function and of an associated function with the attribute in its file: the generated
    /// `NAME_{option}` cannot name its siblings.
    SameName { name: String, option: &'static str },
}

impl Diagnostic {
    /// The section of the error catalogue (`tapeless::errors`) that explains this error.
    pub fn section(&self) -> &'static str {
        match self {
            Diagnostic::PiecewiseConstant { .. } | Diagnostic::Wraps { .. } => "piecewise-constant",
            Diagnostic::Discrete { .. } => "leaves-the-floats",
            Diagnostic::UnknownCast { .. } => "unknown-cast",
            Diagnostic::ActiveCondition { .. }
            | Diagnostic::ActiveSearch { .. }
            | Diagnostic::FallbackOfCall { .. } => "differentiable-condition",
            Diagnostic::UnknownMethod { .. }
            | Diagnostic::UnknownClone
            | Diagnostic::PlainFunction { .. } => "no-derivative",
            Diagnostic::SiblingWrt { .. } => "wrt-not-differentiable",
            Diagnostic::ConversionToOption { .. } => "conversion-to-option",
            Diagnostic::Unreachable { .. } => "unreachable-parameter",
            Diagnostic::ActiveTry => "question-mark",
            Diagnostic::ActiveOpaque { .. } => "opaque-expression",
            Diagnostic::ActiveIndex => "computed-index",
            Diagnostic::PatternPart => "opaque-expression",
            Diagnostic::Unsupported { .. } => "not-supported",
            Diagnostic::UnknownParamType { .. } | Diagnostic::ClosureParam { .. } => "unknown-parameter-type",
            Diagnostic::UnboundedTypeParam { .. } | Diagnostic::GenericDimension { .. } => {
                "generic-without-float-bound"
            }
            Diagnostic::ImplTypeParam { .. } => "generic-without-float-bound",
            Diagnostic::WrtNotDifferentiable { .. } => "wrt-not-differentiable",
            Diagnostic::WrtUnknown { .. } | Diagnostic::WrtPartOfPattern { .. } => "wrt-unknown",
            Diagnostic::AttributeTwice => "attribute-twice",
            Diagnostic::TraitImplMethod { .. } => "trait-impl-method",
            Diagnostic::NothingToDifferentiate => "nothing-to-differentiate",
            Diagnostic::Uninitialized { .. } => "uninitialized",
            Diagnostic::BranchShape => "branch-shape",
            Diagnostic::SecondOrder { .. } => "second-order",
            Diagnostic::Jacobian { .. } => "jacobian",
            Diagnostic::SameName { .. } => "same-name",
        }
    }

    /// The message, with its `help:` line, which ends with the catalogue's section.
    pub fn message(&self) -> String {
        let message = self.text();
        let section = format!("(tapeless::errors, \"{}\")", self.section());
        if message.contains("\nhelp: ") {
            format!("{message} {section}")
        } else {
            format!("{message}\nhelp: see {section}")
        }
    }

    /// The message as written for each error.
    fn text(&self) -> String {
        match self {
            Diagnostic::PiecewiseConstant { name, example } => format!(
                "`{name}` of a differentiable value has derivative zero almost everywhere and none at its jumps; \
                 a tape would silently return zero or `None` here\n\
                 help: if a constant is intended, cut the derivative on purpose with `tapeless::no_grad(..)` \
                 (e.g. `{example}`); otherwise use a smooth alternative"
            ),
            Diagnostic::Wraps { name, keep, constant } => format!(
                "`{name}` of a differentiable value wraps around: between its jumps its derivative in the \
                 wrapped value is 1, and at them it has none; a tape would return 1 across the jumps without \
                 a word\n\
                 help: to keep the slope between the jumps, subtract the wrapped part as a constant: \
                 `{keep}`; to treat the result as a constant, `{constant}`"
            ),
            Diagnostic::Discrete { what } => format!(
                "{what} turns a differentiable value into a non-float value: the derivative is lost here\n\
                 help: keep the value a float, or cut the derivative on purpose with `tapeless::no_grad(..)`"
            ),
            Diagnostic::UnknownCast { ty } => format!(
                "cannot tell whether `{ty}` is a float type, so the derivative of this cast is unknown\n\
                 help: cast differentiable values to `f32` or `f64`"
            ),
            Diagnostic::ActiveCondition { keyword: "match" } => "this `match` looks at a value that depends on a \
                 differentiable value, so the function's derivative is only defined piecewise (it jumps or has a \
                 kink where the arm that runs changes)\n\
                 help: to accept the derivative of the arm that runs, write `match tapeless::piecewise(<bool>)` or \
                 `if tapeless::piecewise(<condition>)`; to treat the value as a constant, compute it from \
                 `tapeless::no_grad(..)`"
                .to_string(),
            Diagnostic::ActiveCondition { keyword: "match guard" } => "this `match` guard depends on a \
                 differentiable value, so the function's derivative is only defined piecewise (it jumps or has a \
                 kink where the arm that runs changes)\n\
                 help: to accept the derivative of the arm that runs, write the guard as \
                 `tapeless::piecewise(<condition>)` (`v if tapeless::piecewise(v < 0.0) => ..`); to treat the \
                 condition as a constant, compute it from `tapeless::no_grad(..)`"
                .to_string(),
            Diagnostic::ActiveCondition { keyword: "filter" } => "this `filter` predicate depends on a \
                 differentiable value, so which elements count changes where it flips (the result jumps there)\n\
                 help: filter on constants (or compute the predicate from `tapeless::no_grad(..)`); to accept the \
                 derivative of the elements kept, write the predicate as `|..| tapeless::piecewise(<condition>)`"
                .to_string(),
            Diagnostic::ActiveCondition { keyword: "take_while" } => "this `take_while` predicate depends on a \
                 differentiable value, so where the sequence stops changes where it flips (the result jumps there)\n\
                 help: stop on constants (or compute the predicate from `tapeless::no_grad(..)`); to accept the \
                 derivative of the elements taken, write the predicate as `|..| tapeless::piecewise(<condition>)`"
                .to_string(),
            Diagnostic::ActiveCondition { keyword: "max_by" } => "this comparison of `max_by`/`min_by` ranks the \
                 elements by something other than the floats themselves (a key, or a pair from `enumerate()`), and \
                 depends on a differentiable value: which \
                 element wins changes where it flips, and the result jumps there\n\
                 help: compare the floats themselves (`max_by(|a, b| a.total_cmp(b))`: the largest value, continuous \
                 like `max`); or rank by a key computed from `tapeless::no_grad(..)` values, or by constants, and read \
                 the element found (an index through `enumerate()`: `|a, b| no_grad(*a.1).total_cmp(&no_grad(*b.1))`)"
                .to_string(),
            Diagnostic::ActiveCondition { keyword: "if let" } => "this `if let` looks at a value that depends on \
                 a differentiable value: which branch runs changes with it, and the names it binds would be \
                 constants\n\
                 help: use `if let` on constants (an `Option` parameter, a setting) or on `x.get(i)`, `x.first()`, \
                 `x.last()`; read a differentiable value's parts by index or field (`v[0]`, `p.a`)"
                .to_string(),
            Diagnostic::ActiveCondition { keyword } => format!(
                "this `{keyword}` condition depends on a differentiable value, so the function's derivative \
                 is only defined piecewise (it jumps or has a kink where the condition flips)\n\
                 help: to accept the derivative of the branch that runs, write `{keyword} tapeless::piecewise(<condition>)`; \
                 to treat the condition as a constant, compute it from `tapeless::no_grad(..)`"
            ),
            Diagnostic::ActiveSearch { method } => {
                let fix = if matches!(method.as_str(), "position" | "rposition" | "partition_point") {
                    "to accept the derivative of the elements read at the index found, write the predicate as \
                     `|..| tapeless::piecewise(<condition>)`, or read the elements in it only through \
                     `tapeless::no_grad(..)` to search their values as constants"
                } else {
                    "search with `position(|..| tapeless::piecewise(<condition>))` and read the element by index \
                     (`x[i]` keeps its derivative)"
                };
                format!(
                    "this `{method}` tests a value that depends on a differentiable value, so what it finds \
                     changes where the test flips (the result jumps or has a kink there)\n\
                     help: {fix}; or compare against a constant copy made before the search \
                     (`let t0 = tapeless::no_grad(t);`)"
                )
            }
            Diagnostic::PlainFunction { name, call, method } => {
                let attribute = if *method { "#[differentiable(wrt(..))]" } else { "#[differentiable]" };
                format!(
                    "`{name}` has no `#[differentiable]`, and it is called on a differentiable value here: \
                     its derivative is unknown\n\
                     help: put `{attribute}` on `{name}` so the call composes, give its derivative \
                     (`#[differentiable(vjp = ..)]` on a wrapper), or cut the derivative on purpose with \
                     `tapeless::no_grad({call}(..))`"
                )
            }
            Diagnostic::UnknownMethod { name, .. }
                if matches!(
                    name.as_str(),
                    "lu" | "full_piv_lu" | "cholesky" | "qr" | "svd" | "symmetric_eigen" | "udu" | "schur"
                ) =>
            {
                format!(
                    "no derivative is known for the decomposition `{name}` of a differentiable matrix\n\
                     help: a linear solve is differentiable as `a.lu().solve(&b).unwrap()` or \
                     `a.cholesky().unwrap().solve(&b)` (also `qr`, `full_piv_lu`, and the decomposition kept \
                     in a variable for its `solve`), and so are `a.try_inverse().unwrap()` and \
                     `a.determinant()`; `tapeless::no_grad(..)` if the matrix is meant to be constant"
                )
            }
            Diagnostic::UnknownMethod { name, .. }
                if matches!(name.as_str(), "windows" | "chunks" | "chunks_exact" | "rchunks" | "split_at") =>
            {
                format!(
                    "`{name}` of a differentiable array is only followed where its pieces are read in \
                     place, not kept or passed on\n\
                     help: loop over it or `map` it directly (`for c in x.chunks_exact(3) {{ .. }}`, \
                     also through `enumerate`, `zip`, `skip`, `take`, `step_by`, `rev`), reading each \
                     piece `c` as `c[j]`, `c.len()` and `c.iter()`; or index the array itself \
                     (`x[3 * i + j]`)"
                )
            }
            Diagnostic::UnknownMethod { name, arity } => format!(
                "no derivative is known for method `{name}` ({arity} argument{}, receiver included) on a differentiable value\n\
                 help: write it as a `#[differentiable]` function and call that, or give a function \
                 `{name}_jvp`/`{name}_vjp` by hand and call it as `{name}(..)`; \
                 `tapeless::no_grad(..)` if the result is meant to be constant",
                if *arity == 1 { "" } else { "s" }
            ),
            Diagnostic::FallbackOfCall { name, callee } => format!(
                "`{name}` takes its fallback where `{callee}` returns `None` or `Err`, which depends on a \
                 differentiable value here, so the function's derivative is only defined piecewise (it jumps \
                 where the call starts or stops failing)\n\
                 help: test where the call succeeds yourself and unwrap there, as in `if \
                 tapeless::piecewise(x > 0.0) {{ {callee}(..).unwrap() }} else {{ .. }}` for a call that \
                 succeeds for positive `x`; or pass the failure on with `?`"
            ),
            Diagnostic::UnknownClone => "`.clone()` of a differentiable struct field whose declared type is not a \
                                         float, an array or `Vec` of floats or a nalgebra value (or is not \
                                         in this crate's files)\n\
                 help: read the field without `.clone()` (`p.inner.c` of a nested struct's field), or \
                 copy its parts into a local"
                .to_string(),
            Diagnostic::SiblingWrt { method, param } => format!(
                "`{method}` is not differentiated with respect to `{param}`, and the value passed \
                 for it here is differentiable: its derivative would be lost\n\
                 help: add `{param}` to the `wrt(..)` of `{method}`, or pass \
                 `tapeless::no_grad(..)` if it is meant to be constant"
            ),
            Diagnostic::ConversionToOption { name } => format!(
                "`{name}` of a differentiable value gives an `Option`, and its derivative is lost there\n\
                 help: unwrap it where it is converted (`x.to_f64().unwrap()`, \
                 `T::from_f64(x).unwrap()`, or `.expect(..)`): the conversion then carries the \
                 derivative; `tapeless::no_grad(..)` if the value is meant to be constant"
            ),
            Diagnostic::Unreachable { param, cut } => format!(
                "the result does not depend on `{param}` through differentiable operations, so its derivative \
                 would be identically zero (a tape's `None`){}\n\
                 help: remove `{param}` from the differentiated parameters with `#[differentiable(wrt(...))]`, \
                 or make the computation that uses it reach the result",
                if *cut {
                    "; every path from it to the result is cut (by `no_grad`, a comparison, a branch condition or a non-float value)"
                } else {
                    "; it is never used"
                }
            ),
            Diagnostic::ActiveTry => "`?` on a value computed from a differentiable value, of a call the macro \
                 cannot see into: the derivative cannot follow it through a `Result` or `Option`\n\
                 help: put `#[differentiable]` on the function called (its result then composes: \
                 `g(x)?`, `g(x).unwrap()`), or check before the computation and leave with `return Err(..)`"
                .to_string(),
            Diagnostic::PatternPart => "a name bound inside a pattern \
                 of a differentiable value would be a constant: its derivative would be lost\n\
                 help: read the parts by field or index (`p.a`, `v[0]`), or bind the whole value (`k => ..`); \
                 patterns may take apart constants (an `Option` parameter, an enum of settings)"
                .to_string(),
            Diagnostic::ActiveOpaque { what: what @ "a `DVector`/`DMatrix` constructor" } => format!(
                "{what} of a differentiable value is not supported yet: its derivative cannot be formed\n\
                 help: fill `DVector::zeros(n)` by index in a loop (`v[i] = ..`), or build it with \
                 `DVector::from_fn(n, |i, _| ..)`, which are differentiated; or cut the derivative on \
                 purpose with `tapeless::no_grad(..)`"
            ),
            Diagnostic::ActiveOpaque { what: COLLECTED_INTO_STRUCTS } => "a `Vec` of a type the macro \
                 cannot see into (`collect::<Vec<Obs>>()`), collected from a differentiable value: its \
                 derivative cannot be formed\n\
                 help: read the floats where the chain reads them (`ts.iter().zip(ys).map(|(&t, &y)| ..).sum()`), \
                 or, if the data is constant, leave the parameters it is built from out of the \
                 differentiated ones with `#[differentiable(wrt(..))]`"
                .to_string(),
            Diagnostic::ActiveOpaque { what: COLLECTED_INTO_TUPLES } => "a `Vec` of tuples collected \
                 in the body (`collect::<Vec<(f64, f64)>>()`) from a differentiable value is not \
                 supported yet: its derivative cannot be formed\n\
                 help: hold each tuple as an array, `collect::<Vec<[f64; 2]>>()` of items `[a, b]`, \
                 read as `p[0]`, `p[1]` (or `let [a, b] = pts[i];`, `for &[a, b] in &pts`), or read the floats where the chain \
                 reads them"
                .to_string(),
            Diagnostic::ActiveOpaque { what } => format!(
                "{what} of a differentiable value is not supported yet: its derivative cannot be formed\n\
                 help: compute it from constants, or cut the derivative on purpose with `tapeless::no_grad(..)`"
            ),
            Diagnostic::ActiveIndex => "this expression can be indexed only at a literal index\n\
                 help: bind it to a local first (`let w = ..; w[i]`), with its type written where it \
                 is the result of a call the macro cannot see into (`let r: [f64; 2] = g(..);`): a \
                 computed index works on locals holding arrays, `Vec`s, slices and nalgebra values"
                .to_string(),
            Diagnostic::Unsupported { what, help } => {
                if help.is_empty() {
                    format!("{what} is not supported in a `#[differentiable]` function")
                } else {
                    format!("{what} is not supported in a `#[differentiable]` function\nhelp: {help}")
                }
            }
            Diagnostic::UnknownParamType { param, ty } => format!(
                "cannot tell whether parameter `{param}: {ty}` is differentiable\n\
                 help: list the parameters to differentiate, e.g. `#[differentiable(wrt(x, y))]`; \
                 the others are constants (differentiable types: {DIFFERENTIABLE_TYPES})"
            ),
            Diagnostic::ClosureParam { param, ty } => format!(
                "parameter `{param}: {ty}` takes a closure, which has no derivative to pass on\n\
                 help: remove `#[differentiable]` from this function: a function that takes a closure, \
                 without the attribute, is written out where a `#[differentiable]` function calls it \
                 with one, and differentiated there"
            ),
            Diagnostic::UnboundedTypeParam { param, ty, generic } => format!(
                "cannot tell whether parameter `{param}: {ty}` is differentiable: the type parameter \
                 `{generic}` has no float bound\n\
                 help: bound it by `num_traits::Float`, nalgebra's `RealField` or `tapeless::Real` \
                 (`{generic}: Float`) to differentiate it, or list the parameters to differentiate in \
                 `#[differentiable(wrt(..))]`"
            ),
            Diagnostic::GenericDimension { param, ty, generic } => format!(
                "cannot differentiate parameter `{param}: {ty}`: `{generic}` is a generic nalgebra dimension, \
                 and tapeless reads a nalgebra type's size from its name\n\
                 help: write the function for a dynamic size (`DVector<T>`, `DMatrix<T>`) or for a static \
                 one, fixed or a const generic (`SVector<T, N>` with `const N: usize`)"
            ),
            Diagnostic::ImplTypeParam { param, ty, generic } => format!(
                "cannot tell whether parameter `{param}: {ty}` is differentiable: `{generic}` is not a \
                 type parameter of this method, so it is the `impl`'s, whose bounds the attribute on the \
                 method cannot see\n\
                 help: put `#[differentiable]` on the `impl` block as well, which reads its bounds \
                 (`impl<{generic}: Float>`); the methods marked inside it are the ones differentiated"
            ),
            Diagnostic::WrtNotDifferentiable { param, ty } => format!(
                "parameter `{param}: {ty}` has no derivative (differentiable types: {DIFFERENTIABLE_TYPES})\n\
                 help: remove it from `wrt(...)`; it is used as a constant"
            ),
            Diagnostic::AttributeTwice => "`#[differentiable]` is written twice on this function: each would \
                 generate the same items\n\
                 help: keep one attribute, with every option in it, e.g. `#[differentiable(hessian, wrt(x))]`"
                .to_string(),
            Diagnostic::TraitImplMethod { name } => format!(
                "`{name}` is a method of a trait `impl`, which cannot hold the methods `#[differentiable]` \
                 generates (`{name}_jvp`, `{name}_vjp`, `{name}_grad`)\n\
                 help: put `#[differentiable]` on the `impl` block too: the trait impl stays as written, and \
                 the generated methods go into an inherent `impl` of the type beside it"
            ),
            Diagnostic::WrtUnknown { name, of, params } => {
                let list = params.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ");
                let (place, whose) = match of {
                    Some(f) => (format!("`{f}`"), format!("`{f}`'s parameters are")),
                    None => ("any method of this `impl` block".to_string(), "its methods' parameters are".to_string()),
                };
                match params.is_empty() {
                    true => format!(
                        "`wrt` names `{name}`, which is not a parameter of {place}\n\
                         help: {place} has no parameters to differentiate: leave out `wrt(..)`"
                    ),
                    false => format!(
                        "`wrt` names `{name}`, which is not a parameter of {place}\n\
                         help: {whose} {list}: list the ones to differentiate (or leave out `wrt(..)` to \
                         differentiate every differentiable one)"
                    ),
                }
            }
            Diagnostic::WrtPartOfPattern { name, pattern, names } => format!(
                "`wrt` names `{name}`, one of the names the parameter `{pattern}` binds: a parameter \
                 is differentiated whole\n\
                 help: list every name it binds, `wrt({names})`, or none of them"
            ),
            Diagnostic::NothingToDifferentiate => {
                "this function has no parameter to differentiate with respect to\n\
                 help: give it an `f32` or `f64` parameter, or list one in `wrt(...)`"
                    .to_string()
            }
            Diagnostic::Uninitialized { name } => {
                format!("`{name}` is used before it is assigned on every path")
            }
            Diagnostic::BranchShape => {
                "the branches of this `if` give results of different shapes".to_string()
            }
            Diagnostic::SecondOrder { what, help } => format!(
                "second order (`#[differentiable(hessian)]`) does not support {what} yet: its Hessian would \
                 be missing, so this is an error rather than a wrong number\n\
                 help: {help}, or drop `hessian` (first order supports this)"
            ),
            Diagnostic::Jacobian { what, help } => format!(
                "`#[differentiable(jacobian)]` does not support {what}\n\
                 help: {help}; `_jvp` and `_vjp` work without `jacobian`"
            ),
            Diagnostic::SameName { name, option } => format!(
                "`{name}` names both a free function and a function of an `impl` block in this file, each \
                 with `#[differentiable]`, so the generated `{name}_{option}` cannot tell whether to call \
                 `{name}_..` or `Self::{name}_..`\n\
                 help: rename one of the two, or put `#[differentiable]` on the `impl` block too (its \
                 methods keep their own attributes)"
            ),
        }
    }
}

/// An error spanning `at` (from its start token to its end token).
pub fn error_at(at: Loc, message: String) -> syn::Error {
    let ends = [proc_macro2::Ident::new("start", at.start), proc_macro2::Ident::new("end", at.end)];
    syn::Error::new_spanned(quote::quote!(#(#ends)*), message)
}
