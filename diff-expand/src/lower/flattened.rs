//! `flat_map` and `flatten`, rewritten before lowering into the nested chains and loops
//! `lower::iterators` reads. A chain is a length and an element at an index; a flattened one has
//! neither, but its ends and its `for` loop are the same over each inner sequence in turn:
//!
//! ```text
//! (0..n).flat_map(|i| (i + 1..n).map(move |j| (i, j)))     (0..n).map(|i| (i + 1..n)
//!     .map(|(i, j)| d(i, j)).sum::<f64>()                       .map(move |j| (i, j))
//!                                                               .map(|(i, j)| d(i, j)).sum::<f64>())
//!                                                           .sum::<f64>()
//! a.flat_map(f).fold(z, g)                                  a.fold(z, |acc, p| f(p).fold(acc, g))
//! a.flat_map(f).any(p)                                      a.any(|q| f(q).any(p))
//! for e in a.flat_map(f) { body }                           for q in a { for e in f(q) { body } }
//! ps.iter().flatten()                                       ps.iter().flat_map(|r| r.into_iter())
//! ```
//!
//! Only adaptors that act on each element alone (`map`, `filter`, `filter_map`, `copied`,
//! `cloned`) may stand between the `flat_map` and the end, since they move inside unchanged; a
//! `for` body with a `break` of that loop (`scan::Jumps`; one of a loop nested in it is fine) is
//! left as written (the break would leave only the inner loop).
//! The closure's parameters are renamed apart first (`scan::parameters_renamed_apart`), so the
//! adaptors moved inside its body cannot take its parameter for a local of the same name. What
//! is left as written gets the usual errors.

use proc_macro2::Span;
use quote::quote_spanned;
use syn::visit_mut::VisitMut;
use syn::{Expr, ExprClosure, ExprMethodCall};

/// `body` with its flattened chains rewritten (`None` if it has none).
pub(super) fn rewrite(body: &syn::Block) -> Option<syn::Block> {
    let mentions =
        |e: &Expr| matches!(e, Expr::MethodCall(m) if m.method == "flat_map" || m.method == "flatten");
    if !super::any_node(body, &mentions, &|_| false) {
        return None;
    }
    let mut body = body.clone();
    let mut pass = Flatten { changed: false };
    pass.visit_block_mut(&mut body);
    pass.changed.then_some(body)
}

struct Flatten {
    changed: bool,
}

impl VisitMut for Flatten {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        // An inner chain may hold a `flat_map` of its own (written inside, or moved there).
        while let Some(rewritten) = end_of_flattened(e).or_else(|| loop_over_flattened(e)) {
            *e = rewritten;
            self.changed = true;
            syn::visit_mut::visit_expr_mut(self, e);
        }
    }
}

/// The adaptors that act on each element alone, which move into the inner chain unchanged.
const ELEMENTWISE: [&str; 5] = ["map", "filter", "filter_map", "copied", "cloned"];

/// A flattened chain: what comes before `flat_map` (`outer`), its closure with the parameters
/// renamed apart, and the element-wise adaptors after it, nearest first.
struct Flattened<'e> {
    outer: &'e Expr,
    closure: ExprClosure,
    after: Vec<&'e ExprMethodCall>,
    span: Span,
}

/// `e` read as `outer.flat_map(f)` (or `outer.flatten()`) followed by element-wise adaptors.
fn flattened(e: &Expr) -> Option<Flattened<'_>> {
    let mut after = Vec::new();
    let mut at = e;
    loop {
        let Expr::MethodCall(m) = at else { return None };
        let name = m.method.to_string();
        let span = m.method.span();
        match name.as_str() {
            "flat_map" if m.args.len() == 1 => {
                let Expr::Closure(c) = &m.args[0] else { return None };
                if c.inputs.len() != 1 {
                    return None;
                }
                let closure = super::scan::parameters_renamed_apart(c)?;
                after.reverse();
                return Some(Flattened { outer: &m.receiver, closure, after, span });
            }
            "flatten" if m.args.is_empty() => {
                let row = super::iterators::hidden("__tapeless_row", span);
                let closure: ExprClosure =
                    syn::parse2(quote_spanned!(span=> |#row| #row.into_iter())).ok()?;
                after.reverse();
                return Some(Flattened { outer: &m.receiver, closure, after, span });
            }
            _ if ELEMENTWISE.contains(&name.as_str()) => {
                after.push(m);
                at = &m.receiver;
            }
            _ => return None,
        }
    }
}

impl Flattened<'_> {
    /// The closure's body with the adaptors after the `flat_map` applied, then `end` (a method
    /// call with its receiver left to fill): pushed into a block's tail, the source in
    /// parentheses where a method call on it would parse otherwise (`a..b`).
    fn inner(&self, end: Option<&ExprMethodCall>) -> Option<Expr> {
        fn onto(receiver: Expr, calls: &[&ExprMethodCall]) -> Expr {
            calls.iter().fold(receiver, |r, m| {
                let mut m = (*m).clone();
                m.receiver = Box::new(r);
                Expr::MethodCall(m)
            })
        }
        let calls: Vec<&ExprMethodCall> = self.after.iter().copied().chain(end).collect();
        let mut body = (*self.closure.body).clone();
        match &mut body {
            Expr::Block(b) => {
                let Some(syn::Stmt::Expr(tail, None)) = b.block.stmts.last_mut() else { return None };
                *tail = onto(postfix(tail.clone()), &calls);
                Some(body)
            }
            _ => Some(onto(postfix(body), &calls)),
        }
    }

    /// The closure's parameter pattern.
    fn parameter(&self) -> &syn::Pat {
        &self.closure.inputs[0]
    }
}

/// `e`, in parentheses unless a method call on it reads as written.
fn postfix(e: Expr) -> Expr {
    match e {
        Expr::MethodCall(_)
        | Expr::Path(_)
        | Expr::Call(_)
        | Expr::Paren(_)
        | Expr::Field(_)
        | Expr::Index(_) => e,
        e => syn::parse_quote!((#e)),
    }
}

/// `outer.flat_map(f).after.end(..)` for the ends `sum`, `product`, `count`, `any`, `all` and
/// `fold`, as the end over `outer` of the end over each inner sequence.
fn end_of_flattened(e: &Expr) -> Option<Expr> {
    let Expr::MethodCall(end) = e else { return None };
    let name = end.method.to_string();
    let arity = match name.as_str() {
        "sum" | "product" | "count" => 0,
        "any" | "all" => 1,
        "fold" => 2,
        _ => return None,
    };
    if end.args.len() != arity {
        return None;
    }
    let f = flattened(&end.receiver)?;
    let (outer, param, span) = (f.outer, f.parameter(), f.span);
    // The inner chain's end: the same, but a `fold` from the outer one's accumulator.
    let acc = super::iterators::hidden("__tapeless_acc", span);
    let mut inner_end = end.clone();
    if name == "fold" {
        inner_end.args[0] = syn::parse_quote!(#acc);
    }
    let inner = f.inner(Some(&inner_end))?;
    let (method, turbofish) = (&end.method, &end.turbofish);
    parse(match name.as_str() {
        "fold" => {
            let init = &end.args[0];
            quote_spanned!(span=> #outer.fold(#init, |#acc, #param| #inner))
        }
        "any" | "all" => quote_spanned!(span=> #outer.#method(|#param| #inner)),
        "count" => quote_spanned!(span=> #outer.map(|#param| #inner).sum::<usize>()),
        _ => quote_spanned!(span=> #outer.map(|#param| #inner).#method #turbofish()),
    })
}

/// `for e in outer.flat_map(f).after { body }` as `for q in outer { for e in f(q).after { body } }`,
/// unless the loop has a label or its body a `break` of it.
fn loop_over_flattened(e: &Expr) -> Option<Expr> {
    let Expr::ForLoop(l) = e else { return None };
    let mut jumps = super::scan::Jumps::default();
    syn::visit::Visit::visit_block(&mut jumps, &l.body);
    if l.label.is_some() || jumps.breaks {
        return None;
    }
    let f = flattened(&l.expr)?;
    let inner = f.inner(None)?;
    let (outer, param, pat, body, span) = (f.outer, f.parameter(), &l.pat, &l.body, f.span);
    // A closure's parameter may carry its type (`|i: usize|`), a loop's pattern may not.
    let param = match param {
        syn::Pat::Type(t) => &*t.pat,
        p => p,
    };
    let attrs = &l.attrs;
    parse(quote_spanned!(span=> #(#attrs)* for #param in #outer { for #pat in #inner #body }))
}

/// The rewritten expression, or `None` where the pieces put together do not parse (the chain is
/// then left as written).
fn parse(tokens: proc_macro2::TokenStream) -> Option<Expr> {
    syn::parse2(tokens).ok()
}
