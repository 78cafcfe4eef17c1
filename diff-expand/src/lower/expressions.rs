//! Expressions: operators, casts, assignments, and opaque expressions (their locals renamed by `renamer.rs`).

use super::coordinates::{coordinate, usize_literal};
pub(super) use super::renamer::{names_a_local, shadows_a_local};
use super::*;

impl Lowerer<'_> {
    // ---- expressions ----------------------------------------------------------------------

    pub(super) fn expr(&mut self, e: &Expr) -> Tree {
        let span = Loc::of_expr(e);
        match e {
            Expr::Lit(l) => {
                let kind = match &l.lit {
                    Lit::Float(_) => Kind::Float,
                    Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => Kind::Float,
                    Lit::Int(_) | Lit::Bool(_) | Lit::Char(_) | Lit::Byte(_) => Kind::Discrete,
                    _ => Kind::Unknown,
                };
                Tree::Leaf(self.emit(Op::Lit(l.lit.clone()), span, kind))
            }
            Expr::Path(p) => match self.local(e) {
                Some(slot) if self.struct_locals.contains_key(&slot) => self.whole_struct_local(slot, span),
                Some(slot) if self.is_closure(slot) => {
                    self.unsupported(span, unsupported::CLOSURE_USED_OTHER_CALLING_RETURNED)
                }
                Some(slot) => {
                    let name = p.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                    self.read_var(slot, &name, span)
                }
                None => self.opaque(e, "a path"),
            },
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Binary(b) => self.binary(b),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => self.prim_op("neg", &u.op, &[&u.expr], span, None),
                UnOp::Not(_) => self.prim_op("not", &u.op, &[&u.expr], span, Some(Kind::Discrete)),
                // `*x` for an element bound by `for x in v.iter()` or a parameter `x: &f64`: a
                // value here.
                // `*p` of an array reference (`p: &[f64; 2]`) reads the same elements: the array.
                _ => match self.aggregate_or_leaf(strip_derefs(&u.expr)) {
                    // `**u` of an element passed behind two references (`filter`'s `&&x[i]`);
                    // `*u` of a unit vector (`Unit::new_normalize`): the vector.
                    Some(v) if self.iter_elements.contains(&v) || self.unit_values.contains(&v) => {
                        Tree::Leaf(v)
                    }
                    // `*x.first().unwrap()`: the element (`lower::options`).
                    None if matches!(&*u.expr, Expr::MethodCall(m) if options::Lookup::of(&m.receiver).is_some()) => {
                        self.expr(&u.expr)
                    }
                    Some(v) if matches!(self.kind(v), Kind::Array(ArrayKind::Fixed | ArrayKind::Slice)) => {
                        Tree::Leaf(v)
                    }
                    // `*a` of a float element bound by reference (`[a, ..] => *a` of a slice
                    // pattern, `let a = &x[0]`): Rust lets `*` apply to an element only through a
                    // reference, and the IR holds the element's value.
                    Some(v)
                        if self.kind(v) == Kind::Float
                            && self.made_by(v).is_some_and(|(_, i)| {
                                matches!(i.op, Op::Load { .. } | Op::Field { array: false, .. })
                            }) =>
                    {
                        Tree::Leaf(v)
                    }
                    // `*a.1` of an element of `enumerate()` or `zip` bound by reference (`max_by(|a,
                    // b| no_grad(*a.1).total_cmp(..))`): the IR holds the float itself.
                    None if let Some(v) = self.tuple_field_float(strip_derefs(&u.expr)) => Tree::Leaf(v),
                    // `*x.iter().max_by(..).unwrap()`, `*v.get(i).unwrap()`: the lowering of a
                    // call that returns a reference holds the value it refers to.
                    None if matches!(strip_parens(strip_derefs(&u.expr)), Expr::MethodCall(_)) => {
                        self.expr(strip_derefs(&u.expr))
                    }
                    _ => self.opaque(e, "a dereference"),
                },
            },
            Expr::Cast(c) => self.cast(c),
            Expr::MethodCall(_) | Expr::Call(_) => self.call_expr(e, &TupleShape::Leaf),
            Expr::If(i) => self.if_expr(i),
            Expr::Block(b) if b.label.is_none() => self.block(&b.block),
            // Left as written by `labels::unlabel`: a jump it could not make a branch of.
            Expr::Block(b) => {
                self.unsupported(b.label.as_ref().map_or(span, |l| Loc::of(l)), unsupported::LABELLED_BLOCK)
            }
            Expr::Tuple(t) => Tree::Tuple(t.elems.iter().map(|e| self.expr(e)).collect()),
            // A whole array replaced inside a loop (`lower::assignments::whole_array`).
            Expr::Assign(a) if let Some(t) = self.whole_array(a, span) => t,
            Expr::Assign(a) => {
                // `(a, b) = g(..)`: the call's results in the target's shape.
                let value = match (&*a.right, super::assignments::target_shape(&a.left)) {
                    (Expr::Call(_) | Expr::MethodCall(_), shape @ TupleShape::Tuple(_)) => {
                        self.call_expr(&a.right, &shape)
                    }
                    // `v = chain.collect();` of a local `Vec`: collects a `Vec` of the floats, as
                    // `let v: Vec<f64> = ..` would (inside a loop, `whole_array`).
                    (Expr::MethodCall(m), _)
                        if m.method == "collect"
                            && m.args.is_empty()
                            && m.turbofish.is_none()
                            && matches!(&*a.left, Expr::Path(_))
                            && self
                                .aggregate_or_leaf(&a.left)
                                .is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Vec)) =>
                    {
                        let (mut typed, element) = (m.clone(), &self.element);
                        typed.turbofish = Some(syn::parse_quote!(::<::std::vec::Vec<#element>>));
                        self.expr(&Expr::MethodCall(typed))
                    }
                    (right, _) => self.expr(right),
                };
                self.assign(&a.left, value);
                unit()
            }
            // `v.z` of a static vector held as an array: `v[2]`.
            Expr::Field(_) if let Some(entry) = self.array_coordinate(e) => self.expr(&entry),
            // `s.x` of a struct local held by its fields (`assignments::struct_local`).
            Expr::Field(f) if let Some(part) = self.struct_local_part(f) => part,
            // `p.pos.z` (or `p.pos[2]`) of an element `p` of a differentiated collection of
            // structs, whose field the prescan read as a nalgebra vector: the field read as
            // `ps[i].pos` is, then its entry.
            Expr::Field(f)
                if let Some(k) = self.coordinate_of_an_element_field(&f.base, coordinate(&f.member)) =>
            {
                self.entry_of_an_element_field(&f.base, k, e, span)
            }
            Expr::Index(ix)
                if let Some(k) = self.coordinate_of_an_element_field(&ix.expr, usize_literal(&ix.index)) =>
            {
                self.entry_of_an_element_field(&ix.expr, k, e, span)
            }
            // `ps[i].pos[k]` at a computed index: the same field, then its entry `k`.
            Expr::Index(ix)
                if !matches!(&*ix.index, Expr::Range(_)) && self.fixed_field_of_an_element(&ix.expr) =>
            {
                self.computed_entry_of_an_element_field(ix, span)
            }
            // `pair(a, b).0`, `x.iter().fold((0.0, 1.0), ..).1`, `f(x).1` of a local closure: the
            // value computed, held by a name no user writes, then its part read as a local's.
            Expr::Field(f)
                if matches!(f.member, syn::Member::Unnamed(_)) && computed_tuple(strip_parens(&f.base)) =>
            {
                let whole = self.expr(&f.base);
                match (whole, &f.member) {
                    (Tree::Tuple(items), syn::Member::Unnamed(index)) => {
                        match items.get(index.index as usize) {
                            Some(t) => t.clone(),
                            None => self.unsupported(span, unsupported::TUPLE_FIELD_OUT_RANGE),
                        }
                    }
                    // One value (a constant tuple): read by name, as a local's part is.
                    (whole, member) => {
                        let at = Loc::of(&f.base).end;
                        let name =
                            super::iterators::hidden(&format!("__tapeless_whole{}", self.values.len()), at);
                        self.declare(&name.to_string(), Some(whole));
                        self.expr(&syn::parse_quote_spanned!(at=> #name.#member))
                    }
                }
            }
            Expr::Field(f) => match (self.aggregate(&f.base), &f.member) {
                (Some(items), syn::Member::Unnamed(index)) => match items.get(index.index as usize) {
                    Some(t) => t.clone(),
                    None => self.unsupported(span, unsupported::TUPLE_FIELD_OUT_RANGE),
                },
                (_, member) => match self.record_field(e, Kind::Float) {
                    Some(v) => Tree::Leaf(v),
                    // `v.x`, `p.y`, `(a - b).z`, .. of a nalgebra vector: its entry `v[0]`, ..
                    // `p.coords` of a nalgebra point: its coordinates, a vector, which is also
                    // the point's tangent (the runtime's `Differentiable for Point`).
                    None if matches!(member, syn::Member::Named(m) if m == "coords")
                        && self.vector_base(&f.base) =>
                    {
                        let base = self.value(&f.base);
                        let b = base.ident();
                        let form = Form::Verbatim(quote!(#b.coords));
                        self.prim(rules::operator("<typed>"), vec![base], form, span, &TupleShape::Leaf)
                    }
                    None => match coordinate(member) {
                        Some(k) if self.vector_base(&f.base) => {
                            let base = self.value(&f.base);
                            let k = syn::LitInt::new(&k.to_string(), span.span()).to_token_stream();
                            self.entry(base, k, span)
                        }
                        _ => self.opaque(e, "a field access"),
                    },
                },
            },
            // `w[i]` of a nested array of `Vec`s whole: a row is read by its entries
            // (`lower::rows`); the generated code could not move it out of the slice.
            Expr::Index(i) if self.rows_of_vecs(&i.expr) => {
                self.unsupported(span, unsupported::ROW_NESTED_ARRAY_TAKEN_WHOLE)
            }
            // `x[a..b][k]`, an element of a part (`x[3..5].try_into()` taken apart): `x[a + k]`.
            // (Only where the primal panics, `k >= b - a` with `a + k` in bounds, does this read
            // an element rather than panic too.)
            Expr::Index(outer)
                if let Expr::Index(inner) = strip_parens(&outer.expr)
                    && let Some((start, _)) = range_part(inner)
                    && !matches!(strip_parens(&outer.index), Expr::Range(_)) =>
            {
                let (base, k, at) = (&inner.expr, &outer.index, span.span());
                self.expr(&syn::parse_quote_spanned!(at=> #base[(#start) + (#k)]))
            }
            Expr::Index(i) => match self.array_place(i) {
                Some((array, index)) => {
                    let element = self.load_element(array, index, span);
                    self.parts_of_tuple(element, span)
                }
                None => match literal_index(&i.index) {
                    // `self.w[0]` of a constant's field (a `Vec` cannot be moved out of `self`):
                    // kept whole, as `self.w[i]` is.
                    Some(_)
                        if matches!(strip_parens(&i.expr), Expr::Field(_))
                            && self.constant_place(&i.expr) =>
                    {
                        self.opaque(e, "indexing")
                    }
                    // `data[0]` of a constant the macro reads as no array (`data: &[(f64, f64)]`):
                    // kept whole, one opaque value, as `data[i]` is.
                    Some(_)
                        if self.aggregate_or_leaf(&i.expr).is_some_and(|v| self.kind(v) == Kind::Unknown) =>
                    {
                        // (`k[0]` of `let k = g(..)`: its type is what is missing.)
                        let untyped =
                            self.aggregate_or_leaf(&i.expr).is_some_and(|v| self.call_results.contains(&v));
                        match untyped {
                            true => self.opaque_with(e, Opaque::UntypedCallEntry, Kind::Unknown),
                            false => self.opaque(e, "indexing"),
                        }
                    }
                    // `w[0]`, `m[(1, 2)]`: an entry of a nalgebra value.
                    Some(k) => {
                        let base = self.value(&i.expr);
                        self.entry(base, k, span)
                    }
                    // `v[i]`, `m[(i, j)]` of a nalgebra value held by a local.
                    None if self
                        .aggregate_or_leaf(&i.expr)
                        .is_some_and(|v| matches!(self.kind(v), Kind::Heap | Kind::Float)) =>
                    {
                        let base = self.value(&i.expr);
                        let parts: Vec<&Expr> = match &*i.index {
                            Expr::Tuple(t) if t.elems.len() == 2 => t.elems.iter().collect(),
                            Expr::Paren(p) => vec![&*p.expr],
                            index => vec![index],
                        };
                        let mut args = vec![base];
                        args.extend(parts.into_iter().map(|p| self.value(p)));
                        let (rule, form) = (rules::operator("<index>"), Form::Index(TokenStream::new()));
                        self.prim(rule, args, form, span, &TupleShape::Leaf)
                    }
                    None => self.opaque(e, "indexing"),
                },
            },
            // `[(0.0, 1.0), (1.0, 2.9)]`: constant data of tuples, kept as written.
            Expr::Array(a) if a.elems.iter().any(is_tuple) && !names_a_local(self, e) => {
                self.opaque_with(e, Opaque::Form("a constant"), Kind::Unknown)
            }
            Expr::Array(a) => {
                let elements = a.elems.iter().map(|e| self.value(e)).collect();
                self.new_array(ArrayInit::Elements { elements, vec: false }, span, ArrayKind::Fixed)
            }
            Expr::Repeat(r) => self.constant_array(&r.expr, &r.len, ArrayKind::Fixed, span),
            Expr::Range(_) => self.opaque(e, "a range"),
            // `&p.w` of a record parameter: a float field is its value (which `*w` reads, as a
            // reference `w * x` does), a `Vec<f64>` or `[f64; N]` field the array read in place,
            // another (a `DMatrix`) read in place too.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && let Some(v) = self.record_field(&r.expr, self.borrowed_kind(&r.expr)) =>
            {
                Tree::Leaf(v)
            }
            // `&m` of a `DMatrix`: generated code holds it by reference already.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && self.aggregate_or_leaf(&r.expr).is_some_and(|v| self.kind(v) == Kind::Heap) =>
            {
                self.expr(&r.expr)
            }
            // `&x` of a slice parameter (`let w = &x;`): the same slice, one reference deeper,
            // which indexing, `len` and calls see through.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && self
                        .aggregate_or_leaf(&r.expr)
                        .is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Slice)) =>
            {
                self.expr(&r.expr)
            }
            // `&ps[i]` of a differentiated collection of structs or tuples (`let (x, y) =
            // &pts[i];`): the element, read by its fields.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && matches!(&*r.expr, Expr::Index(ix)
                        if !matches!(&*ix.index, Expr::Range(_)) && self.record_collection(&ix.expr)) =>
            {
                self.expr(&r.expr)
            }
            // `&w[i]` of a nested array that `rows::let_row` could not read in place.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && matches!(&*r.expr, Expr::Index(ix) if self.nested_array(&ix.expr)) =>
            {
                self.unsupported(span, unsupported::ROW_BORROWED_AND_REBOUND)
            }
            // `&y` of `let y = g(..)`: the macro cannot see what `g` returns.
            Expr::Reference(r)
                if self
                    .aggregate_or_leaf(&r.expr)
                    .is_some_and(|v| self.kind(v) == Kind::Unknown && self.call_results.contains(&v)) =>
            {
                self.opaque_with(e, Opaque::UntypedCallResult, Kind::Unknown)
            }
            // `&mut v`: what the callee writes through it is not followed (its derivative would be
            // lost), and generated code holds locals in its own bindings.
            Expr::Reference(r) if r.mutability.is_some() => {
                self.unsupported(span, unsupported::MUTABLE_BORROW_MUT)
            }
            Expr::Reference(_) => self.opaque(e, "a reference"),
            // `Name { a: x, b: y }`: a derived struct built from values.
            Expr::Struct(st) if st.rest.is_none() && st.qself.is_none() => {
                let fields = st.fields.iter().map(|f| (f.member.clone(), self.value(&f.expr))).collect();
                Tree::Leaf(self.construct(Some(st.path.clone()), fields, span))
            }
            // `Name { x: a, ..base }` of a struct the prescan read: every field written out, the
            // others read from `base` (bound once).
            Expr::Struct(st) if let Some(full) = with_base_spelled_out(st) => self.expr(&full),
            Expr::Struct(st) if st.rest.is_some() => self.unsupported(
                Loc { start: st.dot2_token.map_or(span.start, |d| d.spans[0]), end: Loc::of(&st.rest).end },
                unsupported::STRUCT_LITERAL_BASE,
            ),
            Expr::Struct(_) => self.opaque(e, "a struct literal"),
            Expr::Return(r) => self.early_return(r, span),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w.label.as_ref(), Some(&w.cond), &w.body, span),
            // `loop { .. break v; .. }` as a value: `v` assigned to a variable declared before
            // the loop, then a plain `break` (`scan::break_values_assigned`).
            // Not generic over a float type, which need not be `Default`.
            Expr::Loop(l)
                if l.label.is_none()
                    && self.floats.is_empty()
                    && let Some(rewritten) = scan::break_values_assigned(l) =>
            {
                self.expr(&rewritten)
            }
            Expr::Loop(l) => {
                let value = self.while_loop(l.label.as_ref(), None, &l.body, span);
                // `let r = loop { .. break v; };`: `break v` was reported; `r` holds the error
                // rather than the unit value, so no read of it is reported again.
                let mut jumps = scan::Jumps::default();
                syn::visit::Visit::visit_block(&mut jumps, &l.body);
                match jumps.valued {
                    Some(_) if self.cx.has_errors() => self.quiet_error(span),
                    Some(at) => self.unsupported(at, unsupported::BREAK_VALUE),
                    None => value,
                }
            }
            Expr::Break(b) if b.label.is_none() && b.expr.is_none() => self.set_flag(true, span),
            Expr::Continue(c) if c.label.is_none() => self.set_flag(false, span),
            Expr::Break(b) if b.label.is_none() => self.unsupported(span, unsupported::BREAK_VALUE),
            Expr::Break(_) | Expr::Continue(_) => self.unsupported(span, unsupported::BREAK_LABEL),
            // `.map_err(|_| MyError)`: a closure naming no local of the function is a constant.
            Expr::Closure(c) if !names_a_local(self, &c.body) => {
                self.opaque_with(e, Opaque::Form("a closure"), Kind::Unknown)
            }
            Expr::Closure(_) => self.unsupported(span, unsupported::CLOSURE_HERE),
            Expr::Match(m) => self.match_expr(m),
            Expr::Unsafe(_) => self.unsupported(span, unsupported::UNSAFE_BLOCK),
            Expr::Async(_) | Expr::Await(_) => self.unsupported(span, unsupported::ASYNC_AWAIT),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => self.vec_macro(m),
            // `matches!(e, pat if guard)`: the `match` it stands for.
            Expr::Macro(m) if m.mac.path.is_ident("matches") => match matches_as_match(&m.mac, span) {
                Some(desugared) => self.expr(&desugared),
                None => self.statement_macro(&m.mac, span),
            },
            // `cfg!(debug_assertions)`: a constant `bool`.
            Expr::Macro(m) if m.mac.path.is_ident("cfg") => {
                self.opaque_with(e, Opaque::Form("a configuration test"), Kind::Discrete)
            }
            Expr::Macro(m) => self.statement_macro(&m.mac, span),
            Expr::Let(_) => self.unsupported(span, unsupported::LET_CONDITION),
            // `e?` in a function returning `Result`/`Option`: kept as written, so a constant
            // `e` leaves every generated item with the user's error (a differentiated `e` is
            // reported by `check`).
            // `g(x)?` of a function with the attribute composes (`lower::fallible_calls`);
            // another call is kept whole, an error if it reads a differentiated value.
            Expr::Try(_) if let Some(t) = self.fallible_call(e, &TupleShape::Leaf) => t,
            Expr::Try(t) if self.fallible => {
                let question = t.question_token;
                self.opaque_call(&t.expr, quote::quote!(#question), Opaque::Form("the `?` operator"))
            }
            Expr::Try(_) => self.unsupported(span, unsupported::OPERATOR_FUNCTION_DOES_NOT_RETURN),
            _ => self.unsupported(span, unsupported::EXPRESSION_FORM),
        }
    }

    /// An expression kept as written, with local variables renamed to their current values.
    pub(super) fn opaque(&mut self, e: &Expr, what: &'static str) -> Tree {
        self.opaque_with(e, Opaque::Form(what), Kind::Unknown)
    }

    pub(super) fn opaque_with(&mut self, e: &Expr, what: Opaque, kind: Kind) -> Tree {
        self.opaque_at(e, what, kind, Loc::of(&e))
    }

    /// [`Self::opaque_with`], its errors located at `at`.
    pub(super) fn opaque_at(&mut self, e: &Expr, what: Opaque, kind: Kind, at: Loc) -> Tree {
        let mut reads = Vec::new();
        let copy = match self.rename_locals(e, &mut reads) {
            Ok(copy) => copy,
            Err(error) => return error,
        };
        Tree::Leaf(self.emit(Op::Opaque { tokens: copy.into_token_stream(), reads, what }, at, kind))
    }

    /// A copy of `e` with the locals it names renamed to the values they hold (pushed to
    /// `reads`), or the error reported for a form renaming cannot take.
    pub(super) fn rename_locals(&mut self, e: &Expr, reads: &mut Vec<Value>) -> Result<Expr, Tree> {
        let mut renamer = Renamer::new(self);
        let mut copy = e.clone();
        renamer.visit_expr_mut(&mut copy);
        let (found, problem) = (renamer.reads, renamer.problem);
        if let Some((span, what)) = problem {
            return Err(self.unsupported(span, Unsupported { what, help: opaque_help(what) }));
        }
        reads.extend(found);
        Ok(copy)
    }

    /// A closure argument of a call kept as written: as it is if it names no local of the
    /// function, else with its parameters renamed apart from the locals they shadow
    /// ([`super::scan::parameters_renamed_apart`]) and the locals its body names renamed (their
    /// values pushed to `reads`; a form renaming cannot take is reported). `None` if it cannot
    /// be kept ([`closure_kept`]).
    pub(super) fn kept_closure(
        &mut self,
        c: &syn::ExprClosure,
        reads: &mut Vec<Value>,
    ) -> Option<syn::ExprClosure> {
        if !names_a_local(self, &c.body) {
            return Some(c.clone());
        }
        let mut kept =
            if shadows_a_local(self, c) { super::scan::parameters_renamed_apart(c)? } else { c.clone() };
        if names_a_local(self, &kept.body)
            && let Ok(body) = self.rename_locals(&kept.body, reads)
        {
            *kept.body = body;
        }
        Some(kept)
    }

    pub(super) fn binary(&mut self, b: &syn::ExprBinary) -> Tree {
        let span = Loc::of_binary(b);
        let op = &b.op;
        let (name, kind) = match op {
            BinOp::Add(_) | BinOp::AddAssign(_) => ("add", None),
            BinOp::Sub(_) | BinOp::SubAssign(_) => ("sub", None),
            BinOp::Mul(_) | BinOp::MulAssign(_) => ("mul", None),
            BinOp::Div(_) | BinOp::DivAssign(_) => ("div", None),
            BinOp::Rem(_) | BinOp::RemAssign(_) => ("rem", None),
            BinOp::BitAnd(_) | BinOp::BitAndAssign(_) => ("bitand", Some(Kind::Discrete)),
            BinOp::BitOr(_) | BinOp::BitOrAssign(_) => ("bitor", Some(Kind::Discrete)),
            BinOp::BitXor(_) | BinOp::BitXorAssign(_) => ("bitxor", Some(Kind::Discrete)),
            BinOp::Shl(_) | BinOp::ShlAssign(_) => ("shl", Some(Kind::Discrete)),
            BinOp::Shr(_) | BinOp::ShrAssign(_) => ("shr", Some(Kind::Discrete)),
            BinOp::Eq(_) => ("eq", Some(Kind::Discrete)),
            BinOp::Ne(_) => ("ne", Some(Kind::Discrete)),
            BinOp::Lt(_) => ("lt", Some(Kind::Discrete)),
            BinOp::Le(_) => ("le", Some(Kind::Discrete)),
            BinOp::Gt(_) => ("gt", Some(Kind::Discrete)),
            BinOp::Ge(_) => ("ge", Some(Kind::Discrete)),
            BinOp::And(_) => return self.short_circuit(b, true),
            BinOp::Or(_) => return self.short_circuit(b, false),
            _ => return self.unsupported(span, unsupported::OPERATOR_FORM),
        };
        if is_compound(op) {
            // `a op= b` is `a = a op b`; the primal is emitted with the plain operator.
            let plain = plain_operator(op);
            let value = self.prim_op(name, &plain, &[&b.left, &b.right], span, kind);
            self.assign(&b.left, value);
            return unit();
        }
        self.prim_op(name, op, &[&b.left, &b.right], span, kind)
    }

    /// A primitive written as an operator.
    pub(super) fn prim_op(
        &mut self,
        name: &str,
        op: &dyn ToTokens,
        operands: &[&Expr],
        span: Loc,
        kind: Option<Kind>,
    ) -> Tree {
        // `&v * s` of a nalgebra vector built by index (held as an array, which the operator
        // reads borrowed: `emit::primal_let`): the vector. No other array has arithmetic.
        // So is `&p - &q` of static vectors or floats (`Copy` values, read by value).
        // And `&w[1] - &w[0]` of elements that are static vectors (`rows::element_of_values`).
        let operand = |l: &mut Self, e: &'_ Expr| -> bool {
            matches!(e, Expr::Reference(r) if r.mutability.is_none()
                && (l.element_of_values(&r.expr) || l.aggregate_or_leaf(&r.expr)
                    .is_some_and(|v| matches!(l.kind(v), Kind::Float | Kind::Array(ArrayKind::Vec | ArrayKind::Fixed)))))
        };
        let args: Vec<Value> = operands
            .iter()
            .map(|e| match e {
                Expr::Reference(r) if operand(self, e) => self.value(&r.expr),
                e => self.value(e),
            })
            .collect();
        let kind = kind.unwrap_or_else(|| self.arith_kind(&args));
        let form = Form::Operator(op.to_token_stream());
        Tree::Leaf(self.emit(Op::Prim { rule: rules::operator(name), args, form }, span, kind))
    }

    /// A dynamically sized matrix if any operand is, else float if any operand is, discrete if
    /// all are.
    pub(super) fn arith_kind(&self, args: &[Value]) -> Kind {
        // An array operand is a nalgebra vector built by index (no other array has arithmetic):
        // a `DVector` (`ArrayKind::Vec`) or a static one (`Fixed`, a float-like value).
        let kind = |a: &Value| match self.kind(*a) {
            Kind::Array(ArrayKind::Vec) => Kind::Heap,
            Kind::Array(ArrayKind::Fixed) => Kind::Float,
            k => k,
        };
        if args.iter().any(|a| kind(a) == Kind::Heap) {
            Kind::Heap
        } else if args.iter().any(|a| kind(a) == Kind::Float) {
            Kind::Float
        } else if args.iter().all(|a| self.kind(*a) == Kind::Discrete) {
            Kind::Discrete
        } else {
            Kind::Unknown
        }
    }

    /// `a && b` as `if a { b } else { false }`; `a || b` as `if a { true } else { b }`.
    /// Exempt from the condition check (`piecewise`): only a `bool` leaves this `if`, and a
    /// branch on it is checked where it is used.
    pub(super) fn short_circuit(&mut self, b: &syn::ExprBinary, and: bool) -> Tree {
        let span = Loc::of_binary(b);
        let cond = self.value(&b.left);
        let right = |l: &mut Self| l.expr(&b.right);
        let constant = |l: &mut Self| l.boolean(!and, span);
        if and {
            self.branch(cond, Loc::of(&b.left), true, span, right, constant)
        } else {
            self.branch(cond, Loc::of(&b.left), true, span, constant, right)
        }
    }

    pub(super) fn boolean(&mut self, value: bool, span: Loc) -> Tree {
        Tree::Leaf(self.emit(Op::Lit(syn::LitBool::new(value, span.span()).into()), span, Kind::Discrete))
    }

    pub(super) fn cast(&mut self, c: &syn::ExprCast) -> Tree {
        use crate::signature::{TypeClass, classify};
        let span = Loc::of(&c);
        let (rule, kind) = match classify(&c.ty) {
            TypeClass::Differentiable => ("<as float>", Kind::Float),
            TypeClass::Constant => ("<as discrete>", Kind::Discrete),
            TypeClass::Unknown => {
                let ty = crate::signature::type_text(&c.ty);
                return self.opaque_with(&Expr::Cast(c.clone()), Opaque::Cast(ty), Kind::Unknown);
            }
        };
        let arg = self.value(&c.expr);
        let op = Op::Prim { rule: rules::operator(rule), args: vec![arg], form: Form::Cast(c.ty.clone()) };
        Tree::Leaf(self.emit(op, span, kind))
    }
}

/// Whether [`Lowerer::kept_closure`] keeps `c`: all but a closure naming a local whose
/// parameters shadow one and whose body holds a macro (which renaming cannot look into).
pub(super) fn closure_kept(l: &Lowerer, c: &syn::ExprClosure) -> bool {
    !names_a_local(l, &c.body) || !shadows_a_local(l, c) || super::scan::parameters_renamed_apart(c).is_some()
}

/// What to do about a form inside an expression the lowering keeps whole.
/// Whether `e` computes a value rather than naming a place: a call, a method call, a tuple, a
/// block or a branch, whose `.0` is read from the value computed.
fn computed_tuple(e: &Expr) -> bool {
    matches!(
        e,
        Expr::Call(_) | Expr::MethodCall(_) | Expr::Tuple(_) | Expr::Block(_) | Expr::If(_) | Expr::Match(_)
    )
}

pub(super) fn opaque_help(what: &str) -> &'static str {
    match what {
        "a closure" => {
            "closures are followed in iterator chains, nalgebra's `map` and `let f = |x| ..;` called \
             later, `DVector::from_fn(n, |i, _| ..)` and `DMatrix::from_fn(r, c, |i, j| ..)`; elsewhere \
             compute the values first (a \
             `DMatrix` can be assembled from differentiable products such as `&u * v.transpose()`)"
        }
        "a loop" | "a block inside this expression" => "compute it in a statement before, into a local",
        "an assignment inside this expression" => "write the assignment as its own statement",
        "control flow inside this expression" => "leave from a statement of its own (`if c { return ..; }`)",
        "a macro call" => {
            "a macro whose arguments are not expressions separated by commas (`vec![x; n]`) is not \
             looked into here: bind it to a local first (`let w = vec![0.5; n];`) and use the local"
        }
        _ => unsupported::COMPUTE_INTO_A_LOCAL_HELP,
    }
}

pub(super) fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// `+=` to `+` (keeping the span), for emitting the primal of a compound assignment.
pub(super) fn plain_operator(op: &BinOp) -> TokenStream {
    let span = op.span();
    let text = match op {
        BinOp::AddAssign(_) => "+",
        BinOp::SubAssign(_) => "-",
        BinOp::MulAssign(_) => "*",
        BinOp::DivAssign(_) => "/",
        BinOp::RemAssign(_) => "%",
        BinOp::BitAndAssign(_) => "&",
        BinOp::BitOrAssign(_) => "|",
        BinOp::BitXorAssign(_) => "^",
        BinOp::ShlAssign(_) => "<<",
        _ => ">>",
    };
    super::respan(text.parse().unwrap_or_default(), &|_| span)
}

/// The expression reading a tree of SSA values: `__v3` or `(__v3, __v4)`.
pub(super) fn tree_expr(t: &Tree) -> Expr {
    let tokens = match t {
        Tree::Leaf(v) => v.ident().into_token_stream(),
        Tree::Tuple(items) => {
            let items = items.iter().map(tree_expr);
            quote!((#(#items,)*))
        }
    };
    syn::parse2(tokens).unwrap_or_else(|_| Expr::Verbatim(TokenStream::new()))
}

/// The tokens of an index made of integer literals only: `0`, `(1, 2)`.
pub(super) fn literal_index(e: &Expr) -> Option<TokenStream> {
    let literal = |e: &Expr| matches!(e, Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(_), .. }));
    let ok = match e {
        Expr::Tuple(t) => t.elems.len() == 2 && t.elems.iter().all(literal),
        e => literal(e),
    };
    ok.then(|| e.to_token_stream())
}

/// `matches!(e, pat)` or `matches!(e, pat if guard)` as `match e { pat if guard => true, _ => false }`,
/// spanned at the macro; `None` if its arguments are not of that form.
fn matches_as_match(mac: &syn::Macro, span: Loc) -> Option<Expr> {
    let parser = |input: syn::parse::ParseStream| {
        let scrutinee: Expr = input.parse()?;
        input.parse::<syn::Token![,]>()?;
        let pat = Pat::parse_multi_with_leading_vert(input)?;
        let guard = if input.peek(syn::Token![if]) {
            input.parse::<syn::Token![if]>()?;
            Some(input.parse::<Expr>()?)
        } else {
            None
        };
        input.parse::<Option<syn::Token![,]>>()?;
        Ok((scrutinee, pat, guard))
    };
    let (scrutinee, pat, guard) = mac.parse_body_with(parser).ok()?;
    let guard = guard.map(|g| quote::quote!(if #g));
    Some(syn::parse_quote_spanned!(span.span()=> match #scrutinee { #pat #guard => true, _ => false }))
}

/// `e` without the dereferences in front of it (`**u` to `u`).
fn strip_derefs(mut e: &Expr) -> &Expr {
    while let Expr::Unary(syn::ExprUnary { op: UnOp::Deref(_), expr, .. }) = e {
        e = expr;
    }
    e
}

/// Whether `e` is a tuple expression (in parentheses or not).
pub(super) fn is_tuple(e: &Expr) -> bool {
    matches!(strip_parens(e), Expr::Tuple(t) if !t.elems.is_empty())
}

/// Whether `e` is an array literal the lowering builds as an array: `[a, b, ..]` of no tuples (a
/// literal of tuples is constant data, kept as written), or `[v; n]`.
pub(super) fn array_literal(e: &Expr) -> bool {
    match strip_parens(e) {
        Expr::Array(a) => !a.elems.iter().any(is_tuple),
        e => matches!(e, Expr::Repeat(_)),
    }
}

/// The start and the length of the part `x[range]` reads (`a` and `b - a` of `x[a..b]`, `x.len()
/// - a` of `x[a..]`); `None` if the index is not a range.
pub(super) fn range_part(ix: &syn::ExprIndex) -> Option<(Expr, Expr)> {
    let Expr::Range(range) = strip_parens(&ix.index) else { return None };
    let base = &ix.expr;
    let start: Expr = range.start.as_deref().cloned().unwrap_or_else(|| syn::parse_quote!(0usize));
    let len: Expr = match (&range.end, &range.limits) {
        (Some(end), syn::RangeLimits::HalfOpen(_)) => syn::parse_quote!((#end) - (#start)),
        (Some(end), syn::RangeLimits::Closed(_)) => syn::parse_quote!((#end) + 1 - (#start)),
        (None, _) => syn::parse_quote!(#base.len() - (#start)),
    };
    Some((start, len))
}

/// `Name { x: a, ..base }` as `{ let b = base; Name { x: a, v: b.v, .. } }`, every field of the
/// struct's one definition the prescan read written out (`signature::types::named_fields`).
/// `None` without a base, or for a struct whose fields are unknown.
fn with_base_spelled_out(st: &syn::ExprStruct) -> Option<Expr> {
    let base = st.rest.as_ref()?;
    if st.qself.is_some() {
        return None;
    }
    let fields = crate::signature::types::named_fields(&st.path.segments.last()?.ident.to_string())?;
    let written: std::collections::HashSet<String> = st
        .fields
        .iter()
        .filter_map(|f| match &f.member {
            syn::Member::Named(n) => Some(n.to_string()),
            syn::Member::Unnamed(_) => None,
        })
        .collect();
    if written.len() != st.fields.len() || written.iter().any(|w| !fields.contains(w)) {
        return None;
    }
    let at = Loc::of(base).span();
    let b = syn::Ident::new("__tapeless_base", proc_macro2::Span::mixed_site().located_at(at));
    let path = &st.path;
    let given = st.fields.iter();
    let rest: Vec<syn::Ident> =
        fields.iter().filter(|f| !written.contains(*f)).map(|f| syn::Ident::new(f, at)).collect();
    Some(syn::parse_quote_spanned!(at=> { let #b = #base; #path { #(#given,)* #(#rest: #b.#rest),* } }))
}
