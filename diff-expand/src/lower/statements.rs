//! Statements: the body and its result, `let` and patterns, blocks, early `return`.

use super::*;

impl Lowerer<'_> {
    // ---- statements ---------------------------------------------------------------------

    /// The function body: like a block, but a final `return e;` is its tail.
    pub(super) fn body(&mut self, stmts: &[Stmt], span: Loc, output: &syn::Type) -> Tree {
        if let Some((Stmt::Expr(Expr::Return(r), _), init)) = stmts.split_last() {
            if let (true, Some(e)) = (early_returns(init), &r.expr) {
                // The final `return e;` is the tail `e`, guarded like the rest.
                let mut all = init.to_vec();
                all.push(Stmt::Expr((**e).clone(), None));
                return self.body(&all, span, output);
            }
            self.stmts(init, false);
            return match &r.expr {
                Some(e) => self.expr(e),
                None => self.unsupported(Loc::of(&r), unsupported::FUNCTION_WITHOUT_RESULT),
            };
        }
        if early_returns(stmts) {
            let Some(default) = self.default_of(output, span) else {
                let mut r = Returns::default();
                stmts.iter().for_each(|s| syn::visit::Visit::visit_stmt(&mut r, s));
                return self
                    .unsupported(r.first.unwrap_or(span), unsupported::EARLY_RETURN_FUNCTION_RESULT_TYPE);
            };
            let flag = self.boolean(false, span);
            self.declare(RETURN_FLAG, Some(flag));
            self.declare(RETURN_VALUE, Some(default));
            self.returns = true;
        }
        match self.stmts(stmts, true) {
            Some(t) => t,
            None => self.unsupported(span, unsupported::FUNCTION_BODY_WITHOUT_FINAL_VALUE),
        }
    }

    /// `Default::default()` of the result type, leaf by leaf for tuples: the value the early-return
    /// slot holds on paths that did not return (never read there). `None` for other types.
    pub(super) fn default_of(&mut self, ty: &syn::Type, span: Loc) -> Option<Tree> {
        use crate::signature::{TypeClass, array_kind, classify};
        match ty {
            syn::Type::Paren(p) => self.default_of(&p.elem, span),
            syn::Type::Tuple(t) if !t.elems.is_empty() => {
                Some(Tree::Tuple(t.elems.iter().map(|e| self.default_of(e, span)).collect::<Option<_>>()?))
            }
            _ if classify(ty) == TypeClass::Differentiable
                && matches!(array_kind(ty), None | Some(ArrayKind::Vec)) =>
            {
                // A float type parameter need not be `Default`.
                let tokens = if crate::signature::is_float(ty) {
                    quote!(<#ty as ::tapeless::__private::Real>::zero())
                } else {
                    quote!(<#ty as ::core::default::Default>::default())
                };
                let op = Op::Opaque { tokens, reads: Vec::new(), what: Opaque::Form("a default") };
                Some(Tree::Leaf(self.emit(op, span, crate::signature::kind_of(ty))))
            }
            _ => None,
        }
    }

    /// `return e` before the end: records the value and the flag, and breaks every enclosing
    /// loop; what follows runs only if no `return` ran.
    pub(super) fn early_return(&mut self, r: &syn::ExprReturn, span: Loc) -> Tree {
        if !self.returns {
            // The body's own `return`s set `self.returns`; this one is in a closure the
            // lowering inlines (`map(|x| { .. return .. })`), where it would leave the closure.
            return self.unsupported(span, unsupported::LEAVES_A_CLOSURE);
        }
        let value = match &r.expr {
            Some(e) => self.expr(e),
            None => unit(),
        };
        if let Some(slot) = self.slot(RETURN_VALUE) {
            self.vars[slot] = Some(value);
        }
        if let Some(slot) = self.slot(RETURN_FLAG) {
            let t = self.boolean(true, span);
            self.vars[slot] = Some(t);
        }
        let brokes: Vec<usize> = self.loop_flags.iter().filter_map(|f| f.broke).collect();
        for slot in brokes {
            let t = self.boolean(true, span);
            self.vars[slot] = Some(t);
        }
        unit()
    }

    /// An item in the body goes into every generated function. A nested `fn helper(v: f64) ->
    /// f64` without the attribute gets its derivatives too, as if it had one, when that
    /// succeeds (a call on differentiable values needs `helper_vjp`); one that cannot be
    /// differentiated (`fn index(i: usize) -> usize`) stays as it is.
    fn nested_item(&mut self, item: &syn::Item) {
        let attributed = |f: &syn::ItemFn| {
            f.attrs.iter().any(|a| a.path().segments.last().is_some_and(|s| s.ident == "differentiable"))
        };
        // With second order if it has one (a `hessian` caller composes through its
        // `_vjp_for_hessian`), else first order only.
        if let syn::Item::Fn(f) = item
            && !attributed(f)
            && let Some(generated) =
                crate::expand::nested(f, true).or_else(|| crate::expand::nested(f, false))
        {
            self.items.push(syn::Item::Verbatim(quote::quote!(#item #generated)));
            return;
        }
        self.items.push(item.clone());
    }

    /// Lowers statements; returns the tail expression's value if `tail` and there is one.
    pub(super) fn stmts(&mut self, stmts: &[Stmt], tail: bool) -> Option<Tree> {
        // A `Vec` filled by `push` in the loop after it is filled by index (`lower::pushes`).
        if let Some(rewritten) = super::pushes::rewrite(stmts, &self.element)
            .or_else(|| super::pushes::consecutive(stmts, &self.element))
            .or_else(|| super::options::let_else(stmts))
        {
            return self.stmts(&rewritten, tail);
        }
        // `let row = &w[i];` of a nested array: read in place (`lower::rows`).
        if let Some((k, rest)) = (0..stmts.len()).find_map(|k| Some((k, self.let_row(&stmts[k..])?))) {
            let mut rewritten = stmts[..k].to_vec();
            rewritten.extend(rest);
            return self.stmts(&rewritten, tail);
        }
        let mut result = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            // After a statement that may `break`, `continue` or `return`, the rest runs only if it
            // did not.
            if i > 0 && jumps_in(&stmts[i - 1], !self.loop_flags.is_empty(), self.returns) {
                // Spanned at the statement that jumps, which the user wrote: the rest may start
                // with a statement a rewrite made (the `(result, v)` of a `&mut` parameter).
                let span = Loc::of(&stmts[i - 1]);
                let clear = self.flags_clear(span, false);
                let rest = &stmts[i..];
                // Where the rest produces a value (the function's result), the path that skipped
                // it after a `return` yields the returned value.
                let produced = std::cell::Cell::new(false);
                let run = |l: &mut Self| {
                    let t = l.stmts(rest, tail).unwrap_or_else(unit);
                    produced.set(!matches!(&t, Tree::Tuple(items) if items.is_empty()));
                    t
                };
                let skipped = |l: &mut Self| match (produced.get(), l.slot(RETURN_VALUE)) {
                    (true, Some(slot)) => l.vars[slot].clone().unwrap_or_else(unit),
                    _ => unit(),
                };
                let t = self.branch(clear, span, true, span, run, skipped);
                return if tail { Some(t) } else { None };
            }
            // `h = g(&h, ..)`, or `g(&h)` before `h` is written: `g` is passed a copy
            // (`lower::copies`).
            let copied;
            let stmt = match self.copies_for_calls(stmt, &stmts[i + 1..]) {
                Some((copies, rewritten)) => {
                    for copy in &copies {
                        if let Stmt::Local(local) = copy {
                            self.local_stmt(local);
                        }
                    }
                    copied = rewritten;
                    &copied
                }
                None => stmt,
            };
            match stmt {
                // A lone `;`.
                Stmt::Expr(Expr::Verbatim(tokens), _) if tokens.is_empty() => {}
                Stmt::Local(local) => match self.typed_for_appends(stmt, &stmts[i + 1..]) {
                    Some(typed) => self.local_stmt(&typed),
                    None => self.local_stmt(local),
                },
                Stmt::Item(item) => self.nested_item(item),
                Stmt::Expr(e, None) if last && tail => result = Some(self.expr(e)),
                // `v.extend_from_slice(x);` of a local `Vec` outside loops: `lower::pushes`.
                Stmt::Expr(Expr::MethodCall(m), Some(_)) if let Some(append) = self.append(m) => {
                    self.expr(&append);
                }
                Stmt::Expr(e, _) => {
                    self.expr(e);
                }
                Stmt::Macro(m) => {
                    self.statement_macro(&m.mac, Loc::of(&m));
                }
            }
        }
        result
    }

    pub(super) fn block(&mut self, b: &syn::Block) -> Tree {
        self.scopes.push(Vec::new());
        let t = self.stmts(&b.stmts, true).unwrap_or_else(unit);
        self.scopes.pop();
        t
    }

    pub(super) fn local_stmt(&mut self, local: &syn::Local) {
        if let Some(typed) = super::pushes::turbofished(local) {
            return self.local_stmt_typed(&typed);
        }
        self.local_stmt_typed(local)
    }

    fn local_stmt_typed(&mut self, local: &syn::Local) {
        // `let Params { a, .. } = *p;`, `let Pair(a, b) = p;`, `let State { x, v } = step(s, dt);`
        // (`lower::struct_patterns`).
        if let (Pat::Struct(_) | Pat::TupleStruct(_), Some(init)) = (&local.pat, &local.init)
            && init.diverge.is_none()
            && self.struct_pattern(&local.pat, &init.expr)
        {
            return;
        }
        if let (Pat::Ident(p), Some(init)) = (&local.pat, &local.init)
            && let (Expr::Closure(closure), None, None, None) =
                (&*init.expr, &init.diverge, &p.by_ref, &p.subpat)
        {
            self.define_closure(&p.ident, closure);
            return;
        }
        // `let k1 = rhs(y, k);` of a function with the attribute whose result is a collection
        // (`signature::results`): as if written `let k1: [f64; 2] = rhs(y, k);`.
        if let Some(typed) = result_typed(local).filter(|_| !self.calls_a_local(local)) {
            self.local_stmt(&typed);
            return;
        }
        // `let w: Option<&[f64]> = Some(&[1.0, 2.0]);`: a constant whose annotation coerces
        // inside it (the array reference to a slice's), which separate statements would not.
        if let (Pat::Type(t), Some(init)) = (&local.pat, &local.init)
            && let Pat::Ident(p) = &*t.pat
            && init.diverge.is_none()
            && p.by_ref.is_none()
            && p.subpat.is_none()
            && coerces_inside(&t.ty)
            && !super::expressions::names_a_local(self, &init.expr)
        {
            // (The dual copy of second order makes its floats dual numbers, which the annotation
            // does not name.)
            if self.second_order {
                self.unsupported(Loc::of(local), unsupported::TYPED_CONSTANT_SECOND_ORDER);
                return;
            }
            let (ty, e) = (&t.ty, &init.expr);
            let typed: Expr =
                syn::parse_quote_spanned!(Loc::of(local).span()=> ::core::convert::identity::<#ty>(#e));
            let v = self.opaque_with(&typed, Opaque::Form("a constant"), kind_of(ty));
            self.declare(&p.ident.to_string(), Some(v));
            return;
        }
        // `let w = &v;`, `let tail = &x[1..];`, `let (head, tail) = x.split_at(k);`
        // (`lower::slices`); `let v: [f64; N] = std::array::from_fn(..)` (`lower::constructors`).
        if self.borrow_let(local) || self.array_from_fn(local) {
            return;
        }
        // `let [a, b, c]: [f64; 3] = x.try_into().unwrap();`: the first elements of `x`, after
        // a length check (the conversion panics on another length, and so does this).
        if let Some(stmts) = array_conversion(local).or_else(|| elements_of_index(local)) {
            self.stmts(&stmts, false);
            return;
        }
        if self.struct_local(local) || self.record_local(local) {
            return;
        }
        // `let mut r = DVector::zeros(n);` then `r[i] = ..`: an array.
        let named = match &local.pat {
            Pat::Type(t) => &*t.pat,
            p => p,
        };
        if let (Pat::Ident(p), Some(init)) = (named, &local.init)
            && p.mutability.is_some()
            && init.diverge.is_none()
            && self.indexed.contains(&p.ident.to_string())
            && let Some(array) = self.nalgebra_array(&init.expr)
        {
            self.declare(&p.ident.to_string(), Some(array));
            return;
        }
        let init = match &local.init {
            Some(init) => {
                if let Some((_, diverge)) = &init.diverge {
                    self.unsupported(Loc::of(&diverge), unsupported::LET_ELSE);
                    return;
                }
                // `let v: Vec<f64> = chain.collect();` is `chain.collect::<Vec<f64>>()`, and
                // `let s: Vector3<f64> = chain.sum();` is `chain.sum::<Vector3<f64>>()` (a sum
                // of vectors, `lower::iterators`).
                let typed_collect = match (&local.pat, &*init.expr) {
                    (Pat::Type(t), Expr::MethodCall(m))
                        if m.args.is_empty()
                            && m.turbofish.is_none()
                            && (m.method == "collect"
                                || m.method == "sum" && crate::signature::static_matrix(&t.ty)
                                || m.method == "sum" && crate::signature::dynamic_matrix(&t.ty)) =>
                    {
                        let (mut m, ty) = (m.clone(), &t.ty);
                        m.turbofish = Some(syn::parse_quote!(::<#ty>));
                        Some(Expr::MethodCall(m))
                    }
                    // `let v: Vector3<f64> = (*x).into();` of an array: `Vector3::<f64>::from(*x)`
                    // (`constructors::static_from_slice`).
                    (Pat::Type(t), Expr::MethodCall(m))
                        if m.method == "into"
                            && m.args.is_empty()
                            && crate::signature::static_matrix(&t.ty)
                            && let syn::Type::Path(ty) = &*t.ty
                            && ty.qself.is_none() =>
                    {
                        let mut path = ty.path.clone();
                        for segment in &mut path.segments {
                            if let syn::PathArguments::AngleBracketed(a) = &mut segment.arguments {
                                a.colon2_token = Some(Default::default());
                            }
                        }
                        let (receiver, s) = (&m.receiver, Loc::of(&init.expr).span());
                        Some(syn::parse_quote_spanned!(s=> #path::from(#receiver)))
                    }
                    _ => None,
                };
                let expr = typed_collect.as_ref().unwrap_or(&init.expr);
                // `let v = &x[i];` of a float element: the element's value, which `*v` reads.
                let expr = match expr {
                    Expr::Reference(r) if r.mutability.is_none() && self.float_element(&r.expr) => &*r.expr,
                    e => e,
                };
                Some(match (expr, pattern_shape(&local.pat)) {
                    (Expr::Call(_) | Expr::MethodCall(_) | Expr::Try(_), shape @ TupleShape::Tuple(_)) => {
                        self.call_expr(&init.expr, &shape)
                    }
                    (e, _) => {
                        let t = self.expr(e);
                        self.copy_if_fixed_array(e, t)
                    }
                })
            }
            None => None,
        };
        // `let (x, y) = &data[i];`: as in Rust, the parts of a borrowed tuple are borrowed (a
        // `Vec` part could not be moved out of it).
        if let (Pat::Tuple(pt), Some(Tree::Leaf(v)), Some(init)) = (&local.pat, &init, &local.init)
            && matches!(&*init.expr, Expr::Reference(r) if r.mutability.is_none())
            && self.float_tuple_arity(*v).is_none()
        {
            self.bind_borrowed_tuple(pt, *v);
            return;
        }
        self.bind(&local.pat, init);
    }

    /// Whether `e` is an element of a local array or slice of floats at an index (`x[i]`), not
    /// a row of a nested array.
    fn float_element(&self, e: &Expr) -> bool {
        matches!(strip_parens(e), Expr::Index(ix)
        if !matches!(&*ix.index, Expr::Range(_))
            && !self.nested_array(&ix.expr)
            && self.aggregate_or_leaf(&ix.expr).is_some_and(|a| {
                matches!(self.kind(a), Kind::Array(_)) && self.element_kind(a) == Kind::Float
            }))
    }

    /// An element of a differentiated collection of float tuples (`pts[i]` of `pts: &[(f64,
    /// f64)]`) as the tuple of its fields, which a pattern binds, a `.0` reads and a `return`
    /// gives back as Rust's tuple; any other value as it is.
    pub(super) fn parts_of_tuple(&mut self, v: Value, span: Loc) -> Tree {
        match self.float_tuple_arity(v) {
            Some(n) if self.record_elements.contains(&v) => Tree::Tuple(
                (0..n)
                    .map(|i| {
                        let member = syn::Member::Unnamed(syn::Index::from(i));
                        Tree::Leaf(self.record_member(v, member, Kind::Float, span))
                    })
                    .collect(),
            ),
            _ => Tree::Leaf(v),
        }
    }

    /// The number of parts of `v` where it is a differentiated tuple of floats: a parameter
    /// `p: (f64, f64)`, or an element of a parameter `pts: &[(f64, f64)]`.
    fn float_tuple_arity(&self, v: Value) -> Option<usize> {
        if self.kind(v) != Kind::Array(ArrayKind::Record) {
            return None;
        }
        let ty = match self.param_types.get(&v) {
            Some(ty) => ty,
            None if self.record_elements.contains(&v) => match self.made_by(v) {
                Some((_, Inst { op: Op::Load { array, .. }, .. })) => {
                    self.collection_type(*array).and_then(crate::signature::collection_element)?
                }
                _ => return None,
            },
            None => return None,
        };
        crate::signature::float_tuple_len(ty)
    }

    /// Binds the parts of a borrowed constant tuple `v` (`&(Vec<f64>, f64)`) by reference.
    pub(super) fn bind_borrowed_tuple(&mut self, pt: &syn::PatTuple, v: Value) {
        for (i, p) in pt.elems.iter().enumerate() {
            let (index, ident) = (syn::Index::from(i), v.ident());
            let tokens = quote!(&#ident.#index);
            let what = Opaque::Form("destructuring");
            let part = self.emit(Op::Opaque { tokens, reads: vec![v], what }, Loc::of(&p), Kind::Unknown);
            self.bind(p, Some(Tree::Leaf(part)));
        }
    }

    /// Binds a pattern to a value (`None`: declared without a value).
    pub(super) fn bind(&mut self, pat: &Pat, value: Option<Tree>) {
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                self.declare(&pi.ident.to_string(), value);
            }
            Pat::Wild(_) => {}
            Pat::Paren(p) => self.bind(&p.pat, value),
            Pat::Type(pt) => {
                let value = match value {
                    // `let y: Vec<f64> = v;` moves the `Vec`: the same slot, as without the type
                    // (a typed copy would leave the generated code reading the moved-from one).
                    Some(Tree::Leaf(v))
                        if matches!(self.kind(v), Kind::Array(ArrayKind::Vec | ArrayKind::Slice)) =>
                    {
                        Some(Tree::Leaf(v))
                    }
                    // `let k: UnitVector3<f64> = Unit::new_normalize(v);`: the vector held for the
                    // unit vector, as without the type (which the vector does not have).
                    Some(Tree::Leaf(v)) if self.unit_values.contains(&v) => Some(Tree::Leaf(v)),
                    // `let y: [f64; 2] = x;` (or a closure's `|y: [f64; 2]|`) copies the array,
                    // as without the type: a copy inside a loop is made at the top level.
                    Some(Tree::Leaf(v)) if self.kind(v) == Kind::Array(ArrayKind::Fixed) => {
                        Some(self.copy_of(v, Loc::of(&pt)))
                    }
                    Some(Tree::Leaf(v)) => {
                        let kind = match kind_of(&pt.ty) {
                            Kind::Unknown => self.kind(v),
                            k => k,
                        };
                        let form = Form::Typed(pt.ty.clone());
                        Some(Tree::Leaf(self.emit(
                            Op::Prim { rule: rules::operator("<typed>"), args: vec![v], form },
                            Loc::of(&pt),
                            kind,
                        )))
                    }
                    other => other,
                };
                self.bind(&pt.pat, value)
            }
            Pat::Tuple(pt) => match value {
                Some(Tree::Tuple(items)) if items.len() == pt.elems.len() => {
                    for (p, t) in pt.elems.iter().zip(items) {
                        self.bind(p, Some(t));
                    }
                }
                None => pt.elems.iter().for_each(|p| self.bind(p, None)),
                // `let (a, b) = p;` of a differentiated parameter `p: (f64, f64)`, or `for (x, y)
                // in pts` of `pts: &[(f64, f64)]`: its fields.
                Some(Tree::Leaf(v)) if self.float_tuple_arity(v) == Some(pt.elems.len()) => {
                    for (i, p) in pt.elems.iter().enumerate() {
                        let member = syn::Member::Unnamed(syn::Index::from(i));
                        let field = self.record_member(v, member, Kind::Float, Loc::of(&p));
                        self.bind(p, Some(Tree::Leaf(field)));
                    }
                }
                Some(Tree::Leaf(v)) => {
                    // A constant tuple value: project its fields.
                    for (i, p) in pt.elems.iter().enumerate() {
                        let index = syn::Index::from(i);
                        let ident = v.ident();
                        let tokens = quote!(#ident.#index);
                        let field = self.emit(
                            Op::Opaque { tokens, reads: vec![v], what: Opaque::Form("destructuring") },
                            Loc::of(&p),
                            Kind::Unknown,
                        );
                        self.bind_part(p, v, field);
                    }
                }
                Some(Tree::Tuple(_)) => {
                    self.unsupported(Loc::of(&pt), unsupported::TUPLE_PATTERN_DIFFERENT_LENGTH_VALUE);
                }
            },
            Pat::Slice(ps) => self.bind_array_pattern(ps, value),
            // `for Obs { x, y } in data`, `|&Pair(a, _)|`: the element's fields
            // (`lower::struct_patterns`).
            Pat::Struct(_) | Pat::TupleStruct(_) if super::struct_patterns::fields(pat).is_some() => {
                self.fields_of_value(pat, value)
            }
            // `|&x| ..` of a closure called with a value, `for &x in v.iter()`: the value, which
            // the name now holds by value (no longer a reference the generated code copied:
            // `m.max(x)` passes `x`, not `&x`).
            Pat::Reference(r) => {
                if let Some(Tree::Leaf(v)) = &value {
                    self.iter_elements.remove(v);
                }
                self.bind(&r.pat, value)
            }
            other => {
                self.unsupported(Loc::of(&other), unsupported::PATTERN_FORM);
            }
        }
    }
}

impl Lowerer<'_> {
    /// Whether `v` is the result of a call (of a function the macro cannot see into).
    fn call_result(&self, v: Value) -> bool {
        self.blocks
            .iter()
            .flatten()
            .any(|inst| matches!(inst.op, Op::Call { .. }) && inst.results.contains(&v))
    }

    /// Binds `part`, a field or element of `whole`, to `p`. A part of an element Rust would
    /// hand over by reference (`for (i, j) in edges`, `.map(|[i, j]| ..)`: `i` is a `&usize`,
    /// read as `*i`) is one too: the IR holds its value, and `*i` reads it.
    fn bind_part(&mut self, p: &Pat, whole: Value, part: Value) {
        if self.iter_elements.contains(&whole) {
            self.iter_elements.insert(part);
        }
        self.bind(p, Some(Tree::Leaf(part)));
    }

    /// `let [a, b] = x;` (or `= *p`) of an array: each element pattern binds a load at its
    /// literal index, as `let a = x[0]; let b = x[1];` would. An element of constant data (`for
    /// &[i, j] in edges`, `edges: &[[usize; 2]]`) has its elements read as written, as a
    /// constant tuple's fields are.
    fn bind_array_pattern(&mut self, ps: &syn::PatSlice, value: Option<Tree>) {
        // `let [x, y] = p.pos;` of a fixed field of an element of a differentiated collection of
        // structs (`pos: [f64; 2]`), read whole as a copy: each name its entry.
        if let Some(Tree::Leaf(v)) = value
            && self.kind(v) == Kind::Float
            && self.made_by(v).is_some_and(|(_, inst)| matches!(inst.op, Op::Field { array: false, .. }))
            && ps.elems.iter().all(|p| !matches!(p, Pat::Rest(_)))
        {
            for (k, p) in ps.elems.iter().enumerate() {
                let span = Loc::of(p);
                let index = syn::LitInt::new(&format!("{k}usize"), span.span()).to_token_stream();
                let Tree::Leaf(entry) = self.entry(v, index, span) else { continue };
                self.bind_part(p, v, entry);
            }
            return;
        }
        // `for &[a, b] in &pts` of a local `Vec<[f64; 2]>`: the element a load of a row, each
        // name a load one index deeper (as `let [a, b] = pts[i];` reads them).
        if let Some(Tree::Leaf(v)) = value
            && let Some((_, inst)) = self.made_by(v)
            && let Op::Load { array, index } = inst.op.clone()
            && matches!(self.kind(array), Kind::Array(_))
            && self.kind(v) != Kind::Array(ArrayKind::Record)
            && !matches!(self.kind(v), Kind::Array(ArrayKind::Fixed | ArrayKind::Slice | ArrayKind::Vec))
            && ps.elems.iter().all(|p| !matches!(p, Pat::Rest(_)))
        {
            for (k, p) in ps.elems.iter().enumerate() {
                let span = Loc::of(p);
                let lit = syn::Lit::Int(syn::LitInt::new(&format!("{k}usize"), span.start));
                let at = self.emit(Op::Lit(lit), span, Kind::Discrete);
                let index = index.iter().copied().chain([at]).collect();
                let element = self.emit(Op::Load { array, index }, span, Kind::Float);
                self.bind(p, Some(Tree::Leaf(element)));
            }
            return;
        }
        let (v, held) = match value {
            Some(Tree::Leaf(v))
                if matches!(
                    self.kind(v),
                    Kind::Array(ArrayKind::Fixed | ArrayKind::Slice | ArrayKind::Vec)
                ) =>
            {
                (v, true)
            }
            Some(Tree::Leaf(v))
                if matches!(self.kind(v), Kind::Unknown | Kind::Discrete) && !self.call_result(v) =>
            {
                (v, false)
            }
            _ => {
                self.unsupported(Loc::of(ps), unsupported::ARRAY_PATTERN_VALUE_NOT_PARAMETER);
                return;
            }
        };
        if let Some(rest) = ps.elems.iter().find(|p| matches!(p, Pat::Rest(_))) {
            self.unsupported(Loc::of(rest), unsupported::ARRAY_PATTERN);
            return;
        }
        for (i, p) in ps.elems.iter().enumerate() {
            let span = Loc::of(p);
            if held {
                let lit = syn::Lit::Int(syn::LitInt::new(&format!("{i}usize"), span.start));
                let index = self.emit(Op::Lit(lit), span, Kind::Discrete);
                let element = self.emit(Op::Load { array: v, index: vec![index] }, span, Kind::Float);
                self.bind(p, Some(Tree::Leaf(element)));
            } else {
                let ident = v.ident();
                let (tokens, what) = (quote!(#ident[#i]), Opaque::Form("destructuring"));
                let element = self.emit(Op::Opaque { tokens, reads: vec![v], what }, span, Kind::Unknown);
                self.bind_part(p, v, element);
            }
        }
    }
}

/// The tuple structure of a pattern (`let ((a, b), c) = ...`): a call bound to it is
/// destructured into one value per leaf.
#[derive(Clone)]
pub(super) enum TupleShape {
    Leaf,
    Tuple(Vec<TupleShape>),
}

pub(super) fn pattern_shape(pat: &Pat) -> TupleShape {
    match pat {
        Pat::Tuple(t) => TupleShape::Tuple(t.elems.iter().map(pattern_shape).collect()),
        Pat::Type(t) => pattern_shape(&t.pat),
        Pat::Paren(p) => pattern_shape(&p.pat),
        _ => TupleShape::Leaf,
    }
}

/// `let [a, b, c] = pts[i];` or `let &[a, b, c] = &pts[i];` (an element of a nested array read
/// by index, as published code takes a point apart): `let a = pts[i][0]; let b = pts[i][1]; ..`, each element a load.
fn elements_of_index(local: &syn::Local) -> Option<Vec<Stmt>> {
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let pattern = match &local.pat {
        Pat::Type(t) => &*t.pat,
        p => p,
    };
    // Also `let &[a, b] = &pts[i];`, as a `for &[a, b] in &pts` binds its element.
    let (pattern, e) = match (pattern, &*init.expr) {
        (Pat::Reference(p), Expr::Reference(r)) if p.mutability.is_none() && r.mutability.is_none() => {
            (&*p.pat, &*r.expr)
        }
        (p, e) => (p, e),
    };
    let Expr::Index(_) = e else { return None };
    let Pat::Slice(s) = pattern else { return None };
    if s.elems.iter().any(|p| matches!(p, Pat::Rest(_))) {
        return None;
    }
    let span = Loc::of(local).span();
    let stmts = s.elems.iter().enumerate().map(|(k, p)| syn::parse_quote_spanned!(span=> let #p = #e[#k];));
    Some(stmts.collect())
}

/// `let PAT = x.try_into().unwrap();` (or `.expect(..)`, or `<[T; N]>::try_from(x).unwrap()`)
/// with an array pattern or an array type of a literal length `N` (or that `N` written in
/// `<[T; N]>`), as `assert_eq!(x.len(), N);
/// let PAT = [x[0], .., x[N - 1]];`, or `None` for any other `let`.
fn array_conversion(local: &syn::Local) -> Option<Vec<Stmt>> {
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let Expr::MethodCall(unwrap) = &*init.expr else { return None };
    if !unwraps(unwrap) {
        return None;
    }
    let literal = |e: &Expr| match e {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(i), .. }) => i.base10_parse::<usize>().ok(),
        _ => None,
    };
    // The `N` of `<[T; N]>::try_from(..)`, if it is written there.
    let mut named = None;
    let source = match &*unwrap.receiver {
        Expr::MethodCall(m) if m.method == "try_into" && m.args.is_empty() => &*m.receiver,
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "try_from") => {
                if let Some(syn::QSelf { ty, .. }) = &p.qself
                    && let syn::Type::Array(a) = &**ty
                {
                    named = literal(&a.len);
                }
                &c.args[0]
            }
            _ => return None,
        },
        _ => return None,
    };
    let length = match &local.pat {
        Pat::Ident(_) if named.is_some() => named?,
        Pat::Slice(s) if s.elems.iter().all(|p| !matches!(p, Pat::Rest(_))) => s.elems.len(),
        Pat::Type(t) => match (&*t.pat, &*t.ty) {
            (Pat::Slice(s), _) if s.elems.iter().all(|p| !matches!(p, Pat::Rest(_))) => s.elems.len(),
            (_, syn::Type::Array(a)) => literal(&a.len)?,
            _ => return None,
        },
        _ => return None,
    };
    let source = match source {
        Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
        e => e,
    };
    let span = Loc::of(local).span();
    let elements = (0..length).map(syn::Index::from);
    let pat = &local.pat;
    let block: syn::Block = syn::parse_quote_spanned!(span=> {
        assert_eq!(#source.len(), #length, "the length of the slice converted to an array");
        let #pat = [#(#source[#elements]),*];
    });
    Some(block.stmts)
}

/// Whether a type has a reference or a trait object inside another type (`Option<&[f64]>`,
/// `Vec<&str>`, `Box<dyn Fn(f64) -> f64>`), where an annotation coerces what it is given.
fn coerces_inside(ty: &syn::Type) -> bool {
    struct Finds(bool);
    impl<'ast> syn::visit::Visit<'ast> for Finds {
        fn visit_type_reference(&mut self, _: &'ast syn::TypeReference) {
            self.0 = true;
        }
        fn visit_type_trait_object(&mut self, _: &'ast syn::TypeTraitObject) {
            self.0 = true;
        }
    }
    let syn::Type::Path(p) = ty else { return false };
    let mut finds = Finds(false);
    syn::visit::Visit::visit_type_path(&mut finds, p);
    finds.0
}

impl Lowerer<'_> {
    /// Whether `local` is `let .. = f(..);` of a local `f` (a closure).
    fn calls_a_local(&self, local: &syn::Local) -> bool {
        matches!(local.init.as_ref().map(|i| &*i.expr), Some(Expr::Call(c)) if self.local(&c.func).is_some())
    }
}

/// `let name = f(..);` (or `let mut name`) of a function by path whose recorded result type is a
/// collection, with that type written: `let name: [f64; 2] = f(..);`.
fn result_typed(local: &syn::Local) -> Option<syn::Local> {
    let (Pat::Ident(p), Some(init)) = (&local.pat, &local.init) else { return None };
    if p.by_ref.is_some() || p.subpat.is_some() || init.diverge.is_some() {
        return None;
    }
    let ty = match &*init.expr {
        Expr::Call(c) => {
            let Expr::Path(f) = &*c.func else { return None };
            if f.qself.is_some() {
                return None;
            }
            let name = f.path.segments.last()?.ident.to_string();
            crate::signature::results::lookup(&name, c.args.len())?
        }
        // `self.force(&y)` of a method of the `impl` block being expanded (its `self` counted).
        Expr::MethodCall(m) if matches!(&*m.receiver, Expr::Path(r) if r.path.is_ident("self")) => {
            let name = m.method.to_string();
            // (Or a method with its own attribute and `wrt(..)`, recorded by the prescan.)
            let sibling = crate::signature::siblings::sibling(&name).is_some()
                || crate::signature::siblings::unlisted(&name)
                || crate::signature::registry::is_method(&name, m.args.len());
            if !sibling {
                return None;
            }
            crate::signature::results::lookup(&name, m.args.len() + 1)?
        }
        _ => return None,
    };
    let mut typed = local.clone();
    typed.pat = Pat::Type(syn::PatType {
        attrs: Vec::new(),
        pat: Box::new(local.pat.clone()),
        colon_token: Default::default(),
        ty: Box::new(ty),
    });
    Some(typed)
}
