//! Iterators by their syntax: a chain `lower::iterators` follows (`iterator`), and the adaptors
//! no chain follows (`cycle`, `take_while`, .., and `scan` in a form `scan_body` does not read),
//! recognised so that the error names the adaptor.

use super::*;

/// The first adaptor of [`UNFOLLOWED_ADAPTORS`] in the iterator chain `e`, from its source.
pub(super) fn unfollowed_adaptor(e: &Expr) -> Option<&syn::ExprMethodCall> {
    match e {
        Expr::Paren(p) => unfollowed_adaptor(&p.expr),
        Expr::MethodCall(m) => unfollowed_adaptor(&m.receiver).or_else(|| {
            (UNFOLLOWED_ADAPTORS.contains(&m.method.to_string().as_str()) && iterator_source(&m.receiver))
                .then_some(m)
        }),
        _ => None,
    }
}

/// Iterator adaptors no chain follows (`lower::iterators` reads the others).
pub(super) const UNFOLLOWED_ADAPTORS: [&str; 12] = [
    "scan",
    "cycle",
    "take_while",
    "skip_while",
    "map_while",
    "flat_map",
    "flatten",
    "peekable",
    "inspect",
    "fuse",
    "by_ref",
    "filter_map",
];

/// Whether `e` is an iterator: a chain of method calls down to `iter()`, `into_iter()`,
/// `iter_mut()`, `windows(k)`, `chunks(k)` or a range.
pub(super) fn iterator_source(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => iterator_source(&p.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) => {
            SOURCES.contains(&m.method.to_string().as_str()) || iterator_source(&m.receiver)
        }
        _ => false,
    }
}

/// The methods that start an iterator chain.
const SOURCES: [&str; 6] = ["iter", "into_iter", "iter_mut", "windows", "chunks", "chunks_exact"];

/// Whether `e` is an iterator: a source (`x.iter()`, `x.windows(k)`, a range) and adaptors. (A
/// nalgebra value's `map` is not: `v.map(f).map(g)` maps a matrix.)
pub(super) fn iterator(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => iterator(&p.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) => match m.method.to_string().as_str() {
            name if SOURCES.contains(&name) => true,
            "map" | "zip" | "chain" | "enumerate" | "skip" | "take" | "rev" | "step_by" | "copied"
            | "cloned" | "filter" => iterator(&m.receiver),
            _ => false,
        },
        _ => false,
    }
}

/// The body of a `scan` closure `|s, item| { ..; Some(e) }` as an element of its sequence:
/// `*s` read or assigned as the state variable `var`, the final `Some(e)` as `e`. `None` (not
/// followed; `scan` is then an adaptor the chain does not read) if the state is not a name, is
/// used other than as `*s`, or the body may stop the iteration (another `Some`/`None`, a
/// `return`, a `?`).
pub(super) fn scan_body(body: &Expr, state: &Pat, var: &syn::Ident) -> Option<Expr> {
    let name = match state {
        Pat::Ident(p) if p.subpat.is_none() => &p.ident,
        Pat::Type(t) => match &*t.pat {
            Pat::Ident(p) if p.subpat.is_none() => &p.ident,
            _ => return None,
        },
        _ => return None,
    };
    // The final `Some(e)`, the body's value.
    let (stmts, last): (Vec<Stmt>, &Expr) = match body {
        Expr::Block(b) if b.label.is_none() => match b.block.stmts.split_last() {
            Some((Stmt::Expr(e, None), rest)) => (rest.to_vec(), e),
            _ => return None,
        },
        e => (Vec::new(), e),
    };
    let Expr::Call(some) = last else { return None };
    let value = match (&*some.func, &some.args.iter().collect::<Vec<_>>()[..]) {
        (Expr::Path(p), [value]) if p.path.is_ident("Some") => (*value).clone(),
        _ => return None,
    };
    struct State<'a> {
        name: &'a syn::Ident,
        var: &'a syn::Ident,
        stops: bool,
    }
    impl VisitMut for State<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            match e {
                Expr::Unary(u)
                    if matches!(u.op, UnOp::Deref(_))
                        && matches!(&*u.expr, Expr::Path(p) if p.path.is_ident(self.name)) =>
                {
                    let var = self.var;
                    *e = syn::parse_quote!(#var);
                }
                // `m.max(v)`: a method through the reference, on the state.
                Expr::MethodCall(m) if matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(self.name)) => {
                    let var = self.var;
                    *m.receiver = syn::parse_quote!(#var);
                    for a in m.args.iter_mut() {
                        self.visit_expr_mut(a);
                    }
                }
                Expr::Path(p)
                    if p.path.is_ident(self.name) || p.path.is_ident("None") || p.path.is_ident("Some") =>
                {
                    self.stops = true;
                }
                Expr::Return(_) | Expr::Try(_) | Expr::Break(_) => self.stops = true,
                // A nested closure that rebinds the name hides the state.
                Expr::Closure(c)
                    if c.inputs.iter().any(|p| super::scan::bound_names(p).contains(self.name)) => {}
                e => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
    }
    let mut visit = State { name, var, stops: false };
    let mut stmts = stmts;
    for s in &mut stmts {
        visit.visit_stmt_mut(s);
    }
    let mut value = value;
    visit.visit_expr_mut(&mut value);
    (!visit.stops).then(|| syn::parse_quote!({ #(#stmts)* #value }))
}
