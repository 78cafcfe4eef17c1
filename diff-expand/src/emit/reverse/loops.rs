//! Loops in reverse, the one place that states the policy: what a backward iteration
//! recomputes or pops from the loop's stack, which way it runs, and which reads it hoists.

use super::*;

impl<'a> Reverse<'a> {
    /// The adjoint of a loop: the iterations in reverse. Each backward iteration first gets back
    /// the values its adjoint reads, which the plan decides from the body's program
    /// ([`Reverse::plan_loop`]). The carried variables' adjoints flow from one backward
    /// iteration to the previous one through `__acarryN`.
    pub(super) fn adjoint_for(&mut self, inst: &'a Inst, items: &mut Vec<Item<'a>>) {
        let (body, carried) = match &inst.op {
            Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => (body, carried),
            _ => return,
        };
        let act = self.input.act;
        if let Some(m) = inst.results.first().and_then(|t| crate::emit::summed_by(self.input, *t)) {
            return self.summed_loop(inst, m, carried).append_to(items);
        }
        let live_exit = inst.results.iter().any(|r| self.live.contains(r));
        if !live_exit && !has_adjoint(body, act) {
            return;
        }
        let active = active_carried(inst, act);
        let defs = loop_defs(inst);
        self.open();
        self.arm_defs.push(defs.clone());
        self.predeclare.push(BTreeSet::new());
        let before = self.live.clone();
        let mut code = Stmts::default();
        for (c, exit) in &active {
            if act.active(c.next) {
                let acarry = adjoint_carry(c.header);
                // Structurally zero when nothing after the loop uses the variable.
                self.from_maybe_zero =
                    if self.live.contains(exit) { self.zero_reason(&[*exit]) } else { Some(Zero::Unused) };
                code.extend(self.contribute(c.next, Term::Name(acarry.clone())));
                self.from_maybe_zero = None;
            }
        }
        let hoisted = self.hoist_loads(body, &defs);
        let shifted = match &inst.op {
            Op::For { var, .. } => self.shift_loads(body, *var, &defs),
            _ => None,
        };
        // `x̄[i]` and `x̄[i + 1]` of one iteration are summed in registers (`shift_loads`).
        let span = inst.span.span();
        let mut registers = Stmts::default();
        for r in shifted.iter().flat_map(|sh| [&sh.r0, &sh.r1]) {
            registers.push(Statement::bind_mut(Pattern::Name(r.clone()), zero_real()), span);
        }
        let mut body_items = Vec::new();
        registers.append_to(&mut body_items);
        code.append_to(&mut body_items);
        self.block(body, &mut body_items);
        let mut code = Stmts::default();
        for (c, _) in &active {
            let value =
                if self.live.contains(&c.header) { Term::Adjoint(c.header) } else { self.zero(c.init) };
            code.push(Statement::Set { place: Term::Name(adjoint_carry(c.header)), value }, span);
        }
        code.append_to(&mut body_items);
        self.arm_defs.pop();
        let pre = self.predeclare.pop().unwrap_or_default();
        let body_program = self.close(body_items);
        self.live = before;

        let mut out = Vec::new();
        for v in &pre {
            let declared_here = self.arm_defs.last().is_none_or(|defs| defs.contains(v));
            if declared_here {
                out.push(self.declare_zero(*v));
            } else if let Some(set) = self.predeclare.last_mut() {
                set.insert(*v);
            }
            self.live.insert(*v);
            self.may_be_zero(*v, Zero::Unused);
        }
        for (c, exit) in &active {
            let value = self.adjoint_or_zero(*exit);
            out.push(Statement::bind_mut(Pattern::Name(adjoint_carry(c.header)), value));
        }
        match &inst.op {
            Op::For { start, end, .. } => {
                self.read(Slot::Value(*start));
                self.read(Slot::Value(*end));
            }
            Op::Loop { count, .. } => {
                self.read(Slot::Value(*count));
            }
            _ => {}
        }
        for (_, h) in &hoisted {
            out.push(Statement::bind_mut(Pattern::Name(h.clone()), zero_real()));
        }
        if let Some(sh) = &shifted {
            out.push(Statement::bind_mut(Pattern::Name(sh.carry.clone()), zero_real()));
            out.push(Statement::bind_mut(Pattern::Name(sh.edge.clone()), Term::Verbatim(quote!(0usize))));
            for key in &sh.keys {
                self.hoisted.remove(key);
            }
        }
        // A sum in a register, added to `into` after the loop if it is not zero.
        let flush = |into: Term, sum: &syn::Ident| Statement::When {
            cond: Term::runtime("is_nonzero", vec![Term::Name(sum.clone())]),
            then: vec![Statement::accumulate(into, Term::Name(sum.clone()))],
        };
        let mut after = Stmts::default();
        if let Some(sh) = &shifted {
            let edge = &sh.edge;
            after.push(flush(Term::Adjoint(sh.array).index(quote!(#edge)), &sh.carry), span);
        }
        // A zero sum adds nothing, and skipping it never evaluates an index the primal may not
        // have evaluated (a loop that ran no iteration).
        for (key @ (array, index), h) in &hoisted {
            index.iter().for_each(|i| {
                self.read(Slot::Value(*i));
            });
            self.hoisted.remove(key);
            after.push(flush(Term::Adjoint(*array).at(index), h), span);
        }
        for (c, _) in &active {
            if act.active(c.init) {
                let acarry = adjoint_carry(c.header);
                self.from_maybe_zero = self.zero_reason(&[c.header, c.next]);
                after.extend(self.contribute(c.init, Term::Name(acarry.clone())));
                self.from_maybe_zero = None;
            }
        }
        let hoisted = hoisted.into_iter().map(|(key, _)| key).collect();
        let mut after_items = Vec::new();
        after.append_to(&mut after_items);
        let after = Program { items: after_items, reads: BTreeSet::new() };
        items.push(Item::Loop(Box::new(Loop {
            inst,
            before: out,
            body: body_program,
            shifted,
            hoisted,
            after,
        })));
    }

    /// What a backward iteration of `l` needs, of the slots its body reads (`reads`): popped
    /// from the loop's stack what cannot be recomputed (values carried from the previous
    /// iteration, loads from arrays written later, branch traces, pullbacks), recomputed the
    /// rest (arithmetic on the index, loop-invariant values and arrays not written since). Adds
    /// the loop's plan and returns the slots the loop reads from outside it.
    pub(super) fn plan_loop(&mut self, l: &mut Loop<'a>, reads: BTreeSet<Slot>) -> BTreeSet<Slot> {
        let inst = l.inst;
        let (key, index_var, body, carried) = match &inst.op {
            Op::For { var, body, carried, .. } => (*var, Some(*var), body, carried),
            Op::Loop { count, body, carried, .. } => (*count, None, body, carried),
            _ => return BTreeSet::new(),
        };
        let defs = loop_defs(inst);
        let mut outside = BTreeSet::new();
        let headers: HashSet<Value> = carried.iter().map(|c| c.header).collect();
        let loop_seq = self.order.seq(key);
        let mut recompute = BTreeSet::new();
        let mut stack = Vec::new();
        let mut work: Vec<Slot> = reads.iter().copied().collect();
        let mut seen = HashSet::new();
        let mut read_before_written_at = Vec::new();
        while let Some(slot) = work.pop() {
            if !seen.insert(slot) {
                continue;
            }
            // An array read whole (`r.norm()` of a `DVector` the loop fills by index) that the
            // loop writes: each backward iteration reads its own iteration's contents, a copy
            // pushed on the stack at the iteration's end (`snapshots`), never the last one.
            if let Slot::Value(a) = slot
                && !defs.contains(&a)
                && crate::emit::is_array(self.input, a)
                && stores_into(body, a)
            {
                // The copy at the iteration's end would not be what the read saw.
                read_before_written_at.extend(read_before_written(body, a));
                stack.push(slot);
                continue;
            }
            if !defs.contains(&slot.value()) {
                outside.insert(slot);
                continue;
            }
            let v = match slot {
                Slot::Pullback(_) | Slot::Tangent(_) => {
                    stack.push(slot);
                    continue;
                }
                Slot::Value(v) => v,
            };
            if Some(v) == index_var {
                continue;
            }
            let defining = body.insts.iter().position(|i| i.results.contains(&v));
            // Pure operations are recomputed, unless they read an array the loop (or later
            // code) writes: its contents have changed since.
            let unchanged = |op: &Op| {
                op.operands().iter().all(|o| {
                    !crate::emit::is_array(self.input, *o) || self.order.unchanged_from(*o, loop_seq)
                })
            };
            // Code kept as written that reads a `&mut` parameter (`rng: &mut StdRng`) has an
            // effect: run once, in the primal sweep, its result saved.
            let effect = |op: &Op| {
                matches!(op, Op::Opaque { reads, .. } if reads.iter().any(|r| {
                    let i = r.0 as usize;
                    // Parameter `i` is the function's value `i` (`lower`'s first instructions).
                    matches!(self.input.f.body.insts.get(i), Some(Inst { op: Op::Param(k), results, .. })
                        if *k == i && results[..] == [*r])
                        && self.input.sig.params.get(i).is_some_and(|p| crate::signature::mutable_ref(&p.ty))
                }))
            };
            let recomputable = !headers.contains(&v)
                && defining.is_some_and(|i| !effect(&body.insts[i].op))
                && defining.is_some_and(|i| match &body.insts[i].op {
                    op @ (Op::Lit(_)
                    | Op::Opaque { .. }
                    | Op::Prim { .. }
                    | Op::NoGrad(_)
                    | Op::Load { .. }
                    // A struct literal (`Spring { rest, k }` read by a method call): built again
                    // from its fields, so a struct without `Clone` is never saved.
                    | Op::Construct { .. }) => unchanged(op),
                    _ => false,
                });
            match defining {
                Some(i) if recomputable => {
                    recompute.insert(i);
                    work.extend(body.insts[i].op.operands().into_iter().map(Slot::Value));
                }
                _ => stack.push(slot),
            }
        }
        stack.sort();
        // Iterations that only add into adjoints may run in any order; forward order is much
        // faster (the hardware streams through the arrays it accumulates into).
        let forward = stack.is_empty() && order_free(body, carried, self.input.act);
        let recomputed = recompute.iter().flat_map(|i| body.insts[*i].results.iter().copied()).collect();
        // Each backward iteration starts by getting them back: the pop, then the recomputations.
        let mut head = Vec::new();
        if !stack.is_empty() {
            head.push(Item::Pop { stack: key, slots: stack.clone() });
        }
        if !recompute.is_empty() {
            head.push(Item::Recompute(recompute.iter().map(|i| &body.insts[*i]).collect()));
        }
        l.body.items.splice(0..0, head);
        let hoisted = l.hoisted.clone();
        self.plan.loops.insert(
            key,
            super::plan::LoopPlan { pushed: stack, recomputed, forward, hoisted, read_before_written_at },
        );
        outside
    }

    /// The backward loop of `l`, with what its plan pops and recomputes, in its plan's direction.
    pub(super) fn print_loop(&self, l: Loop) -> TokenStream {
        let Loop { inst, before, body: body_program, shifted, after, .. } = l;
        let Some(key) = loop_key(&inst.op) else { return TokenStream::new() };
        let span = inst.span.span();
        let default = super::plan::LoopPlan::default();
        let plan = self.plan.loops.get(&key).unwrap_or(&default);
        let forward = plan.forward;
        let header = match &inst.op {
            Op::For { var, start, end, inclusive, .. } => {
                let range = crate::emit::forward::range_tokens(*start, *end, *inclusive);
                let index = var.ident();
                if forward { quote!(for #index in #range) } else { quote!(for #index in (#range).rev()) }
            }
            _ => {
                let count = key.ident();
                quote!(for _ in 0..#count)
            }
        };
        let flush = self.flush(inst, &shifted);
        let (code, flush) = (self.print(body_program), self.statements(&flush, span));
        let mut out = self.statements(&before, span);
        out.extend(quote_spanned!(span=> #header { #code #flush }));
        out.extend(self.print(after));
        // The copy at the iteration's end would not be what the read saw: our error, worded
        // as the others (found while planning, so written here).
        for at in &plan.read_before_written_at {
            let message = crate::diagnostics::Diagnostic::from(
                crate::diagnostics::unsupported::WHOLE_ARRAY_READ_BEFORE_WRITTEN,
            )
            .message();
            out.extend(quote_spanned!(*at=> ::core::compile_error!(#message);));
        }
        out
    }

    /// The end of a backward iteration whose loads `x[i]` and `x[i + 1]` are summed in
    /// registers (`shift_loads`): each element stored once, the part of the next (or previous)
    /// element carried to the iteration that stores it, in the plan's direction.
    pub(super) fn flush(&self, inst: &Inst, shifted: &Option<Shifted>) -> Vec<Statement> {
        let forward = loop_key(&inst.op).and_then(|key| self.plan.loops.get(&key)).is_some_and(|p| p.forward);
        let mut flush = Vec::new();
        if let (Some(sh), Op::For { var, .. }) = (shifted, &inst.op) {
            let (i, a, name) = (var.ident(), Term::Adjoint(sh.array), |n: &syn::Ident| Term::Name(n.clone()));
            let (carry, edge) = (name(&sh.carry), name(&sh.edge));
            // Element i is complete: its own part and what iteration i - 1 carried (forward);
            // element i + 1 and what iteration i + 1 carried (backward).
            let (element, own, next, last) = match forward {
                true => (quote!(#i), &sh.r0, &sh.r1, Term::Value(*var).add(Term::Verbatim(quote!(1)))),
                false => (quote!(#i + 1), &sh.r1, &sh.r0, Term::Value(*var)),
            };
            flush = vec![
                Statement::accumulate(a.index(element), name(own).add(carry.clone())),
                Statement::Set { place: carry, value: name(next) },
                Statement::Set { place: edge, value: last },
            ];
        }
        flush
    }

    /// The adjoint of `for v in m.iter() { s += v }` over an array only summed
    /// (`analysis::summed_arrays`): every element's adjoint is the cotangent of `s` after the loop,
    /// kept as the scalar the array's stores read; the initial `s` gets the same cotangent.
    pub(super) fn summed_loop(&mut self, inst: &Inst, m: Value, carried: &[Carried]) -> Stmts {
        let (Some(&exit), [c]) = (inst.results.first(), carried) else {
            return Stmts::default();
        };
        let mut out = self.declare_fill(m, exit);
        if self.input.act.active(c.init) {
            let fill = crate::emit::fill(m);
            self.from_maybe_zero =
                if self.live.contains(&exit) { self.zero_reason(&[exit]) } else { Some(Zero::Unused) };
            out.extend(self.contribute(c.init, Term::Name(fill.clone())));
            self.from_maybe_zero = None;
        }
        out
    }

    /// The loads of a loop body whose adjoint can be summed in a scalar for the whole loop: a
    /// float read at an index the loop does not change (no index is defined in the loop, `defs`)
    /// from an active array defined outside it that the loop never stores into. Their
    /// contributions are then independent of the order they are added in, and adding them in a
    /// register is what a hand-written gradient does (`gx[i] += ..` in a loop over `j` is a
    /// load and a store of the same element every iteration otherwise: the compiler cannot keep
    /// it in a register, not knowing that the other adjoints written in the loop are other
    /// memory). Registers the scalars in `self.hoisted` and returns them.
    pub(super) fn hoist_loads(
        &mut self,
        body: &Block,
        defs: &HashSet<Value>,
    ) -> Vec<((Value, Vec<Value>), syn::Ident)> {
        let mut out: Vec<((Value, Vec<Value>), syn::Ident)> = Vec::new();
        for inst in &body.insts {
            let Op::Load { array, index } = &inst.op else { continue };
            let key = (*array, index.clone());
            // Summed in a register of a float (`zero_real`): the element must be one.
            let hoistable = self.input.act.active(*array)
                && inst.results.first().is_some_and(|y| self.input.scalars.contains(y))
                && !defs.contains(array)
                && index.iter().all(|i| !defs.contains(i))
                && !stores_into(body, *array)
                && !self.hoisted.contains_key(&key)
                && !out.iter().any(|(k, _)| *k == key);
            if hoistable {
                let h = format_ident!("__hoist{}", self.fresh, span = proc_macro2::Span::mixed_site());
                self.fresh += 1;
                self.hoisted.insert(key.clone(), h.clone());
                out.push((key, h));
            }
        }
        out
    }
}

/// The loads `x[i]` and `x[i + 1]` of a `for` loop's body whose adjoints go through registers
/// (`Reverse::shift_loads`).
pub(super) struct Shifted {
    array: Value,
    /// This iteration's contributions to `x̄[i]` and `x̄[i + 1]`.
    r0: syn::Ident,
    r1: syn::Ident,
    /// The contribution to the element the next backward iteration stores.
    carry: syn::Ident,
    /// The element the carry belongs to after the loop.
    edge: syn::Ident,
    keys: Vec<(Value, Vec<Value>)>,
}

impl Reverse<'_> {
    /// A loop body reading one array at `i` and at `i + 1` (a chain's `zip(x.iter().skip(1))`,
    /// `windows(2)`): the adjoint updates `x̄[i] += ..; x̄[i + 1] += ..` of each iteration are
    /// what LLVM's SLP vectorizer merges into one 16-byte read-modify-write, whose overlap with
    /// the next iteration's defeats store-to-load forwarding (3x slower, BENCHMARKS.md). Summed in
    /// registers and stored once per element, as a hand-written gradient does, they cannot be.
    /// Only for an active float array defined outside the loop that it never stores into, read
    /// at the top level of the body.
    pub(super) fn shift_loads(&mut self, body: &Block, var: Value, defs: &HashSet<Value>) -> Option<Shifted> {
        let one_more = |v: Value| {
            body.insts.iter().any(|inst| {
                inst.results.first() == Some(&v)
                    && matches!(&inst.op, Op::Prim { rule, args, .. } if rule.name == "add" && args.len() == 2
                        && args.contains(&var)
                        && args.iter().any(|a| *a != var && literal_one(body, *a)))
            })
        };
        let mut found: Vec<(Value, Vec<Value>, usize)> = Vec::new();
        for inst in &body.insts {
            let Op::Load { array, index } = &inst.op else { continue };
            let [k] = index.as_slice() else { continue };
            let offset = if *k == var {
                0
            } else if one_more(*k) {
                1
            } else {
                continue;
            };
            let eligible = self.input.act.active(*array)
                && inst.results.first().is_some_and(|y| self.input.scalars.contains(y))
                && !defs.contains(array)
                && !stores_into(body, *array)
                && !self.hoisted.contains_key(&(*array, index.clone()));
            if eligible {
                found.push((*array, index.clone(), offset));
            }
        }
        let array = found.iter().find(|(_, _, o)| *o == 1)?.0;
        if !found.iter().any(|(a, _, o)| *a == array && *o == 0) {
            return None;
        }
        // One array only, and no other load of it in the body (a nested read would bypass the
        // registers while they hold its sums).
        let others = body.insts.iter().any(|inst| match &inst.op {
            Op::Load { array: a, index } => {
                *a == array && !found.iter().any(|(fa, fi, _)| fa == a && fi == index)
            }
            op => op.blocks().into_iter().any(|b| loads_from(b, array)),
        });
        if others {
            return None;
        }
        let fresh = |r: &mut Self, name: &str| {
            let id = format_ident!("__shift{}_{}", name, r.fresh, span = proc_macro2::Span::mixed_site());
            id
        };
        let (r0, r1, carry, edge) =
            (fresh(self, "own"), fresh(self, "next"), fresh(self, "carry"), fresh(self, "edge"));
        self.fresh += 1;
        let mut keys = Vec::new();
        for (a, index, offset) in found.into_iter().filter(|(a, _, _)| *a == array) {
            let key = (a, index);
            self.hoisted.insert(key.clone(), if offset == 0 { r0.clone() } else { r1.clone() });
            keys.push(key);
        }
        Some(Shifted { array, r0, r1, carry, edge, keys })
    }
}

/// Whether `v` is the literal `1` (an integer) defined in `body`.
fn literal_one(body: &Block, v: Value) -> bool {
    body.insts.iter().any(|inst| {
        inst.results.first() == Some(&v)
            && matches!(&inst.op, Op::Lit(syn::Lit::Int(i)) if i.base10_parse::<u64>().ok() == Some(1))
    })
}

/// Whether a block (at any depth) loads from `array`.
fn loads_from(b: &Block, array: Value) -> bool {
    b.any(&mut |inst| matches!(&inst.op, Op::Load { array: a, .. } if *a == array))
}

/// The key of a loop in the plan: a `for`'s index variable, a `while`'s or `loop`'s iteration
/// count.
pub(super) fn loop_key(op: &Op) -> Option<Value> {
    match op {
        Op::For { var, .. } => Some(*var),
        Op::Loop { count, .. } => Some(*count),
        _ => None,
    }
}

/// The stack of the loop with index variable `v`.
pub(super) fn stack_ident(v: Value) -> syn::Ident {
    format_ident!("__stack{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// The adjoint carried between backward iterations for the loop variable with header `h`.
pub(super) fn adjoint_carry(h: Value) -> syn::Ident {
    format_ident!("__acarry{}", h.0, span = proc_macro2::Span::mixed_site())
}

/// The values a loop defines: its body's, its index variable and its carried variables'
/// headers.
fn loop_defs(inst: &Inst) -> HashSet<Value> {
    let (index_var, body, carried) = match &inst.op {
        Op::For { var, body, carried, .. } => (Some(*var), body, carried),
        Op::Loop { body, carried, .. } => (None, body, carried),
        _ => return HashSet::new(),
    };
    let mut defs = body_defs(body);
    defs.extend(index_var);
    defs.extend(carried.iter().map(|c| c.header));
    defs
}

/// The carried variables of a loop whose adjoint is needed, with the loop's result for each.
fn active_carried<'i>(
    inst: &'i Inst,
    act: &crate::analysis::activity::Activity,
) -> Vec<(&'i Carried, Value)> {
    let (Op::For { carried, .. } | Op::Loop { carried, .. }) = &inst.op else { return Vec::new() };
    carried
        .iter()
        .zip(inst.results.iter().copied())
        .filter(|(c, r)| act.active(c.header) || act.active(*r))
        .collect()
}

/// The values a block defines at its top level (with `if` traces).
pub(super) fn body_defs(b: &Block) -> HashSet<Value> {
    let mut defs = HashSet::new();
    for inst in &b.insts {
        defs.extend(inst.results.iter().copied());
        match inst.op {
            Op::If { trace, .. } => {
                defs.insert(trace);
            }
            Op::Loop { count, .. } => {
                defs.insert(count);
            }
            _ => {}
        }
    }
    defs
}

/// Where `array` is read whole (an operand of anything but a load, store or refill of it) before
/// the body's last write of it (in program order), if it is. Code kept as written that reads it
/// (`array.len()`, a refill's length before) is not: its result is pushed on the loop's stack,
/// never computed again from the array (`plan_loop`'s `unchanged`).
fn read_before_written(body: &Block, array: Value) -> Option<proc_macro2::Span> {
    let insts = body.walk();
    let last_write = insts.iter().rposition(
        |inst| matches!(&inst.op, Op::Store { array: a, .. } | Op::Refill { array: a, .. } if *a == array),
    )?;
    insts[..last_write]
        .iter()
        .find(|inst| {
            !matches!(&inst.op, Op::Load { array: a, .. } | Op::Store { array: a, .. } | Op::Refill { array: a, .. } if *a == array)
                && !matches!(inst.op, Op::Opaque { .. })
                && inst.op.operands().contains(&array)
        })
        .map(|inst| inst.span.span())
}

/// Whether a block (or a block nested in it) stores into `array`.
pub(super) fn stores_into(b: &Block, array: Value) -> bool {
    b.any(&mut |inst| matches!(&inst.op, Op::Store { array: a, .. } | Op::Refill { array: a, .. } if *a == array))
}

/// Whether anything in a block has an adjoint: an active value, or a store into an active array.
pub(super) fn has_adjoint(b: &Block, act: &crate::analysis::activity::Activity) -> bool {
    b.any(&mut |inst| {
        inst.results.iter().any(|r| act.active(*r))
            || matches!(&inst.op, Op::Store { array, .. } | Op::Refill { array, .. } if act.active(*array))
    })
}

/// Whether the backward iterations of a loop are independent of each other, so they may run in
/// any order: every active carried variable is a pure accumulator (`s = s + term`, its header
/// used nowhere else and its new value read by nothing in the body, so its adjoint is the same
/// in every iteration), and the body neither writes an active array (an overwrite takes the
/// adjoint present at that point) nor holds a loop. (`s += v; acc += s;` reads the new `s` in
/// `acc`'s term: `s̄` then grows from one backward iteration to the next, and the order matters;
/// until the seventeenth session that loop ran forward, a wrong gradient.)
/// Sums of floating-point contributions are then reordered, which changes results only by
/// rounding.
pub(super) fn order_free(
    body: &Block,
    carried: &[Carried],
    act: &crate::analysis::activity::Activity,
) -> bool {
    fn plain(b: &Block, act: &crate::analysis::activity::Activity) -> bool {
        !b.any(&mut |inst| match &inst.op {
            Op::Store { array, .. } | Op::Refill { array, .. } => act.active(*array),
            op => matches!(op, Op::For { .. } | Op::Loop { .. }),
        })
    }
    fn uses(b: &Block, v: Value) -> usize {
        b.walk()
            .into_iter()
            .map(|inst| {
                let mut n = inst.op.operands().iter().filter(|o| **o == v).count();
                if let Op::If { then_out, else_out, .. } = &inst.op {
                    n += then_out.iter().chain(else_out).filter(|o| **o == v).count();
                }
                n
            })
            .sum()
    }
    plain(body, act)
        && carried.iter().filter(|c| act.active(c.header) || act.active(c.next)).all(|c| {
            let accumulates = body.insts.iter().any(|inst| {
                inst.results.first() == Some(&c.next)
                    && matches!(&inst.op, Op::Prim { rule, args, .. }
                        if (matches!(rule.kind, crate::rules::Family::Linear(crate::rules::Linear::Add)) && args.contains(&c.header))
                            || (matches!(rule.kind, crate::rules::Family::Linear(crate::rules::Linear::Sub)) && args.first() == Some(&c.header)))
            });
            accumulates && uses(body, c.header) == 1 && uses(body, c.next) == 0
        })
}

/// Instructions numbered in program order (pre-order), and the last store into each array.
pub(super) struct Order {
    /// Sequence number of the outermost loop around each loop (the loop's own if it is not
    /// nested), by its index variable (or iteration count).
    loops: HashMap<Value, usize>,
    /// Sequence number of the last store into each array.
    last_store: HashMap<Value, usize>,
}

impl Order {
    pub(super) fn of(body: &Block) -> Order {
        let mut order = Order { loops: HashMap::new(), last_store: HashMap::new() };
        let mut seq = 0;
        order.walk(body, &mut seq);
        order
    }

    pub(super) fn walk(&mut self, b: &Block, seq: &mut usize) {
        // The loops seen so far: (first, last) sequence numbers of each and of its outermost
        // enclosing loop. Pre-order lists a loop's body right after it.
        let mut spans: Vec<(usize, usize, usize)> = Vec::new();
        for inst in b.walk() {
            *seq += 1;
            match &inst.op {
                Op::Store { array, .. } | Op::Refill { array, .. } => {
                    self.last_store.insert(*array, *seq);
                }
                Op::For { var: key, body, .. } | Op::Loop { count: key, body, .. } => {
                    let last = *seq + body.walk().len();
                    let root = spans
                        .iter()
                        .find(|(first, end, _)| *first < *seq && *seq <= *end)
                        .map_or(*seq, |(_, _, root)| *root);
                    spans.push((*seq, last, root));
                    self.loops.insert(*key, root);
                }
                _ => {}
            }
        }
    }

    /// Where the backward sweep of a loop may recompute a load from: the start of the
    /// outermost loop around it. A store anywhere in an enclosing loop's body (even before this
    /// loop) runs again in that loop's later iterations, so the array has changed by the time
    /// this loop's backward iteration runs (`for i { d[0] = x[i]; for k { .. d[k] .. } }`).
    pub(super) fn seq(&self, loop_var: Value) -> usize {
        self.loops.get(&loop_var).copied().unwrap_or(0)
    }

    /// Whether `array` is never written at or after position `from`: a load from it can be
    /// recomputed there in the backward sweep.
    pub(super) fn unchanged_from(&self, array: Value, from: usize) -> bool {
        self.last_store.get(&array).is_none_or(|last| *last < from)
    }
}

/// `zero_real()`: a float zero of the function's scalar type.
fn zero_real() -> Term {
    Term::runtime("zero_real", vec![])
}
