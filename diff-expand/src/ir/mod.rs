//! The intermediate representation: an untyped, SSA-like tree of instructions.
//!
//! A function body becomes a [`Block`] of [`Inst`]s. Every instruction defines fresh [`Value`]s
//! (SSA: a value is assigned once; a reassigned Rust variable becomes a new value). Control flow
//! is structured: an `if` is one instruction holding two blocks and the values that merge at its
//! end (its results are the phis). There are no types: `a * b` is "multiply", and rustc decides
//! what that means for the operands' types when it compiles the emitted code.
//!
//! Invariants (established by `lower`, relied on by every later pass):
//! - each `Value` is defined by exactly one instruction (or is an `If`'s auxiliary trace slot),
//!   before any use, in the block that dominates its uses;
//! - `Prim` operands are in the order of the rule's `args`;
//! - `If::then_out`/`else_out` have one entry per result of the `If`.
//!
//! [`dump`] prints the IR as text (`v3 = mul v1, v2`), which the unit tests compare.

use proc_macro2::{Span, TokenStream};

use crate::rules::Rule;

#[cfg(test)]
mod dump;
mod loc;
mod statement;
mod term;
mod walk;
#[cfg(test)]
pub use self::dump::dump;
pub use self::statement::{Pattern, Statement};
pub use self::term::{BinOp, Term};

/// Where a construct is in the user's code: its first and last token. An error spanned with
/// both underlines the whole construct on stable Rust (where spans cannot be joined).
#[derive(Copy, Clone, Debug)]
pub struct Loc {
    pub start: Span,
    pub end: Span,
}

impl Loc {
    /// The location of some syntax.
    pub fn of(tokens: &dyn quote::ToTokens) -> Loc {
        let mut iter = tokens.to_token_stream().into_iter();
        let start = iter.next().map_or_else(Span::call_site, |t| t.span());
        let end = iter.last().map_or(start, |t| t.span());
        Loc { start, end }
    }

    /// Whether `other` starts and ends where this does (by line and column).
    pub fn same_place(&self, other: &Loc) -> bool {
        let lines = |l: &Loc| (l.start.start(), l.end.end());
        let ((a, b), (c, d)) = (lines(self), lines(other));
        (a.line, a.column, b.line, b.column) == (c.line, c.column, d.line, d.column)
    }

    /// The span to emit code under (for `quote_spanned!`).
    pub fn span(self) -> Span {
        self.start
    }
}

impl From<Span> for Loc {
    fn from(span: Span) -> Loc {
        Loc { start: span, end: span }
    }
}

/// An SSA value, printed `v3`.
#[derive(Copy, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Value(pub u32);

impl Value {
    /// The local that holds this value in emitted code: `__v3`. Mixed-site hygiene, so it can
    /// never capture or shadow a name of the user's.
    pub fn ident(self) -> syn::Ident {
        quote::format_ident!("__v{}", self.0, span = Span::mixed_site())
    }
}

/// What the lowering knows of a value's type from syntax alone.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A floating-point value (float literal, float parameter, result of float arithmetic).
    Float,
    /// An integer or `bool`: never differentiable.
    Discrete,
    /// Not known from syntax.
    Unknown,
    /// An array of floats: a mutable slot in emitted code (`let mut __v3`), written in place by
    /// [`Op::Store`].
    Array(ArrayKind),
    /// A dynamically sized nalgebra value (`DVector`, `DMatrix`, or a value computed from one
    /// that keeps its shape): not `Copy`, so emitted code holds it once and reads it through a
    /// reference (`let __o3 = ..; let __v3 = &__o3;`); loops and branches own the ones that
    /// cross their edges (`emit::CarryLines`, `emit::merged_names`).
    Heap,
}

/// How an array is held, which decides what `let b = a` does.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum ArrayKind {
    /// `Vec<T>`: moved by `let`.
    Vec,
    /// `[T; N]`: copied by `let`.
    Fixed,
    /// `&[T]`: a shared reference, copied by `let`, never written.
    Slice,
    /// A parameter of a type the macro cannot see into (a `#[derive(Differentiable)]` struct),
    /// listed in `wrt(...)`: its fields are read through [`Op::Field`].
    Record,
}

/// Side table entry of a value.
#[derive(Clone, Debug)]
pub struct ValueInfo {
    /// What syntax tells about its type.
    pub kind: Kind,
    /// The user's variable this value was first bound to (`let t = ..`, `s += ..`), for the
    /// dependency chains of activity errors.
    pub name: Option<String>,
}

/// How a primitive was written, so the primal is emitted exactly as the user wrote it.
#[derive(Clone, Debug)]
pub enum Form {
    /// `a op b` or `op a`.
    Operator(TokenStream),
    /// `a.name(b, ...)`.
    Method(syn::Ident),
    /// `a.name(&b, ...)`: the arguments were written by reference (nalgebra's `a.dot(&b)`).
    MethodRef(syn::Ident),
    /// `path(a, b, ...)`, e.g. `f64::sin(x)`.
    Path(syn::Path),
    /// `a as Ty`.
    Cast(Box<syn::Type>),
    /// The expression as written, locals renamed (`v.iter().sum::<f64>()`).
    Verbatim(TokenStream),
    /// `let _: Ty = a`.
    Typed(Box<syn::Type>),
    /// `a[k]` into a nalgebra value (not an array): with a literal index `k` (`0`, `(1, 2)`) when
    /// the instruction has one argument, else empty, the index being the arguments after the
    /// first (`v[i]`, `m[(i, j)]`). See [`Form::index`].
    Index(TokenStream),
    /// `m.column(j)`, `m.rows(i, n)`, `m.fixed_rows::<N>(i)`: a part of a nalgebra value, the
    /// method as written and its turbofish (maybe empty); the primal is an owned copy
    /// (`.into_owned()`).
    Part { method: syn::Ident, turbofish: TokenStream },
    /// `m.map(|e| ..)`: the closure became the scalar function named here (with its own
    /// `_jvp` and `_grad`), and the primal is `m.map(name)`.
    Map(syn::Ident),
}

impl Form {
    /// The method and turbofish of a part (`Form::Part`), or of a part's rule found as a plain
    /// method call (`Form::Method`, no turbofish: a receiver of unknown kind).
    pub fn part(&self) -> Option<(&syn::Ident, TokenStream)> {
        match self {
            Form::Part { method, turbofish } => Some((method, turbofish.clone())),
            Form::Method(method) => Some((method, TokenStream::new())),
            _ => None,
        }
    }

    /// The index of an entry (`Form::Index`) as written between the brackets: the literal, or
    /// `__v5` / `(__v5, __v6)` for index values `args[1..]`.
    pub fn index(&self, args: &[Value]) -> TokenStream {
        match (self, args) {
            (Form::Index(k), [_]) => k.clone(),
            (_, [_, i]) => {
                let i = i.ident();
                quote::quote!(#i)
            }
            (_, [_, rest @ ..]) => {
                let rest = rest.iter().map(|v| v.ident());
                quote::quote!((#(#rest),*))
            }
            _ => TokenStream::new(),
        }
    }
}

/// The callee of a call that is not a primitive: composed through its `_jvp`/`_vjp`.
#[derive(Clone, Debug)]
pub enum Callee {
    /// `path(args)`.
    Path(syn::ExprPath),
    /// `receiver.name(args)` on a constant receiver.
    Method { receiver: Value, name: syn::Ident, turbofish: Option<syn::AngleBracketedGenericArguments> },
}

/// How a call of a callee returning `Result`/`Option` is unwrapped, written after the call.
#[derive(Clone, Debug)]
pub enum Unwrap {
    /// `.unwrap()` or `.expect(..)`, as written (spanned at the user's method).
    Method(TokenStream),
    /// `?`.
    Question(syn::Token![?]),
}

impl quote::ToTokens for Unwrap {
    fn to_tokens(&self, tokens: &mut TokenStream) {
        match self {
            Unwrap::Method(m) => m.to_tokens(tokens),
            Unwrap::Question(q) => q.to_tokens(tokens),
        }
    }
}

/// An operation.
#[derive(Clone, Debug)]
pub enum Op {
    /// The function parameter with this index.
    Param(usize),
    /// A literal.
    Lit(syn::Lit),
    /// An expression the IR does not model (a path, a field of a constant, an index, ...): its
    /// tokens with local variables already renamed, and the values it reads. Fine on constants;
    /// `what` words the error when it reads a differentiable value.
    Opaque { tokens: TokenStream, reads: Vec<Value>, what: Opaque },
    /// A primitive with a rule in the table.
    Prim { rule: &'static Rule, args: Vec<Value>, form: Form },
    /// `array[index][..]`.
    Load { array: Value, index: Vec<Value> },
    /// `array[index][..] = value`, in place. Defines no value.
    Store { array: Value, index: Vec<Value>, value: Value },
    /// A new array.
    NewArray(ArrayInit),
    /// `array` made anew, in place, by `init` (a constant one, `vec![0.0; n]`): an array of a run-time length made inside a branch (after a guard's early
    /// `return`), whose value is a placeholder made at the function's top level
    /// (`lower::arrays::refilled`), so the array and its tangent and adjoint live at the top
    /// level as every array's do. Defines no value.
    ///
    /// `before` is the array's length before the refill (a discrete value the primal sweep
    /// reads), for an array whose length may change from one loop iteration to the next (a
    /// layer's activations, `h = w.iter().map(..).collect()`): the reverse sweep gives the
    /// adjoint that length back. `None` where every refill makes the same length.
    Refill { array: Value, init: ArrayInit, before: Option<Value> },
    /// `base.member` of a record parameter: a float (`array: false`) or an array read in place
    /// (`array: true`, emitted as `&base.member`). Linear: its tangent is the tangent's field, its
    /// adjoint is added into the record's adjoint field.
    Field { base: Value, member: syn::Member, array: bool },
    /// `Name { a: x, b: y }`: a `#[derive(Differentiable)]` struct built from values (a record),
    /// or with no `path` a tuple `(x, y)` whose fields are `0`, `1`, .. (a tuple passed whole to
    /// a call, `lower::composition::tuple_argument`). Linear: its tangent is the zero tangent
    /// with the fields' tangents written in, each field's adjoint is the record adjoint's field.
    Construct { path: Option<syn::Path>, fields: Vec<(syn::Member, Value)> },
    /// `for var in start..end` (or `..=`): `body` runs once per index. Each variable the body
    /// reassigns is `carried`: its value at the start of an iteration is `header` (defined by
    /// the loop), at the end `next`; the loop's results are the values after the last iteration.
    For { var: Value, start: Value, end: Value, inclusive: bool, body: Block, carried: Vec<Carried> },
    /// `while`/`loop`: runs `body` until the value `go` it computes is false (it is true while
    /// neither the condition failed nor a `break` ran). `count` names the number of iterations,
    /// which the reverse sweep records. Carried variables as in `For`.
    Loop { body: Block, carried: Vec<Carried>, go: Value, count: Value },
    /// A call of another differentiable (or hand-derived) function. `shape` is its result as
    /// destructured by the caller (leaves: the instruction's results).
    /// `borrowed[i]`: argument `i` was written `&array` (passed by reference, its tangent and
    /// cotangent whole).
    /// `unwrap`: how the caller unwraps a callee returning `Result`/`Option` (`.unwrap()`,
    /// `.expect(..)`, `?`), written after the call in every generated item
    /// (`lower::fallible_calls`).
    Call { callee: Callee, args: Vec<Value>, shape: Tree, borrowed: Vec<bool>, unwrap: Option<Unwrap> },
    /// `no_grad(arg)`: the value of `arg`, as a constant.
    NoGrad(Value),
    /// Structured `if`. `trace` is an auxiliary value naming the reverse sweep's record of the
    /// branch taken.
    If {
        cond: Value,
        /// The condition as written, and the keyword that introduced it (`if` or `while`), for
        /// diagnostics.
        cond_span: Loc,
        keyword: &'static str,
        piecewise: bool,
        then_block: Block,
        else_block: Block,
        then_out: Vec<Value>,
        else_out: Vec<Value>,
        trace: Value,
    },
    /// Placeholder after a reported error; never emitted.
    Error,
}

/// How a new array is made.
#[derive(Clone, Debug)]
pub enum ArrayInit {
    /// `vec![c; n]`, `[c; N]` with a constant `c`, or a nalgebra vector the function writes by
    /// index (`DVector::zeros(n)`): the expression as written (locals renamed).
    Constant { tokens: TokenStream, reads: Vec<Value> },
    /// `[a, b, c]` or `vec![a, b, c]`.
    Elements { elements: Vec<Value>, vec: bool },
    /// A copy of another array: `a.to_vec()`, `a.clone()`, `let b = a` for `[T; N]`.
    Copy { source: Value, tokens: TokenStream },
}

/// A variable reassigned in a loop body.
#[derive(Clone, Debug)]
pub struct Carried {
    pub header: Value,
    pub init: Value,
    pub next: Value,
}

/// What an opaque expression is, for the error when it reads a differentiable value.
#[derive(Clone, Debug)]
pub enum Opaque {
    /// An expression form (`indexing`, `a field access`, ...).
    Form(&'static str),
    /// `f64::name(args)` with no rule.
    FloatFunction { name: String, arity: usize },
    /// `a as T` with `T` not known to be a float or an integer.
    Cast(String),
    /// `&y` of `let y = g(..)`: the macro cannot see the type `g` returns.
    UntypedCallResult,
    /// `y[0]` of `let y = g(..)`, the same.
    UntypedCallEntry,
    /// An iterator adaptor the lowering does not follow (`scan`, `cycle`, ..), by name.
    Adaptor(String),
    /// A nalgebra function with no rule (`Matrix3::from_partial_diagonal`), by type and name.
    NalgebraFunction(String),
    /// A function of the `libm` crate with no rule (`libm::tgamma`), by name.
    LibmFunction(String),
    /// `r.__tapeless_wrt_step_1_01()`: the marker of a recorded method (`signature::registry`)
    /// that a call relies on, called on its receiver; reads it, computes nothing.
    Marker,
    /// A search by a closure (`position`, `partition_point`, `find`, ..), by method name;
    /// `accepted` when it gives an index and its predicate is `tapeless::piecewise(..)`.
    Search { method: String, accepted: bool },
    /// The order that sorts a local array (`lower::mutations::sorted`): indices found by
    /// comparing its entries, which the gather after it follows. Sorting is continuous, with kinks
    /// where two entries are equal, as `max` has: accepted, and no condition is tainted by it.
    Permutation,
    /// A method call with a closure argument kept as written (`r.map_err(|_| ..)`,
    /// `v.retain(|&e| e > 0.0)`), by method name.
    ClosureMethod(String),
    /// `g(x).unwrap_or_else(|| ..)`, `map_or`, `map_or_else` of a call of a function with the
    /// attribute (by `name` and `callee`), kept as written: on a differentiable argument, its
    /// fallback is taken where the call fails, which moves with the argument.
    FallbackOfCall { name: String, callee: String },
}

/// An instruction: an operation and the values it defines.
#[derive(Clone, Debug)]
pub struct Inst {
    pub results: Vec<Value>,
    pub op: Op,
    pub span: Loc,
}

/// A straight-line sequence of instructions.
#[derive(Clone, Debug, Default)]
pub struct Block {
    pub insts: Vec<Inst>,
}

/// The result of a function: a tree of values (tuples nest).
#[derive(Clone, Debug, PartialEq)]
pub enum Tree {
    Leaf(Value),
    Tuple(Vec<Tree>),
}

impl Tree {
    /// The leaves, left to right.
    pub fn leaves(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<Value>) {
        match self {
            Tree::Leaf(v) => out.push(*v),
            Tree::Tuple(items) => items.iter().for_each(|t| t.collect(out)),
        }
    }
}

/// A lowered function.
#[derive(Clone, Debug)]
pub struct Function {
    pub body: Block,
    pub output: Tree,
    pub values: Vec<ValueInfo>,
}

impl Function {
    pub fn info(&self, v: Value) -> &ValueInfo {
        &self.values[v.0 as usize]
    }

    /// How many times each value is read: as an operand anywhere, as a branch's or loop's
    /// outgoing value, or as a result.
    pub fn uses(&self) -> std::collections::HashMap<Value, usize> {
        let mut uses = std::collections::HashMap::new();
        for inst in self.body.walk() {
            for v in inst.op.operands().into_iter().chain(inst.op.outgoing()) {
                *uses.entry(v).or_default() += 1;
            }
        }
        for v in self.output.leaves() {
            *uses.entry(v).or_default() += 1;
        }
        uses
    }
}

impl Op {
    /// The values a branch's arms or a loop's body hand out (each arm's results, each carried
    /// value's next): read by the instruction, though not operands of it.
    pub fn outgoing(&self) -> Vec<Value> {
        match self {
            Op::If { then_out, else_out, .. } => then_out.iter().chain(else_out).copied().collect(),
            Op::For { carried, .. } | Op::Loop { carried, .. } => carried.iter().map(|c| c.next).collect(),
            _ => Vec::new(),
        }
    }

    /// The values this operation reads, in order (for an `If`: only the condition; the blocks'
    /// own reads belong to their instructions).
    pub fn operands(&self) -> Vec<Value> {
        match self {
            Op::Param(_) | Op::Lit(_) | Op::Error => Vec::new(),
            Op::Opaque { reads, .. } => reads.clone(),
            Op::Prim { args, .. } => args.clone(),
            Op::Call { callee, args, .. } => {
                let mut out = Vec::new();
                if let Callee::Method { receiver, .. } = callee {
                    out.push(*receiver);
                }
                out.extend(args);
                out
            }
            Op::NoGrad(v) => vec![*v],
            Op::If { cond, .. } => vec![*cond],
            Op::Load { array, index } => std::iter::once(*array).chain(index.iter().copied()).collect(),
            Op::Store { array, index, value } => {
                std::iter::once(*array).chain(index.iter().copied()).chain([*value]).collect()
            }
            Op::NewArray(ArrayInit::Constant { reads, .. }) => reads.clone(),
            Op::Refill { array, init: ArrayInit::Constant { reads, .. }, before } => {
                std::iter::once(*array).chain(reads.iter().copied()).chain(*before).collect()
            }
            Op::Refill { array, before, .. } => std::iter::once(*array).chain(*before).collect(),
            Op::NewArray(ArrayInit::Elements { elements, .. }) => elements.clone(),
            Op::NewArray(ArrayInit::Copy { source, .. }) => vec![*source],
            Op::Field { base, .. } => vec![*base],
            Op::Construct { fields, .. } => fields.iter().map(|(_, v)| *v).collect(),
            Op::For { start, end, carried, .. } => {
                let mut out = vec![*start, *end];
                out.extend(carried.iter().map(|c| c.init));
                out
            }
            Op::Loop { carried, .. } => carried.iter().map(|c| c.init).collect(),
        }
    }
}
