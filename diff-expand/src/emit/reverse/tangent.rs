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
//! A branch's trace and a loop's stack save each float the adjoint reads with its tangent
//! (`save_tangents`), and the primal sweep records them as forward mode computes the arms and
//! iterations (`forward::Saves`); a backward iteration recomputes values with their tangents.
//! The program's own names (a loop's carried adjoint, registers, hoisted sums) have tangents
//! `__x_h` as adjoints do.
//!
//! This covers functions of floats and float slices or arrays, with branches and loops but no
//! call, whose terms are arithmetic, partials and accumulations. [`hvp`] returns `None` for
//! anything else, and the dual copy is emitted as before.

use super::assembly::{array_adjoints, call_site, cotangent_name, print, wrt_values};
use super::*;
use crate::ir::BinOp;

/// Why a program is not printed here: the dual copy takes it.
struct Unsupported;

/// The tangent of a term: `None` for a symbolic zero.
type Tangent = Result<Option<Term>, Unsupported>;

/// `__h3`: the tangent of the adjoint `__a3`.
pub fn adjoint_tangent(v: Value) -> syn::Ident {
    format_ident!("__h{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// `NAME_hvp` printed as forward mode over the adjoint program, or `None` where the program
/// holds what is not printed here yet (a call, a nalgebra value, an array on a loop's stack).
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
    /// loops whose stacks hold floats, integers and traces only (no array copy, no pullback).
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
                            Slot::Value(v) => {
                                input.scalars.contains(v)
                                    || input.f.info(*v).kind == crate::ir::Kind::Discrete
                                    // A branch's trace, pushed by a loop around it.
                                    || self.plan.branches.contains_key(v)
                            }
                            Slot::Pullback(_) | Slot::Tangent(_) => false,
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
                    Slot::Value(v) if input.scalars.contains(v) && input.act.active(*v) => {
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
}

/// Whether `input` is a function this printing covers: of `f64` (no generics, receiver or
/// `Result`), returning a float, whose values are floats, integers and float arrays, computed
/// by arithmetic, rules, loads, `if`s and loops only.
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
            // (A constant float of unknown shape, a path's: no term of it has a tangent.)
            Kind::Float => input.scalars.contains(&v) || !input.act.active(v),
            Kind::Discrete => true,
            Kind::Array(ArrayKind::Slice | ArrayKind::Vec | ArrayKind::Fixed) => true,
            _ => !input.act.active(v),
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
            )
        })
}

/// What the adjoint program writes: an adjoint, or a name of its own (a loop's carried
/// adjoint, a hoisted sum, a register of shifted loads, the seed).
#[derive(Clone, PartialEq, Eq, Hash)]
enum Key {
    Adjoint(Value),
    Name(String),
}

/// `__x_h`: the tangent of the program's name `__x`.
fn name_tangent(n: &syn::Ident) -> syn::Ident {
    format_ident!("{}_h", n, span = n.span())
}

/// The tangents of the adjoint program's terms and statements.
pub(super) struct Tangents<'i> {
    input: &'i Input<'i>,
    /// The adjoints and names with a tangent variable: some contribution to them has a nonzero
    /// tangent.
    nonzero: HashSet<Key>,
    /// The names the program binds (by `let`).
    names: HashSet<String>,
    /// A statement met while printing that has no tangent here: the `_hvp` is the copy's.
    failed: std::cell::Cell<bool>,
}

impl Tangents<'_> {
    /// Finds which adjoints have a tangent: those a contribution with a nonzero tangent
    /// reaches, over `statements` until nothing changes (an adjoint read before a later
    /// contribution, as a branch's or loop's may be, is seen on the next pass).
    fn settle(&mut self, statements: &[Statement]) -> Result<(), Unsupported> {
        for s in statements {
            if let Statement::Let { pattern, .. } = s {
                bound_names(pattern, &mut self.names);
            }
        }
        loop {
            let before = self.nonzero.len();
            self.reach(statements)?;
            if self.nonzero.len() == before {
                return Ok(());
            }
        }
    }

    /// One pass of [`Tangents::settle`]: marks what each of `statements` (and the statements
    /// of each `if` among them) adds a nonzero tangent to.
    fn reach(&mut self, statements: &[Statement]) -> Result<(), Unsupported> {
        for s in statements {
            if let Statement::When { then, .. } = s {
                self.reach(then)?;
            } else if let Some((key, _, Some(_))) = self.contribution(s)? {
                self.nonzero.insert(key);
            }
        }
        Ok(())
    }

    /// The statements that follow `s` with its tangent; none, and the printing marked failed,
    /// where it has none here.
    pub(super) fn after(&self, s: &Statement) -> Vec<Statement> {
        self.statement(s).unwrap_or_else(|Unsupported| {
            self.failed.set(true);
            Vec::new()
        })
    }

    /// The tangent of `t`.
    fn of(&self, t: &Term) -> Tangent {
        Ok(match t {
            // A float (also one whose kind the syntax did not show, `std::f64::consts::LN_2`).
            Term::Value(v) if self.input.scalars.contains(v) => {
                self.input.act.active(*v).then_some(Term::Tangent(*v))
            }
            Term::Value(v) => match self.input.f.info(*v).kind {
                crate::ir::Kind::Discrete => None,
                // An array of floats, read whole (a copy's adjoint added into its source's).
                crate::ir::Kind::Array(_) => self.input.act.active(*v).then_some(Term::Tangent(*v)),
                _ => return Err(Unsupported),
            },
            Term::Adjoint(v) => {
                self.nonzero.contains(&Key::Adjoint(*v)).then(|| Term::Name(adjoint_tangent(*v)))
            }
            Term::Name(n) if self.names.contains(&n.to_string()) => {
                self.nonzero.contains(&Key::Name(n.to_string())).then(|| Term::Name(name_tangent(n)))
            }
            Term::Zero { lanes: false, .. } => None,
            Term::Partial { rule, i, args, y } => self.partial(rule, *i, args, *y)?,
            Term::Neg(a) => self.of(a)?.map(Term::neg),
            Term::Paren(a) => self.of(a)?.map(Term::paren),
            Term::Ref(a) => self.of(a)?.map(Term::by_ref),
            Term::Index(a, index) => self.of(a)?.map(|t| t.index(index.clone())),
            Term::Binary(op, a, b) => {
                let (ta, tb) = (self.of(a)?, self.of(b)?);
                let (a, b) = (a.as_ref().clone(), b.as_ref().clone());
                match op {
                    BinOp::Add => Term::sum([ta, tb]),
                    BinOp::Sub => difference(ta, tb),
                    // (a b)' = a' b + a b'
                    BinOp::Mul => Term::sum([ta.map(|ta| ta.mul(b.clone())), tb.map(|tb| a.mul(tb))]),
                    // (a / b)' = a' / b - a b' / b²
                    BinOp::Div => difference(
                        ta.map(|ta| ta.div(b.clone())),
                        tb.map(|tb| a.mul(tb).div(b.clone().mul(b))),
                    ),
                }
            }
            Term::Runtime { f, .. }
                if ["zero_tangent", "zero_real", "seed_one"].contains(&f.to_string().as_str()) =>
            {
                None
            }
            Term::Runtime { f, args } if f == "take" => match &args[..] {
                // The adjoint of an overwritten element moved out: its tangent too.
                [Term::MutRef(place)] => {
                    let (key, tangent) = Self::place(place)?;
                    self.nonzero.contains(&key).then(|| Term::runtime("take", vec![tangent.by_mut()]))
                }
                _ => return Err(Unsupported),
            },
            // `p ā` and `ā / b` with a strong zero where `ā` is zero: each part of the tangent
            // keeps it, on the factor that carries the adjoint.
            Term::Runtime { f, args } if f == "mul_adjoint" => match &args[..] {
                [p, a] => Term::sum([
                    self.of(p)?.map(|d| Term::runtime("mul_adjoint", vec![d, a.clone()])),
                    self.of(a)?.map(|d| Term::runtime("mul_adjoint", vec![p.clone(), d])),
                ]),
                _ => return Err(Unsupported),
            },
            Term::Runtime { f, args } if f == "div_adjoint" => match &args[..] {
                // (ā / b)' = ā' / b - (ā / b) b' / b
                [a, b] => difference(
                    self.of(a)?.map(|d| Term::runtime("div_adjoint", vec![d, b.clone()])),
                    self.of(b)?.map(|d| {
                        let quotient = Term::runtime("div_adjoint", args.to_vec());
                        Term::runtime("div_adjoint", vec![quotient.mul(d), b.clone()])
                    }),
                ),
                _ => return Err(Unsupported),
            },
            // A literal (a loop's first index, `0usize`).
            Term::Verbatim(tokens)
                if matches!(
                    &tokens.clone().into_iter().collect::<Vec<_>>()[..],
                    [proc_macro2::TokenTree::Literal(_)]
                ) =>
            {
                None
            }
            _ => return Err(Unsupported),
        })
    }

    /// The tangent of the partial `rule_d{i}(args.., y)`: the partial at dual numbers, each
    /// float carrying its tangent, its `eps`. A symbolic zero where no float it reads has one.
    fn partial(&self, rule: &str, i: usize, args: &[Value], y: Value) -> Tangent {
        let (act, p) = (self.input.act, private());
        let mut any = false;
        let mut duals = Vec::new();
        for v in args.iter().chain([&y]) {
            let value = v.ident();
            let scalar = self.input.scalars.contains(v);
            duals.push(match self.input.f.info(*v).kind {
                _ if scalar && act.active(*v) => {
                    any = true;
                    let t = crate::emit::tangent(*v);
                    quote!(#p::Dual::new(#value, #t))
                }
                _ if scalar => quote!(#p::Dual::constant(#value)),
                crate::ir::Kind::Discrete => quote!(#value),
                _ => return Err(Unsupported),
            });
        }
        let (f, rules) = (format_ident!("{}_d{}", rule, i), format_ident!("{}", crate::emit::RULES));
        Ok(any.then(|| Term::Verbatim(quote!(#rules::#f(#(#duals),*).eps))))
    }

    /// The place a statement writes and its tangent's place: `__a3` and `__h3`, `__a0[i]` and
    /// `__h0[i]`.
    fn place(t: &Term) -> Result<(Key, Term), Unsupported> {
        match t {
            Term::Adjoint(v) => Ok((Key::Adjoint(*v), Term::Name(adjoint_tangent(*v)))),
            Term::Name(n) => Ok((Key::Name(n.to_string()), Term::Name(name_tangent(n)))),
            Term::Index(inner, index) => {
                let (v, place) = Self::place(inner)?;
                Ok((v, place.index(index.clone())))
            }
            _ => Err(Unsupported),
        }
    }

    /// What `s` declares or adds to, its tangent's place, and the tangent of what it adds;
    /// `None` for a statement that writes nothing of the adjoint program's (a pop, a seed of
    /// several parts).
    fn contribution(&self, s: &Statement) -> Result<Option<(Key, Term, Option<Term>)>, Unsupported> {
        let place = |t: &Term| Self::place(t);
        Ok(match s {
            Statement::Let { pattern: Pattern::Adjoint(v), value, .. } => {
                Some((Key::Adjoint(*v), Term::Name(adjoint_tangent(*v)), self.of(value)?))
            }
            Statement::Let { pattern: Pattern::Name(n), value, .. } => {
                Some((Key::Name(n.to_string()), Term::Name(name_tangent(n)), self.of(value)?))
            }
            Statement::Let { pattern: Pattern::Tuple(_), value, .. } => match self.of(value)? {
                None => None,
                Some(_) => return Err(Unsupported),
            },
            Statement::Set { place: p, value } | Statement::AddTo { place: p, value } => {
                let (key, tangent_place) = place(p)?;
                Some((key, tangent_place, self.of(value)?))
            }
            Statement::Effect(Term::Runtime { f, args }) if f == "accumulate" || f == "add_to_each" => {
                match &args[..] {
                    [Term::MutRef(p), value] => {
                        let (key, tangent_place) = place(p)?;
                        Some((key, tangent_place, self.of(value)?))
                    }
                    _ => return Err(Unsupported),
                }
            }
            Statement::Pop { .. } => None,
            _ => return Err(Unsupported),
        })
    }

    /// The statements that follow `s` with its tangent.
    fn statement(&self, s: &Statement) -> Result<Vec<Statement>, Unsupported> {
        if let Statement::When { cond, then } = s {
            return self.when(cond, then);
        }
        let Some((key, place, tangent)) = self.contribution(s)? else { return Ok(Vec::new()) };
        if !self.nonzero.contains(&key) {
            // The fixpoint saw every contribution: one with a tangent made `key` nonzero.
            return if tangent.is_none() { Ok(Vec::new()) } else { Err(Unsupported) };
        }
        let zero = |of: Term| Term::runtime("zero_tangent", vec![of.by_ref()]);
        Ok(match s {
            Statement::Let { pattern, .. } => {
                let of = match pattern {
                    Pattern::Adjoint(v) => Term::Adjoint(*v),
                    Pattern::Name(n) => Term::Name(n.clone()),
                    Pattern::Tuple(_) => return Err(Unsupported),
                };
                let Term::Name(name) = place else { return Err(Unsupported) };
                vec![Statement::bind_mut(Pattern::Name(name), tangent.unwrap_or_else(|| zero(of)))]
            }
            Statement::Set { .. } => {
                let value = tangent.unwrap_or_else(|| zero(place.clone()));
                vec![Statement::Set { place, value }]
            }
            Statement::AddTo { .. } => {
                tangent.map(|value| Statement::AddTo { place, value }).into_iter().collect()
            }
            // `accumulate(&mut ā[i], c)`, `add_to_each(&mut ā, c)` (a sum's adjoint): the same
            // into the tangent.
            Statement::Effect(Term::Runtime { f, .. }) => tangent
                .map(|value| {
                    Statement::Effect(Term::Runtime { f: f.clone(), args: vec![place.by_mut(), value] })
                })
                .into_iter()
                .collect(),
            _ => return Err(Unsupported),
        })
    }

    /// The tangent of `if is_nonzero(c) { .. }` (a carried sum added into an element once, where
    /// anything was carried): the tangents of its statements where `c` or its tangent is
    /// nonzero, since a zero `c` may have a nonzero tangent.
    fn when(&self, cond: &Term, then: &[Statement]) -> Result<Vec<Statement>, Unsupported> {
        let mut tangents = Vec::new();
        for s in then {
            tangents.extend(self.statement(s)?);
        }
        if tangents.is_empty() {
            return Ok(tangents);
        }
        let cond = match cond {
            Term::Runtime { f, args } if f == "is_nonzero" => match &args[..] {
                [c] => match self.of(c)? {
                    Some(dc) => {
                        let p = private();
                        let (c, dc) = (
                            crate::emit::term::print(c, call_site()),
                            crate::emit::term::print(&dc, call_site()),
                        );
                        Term::Verbatim(quote!(#p::is_nonzero(#c) || #p::is_nonzero(#dc)))
                    }
                    None => cond.clone(),
                },
                _ => return Err(Unsupported),
            },
            _ => return Err(Unsupported),
        };
        Ok(vec![Statement::When { cond, then: tangents }])
    }

    /// A zero of the shape of `v`'s adjoint: `zero_tangent(&__a3)`.
    fn zero_like(&self, v: Value) -> Term {
        Term::runtime("zero_tangent", vec![Term::Adjoint(v).by_ref()])
    }
}

/// `a - b` of two tangents, either a symbolic zero.
fn difference(a: Option<Term>, b: Option<Term>) -> Option<Term> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.sub(b)),
        (a, None) => a,
        (None, Some(b)) => Some(b.neg()),
    }
}

/// The names `pattern` binds, added to `names`.
fn bound_names(pattern: &Pattern, names: &mut HashSet<String>) {
    match pattern {
        Pattern::Name(n) => {
            names.insert(n.to_string());
        }
        Pattern::Adjoint(_) => {}
        Pattern::Tuple(items) => items.iter().for_each(|p| bound_names(p, names)),
    }
}
