//! Forward mode printed over the adjoint program: `NAME_hvp` as source, not as the dual-number
//! copy of `NAME_grad` (`second/`).
//!
//! The Hessian-vector product `H v` is the tangent of the gradient along `v`. The primal sweep
//! is `_jvp`'s: each value followed by its tangent (`__t3`), zeros symbolic. The adjoint
//! program ([`Program`]) is then printed statement by statement, each followed by its tangent:
//! the tangent of a [`Term`] by the sum, product and quotient rules, a rule's partial
//! (`exp_d0(x, y)`) evaluated at dual numbers and its `eps` taken (the rules are generic over
//! `Real`), an adjoint's tangent `__h3` beside `__a3`. An adjoint whose contributions all have
//! zero tangents (the seed's, a constant's) has no tangent variable at all: its tangent is a
//! symbolic zero, where the dual copy multiplies by a zero it does not know of.
//!
//! A call is made through the callee's `_vjp_for_hessian` and its dual pullback called at the
//! cotangent with its tangent ([`calls`]).
//!
//! A branch's trace and a loop's stack save each value the adjoint reads with its tangent
//! (`save_tangents`), and the primal sweep records them as forward mode computes the arms and
//! iterations (`forward::Saves`); a backward iteration recomputes values with their tangents.
//! The program's own names (a loop's carried adjoint, registers, hoisted sums) have tangents
//! `__x_h` as adjoints do.
//!
//! This covers functions of floats, float slices or arrays and values of unknown shape, with
//! branches, loops and calls by path, whose terms are arithmetic, partials, accumulations and
//! the runtime's adjoints of products and quotients. [`hvp`] returns `None` for anything else
//! (a method call, a nalgebra value), and the dual copy is emitted as before.

use super::assembly::{array_adjoints, call_site, cotangent_name, print, wrt_values};
use super::*;

mod calls;
mod terms;

use calls::call_printed;
use terms::Key;
pub(super) use terms::Tangents;

/// Why a program is not printed here: the dual copy takes it.
struct Unsupported;

/// The tangent of a term: `None` for a symbolic zero.
type Tangent = Result<Option<Term>, Unsupported>;

/// `__h3`: the tangent of the adjoint `__a3`.
pub fn adjoint_tangent(v: Value) -> syn::Ident {
    format_ident!("__h{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// `NAME_hvp` printed as forward mode over the adjoint program, or `None` where the program
/// holds what is not printed here yet (a method call, a nalgebra value).
pub fn hvp(input: &Input) -> Option<TokenStream> {
    if !eligible(input) {
        return None;
    }
    let mut r = Reverse::new(input);
    let AdjointSweep { mut program, seed_pattern, seed_leaves: _, arrays } = r.adjoint_sweep();
    if !r.covered(&program) {
        return None;
    }
    r.save_tangents(&mut program);
    let value = crate::emit::tree_term(&input.f.output, &mut Term::Value);
    // Before the program: the seed and the arrays' adjoints.
    let mut head = vec![
        Statement::bind(
            Pattern::Name(cotangent_name()),
            Term::runtime("seed_one", vec![value.clone().by_ref()]),
        ),
        Statement::bind(seed_pattern, Term::Name(cotangent_name())),
    ];
    head.extend(array_adjoints(input, &arrays, &r.plan.lent, false, None));
    let mut t = Tangents {
        input,
        nonzero: HashSet::new(),
        names: HashSet::new(),
        failed: std::cell::Cell::new(false),
    };
    let mut all = head.clone();
    r.collect(&program, &mut all);
    t.settle(&all).ok()?;
    let (hv, gradient) = (outputs(&r, &t, true), outputs(&r, &t, false));
    r.tangents = Some(t);
    let mut code = r.statements(&head, call_site());
    code.extend(r.print(program));
    if r.tangents.as_ref().is_none_or(|t| t.failed.get()) {
        return None;
    }
    let traces = Traces { r: &r, enums: std::cell::RefCell::new(TokenStream::new()) };
    let primal = crate::emit::forward::block(input, &input.f.body, Some(&traces));
    let lifted = calls::lifted_parameters(input);
    let enums = traces.enums.into_inner();
    let (value, gradient, hv) = (print(&value), print(&gradient), print(&hv));
    let sig = input.sig;
    let item = input.item;
    let (vis, attrs, items) = (&item.vis, crate::emit::attributes(), input.items);
    let name = crate::emit::sibling(&item.sig.ident, "hvp");
    let params = crate::emit::primal_params(sig);
    let directions = crate::emit::tangent_params(sig);
    let gradient_type = sig.gradient_type();
    let output = &sig.output;
    let doc = crate::second::hvp_doc(&sig.name);
    Some(quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name (#(#params,)* #(#directions),*) -> (#output, #gradient_type, #gradient_type) {
            #(#items)*
            // (Before the stacks, which may hold pullbacks borrowing them.)
            #lifted
            #enums
            #primal
            #code
            // `H v` first: a zero of it reads the gradient, which the result takes.
            let __tapeless_hv = #hv;
            (#value, #gradient, __tapeless_hv)
        }
    })
}

/// The gradient returned (`hv`: its tangent, `H v`): per differentiated parameter its adjoint
/// (tangent), or a zero.
fn outputs(r: &Reverse, t: &Tangents, hv: bool) -> Term {
    let terms = wrt_values(r.input).into_iter().map(|v| match (r.live.contains(&v), hv) {
        (false, _) => Term::Zero { of: v, lanes: false },
        (true, false) => Term::Adjoint(v),
        (true, true) if t.nonzero.contains(&Key::Adjoint(v)) => Term::Name(adjoint_tangent(v)),
        (true, true) => t.zero_like(v),
    });
    crate::emit::tuple_or_single(terms.collect())
}

impl Reverse<'_> {
    /// Whether the planned program is one this printing covers: statements, branches, and
    /// loops whose stacks hold floats, integers, arrays, values of unknown shape, traces and
    /// dual pullbacks (no matrix or record, no whole array read before the loop writes it).
    fn covered(&self, program: &Program) -> bool {
        let input = self.input;
        program.items.iter().all(|item| match item {
            Item::Do(..) | Item::Add(_) | Item::Pop { .. } | Item::Recompute(_) => true,
            Item::Branch(b) => b.arms.iter().all(|(_, arm)| self.covered(arm)),
            Item::Loop(l) => {
                let plan = loop_key(&l.inst.op).and_then(|key| self.plan.loops.get(&key));
                plan.is_some_and(|plan| {
                    plan.read_before_written_at.is_empty()
                        && plan.pushed.iter().all(|s| match s {
                            // A float, an integer, an array or a value of unknown shape
                            // (pushed with its tangent, `save_tangents`), or a branch's trace.
                            Slot::Value(v) => {
                                !matches!(
                                    input.f.info(*v).kind,
                                    crate::ir::Kind::Heap
                                        | crate::ir::Kind::Array(crate::ir::ArrayKind::Record)
                                ) || self.plan.branches.contains_key(v)
                            }
                            // A dual pullback (`call_printed`: one borrowing nothing).
                            Slot::Pullback(_) => true,
                            Slot::Tangent(_) => false,
                        })
                }) && self.covered(&l.body)
                    && self.covered(&l.after)
            }
        })
    }

    /// The statements of `program`, in order, nested ones included (a backward iteration's
    /// end too), appended to `out`.
    fn collect(&self, program: &Program, out: &mut Vec<Statement>) {
        for item in &program.items {
            match item {
                Item::Do(s, _) => out.push(s.clone()),
                Item::Add(add) => out.push(add.statement()),
                Item::Branch(b) => {
                    out.extend(b.before.iter().cloned());
                    for (_, arm) in &b.arms {
                        self.collect(arm, out);
                    }
                }
                Item::Loop(l) => {
                    out.extend(l.before.iter().cloned());
                    self.collect(&l.body, out);
                    out.extend(self.flush(l.inst, &l.shifted));
                    self.collect(&l.after, out);
                }
                Item::Pop { .. } | Item::Recompute(_) => {}
            }
        }
    }
}

impl Reverse<'_> {
    /// Each float a trace or loop stack saves, saved with its tangent: the adjoint's tangent
    /// reads both. In the plan, which the primal sweep's traces and pushes are written from,
    /// and in the program's pops.
    fn save_tangents(&mut self, program: &mut Program) {
        let input = self.input;
        fn pops(program: &mut Program, with_tangents: &dyn Fn(&mut Vec<Slot>)) {
            for item in &mut program.items {
                match item {
                    Item::Pop { slots, .. } => with_tangents(slots),
                    Item::Branch(b) => b.arms.iter_mut().for_each(|(_, arm)| pops(arm, with_tangents)),
                    Item::Loop(l) => {
                        pops(&mut l.body, with_tangents);
                        pops(&mut l.after, with_tangents);
                    }
                    Item::Do(..) | Item::Add(_) | Item::Recompute(_) => {}
                }
            }
        }
        let with_tangents = |saved: &mut Vec<Slot>| {
            *saved = saved
                .iter()
                .flat_map(|s| match s {
                    Slot::Value(v)
                        if input.act.active(*v) && input.f.info(*v).kind != crate::ir::Kind::Discrete =>
                    {
                        vec![*s, Slot::Tangent(*v)]
                    }
                    _ => vec![*s],
                })
                .collect();
        };
        for arms in self.plan.branches.values_mut() {
            arms.iter_mut().for_each(with_tangents);
        }
        for plan in self.plan.loops.values_mut() {
            with_tangents(&mut plan.pushed);
        }
        pops(program, &with_tangents);
    }
}

/// The primal sweep's traces, for forward mode's primal sweep (`forward::Saves`).
struct Traces<'r, 'a> {
    r: &'r Reverse<'a>,
    /// The trace enums' declarations.
    enums: std::cell::RefCell<TokenStream>,
}

impl crate::emit::forward::Saves for Traces<'_, '_> {
    fn trace(&self, inst: &Inst) -> Option<(syn::Ident, TokenStream, TokenStream)> {
        let Op::If { trace, .. } = &inst.op else { return None };
        let (then_item, else_item) = self.r.trace_items(*trace, &mut self.enums.borrow_mut())?;
        Some((trace.ident(), then_item, else_item))
    }

    fn push(&self, inst: &Inst) -> TokenStream {
        let Some(key) = loop_key(&inst.op) else { return TokenStream::new() };
        self.r.stack_push(key, &mut self.enums.borrow_mut())
    }

    fn call(&self, inst: &Inst) -> Option<TokenStream> {
        calls::primal(self.r.input, inst)
    }
}

/// Whether `input` is a function this printing covers: of `f64` (no generics, receiver or
/// `Result`), returning a float, whose values are floats, integers, float arrays and values of
/// unknown shape, computed by arithmetic, rules, loads, `if`s, loops and calls
/// ([`call_printed`]) only.
fn eligible(input: &Input) -> bool {
    let sig = input.sig;
    let plain = !input.lanes
        && sig.wrapper.is_none()
        && sig.receiver.is_none()
        && sig.floats.is_empty()
        && input.item.sig.generics.params.is_empty()
        && sig.scalar_output()
        && crate::second::check::block_float(sig).is_none()
        && input.summed.is_empty()
        && input.summed_products.is_empty();
    if !plain || !matches!(&sig.output, syn::Type::Path(p) if p.path.is_ident("f64")) {
        return false;
    }
    let kinds = (0..input.f.values.len()).map(|i| Value(i as u32)).all(|v| {
        use crate::ir::{ArrayKind, Kind};
        match input.f.info(v).kind {
            // A value of unknown shape (a call's result) is printed where its terms are ones
            // whose tangents hold in any shape (sums, products, `Product`'s adjoints).
            Kind::Float | Kind::Unknown | Kind::Discrete => true,
            Kind::Array(ArrayKind::Slice | ArrayKind::Vec | ArrayKind::Fixed) => true,
            Kind::Heap | Kind::Array(ArrayKind::Record) => !input.act.active(v),
        }
    });
    kinds
        && input.f.body.walk().iter().all(|inst| {
            matches!(
                inst.op,
                Op::Param(_)
                    | Op::Lit(_)
                    | Op::Opaque { .. }
                    | Op::Prim { .. }
                    | Op::Load { .. }
                    | Op::NoGrad(_)
                    | Op::If { .. }
                    | Op::NewArray(_)
                    | Op::Store { .. }
                    | Op::For { .. }
                    | Op::Loop { .. }
            ) || matches!(inst.op, Op::Call { .. }) && call_printed(input, inst)
        })
}
