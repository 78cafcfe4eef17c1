//! The adjoint sweep as a program, in three steps:
//! 1. **Built** in reverse over the IR (`sweep.rs`, `loops.rs`). Straight-line adjoint code is
//!    tokens. Each `if` is a [`Branch`] whose trace is not yet known, and each loop a [`Loop`]
//!    whose stack, recomputed values and direction are not yet known. Every block records the
//!    primal slots its own code reads.
//! 2. **Planned** (`plan.rs`) from the program alone, before anything is printed. What each
//!    branch saves in its trace, what each loop pushes or recomputes and which way it runs, and
//!    what the pullback captures.
//! 3. **Printed** ([`Reverse::print`]) with the plan: the `match` on each trace, each backward
//!    loop's header, pops and recomputations. The primal sweep is then written from the same
//!    plan (`primal.rs`).

use super::loops::Shifted;
use super::*;

/// A block of the adjoint sweep.
#[derive(Default)]
pub(super) struct Program<'a> {
    pub(super) items: Vec<Item<'a>>,
    /// The primal slots this block's own code reads (its branches' and loops' are theirs).
    pub(super) reads: BTreeSet<Slot>,
}

pub(super) enum Item<'a> {
    /// Adjoint code that needs nothing from the plan.
    Code(TokenStream),
    /// The adjoint of an `if`: a `match` on its trace.
    Branch(Box<Branch<'a>>),
    /// The adjoint of a loop: its iterations backward.
    Loop(Box<Loop<'a>>),
}

/// The adjoint of an `if` whose trace records which arm ran.
pub(super) struct Branch<'a> {
    /// Adjoints declared zero before the `match` (contributed to in one arm only).
    pub(super) before: TokenStream,
    pub(super) trace: Value,
    pub(super) span: proc_macro2::Span,
    /// The then and else arms: the primal block and its adjoint.
    pub(super) arms: [(&'a Block, Program<'a>); 2],
}

/// The adjoint of a `for`, `while` or `loop`.
pub(super) struct Loop<'a> {
    /// The loop instruction (`Op::For` or `Op::Loop`).
    pub(super) inst: &'a Inst,
    /// Adjoints, carried adjoints and hoisted sums declared before the backward loop.
    pub(super) before: TokenStream,
    /// One backward iteration, without what it pops and recomputes.
    pub(super) body: Program<'a>,
    /// Loads of `x[i]` and `x[i + 1]` summed in registers (`Reverse::shift_loads`).
    pub(super) shifted: Option<Shifted>,
    /// Loads at an index the loop does not change, by array and index, summed in a scalar
    /// (`Reverse::hoist_loads`).
    pub(super) hoisted: Vec<(Value, Vec<Value>)>,
    /// Hoisted sums added once and the initial values' contributions, after the backward loop.
    pub(super) after: TokenStream,
}

impl<'a> Reverse<'a> {
    /// Starts a block: the slots read from here on are its own, until [`Reverse::close`].
    pub(super) fn open(&mut self) {
        self.reads.push(BTreeSet::new());
    }

    /// Ends the block started by the last [`Reverse::open`].
    pub(super) fn close(&mut self, items: Vec<Item<'a>>) -> Program<'a> {
        Program { items, reads: self.reads.pop().unwrap_or_default() }
    }

    /// The program printed as Rust, with the plan's decisions.
    pub(super) fn print(&self, program: Program) -> TokenStream {
        let mut out = TokenStream::new();
        for item in program.items {
            match item {
                Item::Code(code) => out.extend(code),
                Item::Branch(b) => out.extend(self.print_branch(*b)),
                Item::Loop(l) => out.extend(self.print_loop(*l)),
            }
        }
        out
    }

    /// `let __v3 = &__v3;` for each `DVector`/`DMatrix` of `saved`: a trace or a loop's stack
    /// holds it owned (`saved_item`), the sweep reads it by reference.
    pub(super) fn borrow_saved(&self, saved: &[Slot]) -> TokenStream {
        saved
            .iter()
            .filter_map(|s| match s {
                Slot::Value(v) if crate::emit::is_heap(self.input, *v) => {
                    let i = v.ident();
                    Some(quote!(let #i = &#i;))
                }
                _ => None,
            })
            .collect()
    }

    /// `match __v9 { __If9::Then(..) => { .. } __If9::Else(..) => { .. } }`, binding what each
    /// arm saved.
    fn print_branch(&self, b: Branch) -> TokenStream {
        let Branch { before, trace, span, arms: [(_, then_program), (_, else_program)] } = b;
        let (t, ty) = (trace.ident(), trace_enum(trace));
        let [then_saved, else_saved] =
            self.plan.branches.get(&trace).map(|[t, e]| [&t[..], &e[..]]).unwrap_or_default();
        let (ts, es) = (then_saved.iter().map(|s| s.ident()), else_saved.iter().map(|s| s.ident()));
        let (then_borrow, else_borrow) = (self.borrow_saved(then_saved), self.borrow_saved(else_saved));
        let (then_code, else_code) = (self.print(then_program), self.print(else_program));
        let mut out = before;
        out.extend(quote_spanned!(span=> match #t {
            #ty::Then(#(#ts),*) => { #then_borrow #then_code }
            #ty::Else(#(#es),*) => { #else_borrow #else_code }
        }));
        out
    }
}

impl Reverse<'_> {
    /// Plans `program` and the branches and loops in it, innermost first: what each arm saves
    /// in its trace (the slots it reads that it defines), what each loop pushes and recomputes
    /// ([`Reverse::plan_loop`]). Returns the slots the block reads from outside it.
    pub(super) fn plan_block(&mut self, program: &Program) -> BTreeSet<Slot> {
        let mut reads = program.reads.clone();
        for item in &program.items {
            match item {
                Item::Code(_) => {}
                Item::Branch(b) => {
                    let mut saved: [Vec<Slot>; 2] = Default::default();
                    for ((block, arm), saved) in b.arms.iter().zip(&mut saved) {
                        let defs = body_defs(block);
                        for slot in self.plan_block(arm) {
                            if defs.contains(&slot.value()) {
                                saved.push(slot);
                            } else {
                                reads.insert(slot);
                            }
                        }
                    }
                    self.plan.branches.insert(b.trace, saved);
                }
                Item::Loop(l) => {
                    let body = self.plan_block(&l.body);
                    reads.extend(self.plan_loop(l, body));
                }
            }
        }
        reads
    }
}
