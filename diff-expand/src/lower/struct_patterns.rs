//! Struct and tuple-struct patterns: `let Params { a, b: c, .. } = *p;`, `let Pair(a, b) = p;`
//! (or `Pair(a, ..)`), of a call's result (`let State { x, v } = step(s, dt);`), and of the
//! elements a loop or closure binds (`for Point { x, y } in pts`, `|&Pair(a, _)|`). Each field
//! pattern binds the field as `p.a` (`p.0`) reads it; a computed value is held under a hidden name
//! first, and a place's `clone()` read field by field (`p.a.clone()`, fifty-third session). Until
//! the fiftieth session only the named form of a place was taken (the others were the pattern
//! error, or `STRUCT_PATTERN_COMPUTED_VALUE`'s).

use super::*;

/// The field patterns of a struct or tuple-struct pattern, with the member each reads: by name,
/// or by position (`None` for a `..` of a tuple struct before its end, whose positions after it
/// depend on the struct's length, and for a pattern of another kind).
pub(super) fn fields(pat: &Pat) -> Option<Vec<(syn::Member, &Pat)>> {
    match pat {
        Pat::Struct(ps) if ps.qself.is_none() => {
            Some(ps.fields.iter().map(|f| (f.member.clone(), &*f.pat)).collect())
        }
        Pat::TupleStruct(ts) if ts.qself.is_none() => {
            let rest = ts.elems.iter().position(|p| matches!(p, Pat::Rest(_)));
            if rest.is_some_and(|k| k + 1 != ts.elems.len()) {
                return None;
            }
            let at = Loc::of(ts).span();
            let positions = ts.elems.iter().take(rest.unwrap_or(ts.elems.len())).enumerate();
            Some(
                positions
                    .map(|(i, p)| (syn::Member::Unnamed(syn::Index { index: i as u32, span: at }), p))
                    .collect(),
            )
        }
        _ => None,
    }
}

impl Lowerer<'_> {
    /// `let pat = init;` of a struct or tuple-struct pattern; `false` if [`fields`] does not
    /// take it. A call's result is lowered and held first; a `clone()` of a place binds each
    /// field as `place.field.clone()` reads it (a float field's value, an array field's copy).
    pub(super) fn struct_pattern(&mut self, pat: &Pat, init: &Expr) -> bool {
        let Some(fields) = fields(pat) else { return false };
        if let Expr::MethodCall(m) = init
            && m.method == "clone"
            && m.args.is_empty()
            && matches!(strip_parens(&m.receiver), Expr::Path(_) | Expr::Field(_))
        {
            let place = strip_parens(&m.receiver);
            self.bind_fields(&fields, |member, at| syn::parse_quote_spanned!(at=> #place.#member.clone()));
            return true;
        }
        let call_result = match init {
            Expr::Call(_) => true,
            Expr::MethodCall(m) => m.method != "clone",
            _ => false,
        };
        if call_result {
            let value = self.expr(init);
            self.fields_of_value(pat, Some(value));
        } else {
            self.field_patterns(&fields, init, Loc::of(pat));
        }
        true
    }

    /// The field patterns of `pat` over a value (a call's result, a loop's or closure's element),
    /// held under a hidden name so each field is read as of a local.
    pub(super) fn fields_of_value(&mut self, pat: &Pat, value: Option<Tree>) {
        let (Some(fields), Some(Tree::Leaf(v))) = (fields(pat), value) else {
            self.unsupported(Loc::of(pat), unsupported::PATTERN_FORM);
            return;
        };
        let whole = syn::Ident::new(&format!("__tapeless_whole{}", v.0), proc_macro2::Span::mixed_site());
        self.declare(&whole.to_string(), Some(Tree::Leaf(v)));
        self.field_patterns(&fields, &syn::parse_quote!(#whole), Loc::of(pat));
    }

    /// One `let` per field pattern over `init`, a place: `p.a` read as written (a differentiated
    /// record's field, or a constant's), or `&p.a` where the place is behind a reference (`= p`
    /// with `p: &Params`, `= self` of `&self`), as Rust's default binding mode binds it (a float
    /// field's value, which `*a` reads too; an array field read in place).
    fn field_patterns(&mut self, fields: &[(syn::Member, &Pat)], init: &Expr, at: Loc) {
        let base = match init {
            Expr::Unary(syn::ExprUnary { op: UnOp::Deref(_), expr, .. }) => &**expr,
            e => e,
        };
        let by_reference = !matches!(init, Expr::Unary(_))
            && (self.self_by_reference && matches!(base, Expr::Path(p) if p.path.is_ident("self"))
                || self.aggregate_or_leaf(base).is_some_and(|v| {
                    self.param_types.get(&v).is_some_and(|ty| matches!(ty, syn::Type::Reference(_)))
                }));
        if !matches!(base, Expr::Path(_) | Expr::Field(_)) {
            self.unsupported(at, unsupported::STRUCT_PATTERN_COMPUTED_VALUE);
            return;
        }
        self.bind_fields(fields, |member, at| match by_reference {
            true => syn::parse_quote_spanned!(at=> &#base.#member),
            false => syn::parse_quote_spanned!(at=> #base.#member),
        });
    }

    /// One `let` per field pattern, binding what `read(member, at)` reads, spanned at the
    /// field's pattern.
    fn bind_fields(
        &mut self,
        fields: &[(syn::Member, &Pat)],
        read: impl Fn(&syn::Member, proc_macro2::Span) -> Expr,
    ) {
        for (member, pat) in fields {
            let t = self.expr(&read(member, Loc::of(*pat).start));
            self.bind(pat, Some(t));
        }
    }
}
