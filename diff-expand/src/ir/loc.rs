//! The first and last token of an expression, found without printing it.
//!
//! [`Loc::of`] prints its syntax to tokens and keeps the first and last span. Lowering asks for
//! the location of every expression it visits, so over a nested expression that printing is
//! repeated at every level (quadratic in the depth), and inside rustc every printed token is a
//! call across the proc-macro bridge. [`Loc::of_expr`] walks down the outermost operands of the
//! common expressions instead, and falls back to printing for the rest.

use proc_macro2::Span;
use syn::Expr;

use super::Loc;

impl Loc {
    /// The location of an expression: the same as [`Loc::of`], found without printing it for
    /// the common expressions.
    pub fn of_expr(e: &Expr) -> Loc {
        match (first(e), last(e)) {
            (Some(start), Some(end)) => Loc { start, end },
            _ => Loc::of(e),
        }
    }

    /// The location of a binary operation, as [`Loc::of_expr`].
    pub fn of_binary(b: &syn::ExprBinary) -> Loc {
        if b.attrs.is_empty() {
            Loc { start: Loc::of_expr(&b.left).start, end: Loc::of_expr(&b.right).end }
        } else {
            Loc::of(b)
        }
    }
}

/// The span of the first token of `e`, if it is found without printing.
fn first(e: &Expr) -> Option<Span> {
    match e {
        Expr::Binary(b) if b.attrs.is_empty() => first(&b.left),
        Expr::Assign(a) if a.attrs.is_empty() => first(&a.left),
        Expr::MethodCall(m) if m.attrs.is_empty() => first(&m.receiver),
        Expr::Field(f) if f.attrs.is_empty() => first(&f.base),
        Expr::Index(i) if i.attrs.is_empty() => first(&i.expr),
        Expr::Call(c) if c.attrs.is_empty() => first(&c.func),
        Expr::Cast(c) if c.attrs.is_empty() => first(&c.expr),
        Expr::Try(t) if t.attrs.is_empty() => first(&t.expr),
        Expr::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.join()),
        Expr::Tuple(t) if t.attrs.is_empty() => Some(t.paren_token.span.join()),
        Expr::Array(a) if a.attrs.is_empty() => Some(a.bracket_token.span.join()),
        Expr::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => match &p.path.leading_colon {
            Some(colon) => Some(colon.spans[0]),
            None => p.path.segments.first().map(|s| s.ident.span()),
        },
        Expr::Unary(u) if u.attrs.is_empty() => Some(match u.op {
            syn::UnOp::Deref(t) => t.span,
            syn::UnOp::Not(t) => t.span,
            syn::UnOp::Neg(t) => t.span,
            _ => return None,
        }),
        Expr::Reference(r) if r.attrs.is_empty() => Some(r.and_token.span),
        _ => None,
    }
}

/// The span of the last token of `e`, if it is found without printing.
fn last(e: &Expr) -> Option<Span> {
    match e {
        Expr::Binary(b) if b.attrs.is_empty() => last(&b.right),
        Expr::Assign(a) if a.attrs.is_empty() => last(&a.right),
        Expr::MethodCall(m) if m.attrs.is_empty() => Some(m.paren_token.span.join()),
        Expr::Field(f) if f.attrs.is_empty() => Some(match &f.member {
            syn::Member::Named(ident) => ident.span(),
            syn::Member::Unnamed(index) => index.span,
        }),
        Expr::Index(i) if i.attrs.is_empty() => Some(i.bracket_token.span.join()),
        Expr::Call(c) if c.attrs.is_empty() => Some(c.paren_token.span.join()),
        Expr::Try(t) if t.attrs.is_empty() => Some(t.question_token.span),
        Expr::Paren(p) if p.attrs.is_empty() => Some(p.paren_token.span.join()),
        Expr::Tuple(t) if t.attrs.is_empty() => Some(t.paren_token.span.join()),
        Expr::Array(a) if a.attrs.is_empty() => Some(a.bracket_token.span.join()),
        Expr::Lit(l) if l.attrs.is_empty() => Some(l.lit.span()),
        Expr::Path(p) if p.attrs.is_empty() && p.qself.is_none() => {
            let segment = p.path.segments.last()?;
            segment.arguments.is_none().then(|| segment.ident.span())
        }
        Expr::Unary(u) if u.attrs.is_empty() => last(&u.expr),
        Expr::Reference(r) if r.attrs.is_empty() => last(&r.expr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The spans as line and column, to compare.
    fn at(loc: Loc) -> [(usize, usize); 2] {
        [loc.start, loc.end].map(|s| (s.start().line, s.start().column))
    }

    #[test]
    fn the_walk_finds_the_tokens_printing_finds() {
        let source = "fn f() {
            (a * 0.999 + b * 0.001).sin();
            -x.powi(2) + ::core::f64::consts::PI * v[i + 1];
            &m.column(0) + (p.0 as f64) * q.field;
            f::<f64>(x)? * !flag;
            [x, y, z].iter().map(|v| v * v).sum::<f64>();
            *r + Vec::<f64>::new().len() as f64;
            (x, y).0 + <f64 as Real>::exp(x);
            a = (a * 0.999 + b * 0.001).sin();
            v[i] += w.0 * 2.0;
        }";
        let file: syn::File = syn::parse_str(source).unwrap();
        let syn::Item::Fn(f) = &file.items[0] else { panic!() };
        let mut checked = 0;
        let mut check = |e: &Expr| {
            assert_eq!(at(Loc::of_expr(e)), at(Loc::of(e)), "{}", quote::quote!(#e));
            checked += 1;
        };
        struct Every<'a>(&'a mut dyn FnMut(&Expr));
        impl<'ast> syn::visit::Visit<'ast> for Every<'_> {
            fn visit_expr(&mut self, e: &'ast Expr) {
                (self.0)(e);
                syn::visit::visit_expr(self, e);
            }
        }
        syn::visit::Visit::visit_item_fn(&mut Every(&mut check), f);
        assert!(checked > 60, "{checked}");
    }
}
