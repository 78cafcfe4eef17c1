//! A `Vec` filled by `push`, one element per iteration of the loop after it:
//!
//! ```text
//! let mut r = Vec::new();                        let mut r = vec![0.0; COUNT];
//! for i in 0..n {                                let mut __tapeless_k_r = 0usize;
//!     let e = y[i] - model(x[i]);        =>      for i in 0..n {
//!     r.push(e * w[i]);                              let e = y[i] - model(x[i]);
//! }                                                  r[__tapeless_k_r] = e * w[i]; __tapeless_k_r += 1;
//!                                                }
//! ```
//!
//! `COUNT` is the number of iterations (times the number of pushes in the body, each a statement
//! of it: `r.push(dx); r.push(dy);`, or `r.extend([dx, dy])` of an array literal), computed from
//! the loop's source where that is known before it runs: a range (`a..b`, `a..=b`), or a
//! collection and the adapters that keep one element per element (`iter`, `copied`,
//! `enumerate`, `map`, `rev`, `zip`, `&v`) or a known number of them (`skip(k)`, `take(k)`).
//! Each push then is a statement of the loop body itself, before any `break` or `continue`.
//!
//! Otherwise (a push in a branch or a `match` arm, after a `continue`, before a `break`, or a
//! source of unknown length such as `filter`, bounded by its receiver's), `COUNT` is the most
//! the loop can push, and the `Vec` is cut to what was pushed after it (`bounded_body`):
//!
//! ```text
//! for i in 0..n {                         for i in 0..n {
//!     if keep(i) {                 =>         if keep(i) { { r[__tapeless_k_r] = e; __tapeless_k_r += 1; } }
//!         r.push(e);                      }
//!     }                                   let mut r = r[..__tapeless_k_r].to_vec();
//! }
//! ```
//!
//! In a `while` or `loop`, or with a push in a loop inside the `for` loop (which may run any
//! number of times per iteration), the `Vec` starts with its first elements only and grows by
//! doubling as it fills (`r = r.iter().copied().chain(repeat(0.0).take(max(r.len(), 4)))
//! .collect()` when full, amortised one copy per element), then is cut the same way.
//!
//! No push may be in a closure. The loop may read the `Vec` only as what has been pushed so far
//! ([`pushed_so_far`]: `v.len()` is the counter, `v.is_empty()` it being zero, `v.last()` the
//! element before it, `v.iter()` the prefix `v[..k]`, and `v[i]` as written, an index the
//! user's code could read), in its body and in a `while` condition or a `for` source (a source
//! naming the `Vec` cannot size it, so it grows); any other mention (`&v` passed on, `v.first()`)
//! and the `push` stays an error, since the full-length `Vec` filled by index would be read
//! where the user's has the elements pushed so far. A body binding the `Vec`'s name again is
//! not rewritten. Before the forty-fourth session a read in the body refused the rewrite, and a
//! `while v.len() < n` condition was left reading the filled `Vec`'s length: a wrong value and
//! gradient, silently. The `Vec`
//! must be declared empty (`Vec::new()`, `Vec::with_capacity(..)`, `vec![]`) or with float
//! elements (`vec![x0]`, stored first), of floats (or the function's float type) where its type
//! is written, and not named between its declaration and the loop. A pushed value that is
//! plainly not a float ([`not_a_float`]) or surely an integer ([`integers`]) is not rewritten.
//! Rows pushed in a `for` loop (`pts.push([x, y])`, points, into a `Vec` declared empty or with
//! its first rows, `vec![y0]`, typed `Vec<[f64; N]>` or not) fill a `Vec` of `[T; N]`, `N` the
//! first pushed row's length, entry by entry
//! (`pts[k][0] = x; pts[k][1] = y;`: an array literal is not made inside a branch); not in a
//! `while` or `loop`, where the growing `Vec` of rows would be collected anew inside the loop.
//! Any other `push` stays the error that says to write elements by index.

use super::pushed_values::{integer, integers, not_a_float};
use super::scan::written_twice;
use super::*;
use std::collections::BTreeSet;

/// The name of the counter the rewrite adds for the `Vec` `name` (mixed-site: it cannot clash
/// with the user's; one per `Vec`, since two filled in the same loop count apart).
fn counter(name: &syn::Ident) -> syn::Ident {
    syn::Ident::new(&format!("__tapeless_k_{name}"), proc_macro2::Span::mixed_site())
}

/// `stmts` with every `Vec` filled by `push` in the loop after it rewritten, if there is one.
pub(super) fn rewrite(stmts: &[Stmt], element: &syn::Type) -> Option<Vec<Stmt>> {
    for (i, stmt) in stmts.iter().enumerate() {
        let Some((name, ty, first)) = started_vec(stmt, element) else { continue };
        // The first statement after the declaration that names the `Vec` must be the loop.
        let Some(j) = (i + 1..stmts.len()).find(|&j| names(&stmts[j], &name)) else { continue };
        let Stmt::Expr(looped, semi) = &stmts[j] else { continue };
        let (source, body) = match looped {
            Expr::ForLoop(f) => (Some(f), &f.body),
            Expr::While(w) => (None, &w.body),
            Expr::Loop(l) => (None, &l.body),
            _ => continue,
        };
        let body = extends_as_pushes(body, &name);
        // `while v.len() < n`, `for i in 0..v.len()`: the length pushed so far.
        let head = match looped {
            Expr::ForLoop(f) => reads_rewritten(&f.expr, &name),
            Expr::While(w) => reads_rewritten(&w.cond, &name),
            _ => Some(syn::parse_quote!(())),
        };
        let Some(head) = head else { continue };
        let ints = integers(source, &body, &stmts[..j]);
        let m = first.len();
        // Exactly one element per push per iteration of a `for` loop; or (pushes in branches,
        // after a jump, or a source of unknown length such as `filter`) at most that many, cut to
        // what was pushed; or (a `while` or `loop`, pushes in inner loops) grown by doubling as it
        // fills, then cut.
        // Rows pushed (`pts.push([x, y])`, points): a `Vec` of `[T; N]`, `N` the length
        // of the first row pushed, declared empty or with its first rows (`vec![y0]`, a
        // trajectory's initial state, stored whole like a float).
        let row = row_pushes(&body, &name);
        let rows = row.is_some();
        if rows && ty.as_ref().is_some_and(|t| !rows_type(t))
            || !rows && first.iter().any(|e| matches!(e, Expr::Array(_) | Expr::Repeat(_)))
        {
            continue;
        }
        let zero = zero_of(element);
        let (zero, element): (Expr, syn::Type) = match row {
            Some(n) => (syn::parse_quote!([#zero; #n]), syn::parse_quote!([#element; #n])),
            None => (zero, element.clone()),
        };
        let element = &element;
        // A source naming the `Vec` (`0..v.len()`) cannot size it: it grows instead.
        let source = source.filter(|f| !mentions(f.expr.to_token_stream(), &name));
        let exact = || {
            let f = source?;
            Some((false, count(&f.expr, false)?, pushed_body(&body, &name, &ints, rows)?))
        };
        let bounded = || {
            let f = source?;
            Some((true, count(&f.expr, true)?, bounded_body(&body, &name, &ints, rows, None)?))
        };
        // (Not rows: a `Vec` of rows collected anew inside the loop is not followed.)
        let grown = || {
            if rows {
                return None;
            }
            let (body, _) = bounded_body(&body, &name, &ints, rows, Some((&zero, element)))?;
            Some((true, syn::parse_quote!(#m), (body, 0)))
        };
        let Some((cut, count, (body, pushes))) = exact().or_else(bounded).or_else(grown) else { continue };
        let mut count: Expr = match pushes {
            0 | 1 => count,
            _ => syn::parse_quote!((#count) * #pushes),
        };
        if m > 0 && pushes > 0 {
            count = syn::parse_quote!(#count + #m);
        }
        let k = counter(&name);
        let span = stmt.span();
        let ty = ty.map(|t| quote::quote!(: #t));
        let mut out = stmts[..i].to_vec();
        // The first elements are evaluated where the user's `vec![..]` is, before the statements
        // between it and the loop (which do not name the `Vec` but may change what they read).
        let held: Vec<Expr> = if i + 1 < j {
            (0..m)
                .zip(&first)
                .map(|(q, e)| {
                    let t = syn::Ident::new(
                        &format!("__tapeless_first_{name}_{q}"),
                        proc_macro2::Span::mixed_site(),
                    );
                    out.push(syn::parse_quote_spanned!(span=> let #t = #e;));
                    syn::parse_quote!(#t)
                })
                .collect()
        } else {
            first
        };
        out.extend(stmts[i + 1..j].iter().cloned());
        out.push(syn::parse_quote_spanned!(span=> let mut #name #ty = vec![#zero; #count];));
        for (q, e) in held.iter().enumerate() {
            out.push(syn::parse_quote_spanned!(span=> #name[#q] = #e;));
        }
        let start = proc_macro2::Literal::usize_suffixed(m);
        out.push(syn::parse_quote_spanned!(span=> let mut #k = #start;));
        let mut looped = looped.clone();
        match &mut looped {
            Expr::ForLoop(f) => (f.body, *f.expr) = (body, head),
            Expr::While(w) => (w.body, *w.cond) = (body, head),
            Expr::Loop(l) => l.body = body,
            _ => {}
        }
        out.push(Stmt::Expr(looped, *semi));
        if cut {
            out.push(syn::parse_quote_spanned!(span=> let mut #name #ty = #name[..#k].to_vec();));
        }
        out.extend(stmts[j + 1..].iter().cloned());
        return Some(out);
    }
    None
}

/// `stmts` with the first empty `Vec` followed at once by pushes (`let mut v = Vec::new();
/// v.push(a); v.push(b);`) declared with those elements instead (`let mut v = vec![a, b];`), if
/// there is one: the elements are evaluated in the same order, and none may name `v`.
pub(super) fn consecutive(stmts: &[Stmt], element: &syn::Type) -> Option<Vec<Stmt>> {
    for (i, stmt) in stmts.iter().enumerate() {
        let Some((name, ty)) = empty_vec(stmt, element) else { continue };
        let pushed: Vec<&Expr> = stmts[i + 1..]
            .iter()
            .map_while(|s| match s {
                Stmt::Expr(Expr::MethodCall(m), Some(_))
                    if m.method == "push"
                        && m.args.len() == 1
                        && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(&name))
                        && !mentions(m.args[0].to_token_stream(), &name) =>
                {
                    Some(&m.args[0])
                }
                _ => None,
            })
            .collect();
        if pushed.is_empty() {
            continue;
        }
        let span = stmt.span();
        let ty = ty.map(|t| quote::quote!(: #t));
        let mut out = stmts[..i].to_vec();
        out.push(syn::parse_quote_spanned!(span=> let mut #name #ty = vec![#(#pushed),*];));
        out.extend(stmts[i + 1 + pushed.len()..].iter().cloned());
        return Some(out);
    }
    None
}

/// `let v: Vec<f64> = Vec::new();` (also `with_capacity(n)`, `vec![]`) with its element type
/// written in the constructor too, `Vec::<f64>::new()`: the IR holds the empty `Vec` as a value
/// of its own, copied into `v`, which a copy of the function for second order takes in (typed
/// by the copy) where inference cannot see the `let`'s type.
pub(super) fn turbofished(local: &syn::Local) -> Option<syn::Local> {
    let Pat::Type(t) = &local.pat else { return None };
    let syn::Type::Path(ty) = &*t.ty else { return None };
    let element = crate::signature::vec_element(ty)?;
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let span = init.expr.span();
    let made: Expr = match &*init.expr {
        Expr::Call(c) => match &*c.func {
            Expr::Path(f) if f.qself.is_none() && f.path.segments.len() == 2 => {
                let (owner, function) = (&f.path.segments[0], &f.path.segments[1]);
                if owner.ident != "Vec" || !owner.arguments.is_none() || !function.arguments.is_none() {
                    return None;
                }
                let (function, args) = (&function.ident, &c.args);
                syn::parse_quote_spanned!(span=> Vec::<#element>::#function(#args))
            }
            _ => return None,
        },
        Expr::Macro(m) if m.mac.path.is_ident("vec") && m.mac.tokens.is_empty() => {
            syn::parse_quote_spanned!(span=> Vec::<#element>::new())
        }
        _ => return None,
    };
    let mut out = local.clone();
    out.init = Some(syn::LocalInit { eq_token: init.eq_token, expr: Box::new(made), diverge: None });
    Some(out)
}

impl Lowerer<'_> {
    /// `v.extend_from_slice(s)`, `v.extend(it)` or `v.push(e)` of a local `Vec`, outside loops,
    /// as `v` collected anew: `v = v.iter().copied().chain(..).collect::<Vec<T>>()`. The
    /// elements are read in the same order; `v`'s old length and elements are what the chain
    /// reads, as they are what the append reads. In a loop this would copy the whole `Vec` on
    /// every iteration, so there only the pushes rewritten above are followed.
    pub(super) fn append(&mut self, m: &syn::ExprMethodCall) -> Option<Expr> {
        if self.in_loop > 0 || m.args.len() != 1 {
            return None;
        }
        let Expr::Path(p) = &*m.receiver else { return None };
        let name = p.path.get_ident()?;
        let receiver = self.aggregate_or_leaf(&m.receiver)?;
        if self.param_types.contains_key(&receiver) {
            return None;
        }
        // A `Vec` of floats (one declared empty is typed where it is declared,
        // [`Lowerer::typed_for_appends`]).
        if self.kind(receiver) != Kind::Array(ArrayKind::Vec) {
            return None;
        }
        let arg = &m.args[0];
        let more: Expr = match m.method.to_string().as_str() {
            "extend_from_slice" => {
                let mut slice = arg;
                while let Expr::Reference(syn::ExprReference { expr, mutability: None, .. })
                | Expr::Paren(syn::ExprParen { expr, .. }) = slice
                {
                    slice = expr;
                }
                syn::parse_quote!(#slice.iter().copied())
            }
            "extend" => arg.clone(),
            "push" => syn::parse_quote!(::std::iter::once(#arg)),
            _ => return None,
        };
        let (element, span) = (&self.element, m.span());
        Some(syn::parse_quote_spanned!(span=>
            #name = #name.iter().copied().chain(#more).collect::<::std::vec::Vec<#element>>()
        ))
    }

    /// `let mut v = Vec::new();` (or `with_capacity`, of no written type, outside loops)
    /// declared a `Vec` of the function's float type if the next statement of `rest` that names `v` appends floats to
    /// it ([`Lowerer::append`]): without the type, a copy of the function for second order
    /// could not infer it.
    pub(super) fn typed_for_appends(&mut self, stmt: &Stmt, rest: &[Stmt]) -> Option<syn::Local> {
        let (name, None) = empty_vec(stmt, &self.element)? else { return None };
        let Stmt::Local(local) = stmt else { return None };
        let next = rest.iter().find(|s| names(s, &name))?;
        let Stmt::Expr(Expr::MethodCall(m), Some(_)) = next else { return None };
        if self.in_loop > 0
            || m.args.len() != 1
            || !matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(&name))
        {
            return None;
        }
        let floats = match m.method.to_string().as_str() {
            "extend_from_slice" | "extend" => self.float_source(&m.args[0]),
            "push" => self.float_value(&m.args[0]),
            _ => false,
        };
        // (A capacity asked for changes nothing the function computes.)
        let (element, span) = (&self.element, local.span());
        let typed: Stmt =
            syn::parse_quote_spanned!(span=> let mut #name: Vec<#element> = Vec::<#element>::new(););
        match typed {
            Stmt::Local(typed) if floats => Some(typed),
            _ => None,
        }
    }

    /// Whether an appended collection surely holds floats: an array the lowering knows (a
    /// parameter or local of floats), a part of one, its `iter()` through adaptors that keep
    /// its elements or `map` them, or an array literal of floats.
    fn float_source(&mut self, e: &Expr) -> bool {
        match e {
            Expr::Paren(p) => self.float_source(&p.expr),
            Expr::Reference(r) => self.float_source(&r.expr),
            Expr::Index(ix) if matches!(&*ix.index, Expr::Range(_)) => self.float_source(&ix.expr),
            Expr::MethodCall(m) => {
                matches!(
                    m.method.to_string().as_str(),
                    "iter" | "copied" | "cloned" | "map" | "rev" | "skip" | "take" | "step_by" | "as_slice"
                ) && self.float_source(&m.receiver)
            }
            Expr::Array(a) => !a.elems.is_empty() && a.elems.iter().all(|e| self.float_value(e)),
            Expr::Path(_) | Expr::Field(_) => self.local_array(e).is_some(),
            _ => false,
        }
    }

    /// Whether a pushed value is surely a float: not what [`not_a_float`] rules out, nor a name
    /// of something else than a float.
    fn float_value(&mut self, e: &Expr) -> bool {
        if not_a_float(e, &[]) {
            return false;
        }
        match e {
            Expr::Path(_) => self.aggregate_or_leaf(e).is_some_and(|v| self.kind(v) == Kind::Float),
            _ => true,
        }
    }
}

/// `let mut v = Vec::new();` (or `Vec::with_capacity(n)`, `vec![]`, with `: Vec<f64>` or
/// `: Vec<f32>` written or no type): the name and the written type.
fn empty_vec(stmt: &Stmt, element: &syn::Type) -> Option<(syn::Ident, Option<syn::Type>)> {
    let (name, ty, init) = vec_local(stmt, element)?;
    let empty = match init {
        Expr::Call(c) => match &*c.func {
            Expr::Path(f) => {
                let segments: Vec<String> = f.path.segments.iter().map(|s| s.ident.to_string()).collect();
                let last = segments.last().map(String::as_str);
                segments.iter().any(|s| s == "Vec")
                    && matches!((last, c.args.len()), (Some("new"), 0) | (Some("with_capacity"), 1))
            }
            _ => false,
        },
        Expr::Macro(m) => m.mac.path.is_ident("vec") && m.mac.tokens.is_empty(),
        _ => false,
    };
    empty.then_some((name, ty))
}

/// An empty `Vec` ([`empty_vec`]), or one declared with its first elements, floats written out
/// (`let mut traj = vec![x0];`): the name, the written type and those elements.
fn started_vec(stmt: &Stmt, element: &syn::Type) -> Option<(syn::Ident, Option<syn::Type>, Vec<Expr>)> {
    if let Some((name, ty)) = empty_vec(stmt, element) {
        return Some((name, ty, Vec::new()));
    }
    let (name, ty, init) = vec_local(stmt, element)?;
    let Expr::Macro(m) = init else { return None };
    if !m.mac.path.is_ident("vec") {
        return None;
    }
    // `vec![a, b]`; `vec![x; n]` does not parse as a list.
    let first: Vec<Expr> = m
        .mac
        .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
        .ok()?
        .into_iter()
        .collect();
    // (A row literal, `vec![[x, v]]`, is a first row: [`rewrite`] takes it only where rows are
    // pushed.)
    let floats = first.iter().all(|e| {
        (!not_a_float(e, &[]) || matches!(e, Expr::Array(_) | Expr::Repeat(_)))
            && !mentions(e.to_token_stream(), &name)
    });
    (!first.is_empty() && floats).then_some((name, ty, first))
}

/// `let mut v = ..;` or `let mut v: Vec<f64> = ..;` (or `Vec<f32>`, or `Vec<T>` of the
/// function's float type `element`): the name, the written type and the initialiser.
fn vec_local<'s>(stmt: &'s Stmt, element: &syn::Type) -> Option<(syn::Ident, Option<syn::Type>, &'s Expr)> {
    let Stmt::Local(local) = stmt else { return None };
    let init = local.init.as_ref().filter(|i| i.diverge.is_none())?;
    let (pat, ty) = match &local.pat {
        Pat::Type(t) => (&*t.pat, Some((*t.ty).clone())),
        p => (p, None),
    };
    let Pat::Ident(p) = pat else { return None };
    if p.mutability.is_none() || p.by_ref.is_some() || p.subpat.is_some() {
        return None;
    }
    if let Some(ty) = &ty {
        let syn::Type::Path(path) = ty else { return None };
        let float = crate::signature::vec_element(path).is_some_and(|e| {
            matches!(e, syn::Type::Path(f) if f.path.is_ident("f64") || f.path.is_ident("f32"))
                || e.to_token_stream().to_string() == element.to_token_stream().to_string()
        });
        if !float && !rows_type(ty) {
            return None;
        }
    }
    Some((p.ident.clone(), ty, &init.expr))
}

/// The zero of the function's float type: `0.0` for `f64` and `f32`, `T::zero()` for a type
/// parameter (`num_traits::Float` and nalgebra's `RealField` both have it).
fn zero_of(element: &syn::Type) -> Expr {
    match element {
        syn::Type::Path(p) if !p.path.is_ident("f64") && !p.path.is_ident("f32") => {
            syn::parse_quote!(#element::zero())
        }
        _ => syn::parse_quote!(0.0),
    }
}

/// How many times `tokens` hold the identifier `name`.
fn mention_count(tokens: TokenStream, name: &syn::Ident) -> usize {
    let mut idents = Vec::new();
    super::scan::tokens_idents(tokens, &mut idents);
    let name = name.to_string();
    idents.iter().filter(|i| **i == name).count()
}

/// Whether `tokens` hold the identifier `name`.
fn mentions(tokens: TokenStream, name: &syn::Ident) -> bool {
    super::scan::tokens_mention(tokens, &name.to_string())
}

fn names(stmt: &Stmt, name: &syn::Ident) -> bool {
    mentions(stmt.to_token_stream(), name)
}

/// The number of iterations of `for _ in source`, as an expression, where it is known before the
/// loop runs and reading the source again changes nothing; with `bound`, also a number it
/// cannot exceed (`filter(..)` runs at most as often as its receiver).
fn count(source: &Expr, bound: bool) -> Option<Expr> {
    let count = |e: &Expr| count(e, bound);
    match source {
        Expr::Paren(p) => count(&p.expr),
        Expr::Range(r) => {
            let (a, b) = (r.start.as_deref()?, r.end.as_deref()?);
            if !written_twice(a) || !written_twice(b) {
                return None;
            }
            Some(match r.limits {
                syn::RangeLimits::HalfOpen(_) => {
                    syn::parse_quote!(if (#b) > (#a) { ((#b) - (#a)) as usize } else { 0 })
                }
                syn::RangeLimits::Closed(_) => {
                    syn::parse_quote!(if (#b) >= (#a) { ((#b) - (#a)) as usize + 1 } else { 0 })
                }
            })
        }
        Expr::Reference(r) if r.mutability.is_none() => count(&r.expr),
        Expr::Path(_) | Expr::Field(_) if written_twice(source) => Some(syn::parse_quote!(#source.len())),
        Expr::MethodCall(m) => match (m.method.to_string().as_str(), m.args.len()) {
            ("iter" | "into_iter" | "copied" | "cloned" | "enumerate" | "rev", 0) => count(&m.receiver),
            ("map", 1) => count(&m.receiver),
            ("filter" | "filter_map" | "take_while" | "skip_while" | "map_while", 1) if bound => {
                count(&m.receiver)
            }
            ("skip", 1) if written_twice(&m.args[0]) => {
                let (n, k) = (count(&m.receiver)?, &m.args[0]);
                Some(syn::parse_quote!((#n).saturating_sub(#k)))
            }
            ("take", 1) if written_twice(&m.args[0]) => {
                let (n, k) = (count(&m.receiver)?, &m.args[0]);
                Some(syn::parse_quote!(::core::cmp::min(#n, #k)))
            }
            ("zip", 1) => {
                let (a, b) = (count(&m.receiver)?, count(&m.args[0])?);
                Some(syn::parse_quote!(::core::cmp::min(#a, #b)))
            }
            _ => None,
        },
        _ => None,
    }
}

/// The loop body with its one `name.push(e);` written `name[k] = e; k += 1;`, if it has exactly
/// one, as a statement of its own before any `break` or `continue`.
fn pushed_body(
    body: &syn::Block,
    name: &syn::Ident,
    ints: &BTreeSet<String>,
    rows: bool,
) -> Option<(syn::Block, usize)> {
    let is_push = |stmt: &Stmt| match stmt {
        Stmt::Expr(Expr::MethodCall(m), Some(_)) => {
            m.method == "push"
                && m.args.len() == 1
                && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(name))
        }
        _ => false,
    };
    // Every push a statement of the body itself (`r.push(dx); r.push(dy);` of a residual with
    // two components), each iteration making all of them: no jump before the last.
    let at: Vec<usize> = body.stmts.iter().enumerate().filter(|(_, s)| is_push(s)).map(|(i, _)| i).collect();
    let last = *at.last()?;
    if body.stmts[..last].iter().any(|s| super::scan::jumps_in(s, true, true)) {
        return None;
    }
    // The `Vec` is named nowhere else in the body: filled by index it is full-length from the
    // start, so `r.len()`, `r.iter()` or `r.last()` inside the loop would not read what the
    // user's growing `Vec` holds.
    let others = body.stmts.iter().enumerate().filter(|(i, _)| !at.contains(i)).any(|(_, s)| names(s, name));
    if others {
        return None;
    }
    let k = counter(name);
    let mut out = body.clone();
    // From the last push back, so the earlier indices stay where they are.
    for &i in at.iter().rev() {
        let Stmt::Expr(Expr::MethodCall(m), _) = &body.stmts[i] else { return None };
        if mentions(m.args[0].to_token_stream(), name) || !pushable(&m.args[0], &body.stmts[..i], ints, rows)
        {
            return None;
        }
        let (value, span) = (&m.args[0], m.span());
        let write = store(name, value, span);
        let write: Stmt = syn::parse_quote_spanned!(span=> { #write });
        let advance: Stmt = syn::parse_quote_spanned!(span=> #k += 1;);
        out.stmts.splice(i..=i, [write, advance]);
    }
    Some((out, at.len()))
}

/// The loop body with each `name.push(e)` written `{ name[k] = e; k += 1; }`, wherever it is
/// (in a branch, a `match` arm, after a `continue`), if each runs at most once per iteration
/// (none is in an inner loop or a closure, unless `grow`) and the other mentions of `name` are
/// reads of what was pushed so far ([`pushed_so_far`], `name[i]`): the body and the number of
/// pushes.
fn bounded_body(
    body: &syn::Block,
    name: &syn::Ident,
    ints: &BTreeSet<String>,
    rows: bool,
    grow: Option<(&Expr, &syn::Type)>,
) -> Option<(syn::Block, usize)> {
    use syn::visit::Visit;
    use syn::visit_mut::VisitMut;
    struct Locals<'n>(Vec<Stmt>, &'n syn::Ident, bool);
    impl Visit<'_> for Locals<'_> {
        fn visit_local(&mut self, l: &syn::Local) {
            self.0.push(Stmt::Local(l.clone()));
            syn::visit::visit_local(self, l);
        }
        // A binding of the same name (`let v = ..` in the body) would take the reads.
        fn visit_pat_ident(&mut self, p: &syn::PatIdent) {
            self.2 |= p.ident == *self.1;
            syn::visit::visit_pat_ident(self, p);
        }
    }
    struct Pushes<'n> {
        name: &'n syn::Ident,
        locals: Vec<Stmt>,
        ints: &'n BTreeSet<String>,
        rows: bool,
        grow: Option<(&'n Expr, &'n syn::Type)>,
        found: usize,
        /// The other mentions of the `Vec` rewritten to read what has been pushed so far.
        reads: usize,
        nested: usize,
        refused: bool,
    }
    impl VisitMut for Pushes<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            let named = |r: &Expr| matches!(r, Expr::Path(p) if p.path.is_ident(self.name));
            if let Some(read) = pushed_so_far(e, self.name) {
                *e = read;
                self.reads += 1;
                return;
            }
            if let Expr::Index(ix) = e
                && named(&ix.expr)
            {
                // `v[i]` of an element pushed before (an index past those would have panicked).
                self.reads += 1;
                return self.visit_expr_mut(&mut ix.index);
            }
            if let Expr::MethodCall(m) = e
                && m.method == "push"
                && m.args.len() == 1
                && named(&m.receiver)
            {
                if self.nested > 0 || !pushable(&m.args[0], &self.locals, self.ints, self.rows) {
                    self.refused = true;
                    return;
                }
                // `v.push(v[i - 1] + ..)`: the value reads what was pushed before.
                self.visit_expr_mut(&mut m.args[0]);
                let (name, k, span) = (self.name, counter(self.name), m.span());
                let write = store(name, &m.args[0], span);
                *e = match self.grow {
                    // Full: the `Vec` made anew twice as long (four at least), its elements kept.
                    Some((zero, element)) => syn::parse_quote_spanned!(span=> {
                        if #k == #name.len() {
                            #name = #name
                                .iter()
                                .copied()
                                .chain(::std::iter::repeat(#zero).take(::core::cmp::max(#name.len(), 4)))
                                .collect::<::std::vec::Vec<#element>>();
                        }
                        #write
                        #k += 1;
                    }),
                    None => syn::parse_quote_spanned!(span=> { #write #k += 1; }),
                };
                self.found += 1;
                return;
            }
            // A push in an inner loop may run more than once per iteration (fine when growing);
            // one in a closure at any time.
            let inner = match e {
                Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => self.grow.is_none(),
                Expr::Closure(_) | Expr::Async(_) => true,
                _ => false,
            };
            self.nested += usize::from(inner);
            syn::visit_mut::visit_expr_mut(self, e);
            self.nested -= usize::from(inner);
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    let mut locals = Locals(Vec::new(), name, false);
    locals.visit_block(body);
    if locals.2 {
        return None;
    }
    let mut pushes =
        Pushes { name, locals: locals.0, ints, rows, grow, found: 0, reads: 0, nested: 0, refused: false };
    let mut out = body.clone();
    pushes.visit_block_mut(&mut out);
    let mentioned = mention_count(body.to_token_stream(), name);
    (!pushes.refused && pushes.found > 0 && mentioned == pushes.found + pushes.reads)
        .then_some((out, pushes.found))
}

/// `name[k] = value;`, or for a row `[a, b]` each entry, `name[k][0] = a; name[k][1] = b;` (an
/// array literal is not made inside a branch; an entry reads at most the rows before `k`).
fn store(name: &syn::Ident, value: &Expr, span: proc_macro2::Span) -> TokenStream {
    let k = counter(name);
    match value {
        Expr::Array(a) => {
            let (entries, at) = (a.elems.iter(), (0..a.elems.len()).map(syn::Index::from));
            quote::quote_spanned!(span=> #(#name[#k][#at] = #entries;)*)
        }
        _ => quote::quote_spanned!(span=> #name[#k] = #value;),
    }
}

/// Whether a pushed value can be stored by index: a float ([`not_a_float`], [`integer`]), or
/// with `rows` an array literal of floats (`[x, y]`).
fn pushable(value: &Expr, before: &[Stmt], ints: &BTreeSet<String>, rows: bool) -> bool {
    let float = |e: &Expr| !not_a_float(e, before) && !integer(e, ints);
    match value {
        Expr::Array(a) if rows => !a.elems.is_empty() && a.elems.iter().all(float),
        _ => !rows && float(value),
    }
}

/// The length of the array literal the first `name.push(..)` in `body` pushes (a row, `[x,
/// y]`); `None` if it pushes something else.
fn row_pushes(body: &syn::Block, name: &syn::Ident) -> Option<usize> {
    use syn::visit::Visit;
    struct First<'n>(&'n syn::Ident, Option<Option<usize>>);
    impl Visit<'_> for First<'_> {
        fn visit_expr_method_call(&mut self, m: &syn::ExprMethodCall) {
            if self.1.is_none()
                && m.method == "push"
                && m.args.len() == 1
                && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(self.0))
            {
                self.1 = Some(match &m.args[0] {
                    Expr::Array(a) => Some(a.elems.len()),
                    _ => None,
                });
            }
            syn::visit::visit_expr_method_call(self, m);
        }
    }
    let mut first = First(name, None);
    first.visit_block(body);
    first.1.flatten()
}

/// Whether a written type is `Vec<[F; N]>` of a float type `F`.
fn rows_type(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p)
        if crate::signature::vec_element(p).is_some_and(|e| matches!(e, syn::Type::Array(a) if crate::signature::is_float(&a.elem))))
}

/// `e` (a `while` loop's condition, a `for` loop's source) with its reads of the `Vec` `name`
/// written as [`pushed_so_far`] writes them, if those are its only mentions of `name`.
fn reads_rewritten(e: &Expr, name: &syn::Ident) -> Option<Expr> {
    use syn::visit_mut::VisitMut;
    struct Reads<'n>(&'n syn::Ident, usize);
    impl VisitMut for Reads<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            match pushed_so_far(e, self.0) {
                Some(read) => {
                    *e = read;
                    self.1 += 1;
                }
                None => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    let mut reads = Reads(name, 0);
    let mut out = e.clone();
    reads.visit_expr_mut(&mut out);
    (mention_count(e.to_token_stream(), name) == reads.1).then_some(out)
}

/// A read of the `Vec` `name` being pushed to, written to read only what has been pushed so
/// far (its first `k` elements, `k` the counter): `v.len()` is `k`, `v.is_empty()` is `k == 0`, `v.last()` is
/// `v.get(k.wrapping_sub(1))` (`None` before the first push), `v.iter()` is `v[..k].iter()`.
/// `None` for any other expression.
fn pushed_so_far(e: &Expr, name: &syn::Ident) -> Option<Expr> {
    let Expr::MethodCall(m) = e else { return None };
    if !m.args.is_empty() || !matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(name)) {
        return None;
    }
    let (k, span) = (counter(name), m.span());
    Some(match m.method.to_string().as_str() {
        "len" => syn::parse_quote_spanned!(span=> #k),
        "is_empty" => syn::parse_quote_spanned!(span=> #k == 0),
        "last" => syn::parse_quote_spanned!(span=> #name.get(#k.wrapping_sub(1))),
        "iter" => syn::parse_quote_spanned!(span=> #name[..#k].iter()),
        _ => return None,
    })
}

/// `body` with each statement `v.extend([a, b])` (also `extend(vec![a, b])`,
/// `extend_from_slice(&[a, b])`) of the `Vec` `name` written as the pushes `v.push(a);
/// v.push(b);`: the elements are evaluated in the same order, before any of them is stored.
fn extends_as_pushes(body: &syn::Block, name: &syn::Ident) -> syn::Block {
    let elements = |arg: &Expr| -> Option<Vec<Expr>> {
        match arg {
            Expr::Array(a) => Some(a.elems.iter().cloned().collect()),
            Expr::Reference(r) if r.mutability.is_none() => match &*r.expr {
                Expr::Array(a) => Some(a.elems.iter().cloned().collect()),
                _ => None,
            },
            Expr::Macro(m) if m.mac.path.is_ident("vec") => m
                .mac
                .parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated)
                .ok()
                .map(|p| p.into_iter().collect()),
            _ => None,
        }
    };
    let mut out = body.clone();
    out.stmts = body
        .stmts
        .iter()
        .flat_map(|stmt| match stmt {
            Stmt::Expr(Expr::MethodCall(m), Some(_))
                if matches!(m.method.to_string().as_str(), "extend" | "extend_from_slice")
                    && m.args.len() == 1
                    && matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident(name)) =>
            {
                match elements(&m.args[0]) {
                    Some(elements) => elements
                        .into_iter()
                        .map(|e| {
                            let span = m.span();
                            syn::parse_quote_spanned!(span=> #name.push(#e);)
                        })
                        .collect(),
                    None => vec![stmt.clone()],
                }
            }
            _ => vec![stmt.clone()],
        })
        .collect();
    out
}
