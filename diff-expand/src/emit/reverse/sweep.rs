//! The adjoint sweep: each instruction's adjoint, in reverse, per rule of the table and per
//! form (calls, records, arrays, matrices), and the arms of a branch with their traces.

use super::*;

impl<'a> Reverse<'a> {
    /// The adjoints of a block's instructions, in reverse, appended to `items`.
    pub(super) fn block(&mut self, b: &'a Block, items: &mut Vec<Item<'a>>) {
        for inst in b.insts.iter().rev() {
            self.span = inst.span.span();
            self.from_maybe_zero = self.zero_reason(&inst.results);
            match &inst.op {
                Op::If { .. } => self.adjoint_if(inst, items),
                Op::For { .. } | Op::Loop { .. } => self.adjoint_for(inst, items),
                _ => self.inst_adjoint(inst).append_to(items),
            }
            self.from_maybe_zero = None;
        }
    }

    /// The adjoint of an `if`: each arm's adjoint, behind a `match` on the trace of the arm
    /// that ran (what each arm saves in it is the plan's).
    fn adjoint_if(&mut self, inst: &'a Inst, items: &mut Vec<Item<'a>>) {
        let Op::If { then_block, else_block, then_out, else_out, trace, .. } = &inst.op else {
            return;
        };
        let act = self.input.act;
        let live_phis: Vec<usize> =
            (0..inst.results.len()).filter(|i| self.live.contains(&inst.results[*i])).collect();
        // Nothing to do only if no merged value needs an adjoint and neither branch writes
        // an active array.
        if live_phis.is_empty() && !has_adjoint(then_block, act) && !has_adjoint(else_block, act) {
            return;
        }
        let before = self.live.clone();
        let (then_program, then_pre) = self.arm(then_block, &live_phis, &inst.results, then_out);
        self.live.clone_from(&before);
        let (else_program, else_pre) = self.arm(else_block, &live_phis, &inst.results, else_out);
        self.live = before;
        let mut out = Vec::new();
        for v in then_pre.union(&else_pre) {
            let declared_here = self.arm_defs.last().is_none_or(|defs| defs.contains(v));
            if declared_here {
                out.push(self.declare_zero(*v));
            } else if let Some(set) = self.predeclare.last_mut() {
                set.insert(*v);
            }
            self.live.insert(*v);
            // Contributed to by one arm only, it stays zero when the other runs. (By both, it is
            // what they contributed, each marked as it was contributed.)
            if !(then_pre.contains(v) && else_pre.contains(v)) {
                self.may_be_zero(*v, Zero::Unused);
            }
        }
        self.read(Slot::Value(*trace));
        items.push(Item::Branch(Box::new(Branch {
            before: out,
            trace: *trace,
            span: inst.span.span(),
            arms: [(then_block, then_program), (else_block, else_program)],
        })));
    }

    /// The adjoint of an instruction other than a branch or a loop, which are items of their
    /// own ([`Reverse::block`]).
    pub(super) fn inst_adjoint(&mut self, inst: &Inst) -> Stmts {
        let act = self.input.act;
        let span = inst.span.span();
        self.span = span;
        match &inst.op {
            Op::If { .. } | Op::For { .. } | Op::Loop { .. } => Stmts::default(),
            Op::Prim { rule, args, form } => self.prim_adjoint(inst, rule, args, form),
            Op::Call { callee: c, args, shape, borrowed, unwrap } => {
                if !inst.results.iter().any(|r| self.live.contains(r)) || !call_is_active(self.input, inst) {
                    return Stmts::default();
                }
                let cotangent = self.cotangent(shape);
                let first = inst.results[0];
                let mut out = Stmts::default();
                let pb = if crate::emit::pullback_in_sweep(self.input, inst) {
                    // A pullback borrowing a local array (or a local receiver) cannot be kept
                    // beside it: the callee's reverse mode runs here instead (the array is
                    // unchanged since, checked; a receiver is a value).
                    for a in args {
                        self.read(Slot::Value(*a));
                    }
                    if let crate::ir::Callee::Method { receiver, .. } = c {
                        self.read(Slot::Value(*receiver));
                    }
                    let (f, call_args, pb) = (
                        callee(c, "vjp"),
                        crate::emit::call_args(self.input, args, borrowed),
                        pullback(first),
                    );
                    // `g(&v)?`: the pullback closure cannot return early; the call succeeded with
                    // the same arguments in the primal sweep.
                    let call = quote!(#f(#(#call_args),*));
                    let call = match unwrap {
                        Some(crate::ir::Unwrap::Question(_)) => {
                            let p = crate::emit::private();
                            quote!(#p::succeeded(#call))
                        }
                        u => quote!(#call #u),
                    };
                    out.extend(self.stmt(Statement::Rerun { pullback: pb, call }));
                    pullback(first)
                } else {
                    self.read(Slot::Pullback(first))
                };
                let slots = call_slots(self.input, c, args);
                let names: Vec<syn::Ident> = (0..slots.len())
                    .map(|i| format_ident!("__c{}_{}", first.0, i, span = proc_macro2::Span::mixed_site()))
                    .collect();
                let pattern = match &names[..] {
                    [one] => Pattern::Name(one.clone()),
                    _ => Pattern::Tuple(names.iter().cloned().map(Pattern::Name).collect()),
                };
                let cotangents = Term::Call { path: pb.into_token_stream(), args: vec![cotangent] };
                out.extend(self.stmt(Statement::bind(pattern, cotangents)));
                for (v, n) in slots.iter().zip(&names).filter(|(v, _)| act.active(**v)) {
                    if crate::emit::fixed_array(self.input, *v) {
                        // A `[T; N]` whose callee may take `&[T]` (a `Vec<T>` cotangent): added
                        // element by element into the array's adjoint.
                        out.extend(self.declare(*v));
                        let each = vec![Term::Adjoint(*v).by_mut(), Term::Name(n.clone())];
                        out.extend(self.stmt(Statement::Effect(Term::runtime("accumulate_elements", each))));
                    } else {
                        out.extend(self.contribute(*v, Term::Name(n.clone())));
                    }
                }
                out
            }
            Op::Load { array, index } => {
                let Some(&y) = inst.results.first() else { return Stmts::default() };
                if !self.live.contains(&y) || !act.active(*array) {
                    return Stmts::default();
                }
                for i in index {
                    self.read(Slot::Value(*i));
                }
                if let Some(h) = self.hoisted.get(&(*array, index.clone())) {
                    return self.stmt(Statement::accumulate(Term::Name(h.clone()), Term::Adjoint(y)));
                }
                // An array made in a branch or loop (`let r: [f64; 2] = g(..)` there) has no
                // adjoint declared up front: zero where the sweep first reaches it.
                let mut out = self.declare(*array);
                out.extend(
                    self.stmt(Statement::accumulate(Term::Adjoint(*array).at(index), Term::Adjoint(y))),
                );
                out
            }
            Op::Store { array, index, value } => {
                if !act.active(*array) {
                    return Stmts::default();
                }
                if self.input.summed.contains_key(array) {
                    // Stored once, summed once (`analysis::summed_arrays`): the element's adjoint is
                    // the sum's cotangent, kept as one scalar.
                    let fill = crate::emit::fill(*array);
                    if !act.active(*value) {
                        return Stmts::default();
                    }
                    self.from_maybe_zero = Some(Zero::Taken);
                    return self.contribute(*value, Term::Name(fill)).into();
                }
                for i in index {
                    self.read(Slot::Value(*i));
                }
                // The overwritten element's adjoint moves to the stored value; the element
                // before the store starts from zero.
                let taken = format_ident!("__taken{}", self.fresh, span = proc_macro2::Span::mixed_site());
                self.fresh += 1;
                let element = Term::runtime("take", vec![Term::Adjoint(*array).at(index).by_mut()]);
                let mut out = self.stmt(Statement::bind(Pattern::Name(taken.clone()), element));
                if act.active(*value) {
                    self.from_maybe_zero = Some(Zero::Taken);
                    out.extend(self.contribute(*value, Term::Name(taken)));
                }
                out
            }
            // Made anew from constants: nothing flows back to what it held before, so its
            // adjoint starts from zero (a loop's earlier iteration must not take this one's).
            // The adjoint array was sized from the array as the primal sweep left it.
            // Of a length that may change between iterations: zeros of the length before, made
            // like the element that fills it (`lower::arrays::refilled`).
            Op::Refill { array, before: Some(before), init: ArrayInit::Constant { reads, .. } }
                if act.active(*array) && reads.len() == 2 =>
            {
                let element = reads[0];
                self.read(Slot::Value(*before));
                self.read(Slot::Value(element));
                let resized =
                    vec![Term::Adjoint(*array).by_mut(), Term::Value(*before), Term::Value(element).by_ref()];
                self.stmt(Statement::Effect(Term::runtime("resize_adjoint", resized)))
            }
            Op::Refill { array, .. } if act.active(*array) => {
                let element = format_ident!("__element", span = proc_macro2::Span::mixed_site());
                self.stmt(Statement::ZeroEach { array: Term::Adjoint(*array), element })
            }
            Op::Refill { .. } => Stmts::default(),
            Op::NewArray(init) => {
                let Some(&a) = inst.results.first() else { return Stmts::default() };
                if !act.active(a) {
                    return Stmts::default();
                }
                match init {
                    ArrayInit::Elements { elements, .. } => {
                        let mut out = Stmts::default();
                        for (k, e) in elements.iter().enumerate() {
                            if act.active(*e) {
                                let k = syn::Index::from(k);
                                self.from_maybe_zero = Some(Zero::Taken);
                                out.extend(self.contribute(*e, Term::Adjoint(a).index(quote!(#k))));
                            }
                        }
                        out
                    }
                    // `a.to_vec()` of an array `[T; N]`: the `Vec` adjoint as the array's.
                    ArrayInit::Copy { source, .. }
                        if act.active(*source)
                            && self.input.f.info(*source).kind
                                == crate::ir::Kind::Array(crate::ir::ArrayKind::Fixed)
                            && self.input.f.info(a).kind
                                == crate::ir::Kind::Array(crate::ir::ArrayKind::Vec) =>
                    {
                        let term = Term::runtime(
                            "as_array_of",
                            vec![Term::Value(*source).by_ref(), Term::Adjoint(a)],
                        );
                        self.contribute(*source, term).into()
                    }
                    ArrayInit::Copy { source, .. } if act.active(*source) => {
                        self.contribute(*source, Term::Adjoint(a)).into()
                    }
                    _ => Stmts::default(),
                }
            }
            Op::Field { base, member, .. } => {
                let Some(&f) = inst.results.first() else { return Stmts::default() };
                if !self.live.contains(&f) || !act.active(*base) {
                    return Stmts::default();
                }
                // A record made inside a loop or branch (a call's result there) has no adjoint
                // declared up front: it is declared zero where the sweep first reaches it.
                let declared = self.declare(*base);
                let (field, af) = (Term::Adjoint(*base).field(member.clone()), Term::Adjoint(f));
                let param = self
                    .input
                    .f
                    .body
                    .insts
                    .iter()
                    .any(|i| matches!(i.op, Op::Param(_)) && i.results.contains(base));
                if param
                    && only_fields_read(&self.input.f.body, *base)
                    && super::field_reads(&self.input.f.body, *base, member) == 1
                {
                    // The field's only contribution (read once, and the record reaches no
                    // call): it replaces the zero instead of a pass adding to it. (A struct
                    // built in the body, or a vector field read whole and by index, has a field
                    // read several times.)
                    return self.stmt(Statement::Set { place: field, value: af });
                }
                let mut out = declared;
                out.extend(self.stmt(Statement::accumulate(field, af)));
                out
            }
            Op::Construct { fields, .. } => {
                // (A struct read only by its fields, which `lower` forwards, has no adjoint.)
                let Some(&r) = inst.results.first().filter(|r| act.active(**r)) else {
                    return Stmts::default();
                };
                let mut out = Stmts::default();
                for (m, v) in fields.iter().filter(|(_, v)| act.active(*v)) {
                    // Each field's adjoint moves out of the record's (read once per field).
                    self.from_maybe_zero = Some(Zero::Taken);
                    out.extend(self.contribute(*v, Term::Adjoint(r).field(m.clone())));
                }
                out
            }
            Op::Param(_) | Op::Lit(_) | Op::Opaque { .. } | Op::NoGrad(_) | Op::Error => Stmts::default(),
        }
    }

    /// The adjoint of a primitive, by its rule's kind.
    pub(super) fn prim_adjoint(
        &mut self,
        inst: &Inst,
        rule: &crate::rules::Rule,
        args: &[Value],
        form: &Form,
    ) -> Stmts {
        let act = self.input.act;
        let span = inst.span.span();
        let Some(&y) = inst.results.first() else {
            return Stmts::default();
        };
        if let (Family::Linear(Linear::Sum), Some(&m)) = (&rule.kind, args.first())
            && self.input.summed.get(&m) == Some(&y)
        {
            // `m.iter().sum()` of an array only summed (`analysis::summed_arrays`): its adjoint is
            // this cotangent in every element, kept as one scalar the stores read.
            return self.declare_fill(m, y);
        }
        if !self.live.contains(&y) {
            return Stmts::default();
        }
        let active = |i: usize| args.get(i).copied().filter(|v| act.active(*v));
        let operand = |r: Read| match r {
            Read::Arg(i) => args[i],
            Read::Result => y,
        };
        let mut out = Stmts::default();
        if self.plan.fused_sums.contains(&y) {
            let fill = crate::emit::fill(y);
            // `ȳ` is `fill` in every entry: `ā = fill 𝟙 (row sums of b)ᵀ`, `b̄ = fill (column
            // sums of a) 𝟙ᵀ`, without forming `ȳ`.
            let filled = |f: &str| {
                Term::runtime(f, vec![Term::Name(fill.clone()), Term::Value(args[0]), Term::Value(args[1])])
            };
            if let Some(xa) = active(0) {
                out.extend(self.contribute(xa, filled("filled_product_lhs")));
            }
            if let Some(za) = active(1) {
                out.extend(self.contribute(za, filled("filled_product_rhs")));
            }
            return out;
        }
        if crate::emit::is_heap(self.input, y) {
            // Complete now: the rule reads it (maybe twice) through a reference.
            out.extend(self.stmt(Statement::bind(Pattern::Adjoint(y), Term::Adjoint(y).by_ref())));
        }
        // `ȳ` passed on whole to an operand that is not held by reference: `let y: DVector<f64> =
        // g(..)` (the call's result is owned), or a vector built by index (`from_fn`, an array
        // slot) in `v - w`; `ȳ` is a reference there.
        let whole = |a: Value| {
            if crate::emit::is_heap(self.input, y) && !crate::emit::is_heap(self.input, a) {
                Term::runtime("owned", vec![Term::Adjoint(y)])
            } else {
                Term::Adjoint(y)
            }
        };
        match &rule.kind {
            Family::Linear(Linear::Add | Linear::Identity) => {
                for a in (0..args.len()).filter_map(active) {
                    out.extend(self.contribute(a, whole(a)));
                }
            }
            Family::Linear(Linear::Sub) => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, whole(a)));
                }
                if let Some(b) = active(1) {
                    out.extend(self.contribute(b, Term::Adjoint(y).neg()));
                }
            }
            Family::Linear(Linear::Neg) => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, Term::Adjoint(y).neg()));
                }
            }
            Family::Linear(Linear::CastFloat) => {
                if let Some(a) = active(0) {
                    let term = Term::runtime("cast_like", vec![Term::Adjoint(y), Term::Value(a).by_ref()]);
                    out.extend(self.contribute(a, term));
                }
            }
            Family::Smooth { partials, reads } => {
                // Only what the partials read is kept for the adjoint; a value they do not
                // read is passed as one that is kept (`rules::Reads`).
                let result = y;
                let (args, y) = match (reads, args.first()) {
                    (crate::rules::Reads::Arguments, Some(first)) => (args.to_vec(), *first),
                    (crate::rules::Reads::Result, _) => (vec![y; args.len()], y),
                    _ => (args.to_vec(), y),
                };
                for i in (0..args.len()).filter(|i| partials.get(*i) == Some(&true)) {
                    let Some(a) = active(i) else { continue };
                    let d = Term::Partial { rule: rule.name, i, args: args.clone(), y };
                    // `mul_add` needs no guard: its partials are its operands, finite
                    // wherever the values themselves are (products are `Bilinear::Product`).
                    // The guard is for `ȳ`, the result's adjoint (not the value a partial reads
                    // in its place: `sin`'s reads its argument).
                    let guard = self.maybe_zero.contains_key(&result) && rule.name != "mul_add";
                    let term = if guard {
                        Term::runtime("mul_adjoint", vec![d, Term::Adjoint(result)])
                    } else {
                        d.mul(Term::Adjoint(result))
                    };
                    out.extend(self.contribute(a, term));
                }
            }
            Family::Linear(Linear::Assemble) => {
                // The entries were given row by row; a vector is the one-column case.
                let columns = match form {
                    Form::Path(p) => p
                        .segments
                        .iter()
                        .rev()
                        .nth(1)
                        .and_then(|s| crate::signature::alias_columns(&s.ident.to_string())),
                    _ => None,
                };
                for i in 0..args.len() {
                    if let Some(a) = active(i) {
                        let entry = match columns {
                            Some(c) if c > 1 => {
                                let (r, c) = (syn::Index::from(i / c), syn::Index::from(i % c));
                                Term::Adjoint(y).index(quote!((#r, #c)))
                            }
                            _ => {
                                let k = syn::Index::from(i);
                                Term::Adjoint(y).index(quote!(#k))
                            }
                        };
                        out.extend(self.contribute(a, entry));
                    }
                }
            }
            Family::Linear(Linear::Entry) => {
                if let (Some(a), Form::Index(_)) = (active(0), form) {
                    for i in &args[1..] {
                        self.read(Slot::Value(*i));
                    }
                    let k = form.index(args);
                    // The other entries' adjoints stay zero: a partial (NaN, infinite) of
                    // theirs that the matrix's rule reads must not leak (`map`, `component_div`).
                    self.may_be_zero(a, Zero::Taken);
                    if crate::emit::is_heap(self.input, a) {
                        // In place: one entry, not a matrix per read (`v[i]` in a loop).
                        out.extend(self.declare(a));
                        let entry = Term::Adjoint(a).index(k);
                        out.extend(self.stmt(Statement::AddTo { place: entry, value: Term::Adjoint(y) }));
                    } else {
                        let e = format_ident!("__entry", span = proc_macro2::Span::mixed_site());
                        let term = Term::Updated {
                            var: e.clone(),
                            init: Box::new(Term::Zero { of: a, lanes: false }),
                            update: Box::new(Term::Assign(
                                Box::new(Term::Name(e).index(k)),
                                Box::new(Term::Adjoint(y)),
                            )),
                        };
                        out.extend(self.contribute(a, term));
                    }
                }
            }
            Family::Linear(Linear::SetEntry) => {
                if let (Form::Path(path), Some(last)) = (form, args.len().checked_sub(1)) {
                    let index: Vec<_> = args[1..last].iter().map(|v| self.read(Slot::Value(*v))).collect();
                    if let Some(m) = active(0) {
                        // `ȳ` with the replaced entry zero: the old entry did not reach `y`.
                        self.may_be_zero(m, Zero::Taken);
                        let entries = args[1..last].iter().map(|v| Term::Value(*v));
                        let zero = Term::Zero { of: args[last], lanes: false };
                        let args = std::iter::once(Term::Adjoint(y)).chain(entries).chain([zero]).collect();
                        out.extend(self.contribute(m, Term::Call { path: path.to_token_stream(), args }));
                    }
                    if let Some(e) = active(last).filter(|_| last > 0) {
                        let k = match &index[..] {
                            [i] => quote!(#i),
                            more => quote!((#(#more),*)),
                        };
                        out.extend(self.contribute(e, Term::Adjoint(y).index(k)));
                    }
                }
            }
            Family::Linear(Linear::Part) => {
                if let (Some(a), Some((method, turbofish))) = (active(0), form.part()) {
                    let rest = args[1..].iter().map(|v| Term::Name(self.read(Slot::Value(*v)))).collect();
                    self.may_be_zero(a, Zero::Taken);
                    out.extend(self.declare(a));
                    let (method, turbofish) = (format_ident!("{}_mut", method), Some(turbofish));
                    let part =
                        Term::Method { receiver: Box::new(Term::Adjoint(a)), method, turbofish, args: rest };
                    let view = format_ident!("__part", span = proc_macro2::Span::mixed_site());
                    out.extend(self.stmt(Statement::Scope(vec![
                        Statement::bind_mut(Pattern::Name(view.clone()), part),
                        Statement::AddTo { place: Term::Name(view), value: Term::Adjoint(y) },
                    ])));
                }
            }
            Family::Linear(Linear::Fill) => {
                if let Some(x) = args.last().copied().filter(|v| act.active(*v)) {
                    out.extend(self.contribute(x, Term::Adjoint(y).method("sum", vec![])));
                }
            }
            Family::Linear(Linear::Transpose) => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, Term::Adjoint(y).method("transpose", vec![])));
                }
            }
            Family::Linear(Linear::AddScalar) => {
                if let Some(m) = active(0) {
                    out.extend(self.contribute(m, Term::Adjoint(y)));
                }
                if let Some(s) = active(1) {
                    out.extend(self.contribute(s, Term::Adjoint(y).method("sum", vec![])));
                }
            }
            Family::Custom(Custom::Map) if self.saves_map_derivative(inst) => {
                if let Some(x) = active(0) {
                    let d = Term::Name(derivative(y));
                    // Entry by entry with a strong zero where `ȳ` may be partly zero (`r.y` of `r =
                    // v.map(|e| e.sqrt())` at `v.x < 0`: `f'` is NaN where nothing read).
                    let term = match self.maybe_zero.contains_key(&y) {
                        true => Term::runtime("map_adjoint", vec![d.by_ref(), Term::Adjoint(y)]),
                        false => d.method("component_mul", vec![Term::Adjoint(y)]),
                    };
                    out.extend(self.contribute(x, term));
                }
            }
            // `x̄ = ȳ ∘ f'(x)` and, for each float `k` the closure reads, `k̄ = Σ ȳ ∘ ∂f/∂k`.
            Family::Custom(Custom::Map) => {
                if let Form::Map(f) = form {
                    let grad = crate::emit::sibling(f, "grad");
                    let captured: Vec<syn::Ident> =
                        args[1..].iter().map(|c| self.read(Slot::Value(*c))).collect();
                    let parts = crate::emit::map_gradient_parts(self.input, args);
                    let strong = self.maybe_zero.contains_key(&y);
                    let name = |n: &str| format_ident!("{}", n, span = span);
                    for (i, part) in parts.iter().enumerate() {
                        let (Some(v), Some(part)) = (active(i), part) else { continue };
                        // `|e, y| grad(e, k..).1 * y`: the closure's partial in its gradient's
                        // part, times the result's adjoint.
                        let inputs = std::iter::once(name("__e")).chain(captured.iter().cloned());
                        let gradient = Term::Call {
                            path: grad.to_token_stream(),
                            args: inputs.map(Term::Name).collect(),
                        };
                        let partial = part.iter().fold(gradient, |t, m| t.field(m.clone()));
                        let body = match strong {
                            true => Term::runtime("mul_adjoint", vec![partial, Term::Name(name("__y"))]),
                            false => partial.mul(Term::Name(name("__y"))),
                        };
                        let closure =
                            Term::Closure { params: vec![name("__e"), name("__y")], body: Box::new(body) };
                        let each =
                            Term::Value(args[0]).method("zip_map", vec![Term::Adjoint(y).by_ref(), closure]);
                        let term = if i == 0 { each } else { each.method("sum", vec![]) };
                        out.extend(self.contribute(v, term));
                    }
                }
            }
            // A product only summed (the plan's `fused_sums`): its adjoint stays this scalar.
            Family::Linear(Linear::SumEntries)
                if active(0).is_some_and(|a| self.plan.fused_sums.contains(&a)) =>
            {
                let a = args[0];
                let fill = crate::emit::fill(a);
                out.extend(self.stmt(Statement::bind(Pattern::Name(fill), Term::Adjoint(y))));
                self.live.insert(a);
            }
            Family::Linear(Linear::SumEntries) => {
                if let Some(a) = active(0) {
                    let term = Term::runtime("filled_like", vec![Term::Value(a).by_ref(), Term::Adjoint(y)]);
                    out.extend(self.contribute(a, term));
                }
            }
            Family::Linear(Linear::Sum) => {
                if let Some(a) = active(0) {
                    let each = vec![Term::Adjoint(a).by_mut(), Term::Adjoint(y)];
                    out.extend(self.stmt(Statement::Effect(Term::runtime("add_to_each", each))));
                }
            }
            Family::Bilinear(_) | Family::Custom(_) => {
                // A product or quotient of two floats: the adjoints written out, which a long
                // function type-checks and builds faster than the generic runtime calls (the
                // same code once optimised).
                let floats = matches!(
                    rule.kind,
                    Family::Bilinear(Bilinear::Product) | Family::Custom(Custom::Quotient)
                ) && args.iter().take(2).all(|v| self.input.scalars.contains(v));
                let operand_kind = |k: usize| match args.get(k) {
                    Some(v) if self.input.scalars.contains(v) => crate::rules::Operand::Float,
                    Some(v) if crate::emit::is_heap(self.input, *v) => crate::rules::Operand::Matrix,
                    _ => crate::rules::Operand::Other,
                };
                let operands = [operand_kind(0), operand_kind(1)];
                let strong = self.maybe_zero.get(&y).copied();
                for i in 0..args.len() {
                    let Some(a) = active(i) else { continue };
                    let mut read = |r: Read| {
                        let v = operand(r);
                        crate::emit::operand_term(self.input, v, Term::Value(v))
                    };
                    let mut cx = Cotangent {
                        ybar: Term::Adjoint(y),
                        read: &mut read,
                        floats,
                        operands,
                        strong: strong.is_some(),
                        strong_products: strong == Some(Zero::Unused),
                    };
                    if let Some(term) = rule.kind.adjoint(i, &mut cx) {
                        out.extend(self.contribute(a, term));
                    }
                }
            }
            Family::NonDifferentiable(_) | Family::Predicate | Family::Shape => {}
        }
        out
    }

    /// The adjoint of one arm of an `if`: the phis' adjoints flow to the values the arm yields,
    /// then the arm's instructions in reverse. Returns the arm's program and the outer values it
    /// contributes to first.
    pub(super) fn arm(
        &mut self,
        b: &'a Block,
        live_phis: &[usize],
        results: &[Value],
        out: &[Value],
    ) -> (Program<'a>, BTreeSet<Value>) {
        self.open();
        self.arm_defs.push(body_defs(b));
        self.predeclare.push(BTreeSet::new());
        let mut code = Stmts::default();
        for &i in live_phis {
            if let (Some(r), Some(v)) = (results.get(i), out.get(i))
                && self.input.act.active(*v)
            {
                self.from_maybe_zero = self.zero_reason(&[*r]);
                code.extend(self.contribute(*v, Term::Adjoint(*r)));
                self.from_maybe_zero = None;
            }
        }
        let mut items = Vec::new();
        code.append_to(&mut items);
        self.block(b, &mut items);
        self.arm_defs.pop();
        let pre = self.predeclare.pop().unwrap_or_default();
        (self.close(items), pre)
    }
}
