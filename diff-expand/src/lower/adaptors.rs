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

/// What stands between a chain's source and its maps before the end: elements kept by a
/// predicate (`filter`, and `filter_map` of the forms [`kept_and_mapped`] reads), or the
/// elements up to the first one failing it (`take_while`).
pub(super) struct Filter {
    /// The predicates of consecutive `filter`s, source first (one for `take_while`).
    pub(super) predicates: Vec<Expr>,
    /// `take_while`: the end's loop stops at the first element refused.
    pub(super) stops: bool,
    /// `skip(a)` and `take(b)` after the filter, in order: the kept elements counted from 0, the
    /// end reads those from `window.0` (inclusive) to `window.1` (exclusive, `None` for all).
    pub(super) window: (Expr, Option<Expr>),
}

/// The window of kept elements that `skip`s and `take`s (in the chain's order, source first)
/// leave: `skip(a)` moves its start by `a`, `take(b)` ends it at most `b` after its start.
fn kept_window(counts: &[(bool, Expr)]) -> (Expr, Option<Expr>) {
    let (mut start, mut end): (Expr, Option<Expr>) = (syn::parse_quote!(0usize), None);
    for (take, n) in counts {
        if *take {
            let at: Expr = syn::parse_quote!((#start) + (#n));
            end = Some(match end {
                Some(e) => syn::parse_quote!(::core::cmp::min(#e, #at)),
                None => at,
            });
        } else {
            start = syn::parse_quote!((#start) + (#n));
            if let Some(e) = &end {
                end = Some(syn::parse_quote!(::core::cmp::max(#e, #start)));
            }
        }
    }
    (start, end)
}

/// `source.filter(p).map(f).map(g)`, the receiver of a chain's end: the source, the predicate and
/// the maps after it, in order (`None` and no maps if the chain has no filter). A filter has no
/// length known before it runs, so it is not a [`Sequence`]; the end tests each element of the
/// source and maps only those kept (or, for `take_while`, stops at the first one not kept).
pub(super) fn filtered(receiver: &Expr) -> (&Expr, Option<Filter>, Vec<Expr>) {
    let mut maps = Vec::new();
    // `skip(a)`/`take(b)` between the filter and the end (`true` for a `take`), end first.
    let mut counts: Vec<(bool, Expr)> = Vec::new();
    let mut r = receiver;
    loop {
        let filter = |predicates: Vec<Expr>, stops: bool, counts: &mut Vec<(bool, Expr)>| {
            counts.reverse();
            Some(Filter { predicates, stops, window: kept_window(counts) })
        };
        match r {
            Expr::MethodCall(f) if f.method == "map" && f.args.len() == 1 => {
                maps.push(f.args[0].clone());
                r = &f.receiver;
            }
            Expr::MethodCall(f) if (f.method == "skip" || f.method == "take") && f.args.len() == 1 => {
                counts.push((f.method == "take", f.args[0].clone()));
                r = &f.receiver;
            }
            // `a.filter(p).filter(q)`: both tests, `p` first.
            Expr::MethodCall(f) if f.method == "filter" && f.args.len() == 1 => {
                maps.reverse();
                let (mut predicates, mut source) = (vec![f.args[0].clone()], &f.receiver);
                while let Expr::MethodCall(g) = &**source
                    && g.method == "filter"
                    && g.args.len() == 1
                {
                    predicates.push(g.args[0].clone());
                    source = &g.receiver;
                }
                predicates.reverse();
                return (source, filter(predicates, false, &mut counts), maps);
            }
            // (A `take_while`'s elements are a prefix: a `skip`/`take` after it is a chain's.)
            Expr::MethodCall(f) if f.method == "take_while" && f.args.len() == 1 && counts.is_empty() => {
                maps.reverse();
                return (&f.receiver, filter(vec![f.args[0].clone()], true, &mut counts), maps);
            }
            Expr::MethodCall(f)
                if f.method == "filter_map"
                    && f.args.len() == 1
                    && let Some((keep, map)) = kept_and_mapped(&f.args[0]) =>
            {
                maps.push(map);
                maps.reverse();
                return (&f.receiver, filter(vec![keep], false, &mut counts), maps);
            }
            _ => return (receiver, None, Vec::new()),
        }
    }
}

/// `filter_map(|p| if c { Some(e) } else { None })` (also `c.then(|| e)` and `c.then_some(e)`)
/// as the `filter` and the `map` it is: `|&p| c` (a filter's predicate takes the element by
/// reference) and `|p| e`. `None` for another closure.
fn kept_and_mapped(f: &Expr) -> Option<(Expr, Expr)> {
    let Expr::Closure(c) = f else { return None };
    let [pat] = c.inputs.iter().collect::<Vec<_>>()[..] else { return None };
    let some = |e: &Expr| match strip_parens(e) {
        Expr::Call(call)
            if call.args.len() == 1 && matches!(&*call.func, Expr::Path(p) if p.path.is_ident("Some")) =>
        {
            Some(call.args[0].clone())
        }
        _ => None,
    };
    let block_tail = |b: &syn::Block| match &b.stmts[..] {
        [Stmt::Expr(e, None)] => Some(e.clone()),
        _ => None,
    };
    let (cond, value) = match strip_parens(&c.body) {
        Expr::If(i) => {
            let (_, otherwise) = i.else_branch.as_ref()?;
            let none = match &**otherwise {
                Expr::Block(b) => block_tail(&b.block)?,
                _ => return None,
            };
            if !matches!(strip_parens(&none), Expr::Path(p) if p.path.is_ident("None")) {
                return None;
            }
            ((*i.cond).clone(), some(&block_tail(&i.then_branch)?)?)
        }
        // `c.then_some(e)`, `c.then(|| e)`.
        Expr::MethodCall(m) if m.method == "then_some" && m.args.len() == 1 => {
            ((*m.receiver).clone(), m.args[0].clone())
        }
        Expr::MethodCall(m) if m.method == "then" && m.args.len() == 1 => match &m.args[0] {
            Expr::Closure(k) if k.inputs.is_empty() => ((*m.receiver).clone(), (*k.body).clone()),
            _ => return None,
        },
        _ => return None,
    };
    let at = Loc::of(f).span();
    Some((syn::parse_quote_spanned!(at=> |&#pat| #cond), syn::parse_quote_spanned!(at=> |#pat| #value)))
}
