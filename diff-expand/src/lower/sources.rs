//! Iterator sources written in other ways than a method chain, rewritten before lowering into
//! the chains `lower::iterators` reads:
//!
//! ```text
//! std::iter::zip(a, b)                        a.into_iter().zip(b)
//! std::iter::repeat(e).take(n)                (0..n).map(|_| e)
//! let mut it = x.iter();                      for v in x.iter() { .. }
//! while let Some(v) = it.next() { .. }
//! ```
//!
//! (also `repeat_n(e, n)`, and `let it = x.iter(); for v in it { .. }`). A `collect()` given
//! straight to `DVector::from_vec` (`DVector::from_vec(x.iter().map(f).collect())`) is bound to
//! a local first, the form the constructor's lowering reads.
//!
//! `zip` also as `iter::zip` or `zip` (imported). The iterator variable of `while let` must be
//! mentioned nowhere else, and the statements between its `let` and the loop must not mention
//! what its initialiser reads (the chain then starts where the loop does, as the first `next()`
//! would have read it).

use quote::ToTokens;

use super::scan::{tokens_idents, tokens_mention as mentions};
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

/// `body` with such sources rewritten (`None` if it has none).
pub(super) fn rewrite(body: &syn::Block) -> Option<syn::Block> {
    let expr = |e: &Expr| zip_call(e).or_else(|| repeat_take(e)).or_else(|| collected_argument(e)).is_some();
    if !super::any_node(body, &expr, &|b| while_let_next(&b.stmts).is_some()) {
        return None;
    }
    let mut body = body.clone();
    let mut pass = Sources { changed: false };
    pass.visit_block_mut(&mut body);
    pass.changed.then_some(body)
}

struct Sources {
    changed: bool,
}

impl VisitMut for Sources {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let Some(rewritten) = zip_call(e).or_else(|| repeat_take(e)).or_else(|| collected_argument(e)) {
            *e = rewritten;
            self.changed = true;
        }
    }

    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        syn::visit_mut::visit_block_mut(self, block);
        while let Some(stmts) = while_let_next(&block.stmts) {
            block.stmts = stmts;
            self.changed = true;
        }
    }
}

/// The arguments of a call of `std::iter`'s function `name` with `arity` arguments (also
/// written `core::iter::name`, `iter::name`, or `name` alone).
fn iter_call<'e>(e: &'e Expr, name: &str, arity: usize) -> Option<Vec<&'e Expr>> {
    let Expr::Call(call) = e else { return None };
    let Expr::Path(f) = &*call.func else { return None };
    let segments: Vec<String> = f.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let named = match segments.iter().map(String::as_str).collect::<Vec<_>>()[..] {
        [f] | ["iter", f] | ["std" | "core", "iter", f] => f == name,
        _ => false,
    };
    (f.qself.is_none() && named && call.args.len() == arity).then(|| call.args.iter().collect())
}

/// `zip(a, b)` as `a.into_iter().zip(b)`.
fn zip_call(e: &Expr) -> Option<Expr> {
    let [a, b] = iter_call(e, "zip", 2)?[..] else { return None };
    let span = syn::spanned::Spanned::span(e);
    Some(match a {
        // `zip(&v, ..)`: `v.iter()`, which is what `IntoIterator` of `&v` gives.
        Expr::Reference(r)
            if r.mutability.is_none() && matches!(&*r.expr, Expr::Path(_) | Expr::Field(_)) =>
        {
            let v = &r.expr;
            syn::parse_quote_spanned!(span=> #v.iter().zip(#b))
        }
        Expr::Path(_) | Expr::Field(_) | Expr::MethodCall(_) => {
            syn::parse_quote_spanned!(span=> #a.into_iter().zip(#b))
        }
        a => syn::parse_quote_spanned!(span=> (#a).into_iter().zip(#b)),
    })
}

/// `repeat(e).take(n)` and `repeat_n(e, n)` as `(0..n).map(|_| e)`, for `e` a name or a
/// literal (evaluated once either way).
fn repeat_take(e: &Expr) -> Option<Expr> {
    let (value, n) = match e {
        Expr::MethodCall(take) if take.method == "take" && take.args.len() == 1 => {
            (*iter_call(&take.receiver, "repeat", 1)?.first()?, &take.args[0])
        }
        e => match iter_call(e, "repeat_n", 2)?[..] {
            [value, n] => (value, n),
            _ => return None,
        },
    };
    if !matches!(value, Expr::Path(_) | Expr::Lit(_)) {
        return None;
    }
    let span = syn::spanned::Spanned::span(e);
    Some(syn::parse_quote_spanned!(span=> (0..#n).map(|_| #value)))
}

/// `DVector::from_vec(chain.collect())`: `{ let __tapeless_collected: Vec<_> = chain.collect();
/// DVector::from_vec(__tapeless_collected) }`.
fn collected_argument(e: &Expr) -> Option<Expr> {
    let Expr::Call(call) = e else { return None };
    let Expr::Path(f) = &*call.func else { return None };
    let names: Vec<String> = f.path.segments.iter().map(|s| s.ident.to_string()).collect();
    let constructor =
        names.len() >= 2 && names[names.len() - 2] == "DVector" && names[names.len() - 1] == "from_vec";
    let last = call.args.last()?;
    let collected = matches!(last, Expr::MethodCall(m) if m.method == "collect");
    if !constructor || !collected {
        return None;
    }
    let span = syn::spanned::Spanned::span(last);
    let local = syn::Ident::new("__tapeless_collected", span);
    let mut call = call.clone();
    let value = call.args.pop()?.into_value();
    call.args.push(syn::parse_quote_spanned!(span=> #local));
    // `from_vec` takes a `Vec`: the type an untyped `collect()` gets.
    Some(syn::parse_quote_spanned!(span=> { let #local: ::std::vec::Vec<_> = #value; #call }))
}

/// The statements with the first `let mut it = e;` .. `while let Some(p) = it.next() { .. }`
/// made `for p in e { .. }`, if there is one.
fn while_let_next(stmts: &[Stmt]) -> Option<Vec<Stmt>> {
    for (k, stmt) in stmts.iter().enumerate() {
        let Stmt::Local(local) = stmt else { continue };
        let syn::Pat::Ident(pat) = &local.pat else { continue };
        let Some(init) = local.init.as_ref().filter(|i| i.diverge.is_none()) else { continue };
        let name = pat.ident.to_string();
        let Some(offset) = stmts[k + 1..].iter().position(|s| mentions(s.to_token_stream(), &name)) else {
            continue;
        };
        let at = k + 1 + offset;
        let Some((pattern, body, label)) = next_loop(&stmts[at], &name) else { continue };
        // The iterator is used by that loop only, and what it reads is not touched before it.
        if stmts[at + 1..].iter().any(|s| mentions(s.to_token_stream(), &name))
            || mentions(body.to_token_stream(), &name)
        {
            continue;
        }
        let mut read = Vec::new();
        tokens_idents(init.expr.to_token_stream(), &mut read);
        if stmts[k + 1..at].iter().any(|s| read.iter().any(|r| mentions(s.to_token_stream(), r))) {
            continue;
        }
        let source = &init.expr;
        let span = syn::spanned::Spanned::span(&stmts[at]);
        let for_loop: Stmt = syn::parse_quote_spanned!(span=> #label for #pattern in #source #body);
        let mut out = stmts[..k].to_vec();
        out.extend(stmts[k + 1..at].iter().cloned());
        out.push(for_loop);
        out.extend(stmts[at + 1..].iter().cloned());
        return Some(out);
    }
    None
}

/// `while let Some(p) = it.next() { body }` or `for p in it { body }` (a statement): its
/// pattern, body and label.
fn next_loop(stmt: &Stmt, name: &str) -> Option<(syn::Pat, syn::Block, Option<syn::Label>)> {
    if let Stmt::Expr(Expr::ForLoop(f), _) = stmt
        && matches!(&*f.expr, Expr::Path(p) if p.path.is_ident(name))
    {
        return Some(((*f.pat).clone(), f.body.clone(), f.label.clone()));
    }
    let Stmt::Expr(Expr::While(w), _) = stmt else { return None };
    let Expr::Let(l) = &*w.cond else { return None };
    let syn::Pat::TupleStruct(some) = &*l.pat else { return None };
    if !some.path.is_ident("Some") || some.elems.len() != 1 {
        return None;
    }
    let Expr::MethodCall(next) = &*l.expr else { return None };
    let receiver_is_it = matches!(&*next.receiver, Expr::Path(p) if p.path.is_ident(name));
    if next.method != "next" || !next.args.is_empty() || !receiver_is_it {
        return None;
    }
    Some((some.elems[0].clone(), w.body.clone(), w.label.clone()))
}
