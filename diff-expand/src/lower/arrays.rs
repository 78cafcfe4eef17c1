//! Arrays: elements and places, `vec![..]`, array methods (the fields of records: `records.rs`).

use super::*;

impl Lowerer<'_> {
    // ---- arrays -----------------------------------------------------------------------------

    pub(super) fn is_array(&self, t: &Option<Tree>) -> bool {
        matches!(t, Some(Tree::Leaf(v)) if matches!(self.kind(*v), Kind::Array(_)))
    }

    /// The value of a local holding a single value, without emitting code.
    pub(super) fn aggregate_or_leaf(&self, e: &Expr) -> Option<Value> {
        match e {
            Expr::Paren(p) => self.aggregate_or_leaf(&p.expr),
            _ => match self.vars[self.local(e)?].clone()? {
                Tree::Leaf(v) => Some(v),
                Tree::Tuple(_) => None,
            },
        }
    }

    /// The local array a place like `v[i][j]` indexes, and the index values; `None` if the base
    /// is not a local array (a constant table, say).
    pub(super) fn array_place(&mut self, i: &syn::ExprIndex) -> Option<(Value, Vec<Value>)> {
        let mut indices = vec![&*i.index];
        let mut base = &*i.expr;
        while let Expr::Index(inner) = base {
            indices.push(&*inner.index);
            base = &*inner.expr;
        }
        let array = self.local_array(base)?;
        // `m[(i, j)]` of a `DMatrix` built in the body: its linear index, column by column.
        let matrix_entry = |e: &Expr| -> Option<Expr> {
            let Expr::Tuple(t) = e else { return None };
            let [row, column] = t.elems.iter().collect::<Vec<_>>()[..] else { return None };
            Some(syn::parse_quote_spanned!(Loc::of(e).span()=> (#row) + (#column) * #base.nrows()))
        };
        let index = indices
            .into_iter()
            .rev()
            .map(|e| match matrix_entry(e) {
                Some(linear) => self.value(&linear),
                None => self.value(e),
            })
            .collect();
        Some((array, index))
    }

    /// `op` at the end of the function's top-level block (so far), whatever block is being
    /// lowered: a value computed once, before the loop or branch that reads it.
    pub(super) fn at_top(&mut self, op: Op, span: Loc, kind: Kind) -> Value {
        let v = self.new_value(span, kind);
        if let Some(top) = self.blocks.first_mut() {
            top.push(Inst { results: vec![v], op, span });
        }
        v
    }

    /// A new array. Arrays live at the function's top level: their adjoints are declared once,
    /// up front, and updated in place.
    pub(super) fn new_array(&mut self, init: ArrayInit, span: Loc, kind: ArrayKind) -> Tree {
        if self.blocks.len() > 1 {
            if let ArrayInit::Elements { elements, vec } = &init
                && self.floats.is_empty()
                && elements.iter().all(|e| self.kind(*e) == Kind::Float)
            {
                return self.hoisted_array(elements.clone(), *vec, span);
            }
            if let ArrayInit::Copy { source, .. } = &init {
                let source = *source;
                return self.hoisted_copy(init, source, span, kind);
            }
            // In a loop, only an array of the same length in every iteration (made from values
            // made before the outermost loop): its adjoint, sized from the last one, fits each.
            let invariant = match &init {
                ArrayInit::Constant { reads, .. } => self
                    .loop_starts
                    .first()
                    .is_none_or(|start| reads.iter().all(|r| self.same_every_iteration(*r, *start, 16))),
                _ => false,
            };
            if kind == ArrayKind::Vec && invariant {
                return self.refilled(init, span, kind, false);
            }
            // `vec![e; n]` (a `collect`) in a loop, of a length that may change from one
            // iteration to the next (a layer's activations): made anew each time, the reverse
            // sweep giving its adjoint the length it had before.
            if kind == ArrayKind::Vec && self.in_loop > 0 && filled_vec(&init) {
                return self.refilled(init, span, kind, true);
            }
            // `[0.0; 3]`, `Vector3::zeros()` in a branch but no loop: made once, at the top level
            // (a constant of a constant length, which runs at most once here).
            if self.in_loop == 0
                && kind == ArrayKind::Fixed
                && matches!(&init, ArrayInit::Constant { reads, .. } if reads.is_empty())
            {
                return Tree::Leaf(self.at_top(Op::NewArray(init), span, Kind::Array(kind)));
            }
            return self.unsupported(span, unsupported::CREATING_ARRAY_INSIDE_LOOP_BRANCH);
        }
        Tree::Leaf(self.emit(Op::NewArray(init), span, Kind::Array(kind)))
    }

    /// Whether `v` is the same in every iteration of the loops being lowered (those that began
    /// at value `start`): made before them, hoisted to the top level (a parameter's field), or
    /// computed in them from such values alone by literals, rules and kept code (`x.len()`,
    /// `w.len().min(b.len())`). `depth` bounds the search.
    ///
    /// A local `Vec` (made in the body, not a parameter) may be replaced by one of another length
    /// in the loop (`v = v.windows(2).map(..).collect()`, [`Self::refit`]): what reads it, its
    /// `len()`, is not the same in every iteration.
    fn same_every_iteration(&self, v: Value, start: usize, depth: usize) -> bool {
        if self.kind(v) == Kind::Array(ArrayKind::Vec) && !self.param_types.contains_key(&v) {
            return false;
        }
        if (v.0 as usize) < start {
            return true;
        }
        let Some((level, inst)) = self.made_by(v) else { return false };
        if level == 0 {
            return true;
        }
        depth > 0
            && match &inst.op {
                // A literal, or a constant call (`<f64 as Zero>::zero()`, the element of a collected
                // `vec![e; n]`).
                Op::Lit(_) => true,
                Op::Call { args, .. } if args.is_empty() => true,
                // `::core::cmp::min(a.len(), b.len())`: the length of a `zip`.
                Op::Call { callee: Callee::Path(p), args, .. }
                    if p.path.segments.iter().any(|s| s.ident == "cmp")
                        && p.path.segments.last().is_some_and(|s| s.ident == "min" || s.ident == "max") =>
                {
                    args.iter().all(|a| self.same_every_iteration(*a, start, depth - 1))
                }
                // `n.saturating_sub(k)` (a range's length), `a.min(b)` of integers: std's
                // methods of integers compute from their operands alone.
                Op::Call { callee: Callee::Method { receiver, .. }, args, .. }
                    if self.kind(*receiver) == Kind::Discrete =>
                {
                    [*receiver].iter().chain(args).all(|a| self.same_every_iteration(*a, start, depth - 1))
                }
                Op::Prim { args, .. } => args.iter().all(|a| self.same_every_iteration(*a, start, depth - 1)),
                Op::Opaque { reads, .. } => {
                    reads.iter().all(|r| self.same_every_iteration(*r, start, depth - 1))
                }
                _ => false,
            }
    }

    /// `vec![0.0; n]` (a `collect`, a sub-slice's copy) inside a branch but no loop (the rest of
    /// the function after a guard's early `return`, `if x.is_empty() { return 0.0; }`): a
    /// placeholder made at the function's top level (the runtime's `placeholder()`, an empty
    /// `Vec`), made anew here (`Op::Refill`), so the array, its tangent and its adjoint live at
    /// the top level as every array's do, and its length is evaluated only where the user's
    /// code evaluates it (`x.len() - 1` past the guard).
    ///
    /// `resizable`: its length may change between the iterations of a loop, so the refill
    /// records the length before it (`Op::Refill`'s `before`).
    fn refilled(&mut self, init: ArrayInit, span: Loc, kind: ArrayKind, resizable: bool) -> Tree {
        // (A `Vec` whose length is read before its first refill, by a method rustc resolves
        // before it knows the element type.)
        let tokens = if resizable {
            quote::quote_spanned!(span.span()=> ::std::vec::Vec::new())
        } else {
            quote::quote_spanned!(span.span()=> ::tapeless::__private::placeholder())
        };
        let placeholder = ArrayInit::Constant { tokens, reads: Vec::new() };
        let array = self.at_top(Op::NewArray(placeholder), span, Kind::Array(kind));
        let before = resizable.then(|| self.length_of(array, span));
        self.push(Vec::new(), Op::Refill { array, init, before }, span);
        Tree::Leaf(array)
    }

    /// `array.len()` as it is now (a discrete value).
    pub(super) fn length_of(&mut self, array: Value, span: Loc) -> Value {
        let a = array.ident();
        let tokens = quote::quote_spanned!(span.span()=> #a.len());
        self.emit(Op::Opaque { tokens, reads: vec![array], what: Opaque::Form("len") }, span, Kind::Discrete)
    }

    /// `y = new` of a `Vec` inside a loop, where `new`'s length may not be `y`'s (`new` made by a
    /// resizable refill, [`Self::refilled`]): `y` resized to it (its elements are written next),
    /// with the element `zero` that fills `new`. `false` where `new` was not made so.
    pub(super) fn refit(&mut self, y: Value, new: Value, span: Loc) -> bool {
        // The element that fills `new`, from its resizable refill.
        let zero = self.blocks.iter().flatten().rev().find_map(|inst| match &inst.op {
            Op::Refill { array, before: Some(_), init: ArrayInit::Constant { reads, .. } }
                if *array == new && reads.len() == 2 =>
            {
                Some(reads[0])
            }
            _ => None,
        });
        let Some(zero) = zero else { return false };
        let before = self.length_of(y, span);
        let len = self.length_of(new, span);
        let (a, n, z, p) = (y.ident(), len.ident(), zero.ident(), quote::quote!(::tapeless::__private));
        let tokens = quote::quote_spanned!(span.span()=> #p::refit(::core::mem::take(&mut #a), #n, #z));
        let init = ArrayInit::Constant { tokens, reads: vec![zero, len] };
        self.push(Vec::new(), Op::Refill { array: y, init, before: Some(before) }, span);
        true
    }

    /// `[a, b, c]` (or `vec![a, b, c]`) of floats inside a loop or branch (`let d = [p[0] - q[0],
    /// p[1] - q[1]];` in a loop over pairs): an array of zeros made at the function's top level, and its elements
    /// written here, as if the user had written `let mut d = [0.0; 3];` before the loop and
    /// `d[0] = ..` in it (each iteration overwrites all of it).
    fn hoisted_array(&mut self, elements: Vec<Value>, vec: bool, span: Loc) -> Tree {
        let zero = syn::LitFloat::new(&format!("0.0{}", self.element.to_token_stream()), span.span());
        let n = elements.len();
        let (tokens, kind) = match vec {
            true => (quote::quote_spanned!(span.span()=> ::std::vec![#zero; #n]), ArrayKind::Vec),
            false => (quote::quote_spanned!(span.span()=> [#zero; #n]), ArrayKind::Fixed),
        };
        let op = Op::NewArray(ArrayInit::Constant { tokens, reads: Vec::new() });
        let array = self.at_top(op, span, Kind::Array(kind));
        self.store_entries(array, elements, span)
    }

    /// `array[k] = entries[k]` for each `k`, at literal indices; the array.
    fn store_entries(&mut self, array: Value, entries: Vec<Value>, span: Loc) -> Tree {
        for (k, value) in entries.into_iter().enumerate() {
            let lit = syn::LitInt::new(&k.to_string(), span.span());
            let index = self.emit(Op::Lit(syn::Lit::Int(lit)), span, Kind::Discrete);
            self.push(Vec::new(), Op::Store { array, index: vec![index], value }, span);
        }
        Tree::Leaf(array)
    }

    /// `let prev = state.clone();` (or `.to_vec()`, or `let q = p;` of an array) inside a loop or
    /// branch: the copy made once at the function's top level, and the elements copied here by a
    /// loop, as if the user had written `let mut prev = state.clone();` before the loop and
    /// `for k in 0..state.len() { prev[k] = state[k]; }` in it.
    ///
    /// A copy of a local `Vec` inside a loop, whose length the loop may change (`let prev =
    /// h.clone();` where `h = ..collect()` replaces it by layers of different widths), is made as
    /// `h.iter().cloned().collect::<Vec<_>>()` is, anew each iteration at its source's length
    /// (not in a function generic over its float type, where the element has no `Default`:
    /// `check_loop_copies`).
    fn hoisted_copy(&mut self, init: ArrayInit, source: Value, span: Loc, kind: ArrayKind) -> Tree {
        if self.in_loop > 0 && kind == ArrayKind::Vec && self.std_vec(source, 8) {
            let (s, element) = (span.span(), &self.element);
            let collected: Expr = syn::parse_quote_spanned!(s=>
                __tapeless_copy_from.iter().cloned().collect::<::std::vec::Vec<#element>>()
            );
            self.scopes.push(Vec::new());
            self.declare("__tapeless_copy_from", Some(Tree::Leaf(source)));
            let copy = self.expr(&collected);
            self.scopes.pop();
            return copy;
        }
        if self.in_loop > 0 {
            self.loop_copies.push((source, span));
        }
        let copy: Stmt = syn::parse_quote_spanned!(span.span()=>
            for __tapeless_copy_i in 0..__tapeless_copy_from.len() {
                __tapeless_copy_to[__tapeless_copy_i] = __tapeless_copy_from[__tapeless_copy_i];
            }
        );
        self.hoisted(init, Some(source), copy, span, kind)
    }

    /// An array made by `init` at the function's top level, then `fill` lowered here with
    /// `__tapeless_copy_to` naming it (and `__tapeless_copy_from` naming `source`).
    fn hoisted(
        &mut self,
        init: ArrayInit,
        source: Option<Value>,
        fill: Stmt,
        span: Loc,
        kind: ArrayKind,
    ) -> Tree {
        let array = self.at_top(Op::NewArray(init), span, Kind::Array(kind));
        self.scopes.push(Vec::new());
        self.declare("__tapeless_copy_to", Some(Tree::Leaf(array)));
        if let Some(source) = source {
            self.declare("__tapeless_copy_from", Some(Tree::Leaf(source)));
        }
        self.stmts(&[fill], false);
        self.scopes.pop();
        Tree::Leaf(array)
    }

    /// Whether `v` is a local `std` `Vec` (not a nalgebra vector filled by index): made by
    /// `vec![..]`, as a resizable one (`Self::refilled`), or as a copy of a parameter slice or
    /// of such a `Vec`.
    fn std_vec(&self, v: Value, depth: usize) -> bool {
        let Some((_, inst)) = self.made_by(v) else { return false };
        match &inst.op {
            // `vec![..]`, or a resizable refill's `Vec::new()`.
            Op::NewArray(ArrayInit::Constant { tokens, .. }) => crate::emit::path_from_std(tokens),
            Op::NewArray(ArrayInit::Elements { vec, .. }) => *vec,
            Op::NewArray(ArrayInit::Copy { source, .. }) => match self.param_types.get(source) {
                Some(ty) => !crate::signature::dynamic_matrix(ty),
                None => depth > 0 && self.std_vec(*source, depth - 1),
            },
            _ => false,
        }
    }

    /// A copy made inside a loop of a `Vec` that the function resizes (`let hc = h.clone();` in
    /// the loop that replaces `h` by layers of different widths, [`Self::refit`]): its array at
    /// the top level has one length, so it is our error, at the copy, rather than an index out
    /// of bounds in the generated items.
    pub(super) fn check_loop_copies(&mut self, body: &Block) {
        let copies = std::mem::take(&mut self.loop_copies);
        for (source, span) in copies {
            let resized = body.any(
                &mut |inst| matches!(inst.op, Op::Refill { array, before: Some(_), .. } if array == source),
            );
            if resized {
                self.unsupported(span, unsupported::COPY_OF_A_RESIZED_VEC);
            }
        }
    }

    /// `DVector::<f64>::zeros(n)`, `SVector::<f64, 16>::zeros()`, `Vector3::zeros()` or
    /// `from_element(.., c)` of a constant `c`, bound to a local the body writes by index
    /// (`r[i] = ..`): a new array, written in place like a `Vec` (a static vector is copied by
    /// `let` like `[T; N]`). `None` for any other expression.
    pub(super) fn nalgebra_array(&mut self, e: &Expr) -> Option<Tree> {
        let Expr::Call(c) = e else { return None };
        let Expr::Path(path) = &*c.func else { return None };
        let segments = &path.path.segments;
        let last = segments.last()?.ident.to_string();
        if path.qself.is_some() || segments.len() < 2 || !matches!(last.as_str(), "zeros" | "from_element") {
            return None;
        }
        let ty = &segments[segments.len() - 2];
        // A `DMatrix` too: written by its linear index (column by column), as
        // `DMatrix::from_fn` is (`lower::constructors`).
        let kind = if ty.ident == "DVector" || ty.ident == "DMatrix" {
            ArrayKind::Vec
        } else if crate::signature::any_static_size(ty).is_some_and(|(_, columns)| columns == 1) {
            ArrayKind::Fixed
        } else {
            return None;
        };
        let reads: Vec<Value> = c.args.iter().map(|a| self.value(a)).collect();
        let args = reads.iter().map(|v| v.ident());
        let tokens = quote::quote_spanned!(Loc::of(e).span()=> #path(#(#args),*));
        Some(self.new_array(ArrayInit::Constant { tokens, reads }, Loc::of(e), kind))
    }

    /// A static vector of `entries`, made by `zeros()` (its path) and written entry by entry.
    pub(super) fn vector_of(&mut self, zeros: &syn::Path, entries: Vec<Value>, span: Loc) -> Tree {
        let call: Expr = syn::parse_quote_spanned!(span.span()=> #zeros());
        let Some(Tree::Leaf(array)) = self.nalgebra_array(&call) else {
            return self.unsupported(span, unsupported::VECTOR_FORM);
        };
        self.store_entries(array, entries, span)
    }

    /// `vec![c; n]` / `[c; N]`: a new array filled with a constant `c`.
    pub(super) fn constant_array(&mut self, value: &Expr, count: &Expr, kind: ArrayKind, span: Loc) -> Tree {
        // `let mut f = [0.0; 3];` inside a loop or branch: made once at the top level (a literal
        // and a constant length read the same there), reset here by a loop.
        let literal = match value {
            Expr::Lit(_) => true,
            Expr::Unary(u) => matches!((&u.op, &*u.expr), (UnOp::Neg(_), Expr::Lit(_))),
            _ => false,
        };
        if self.blocks.len() > 1 && kind == ArrayKind::Fixed && literal {
            let tokens = quote::quote_spanned!(span.span()=> [#value; #count]);
            let init = ArrayInit::Constant { tokens, reads: Vec::new() };
            let fill: Stmt = syn::parse_quote_spanned!(span.span()=>
                for __tapeless_copy_i in 0..(#count) { __tapeless_copy_to[__tapeless_copy_i] = #value; }
            );
            return self.hoisted(init, None, fill, span, kind);
        }
        // `vec![x; n]`, `[x; 3]` of a float (or a nalgebra static vector) that may be
        // differentiated: the copies as a chain (`(0..n).map(|_| x).collect()`) or written out
        // (`[x, x, x]`, for a literal length of at most 64), whose derivative is every copy's.
        if !literal && self.repeats_a_differentiable_float(value) {
            let span = span.span();
            let written_out = match count {
                Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => {
                    n.base10_parse::<usize>().ok().filter(|n| (1..=64).contains(n))
                }
                _ => None,
            };
            let copies: Option<Expr> = match (kind, written_out) {
                // `Vec<_>`: the value may be a nalgebra vector (of `Kind::Float` too); in a
                // function generic over its float type, where `_` is not followed, left as is.
                (ArrayKind::Vec, _) if self.floats.is_empty() => Some(
                    syn::parse_quote_spanned!(span=> (0..#count).map(|_| #value).collect::<::std::vec::Vec<_>>()),
                ),
                (ArrayKind::Vec, _) => None,
                (_, Some(n)) => {
                    let values = std::iter::repeat_n(value, n);
                    Some(syn::parse_quote_spanned!(span=> [#(#values),*]))
                }
                _ => None,
            };
            if let Some(copies) = copies {
                return self.expr(&copies);
            }
        }
        let element = self.value(value);
        let e = element.ident();
        let (tokens, reads) = match kind {
            ArrayKind::Vec => {
                let count = self.value(count);
                let n = count.ident();
                (quote!(::std::vec![#e; #n]), vec![element, count])
            }
            // The length of `[c; N]` is a constant expression: kept as written.
            _ => (quote!([#e; #count]), vec![element]),
        };
        self.new_array(ArrayInit::Constant { tokens, reads }, span, kind)
    }

    /// Whether `value` may be differentiated and every local it reads is a float.
    fn repeats_a_differentiable_float(&self, value: &Expr) -> bool {
        let mut names = super::closures::FreeNames::default();
        syn::visit::Visit::visit_expr(&mut names, value);
        let floats = names.0.iter().all(|n| match self.slot(n).and_then(|slot| self.vars[slot].clone()) {
            Some(Tree::Leaf(v)) => self.kind(v) == Kind::Float,
            Some(_) => false,
            None => true,
        });
        floats && self.may_be_differentiated(value)
    }

    /// `vec![c; n]` or `vec![a, b, c]`.
    pub(super) fn vec_macro(&mut self, m: &syn::ExprMacro) -> Tree {
        let span = Loc::of(&m);
        if let Ok(RepeatBody(value, count)) = m.mac.parse_body::<RepeatBody>() {
            return self.constant_array(&value, &count, ArrayKind::Vec, span);
        }
        match m.mac.parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated) {
            // `vec![(0.0, 1.0), (1.0, 2.9)]`: constant data of tuples, kept as written.
            Ok(items)
                if items.iter().any(super::expressions::is_tuple)
                    && !items.iter().any(|e| super::expressions::names_a_local(self, e)) =>
            {
                self.opaque_with(&Expr::Macro(m.clone()), Opaque::Form("a constant"), Kind::Unknown)
            }
            Ok(items) => {
                let elements = items.iter().map(|e| self.value(e)).collect();
                self.new_array(ArrayInit::Elements { elements, vec: true }, span, ArrayKind::Vec)
            }
            Err(_) => self.unsupported(span, unsupported::VEC_MACRO),
        }
    }

    /// `v.iter().sum()`, `v.to_vec()`, `v.clone()` on a local array.
    pub(super) fn array_method(&mut self, m: &syn::ExprMethodCall, span: Loc) -> Option<Tree> {
        let name = m.method.to_string();
        let array_of =
            |l: &Self, e: &Expr| l.aggregate_or_leaf(e).filter(|v| matches!(l.kind(*v), Kind::Array(_)));
        match name.as_str() {
            "sum" if m.args.is_empty() => {
                let Expr::MethodCall(iter) = &*m.receiver else { return None };
                if iter.method != "iter" || !iter.args.is_empty() {
                    return None;
                }
                let array = array_of(self, &iter.receiver)?;
                // (Of floats: a sum of vectors, `ps.iter().sum()` of `&[Vector3<f64>]`, is a
                // chain's reduction, `lower::reductions`.)
                let element = self.collection_type(array).and_then(crate::signature::collection_element);
                if element.is_some_and(|t| !crate::signature::is_float(t)) {
                    return None;
                }
                // Typed as the function's float where the user's `let total: f64 = ..` typed it
                // (the annotation does not reach the value's declaration, and the second-order
                // copy's `promote(..)` around it could not infer it).
                let mut typed = m.clone();
                if typed.turbofish.is_none() {
                    let element = &self.element;
                    typed.turbofish = Some(syn::parse_quote!(::<#element>));
                }
                let tokens = self.renamed(&Expr::MethodCall(typed))?;
                let op = Op::Prim {
                    rule: rules::operator("<iter sum>"),
                    args: vec![array],
                    form: Form::Verbatim(tokens),
                };
                Some(Tree::Leaf(self.emit(op, span, Kind::Float)))
            }
            // `[a, b].concat()` (or `&[..]`, `vec![..]`) of arrays or sub-slices of them: the
            // chain `a.iter().chain(b.iter()).copied().collect::<Vec<T>>()`.
            "concat" if m.args.is_empty() => {
                let mut receiver = strip_parens(&m.receiver);
                if let Expr::Reference(r) = receiver {
                    receiver = strip_parens(&r.expr);
                }
                let Expr::Array(parts) = receiver else { return None };
                let mut sources = Vec::new();
                for part in &parts.elems {
                    let mut part = strip_parens(part);
                    if let Expr::Reference(r) = part {
                        part = strip_parens(&r.expr);
                    }
                    let base = match part {
                        Expr::Index(ix) if matches!(strip_parens(&ix.index), Expr::Range(_)) => &*ix.expr,
                        e => e,
                    };
                    array_of(self, base)?;
                    sources.push(part.clone());
                }
                let (first, rest) = sources.split_first()?;
                let (element, at) = (&self.element, span.end);
                let mut chain: Expr = syn::parse_quote_spanned!(at=> #first.iter());
                for part in rest {
                    chain = syn::parse_quote_spanned!(at=> #chain.chain(#part.iter()));
                }
                let collected: Expr =
                    syn::parse_quote_spanned!(at=> #chain.copied().collect::<::std::vec::Vec<#element>>());
                Some(self.expr(&collected))
            }
            // (`to_owned` of a slice is its `to_vec`, of an array or `Vec` its `clone`.)
            "to_vec" | "clone" | "to_owned" if m.args.is_empty() => {
                // `[1.0, 0.0].to_vec()` (or of `&[..]`, `[v; n]`): the `Vec` literal it is.
                let literal = match strip_parens(&m.receiver) {
                    Expr::Reference(r) => strip_parens(&r.expr),
                    e => e,
                };
                if super::expressions::array_literal(literal) {
                    let kind = if name == "clone" { ArrayKind::Fixed } else { ArrayKind::Vec };
                    return Some(match literal {
                        Expr::Repeat(r) => self.constant_array(&r.expr, &r.len, kind, span),
                        Expr::Array(a) => {
                            let elements = a.elems.iter().map(|e| self.value(e)).collect();
                            let vec = kind == ArrayKind::Vec;
                            self.new_array(ArrayInit::Elements { elements, vec }, span, kind)
                        }
                        _ => return None,
                    });
                }
                // `x[a..b].to_vec()`: the copy of the part (`lower::slices`).
                if name != "clone"
                    && let Some(part) = self.sub_slice_copy(&m.receiver)
                {
                    // An owned `Vec`, passed by value.
                    if let Tree::Leaf(v) = part {
                        self.slice_copies.remove(&v);
                    }
                    return Some(part);
                }
                let (source, fixed_field) = match array_of(self, &m.receiver) {
                    Some(source) => (source, false),
                    None => self.copied_field(&m.receiver)?,
                };
                let kind = match (name.as_str(), self.kind(source)) {
                    ("clone" | "to_owned", Kind::Array(ArrayKind::Fixed)) => ArrayKind::Fixed,
                    ("clone" | "to_owned", _) if fixed_field => ArrayKind::Fixed,
                    // A copy of a differentiated collection of structs or float tuples (`let d =
                    // data.to_vec();`): its elements records too (read by `copied_from`'s type).
                    (_, Kind::Array(ArrayKind::Record)) if self.structs_in(source) => ArrayKind::Record,
                    _ => ArrayKind::Vec,
                };
                let tokens = self.renamed(&Expr::MethodCall(m.clone()))?;
                let copy = self.new_array(ArrayInit::Copy { source, tokens }, span, kind);
                if let Tree::Leaf(v) = copy
                    && self.collection_type(source).is_some()
                {
                    self.copied_from.insert(v, self.copied_from.get(&source).copied().unwrap_or(source));
                }
                Some(copy)
            }
            // `a.map(|x| ..)` of a `[T; N]`: a copy whose every element is mapped in a loop
            // (`N` may be a const generic), the closure called in place and so inlined.
            "map" if m.args.len() == 1 && matches!(m.args[0], Expr::Closure(_)) => {
                let source = array_of(self, &m.receiver)?;
                if self.kind(source) != Kind::Array(ArrayKind::Fixed) {
                    return None;
                }
                let (receiver, f) = (&m.receiver, &m.args[0]);
                let hidden = proc_macro2::Span::mixed_site().located_at(span.start);
                let out = syn::Ident::new("__tapeless_mapped", hidden);
                let i = syn::Ident::new("__tapeless_i", hidden);
                let block: Expr = syn::parse_quote_spanned!(span.start=> {
                    let mut #out = #receiver;
                    for #i in 0..#out.len() {
                        #out[#i] = (#f)(#out[#i]);
                    }
                    #out
                });
                Some(self.expr(&block))
            }
            _ => None,
        }
    }

    /// `let b = a;` copies a `[T; N]` (Rust copies it; a `Vec` moves and a slice is shared, so
    /// those keep the same slot).
    pub(super) fn copy_if_fixed_array(&mut self, e: &Expr, t: Tree) -> Tree {
        // `let q = *p;` copies the array `p` refers to.
        let e = match e {
            Expr::Unary(syn::ExprUnary { op: UnOp::Deref(_), expr, .. }) => &**expr,
            e => e,
        };
        match (&t, self.local(e)) {
            (&Tree::Leaf(v), Some(_)) if self.kind(v) == Kind::Array(ArrayKind::Fixed) => {
                self.copy_of(v, Loc::of(&e))
            }
            _ => t,
        }
    }

    /// A copy of the `[T; N]` `source` (made at the top level when inside a loop or branch).
    pub(super) fn copy_of(&mut self, source: Value, span: Loc) -> Tree {
        let tokens = source.ident().into_token_stream();
        self.new_array(ArrayInit::Copy { source, tokens }, span, ArrayKind::Fixed)
    }

    /// An expression's tokens with locals renamed (`None` after reporting a problem).
    pub(super) fn renamed(&mut self, e: &Expr) -> Option<TokenStream> {
        let mut renamer = Renamer::new(self);
        let mut copy = e.clone();
        renamer.visit_expr_mut(&mut copy);
        if let Some((span, what)) = renamer.problem {
            self.unsupported(span, Unsupported { what, help: super::expressions::opaque_help(what) });
            return None;
        }
        Some(copy.into_token_stream())
    }
}

/// `vec![value; count]`.
pub(super) struct RepeatBody(Expr, Expr);

impl syn::parse::Parse for RepeatBody {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let value = input.parse::<Expr>()?;
        input.parse::<syn::Token![;]>()?;
        let count = input.parse::<Expr>()?;
        Ok(RepeatBody(value, count))
    }
}

/// Whether `init` is `vec![e; n]` (as `lower` writes it, `e` and `n` its reads): the element
/// the reverse sweep's zeros are made like.
fn filled_vec(init: &ArrayInit) -> bool {
    matches!(init, ArrayInit::Constant { tokens, reads } if reads.len() == 2 && crate::emit::vec_macro_tokens(tokens))
}
