//! Assignments: to a variable, to the places of a destructuring assignment, to an element of
//! a local array (`v[i] = ..`), to a part of a local tuple (`acc.0 += v`), and to a field of a
//! struct built in the body (`s.v -= ..`), which is held as its fields until it is used whole.

use super::*;
use statements::TupleShape;

impl Lowerer<'_> {
    pub(super) fn assign(&mut self, target: &Expr, value: Tree) {
        // A destructuring assignment, `(a, b) = (b, a + b)`: the right side is evaluated whole
        // first, then each place is written.
        match (target, value) {
            (Expr::Paren(p), value) => self.assign(&p.expr, value),
            (Expr::Infer(_), _) => {}
            (Expr::Tuple(t), Tree::Tuple(values)) if t.elems.len() == values.len() => {
                for (place, value) in t.elems.iter().zip(values) {
                    self.assign(place, value);
                }
            }
            (Expr::Tuple(t), _) => {
                let error = self.unsupported(Loc::of(&target), unsupported::DESTRUCTURING_ASSIGNMENT);
                // Each place holds the error, so no read of it is reported again.
                for place in &t.elems {
                    self.assign(place, error.clone());
                }
            }
            (_, value) => self.assign_place(target, value),
        }
    }

    fn assign_place(&mut self, target: &Expr, value: Tree) {
        // `v.z = ..` of a static vector held as an array: `v[2] = ..`.
        if let Some(entry) = self.array_coordinate(target) {
            return self.assign_place(&entry, value);
        }
        if let Expr::Index(i) = target {
            let Some((array, index)) = self.array_place(i) else {
                if self.assign_entry(target, value) {
                    return;
                }
                // Into an array whose making was already reported (`DMatrix::from_fn` in a loop).
                let reported =
                    self.aggregate_or_leaf(super::index_base(i)).is_some_and(|v| self.errors.contains(&v));
                if !reported {
                    self.unsupported(Loc::of(&target), unsupported::INDEXED_ASSIGNMENT);
                }
                return;
            };
            let v = self.leaf(value, Loc::of(&target));
            self.push(Vec::new(), Op::Store { array, index, value: v }, Loc::of(&target));
            return;
        }
        // `s.v -= ..` of a struct local held by its fields: the new value replaces that field.
        if let Expr::Field(f) = target
            && let Some(index) = self.struct_local_field(f)
            && let Some(slot) = self.local(&f.base)
            && let Some(mut whole) = self.vars[slot].clone()
        {
            if replace_part(&mut whole, &[index], value) {
                self.vars[slot] = Some(whole);
            }
            return;
        }
        // `acc.0 += v` of a local tuple: the new value replaces that part.
        if let Expr::Field(f) = target
            && let syn::Member::Unnamed(index) = &f.member
        {
            let base = super::scan::tuple_base(target);
            if let Some(slot) = self.local(base)
                && let Some(Tree::Tuple(_)) = &self.vars[slot]
                && let Some(mut whole) = self.vars[slot].clone()
            {
                let mut path = vec![index.index as usize];
                let mut at = &*f.base;
                while let Expr::Field(inner) = super::strip_parens(at)
                    && let syn::Member::Unnamed(i) = &inner.member
                {
                    path.push(i.index as usize);
                    at = &inner.base;
                }
                path.reverse();
                if replace_part(&mut whole, &path, value) {
                    self.vars[slot] = Some(whole);
                    return;
                }
                self.unsupported(Loc::of(&target), unsupported::TUPLE_FIELD_OUT_RANGE);
                return;
            }
        }
        if self.assign_entry(target, value.clone()) {
            return;
        }
        // `s = step(s, dt)` of a struct local held by its fields: the new struct's fields.
        if let Some(slot) = self.local(target)
            && self.struct_locals.contains_key(&slot)
        {
            match self.struct_fields_of(slot, &value, Loc::of(&target)) {
                Some(parts) => self.vars[slot] = Some(parts),
                None => {
                    self.unsupported(Loc::of(&target), unsupported::STRUCT_REPLACED_BY_UNREAD_VALUE);
                }
            }
            return;
        }
        match self.local(target) {
            Some(slot)
                if self.in_loop > 0
                    && matches!(&self.vars[slot], Some(Tree::Leaf(v)) if self.kind(*v) == Kind::Array(ArrayKind::Record)) =>
            {
                self.unsupported(Loc::of(&target), unsupported::REASSIGNING_WHOLE_STRUCT_INSIDE_LOOP);
            }
            Some(slot) if self.in_loop > 0 && self.is_array(&self.vars[slot]) => {
                self.unsupported(Loc::of(&target), unsupported::REASSIGNING_WHOLE_ARRAY_INSIDE_LOOP);
            }
            Some(slot) => {
                if let Expr::Path(p) = target
                    && let Some(ident) = p.path.get_ident()
                {
                    self.name_value(&ident.to_string(), &value);
                }
                self.vars[slot] = Some(value)
            }
            None => {
                self.unsupported(Loc::of(&target), unsupported::ASSIGNMENT_ANYTHING_BUT_LOCAL_VARIABLE);
            }
        }
    }
}

impl Lowerer<'_> {
    /// `q.y = e`, `q[1] = e`, `m[(i, j)] = e`, `b.vel.z -= ..` of a nalgebra vector or matrix held
    /// by value (a static one: `Kind::Float`) in a place the body may write (a variable, a part
    /// of a tuple or of a struct local, itself maybe such an entry): the place gets the value
    /// with that entry replaced (`<set entry>`, the runtime's `with_entry`). `false` (nothing
    /// done) for another target.
    fn assign_entry(&mut self, target: &Expr, value: Tree) -> bool {
        let span = Loc::of(&target);
        let (base, index): (&Expr, Vec<Expr>) = match super::strip_parens(target) {
            Expr::Field(f) => match super::coordinates::coordinate(&f.member) {
                Some(k) => (&f.base, vec![syn::parse_quote_spanned!(span.span()=> #k)]),
                None => return false,
            },
            Expr::Index(i) => match super::strip_parens(&i.index) {
                Expr::Tuple(t) if t.elems.len() == 2 => (&i.expr, t.elems.iter().cloned().collect()),
                Expr::Tuple(_) => return false,
                k => (&i.expr, vec![k.clone()]),
            },
            _ => return false,
        };
        if !self.writable_static_matrix(base) {
            return false;
        }
        let current = self.value(base);
        let mut args = vec![current];
        args.extend(index.iter().map(|e| self.value(e)));
        args.push(self.leaf(value, span));
        let path: syn::Path = if index.len() == 1 {
            syn::parse_quote_spanned!(span.span()=> ::tapeless::__private::with_entry)
        } else {
            syn::parse_quote_spanned!(span.span()=> ::tapeless::__private::with_entry2)
        };
        let rule = rules::operator("<set entry>");
        let new = self.prim(rule, args, Form::Path(path), span, &TupleShape::Leaf);
        self.assign_place(base, new);
        true
    }

    /// Whether `place` holds a static nalgebra value (`Kind::Float`, not an array) that an
    /// assignment may replace: a variable, a part of a local tuple or of a struct local held by
    /// its fields, or an entry of such a value.
    fn writable_static_matrix(&self, place: &Expr) -> bool {
        matches!(super::strip_parens(place), Expr::Path(_) | Expr::Field(_)) && self.vector_base(place)
    }
}

/// Replaces the part of `tree` at `path` (tuple indices, outermost first) with `value`; `false`
/// if the path leaves the tree.
fn replace_part(tree: &mut Tree, path: &[usize], value: Tree) -> bool {
    match (tree, path) {
        (t, []) => {
            *t = value;
            true
        }
        (Tree::Tuple(items), [i, rest @ ..]) => {
            items.get_mut(*i).is_some_and(|t| replace_part(t, rest, value))
        }
        (Tree::Leaf(_), _) => false,
    }
}

/// The shape of an assignment's target: a tuple of places, or one place.
pub(super) fn target_shape(target: &Expr) -> TupleShape {
    match target {
        Expr::Tuple(t) => TupleShape::Tuple(t.elems.iter().map(target_shape).collect()),
        Expr::Paren(p) => target_shape(&p.expr),
        _ => TupleShape::Leaf,
    }
}

impl Lowerer<'_> {
    /// `let mut s = State { x: a, v: b };` whose fields the body assigns (`s.v -= ..`), or one
    /// never assigned whose fields are floats: a tuple
    /// of the fields' values, each read (`s.x`) and written (`s.x += ..`) as a part, so a loop
    /// carries them like any variables; the struct itself is built where `s` is used whole
    /// ([`Self::whole_struct_local`]). `false` (nothing done) for another statement.
    pub(super) fn struct_local(&mut self, local: &syn::Local) -> bool {
        let named = match &local.pat {
            Pat::Type(t) => &*t.pat,
            p => p,
        };
        let (Pat::Ident(p), Some(init)) = (named, &local.init) else { return false };
        let Expr::Struct(st) = &*init.expr else { return false };
        if init.diverge.is_some()
            || p.by_ref.is_some()
            || p.subpat.is_some()
            || st.rest.is_some()
            || st.qself.is_some()
            || !st.fields.iter().all(|f| matches!(f.member, syn::Member::Named(_)))
        {
            return false;
        }
        let parts: Vec<Tree> = st.fields.iter().map(|f| self.expr(&f.expr)).collect();
        let members: Vec<syn::Member> = st.fields.iter().map(|f| f.member.clone()).collect();
        let name = p.ident.to_string();
        // Assigned whole only (`s = step(s, dt)`): held by its fields if they are floats or
        // static nalgebra values (`struct_fields_of` reads them back from the new struct), else
        // whole, as a struct literal is.
        // Never assigned (`let p = P { a: x * y, b: x + y };` then `p.a * p.b`): held by its
        // fields too when they are floats, so a struct without `#[derive(Differentiable)]`
        // (one declared in the body) is built only where it is used whole.
        let floats = parts.iter().all(|t| matches!(t, Tree::Leaf(v) if self.kind(*v) == Kind::Float));
        if !self.field_assigned.contains(&name) && !floats {
            let span = Loc::of(&st);
            let fields = members.into_iter().zip(parts).map(|(m, t)| (m, self.leaf(t, span))).collect();
            let v = self.construct(Some(st.path.clone()), fields, span);
            self.declare(&name, Some(Tree::Leaf(v)));
            return true;
        }
        self.declare(&name, Some(Tree::Tuple(parts)));
        if let Some(slot) = self.slot(&name) {
            self.struct_locals.insert(slot, (st.path.clone(), members));
        }
        true
    }

    /// `let mut s = s0;` of a differentiated struct parameter (`s0: State`) that the body
    /// replaces whole (`s = step(s, k, dt)` in a loop): a struct local held by its fields, as
    /// [`Self::struct_local`] holds one made by a literal, when the prescan read the struct and
    /// every field is a float or a static nalgebra value. `false` (nothing done) otherwise.
    pub(super) fn record_local(&mut self, local: &syn::Local) -> bool {
        use crate::signature::{is_float, static_matrix};
        let (Pat::Ident(p), Some(init)) = (&local.pat, &local.init) else { return false };
        let name = p.ident.to_string();
        if init.diverge.is_some()
            || p.mutability.is_none()
            || p.by_ref.is_some()
            || p.subpat.is_some()
            || !self.whole_assigned.contains(&name)
        {
            return false;
        }
        // `s0`, `*s0` of `s0: &State`, `s0.clone()`.
        let base = match strip_parens(&init.expr) {
            Expr::Unary(syn::ExprUnary { op: UnOp::Deref(_), expr, .. }) => &**expr,
            Expr::MethodCall(m) if m.method == "clone" && m.args.is_empty() => &*m.receiver,
            e => e,
        };
        if !matches!(base, Expr::Path(_)) {
            return false;
        }
        let Some(param) = self.aggregate_or_leaf(base) else { return false };
        let Some(owner) = self.param_types.get(&param).and_then(crate::signature::registry::type_name) else {
            return false;
        };
        // A differentiated struct, read field by field; a constant one's fields are constants.
        let record = self.kind(param) == Kind::Array(ArrayKind::Record);
        if !record && self.kind(param) != Kind::Unknown {
            return false;
        }
        let Some(names) = crate::signature::types::named_fields(&owner) else { return false };
        let held = |field: &String| {
            crate::signature::types::field_type(Some(&owner), field)
                .is_some_and(|ty| is_float(&ty) || static_matrix(&ty))
        };
        let Ok(path) = syn::parse_str::<syn::Path>(&owner) else { return false };
        if names.is_empty() || !names.iter().all(held) {
            return false;
        }
        let span = Loc::of(&*init.expr);
        let members: Vec<syn::Member> =
            names.iter().map(|n| syn::Member::Named(syn::Ident::new(n, span.span()))).collect();
        let parts = members
            .iter()
            .map(|m| {
                if record {
                    Tree::Leaf(self.record_member(param, m.clone(), Kind::Float, span))
                } else {
                    let read: Expr = syn::parse_quote_spanned!(span.span()=> #base.#m);
                    self.opaque_with(&read, Opaque::Form("a field access"), Kind::Float)
                }
            })
            .collect();
        self.declare(&name, Some(Tree::Tuple(parts)));
        if let Some(slot) = self.slot(&name) {
            self.struct_locals.insert(slot, (path, members));
        }
        true
    }

    /// The fields of `value`, a struct assigned whole to the struct local in `slot` (held by its
    /// fields: `assignments::struct_local`), read in the local's member order: `None` if `slot`
    /// is not such a local or `value` not a struct (a call's result or a struct built in the
    /// body). Each field is read as the local's current part is held: a float or a static
    /// nalgebra value (`Kind::Float`); another part (an array) keeps the general path.
    fn struct_fields_of(&mut self, slot: usize, value: &Tree, span: Loc) -> Option<Tree> {
        let (_, members) = self.struct_locals.get(&slot)?.clone();
        let Some(Tree::Tuple(parts)) = &self.vars[slot] else { return None };
        let Tree::Leaf(record) = value else { return None };
        let floats = parts.iter().all(|p| matches!(p, Tree::Leaf(v) if self.kind(*v) == Kind::Float));
        if !floats {
            return None;
        }
        if !self.is_record(*record) {
            return None;
        }
        let fields =
            members.into_iter().map(|m| Tree::Leaf(self.record_member(*record, m, Kind::Float, span)));
        Some(Tree::Tuple(fields.collect()))
    }

    /// The position of `s.member` among the fields of a struct local held by its fields
    /// (`assignments::struct_local`).
    pub(super) fn struct_local_field(&self, f: &syn::ExprField) -> Option<usize> {
        let slot = self.local(&f.base)?;
        let (_, members) = self.struct_locals.get(&slot)?;
        members.iter().position(|m| *m == f.member)
    }

    /// The current value of `s.member` of a struct local held by its fields.
    pub(super) fn struct_local_part(&self, f: &syn::ExprField) -> Option<Tree> {
        let index = self.struct_local_field(f)?;
        match &self.vars[self.local(&f.base)?] {
            Some(Tree::Tuple(parts)) => parts.get(index).cloned(),
            _ => None,
        }
    }

    /// A struct local held by its fields, used whole (`step(&s)`, `return s`): the struct built
    /// from its fields' current values, as a struct literal is.
    pub(super) fn whole_struct_local(&mut self, slot: usize, span: Loc) -> Tree {
        let (Some((path, members)), Some(Tree::Tuple(parts))) =
            (self.struct_locals.get(&slot).cloned(), self.vars[slot].clone())
        else {
            return self.unsupported(span, unsupported::TUPLE_POSITION);
        };
        let fields = members.into_iter().zip(parts).map(|(m, t)| (m, self.leaf(t, span))).collect();
        Tree::Leaf(self.construct(Some(path), fields, span))
    }
}

impl Lowerer<'_> {
    /// `y = [..]` or `y = step(y)` of a fixed-size array inside a loop (an integrator's state):
    /// the new array first, then written into `y` element by element, as the loop's arrays are
    /// places. The type makes both the same length.
    ///
    /// A `Vec` (`y = rk4_step(&f, t, &y, h)`, `x = x.iter().map(..).collect()`) the same way, after
    /// asserting it keeps its length: each iteration's array is the one made before the loop,
    /// whose adjoint is sized once, so a primal whose `Vec` changes length cannot be followed, and
    /// the generated items stop there, loudly. Except where the new `Vec` is `vec![e; n]` or a
    /// `collect()` made anew in the loop at a length that may change (`Self::refit`): `y` is
    /// resized to it first, and the reverse sweep gives `y`'s adjoint its earlier length back.
    /// `None` for any other assignment.
    pub(super) fn whole_array(&mut self, a: &syn::ExprAssign, span: Loc) -> Option<Tree> {
        if self.in_loop == 0 || !matches!(&*a.left, Expr::Path(_)) {
            return None;
        }
        let kind = self
            .aggregate_or_leaf(&a.left)
            .map(|v| self.kind(v))
            .filter(|k| matches!(k, Kind::Array(ArrayKind::Fixed | ArrayKind::Vec)))?;
        let (y, rhs, s) = (&a.left, &a.right, span.span());
        let new = super::iterators::hidden("__tapeless_new", s);
        let k = super::iterators::hidden("__tapeless_k", s);
        let block: Expr = if kind == Kind::Array(ArrayKind::Fixed) {
            syn::parse_quote_spanned!(s=> {
                let #new = #rhs;
                for #k in 0..#new.len() {
                    #y[#k] = #new[#k];
                }
            })
        } else {
            // An untyped `collect()` collects the `Vec` it replaces.
            let untyped = matches!(super::strip_parens(rhs), Expr::MethodCall(m)
                if m.method == "collect" && m.args.is_empty() && m.turbofish.is_none());
            let element = &self.element;
            let ty = untyped.then(|| quote::quote!(: ::std::vec::Vec<#element>));
            // A new array whose length may change between iterations (a layer's activations,
            // `h = w.iter().map(..).collect()`): `y` takes its length, then its elements.
            // Otherwise both lengths must be equal.
            self.scopes.push(Vec::new());
            self.stmts(&[syn::parse_quote_spanned!(s=> let #new #ty = #rhs;)], false);
            let resized = match (self.aggregate_or_leaf(y), self.local_array(&syn::parse_quote!(#new))) {
                (Some(yv), Some(nv)) => self.refit(yv, nv, span),
                _ => false,
            };
            let mut rest: Vec<syn::Stmt> = Vec::new();
            if !resized {
                rest.push(syn::parse_quote_spanned!(s=>
                    ::core::assert_eq!(
                        #new.len(),
                        #y.len(),
                        "tapeless: a `Vec` replaced whole inside a loop must keep its length in the generated items"
                    );
                ));
            }
            rest.push(syn::parse_quote_spanned!(s=>
                for #k in 0..#new.len() {
                    #y[#k] = #new[#k];
                }
            ));
            self.stmts(&rest, false);
            self.scopes.pop();
            return Some(unit());
        };
        self.expr(&block);
        Some(unit())
    }
}
