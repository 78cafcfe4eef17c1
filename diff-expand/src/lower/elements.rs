//! The elements a chain reads from a collection (`lower::iterators`): an array's, a sub-slice's,
//! a nested array's row's, a vector computed where it is iterated, a constant collection's (read
//! as `data[i]`), and the array `windows`/`chunks` slice.

use super::iterators::{Sequence, hidden};
use super::*;

impl Lowerer<'_> {
    /// The array `windows`/`chunks` slices: a local array (`x`, `&x`) or a constant collection, not
    /// a sub-slice.
    pub(super) fn array_source(&mut self, e: &Expr) -> Option<Expr> {
        let e = match e {
            Expr::Paren(p) => &*p.expr,
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            // `v.as_slice().windows(2)` of a `DVector` (or of an array): its entries, read by
            // index as `v[i]`.
            Expr::MethodCall(m)
                if m.method == "as_slice"
                    && m.args.is_empty()
                    && (self.aggregate_or_leaf(&m.receiver).is_some_and(|v| self.kind(v) == Kind::Heap)
                        || self.local_array(&m.receiver).is_some()) =>
            {
                return Some((*m.receiver).clone());
            }
            e => e,
        };
        // Or a constant collection named by a path or field (`data: &[(f64, f64)]`,
        // `self.points`): a window's `w[j]` reads `data[i + j]`, a constant, as a loop over it
        // does.
        if self.local_array(e).is_none() && !self.indexable_collection(e) {
            return None;
        }
        Some(e.clone())
    }

    /// The elements of an array (`a`, a field `p.w`, or a sub-slice `a[s..e]`), by reference.
    pub(super) fn source(&mut self, e: &Expr) -> Option<Sequence> {
        let e = match e {
            Expr::Paren(p) => &*p.expr,
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            // `v.as_slice().iter()` of a `DVector`: its entries, as `v.iter()`.
            Expr::MethodCall(m) if m.method == "as_slice" && m.args.is_empty() => &*m.receiver,
            e => e,
        };
        // (Of a local array, or of a constant collection such as `bodies: &[Body]`.)
        if let Expr::Index(ix) = e
            && let Expr::Range(r) = &*ix.index
        {
            if self.local_array(&ix.expr).is_none() && !self.indexable_collection(&ix.expr) {
                return None;
            }
            let base = ix.expr.clone();
            let start: Expr = r.start.as_deref().cloned().unwrap_or_else(|| syn::parse_quote!(0usize));
            let end: Expr = match (&r.end, &r.limits) {
                (Some(end), syn::RangeLimits::HalfOpen(_)) => (**end).clone(),
                (Some(end), syn::RangeLimits::Closed(_)) => syn::parse_quote!(#end + 1),
                (None, _) => syn::parse_quote!(#base.len()),
            };
            return Some(Sequence::new(
                syn::parse_quote!(((#end) as usize).saturating_sub(#start)),
                move |i| syn::parse_quote!(&#base[(#start) + #i]),
            ));
        }
        // A row of a nested-array parameter, `w[r].iter()` (`lower::rows`): `w[r][i]`.
        if let Expr::Index(ix) = e
            && self.nested_array(&ix.expr)
        {
            let (row, at) = (e.clone(), Loc::of(e).end);
            return Some(Sequence::new(
                syn::parse_quote_spanned!(at=> #row.len()),
                move |i| syn::parse_quote_spanned!(at=> &#row[#i]),
            ));
        }
        // A vector computed where it is iterated by a method of nalgebra values or an operator
        // (`l.diagonal().iter()`, `(a - b).iter()`):
        // computed once, held by a name no user writes, then iterated as a local one.
        // An array written where it is iterated (`[1.0, 2.0, 3.0].iter()`, `zip([a, b])`,
        // `vec![..].iter()`) likewise.
        let computed = match e {
            // (`.iter()` of a sum or difference compiles for vectors and matrices only.)
            Expr::Binary(_) | Expr::Array(_) | Expr::Repeat(_) => true,
            Expr::Macro(m) => m.mac.path.is_ident("vec"),
            Expr::MethodCall(m) => {
                m.method == "l"
                    || crate::rules::lookup(&m.method.to_string(), m.args.len() + 1)
                        .is_some_and(|r| r.kind.of_matrices() && r.kind.keeps_shape())
            }
            _ => false,
        };
        if computed {
            let at = Loc::of(e).end;
            let name = hidden(&format!("__tapeless_source{}", self.values.len()), at);
            let value = self.expr(e);
            self.declare(&name.to_string(), Some(value));
            return Some(Sequence::new(
                syn::parse_quote_spanned!(at=> #name.len()),
                move |i| syn::parse_quote_spanned!(at=> &#name[#i]),
            ));
        }
        // A local array, or a local nalgebra vector or matrix (`p.iter()` of a `&Vector5<f64>`
        // parameter: its entries in nalgebra's order, column by column, which `p[i]` reads).
        // Or any other collection named by a path or field (`data: &[(f64, f64)]`, `self.points`):
        // its elements are read as `data[i]`, constants (reading a differentiated one that way is
        // an error there).
        let nalgebra =
            || self.aggregate_or_leaf(e).is_some_and(|v| matches!(self.kind(v), Kind::Float | Kind::Heap));
        if !nalgebra() && self.local_array(e).is_none() && !self.indexable_collection(e) {
            return None;
        }
        // Spanned at the collection, so an error about them points there.
        let (base, at) = (e.clone(), Loc::of(e).end);
        Some(Sequence::new(
            syn::parse_quote_spanned!(at=> #base.len()),
            move |i| syn::parse_quote_spanned!(at=> &#base[#i]),
        ))
    }
}

impl Lowerer<'_> {
    /// `w` of `w.iter()` (or `&w`) if `w` is a nested-array parameter (`&[Vec<f64>]`).
    pub(super) fn rows_of(&self, e: &Expr) -> Option<Expr> {
        let base = match strip_parens(e) {
            Expr::MethodCall(m) if m.method == "iter" && m.args.is_empty() => &*m.receiver,
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            _ => return None,
        };
        let named = match base {
            Expr::Field(f) => matches!(&*f.base, Expr::Path(_)),
            e => matches!(e, Expr::Path(_)),
        };
        (named && self.nested_array(base)).then(|| base.clone())
    }

    /// Whether `e` names a collection read as `e[i]` up to `e.len()`: a field (`self.points`), a
    /// local, or a parameter declared as a slice, array, `Vec` or `VecDeque` (not an `Option`
    /// or a map, whose elements are not at indices).
    pub(super) fn indexable_collection(&self, e: &Expr) -> bool {
        match e {
            Expr::Field(_) => true,
            Expr::Path(_) => match self.aggregate_or_leaf(e).and_then(|v| self.param_types.get(&v)) {
                None => true,
                Some(ty) => {
                    let mut ty = ty;
                    while let syn::Type::Reference(r) = ty {
                        ty = &r.elem;
                    }
                    match ty {
                        syn::Type::Slice(_) | syn::Type::Array(_) => true,
                        syn::Type::Path(p) => {
                            p.path.segments.last().is_some_and(|s| s.ident == "Vec" || s.ident == "VecDeque")
                        }
                        _ => false,
                    }
                }
            },
            _ => false,
        }
    }
}
