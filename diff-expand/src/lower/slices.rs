//! Sub-slices of an array taken as values: `let tail = &x[1..];`, `g(&x[..n - 1])`,
//! `let (head, tail) = x.split_at(k);` and `x[a..b].to_vec()`. Each is a copy of the elements
//! it covers, made where the slice is taken, the way `collect` makes one:
//!
//! ```text
//! let tail = &x[1..];   =>  let tail = x[1..].iter().copied().collect::<Vec<f64>>();
//! ```
//!
//! which is the same computation: while a shared borrow of `x` lives Rust lets nothing write
//! `x`, so the copy holds what the slice shows. Its derivative flows back to the elements it
//! copied. A name bound so is passed to calls by reference (`Lowerer::borrows`), as the slice
//! was. (A sub-slice read in place, `x[1..].iter()`, is a chain source and copies nothing.)
//! Inside a loop or branch the copy is an array of a run-time length made there, anew each time
//! (`arrays::refilled`; in a loop since the forty-second session, which the lowering of such
//! arrays in loops of the forty-first made possible): one allocation per iteration that the
//! user's slice did not make.

use super::*;

impl Lowerer<'_> {
    /// `&x[range]` or `x[range]` of an array (a slice parameter or a local array): the copy of
    /// its elements, or `None` if `e` is not one.
    pub(super) fn sub_slice_copy(&mut self, e: &Expr) -> Option<Tree> {
        let inner = match e {
            Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
            e => e,
        };
        let Expr::Index(ix) = strip_parens(inner) else { return None };
        if !matches!(strip_parens(&ix.index), Expr::Range(_)) {
            return None;
        }
        let array = self.local_array(&ix.expr)?;
        // A copy is an array made where the slice is taken: inside a loop or branch, anew
        // there (`arrays::refilled`).
        let (element, at) = (&self.element, Loc::of(e).end);
        // Rows (`pts[..k].to_vec()` of `vec![[0.0; 2]; n]`): a `Vec` of `[T; _]`, the length
        // inferred from the rows written into it (it was `Vec<f64>`, rustc's type mismatch
        // inside generated code).
        let element: syn::Type = match self.holds_rows(array) {
            true => syn::parse_quote!([#element; _]),
            false => element.clone(),
        };
        let copy: Expr =
            syn::parse_quote_spanned!(at=> #ix.iter().copied().collect::<::std::vec::Vec<#element>>());
        let copy = self.expr(&copy);
        if let Tree::Leaf(v) = copy {
            self.slice_copies.insert(v);
        }
        Some(copy)
    }

    /// Whether the local array `a` holds rows of floats (points, `[f64; 2]`), not floats: made
    /// by `vec![[..]; n]` or `[[..]; n]` (also of a row bound first), or from elements that are
    /// arrays (a copy of a part of such an array is one of those: the collected
    /// `vec![[zero; _]; n]`).
    fn holds_rows(&self, a: Value) -> bool {
        match self.made_by(a).map(|(_, i)| &i.op) {
            // `vec![row; n]` with the row a value of its own (`[0.0; 2]` bound first).
            Some(Op::NewArray(ArrayInit::Constant { tokens, reads })) => {
                let text = tokens.to_string().replace(' ', "");
                text.starts_with("vec![[")
                    || text.starts_with("::std::vec![[")
                    || text.starts_with("[[")
                    || reads.first().is_some_and(|r| matches!(self.kind(*r), Kind::Array(_)))
            }
            Some(Op::NewArray(ArrayInit::Elements { elements, .. })) => {
                elements.first().is_some_and(|e| matches!(self.kind(*e), Kind::Array(_)))
            }
            _ => false,
        }
    }

    /// Names bound to arrays the user holds by reference, each passed to calls by reference:
    /// `let w = &v;` of a local `Vec` or fixed array (or of an array literal) binds `v` itself (while the borrow lives
    /// Rust lets nothing write `v`); `let tail = &x[1..];` and `let (head, tail) = x.split_at(k);`
    /// bind copies of the parts. `false` (nothing done) for another statement.
    pub(super) fn borrow_let(&mut self, local: &syn::Local) -> bool {
        let Some(init) = local.init.as_ref().filter(|init| init.diverge.is_none()) else { return false };
        match (&local.pat, &*init.expr) {
            // (And `let y0 = &[1.0, 0.0];` or `&[v; n]`: the array built, held by reference.)
            (Pat::Ident(p), Expr::Reference(r))
                if p.by_ref.is_none()
                    && p.subpat.is_none()
                    && r.mutability.is_none()
                    && (super::expressions::array_literal(&r.expr)
                        || self.aggregate_or_leaf(&r.expr).is_some_and(|v| {
                            matches!(self.kind(v), Kind::Array(ArrayKind::Vec | ArrayKind::Fixed))
                        })) =>
            {
                let value = self.expr(&r.expr);
                self.declare_borrow(&p.ident, value);
                true
            }
            (Pat::Ident(p), e) if plain_name(p) && matches!(e, Expr::Reference(_)) => {
                let Some(copy) = self.sub_slice_copy(e) else { return false };
                self.declare_borrow(&p.ident, copy);
                true
            }
            (Pat::Tuple(t), Expr::MethodCall(m)) if m.method == "split_at" && m.args.len() == 1 => {
                // Each part bound to a name, or to `_`.
                let names: Option<Vec<Option<&syn::Ident>>> = t
                    .elems
                    .iter()
                    .map(|p| match p {
                        Pat::Ident(p) if plain_name(p) => Some(Some(&p.ident)),
                        Pat::Wild(_) => Some(None),
                        _ => None,
                    })
                    .collect();
                let Some([head, tail]) = names.and_then(|n| <[_; 2]>::try_from(n).ok()) else { return false };
                if self.local_array(&m.receiver).is_none() {
                    return false;
                }
                let (x, k, at) = (&m.receiver, &m.args[0], Loc::of(m).end);
                let (first, rest): (Expr, Expr) =
                    (syn::parse_quote_spanned!(at=> #x[..#k]), syn::parse_quote_spanned!(at=> #x[#k..]));
                for (name, part) in [(head, first), (tail, rest)] {
                    if let Some(name) = name
                        && let Some(copy) = self.sub_slice_copy(&part)
                    {
                        self.declare_borrow(name, copy);
                    }
                }
                true
            }
            _ => false,
        }
    }

    /// Declares `name` bound to `value`, an array the user holds by reference.
    fn declare_borrow(&mut self, name: &syn::Ident, value: Tree) {
        let name = name.to_string();
        self.declare(&name, Some(value));
        if let Some(slot) = self.slot(&name) {
            self.borrows.insert(slot);
        }
    }
}

/// A pattern that binds a name and nothing else (no `ref`, `mut` or `@`).
fn plain_name(p: &syn::PatIdent) -> bool {
    p.by_ref.is_none() && p.mutability.is_none() && p.subpat.is_none()
}
