//! Reverse mode: `NAME_vjp(params...) -> (value, pullback)` and `NAME_grad(params...) ->
//! (value, gradient)`, without a tape.
//!
//! The primal sweep is the function itself, with two changes: a call of another differentiable
//! function calls its `_vjp` and keeps the pullback (`__pb5`), and an `if` whose adjoint is needed
//! records which branch ran, together with the values of that branch the adjoint reads, in a
//! small generic enum (Swift's "branching trace enum"):
//!
//! ```text
//! let (__v9, __v10) = if __v2 { ...; (__v5, __If10::Then(__v4, __v5)) }
//!                     else    { ...; (__v7, __If10::Else(__v6)) };
//! ```
//!
//! The adjoint sweep (the pullback's body) visits instructions in reverse. Adjoints are
//! symbolic zeros until the first contribution, which declares `let mut __a3 = contribution;`;
//! later ones accumulate. A value defined outside an `if` that receives a contribution inside it
//! is declared zero just before the `match` on the trace. `_grad` is the same code with the seed
//! `1`, inlined rather than behind a closure.
//!
//! The adjoint sweep is built first as a program whose branches and loops are left open
//! (`program.rs`), then planned from that program (`plan.rs`: what each trace and loop stack
//! holds), then printed; the primal sweep is written from the same plan.
//!
//! Layout: this file holds the `Reverse` state and the entry points; `assembly.rs` assembles
//! `_vjp` and `_grad` around the sweeps; `program.rs` the adjoint program, its planning walk and its printing; `adjoints.rs` declares
//! adjoints and adds contributions; `sweep.rs` builds each instruction's adjoint; `loops.rs` is
//! the reverse policy of loops (what is recomputed or saved, which way a backward loop runs,
//! hoisted reads); `plan.rs` the plan; `primal.rs` writes the primal sweep with what it saves.
//!
//! Everything the adjoint reads is a primal SSA value (immutable, so nothing is saved twice) or a
//! pullback; the closure captures exactly those by move.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};

use super::{
    IfLet, Input, adjoint, call_is_active, call_slots, callee, primal_let, private, pullback, tree_tokens,
};
use crate::ir::{ArrayInit, Block, Carried, Form, Inst, Op, Pattern, Statement, Term, Value};
use crate::rules::{Bilinear, Cotangent, Custom, Family, Linear, Read};
use crate::signature::tangent_type;

mod adjoints;
mod assembly;
mod loops;
mod plan;
mod primal;
mod program;
mod sweep;
pub mod tangent;

pub use assembly::emit;
use loops::{Order, body_defs, has_adjoint, loop_key, stack_ident};
use primal::{derivative, trace_enum};
use program::{Add, AddForm, Branch, Item, Loop, Program, Stmts};

/// Something the adjoint sweep reads from the primal sweep.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Slot {
    Value(Value),
    Pullback(Value),
    /// A float value's tangent, saved beside the value where forward mode is printed over the
    /// adjoint program (`tangent/`).
    Tangent(Value),
}

impl Slot {
    fn ident(self) -> syn::Ident {
        match self {
            Slot::Value(v) => v.ident(),
            Slot::Pullback(v) => pullback(v),
            Slot::Tangent(v) => crate::emit::tangent(v),
        }
    }
    fn value(self) -> Value {
        match self {
            Slot::Value(v) | Slot::Pullback(v) | Slot::Tangent(v) => v,
        }
    }
}

/// From how many IR instructions on `_grad` calls `_vjp` and its pullback instead of holding a
/// copy of both sweeps ([`grad_calls_vjp`]).
pub const LONG: usize = 10_000;

/// Whether `_grad` is `_vjp` with the seed `1` (JAX's `grad`) rather than its own copy of the
/// primal and adjoint sweeps: for a function of [`LONG`] instructions or more, where the copy
/// doubles what rustc type-checks and code-generates (a 4 000-statement function has about
/// 20 000) while the call costs little next to the sweeps. Not with a `Result`/`Option` body,
/// a receiver or generics (the call would need them spelled out), nor with second order, which
/// copies `_grad`'s own body into dual numbers.
pub fn grad_calls_vjp(input: &Input, second_order: bool) -> bool {
    let sig = input.sig;
    !second_order
        && sig.wrapper.is_none()
        && sig.receiver.is_none()
        && !crate::emit::sibling_place_unknown(sig)
        && input.item.sig.generics.params.is_empty()
        && input.f.body.walk().len() >= LONG
}

impl<'a> Reverse<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        Reverse {
            input,
            live: HashSet::new(),
            reads: Vec::new(),
            arm_defs: Vec::new(),
            predeclare: Vec::new(),
            plan: plan::Plan::of_sums(input),
            order: Order::of(&input.f.body),
            fresh: 0,
            maybe_zero: HashMap::new(),
            from_maybe_zero: None,
            hoisted: HashMap::new(),
            typed_sources: primal::typed_heap_sources(input),
            span: proc_macro2::Span::call_site(),
            tangents: None,
        }
    }
}

/// The adjoint sweep of `_vjp`'s pullback, with what it needs: the pattern taking the seed
/// apart (`(__c0, __c1)`) and its leaves, and the active arrays, whose adjoints are declared
/// before it (`array_adjoints`).
struct AdjointSweep<'a> {
    /// Built and planned, not yet printed.
    program: Program<'a>,
    seed_pattern: Pattern,
    seed_leaves: Vec<(Value, syn::Ident)>,
    arrays: Vec<Value>,
}

impl<'a> Reverse<'a> {
    /// The adjoint sweep, built as a program and planned (`self.plan`, what the primal sweep
    /// must keep); [`Reverse::print`] prints it.
    fn sweep(&mut self, seed_leaves: &[(Value, syn::Ident)], arrays: &[Value]) -> Program<'a> {
        let input = self.input;
        self.open();
        let mut seed = Stmts::default();
        for (v, c) in seed_leaves {
            if input.act.active(*v) {
                seed.extend(self.contribute(*v, Term::Name(c.clone())));
            }
        }
        let mut items = Vec::new();
        seed.append_to(&mut items);
        self.block(&input.f.body, &mut items);
        let mut program = self.close(items);
        // Every primal slot the sweep reads: arms and loops pass up what they read from outside.
        self.plan.read = self.plan_block(&mut program);
        self.plan.lend(input, arrays);
        program
    }

    /// The adjoint sweep with its seed, the arrays' adjoints to declare before it, and its plan.
    fn adjoint_sweep(&mut self) -> AdjointSweep<'a> {
        let input = self.input;
        let mut seed_leaves = Vec::new();
        let mut leaf = 0usize;
        let seed_pattern = crate::emit::tree_pattern(&input.f.output, &mut |v| {
            let c = format_ident!("__c{}", leaf, span = proc_macro2::Span::mixed_site());
            leaf += 1;
            seed_leaves.push((v, c.clone()));
            Pattern::Name(c)
        });
        // Arrays are mutable: their adjoints are declared (zero) up front, updated in place. The
        // declarations are written once the sweep is known (`array_adjoints`).
        let arrays: Vec<Value> = input
            .f
            .body
            .insts
            .iter()
            .flat_map(|inst| &inst.results)
            .copied()
            .filter(|v| super::is_array(input, *v) && input.act.active(*v) && !input.summed.contains_key(v))
            .collect();
        self.live.extend(arrays.iter().copied());
        let program = self.sweep(&seed_leaves, &arrays);
        AdjointSweep { program, seed_pattern, seed_leaves, arrays }
    }
}

/// The plan of `input`'s reverse sweep, printed (`plan::Plan::dump`): per branch and loop, what
/// the primal sweep keeps for the adjoint sweep, what a backward iteration recomputes, which way
/// it runs and what it hoists.
pub fn plan(input: &Input) -> String {
    let mut r = Reverse::new(input);
    r.adjoint_sweep();
    r.plan.dump()
}

/// The adjoint program of `input`'s reverse sweep once planned, printed one statement per line
/// (`program::Reverse::dump`): the code, each `match` on a trace with what its arms saved, each
/// backward loop with its pops and recomputations.
pub fn program(input: &Input) -> String {
    let mut r = Reverse::new(input);
    let sweep = r.adjoint_sweep();
    let mut out = String::new();
    r.dump(&sweep.program, 0, &mut out);
    out
}

/// Why an adjoint may be exactly zero at run time.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Zero {
    /// Taken from an overwritten element, or an element or field of a value whose adjoint may
    /// not reach it: the value was computed on the path that ran. Products keep their plain
    /// adjoint here (an operand is finite wherever the values that ran are), which keeps
    /// accumulation loops (`out[k] += x * f`) branch-free.
    Taken,
    /// Declared zero before a branch or loop, or carried out of a loop whose result nothing
    /// used: the value may have been computed only for a path that did not run (`1.0 / x` at
    /// `x = 0` beside `if piecewise(x > 0.0)`), so even a product's operand may be infinite.
    Unused,
}

impl Reverse<'_> {
    /// Records that `v`'s adjoint may be zero, for `why` (the stronger reason is kept).
    fn may_be_zero(&mut self, v: Value, why: Zero) {
        let entry = self.maybe_zero.entry(v).or_insert(why);
        *entry = (*entry).max(why);
    }

    /// Why the adjoint of some of `values` may be zero (the strongest reason), if it may.
    fn zero_reason(&self, values: &[Value]) -> Option<Zero> {
        values.iter().filter_map(|v| self.maybe_zero.get(v)).max().copied()
    }
}

struct Reverse<'a> {
    input: &'a Input<'a>,
    /// Values whose adjoint variable is declared in the current scope.
    live: HashSet<Value>,
    /// Per block of the adjoint program being built (innermost last): the slots its own code
    /// reads ([`Reverse::open`], [`Reverse::close`]).
    reads: Vec<BTreeSet<Slot>>,
    /// Per arm: the values it defines.
    arm_defs: Vec<HashSet<Value>>,
    /// Per arm: values defined outside it that it contributes to while their adjoint is still
    /// zero; they are declared before the `match`.
    predeclare: Vec<BTreeSet<Value>>,
    /// What the primal sweep keeps for the adjoint sweep, and how loops run backward: computed
    /// from the adjoint program before it is printed ([`Reverse::plan_block`]), read by the
    /// printing and the primal sweep.
    plan: plan::Plan,
    /// Program order of instructions (pre-order), for deciding what a loop may recompute.
    order: Order,
    /// Counter for temporaries.
    fresh: usize,
    /// Values whose adjoint may be exactly zero at run time although contributions exist in
    /// the code, and why ([`Zero`]). Their nonlinear rules multiply with a strong zero
    /// (`0 * partial = 0` even where the partial is NaN or infinite, as at `sqrt(-1)` in a
    /// branch that did not run), as hand-written code that never evaluates that partial would;
    /// products only where the value may be unused ([`Zero::Unused`]).
    maybe_zero: HashMap<Value, Zero>,
    /// Why the adjoint being propagated may be zero, if it may.
    from_maybe_zero: Option<Zero>,
    /// Loads in a loop body at an index the loop does not change (`x[i]` in a loop over `j`),
    /// keyed by array and index: their contributions add into a scalar (`__hoist2`) that is
    /// added into the array's adjoint once, after the backward loop (`Reverse::hoist_loads`).
    hoisted: HashMap<(Value, Vec<Value>), syn::Ident>,
    /// The values typed `let`s of a `DVector`/`DMatrix` borrow (`primal::typed_heap_sources`).
    typed_sources: HashSet<Value>,
    /// The span of the instruction whose adjoint is being built: its terms' operators carry it.
    span: proc_macro2::Span,
    /// Printing forward mode over the program too (a printed `_hvp`): each statement followed
    /// by its tangent (`tangent/`).
    tangents: Option<tangent::Tangents<'a>>,
}

/// Whether a record parameter is read only through its fields or elements (never passed to a
/// call, whose pullback would contribute to the whole record, nor copied whole, `let d =
/// data.to_vec();`, whose adjoint is added to it whole).
fn only_fields_read(b: &Block, record: Value) -> bool {
    !b.any(&mut |inst| {
        matches!(inst.op, Op::Call { .. } | Op::NewArray(crate::ir::ArrayInit::Copy { .. }))
            && inst.op.operands().contains(&record)
    })
}

/// How many instructions read field `member` of `record`. A static vector field read whole
/// and by index (`p.v.norm_squared() + p.v[1]`) is two reads, whose adjoints add up: assigning
/// each to the field (as a field read once may) kept only the last (a wrong gradient, found in
/// the thirteenth session).
pub(super) fn field_reads(b: &Block, record: Value, member: &syn::Member) -> usize {
    b.walk()
        .into_iter()
        .filter(
            |inst| matches!(&inst.op, Op::Field { base, member: m, .. } if *base == record && m == member),
        )
        .count()
}
