//! Control flow: `for`, `while` and `loop` with their carried variables and `break`/`continue`
//! flags, and `if` with the phis of its branches (`match` is in `matches.rs`).

use super::*;

impl Lowerer<'_> {
    // ---- loops ------------------------------------------------------------------------------

    /// `for pattern in source { body }` over a range, or over the elements of local arrays
    /// (`v.iter()`, `&v`, `.enumerate()`, `.zip(..)`), which becomes a loop over indices.
    pub(super) fn for_loop(&mut self, f: &syn::ExprForLoop) -> Tree {
        self.for_loop_binding(f, None)
    }

    /// [`Self::for_loop`], binding `item` to `pattern` at the top of the body when given (a loop
    /// over a chain: `iterators::for_over_chain`), `&e` read as `e` like a closure's argument.
    pub(super) fn for_loop_binding(&mut self, f: &syn::ExprForLoop, item: Option<(&Pat, &Expr)>) -> Tree {
        let span = Loc::of(&f);
        if let Some(label) = &f.label {
            return self.unsupported(Loc::of(label), unsupported::LOOP_LABEL);
        }
        if item.is_none()
            && let Some(t) = self.for_over_rows(f)
        {
            return t;
        }
        // Rows of a nested array are not loaded whole: the chain's binding reads them in place.
        let source = self.loop_source(&f.expr);
        let source =
            source.filter(|s| !matches!(s, LoopSource::Arrays { arrays, .. } if self.any_rows(arrays)));
        let Some(source) = source else {
            if let Some(t) = self.for_over_chain(f).or_else(|| self.for_over_filter(f)) {
                return t;
            }
            return self.unsupported(Loc::of(&f.expr), unsupported::LOOP_SOURCE);
        };
        let (start, end, inclusive) = match &source {
            LoopSource::Range { start, end, inclusive, .. } => {
                let start = self.value(start);
                let end = self.value(end);
                (start, end, *inclusive)
            }
            LoopSource::Arrays { arrays, .. } => {
                let zero = syn::LitInt::new("0usize", span.span());
                let start = self.emit(Op::Lit(zero.into()), span, Kind::Discrete);
                let mut end: Option<Value> = None;
                for a in arrays {
                    let len = self.emit(
                        Op::Prim {
                            rule: rules::operator("len"),
                            args: vec![*a],
                            form: Form::Method(syn::Ident::new("len", span.span())),
                        },
                        span,
                        Kind::Discrete,
                    );
                    end = Some(match end {
                        None => len,
                        Some(prev) => {
                            let rule = rules::lookup("min", 2).unwrap_or(rules::operator("len"));
                            self.emit(
                                Op::Prim {
                                    rule,
                                    args: vec![prev, len],
                                    form: Form::Method(syn::Ident::new("min", span.span())),
                                },
                                span,
                                Kind::Discrete,
                            )
                        }
                    });
                }
                (start, end.unwrap_or(start), false)
            }
        };

        // The index is the loop's own value: made in the loop (`Lowerer::loop_starts`).
        self.next_loop_start = Some(self.values.len());
        let var = self.new_value(span, Kind::Discrete);
        let Some(parts) = self.loop_body(span, &f.body, true, |l| {
            match &source {
                LoopSource::Range { reversed: false, .. } => l.bind_index(&f.pat, var),
                // `(a..b).rev()` runs the index forward and binds `b - 1 - (k - a)`
                // (`b - (k - a)` for `a..=b`): computed inside the body, so an empty range
                // never evaluates it.
                LoopSource::Range { reversed: true, .. } => {
                    let op = |l: &mut Self, a: Value, b: Value| {
                        let prim = Op::Prim {
                            rule: rules::operator("sub"),
                            args: vec![a, b],
                            form: Form::Operator(quote!(-)),
                        };
                        l.emit(prim, span, Kind::Discrete)
                    };
                    let offset = op(l, var, start);
                    let last = if inclusive {
                        end
                    } else {
                        let one =
                            l.emit(Op::Lit(syn::LitInt::new("1", span.span()).into()), span, Kind::Discrete);
                        op(l, end, one)
                    };
                    let index = op(l, last, offset);
                    l.bind_index(&f.pat, index)
                }
                LoopSource::Arrays { arrays, enumerate } => l.bind_elements(&f.pat, var, arrays, *enumerate),
            }
            if let Some((pattern, item)) = item {
                // `for (x, y) in data` over a constant `&[(Vec<f64>, f64)]` (item `&data[i]`).
                if let (Pat::Tuple(pt), Expr::Reference(r)) = (pattern, item)
                    && let Expr::Index(ix) = &*r.expr
                    && l.aggregate_or_leaf(&ix.expr)
                        .and_then(|v| l.param_types.get(&v))
                        .is_some_and(tuple_of_owned_parts)
                    && let Tree::Leaf(element) = l.opaque(item, "indexing")
                {
                    l.bind_borrowed_tuple(pt, element);
                } else {
                    let value = l.closure_arg(item);
                    l.bind(pattern, Some(value));
                }
            }
            l.guarded_block(&f.body);
            None
        }) else {
            return unit();
        };
        let LoopParts { body, carried, exits, .. } = parts;
        self.push(exits, Op::For { var, start, end, inclusive, body, carried }, span);
        unit()
    }

    /// `while cond { body }` and `loop { body }`: run until the condition fails or a `break`.
    pub(super) fn while_loop(
        &mut self,
        label: Option<&syn::Label>,
        cond: Option<&Expr>,
        body: &syn::Block,
        span: Loc,
    ) -> Tree {
        if let Some(label) = label {
            return self.unsupported(Loc::of(label), unsupported::LOOP_LABEL);
        }
        let stripped = cond.map(strip_piecewise);
        if let Some((Expr::Let(l), _)) = stripped {
            // The locals it reads count as used (`it` of `let mut it = x.iter();`), so no
            // second error calls their making unused.
            self.mark_read(&l.expr);
            return self.unsupported(Loc::of(&l), unsupported::WHILE_LET);
        }
        let Some(parts) = self.loop_body(span, body, false, |l| {
            match (stripped, cond) {
                (Some((cond_expr, piecewise)), Some(whole)) => {
                    let c = l.value(cond_expr);
                    l.condition_keyword = Some("while");
                    l.branch(
                        c,
                        Loc::of(whole),
                        piecewise,
                        span,
                        |l| {
                            l.guarded_block(body);
                            unit()
                        },
                        |l| {
                            l.set_flag(true, span);
                            unit()
                        },
                    );
                }
                _ => {
                    l.guarded_block(body);
                }
            }
            Some(l.flags_clear(span, true))
        }) else {
            return unit();
        };
        let LoopParts { body, carried, exits, go } = parts;
        let count = self.new_value(span, Kind::Discrete);
        let go = go.unwrap_or(count);
        self.push(exits, Op::Loop { body, carried, go, count }, span);
        unit()
    }

    /// The body of a loop: finds the variables it reassigns (they are carried from one iteration
    /// to the next), sets up `break`/`continue` flags, lowers the body with `lower`, and returns
    /// the parts of the loop instruction. `None` after reporting a problem.
    pub(super) fn loop_body(
        &mut self,
        span: Loc,
        syntax: &syn::Block,
        guard_on_break: bool,
        lower: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<LoopParts> {
        let mut assigned = scan::assigned_names(syntax);
        // `add(v)` of a local closure that assigns what it captured (`s += v`): `s` is carried.
        for name in self.written_by_closures_called_in(syntax) {
            if !assigned.contains(&name) {
                assigned.push(name);
            }
        }
        // `s.v -= ..` of a struct local held by its fields, `q.y = ..` or `q[1] = ..` of a
        // static nalgebra vector held by value (`assignments::assign_entry`): `s`, `q` are carried.
        // In name order: the sets' own order differs from one expansion to the next.
        let indexed = scan::indexed_names(syntax);
        let fields = scan::field_assigned_names(syntax);
        let written: std::collections::BTreeSet<&String> = fields.iter().chain(&indexed).collect();
        for name in written {
            // A tuple whose part's coordinate is written (`acc.0.y = ..`) is carried too.
            let carried = self.slot(name).is_some_and(|slot| {
                self.struct_locals.contains_key(&slot)
                    || match &self.vars[slot] {
                        Some(Tree::Leaf(v)) => self.kind(*v) == Kind::Float,
                        Some(Tree::Tuple(_)) => fields.contains(name),
                        None => false,
                    }
            });
            if carried && !assigned.contains(name) {
                assigned.push(name.clone());
            }
        }
        let mut jumps = Jumps::default();
        syn::visit::Visit::visit_block(&mut jumps, syntax);
        jumps.breaks |= contains_return(syntax);
        // `while` and `loop` stop through the break flag; `for` needs it only to skip the
        // iterations after a `break`.
        let broke = if jumps.breaks || !guard_on_break {
            let f = self.boolean(false, span);
            self.declare(BREAK_FLAG, Some(f));
            self.slot(BREAK_FLAG)
        } else {
            None
        };
        let mut carried_slots = Vec::new();
        // A variable declared without a value and assigned in the body (`let mut b2;` before a
        // recurrence loop) is local to each iteration: rustc requires the body to assign it
        // before reading it, and after the loop it is not initialized.
        let mut per_iteration = Vec::new();
        let returns: &[&str] =
            if self.returns && contains_return(syntax) { &[RETURN_FLAG, RETURN_VALUE] } else { &[] };
        let names = assigned
            .iter()
            .map(String::as_str)
            .chain(broke.map(|_| BREAK_FLAG))
            .chain(returns.iter().copied());
        for name in names {
            let Some(slot) = self.slot(name) else { continue };
            if carried_slots.iter().any(|(s, _)| *s == slot) || self.is_array(&self.vars[slot]) {
                continue;
            }
            match self.vars[slot].clone() {
                Some(init) => carried_slots.push((slot, init)),
                None => per_iteration.push(slot),
            }
        }

        // Every leaf of a carried variable gets a header value.
        let outer_len = self.vars.len();
        self.blocks.push(Vec::new());
        self.scopes.push(Vec::new());
        self.in_loop += 1;
        let start = self.next_loop_start.take().unwrap_or(self.values.len());
        self.loop_starts.push(start);
        self.loop_levels.push(self.blocks.len() - 1);
        let mut headers = Vec::new();
        for (slot, init) in &carried_slots {
            let header = self.fresh_like(init, span);
            self.vars[*slot] = Some(header.clone());
            headers.push(header);
        }
        let skip = if jumps.continues {
            let f = self.boolean(false, span);
            self.declare(CONTINUE_FLAG, Some(f));
            self.slot(CONTINUE_FLAG)
        } else {
            None
        };
        self.loop_flags.push(Flags { broke, skip, guard_on_break });
        let outer: Vec<usize> = carried_slots.iter().map(|(s, _)| *s).collect();
        let before: Vec<Option<Tree>> = self.vars[..outer_len].to_vec();
        let errors_before = self.cx.count();
        let go = lower(self);
        // Every outer variable the body changed must be carried; anything else would read a
        // value of one iteration after the loop. (The pre-scan finds them all; this guards it.)
        for &slot in &per_iteration {
            self.vars[slot] = None;
            self.assigned_in_loop.insert(slot);
        }
        let changed = (0..outer_len).any(|slot| !outer.contains(&slot) && self.vars[slot] != before[slot]);
        if changed && self.cx.count() == errors_before {
            self.unsupported(span, unsupported::UNTRACKED_LOOP_VARIABLE);
        }
        self.loop_flags.pop();
        self.loop_starts.pop();
        self.loop_levels.pop();
        self.in_loop -= 1;
        self.scopes.pop();
        let body = Block { insts: self.blocks.pop().unwrap_or_default() };

        let mut carried = Vec::new();
        let mut exits = Vec::new();
        for ((slot, init), header) in carried_slots.iter().zip(headers) {
            let next = self.vars[*slot].clone().unwrap_or_else(unit);
            let (inits, heads, nexts) = (init.leaves(), header.leaves(), next.leaves());
            if nexts.len() != heads.len() {
                self.unsupported(span, unsupported::LOOP_CHANGES_SHAPE);
                continue;
            }
            let exit = self.fresh_like(init, span);
            for (((i, h), n), e) in inits.into_iter().zip(heads).zip(nexts).zip(exit.leaves()) {
                carried.push(Carried { header: h, init: i, next: n });
                exits.push(e);
            }
            self.vars[*slot] = Some(exit);
        }
        Some(LoopParts { body, carried, exits, go })
    }

    /// New values in the shape of `t`, of the same kinds (not yet defined by any instruction).
    pub(super) fn fresh_like(&mut self, t: &Tree, span: Loc) -> Tree {
        match t {
            Tree::Leaf(v) => {
                let kind = self.kind(*v);
                Tree::Leaf(self.new_value(span, kind))
            }
            Tree::Tuple(items) => Tree::Tuple(items.iter().map(|t| self.fresh_like(t, span)).collect()),
        }
    }

    /// A loop body: in a `for` loop with a `break`, nothing runs once the flag is set.
    pub(super) fn guarded_block(&mut self, body: &syn::Block) {
        let guard = self.loop_flags.last().is_some_and(|f| f.guard_on_break && f.broke.is_some());
        if guard {
            let span = Loc::of(body);
            let clear = self.flags_clear(span, false);
            self.branch(clear, span, true, span, |l| l.block(body), |_| unit());
        } else {
            self.block(body);
        }
    }

    /// `!(broke || skipped)` (only `!broke` when `break_only`) from the current flags.
    pub(super) fn flags_clear(&mut self, span: Loc, break_only: bool) -> Value {
        let mut flags: Vec<usize> = match self.loop_flags.last() {
            Some(f) => f.broke.into_iter().chain(if break_only { None } else { f.skip }).collect(),
            None => Vec::new(),
        };
        if self.returns && !break_only {
            flags.extend(self.slot(RETURN_FLAG));
        }
        let mut any: Option<Value> = None;
        for slot in flags {
            let Some(Tree::Leaf(v)) = self.vars[slot].clone() else { continue };
            any = Some(match any {
                None => v,
                Some(prev) => {
                    let op = Op::Prim {
                        rule: rules::operator("or"),
                        args: vec![prev, v],
                        form: Form::Operator(quote!(||)),
                    };
                    self.emit(op, span, Kind::Discrete)
                }
            });
        }
        match any {
            Some(v) => {
                let op =
                    Op::Prim { rule: rules::operator("not"), args: vec![v], form: Form::Operator(quote!(!)) };
                self.emit(op, span, Kind::Discrete)
            }
            None => match self.boolean(true, span) {
                Tree::Leaf(v) => v,
                Tree::Tuple(_) => Value(0),
            },
        }
    }

    /// `break` (`true`) or `continue` (`false`): sets the flag of the innermost loop.
    /// Marks the values of the locals `e` names as read (each by an `Op::NoGrad` that nothing
    /// reads), for an expression not lowered because of an error reported at it.
    fn mark_read(&mut self, e: &Expr) {
        struct Paths<'l, 'a> {
            lowerer: &'l Lowerer<'a>,
            values: Vec<Value>,
        }
        impl<'ast> syn::visit::Visit<'ast> for Paths<'_, '_> {
            fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
                if let Some(slot) = self.lowerer.local(&Expr::Path(p.clone()))
                    && let Some(t) = &self.lowerer.vars[slot]
                {
                    self.values.extend(t.leaves());
                }
            }
        }
        let mut paths = Paths { lowerer: self, values: Vec::new() };
        syn::visit::Visit::visit_expr(&mut paths, e);
        self.mark_values_read(paths.values, Loc::of(e));
    }

    /// Marks `values` as read (each by an `Op::NoGrad` that nothing reads), where what reads them
    /// was not lowered because of an error reported there.
    pub(super) fn mark_values_read(&mut self, values: Vec<Value>, span: Loc) {
        for v in values {
            let kind = self.kind(v);
            self.emit(Op::NoGrad(v), span, kind);
        }
    }

    pub(super) fn set_flag(&mut self, brk: bool, span: Loc) -> Tree {
        let slot = self.loop_flags.last().and_then(|f| if brk { f.broke } else { f.skip });
        match slot {
            Some(slot) => {
                let t = self.boolean(true, span);
                self.vars[slot] = Some(t);
                unit()
            }
            None => self.unsupported(span, unsupported::BREAK_CONTINUE_OUTSIDE_LOOP),
        }
    }

    pub(super) fn loop_source<'e>(&mut self, e: &'e Expr) -> Option<LoopSource<'e>> {
        match e {
            Expr::Paren(p) => self.loop_source(&p.expr),
            Expr::Range(r) => Some(LoopSource::Range {
                start: r.start.as_deref()?,
                end: r.end.as_deref()?,
                inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                reversed: false,
            }),
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "rev" => {
                match self.loop_source(&m.receiver)? {
                    LoopSource::Range { start, end, inclusive, reversed: false } => {
                        Some(LoopSource::Range { start, end, inclusive, reversed: true })
                    }
                    _ => None,
                }
            }
            Expr::Reference(r) if r.mutability.is_none() => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(&r.expr)?], enumerate: false })
            }
            Expr::Path(_) => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(e)?], enumerate: false })
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "iter" => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(&m.receiver)?], enumerate: false })
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "enumerate" => {
                match self.loop_source(&m.receiver)? {
                    LoopSource::Arrays { arrays, enumerate: false } if arrays.len() == 1 => {
                        Some(LoopSource::Arrays { arrays, enumerate: true })
                    }
                    _ => None,
                }
            }
            Expr::MethodCall(m) if m.args.len() == 1 && m.method == "zip" => {
                let LoopSource::Arrays { arrays: mut left, enumerate: false } =
                    self.loop_source(&m.receiver)?
                else {
                    return None;
                };
                let right = match &m.args[0] {
                    Expr::Reference(r) => self.local_array(&r.expr)?,
                    Expr::MethodCall(i) if i.method == "iter" && i.args.is_empty() => {
                        self.local_array(&i.receiver)?
                    }
                    other => self.local_array(other)?,
                };
                if left.len() != 1 {
                    return None;
                }
                left.push(right);
                Some(LoopSource::Arrays { arrays: left, enumerate: false })
            }
            _ => None,
        }
    }

    pub(super) fn local_array(&mut self, e: &Expr) -> Option<Value> {
        let local = self.aggregate_or_leaf(e).filter(|v| matches!(self.kind(*v), Kind::Array(_)));
        // (A fixed field of an element, `p.pos` of `pos: [f64; 2]`, is read whole as a copy.)
        local.or_else(|| {
            (!self.fixed_field_of_an_element(e))
                .then(|| self.record_field(e, Kind::Array(ArrayKind::Slice)))?
        })
    }

    /// `for i in a..b`: binds the index.
    pub(super) fn bind_index(&mut self, pat: &Pat, var: Value) {
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                self.declare(&p.ident.to_string(), Some(Tree::Leaf(var)))
            }
            Pat::Wild(_) => {}
            other => {
                self.unsupported(Loc::of(other), unsupported::LOOP_PATTERN_INDEX);
            }
        }
    }

    /// `for x in v.iter()`, `for (i, x) in v.iter().enumerate()`, `for (a, b) in a.iter().zip(..)`:
    /// loads the elements at index `var` and binds them.
    pub(super) fn bind_elements(&mut self, pat: &Pat, var: Value, arrays: &[Value], enumerate: bool) {
        let span = Loc::of(pat);
        let mut elements: Vec<Value> = Vec::new();
        for a in arrays {
            let v = self.load_element(*a, vec![var], span);
            self.iter_elements.insert(v);
            elements.push(v);
        }
        let pats: Vec<&Pat> = match (pat, enumerate, arrays.len()) {
            (Pat::Tuple(t), true, 1) if t.elems.len() == 2 => {
                self.bind_index(&t.elems[0], var);
                vec![&t.elems[1]]
            }
            (Pat::Tuple(t), false, n) if n > 1 && t.elems.len() == n => t.elems.iter().collect(),
            (p, false, 1) => vec![p],
            (other, _, _) => {
                self.unsupported(Loc::of(other), unsupported::LOOP_PATTERN_ELEMENT);
                return;
            }
        };
        for (p, v) in pats.into_iter().zip(elements) {
            self.bind(p, Some(Tree::Leaf(v)));
        }
    }

    pub(super) fn if_expr(&mut self, i: &syn::ExprIf) -> Tree {
        let span = Loc::of(&i);
        let (cond_expr, piecewise) = strip_piecewise(&i.cond);
        if let Expr::Let(l) = cond_expr {
            if let Some(t) = self.if_let_lookup(i, l) {
                return t;
            }
            // `if let [a, b, ..] = *x { .. }`: a length test, then the elements by index.
            if let Some((test, parts)) = super::patterns::slice_parts(&l.pat, &l.expr) {
                let bindings = parts.iter().map(|(p, e)| quote!(let #p = #e;));
                let then = &i.then_branch;
                let otherwise = i.else_branch.as_ref().map(|(_, e)| quote!(else #e));
                let desugared: Expr = syn::parse_quote_spanned!(span.span()=>
                    if #test { #(#bindings)* #then } #otherwise
                );
                return self.expr(&desugared);
            }
            if let Some(t) = self.if_let_pattern(i, l, piecewise) {
                return t;
            }
            return self.unsupported(Loc::of(&l), unsupported::IF_LET);
        }
        // The predicate of a desugared `filter`, the comparison of `max_by`/`min_by`
        // (`lower::iterators`): marked, for their own messages.
        let cond_expr = match cond_expr {
            Expr::Call(c) if c.args.len() == 1 => match &*c.func {
                Expr::Path(p) if p.path.is_ident("__tapeless_filter") => {
                    self.condition_keyword = Some("filter");
                    &c.args[0]
                }
                Expr::Path(p) if p.path.is_ident("__tapeless_take_while") => {
                    self.condition_keyword = Some("take_while");
                    &c.args[0]
                }
                Expr::Path(p) if p.path.is_ident("__tapeless_compare") => {
                    self.condition_keyword = Some("max_by");
                    &c.args[0]
                }
                _ => cond_expr,
            },
            e => e,
        };
        let cond = self.value(cond_expr);
        // `if x <= 0.0 { panic!(..) }` only leaves: the function is undefined on that side and
        // its derivative is the continuing path's, so the condition needs no `piecewise`.
        let guard = i.else_branch.is_none() && ends_by_diverging(&i.then_branch);
        self.branch(
            cond,
            Loc::of(&i.cond),
            piecewise || guard,
            span,
            |l| l.block(&i.then_branch),
            |l| match &i.else_branch {
                Some((_, e)) => l.expr(e),
                None => unit(),
            },
        )
    }

    /// An `If` instruction: lowers both branches, then merges every variable (and the result)
    /// that differs between them into phis.
    pub(super) fn branch(
        &mut self,
        cond: Value,
        cond_span: Loc,
        piecewise: bool,
        span: Loc,
        then_f: impl FnOnce(&mut Self) -> Tree,
        else_f: impl FnOnce(&mut Self) -> Tree,
    ) -> Tree {
        let keyword = self.condition_keyword.take().unwrap_or("if");
        let before: Vec<Option<Tree>> = self.vars.clone();
        let errors_before = self.cx.count();

        self.blocks.push(Vec::new());
        let then_tree = then_f(self);
        let then_block = Block { insts: self.blocks.pop().unwrap_or_default() };
        let then_vars: Vec<Option<Tree>> = self.vars[..before.len()].to_vec();
        self.vars.clone_from(&before);

        self.blocks.push(Vec::new());
        let else_tree = else_f(self);
        let mut else_block = Block { insts: self.blocks.pop().unwrap_or_default() };
        let else_vars: Vec<Option<Tree>> = self.vars[..before.len()].to_vec();
        self.vars.truncate(before.len());
        let mut then_block = then_block;
        let (then_tree, else_tree) =
            self.matched_shapes((then_tree, &mut then_block), (else_tree, &mut else_block), span);

        let mut merge =
            Merge { then_out: Vec::new(), else_out: Vec::new(), results: Vec::new(), bad_shape: false };
        for (slot, (t, e)) in then_vars.into_iter().zip(else_vars).enumerate() {
            self.vars[slot] = match (t, e) {
                (Some(t), Some(e)) => Some(merge.tree(self, t, e, span)),
                _ => None,
            };
        }
        let result = merge.tree(self, then_tree, else_tree, span);
        // A branch that already has an error (a `return`, say) has no shape to compare.
        if merge.bad_shape && self.cx.count() == errors_before {
            self.cx.error(span, Diagnostic::BranchShape);
        }
        let trace = self.new_value(span, Kind::Unknown);
        let op = Op::If {
            cond,
            cond_span,
            keyword,
            piecewise,
            then_block,
            else_block,
            then_out: merge.then_out,
            else_out: merge.else_out,
            trace,
        };
        self.push(merge.results, op, span);
        result
    }
}

impl Lowerer<'_> {
    /// The results of two branches given one shape where one is a tuple and the other a
    /// constant value that is not a float (`x.first().copied().unwrap_or((0.0, 0.0))` of a
    /// constant `&[(f64, f64)]`: the element `x[0]`, one opaque value, against the fallback's
    /// two parts): the constant is read part by part (`v.0`, `v.1`) at the end of its block.
    /// Any other mismatch is left to the merge, which reports it.
    fn matched_shapes(
        &mut self,
        then: (Tree, &mut Block),
        otherwise: (Tree, &mut Block),
        span: Loc,
    ) -> (Tree, Tree) {
        let ((t, then_block), (e, else_block)) = (then, otherwise);
        match (t, e) {
            (Tree::Leaf(a), Tree::Tuple(ys)) if self.kind(a) == Kind::Unknown => {
                let parts = self.parts_of(a, ys.len(), then_block, span);
                (parts, Tree::Tuple(ys))
            }
            (Tree::Tuple(xs), Tree::Leaf(b)) if self.kind(b) == Kind::Unknown => {
                let parts = self.parts_of(b, xs.len(), else_block, span);
                (Tree::Tuple(xs), parts)
            }
            (t, e) => (t, e),
        }
    }

    /// `v.0`, .., `v.(n - 1)` of a constant tuple `v`, read at the end of `block`.
    fn parts_of(&mut self, v: Value, n: usize, block: &mut Block, span: Loc) -> Tree {
        self.blocks.push(std::mem::take(&mut block.insts));
        let name = v.ident();
        let parts = (0..n)
            .map(|k| {
                let k = syn::Index::from(k);
                let op = Op::Opaque {
                    tokens: quote!(#name.#k),
                    reads: vec![v],
                    what: Opaque::Form("a field access"),
                };
                Tree::Leaf(self.emit(op, span, Kind::Unknown))
            })
            .collect();
        block.insts = self.blocks.pop().unwrap_or_default();
        Tree::Tuple(parts)
    }
}

/// A tree of values as a Rust tuple expression, its leaves pushed to `reads`.
pub(super) fn tuple_tokens(t: &Tree, reads: &mut Vec<Value>) -> TokenStream {
    match t {
        Tree::Leaf(v) => {
            reads.push(*v);
            v.ident().into_token_stream()
        }
        Tree::Tuple(items) => {
            let items: Vec<TokenStream> = items.iter().map(|i| tuple_tokens(i, reads)).collect();
            quote!((#(#items,)*))
        }
    }
}

/// `piecewise(cond)` (any path ending in `piecewise`) as a condition: the inner condition, and
/// `true`.
pub(super) fn strip_piecewise(cond: &Expr) -> (&Expr, bool) {
    match cond {
        Expr::Paren(p) => strip_piecewise(&p.expr),
        Expr::Group(g) => strip_piecewise(&g.expr),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "piecewise") => {
                (&c.args[0], true)
            }
            _ => (cond, false),
        },
        _ => (cond, false),
    }
}

/// What a `for` loop iterates over.
pub(super) enum LoopSource<'e> {
    Range { start: &'e Expr, end: &'e Expr, inclusive: bool, reversed: bool },
    Arrays { arrays: Vec<Value>, enumerate: bool },
}

/// Whether a block's last statement is `panic!`, `unreachable!`, `todo!` or `unimplemented!`.
fn ends_by_diverging(block: &syn::Block) -> bool {
    let mac = match block.stmts.last() {
        Some(Stmt::Macro(m)) => &m.mac,
        Some(Stmt::Expr(Expr::Macro(m), _)) => &m.mac,
        _ => return false,
    };
    mac.path.get_ident().is_some_and(|i| {
        ["panic", "unreachable", "todo", "unimplemented", super::results::LEAVE]
            .contains(&i.to_string().as_str())
    })
}

/// A collection type whose elements are tuples with a part that is not `Copy` (`Vec`,
/// `String`, a dynamic nalgebra value): `&[(Vec<f64>, f64)]`, `Vec<(String, f64)>`.
fn tuple_of_owned_parts(ty: &syn::Type) -> bool {
    let Some(element) = crate::signature::collection_element(ty) else { return false };
    let owned = |t: &syn::Type| {
        matches!(t, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| {
            matches!(s.ident.to_string().as_str(), "Vec" | "String" | "DVector" | "DMatrix" | "RowDVector" | "Box")
        }))
    };
    matches!(element, syn::Type::Tuple(t) if t.elems.iter().any(owned))
}
