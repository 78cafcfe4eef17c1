//! Patterns that bind names inside them (`Some(k)`, `(a, 0)`, `Mode::Scaled(s)`), in `match`
//! arms and `if let`, on a value that is not differentiated (a constant `Option<f64>`
//! parameter, an enum of settings):
//!
//! ```text
//! match factor { Some(k) => k * x, None => x }
//!     if matches!(&factor, Some(k)) { k = match factor { Some(k) => k, _ => unreachable!() }; k * x }
//!     else { x }
//! ```
//!
//! Each bound name is an opaque value reading the scrutinee, so a differentiated scrutinee is
//! the opaque-expression error, never a lost derivative. The test matches by reference; each
//! name is bound as the user's `match` binds it (by value from a value, by reference from a
//! reference), so its type is the user's. Patterns with `ref`, `mut` or `&` inside are left to
//! the "binds inside" error.

use super::*;

/// Whether `pat` binds names below its top level, all of them plain (no `ref`, `mut`, `@`, no
/// `&` pattern anywhere).
pub(super) fn destructures(pat: &Pat) -> bool {
    #[derive(Default)]
    struct Plain {
        names: usize,
        other: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Plain {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.by_ref.is_some() || p.mutability.is_some() || p.subpat.is_some() {
                self.other = true;
            } else if !is_constant_name(&p.ident) {
                self.names += 1;
            }
        }
        fn visit_pat_reference(&mut self, _: &'ast syn::PatReference) {
            self.other = true;
        }
    }
    if matches!(pat, Pat::Ident(_)) {
        return false;
    }
    let mut plain = Plain::default();
    syn::visit::Visit::visit_pat(&mut plain, pat);
    plain.names > 0 && !plain.other
}

/// Whether `pat` binds no name (`3`, `0..=2`, `None`, `Mode::Fast`, `(_, 0)`): only a test.
pub(super) fn binds_nothing(pat: &Pat) -> bool {
    #[derive(Default)]
    struct Binds(bool);
    impl<'ast> syn::visit::Visit<'ast> for Binds {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            if p.by_ref.is_some()
                || p.mutability.is_some()
                || p.subpat.is_some()
                || !is_constant_name(&p.ident)
            {
                self.0 = true;
            }
        }
    }
    let mut binds = Binds::default();
    syn::visit::Visit::visit_pat(&mut binds, pat);
    !binds.0
}

/// `None`, `MAX`, `Mode`: a unit variant or a constant, not a binding (Rust's convention).
pub(super) fn is_constant_name(ident: &syn::Ident) -> bool {
    ident.to_string().starts_with(|c: char| c.is_ascii_uppercase())
}

/// The names `pat` binds (not the unit variants and constants it names).
pub(super) fn names(pat: &Pat) -> Vec<syn::Ident> {
    super::scan::bound_names(pat).into_iter().filter(|n| !is_constant_name(n)).collect()
}

impl Lowerer<'_> {
    /// `matches!(s, pat)`, or `matches!(&s, pat)` for a pattern that [`destructures`] (its
    /// names must not move parts out of the scrutinee). Of a [`Scrutinee::Place`], `s` is a
    /// reference to the place: `matches!(*s, pat)`, or `matches!(s, pat)`.
    pub(super) fn pattern_test(&mut self, scrutinee: Scrutinee, pat: &Pat) -> Value {
        let (value, s) = (scrutinee.value(), scrutinee.value().ident());
        let span = Loc::of(pat);
        let s = match (destructures(pat), scrutinee) {
            (true, Scrutinee::Value(_)) => quote::quote!(&#s),
            (false, Scrutinee::Place(_)) => quote::quote!(*#s),
            _ => quote::quote!(#s),
        };
        let tokens = quote::quote_spanned!(span.start=> ::core::matches!(#s, #pat));
        let op = Op::Opaque { tokens, reads: vec![value], what: Opaque::Form("a `match` pattern") };
        self.emit(op, span, Kind::Discrete)
    }

    /// Declares each name `pat` binds as the part of the scrutinee it matches (in an arm whose
    /// pattern is known to match): `match s { pat => name, .. }`, or `match *s` of a place, which
    /// binds the part as the user's `match` on the place binds it (a copy).
    pub(super) fn bind_parts(&mut self, scrutinee: Scrutinee, pat: &Pat) {
        let (value, s) = (scrutinee.value(), scrutinee.value().ident());
        let s = match scrutinee {
            Scrutinee::Place(_) => quote::quote!(*#s),
            Scrutinee::Value(_) => quote::quote!(#s),
        };
        for name in names(pat) {
            let span = Loc::of(&name);
            let tokens = quote::quote_spanned!(span.start=>
                match #s { #pat => #name, _ => ::core::unreachable!() }
            );
            let op =
                Op::Opaque { tokens, reads: vec![value], what: Opaque::Form("a value bound by a pattern") };
            let v = self.emit(op, span, Kind::Unknown);
            self.declare(&name.to_string(), Some(Tree::Leaf(v)));
        }
    }

    /// What a `match` or `if let` looks at: the scrutinee's value, or a reference to a place
    /// that cannot be moved out of ([`Self::place_scrutinee`]).
    pub(super) fn scrutinee_of(&mut self, e: &Expr, whole: bool) -> Scrutinee {
        match self.place_scrutinee(e, whole) {
            Some(place) => place,
            None => Scrutinee::Value(self.value(e)),
        }
    }

    /// A reference to the place a `match` looks at, for a place that cannot be moved out of
    /// (`*loss`, `self.mode`, `p.kind` of a reference). `None` for another expression, or where
    /// a pattern binds the whole value (`whole`: `v => ..`), which then needs the value.
    pub(super) fn place_scrutinee(&mut self, e: &Expr, whole: bool) -> Option<Scrutinee> {
        let e = strip_parens(e);
        let place =
            matches!(e, Expr::Field(_)) || matches!(e, Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)));
        if !place || whole {
            return None;
        }
        let span = e.span();
        let borrowed: Expr = syn::parse_quote_spanned!(span=> &#e);
        Some(Scrutinee::Place(self.value(&borrowed)))
    }

    /// `if let pat = e { .. } else { .. }` for a pattern that [`destructures`].
    pub(super) fn if_let_pattern(
        &mut self,
        i: &syn::ExprIf,
        l: &syn::ExprLet,
        piecewise: bool,
    ) -> Option<Tree> {
        // (Also a pattern that binds nothing, `if let 3 = k`, `if let None = opt`: a test.)
        if !destructures(&l.pat) && !binds_nothing(&l.pat) {
            return None;
        }
        let scrutinee = self.scrutinee_of(&l.expr, false);
        let cond = self.pattern_test(scrutinee, &l.pat);
        self.condition_keyword = Some("if let");
        let then_f = |this: &mut Self| {
            this.scopes.push(Vec::new());
            this.bind_parts(scrutinee, &l.pat);
            let t = this.block(&i.then_branch);
            this.scopes.pop();
            t
        };
        let else_f = |this: &mut Self| match &i.else_branch {
            Some((_, e)) => this.expr(e),
            None => unit(),
        };
        Some(self.branch(cond, Loc::of(&l.expr), piecewise, Loc::of(i), then_f, else_f))
    }
}

/// The value a pattern looks at ([`Lowerer::scrutinee_of`]).
#[derive(Clone, Copy)]
pub(super) enum Scrutinee {
    /// The value itself.
    Value(Value),
    /// A reference to the place the user's `match` looks at.
    Place(Value),
}

impl Scrutinee {
    pub(super) fn value(self) -> Value {
        match self {
            Scrutinee::Value(v) | Scrutinee::Place(v) => v,
        }
    }
}

/// A slice pattern of plain names over a local array or slice, `[a, b, ..] = *x` (also `x`,
/// `&x`, `x[..]`, `x.as_slice()`): the length test it makes (`x.len() >= 2`, or `==` without
/// `..`) and each name with what it binds: an element by index (`x[0]`, `x[1]`; after `..`,
/// counted from the end; `&a` reads the same element), or the sub-slice between, for `rest @ ..`
/// (`&x[2..x.len() - 1]`). A length is no differentiable value, so the test needs no
/// `piecewise`. `None` for another pattern.
pub(super) fn slice_parts(pat: &Pat, scrutinee: &Expr) -> Option<(Expr, Vec<(Pat, Expr)>)> {
    // `&[a, b]` of a slice reference binds the elements' values, as the lowering binds them.
    let pat = match pat {
        Pat::Reference(r) if r.mutability.is_none() => &*r.pat,
        p => p,
    };
    let Pat::Slice(slice) = pat else { return None };
    let mut base = scrutinee;
    loop {
        base = match base {
            Expr::Paren(p) => &p.expr,
            Expr::Unary(u) if matches!(u.op, UnOp::Deref(_)) => &u.expr,
            Expr::Reference(r) if r.mutability.is_none() => &r.expr,
            Expr::Index(i) if matches!(&*i.index, Expr::Range(r) if r.start.is_none() && r.end.is_none()) => {
                &i.expr
            }
            Expr::MethodCall(m) if m.args.is_empty() && (m.method == "as_slice" || m.method == "as_ref") => {
                &m.receiver
            }
            Expr::Path(p) if p.path.get_ident().is_some() => break,
            // `x[..3]`, `x[a..b]`: its elements `x[a..b][k]` (`x[a + k]`, `expressions`).
            Expr::Index(i) if matches!(&*i.index, Expr::Range(_)) && matches!(&*i.expr, Expr::Path(_)) => {
                break;
            }
            _ => return None,
        };
    }
    let ranged = matches!(base, Expr::Index(_));
    let elems: Vec<&Pat> = slice.elems.iter().collect();
    // `..` or `rest @ ..`.
    let is_rest = |p: &Pat| match p {
        Pat::Rest(_) => true,
        Pat::Ident(i) => {
            i.by_ref.is_none()
                && i.mutability.is_none()
                && matches!(&i.subpat, Some((_, sub)) if matches!(**sub, Pat::Rest(_)))
        }
        _ => false,
    };
    let rest = elems.iter().position(|p| is_rest(p));
    // (A rest of a part would be a part of a part, which is not followed.)
    if elems.iter().filter(|p| is_rest(p)).count() > 1 || (ranged && rest.is_some()) {
        return None;
    }
    // A name, `&name`, `_`, or the rest; the name each binds.
    let name = |p: &Pat| -> Option<Option<Pat>> {
        match p {
            Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(Some(p.clone())),
            Pat::Reference(r) if r.mutability.is_none() => match &*r.pat {
                Pat::Ident(i) if i.by_ref.is_none() && i.subpat.is_none() => Some(Some((*r.pat).clone())),
                _ => None,
            },
            Pat::Ident(i) if is_rest(p) => {
                Some(Some(Pat::Ident(syn::PatIdent { subpat: None, ..i.clone() })))
            }
            Pat::Wild(_) | Pat::Rest(_) => Some(None),
            _ => None,
        }
    };
    let fixed = elems.len() - usize::from(rest.is_some());
    // The length of a part is read off its range (`b - a` of `x[a..b]`).
    let length: Expr = match base {
        Expr::Index(i) => super::expressions::range_part(i)?.1,
        base => syn::parse_quote!(#base.len()),
    };
    let test: Expr = match rest {
        Some(_) => syn::parse_quote!(#length >= #fixed),
        None => syn::parse_quote!(#length == #fixed),
    };
    let mut parts = Vec::new();
    for (k, p) in elems.iter().enumerate() {
        let Some(bound) = name(p)? else { continue };
        let element: Expr = match rest {
            Some(r) if k == r => match elems.len() - k - 1 {
                0 => syn::parse_quote!(&#base[#k..]),
                after => syn::parse_quote!(&#base[#k..#base.len() - #after]),
            },
            Some(r) if k > r => {
                let from_end = elems.len() - k;
                syn::parse_quote!(#base[#base.len() - #from_end])
            }
            _ => syn::parse_quote!(#base[#k]),
        };
        parts.push((bound, element));
    }
    Some((test, parts))
}

/// A `match` whose arms are slice patterns ([`slice_parts`]) of one array or slice, the last
/// possibly `_`, as the chain of length tests it makes:
///
/// ```text
/// match x { [] => A, [a] => B, [a, b, rest @ ..] if g => C, _ => D }
///     if x.len() == 0 { A } else if x.len() == 1 { let a = x[0]; B }
///     else if x.len() >= 2 && { let a = x[0]; let b = x[1]; let rest = &x[2..]; g } { .. C }
///     else { D }
/// ```
///
/// The last arm runs unconditionally: rustc has checked that the `match` is exhaustive.
/// `None` for any other `match`.
pub(super) fn slice_match(m: &syn::ExprMatch) -> Option<Expr> {
    let (last, arms) = m.arms.split_last()?;
    let bindings = |parts: &[(Pat, Expr)]| -> Vec<Stmt> {
        parts.iter().map(|(p, e)| syn::parse_quote!(let #p = #e;)).collect()
    };
    let body = |parts: &[(Pat, Expr)], e: &Expr| -> Expr {
        let lets = bindings(parts);
        syn::parse_quote!({ #(#lets)* #e })
    };
    if last.guard.is_some() || !matches!(last.pat, Pat::Slice(_) | Pat::Wild(_) | Pat::Reference(_)) {
        return None;
    }
    let last_parts = match &last.pat {
        Pat::Wild(_) => Vec::new(),
        p => slice_parts(p, &m.expr)?.1,
    };
    let mut chain = body(&last_parts, &last.body);
    for arm in arms.iter().rev() {
        let (test, parts) = slice_parts(&arm.pat, &m.expr)?;
        let cond: Expr = match &arm.guard {
            None => test,
            Some((_, guard)) => {
                let lets = bindings(&parts);
                syn::parse_quote!(#test && { #(#lets)* #guard })
            }
        };
        let then = body(&parts, &arm.body);
        chain = syn::parse_quote_spanned!(arm.span()=> if #cond { #then } else { #chain });
    }
    Some(chain)
}
