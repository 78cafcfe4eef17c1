//! The adjoint sweep as a program, in three steps:
//! 1. **Built** in reverse over the IR (`sweep.rs`, `loops.rs`). Each contribution to an adjoint
//!    is an [`Add`] of a derivative term ([`Term`]: the rule's partials times `ȳ`, a transpose,
//!    `ȳ` itself); the rest of the straight-line adjoint code is [`Statement`]s (declarations,
//!    pullback calls, updates in place of an element, a field or a part). Each `if` is a
//!    [`Branch`] whose trace is not yet known, and each loop a
//!    [`Loop`] whose stack, recomputed values and direction are not yet known. Every block
//!    records the primal slots its own code reads.
//! 2. **Planned** (`plan.rs`) from the program alone, before anything is printed. What each
//!    branch saves in its trace, what each loop pushes or recomputes and which way it runs, and
//!    what the pullback captures. The plan puts each loop's [`Item::Pop`] and
//!    [`Item::Recompute`] at the head of its body.
//! 3. **Printed** ([`Reverse::print`]) with the plan: the `match` on each trace, each backward
//!    loop's header in its direction. The primal sweep is then written from the same plan
//!    (`primal.rs`), and [`Reverse::dump`] prints the program for the tests and the `expand`
//!    example (`--adjoint`).

use super::loops::Shifted;
use super::*;

/// A block of the adjoint sweep.
pub(super) struct Program<'a> {
    pub(super) items: Vec<Item<'a>>,
    /// The primal slots this block's own code reads (its branches' and loops' are theirs).
    pub(super) reads: BTreeSet<Slot>,
}

pub(super) enum Item<'a> {
    /// A statement that needs nothing from the plan, with the span of the instruction it is
    /// the adjoint of.
    Do(Statement, proc_macro2::Span),
    /// An addition into an adjoint, or its declaration at the first contribution.
    Add(Add),
    /// The adjoint of an `if`: a `match` on its trace.
    Branch(Box<Branch<'a>>),
    /// The adjoint of a loop: its iterations backward.
    Loop(Box<Loop<'a>>),
    /// At the head of a backward iteration (the plan puts it there): the values the primal
    /// iteration pushed on the loop's stack, popped.
    Pop { stack: Value, slots: Vec<Slot> },
    /// After the pop: the loop's instructions whose values the backward iteration recomputes.
    Recompute(Vec<&'a Inst>),
}

/// `v̄ += expr`: a contribution to the adjoint of `to`.
pub(super) struct Add {
    pub(super) to: Value,
    pub(super) expr: Term,
    pub(super) form: AddForm,
    /// The instruction's span, which the term's operators carry.
    pub(super) span: proc_macro2::Span,
}

/// How an [`Add`] is written, by the adjoint's type and whether it declares it.
#[derive(Clone, Copy)]
pub(super) enum AddForm {
    /// The first contribution: `let mut ā = expr;`.
    Declare,
    /// The first contribution to a `DVector`/`DMatrix`'s adjoint, which owns its storage (a
    /// contribution may be a reference): `let mut ā = owned(expr);`.
    DeclareOwned,
    /// To a float's adjoint: `ā = ā + (expr);` (`Float` has no `+=`), which a long function
    /// type-checks and builds faster than the generic `accumulate`.
    Float,
    /// To a `DVector`/`DMatrix`'s adjoint: `ā += expr;` (a reference or an owned value).
    Heap,
    /// To any other adjoint (static matrices, arrays, records): `accumulate(&mut ā, expr);`.
    Accumulate,
}

impl Add {
    /// The addition as a statement of its form.
    pub(super) fn statement(&self) -> Statement {
        let (a, expr) = (Term::Adjoint(self.to), self.expr.clone());
        match self.form {
            AddForm::Declare => Statement::bind_mut(Pattern::Adjoint(self.to), expr),
            AddForm::DeclareOwned => {
                Statement::bind_mut(Pattern::Adjoint(self.to), Term::runtime("owned", vec![expr]))
            }
            AddForm::Float => Statement::Set { place: a.clone(), value: a.add(expr.paren()) },
            AddForm::Heap => Statement::AddTo { place: a, value: expr },
            AddForm::Accumulate => Statement::accumulate(a, expr),
        }
    }
}

/// Straight-line adjoint code as it is built: statements and additions, in order.
#[derive(Default)]
pub(super) struct Stmts(Vec<Stmt>);

pub(super) enum Stmt {
    Do(Statement, proc_macro2::Span),
    Add(Add),
}

impl Stmts {
    /// Appends `more` (a statement, an [`Add`], or several).
    pub(super) fn extend(&mut self, more: impl Into<Stmts>) {
        self.0.extend(more.into().0);
    }

    /// Appends `statement`, the adjoint of the instruction at `span`.
    pub(super) fn push(&mut self, statement: Statement, span: proc_macro2::Span) {
        self.0.push(Stmt::Do(statement, span));
    }

    /// The statements as items of a program, appended to `items`.
    pub(super) fn append_to(self, items: &mut Vec<Item>) {
        items.extend(self.0.into_iter().map(|stmt| match stmt {
            Stmt::Do(statement, span) => Item::Do(statement, span),
            Stmt::Add(add) => Item::Add(add),
        }));
    }
}

impl From<Add> for Stmts {
    fn from(add: Add) -> Self {
        Stmts(vec![Stmt::Add(add)])
    }
}

/// The adjoint of an `if` whose trace records which arm ran.
pub(super) struct Branch<'a> {
    /// Adjoints declared zero before the `match` (contributed to in one arm only).
    pub(super) before: Vec<Statement>,
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
    pub(super) before: Vec<Statement>,
    /// One backward iteration, without what it pops and recomputes.
    pub(super) body: Program<'a>,
    /// Loads of `x[i]` and `x[i + 1]` summed in registers (`Reverse::shift_loads`).
    pub(super) shifted: Option<Shifted>,
    /// Loads at an index the loop does not change, by array and index, summed in a scalar
    /// (`Reverse::hoist_loads`).
    pub(super) hoisted: Vec<(Value, Vec<Value>)>,
    /// Hoisted sums added once and the initial values' contributions, after the backward loop
    /// (its reads are the enclosing block's).
    pub(super) after: Program<'a>,
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
                Item::Do(statement, span) => out.extend(self.statements(&[statement], span)),
                Item::Add(add) => out.extend(self.statements(&[add.statement()], add.span)),
                Item::Branch(b) => out.extend(self.print_branch(*b)),
                Item::Loop(l) => out.extend(self.print_loop(*l)),
                Item::Pop { stack, slots } => {
                    let pop = Statement::Pop {
                        stack: stack_ident(stack),
                        names: slots.iter().map(|s| s.ident()).collect(),
                    };
                    out.extend(crate::emit::term::statement(&pop, proc_macro2::Span::call_site()));
                    out.extend(self.borrow_saved(&slots));
                }
                Item::Recompute(insts) => out.extend(insts.into_iter().map(|inst| match &self.tangents {
                    // With its tangent, as forward mode computes it.
                    Some(_) => crate::emit::forward::inst(self.input, inst, None),
                    None => primal_let(self.input, inst),
                })),
            }
        }
        out
    }

    /// `let __v3 = &__v3;` for each `DVector`/`DMatrix` of `saved`: a trace or a loop's stack
    /// holds it owned (`saved_item`), the sweep reads it by reference.
    pub(super) fn borrow_saved(&self, saved: &[Slot]) -> TokenStream {
        let borrows: Vec<Statement> = saved
            .iter()
            .filter_map(|s| match s {
                Slot::Value(v) if crate::emit::is_heap(self.input, *v) => {
                    Some(Statement::bind(Pattern::Name(v.ident()), Term::Value(*v).by_ref()))
                }
                _ => None,
            })
            .collect();
        statements(&borrows, proc_macro2::Span::call_site())
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
        let mut out = self.statements(&before, span);
        out.extend(quote_spanned!(span=> match #t {
            #ty::Then(#(#ts),*) => { #then_borrow #then_code }
            #ty::Else(#(#es),*) => { #else_borrow #else_code }
        }));
        out
    }
}

impl<'a> Reverse<'a> {
    /// Plans `program` and the branches and loops in it, innermost first: what each arm saves
    /// in its trace (the slots it reads that it defines), what each loop pushes and recomputes
    /// ([`Reverse::plan_loop`]). Returns the slots the block reads from outside it.
    /// Puts each loop's pops and recomputations at the head of its body.
    pub(super) fn plan_block(&mut self, program: &mut Program<'a>) -> BTreeSet<Slot> {
        let mut reads = program.reads.clone();
        for item in &mut program.items {
            match item {
                Item::Do(..) | Item::Add(_) | Item::Pop { .. } | Item::Recompute(_) => {}
                Item::Branch(b) => {
                    let mut saved: [Vec<Slot>; 2] = Default::default();
                    for ((block, arm), saved) in b.arms.iter_mut().zip(&mut saved) {
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
                    let body = self.plan_block(&mut l.body);
                    reads.extend(self.plan_loop(l, body));
                }
            }
        }
        reads
    }
}

impl Reverse<'_> {
    /// Appends `program` to `out`, one line per statement, indented two spaces per `depth`:
    /// code as its tokens, `match v9` with `then saves ..` and `else saves ..`, `loop v3
    /// forward` (or `backward`) with `pop v5, v6` and `recompute v7` at the head of its body.
    pub(super) fn dump(&self, program: &Program, depth: usize, out: &mut String) {
        let pad = "  ".repeat(depth);
        let names = |slots: &[Slot]| super::plan::list(slots.iter().map(|s| s.ident().to_string()));
        // Consecutive statements are split into lines together (a `for` or an `if` ends none).
        let mut code = TokenStream::new();
        for item in &program.items {
            if let Item::Do(statement, span) = item {
                code.extend(crate::emit::term::statement(statement, *span));
                continue;
            }
            dump_code(&std::mem::take(&mut code), &pad, out);
            match item {
                Item::Do(..) => {}
                Item::Add(add) => {
                    let (a, expr) = (adjoint(add.to), crate::emit::term::print(&add.expr, add.span));
                    let statement = match add.form {
                        AddForm::Declare | AddForm::DeclareOwned => quote!(let #a = #expr;),
                        _ => quote!(#a += #expr;),
                    };
                    dump_code(&statement, &pad, out);
                }
                Item::Branch(b) => {
                    dump_code(&statements(&b.before, b.span), &pad, out);
                    let saved = self.plan.branches.get(&b.trace);
                    out.push_str(&format!("{pad}match {}\n", b.trace.ident()));
                    for (k, arm) in ["then", "else"].iter().enumerate() {
                        let slots = saved.map(|s| &s[k][..]).unwrap_or_default();
                        out.push_str(&format!("{pad}  {arm} saves {}\n", names(slots)));
                        self.dump(&b.arms[k].1, depth + 2, out);
                    }
                }
                Item::Loop(l) => {
                    dump_code(&statements(&l.before, l.inst.span.span()), &pad, out);
                    let Some(key) = loop_key(&l.inst.op) else { continue };
                    let forward = self.plan.loops.get(&key).is_some_and(|p| p.forward);
                    let direction = if forward { "forward" } else { "backward" };
                    out.push_str(&format!("{pad}loop {} {direction}\n", key.ident()));
                    self.dump(&l.body, depth + 1, out);
                    self.dump(&l.after, depth, out);
                }
                Item::Pop { slots, .. } => out.push_str(&format!("{pad}pop {}\n", names(slots))),
                Item::Recompute(insts) => {
                    let values: Vec<String> =
                        insts.iter().flat_map(|i| &i.results).map(|v| v.ident().to_string()).collect();
                    out.push_str(&format!("{pad}recompute {}\n", values.join(", ")));
                }
            }
        }
        dump_code(&code, &pad, out);
    }
}

impl Reverse<'_> {
    /// `list` as Rust, under `span`, each statement followed by its tangent where forward mode
    /// is printed over the program too.
    pub(super) fn statements(&self, list: &[Statement], span: proc_macro2::Span) -> TokenStream {
        let mut out = TokenStream::new();
        for s in list {
            if let Some(instead) = self.tangents.as_ref().and_then(|t| t.instead(s)) {
                out.extend(statements(&instead, span));
                continue;
            }
            out.extend(crate::emit::term::statement(s, span));
            if let Some(t) = &self.tangents {
                out.extend(statements(&t.after(s), span));
            }
        }
        out
    }
}

/// `list` as Rust, under `span`.
pub(super) fn statements(list: &[Statement], span: proc_macro2::Span) -> TokenStream {
    list.iter().map(|s| crate::emit::term::statement(s, span)).collect()
}

/// `code`, one line per statement (split at the semicolons outside groups).
fn dump_code(code: &TokenStream, pad: &str, out: &mut String) {
    let mut statement = TokenStream::new();
    for tt in code.clone() {
        let end = matches!(&tt, proc_macro2::TokenTree::Punct(p) if p.as_char() == ';');
        statement.extend([tt]);
        if end {
            out.push_str(&format!("{pad}{statement}\n"));
            statement = TokenStream::new();
        }
    }
    if !statement.is_empty() {
        out.push_str(&format!("{pad}{statement}\n"));
    }
}
