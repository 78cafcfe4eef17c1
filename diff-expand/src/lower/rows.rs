//! Rows of nested arrays: a parameter `w: &[Vec<f64>]` (or `Vec<Vec<f64>>`, `&[[f64; N]]`,
//! `[[f64; N]; M]`) looped over by row, `for row in w.iter() { .. row[j] .. row.len() .. }`,
//! is the loop over its indices with every use of `row` read as `w[r]`: the IR holds the
//! nested array whole and reads its entries `w[r][j]` (two-index loads), never a row by value
//! (which the generated code could not move out of the slice). `w[r].len()` is the length
//! of a row, and `*row` the row `w[r]`. A row taken apart by its pattern (`for &[x, y] in ps`,
//! `|(&[x, y], c)|`) is bound to a name of its own, taken apart by a `let` at the head of the
//! body.

use super::*;

impl Lowerer<'_> {
    /// `for row in w.iter()` (also `w`, `&w`, and `for (i, row) in w.iter().enumerate()`) over
    /// a nested-array parameter, rewritten to a loop over `0..w.len()`; `None` if the loop is
    /// not of that form.
    pub(super) fn for_over_rows(&mut self, f: &syn::ExprForLoop) -> Option<Tree> {
        let (source, enumerate) = match &*f.expr {
            Expr::MethodCall(m) if m.method == "enumerate" && m.args.is_empty() => (&*m.receiver, true),
            e => (e, false),
        };
        // `w`, `&w`, `w.iter()`, and a copy made for the loop alone (`w.clone()`,
        // `w.to_vec().into_iter()`): the same rows.
        let mut base = source;
        loop {
            base = match base {
                Expr::MethodCall(m)
                    if m.args.is_empty()
                        && ["iter", "into_iter", "clone", "to_vec", "to_owned"]
                            .contains(&&*m.method.to_string()) =>
                {
                    &m.receiver
                }
                Expr::Reference(r) if r.mutability.is_none() => &r.expr,
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        // A parameter, or a nested array field of one (`p.w1`).
        let root = match base {
            Expr::Path(_) => base,
            Expr::Field(field) if matches!(&*field.base, Expr::Path(_)) => &*field.base,
            _ => return None,
        };
        let path = base;
        // (A body that writes the rows would read its own writes where the copy would not.)
        let written = || {
            let Expr::Path(root) = root else { return true };
            root.path
                .get_ident()
                .is_some_and(|w| super::scan::assigned_names(&f.body).contains(&w.to_string()))
        };
        if !self.nested_array(base) || written() {
            return None;
        }
        let (index_pat, row_pat) = match (&*f.pat, enumerate) {
            (p, false) => (None, p),
            (Pat::Tuple(t), true) if t.elems.len() == 2 => (Some(&t.elems[0]), &t.elems[1]),
            _ => return None,
        };
        let mut body = f.body.clone();
        let row = match row_name(row_pat) {
            Some(row) => row.clone(),
            None => {
                let (row, entries) = destructured_row(row_pat, 0)?;
                body.stmts.insert(0, entries);
                row
            }
        };
        let span = Loc::of(&f.pat).start;
        let r = syn::Ident::new("__tapeless_row", proc_macro2::Span::mixed_site().located_at(span));
        let body = read_in_place(&body, &row, quote::quote!(#path[#r]))?;
        let bind_index = index_pat.map(|p| quote::quote_spanned!(span=> let #p = #r;));
        let desugared: syn::ExprForLoop = syn::parse_quote_spanned!(Loc::of(f).span()=>
            for #r in 0..#path.len() {
                #bind_index
                #body
            }
        );
        Some(self.for_loop_binding(&desugared, None))
    }

    /// `pat` bound to `item` around `body`, where parts of `item` are rows of a nested-array
    /// parameter (`(&w[r], &y[r])` of `w.iter().zip(y)`): the names bound to rows are left out
    /// of the binding and read as `w[r]` in `body`, never moved out whole. `None` if no name is
    /// bound to a row, or `body` binds one of them again.
    pub(super) fn split_rows(
        &self,
        pat: &Pat,
        item: &Expr,
        body: &Expr,
    ) -> Option<(Option<(Pat, Expr)>, Expr)> {
        let mut found = Vec::new();
        // Rows taken apart by their patterns (`(&[x, y], c)`): the `let`s that do it.
        let entries = std::cell::RefCell::new(Vec::new());
        let take = |pat: &Pat, item: &Expr| {
            let row = match item {
                Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                e => e,
            };
            let Expr::Index(ix) = row else { return None };
            if !self.nested_array(&ix.expr) {
                return None;
            }
            if let Some(name) = row_name(pat) {
                return Some((name.clone(), row.clone()));
            }
            let mut entries = entries.borrow_mut();
            let (name, stmt) = destructured_row(pat, entries.len())?;
            entries.push(stmt);
            Some((name, row.clone()))
        };
        let binding = super::places::split_binding(pat, item, &mut found, &take);
        if found.is_empty() {
            return None;
        }
        let entries = entries.into_inner();
        let mut body =
            if entries.is_empty() { body.clone() } else { syn::parse_quote!({ #(#entries)* #body }) };
        for (name, row) in &found {
            body = read_in_place(&body, name, row.to_token_stream())?;
        }
        Some((binding, body))
    }

    /// `let row = &w[i];` (or `= w[i].as_slice()`) of a nested-array parameter `w`, then `rest`:
    /// `rest` with every read of `row` as `w[i]`, the `let` dropped. `None` unless `stmts` starts
    /// with such a `let`, `rest` neither binds `row` again nor assigns a name the index reads.
    pub(super) fn let_row(&self, stmts: &[Stmt]) -> Option<Vec<Stmt>> {
        let (Stmt::Local(local), rest) = stmts.split_first()? else { return None };
        let init = local.init.as_ref().filter(|init| init.diverge.is_none())?;
        let name = row_name(&local.pat)?;
        let row = match &*init.expr {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            Expr::MethodCall(m) if m.args.is_empty() && (m.method == "as_slice" || m.method == "as_ref") => {
                &*m.receiver
            }
            _ => return None,
        };
        let Expr::Index(ix) = strip_parens(row) else { return None };
        if !self.nested_array(&ix.expr) {
            return None;
        }
        let block = syn::Block { brace_token: Default::default(), stmts: rest.to_vec() };
        let assigned = super::scan::assigned_names(&block);
        let mut reads = super::closures::FreeNames::default();
        syn::visit::Visit::visit_expr(&mut reads, &ix.index);
        if reads.0.iter().any(|n| assigned.contains(n)) {
            return None;
        }
        Some(read_in_place(&block, name, quote::quote!(#row))?.stmts)
    }

    /// The element of `array` at `index`: a load of [`Self::element_kind`], or, for a
    /// differentiated collection of structs (whose derivative the IR cannot carry), the error
    /// reported at `span` (so its uses draw no second one).
    pub(super) fn load_element(&mut self, array: Value, index: Vec<Value>, span: Loc) -> Value {
        let kind = self.element_kind(array);
        // An element of a differentiated collection of structs (`ps: &[Particle]` in `wrt`): a
        // struct value, read by its fields (`p.x`), its adjoint added into `p̄s[i]`.
        // Loaded once per index, where the index is made (the collection never changes), so
        // that `layers[k].w[i][j]` and `layers[k].b[i]` in inner loops read one element, whose
        // adjoint is added into `l̄ayers[k]` once per `k`.
        if kind == Kind::Unknown && self.kind(array) == Kind::Array(ArrayKind::Record) {
            let key = (array, index.clone());
            if let Some(element) = self.element_loads.get(&key) {
                return *element;
            }
            let level = index.iter().chain([&array]).map(|v| self.level_of(*v)).max().unwrap_or(0);
            let element = self.new_value(span, Kind::Array(ArrayKind::Record));
            if let Some(block) = self.blocks.get_mut(level) {
                block.push(Inst { results: vec![element], op: Op::Load { array, index }, span });
            }
            self.record_elements.insert(element);
            self.element_loads.insert(key, element);
            return element;
        }
        let of_field = self
            .blocks
            .iter()
            .flatten()
            .any(|i| i.results.contains(&array) && matches!(i.op, Op::Field { array: true, .. }));
        // A row of a local `Vec` of `Vec`s is read by reference, which carries no adjoint back
        // into the collection: our error where the rows may hold differentiable values (returned
        // whole, such a `Vec` is differentiated).
        if kind == Kind::Array(ArrayKind::Vec) && self.value_may_be_differentiated(array, 16) {
            let Tree::Leaf(error) = self.unsupported(span, unsupported::ROWS_OF_DIFFERENTIABLE_VALUES) else {
                return array;
            };
            return error;
        }
        let element = self.emit(Op::Load { array, index }, span, kind);
        if kind == Kind::Unknown {
            self.struct_elements.insert(element);
        }
        if of_field {
            self.field_rows.insert(element);
        }
        element
    }

    /// An element of a struct's array field used as a collection (`for row in net.w1.iter()`
    /// then `row[j]`, `row.len()`): a row of a `Vec<Vec<f64>>` field, which the macro cannot see
    /// (the field's type is the derive's) and would move out of the struct: our error, at the
    /// first such use.
    pub(super) fn check_field_rows(&mut self, body: &Block) {
        if self.field_rows.is_empty() {
            return;
        }
        let used = body.walk().into_iter().find(|inst| {
            // `row[j]` at a computed index (a literal one, `p[0]`, is a static vector's entry).
            matches!(&inst.op, Op::Prim { rule, args, .. }
                if ((rule.name == "<index>" && args.len() > 1) || matches!(rule.name, "len" | "is_empty"))
                    && args.first().is_some_and(|a| self.field_rows.contains(a)))
        });
        if let Some(inst) = used {
            self.unsupported(inst.span, unsupported::ROW_OF_A_STRUCT_FIELD);
        }
    }

    /// Whether `e` is `x[i]` (not a range) of an array whose elements are floats or static
    /// vectors, not rows: `&x[i]` of it is read as its value (`g(&ps[i], &ps[j])`, `&w[1] - &w[0]`).
    pub(super) fn element_of_values(&mut self, e: &Expr) -> bool {
        let Expr::Index(ix) = e else { return false };
        if matches!(&*ix.index, Expr::Range(_)) || self.nested_array(&ix.expr) {
            return false;
        }
        self.local_array(&ix.expr).is_some_and(|array| self.element_kind(array) == Kind::Float)
    }

    /// The kind of an element of `array`: a float (or a static vector, a row), except for a
    /// parameter whose elements are structs (`layers: &[Layer]`), whose fields the IR does not
    /// model: `Unknown`, so that `l.w` is never read as a nalgebra coordinate.
    pub(super) fn element_kind(&self, array: Value) -> Kind {
        // A local `vec![vec![1.0, 2.0], ..]` (or `[[..], ..]`) of rows made in the body: its
        // elements' kind (a `Vec` row is then read by reference, `emit::primal_let`).
        if let Some((_, inst)) = self.made_by(array)
            && let Op::NewArray(ArrayInit::Elements { elements, .. }) = &inst.op
            && let Some(first) = elements.first()
            && let k @ Kind::Array(ArrayKind::Vec) = self.kind(*first)
        {
            return k;
        }
        let element = self.collection_type(array).and_then(crate::signature::collection_element);
        if self.structs_in(array) {
            Kind::Unknown
        } else if element.is_some_and(crate::signature::dynamic_matrix) {
            // `xs: &[DVector<f64>]`: an element is read in place, by reference.
            Kind::Heap
        } else {
            Kind::Float
        }
    }

    /// Whether `e` names a differentiated collection of structs or float tuples (`ps` of `ps:
    /// &[Particle]`, `pts` of `pts: &[(f64, f64)]`), whose element `ps[i]` is a record.
    pub(super) fn record_collection(&self, e: &Expr) -> bool {
        self.aggregate_or_leaf(e)
            .is_some_and(|a| self.kind(a) == Kind::Array(ArrayKind::Record) && self.structs_in(a))
    }

    /// Whether `array` is a parameter whose elements are structs (a path type the macro cannot
    /// classify: not a float, an integer, a nalgebra type or an array).
    pub(super) fn structs_in(&self, array: Value) -> bool {
        use crate::signature::{TypeClass, classify, collection_element};
        // A struct, or a tuple of floats (`pts: &[(f64, f64)]`), whose parts are its fields.
        let record = |t: &syn::Type| {
            matches!(t, syn::Type::Path(p) if p.qself.is_none()
                && p.path.segments.last().is_some_and(|s| s.arguments.is_none()))
                && classify(t) == TypeClass::Unknown
                || crate::signature::float_tuple(t)
        };
        self.collection_type(array).and_then(collection_element).is_some_and(record)
    }

    /// The declared type of the parameter `array` is, or is a local copy of (`let rows =
    /// x.to_vec();`, `copied_from`): what its elements are.
    pub(super) fn collection_type(&self, array: Value) -> Option<&syn::Type> {
        let param = self.copied_from.get(&array).copied().unwrap_or(array);
        self.param_types.get(&param)
    }

    /// Whether `v` is a parameter declared a `DVector` (`x: &DVector<f64>`), or a local copy of
    /// one: a column, whose `fixed_rows::<N>(i)` is a static vector.
    pub(super) fn dvector_parameter(&self, v: Value) -> bool {
        let mut ty = self.collection_type(v);
        while let Some(syn::Type::Reference(r)) = ty {
            ty = Some(&r.elem);
        }
        matches!(ty, Some(syn::Type::Path(p)) if p.path.segments.last().is_some_and(|s| s.ident == "DVector"))
    }

    /// The declared element type of the collection a chain starts from (`ps.iter()`,
    /// `ps.iter().copied()`, `&ps`, `ps` of a parameter `ps: &[Vector3<f64>]`, or of a local
    /// copy of one).
    pub(super) fn source_element(&self, e: &Expr) -> Option<syn::Type> {
        match strip_parens(e) {
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && ["iter", "into_iter", "copied", "cloned"].contains(&&*m.method.to_string()) =>
            {
                self.source_element(&m.receiver)
            }
            Expr::Reference(r) if r.mutability.is_none() => self.source_element(&r.expr),
            e @ Expr::Path(_) => {
                let array = self.aggregate_or_leaf(e)?;
                self.collection_type(array).and_then(crate::signature::collection_element).cloned()
            }
            _ => None,
        }
    }

    /// Whether one of `arrays` is a nested-array parameter, or a nested array field of one
    /// (`p.w1` of `w1: Vec<Vec<f64>>`, `row_type`): its elements are rows.
    pub(super) fn any_rows(&self, arrays: &[Value]) -> bool {
        use crate::signature::{collection_element, is_float};
        arrays.iter().any(|v| {
            let declared = self.collection_type(*v).cloned().or_else(|| self.field_type(*v));
            declared.as_ref().and_then(collection_element).and_then(collection_element).is_some_and(is_float)
        })
    }

    /// The declared type of the field `v` reads of a parameter (`Vec<Vec<f64>>` of `p.w1`), as
    /// the prescan read the parameter's struct.
    fn field_type(&self, v: Value) -> Option<syn::Type> {
        let (_, inst) = self.made_by(v)?;
        let Op::Field { base, member, .. } = &inst.op else { return None };
        self.declared_field_type(*base, member)
    }

    /// The declared type of the field `member` of the parameter `base`, by the name of its
    /// struct (`signature::types::field_type`).
    /// An element of a parameter collection of structs (`layer` of `for layer in layers`, with
    /// `layers: &[Layer]`) is of the collection's element type.
    fn declared_field_type(&self, base: Value, member: &syn::Member) -> Option<syn::Type> {
        if let Some(ty) = self.param_types.get(&base) {
            return field_of(ty, member);
        }
        // Loaded, or borrowed by the loop over the collection (`&layers[i]`).
        let (_, inst) = self.made_by(base)?;
        let array = match &inst.op {
            Op::Load { array, index } if index.len() == 1 => *array,
            Op::Opaque { reads, what: Opaque::Form("a reference"), .. } if reads.len() == 2 => reads[0],
            _ => return None,
        };
        field_of(&self.struct_element_type(array)?, member)
    }

    /// The element type of a parameter collection of structs (`Layer` of `layers: &[Layer]`).
    fn struct_element_type(&self, array: Value) -> Option<syn::Type> {
        if !self.structs_in(array) {
            return None;
        }
        crate::signature::collection_element(self.collection_type(array)?).cloned()
    }

    /// `&e` kept as written: a constant borrowed in place (a field of a struct the IR does not
    /// model, `&layer.w`, `&layer.w[r]`, which a `Vec` cannot be moved out of).
    fn borrowed_constant(&mut self, e: &Expr, span: Loc) -> Value {
        let borrowed: Expr = syn::parse_quote_spanned!(Loc::of(e).span()=> &#e);
        let tree = self.opaque(&borrowed, "a reference");
        self.leaf(tree, span)
    }

    /// `w[r].len()` of a nested-array parameter: the length of the row, read in place.
    pub(super) fn row_length(&mut self, m: &syn::ExprMethodCall, span: Loc) -> Option<Tree> {
        let Expr::Index(ix) = &*m.receiver else { return None };
        if m.method != "len" || !m.args.is_empty() || !self.nested_array(&ix.expr) {
            return None;
        }
        // (A field, `p.w1`, is the array its entries are loaded from.)
        // (A field of a struct the IR does not model, `layer.w` of `for layer in layers`, is
        // borrowed: a `Vec` cannot be moved out of it.)
        let w = match self.local_array(&ix.expr) {
            Some(w) => w,
            None => self.borrowed_constant(&ix.expr, span),
        };
        let i = self.value(&ix.index);
        let (wi, ii, method) = (w.ident(), i.ident(), &m.method);
        let form = Form::Verbatim(quote::quote!(#wi[#ii].#method()));
        let op = Op::Prim { rule: rules::operator("len"), args: vec![w, i], form };
        Some(Tree::Leaf(self.emit(op, span, Kind::Discrete)))
    }

    /// Whether `e` names a parameter whose elements are arrays themselves.
    pub(super) fn nested_array(&self, e: &Expr) -> bool {
        self.row_type(e).is_some()
    }

    /// `w[i]` of a nested array of `Vec`s, borrowed whole where a call takes it: a load of the
    /// row (emitted `&w[i]`), whose adjoint, a `Vec`, is added into `w̄[i]`.
    pub(super) fn borrowed_row(&mut self, e: &Expr) -> Value {
        let span = Loc::of(e);
        let Expr::Index(ix) = strip_parens(e) else { return self.value(e) };
        match self.array_place(ix) {
            Some((array, index)) if index.len() == 1 => {
                self.emit(Op::Load { array, index }, span, Kind::Array(ArrayKind::Vec))
            }
            // A row of a field of a struct the IR does not model (`layer.w[r]` of `for layer in
            // layers` with `layers` constant): a constant, borrowed as written.
            _ if self.local_array(&ix.expr).is_none() && matches!(strip_parens(&ix.expr), Expr::Field(_)) => {
                self.borrowed_constant(e, span)
            }
            _ => {
                let error = self.unsupported(span, unsupported::ROW_NESTED_ARRAY_TAKEN_WHOLE);
                self.leaf(error, span)
            }
        }
    }

    /// Whether `e` names a parameter whose rows are `Vec`s: a row cannot be moved out whole.
    pub(super) fn rows_of_vecs(&self, e: &Expr) -> bool {
        matches!(self.row_type(e), Some(syn::Type::Path(p)) if crate::signature::vec_element(&p).is_some())
    }

    /// Whether `e` names a parameter whose rows are fixed-size arrays (`&[[f64; 2]]`): a row is
    /// `Copy`, read whole as a copy.
    pub(super) fn fixed_rows(&self, e: &Expr) -> bool {
        matches!(self.row_type(e), Some(syn::Type::Array(_)))
    }

    /// The row type of a nested-array parameter (`Vec<f64>` of `&[Vec<f64>]`), or of a nested
    /// array field of a parameter whose struct the prescan read (`p.w1` of `p: &Mlp`, `w1:
    /// Vec<Vec<f64>>`).
    fn row_type(&self, e: &Expr) -> Option<syn::Type> {
        use crate::signature::{collection_element, is_float};
        let declared;
        let ty = match strip_parens(e) {
            Expr::Field(f) => {
                declared = match self.aggregate_or_leaf(&f.base) {
                    Some(base) => self.declared_field_type(base, &f.member)?,
                    // `layers[k].w`: of an element of a parameter collection of structs.
                    None => {
                        let Expr::Index(ix) = strip_parens(&f.base) else { return None };
                        field_of(&self.struct_element_type(self.aggregate_or_leaf(&ix.expr)?)?, &f.member)?
                    }
                };
                &declared
            }
            e => self.aggregate_or_leaf(e).and_then(|v| self.collection_type(v))?,
        };
        let row = collection_element(ty)?;
        collection_element(row).is_some_and(is_float).then(|| row.clone())
    }
}

/// The declared type of the field `member` of the struct `ty` names (`&Layer` or `Layer`), as
/// the prescan read it (`signature::types::field_type`).
fn field_of(ty: &syn::Type, member: &syn::Member) -> Option<syn::Type> {
    let syn::Member::Named(name) = member else { return None };
    let owner = crate::signature::registry::type_name(ty);
    crate::signature::types::field_type(owner.as_deref(), &name.to_string())
}

/// A body a row's name is read in: an expression or a block.
trait Body: Clone {
    /// Whether a pattern in it binds `name` (`let name = ..`, a closure's `|name|`).
    fn binds(&self, name: &syn::Ident) -> bool;
    /// Every read of `name` replaced by `read` ([`ReadRow`]).
    fn read_as(&mut self, name: &syn::Ident, read: proc_macro2::TokenStream);
}

impl Body for Expr {
    fn binds(&self, name: &syn::Ident) -> bool {
        let mut found = false;
        syn::visit::Visit::visit_expr(&mut BindsName { name, found: &mut found }, self);
        found
    }
    fn read_as(&mut self, name: &syn::Ident, read: proc_macro2::TokenStream) {
        ReadRow { name, read }.visit_expr_mut(self);
    }
}

impl Body for syn::Block {
    fn binds(&self, name: &syn::Ident) -> bool {
        let mut found = false;
        syn::visit::Visit::visit_block(&mut BindsName { name, found: &mut found }, self);
        found
    }
    fn read_as(&mut self, name: &syn::Ident, read: proc_macro2::TokenStream) {
        ReadRow { name, read }.visit_block_mut(self);
    }
}

/// `body` with every read of the row's `name` as `read`; `None` if `body` binds the name again
/// (a read after that would be of another value).
fn read_in_place<B: Body>(body: &B, name: &syn::Ident, read: proc_macro2::TokenStream) -> Option<B> {
    if body.binds(name) {
        return None;
    }
    let mut body = body.clone();
    body.read_as(name, read);
    Some(body)
}

/// Finds a pattern binding `name` (`let name = ..`, a closure's `|name|`).
struct BindsName<'a> {
    name: &'a syn::Ident,
    found: &'a mut bool,
}

impl<'ast> syn::visit::Visit<'ast> for BindsName<'_> {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        if p.ident == *self.name {
            *self.found = true;
        }
        syn::visit::visit_pat_ident(self, p);
    }
}

/// `|row| body` called on row `index` of the nested-array parameter `base` (`w.iter().map(|row|
/// ..)`): the body with every read of `row` as `base[index]`; `None` if the closure is not of
/// one name (maybe typed) or its body binds the name again.
pub(super) fn row_body(closure: &Expr, base: &Expr, index: &Expr) -> Option<Expr> {
    let Expr::Closure(c) = closure else { return None };
    let [pat] = c.inputs.iter().collect::<Vec<_>>()[..] else { return None };
    let body = match row_name(pat) {
        Some(name) => read_in_place(&*c.body, name, quote::quote!(#base[#index]))?,
        None => {
            let (name, entries) = destructured_row(pat, 0)?;
            let body = &c.body;
            read_in_place(&syn::parse_quote!({ #entries #body }), &name, quote::quote!(#base[#index]))?
        }
    };
    Some(syn::parse_quote!((#body)))
}

/// A row taken apart by its pattern (`&[a, b]`, `[a, b]`, as `for &[a, b] in xs` writes it): a
/// name for the row instead, and the `let [a, b] = *row;` that takes it apart at the head of the
/// body (its entries are read as `xs[r][k]`); the `k`-th row of a pattern is named apart from
/// the others. `None` for any other pattern.
fn destructured_row(pat: &Pat, k: usize) -> Option<(syn::Ident, Stmt)> {
    let entries = match pat {
        Pat::Reference(r) if r.mutability.is_none() => &*r.pat,
        p => p,
    };
    let Pat::Slice(entries) = entries else { return None };
    let at = Loc::of(pat).start;
    let row =
        quote::format_ident!("__tapeless_entries{k}", span = proc_macro2::Span::mixed_site().located_at(at));
    Some((row.clone(), syn::parse_quote_spanned!(at=> let #entries = *#row;)))
}

/// The name a row is bound to: a plain identifier, maybe typed (`|row: &Vec<f64>|`).
fn row_name(pat: &Pat) -> Option<&syn::Ident> {
    match pat {
        Pat::Type(t) => row_name(&t.pat),
        Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Some(&p.ident),
        _ => None,
    }
}

/// Replaces every read of `name` by `read`, located where the name was (an error about the
/// row points at its use).
struct ReadRow<'a> {
    name: &'a syn::Ident,
    read: proc_macro2::TokenStream,
}

impl ReadRow<'_> {
    fn name_span(&self, p: &syn::ExprPath) -> proc_macro2::Span {
        p.path.segments.first().map_or_else(|| self.name.span(), |s| s.ident.span())
    }
}

impl VisitMut for ReadRow<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Path(p) if p.path.is_ident(self.name) => {
                // At the user's own span: the lowering resolves names by their text, so hygiene
                // is not needed, and an error at them is the user's, not the macro's.
                let at = self.name_span(p);
                let read = super::respan(self.read.clone(), &|_| at);
                *e = syn::parse_quote!(#read);
            }
            // `*row` (`let [a, b, c] = *row;`): the row itself, `w[r]`.
            Expr::Unary(u)
                if matches!(u.op, UnOp::Deref(_))
                    && matches!(&*u.expr, Expr::Path(p) if p.path.is_ident(self.name)) =>
            {
                let mut row = (*u.expr).clone();
                self.visit_expr_mut(&mut row);
                *e = row;
            }
            e => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
}
