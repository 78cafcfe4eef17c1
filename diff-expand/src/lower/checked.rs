//! The `Option`s of linear algebra (`m.try_inverse()`, `a.lu().solve(&b)` and of `qr` and
//! `full_piv_lu`, `a.cholesky()`) read other than by `unwrap`, rewritten before lowering into a
//! test kept as written on constant copies and the unwrapped value, which `lower::solves`
//! differentiates:
//!
//! ```text
//! if let Some(inv) = m.try_inverse() { A } else { B }
//!   =>  if no_grad(m.try_inverse().is_some()) { let inv = m.try_inverse().unwrap(); A } else { B }
//! match a.lu().solve(&b) { Some(x) => A, None => B }      (the same)
//! m.try_inverse().unwrap_or(fallback)   =>  if no_grad(..is_some()) { ..unwrap() } else { fallback }
//! m.try_inverse().map_or(fallback, |inv| A), .map(|inv| A).unwrap_or(fallback), map_or_else
//!                                       =>  if no_grad(..is_some()) { let inv = ..unwrap(); A } else { fallback }
//! ```
//!
//! (`?` of them leaves a function returning `Option` or `Result`: `lower::results`.) Which branch
//! runs changes only where the matrix is singular: the derivative is that of the branch that
//! runs, as for a guard.

use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

/// Whether `e` is an `Option` of linear algebra.
pub(super) fn optional(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => optional(&p.expr),
        Expr::MethodCall(m) if m.args.is_empty() => m.method == "try_inverse" || m.method == "cholesky",
        Expr::MethodCall(m) if m.method == "solve" && m.args.len() == 1 => matches!(&*m.receiver,
            Expr::MethodCall(d) if d.args.is_empty() && super::solves::SOLVERS.iter().any(|s| d.method == s)),
        _ => false,
    }
}

/// `body` with the forms above rewritten (`None` if it has none).
pub(super) fn checked_options(body: &syn::Block) -> Option<syn::Block> {
    if !super::any_node(body, &|e| rewritten(e).is_some(), &|_| false) {
        return None;
    }
    let mut body = body.clone();
    let mut rewrite = Rewrite(false);
    rewrite.visit_block_mut(&mut body);
    rewrite.0.then_some(body)
}

struct Rewrite(bool);

/// `Some(p)`: `p`.
fn some_binding(pat: &Pat) -> Option<&Pat> {
    match pat {
        Pat::TupleStruct(t) if t.path.is_ident("Some") && t.elems.len() == 1 => t.elems.first(),
        _ => None,
    }
}

impl VisitMut for Rewrite {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let Some(r) = rewritten(e) {
            *e = r;
            self.0 = true;
        }
    }
}

/// `|p| body` (a closure of one argument): its pattern and body.
fn one_argument(e: &Expr) -> Option<(&Pat, &Expr)> {
    match e {
        Expr::Closure(c) if c.inputs.len() == 1 => Some((&c.inputs[0], &c.body)),
        _ => None,
    }
}

/// `e` rewritten, if it is one of the shapes above.
fn rewritten(e: &Expr) -> Option<Expr> {
    // Taken only for a shape rewritten below: `span()` prints the expression.
    let span = || syn::spanned::Spanned::span(e);
    let test =
        |opt: &Expr| -> Expr { syn::parse_quote_spanned!(span()=> ::tapeless::no_grad(#opt.is_some())) };
    match e {
        // `if let Some(x) = opt { A } else { B }`
        Expr::If(i) => match &*i.cond {
            Expr::Let(l) if optional(&l.expr) => some_binding(&l.pat).map(|p| {
                let (opt, then, test) = (&l.expr, &i.then_branch.stmts, test(&l.expr));
                let otherwise = i.else_branch.as_ref().map(|(_, b)| quote::quote!(else #b));
                syn::parse_quote_spanned!(span()=> if #test { let #p = #opt.unwrap(); #(#then)* } #otherwise)
            }),
            _ => None,
        },
        // `match opt { Some(x) => A, None | _ => B }`
        Expr::Match(m)
            if optional(&m.expr) && m.arms.len() == 2 && m.arms.iter().all(|a| a.guard.is_none()) =>
        {
            let (some, none) = match (some_binding(&m.arms[0].pat), some_binding(&m.arms[1].pat)) {
                (Some(p), None) => (Some((p, &m.arms[0].body)), &m.arms[1]),
                (None, Some(p)) => (Some((p, &m.arms[1].body)), &m.arms[0]),
                _ => (None, &m.arms[0]),
            };
            let none_pattern = matches!(&none.pat, Pat::Wild(_))
                || matches!(&none.pat, Pat::Ident(i) if i.ident == "None" && i.subpat.is_none())
                || matches!(&none.pat, Pat::Path(p) if p.path.is_ident("None"));
            some.filter(|_| none_pattern).map(|(p, a)| {
                let (opt, b, test) = (&m.expr, &none.body, test(&m.expr));
                syn::parse_quote_spanned!(span()=> if #test { let #p = #opt.unwrap(); #a } else { #b })
            })
        }
        // `opt.map_or(fallback, |x| A)`, `opt.map_or_else(|| fallback, |x| A)`,
        // `opt.map(|x| A).unwrap_or(fallback)`
        Expr::MethodCall(m) if optional(&m.receiver) && m.args.len() == 2 => {
            let (opt, test) = (&m.receiver, test(&m.receiver));
            let fallback = match (m.method.to_string().as_str(), &m.args[0]) {
                ("map_or", fallback) => fallback.clone(),
                ("map_or_else", Expr::Closure(c)) if c.inputs.is_empty() => (*c.body).clone(),
                _ => return None,
            };
            let (p, body) = one_argument(&m.args[1])?;
            Some(
                syn::parse_quote_spanned!(span()=> if #test { let #p = #opt.unwrap(); #body } else { #fallback }),
            )
        }
        Expr::MethodCall(m)
            if m.method == "unwrap_or"
                && m.args.len() == 1
                && let Expr::MethodCall(map) = &*m.receiver
                && map.method == "map"
                && map.args.len() == 1
                && optional(&map.receiver) =>
        {
            let (opt, test, fallback) = (&map.receiver, test(&map.receiver), &m.args[0]);
            let (p, body) = one_argument(&map.args[0])?;
            Some(
                syn::parse_quote_spanned!(span()=> if #test { let #p = #opt.unwrap(); #body } else { #fallback }),
            )
        }
        // `opt.unwrap_or(fallback)`, `opt.unwrap_or_else(|| fallback)`
        Expr::MethodCall(m) if optional(&m.receiver) && m.args.len() == 1 => {
            let (opt, arg, test) = (&m.receiver, &m.args[0], test(&m.receiver));
            match m.method.to_string().as_str() {
                "unwrap_or" => {
                    Some(syn::parse_quote_spanned!(span()=> if #test { #opt.unwrap() } else { #arg }))
                }
                "unwrap_or_else" => match arg {
                    Expr::Closure(c) if c.inputs.is_empty() => {
                        let body = &c.body;
                        Some(syn::parse_quote_spanned!(span()=> if #test { #opt.unwrap() } else { #body }))
                    }
                    _ => None,
                },
                _ => None,
            }
        }
        _ => None,
    }
}
