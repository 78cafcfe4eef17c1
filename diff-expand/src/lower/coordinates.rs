//! Entries of nalgebra vectors read by coordinate (`v.x`, `(a - b).z`, `q.transform_vector(&v).y`)
//! or by a literal index, including those of a vector field of an element of a differentiated
//! collection of structs (`p.pos.z`, `ps[i].vel[1]`, `ps[i].pos[k]`, where the prescan read the
//! field's type: a static vector or an array of floats).

use super::*;

impl Lowerer<'_> {
    /// Entry `k` of `field` (`p.pos`), a nalgebra vector field of an element of a differentiated
    /// collection of structs.
    pub(super) fn entry_of_an_element_field(&mut self, field: &Expr, k: usize, e: &Expr, span: Loc) -> Tree {
        let Some(base) = self.record_field(field, Kind::Float) else {
            return self.opaque(e, "a field access");
        };
        let k = syn::LitInt::new(&k.to_string(), span.span()).to_token_stream();
        self.entry(base, k, span)
    }

    /// The entry of the nalgebra value `base` at the literal index `index` (`1`, `(1, 2)`): the
    /// `<index>` rule.
    pub(super) fn entry(&mut self, base: Value, index: TokenStream, span: Loc) -> Tree {
        self.prim(rules::operator("<index>"), vec![base], Form::Index(index), span, &TupleShape::Leaf)
    }

    /// `k` of `p.field.x`, `ps[i].field[1]`, .. (`field` the `p.field` part, `k` its coordinate
    /// or literal index) where `p` is an element of a differentiated collection of structs and
    /// the prescan read `field` as a nalgebra vector.
    pub(super) fn coordinate_of_an_element_field(&mut self, field: &Expr, k: Option<usize>) -> Option<usize> {
        let k = k?;
        self.fixed_field_of_an_element(field).then_some(k)
    }

    /// Whether `field` is `p.field` (or `ps[i].field`) of an element `p` of a differentiated
    /// collection of structs, whose field the prescan read as a value of fixed size: a nalgebra
    /// static vector or an array of floats (`pos: [f64; 2]`), read whole as a copy.
    pub(super) fn fixed_field_of_an_element(&self, field: &Expr) -> bool {
        let Expr::Field(inner) = field else { return false };
        // The field's declared type (the prescan's), since a nested struct's fields could be
        // named `x` too.
        let syn::Member::Named(field) = &inner.member else { return false };
        if !crate::signature::types::fixed_field(&field.to_string()) {
            return false;
        }
        match &*inner.base {
            Expr::Index(ix) => self.record_collection(&ix.expr),
            base => self.aggregate_or_leaf(base).is_some_and(|v| self.record_elements.contains(&v)),
        }
    }

    /// `p.pos[k]` at a computed index `k` of a fixed field of an element
    /// ([`Self::fixed_field_of_an_element`]): the field read as a copy, then its entry `k`.
    pub(super) fn computed_entry_of_an_element_field(&mut self, ix: &syn::ExprIndex, span: Loc) -> Tree {
        let Some(base) = self.record_field(&ix.expr, Kind::Float) else {
            return self.opaque(&Expr::Index(ix.clone()), "indexing");
        };
        let index = self.value(&ix.index);
        let (rule, form) = (rules::operator("<index>"), Form::Index(TokenStream::new()));
        self.prim(rule, vec![base, index], form, span, &TupleShape::Leaf)
    }

    /// `v[k]` for `v.x`, `v.y`, .. of a static nalgebra vector the macro holds as an array (one
    /// made by `zeros()` and written by index, or read from a slice or array by
    /// `Vector3::from_column_slice`, `Vector3::from`): the entry the coordinate names. (A `[f64; 3]`
    /// has no `.x`: the primal, emitted as written, is then rustc's error at the user's code.)
    pub(super) fn array_coordinate(&self, e: &Expr) -> Option<Expr> {
        let Expr::Field(f) = strip_parens(e) else { return None };
        let k = coordinate(&f.member)?;
        let fixed = Kind::Array(ArrayKind::Fixed);
        self.aggregate_or_leaf(&f.base).filter(|v| self.kind(*v) == fixed)?;
        let (base, k) = (&f.base, syn::LitInt::new(&format!("{k}usize"), Loc::of(&f.member).span()));
        Some(syn::parse_quote_spanned!(Loc::of(e).span()=> #base[#k]))
    }

    /// Whether `base.x` reads a coordinate of a nalgebra vector: `base` is a local holding a
    /// static matrix, or a computation whose value the IR types as one (`(a - b)`, `v.scale(2.0)`;
    /// a struct's field `p.x` is a local of unknown type or a record's field, never this).
    pub(super) fn vector_base(&self, base: &Expr) -> bool {
        match self.aggregate_or_leaf(base) {
            Some(v) => self.kind(v) == Kind::Float,
            None => match base {
                Expr::Paren(p) => self.vector_base(&p.expr),
                // `(*u).x` of a unit vector (`Unit::new_normalize`).
                Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => self.vector_base(&u.expr),
                Expr::Binary(b) => self.vector_base(&b.left) || self.vector_base(&b.right),
                Expr::MethodCall(m) => match self.motion_transform(m) {
                    // `q.transform_vector(&v).x`: of the product it is.
                    Some(product) => self.vector_base(&product),
                    None => self.vector_base(&m.receiver),
                },
                // `p.vel` of a struct local held by its fields: the field's value.
                // `acc.0` of a local tuple: that part's value.
                Expr::Field(f) => {
                    let part =
                        self.struct_local_part(f).or_else(|| match (self.aggregate(&f.base), &f.member) {
                            (Some(items), syn::Member::Unnamed(i)) => items.get(i.index as usize).cloned(),
                            _ => None,
                        });
                    matches!(part, Some(Tree::Leaf(v)) if self.kind(v) == Kind::Float)
                }
                // `vs[i]` of a parameter `vs: &[Vector3<f64>]` (or of points).
                Expr::Index(ix) => self
                    .aggregate_or_leaf(&ix.expr)
                    .and_then(|v| self.param_types.get(&v))
                    .and_then(crate::signature::collection_element)
                    .is_some_and(|e| crate::signature::static_matrix(e) || crate::signature::point(e)),
                _ => false,
            },
        }
    }
}

/// The entry nalgebra's `v.x`, `v.y`, `v.z`, `v.w`, `v.a`, `v.b` read.
pub(super) fn coordinate(member: &syn::Member) -> Option<usize> {
    let syn::Member::Named(name) = member else { return None };
    ["x", "y", "z", "w", "a", "b"].iter().position(|c| name == c)
}

/// The value of an integer literal below 16 (`2` of `v[2]`).
pub(super) fn usize_literal(e: &Expr) -> Option<usize> {
    match e {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => n.base10_parse().ok().filter(|k| *k < 16),
        _ => None,
    }
}
