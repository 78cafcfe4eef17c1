//! Elements looked up through `Option`: `x.first()`, `x.last()` and `x.get(i)` of a slice, `Vec`,
//! array or nalgebra vector, and `x.split_first()`, `x.split_last()` of a slice, `Vec` or array,
//! consumed where they are looked up.
//!
//! ```text
//! if let Some(&v) = x.get(i) { A } else { B }      if i < x.len() { v = x[i]; A } else { B }
//! match x.last() { Some(v) => A, None => B }       if 0 < x.len() { v = x[x.len() - 1]; A } else { B }
//! x.first().copied().unwrap_or(d)                  if 0 < x.len() { x[0] } else { d }
//! x.last().map(f).unwrap_or(d), .map_or(d, f)      if 0 < x.len() { f(&x[x.len() - 1]) } else { d }
//! *x.last().unwrap(), x.get(i).copied().unwrap()   x[x.len() - 1], x[i]
//! let Some(&v) = x.get(i) else { return 0.0 };     if !(i < x.len()) { return 0.0; } let v = x[i];
//! let (f, rest) = x.split_first().unwrap();        let (f, rest) = (&x[0], &x[1..]);
//! ```
//!
//! The condition is a length comparison, discrete, so no `piecewise` is asked for; the element
//! is an ordinary load. `unwrap`/`expect` become the index, which panics where they would (with
//! the index's message). The receiver must be a name or a field, and the index free of calls,
//! as both are written twice.

use super::*;

/// Which element an accessor looks up.
enum At<'a> {
    First,
    Last,
    Index(&'a Expr),
    /// `split_first()`: the first element and the rest, `(&x[0], &x[1..])`.
    SplitFirst,
    /// `split_last()`: the last element and the rest, `(&x[n - 1], &x[..n - 1])`.
    SplitLast,
    /// `x.iter().rev().nth(k)`: the element `k` places before the last.
    FromEnd(&'a Expr),
}

/// `recv.first()`, `recv.last()` or `recv.get(i)`, possibly followed by `.copied()` or
/// `.cloned()`.
pub(super) struct Lookup<'a> {
    recv: &'a Expr,
    at: At<'a>,
    span: proc_macro2::Span,
}

impl<'a> Lookup<'a> {
    /// The accessor `e` is, if it is one.
    pub(super) fn of(e: &'a Expr) -> Option<Lookup<'a>> {
        let Expr::MethodCall(m) = strip(e) else { return None };
        if m.args.is_empty() && matches!(m.method.to_string().as_str(), "copied" | "cloned") {
            return Lookup::of(&m.receiver);
        }
        let at = match (m.method.to_string().as_str(), m.args.len()) {
            ("first", 0) => At::First,
            ("last", 0) => At::Last,
            ("split_first", 0) => At::SplitFirst,
            ("split_last", 0) => At::SplitLast,
            ("get", 1) if super::scan::written_twice(&m.args[0]) => At::Index(&m.args[0]),
            // `x.iter().nth(k)` is `x.get(k)`, `x.iter().rev().nth(k)` the element `k` from the
            // end (`.copied()`/`.cloned()` before `nth` too).
            ("nth", 1) if super::scan::written_twice(&m.args[0]) => {
                let mut it = strip(&m.receiver);
                if let Expr::MethodCall(c) = it
                    && c.args.is_empty()
                    && matches!(c.method.to_string().as_str(), "copied" | "cloned")
                {
                    it = strip(&c.receiver);
                }
                let (base, from_end) = match it {
                    Expr::MethodCall(r) if r.method == "rev" && r.args.is_empty() => {
                        (strip(&r.receiver), true)
                    }
                    e => (e, false),
                };
                let Expr::MethodCall(iter) = base else { return None };
                if iter.method != "iter" || !iter.args.is_empty() || !place(&iter.receiver) {
                    return None;
                }
                let at = if from_end { At::FromEnd(&m.args[0]) } else { At::Index(&m.args[0]) };
                return Some(Lookup { recv: &iter.receiver, at, span: m.span() });
            }
            _ => return None,
        };
        place(&m.receiver).then_some(Lookup { recv: &m.receiver, at, span: m.span() })
    }

    /// `true` where the element exists: a comparison of lengths.
    pub(super) fn present(&self) -> Expr {
        let (recv, span) = (self.recv, self.span);
        match self.at {
            At::First | At::Last | At::SplitFirst | At::SplitLast => {
                syn::parse_quote_spanned!(span=> 0usize < #recv.len())
            }
            At::Index(i) | At::FromEnd(i) => syn::parse_quote_spanned!(span=> #i < #recv.len()),
        }
    }

    /// The element, read by index.
    fn element(&self) -> Expr {
        let (recv, span) = (self.recv, self.span);
        match self.at {
            At::First => syn::parse_quote_spanned!(span=> #recv[0]),
            At::Last => syn::parse_quote_spanned!(span=> #recv[#recv.len() - 1]),
            At::Index(i) => syn::parse_quote_spanned!(span=> #recv[#i]),
            At::FromEnd(i) => syn::parse_quote_spanned!(span=> #recv[#recv.len() - 1 - #i]),
            At::SplitFirst => syn::parse_quote_spanned!(span=> (#recv[0], #recv[1..])),
            At::SplitLast => {
                syn::parse_quote_spanned!(span=> (#recv[#recv.len() - 1], #recv[..#recv.len() - 1]))
            }
        }
    }
}

/// `stmts` with the first `let Some(p) = lookup else { .. };` written as a test that leaves and a
/// `let` (`if !(i < x.len()) { .. } let p = x[i];`), so the statements after it, the load
/// included, run only where it did not leave; `None` if there is none. A pattern `Some(v)` of a
/// reference binds the element's value (arithmetic on it reads the same; `*v` is the
/// dereference error).
pub(super) fn let_else(stmts: &[Stmt]) -> Option<Vec<Stmt>> {
    let (at, local, init, diverge) = stmts.iter().enumerate().find_map(|(at, stmt)| {
        let Stmt::Local(local) = stmt else { return None };
        let init = local.init.as_ref()?;
        let (_, diverge) = init.diverge.as_ref()?;
        Some((at, local, &*init.expr, diverge))
    })?;
    let mut out = stmts[..at].to_vec();
    if let (Some(lookup), Some(pat)) = (Lookup::of(init), some(&local.pat)) {
        let (present, element, span) = (lookup.present(), lookup.element(), lookup.span);
        let pat = match pat {
            Pat::Reference(r) => &*r.pat,
            p => p,
        };
        out.push(syn::parse_quote_spanned!(span=> if !(#present) { #diverge; }));
        if matches!(lookup.at, At::SplitFirst | At::SplitLast) {
            // The parts as `unwrap` gives them (`Lowerer::lookup_element`).
            out.push(syn::parse_quote_spanned!(span=> let #pat = #init.unwrap();));
        } else {
            out.push(syn::parse_quote_spanned!(span=> let #pat = #element;));
        }
    } else if let Some((test, parts)) = super::patterns::slice_parts(&local.pat, init) {
        // `let [a, b] = x[..] else { .. };`: the length test, then each name by index.
        let span = local.span();
        out.push(syn::parse_quote_spanned!(span=> if !(#test) { #diverge; }));
        for (pat, element) in parts {
            out.push(syn::parse_quote_spanned!(span=> let #pat = #element;));
        }
    } else if super::patterns::destructures(&local.pat) && place(dereferenced(init)) {
        // A constant taken apart (`let Some(k) = factor else { .. };`, or `= *mode`): the test as an `if let`,
        // then each name as a `match` of the one arm (`lower::patterns`).
        let (pat, span) = (&local.pat, local.span());
        out.push(syn::parse_quote_spanned!(span=> if let #pat = #init {} else { #diverge; }));
        for name in super::patterns::names(pat) {
            out.push(syn::parse_quote_spanned!(span=>
                let #name = match #init { #pat => #name, _ => unreachable!() };
            ));
        }
    } else {
        return None;
    }
    out.extend(stmts[at + 1..].iter().cloned());
    Some(out)
}

/// `e` without parentheses.
fn strip(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip(&p.expr),
        Expr::Group(g) => strip(&g.expr),
        e => e,
    }
}

/// A receiver that can be written twice: a name, or fields of one.
fn place(e: &Expr) -> bool {
    match strip(e) {
        Expr::Path(p) => p.qself.is_none(),
        Expr::Field(f) => place(&f.base),
        _ => false,
    }
}

/// `*e` (through parentheses): `e`; else `e`.
fn dereferenced(e: &Expr) -> &Expr {
    match strip(e) {
        Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => &u.expr,
        e => e,
    }
}

/// `Some(p)` (through parentheses): `p`.
fn some(pat: &Pat) -> Option<&Pat> {
    match pat {
        Pat::TupleStruct(t) if t.qself.is_none() && t.path.is_ident("Some") && t.elems.len() == 1 => {
            t.elems.first()
        }
        Pat::Paren(p) => some(&p.pat),
        _ => None,
    }
}

/// `None` or `_`.
fn none(pat: &Pat) -> bool {
    match pat {
        Pat::Ident(i) => i.ident == "None" && i.subpat.is_none(),
        Pat::Path(p) => p.path.is_ident("None"),
        Pat::Wild(_) => true,
        Pat::Paren(p) => none(&p.pat),
        _ => false,
    }
}

impl Lowerer<'_> {
    /// The lookup `e` is, unless its receiver is a constant's field (`self.w.first()`), which
    /// is kept whole as written: a `Vec` field cannot be moved out of `self` to be indexed.
    fn lookup<'e>(&self, e: &'e Expr) -> Option<Lookup<'e>> {
        let lookup = Lookup::of(e)?;
        let constant = matches!(strip(lookup.recv), Expr::Field(_)) && self.constant_place(lookup.recv);
        (!constant).then_some(lookup)
    }

    /// `if let Some(p) = lookup { .. } else { .. }`, if `i` is one.
    pub(super) fn if_let_lookup(&mut self, i: &syn::ExprIf, l: &syn::ExprLet) -> Option<Tree> {
        let (lookup, pat) = (self.lookup(&l.expr)?, some(&l.pat)?);
        let else_f = |this: &mut Self| match &i.else_branch {
            Some((_, e)) => this.expr(e),
            None => unit(),
        };
        let then_f = |this: &mut Self, element| {
            this.bind(pat, Some(element));
            this.block(&i.then_branch)
        };
        Some(self.lookup_branch(&lookup, Loc::of(i), then_f, else_f))
    }

    /// `match lookup { Some(p) => .., None => .. }` (either order, `_` for `None`), if `m` is one.
    pub(super) fn match_lookup(&mut self, m: &syn::ExprMatch) -> Option<Tree> {
        let lookup = self.lookup(&m.expr)?;
        let [a, b] = &m.arms[..] else { return None };
        if a.guard.is_some() || b.guard.is_some() {
            return None;
        }
        let (found, missing) = match (some(&a.pat), some(&b.pat)) {
            (Some(p), None) if none(&b.pat) => ((p, &a.body), &b.body),
            (None, Some(p)) if none(&a.pat) => ((p, &b.body), &a.body),
            _ => return None,
        };
        let then_f = |this: &mut Self, element| {
            this.bind(found.0, Some(element));
            this.expr(found.1)
        };
        Some(self.lookup_branch(&lookup, Loc::of(m), then_f, |this| this.expr(missing)))
    }

    /// `lookup.unwrap_or(d)`, `lookup.unwrap()`, `lookup.expect(..)`, if `m` is one.
    pub(super) fn unwrap_lookup(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        if let Some(t) = self.mapped_lookup(m) {
            return Some(t);
        }
        let lookup = self.lookup(&m.receiver)?;
        match (m.method.to_string().as_str(), m.args.len()) {
            ("unwrap", 0) | ("expect", 1) => Some(self.lookup_element(&lookup)),
            ("unwrap_or", 1) => {
                let default = &m.args[0];
                Some(self.lookup_branch(&lookup, Loc::of(m), |_, element| element, |this| this.expr(default)))
            }
            _ => None,
        }
    }

    /// `lookup.map(f).unwrap_or(d)` (also `unwrap_or_else(|| d)`, `unwrap()`, `expect(..)`) and
    /// `lookup.map_or(d, f)` (`map_or_else(|| d, f)`): `if present { f(&element) } else { d }`.
    fn mapped_lookup(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        let args: Vec<&Expr> = m.args.iter().collect();
        let (option, f, default) = match (m.method.to_string().as_str(), &args[..]) {
            ("map_or", [d, f]) => (&*m.receiver, *f, Some((*d).clone())),
            ("map_or_else", [Expr::Closure(d), f]) if d.inputs.is_empty() => {
                (&*m.receiver, *f, Some((*d.body).clone()))
            }
            (name, rest) => {
                let Expr::MethodCall(map) = strip(&m.receiver) else { return None };
                let [f] = map.args.iter().collect::<Vec<_>>()[..] else { return None };
                if map.method != "map" {
                    return None;
                }
                let default = match (name, rest) {
                    ("unwrap_or", [d]) => Some((*d).clone()),
                    ("unwrap_or_else", [Expr::Closure(d)]) if d.inputs.is_empty() => Some((*d.body).clone()),
                    ("unwrap", []) | ("expect", [_]) => None,
                    _ => return None,
                };
                (&*map.receiver, f, default)
            }
        };
        let lookup = self.lookup(option)?;
        let element = lookup.element();
        let call: Expr = syn::parse_quote_spanned!(Loc::of(f).span()=> (#f)(&#element));
        let Some(default) = default else {
            return Some(self.expr(&call));
        };
        let found = |this: &mut Self, _: Tree| this.expr(&call);
        Some(self.lookup_branch(&lookup, Loc::of(m), found, |this| this.expr(&default)))
    }

    /// The looked-up element, as a loop's element is: `*v` of it reads the value.
    fn lookup_element(&mut self, lookup: &Lookup) -> Tree {
        // `split_first()`: the element, and a copy of the rest (`lower::slices`), passed to
        // calls by reference as the sub-slice was.
        if let (At::SplitFirst | At::SplitLast, Expr::Tuple(t)) = (&lookup.at, &lookup.element())
            && let [element, _] = &t.elems.iter().collect::<Vec<_>>()[..]
        {
            let element = self.expr(element);
            if let Tree::Leaf(v) = element {
                self.iter_elements.insert(v);
            }
            let rest = self.split_rest(lookup);
            return Tree::Tuple(vec![element, rest]);
        }
        let t = self.expr(&lookup.element());
        if let Tree::Leaf(v) = t {
            self.iter_elements.insert(v);
        }
        t
    }

    /// The copy of the rest of a split slice (`x[1..]`, `x[..n - 1]`), made where the element is
    /// looked up: past the length test, inside its branch (`arrays::refilled`).
    fn split_rest(&mut self, lookup: &Lookup) -> Tree {
        let (recv, span) = (lookup.recv, lookup.span);
        let range: Expr = match lookup.at {
            At::SplitFirst => syn::parse_quote_spanned!(span=> #recv[1..]),
            _ => syn::parse_quote_spanned!(span=> #recv[..#recv.len() - 1]),
        };
        match self.sub_slice_copy(&range) {
            Some(rest) => rest,
            // Not an array the lowering holds (a constant's field): the sub-slice as written.
            None => self.expr(&syn::parse_quote_spanned!(span=> &#range)),
        }
    }

    /// `if present { found(element) } else { missing }`, `found` in a scope of its own (for the
    /// names its pattern binds).
    fn lookup_branch(
        &mut self,
        lookup: &Lookup,
        span: Loc,
        found: impl FnOnce(&mut Self, Tree) -> Tree,
        missing: impl FnOnce(&mut Self) -> Tree,
    ) -> Tree {
        let present = lookup.present();
        let cond = self.value(&present);
        let then_f = |this: &mut Self| {
            this.scopes.push(Vec::new());
            let element = this.lookup_element(lookup);
            let t = found(this, element);
            this.scopes.pop();
            t
        };
        self.branch(cond, Loc::of(&present), false, span, then_f, missing)
    }
}
