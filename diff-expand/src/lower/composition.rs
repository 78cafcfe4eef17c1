//! Calls of other differentiable functions and methods (composition through their
//! `_jvp`/`_vjp`): the receiver and its type, which picks a method's record
//! (`signature::registry`), the arguments (a local array passed by reference), the marker a
//! call relying on a record names, and the call's results.

use super::*;

impl Lowerer<'_> {
    /// The receiver of a method call. `items[i]` of a constant collection of structs is kept as
    /// the reference `&items[i]`, as `iter()` gives it (a struct that is not `Copy` cannot be
    /// moved out of the collection: rustc's E0507 inside the expansion before).
    pub(super) fn receiver(&mut self, e: &Expr) -> Value {
        if self.element_of_structs(e) {
            let reference: Expr = syn::parse_quote_spanned!(syn::spanned::Spanned::span(e)=> &#e);
            if let Tree::Leaf(v) = self.struct_element_reference(&reference) {
                return v;
            }
        }
        self.value(e)
    }

    /// Whether `e` is `items[i]` of a constant collection of structs (`items: &[Obs]`, not an
    /// array the IR holds).
    pub(super) fn element_of_structs(&self, e: &Expr) -> bool {
        matches!(e, Expr::Index(ix) if self.aggregate_or_leaf(&ix.expr)
            .is_some_and(|v| self.kind(v) == Kind::Unknown && self.structs_in(v)))
    }

    /// `&items[i]` of [`Self::element_of_structs`], kept as the reference, as `iter()` gives it
    /// (a struct that is not `Copy` cannot be moved out of the collection).
    pub(super) fn struct_element_reference(&mut self, reference: &Expr) -> Tree {
        let t = self.opaque(reference, "a reference");
        if let Tree::Leaf(v) = t {
            self.struct_elements.insert(v);
        }
        t
    }

    /// The name of a method call's receiver's type where the code states it: a parameter
    /// (`p: &Pendulum`), an element of one, `self` or a struct literal
    /// (`registry::receiver_type`, which the emitters and the check ask of the IR).
    pub(super) fn receiver_type(&self, receiver: Value) -> Option<String> {
        crate::signature::registry::receiver_type_in(
            receiver,
            |v| self.blocks.iter().flatten().find(|i| i.results.first() == Some(&v)).map(|i| &i.op),
            |v, _| self.param_types.get(&v),
        )
    }

    /// `gravity` of `use super::physics::gravity;` (or `use ..::gravity as g;` called as `g`)
    /// as the path it was imported by, its generic arguments kept: the generated code calls
    /// `gravity_jvp` and names its marker by that path, since the `use` brought only `gravity`
    /// into scope (`use_path_of`: a `use` statement of the body itself, `body_imports`, first, then
    /// the imports of the caller's module). Any other path, and a
    /// name the body's other items declare (a nested `fn`, a `use` in an inner block, a glob),
    /// as written.
    pub(super) fn imported_path(&self, path: &syn::ExprPath, arity: usize) -> syn::ExprPath {
        let single =
            path.qself.is_none() && path.path.leading_colon.is_none() && path.path.segments.len() == 1;
        let Some(last) = path.path.segments.last().filter(|_| single) else { return path.clone() };
        let name = last.ident.to_string();
        let full = self.use_path_of(&name, &|p: &syn::Path| {
            p.segments.len() > 1
                && p.segments
                    .last()
                    .is_some_and(|s| crate::signature::registry::is_function(&s.ident.to_string(), arity))
        });
        let Some(mut full) = full else { return path.clone() };
        for segment in full.segments.iter_mut() {
            segment.ident.set_span(last.ident.span());
        }
        if let Some(end) = full.segments.last_mut() {
            end.arguments = last.arguments.clone();
        }
        syn::ExprPath { attrs: path.attrs.clone(), qself: None, path: full }
    }

    /// The path a `use` imports `name` by, if `keep` accepts it: a `use` statement of the body
    /// itself naming it by one path (`use crate::physics::gravity;` inside the function) first,
    /// then the imports of the caller's module (`registry::use_path`). None for a name the body's
    /// other items declare (a nested `fn`, a `use` in an inner block, a glob).
    pub(super) fn use_path_of(&self, name: &str, keep: &dyn Fn(&syn::Path) -> bool) -> Option<syn::Path> {
        let in_body = match self.body_imports.get(name).map(Vec::as_slice) {
            Some([path]) => Some(path.clone()).filter(|p| keep(p)),
            _ => None,
        };
        match in_body {
            Some(path) if !self.declared_inside.contains("*") => Some(path),
            _ if self.declared_inside.contains(name) || self.declared_inside.contains("*") => None,
            _ => {
                crate::signature::registry::use_path(&crate::signature::higher_order::caller_module()?, name)
                    .filter(|p| keep(p))
            }
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn call(
        &mut self,
        callee: Callee,
        args: Vec<Value>,
        borrowed: Vec<bool>,
        span: Loc,
        results: &TupleShape,
        kind: Kind,
    ) -> Tree {
        // A helper with a `wrt(..)` expanded before this function: the generated code names its
        // marker constant where the call relies on it (`signature::registry`).
        if let Callee::Path(path) = &callee
            && let Some((_, marker)) = crate::signature::registry::call(path, &args, |a| self.kind(a))
        {
            // `Self::power(..)` of an associated function: an item inside the generated body
            // cannot name `Self`, so the marker is read where the call is.
            if marker.segments.first().is_some_and(|s| s.ident == "Self") {
                let op =
                    Op::Opaque { tokens: quote::quote!(#marker), reads: Vec::new(), what: Opaque::Marker };
                self.emit(op, span, Kind::Discrete);
            } else {
                let item: syn::Item = syn::parse_quote_spanned!(span.span()=> const _: () = #marker;);
                if !self.items.contains(&item) {
                    self.items.push(item);
                }
            }
        }
        // A method with `self` recorded with its `wrt(..)`: the call relies on the record, and
        // checks it by calling the method's marker on the receiver.
        if let Callee::Method { receiver, name, .. } = &callee
            && let Some((_, marker)) =
                crate::signature::registry::method_call(name, &args, self.receiver_type(*receiver))
        {
            let r = receiver.ident();
            let op = Op::Opaque {
                tokens: quote::quote!(#r.#marker()),
                reads: vec![*receiver],
                what: Opaque::Marker,
            };
            self.emit(op, span, Kind::Discrete);
        }
        let shape = self.results(results, span, kind);
        if let Tree::Leaf(v) = &shape {
            self.call_results.insert(*v);
        }
        self.push(
            shape.leaves(),
            Op::Call { callee, args, shape: shape.clone(), borrowed, unwrap: None },
            span,
        );
        shape
    }

    /// The arguments of a composed call; `&v` of a local array passes the array by reference.
    pub(super) fn call_args(
        &mut self,
        args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
    ) -> (Vec<Value>, Vec<bool>) {
        args.iter()
            .map(|a| match a {
                // `g(&x[1..])`: a copy of the part, passed by reference (`lower::slices`).
                Expr::Reference(r)
                    if r.mutability.is_none()
                        && matches!(&*r.expr, Expr::Index(ix) if matches!(&*ix.index, Expr::Range(_))) =>
                {
                    match self.sub_slice_copy(a) {
                        Some(Tree::Leaf(part)) => (part, true),
                        _ => (self.value(a), false),
                    }
                }
                // `g(&w[i])` of a nested array of fixed-size rows (`w: &[[f64; 2]]`): a copy of
                // the row, as `let r = w[i];` is, passed by reference; its adjoint flows back
                // into the row.
                Expr::Reference(r)
                    if r.mutability.is_none()
                        && matches!(&*r.expr, Expr::Index(ix) if self.fixed_rows(&ix.expr)) =>
                {
                    (self.value(&r.expr), true)
                }
                // `g(&w[i])` of a nested array of `Vec`s (`w: &[Vec<f64>]`), and `g(row)` of `for
                // row in w` (`w[r]` after `lower::rows`): the row borrowed in place; the callee's
                // adjoint for it is added into the row's.
                Expr::Reference(r)
                    if r.mutability.is_none()
                        && matches!(&*r.expr, Expr::Index(ix) if self.rows_of_vecs(&ix.expr)) =>
                {
                    (self.borrowed_row(&r.expr), true)
                }
                Expr::Index(ix) if self.rows_of_vecs(&ix.expr) => (self.borrowed_row(a), true),
                // `g(&[x[0], x[1]])`, `g(&[1.0, -2.0, 1.0])`: the array built, then borrowed (a
                // callee taking `&[T]` gets its tangent as a `Vec`: `emit::fixed_array`).
                Expr::Reference(r)
                    if r.mutability.is_none() && super::expressions::array_literal(&r.expr) =>
                {
                    (self.value(&r.expr), true)
                }
                Expr::Reference(r) if r.mutability.is_none() => match self.local_array(&r.expr) {
                    Some(array) => (array, true),
                    // `g(&z)` of a local float or static vector (`let z = y * 2.0;`), or of an
                    // element that is one (`g(&ps[i], &ps[i + 1])` of `ps: &[Vector3<f64>]`,
                    // `rows::element_of_values`): its value, passed by reference as written (a
                    // value is immutable, so the callee's reverse mode may run again in the
                    // sweep, like an array's).
                    None if self.element_of_values(&r.expr)
                        || self.fixed_field_of_an_element(&r.expr)
                        || self.aggregate_or_leaf(&r.expr).is_some_and(|v| self.kind(v) == Kind::Float) =>
                    {
                        (self.value(&r.expr), true)
                    }
                    // `g(&(&y + &k * h))`: a value computed from a float, a static vector or a
                    // `DVector`/`DMatrix` (its leading operand's kind), passed by reference.
                    None if !matches!(&*r.expr, Expr::Path(_))
                        && super::calls::leading_operand(&r.expr)
                            .and_then(|e| self.aggregate_or_leaf(e))
                            .is_some_and(|v| matches!(self.kind(v), Kind::Float | Kind::Heap)) =>
                    {
                        (self.value(&r.expr), true)
                    }
                    // `&(x[0], x[1])`, `&p` of a local tuple: the tuple built, then borrowed.
                    None if matches!(strip_parens(&r.expr), Expr::Tuple(_))
                        || self.aggregate(&r.expr).is_some() =>
                    {
                        (self.tuple_argument(&r.expr), true)
                    }
                    None => {
                        // `&m` of a `DVector`/`DMatrix`: passed by reference, like an array; and
                        // `&pts[i]` of a tuple, built and borrowed.
                        let v = self.tuple_argument(a);
                        (v, self.kind(v) == Kind::Heap || self.is_tuple(v))
                    }
                },
                // `g(p)` of a parameter `p: &[f64; 2]` (or `x` of `for x in v.iter()`): the user
                // passes a reference, and the generated code holds the value (`by_copy`).
                _ if self.copied_reference(a) => (self.value(a), true),
                // `g(a)` of a parameter `a: &DMatrix<f64>`: the reference, as written (a copy
                // would not be the `&DMatrix` the callee takes).
                _ if self.aggregate_or_leaf(a).is_some_and(|v| {
                    self.kind(v) == Kind::Heap
                        && matches!(self.param_types.get(&v), Some(syn::Type::Reference(_)))
                }) =>
                {
                    (self.value(a), true)
                }
                // `g(w)` of `let w = &v;`: passes `&v`.
                _ if self.local(a).is_some_and(|slot| self.borrows.contains(&slot)) => (self.value(a), true),
                // `g(rest)` of `let (first, rest) = x.split_first()..`: passes `&rest`.
                _ if self.aggregate_or_leaf(a).is_some_and(|v| self.slice_copies.contains(&v)) => {
                    (self.value(a), true)
                }
                _ => (self.tuple_argument(a), false),
            })
            .unzip()
    }

    /// Whether `v` is a tuple [`Self::tuple_argument`] built.
    fn is_tuple(&self, v: Value) -> bool {
        self.made_by(v).is_some_and(|(_, inst)| matches!(&inst.op, Op::Construct { path: None, .. }))
    }

    /// An argument, where a tuple of values (`g((x, y))`, `g(pts[i])` of `pts: &[(f64, f64)]`,
    /// `g(p)` of `let p = (a, b);`) is built as one value, a record whose fields are `0`, `1`, ..
    /// (`Op::Construct` without a path, written `(a, b,)`): the callee takes it whole, its
    /// adjoint split back into the parts. A tuple of tuples stays the tuple error.
    fn tuple_argument(&mut self, a: &Expr) -> Value {
        let span = Loc::of_expr(a);
        let t = self.expr(a);
        let leaves: Option<Vec<Value>> = match &t {
            Tree::Tuple(parts) if !parts.is_empty() => parts
                .iter()
                .map(|p| match p {
                    Tree::Leaf(v) => Some(*v),
                    Tree::Tuple(_) => None,
                })
                .collect(),
            Tree::Tuple(_) | Tree::Leaf(_) => None,
        };
        match leaves {
            Some(leaves) => {
                let member = |k: usize| syn::Member::Unnamed(syn::Index::from(k));
                let fields = leaves.into_iter().enumerate().map(|(k, v)| (member(k), v)).collect();
                self.construct(None, fields, span)
            }
            None => self.leaf(t, span),
        }
    }

    /// Fresh values in the given shape.
    pub(super) fn results(&mut self, shape: &TupleShape, span: Loc, kind: Kind) -> Tree {
        match shape {
            TupleShape::Leaf => Tree::Leaf(self.new_value(span, kind)),
            TupleShape::Tuple(items) => {
                Tree::Tuple(items.iter().map(|s| self.results(s, span, kind)).collect())
            }
        }
    }
}

/// `<F>::f` of a float type `F` (`<f64>::ln`, `<T>::sqrt`) as the path `F::f`, which names the
/// same function.
pub(super) fn float_type_qualified(path: &syn::ExprPath) -> Option<syn::ExprPath> {
    let q = path.qself.as_ref().filter(|q| q.position == 0)?;
    let syn::Type::Path(ty) = &*q.ty else { return None };
    let name = ty.path.get_ident().filter(|i| crate::signature::float_type_or_trait(&i.to_string()))?;
    let rest = &path.path.segments;
    Some(syn::parse_quote_spanned!(syn::spanned::Spanned::span(path)=> #name::#rest))
}
