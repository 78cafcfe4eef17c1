//! Loops that write through `iter_mut()`: each element is a place of a local array, so the name
//! bound to it is replaced by that place in the body, the way a careful hand writes the loop
//! over indices:
//!
//! ```text
//! for (o, &xi) in out.iter_mut().zip(x) { *o = xi.sin(); }
//!   =>  for i in 0..min(out.len(), x.len()) { let xi = x[i]; out[i] = xi.sin(); }
//! ```
//!
//! The chain is described by `lower::iterators` (an `iter_mut()` source gives the items
//! `&mut out[i]`); here the binding is split: a name matched with such an item is not bound,
//! and `*o` (read or written) and `o.method(..)` become `out[i]`; any other use of `o` is
//! reported. The rest of the pattern is bound as usual.

use super::*;

/// A name bound to a mutable place, and the place.
pub(super) type Place = (syn::Ident, Expr);

/// `pat` matched with `item`: the names bound to a `&mut place` item (pushed to `found`), and the
/// rest of the binding, if any remains.
pub(super) fn split_places(pat: &Pat, item: &Expr, found: &mut Vec<Place>) -> Option<(Pat, Expr)> {
    split_binding(pat, item, found, &|pat, item| match (pat, item) {
        (Pat::Ident(p), Expr::Reference(r))
            if r.mutability.is_some() && p.by_ref.is_none() && p.subpat.is_none() =>
        {
            Some((p.ident.clone(), (*r.expr).clone()))
        }
        _ => None,
    })
}

/// `pat` matched with `item`, tuples taken apart side by side: each name that `take` claims
/// with its item (returning the name and what replaces it) is pushed to `found`; the rest of the
/// binding is returned, if any remains.
pub(super) fn split_binding(
    pat: &Pat,
    item: &Expr,
    found: &mut Vec<Place>,
    take: &dyn Fn(&Pat, &Expr) -> Option<Place>,
) -> Option<(Pat, Expr)> {
    if let Some(taken) = take(pat, item) {
        found.push(taken);
        return None;
    }
    match (pat, item) {
        (Pat::Paren(p), item) => split_binding(&p.pat, item, found, take),
        (pat, Expr::Paren(e)) => split_binding(pat, &e.expr, found, take),
        (Pat::Tuple(pt), Expr::Tuple(et)) if pt.elems.len() == et.elems.len() => {
            let before = found.len();
            let kept: Vec<(Pat, Expr)> = pt
                .elems
                .iter()
                .zip(&et.elems)
                .filter_map(|(p, e)| split_binding(p, e, found, take))
                .collect();
            if found.len() == before {
                return Some((pat.clone(), item.clone()));
            }
            match kept.len() {
                0 => None,
                1 => kept.into_iter().next(),
                _ => {
                    let (pats, items): (Vec<Pat>, Vec<Expr>) = kept.into_iter().unzip();
                    Some((syn::parse_quote!((#(#pats),*)), syn::parse_quote!((#(#items),*))))
                }
            }
        }
        _ => Some((pat.clone(), item.clone())),
    }
}

/// `body` with each name of `places` replaced by its place where it is dereferenced (`*o`) or
/// a method's receiver (`o.abs()`), or the location of another use of one.
pub(super) fn substitute(body: &Expr, places: &[Place]) -> Result<Expr, (Loc, Unsupported<'static>)> {
    struct Subst<'a> {
        places: &'a [Place],
        misuse: Option<(Loc, Unsupported<'static>)>,
    }
    impl Subst<'_> {
        /// The place `e` names, moved to `at` (where an error about it points).
        fn place(&self, e: &Expr, at: &dyn ToTokens) -> Option<Expr> {
            let Expr::Path(p) = e else { return None };
            let (_, place) = self.places.iter().find(|(name, _)| p.path.is_ident(name))?;
            let at = Loc::of(at);
            let tokens = super::respan(place.to_token_stream(), &|span| span.located_at(at.start));
            syn::parse2(tokens).ok()
        }
    }
    impl VisitMut for Subst<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            match e {
                Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => {
                    if let Some(place) = self.place(&u.expr, &*u) {
                        *e = place;
                    } else {
                        syn::visit_mut::visit_expr_mut(self, e);
                    }
                }
                Expr::MethodCall(m) => {
                    if let Some(place) = self.place(&m.receiver, &m.receiver) {
                        *m.receiver = place;
                    } else {
                        self.visit_expr_mut(&mut m.receiver);
                    }
                    for arg in m.args.iter_mut() {
                        self.visit_expr_mut(arg);
                    }
                }
                // `p.vel.y -= ..` of an element that is a struct: its fields are not followed.
                Expr::Field(f) if matches!(&*f.base, Expr::Path(p) if self.places.iter().any(|(name, _)| p.path.is_ident(name))) =>
                {
                    self.misuse.get_or_insert((Loc::of(&*f), unsupported::ITER_MUT_ELEMENT_FIELD));
                }
                Expr::Path(p) if self.places.iter().any(|(name, _)| p.path.is_ident(name)) => {
                    self.misuse.get_or_insert((Loc::of(&*p), unsupported::ITER_MUT_ELEMENT_PASSED_ON));
                }
                // A closure that rebinds a name hides it.
                Expr::Closure(c)
                    if c.inputs.iter().any(|p| {
                        let bound = super::scan::bound_names(p);
                        self.places.iter().any(|(name, _)| bound.contains(name))
                    }) => {}
                e => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
    }
    let mut subst = Subst { places, misuse: None };
    let mut body = body.clone();
    subst.visit_expr_mut(&mut body);
    match subst.misuse {
        Some(misuse) => Err(misuse),
        None => Ok(body),
    }
}
