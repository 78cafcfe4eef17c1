//! Records: the fields of differentiated struct parameters and of structs built in the body
//! (`p.b`, `p.w`, `p.inner.c`, `ps[i].x`), what their clones are by the fields' declared types,
//! structs built from values, and whether a place is a constant's (`constant_place`); split out
//! of `arrays.rs` and `calls.rs` in the fifty-third session.

use super::*;

impl Lowerer<'_> {
    /// `p.member` of a record parameter (a `#[derive(Differentiable)]` struct listed in `wrt`):
    /// read once, at the top of the function (the parameter never changes), as a float or as an
    /// array read in place.
    /// `kind`: `Float` for a float field, `Array(Slice)` for an array field, `Heap` for a
    /// `DMatrix` field (`&p.w`); the last two are read in place, by reference.
    pub(super) fn record_field(&mut self, e: &Expr, kind: Kind) -> Option<Value> {
        let Expr::Field(f) = e else { return None };
        // `p.inner.c`: the field of a derived struct held in a field, itself a record.
        let base = match (self.aggregate_or_leaf(&f.base), &*f.base) {
            (Some(base), _) => base,
            // `ps[i].x` of a differentiated collection of structs: the element, then its field.
            (None, Expr::Index(ix)) if self.record_collection(&ix.expr) => match self.array_place(ix) {
                Some((array, index)) => self.load_element(array, index, Loc::of(&f.base)),
                None => self.value(&f.base),
            },
            // `s.step(dt).x` of a method written out (`lower::higher_order`) as a block whose
            // value is a struct literal: the struct, whose fields are then read back.
            (None, Expr::Block(b)) if matches!(b.block.stmts.last(), Some(Stmt::Expr(Expr::Struct(st), None)) if st.rest.is_none()) => {
                self.value(&f.base)
            }
            (None, _) => self.record_field(&f.base, Kind::Array(ArrayKind::Record))?,
        };
        if !self.is_record(base) {
            return None;
        }
        let v = self.record_member(base, f.member.clone(), kind, Loc::of(e));
        let owner = self.field_owner(f);
        if let (Some(owner), syn::Member::Named(name)) = (&owner, &f.member)
            && crate::signature::types::no_grad_differs(owner, &name.to_string())
        {
            // Read as differentiated, its derivative would be looked for in a tangent that may
            // have no such field; read as constant, a derivative silently cut.
            let what = format!(
                "the field `{name}` of `{owner}`, which one struct named `{owner}` of this crate marks \
                 `#[no_grad]` and another does not,"
            );
            self.error(Loc::of(e), Diagnostic::Unsupported { what, help: unsupported::NO_GRAD_DIFFERS_HELP });
            return Some(v);
        }
        if self.constant_field(f, owner.as_deref()) {
            // A `#[no_grad]` field, or one that holds no float: no derivative flows through it
            // (the record's tangent may have no such field), and a branch on it is on a
            // constant.
            let kind = self.kind(v);
            return Some(self.emit(Op::NoGrad(v), Loc::of(e), kind));
        }
        Some(v)
    }

    /// Whether the field `p.name` carries no derivative (`types::constant_field`), of the
    /// struct `owner` ([`Self::field_owner`]) where it is known.
    fn constant_field(&self, f: &syn::ExprField, owner: Option<&str>) -> bool {
        let syn::Member::Named(name) = &f.member else { return false };
        crate::signature::types::constant_field(owner, &name.to_string())
    }

    /// The name of the struct whose field `p.name` is, where the parameter's type names it.
    fn field_owner(&self, f: &syn::ExprField) -> Option<String> {
        self.aggregate_or_leaf(&f.base)
            .and_then(|v| self.param_types.get(&v))
            .and_then(crate::signature::registry::type_name)
    }

    /// The kind of the field `&p.name` borrows (`signature::types::borrowed_field`, of the
    /// struct `p`'s parameter type names where it names one, `Self` included): `Heap` where the
    /// declared types do not say (a `DVector`/`DMatrix` field, read in place).
    pub(super) fn borrowed_kind(&self, e: &Expr) -> Kind {
        use crate::signature::types::{BorrowedField, borrowed_field};
        let Expr::Field(f) = strip_parens(e) else { return Kind::Heap };
        let syn::Member::Named(name) = &f.member else { return Kind::Heap };
        let owner = self
            .aggregate_or_leaf(&f.base)
            .and_then(|v| self.param_types.get(&v))
            .and_then(crate::signature::registry::type_name);
        match borrowed_field(owner.as_deref(), &name.to_string()) {
            Some(BorrowedField::Float) => Kind::Float,
            Some(BorrowedField::Array) => Kind::Array(ArrayKind::Slice),
            None => Kind::Heap,
        }
    }

    /// What `p.w.clone()` (`to_vec`, `to_owned`) copies where `p.w` is a record's field whose
    /// declared type says what it is (`signature::types::cloned_field`), with that class.
    pub(super) fn cloned_field(&self, e: &Expr) -> Option<crate::signature::types::ClonedField> {
        let Expr::Field(f) = strip_parens(e) else { return None };
        let syn::Member::Named(name) = &f.member else { return None };
        let record =
            self.aggregate_or_leaf(&f.base).is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Record));
        if !record {
            return None;
        }
        crate::signature::types::cloned_field(self.field_owner(f).as_deref(), &name.to_string())
    }

    /// `p.a.clone()` of a record's field declared a float or a static nalgebra value: the
    /// field's value; of a `DVector`/`DMatrix` field, the field read in place. (An array field's
    /// copy is `arrays::array_method`'s, through [`Self::copied_field`].)
    pub(super) fn field_clone(&mut self, e: &Expr) -> Option<Value> {
        use crate::signature::types::ClonedField;
        let kind = match self.cloned_field(e)? {
            ClonedField::Value => Kind::Float,
            ClonedField::InPlace => Kind::Heap,
            ClonedField::Array { .. } => return None,
        };
        self.record_field(e, kind)
    }

    /// `p.w` of `p.w.clone()` or `p.w.to_vec()`, a record's field declared an array of floats
    /// (`Vec<f64>`, `[T; N]`): the field read in place, which the copy is made of, and whether
    /// it is a fixed-size array (whose `clone()` is one too).
    pub(super) fn copied_field(&mut self, e: &Expr) -> Option<(Value, bool)> {
        use crate::signature::types::ClonedField;
        let Some(ClonedField::Array { fixed }) = self.cloned_field(e) else { return None };
        Some((self.record_field(e, Kind::Array(ArrayKind::Slice))?, fixed))
    }

    /// The struct `path { fields }` (without a path, the tuple of `fields`) built from values,
    /// its fields remembered (`constructed`).
    pub(super) fn construct(
        &mut self,
        path: Option<syn::Path>,
        fields: Vec<(syn::Member, Value)>,
        span: Loc,
    ) -> Value {
        let v =
            self.emit(Op::Construct { path, fields: fields.clone() }, span, Kind::Array(ArrayKind::Record));
        self.constructed.insert(v, fields);
        v
    }

    /// Whether `v` is a struct value (`Kind::Array(Record)`). The result of a call whose field is
    /// read is one, a derived struct returned by a differentiable function, and is typed so here
    /// (its adjoint is declared up front like an array's, or in a loop or branch where the sweep
    /// first reaches one of its fields).
    pub(super) fn is_record(&mut self, v: Value) -> bool {
        if self.kind(v) == Kind::Unknown && self.call_results.contains(&v) {
            self.values[v.0 as usize].kind = Kind::Array(ArrayKind::Record);
        }
        self.kind(v) == Kind::Array(ArrayKind::Record)
    }

    /// `base.member` of a record value (`record_field`), as a float (`kind` `Float`) or an array
    /// read in place.
    pub(super) fn record_member(&mut self, base: Value, member: syn::Member, kind: Kind, span: Loc) -> Value {
        if let Some((_, v)) =
            self.constructed.get(&base).and_then(|fields| fields.iter().find(|(m, _)| *m == member))
        {
            return *v;
        }
        let array = kind != Kind::Float;
        let op = Op::Field { base, member: member.clone(), array };
        // An array field of an element of a differentiated collection of structs (`layer.w` of
        // `for layer in layers`, `layers[k].w[i][j]`): read once per element, where the element
        // is loaded, however deep the loops that read it. Its adjoint, one array, is then zeroed
        // and added into the element's adjoint once per element, not once per read (which cost
        // a whole field's zeros per entry read).
        if matches!(kind, Kind::Array(_)) && self.record_elements.contains(&base) {
            let key = (base, member.to_token_stream().to_string());
            if let Some(v) = self.element_fields.get(&key) {
                return *v;
            }
            let level = self.level_of(base);
            let v = self.new_value(span, kind);
            if let Some(block) = self.blocks.get_mut(level) {
                block.push(Inst { results: vec![v], op, span });
            }
            self.element_fields.insert(key, v);
            return v;
        }
        // A parameter's fields (and their fields) never change: read once, at the top. A struct
        // built or returned by a call in the body is read where it is written.
        let hoisted = (base.0 as usize) < self.params || self.fields.values().any(|v| *v == base);
        if !hoisted {
            return self.emit(op, span, kind);
        }
        let key = (base, member.to_token_stream().to_string(), format!("{kind:?}"));
        if let Some(v) = self.fields.get(&key) {
            return *v;
        }
        let v = self.at_top(op, span, kind);
        self.fields.insert(key, v);
        v
    }

    /// Whether a place `a.b[i].c` starts from a name that is not a local of the function (a
    /// constant `self`, a `static`), or from a parameter of a type the syntax does not tell that
    /// is not differentiated (a struct of data).
    pub(super) fn constant_place(&self, e: &Expr) -> bool {
        match e {
            Expr::Field(f) => self.constant_place(&f.base),
            Expr::Index(i) => self.constant_place(&i.expr),
            Expr::Paren(p) => self.constant_place(&p.expr),
            // A constant parameter, or a local holding a constant of a type the IR does not see
            // into (`s` of `for s in data`, `data: &[Sample]`).
            Expr::Path(_) => match self.local(e) {
                None => true,
                Some(_) => self.aggregate_or_leaf(e).is_some_and(|v| {
                    self.kind(v) == Kind::Unknown
                        && (self.param_types.contains_key(&v) || self.struct_elements.contains(&v))
                }),
            },
            _ => false,
        }
    }
}
