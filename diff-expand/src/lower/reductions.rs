//! Reductions to one element: `max_by(cmp).unwrap()`, `min_by`, `reduce(f).unwrap()` (and with
//! `.unwrap_or(c)`), lowered as a loop from the first element of a chain
//! ([`super::iterators`]'s sequences), and the comparators that are the floats' own order.

use super::iterators::{hidden, strip_references};
use super::*;

impl Lowerer<'_> {
    /// `chain.max_by(cmp).unwrap()`, `min_by`, `reduce(f).unwrap()`: a loop from the first
    /// element. The comparison of `max_by`/`min_by` is a branch (marked for its message), so on a
    /// differentiated value it is an error unless written with `piecewise` inside, or the
    /// floats' own order ([`natural_order`], a `piecewise` branch). With
    /// `otherwise` (`.unwrap_or(c)`), an empty sequence gives `c` (a branch on the length).
    pub(super) fn best_of(&mut self, m: &syn::ExprMethodCall, otherwise: Option<&Expr>) -> Option<Tree> {
        let s = m.method.span();
        let name = m.method.to_string();
        if !matches!(name.as_str(), "max_by" | "min_by" | "reduce") || m.args.len() != 1 {
            return None;
        }
        let seq = self.plain(&m.receiver)?;
        let i = self.chain_index(s);
        let best = hidden("__tapeless_best", s);
        let (first, item) = (
            strip_references((seq.item)(syn::parse_quote_spanned!(s=> 0usize))),
            strip_references((seq.item)(syn::parse_quote_spanned!(s=> #i))),
        );
        let (len, f) = (&seq.len, &m.args[0]);
        let step: syn::Stmt = match name.as_str() {
            "reduce" => syn::parse_quote_spanned!(s=> #best = (#f)(#best, __tapeless_item);),
            _ => {
                let wins = if name == "max_by" { quote::quote!(Greater) } else { quote::quote!(Less) };
                let mut call = proc_macro2::Group::new(
                    proc_macro2::Delimiter::Parenthesis,
                    quote::quote_spanned!(s=> (#f)(&__tapeless_item, &#best) == ::core::cmp::Ordering::#wins),
                );
                call.set_span(Loc::of(f).end);
                // The floats' own order (`|a, b| a.partial_cmp(b).unwrap()`, `f64::total_cmp`):
                // the best is the largest or smallest value, continuous like `max`, so the
                // comparison is `piecewise` (the derivative is the chosen element's, as `max`'s
                // at a tie). Any other comparison (by a key) keeps the mark for its message.
                let marker = if natural_order(f) {
                    syn::Ident::new("piecewise", Loc::of(f).start)
                } else {
                    syn::Ident::new("__tapeless_compare", Loc::of(f).start)
                };
                syn::parse_quote_spanned!(s=> if #marker #call { #best = __tapeless_item; })
            }
        };
        let block: Expr = syn::parse_quote_spanned!(s=> {
            let mut #best = #first;
            for #i in 1..#len {
                let __tapeless_item = #item;
                #step
            }
            #best
        });
        let block = match otherwise {
            Some(c) => syn::parse_quote_spanned!(s=> if #len == 0 { #c } else #block),
            None => block,
        };
        Some(self.expr(&block))
    }
}

/// Whether a comparator of `max_by`/`min_by` is the floats' own order, either way round:
/// `|a, b| a.partial_cmp(b).unwrap()` (or `.expect(..)`, `.unwrap_or(..)`), `|a, b|
/// b.total_cmp(a)`, with `&`/`*` on the operands, or the path `f64::total_cmp`.
fn natural_order(f: &Expr) -> bool {
    fn name(e: &Expr) -> Option<String> {
        match e {
            Expr::Paren(p) => name(&p.expr),
            Expr::Reference(r) => name(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => name(&u.expr),
            Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            _ => None,
        }
    }
    fn param(p: &syn::Pat) -> Option<String> {
        match p {
            syn::Pat::Ident(i) => Some(i.ident.to_string()),
            syn::Pat::Reference(r) => param(&r.pat),
            syn::Pat::Type(t) => param(&t.pat),
            _ => None,
        }
    }
    let c = match f {
        Expr::Path(p) => return p.path.segments.last().is_some_and(|s| s.ident == "total_cmp"),
        Expr::Closure(c) => c,
        _ => return false,
    };
    let params: Vec<String> = c.inputs.iter().filter_map(param).collect();
    let [a, b] = params.as_slice() else { return false };
    let mut body = &*c.body;
    while let Expr::Paren(p) = body {
        body = &p.expr;
    }
    if let Expr::Block(block) = body
        && let [Stmt::Expr(e, None)] = block.block.stmts.as_slice()
    {
        body = e;
    }
    // `partial_cmp` gives an `Option`, which `max_by` does not take: rustc has checked it is
    // unwrapped (`unwrap`, `expect`, `unwrap_or`).
    let compared = match body {
        Expr::MethodCall(m) if matches!(m.method.to_string().as_str(), "unwrap" | "expect" | "unwrap_or") => {
            &*m.receiver
        }
        e => e,
    };
    let Expr::MethodCall(cmp) = compared else { return false };
    let [arg] = cmp.args.iter().collect::<Vec<_>>()[..] else { return false };
    let operands = [name(&cmp.receiver), name(arg)];
    matches!(cmp.method.to_string().as_str(), "partial_cmp" | "total_cmp")
        && a != b
        && (operands == [Some(a.clone()), Some(b.clone())] || operands == [Some(b.clone()), Some(a.clone())])
}
