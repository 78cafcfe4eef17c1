//! What a helper's body written out at a call (`lower::higher_order`) is rewritten by: its
//! parameters as the caller's places ([`Renamed`]), a method's `self` as the receiver and `Self`
//! as its type ([`SelfAs`]), its float type parameters as the caller's float type
//! ([`Concrete`]), and the questions asked of it first (names bound, names mentioned, macros).

use std::collections::HashSet;

use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

/// Whether a macro's tokens in `block` mention `name` (a macro is not looked into by a rename).
pub(super) fn in_macros(block: &syn::Block, name: &syn::Ident) -> bool {
    struct Macros<'a>(&'a syn::Ident, bool);
    impl<'ast> syn::visit::Visit<'ast> for Macros<'_> {
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            self.1 |= super::scan::tokens_mention(m.tokens.clone(), &self.0.to_string());
        }
    }
    let mut m = Macros(name, false);
    syn::visit::Visit::visit_block(&mut m, block);
    m.1
}

/// The names a place reads (`pts[j]`: `pts` and `j`), if it is one whose names the helper's
/// body does not bind (`bound`): a name, or with `deep`, fields and indices of one by names,
/// literals and arithmetic of them.
pub(super) fn place_names(e: &Expr, bound: &HashSet<String>, deep: bool) -> Option<Vec<String>> {
    let free = |n: &syn::Ident| (!bound.contains(&n.to_string())).then(|| n.to_string());
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().and_then(free).map(|n| vec![n]),
        Expr::Paren(p) if deep => place_names(&p.expr, bound, deep),
        Expr::Field(f) if deep => place_names(&f.base, bound, deep),
        Expr::Index(i) if deep => {
            let mut names = place_names(&i.expr, bound, deep)?;
            names.extend(index_names(&i.index, bound)?);
            Some(names)
        }
        _ => None,
    }
}

/// The names an index reads, if it is names, literals and arithmetic of them.
pub(super) fn index_names(e: &Expr, bound: &HashSet<String>) -> Option<Vec<String>> {
    match e {
        Expr::Lit(_) => Some(Vec::new()),
        Expr::Path(_) => place_names(e, bound, false),
        Expr::Paren(p) => index_names(&p.expr, bound),
        Expr::Binary(b) => {
            let mut names = index_names(&b.left, bound)?;
            names.extend(index_names(&b.right, bound)?);
            Some(names)
        }
        _ => None,
    }
}

/// How a parameter reads the caller's place it is written as.
#[derive(Clone, Copy)]
pub(super) enum Mode {
    /// Given by value (`g(x)`): the parameter is the place.
    Value,
    /// Given `&mut v`: the parameter and `*param` are `v`.
    Through,
    /// Given `&place`: `*param`, `param.f`, `param[i]` and `param.m(..)` read the place; the
    /// parameter elsewhere is `&place`.
    Borrowed,
}

/// A body with the parameter `from` written as the caller's place `to` (see [`Mode`]).
pub(super) struct Renamed<'a> {
    pub(super) from: &'a syn::Ident,
    pub(super) to: &'a Expr,
    pub(super) mode: Mode,
}

impl Renamed<'_> {
    fn names(&self, e: &Expr) -> bool {
        matches!(e, Expr::Path(p) if p.qself.is_none() && p.path.is_ident(self.from))
    }

    /// `e` in a place that reads through a reference (a field's base, an index's, a receiver).
    fn read_through(&mut self, e: &mut Expr) {
        match self.names(e) {
            true => *e = self.to.clone(),
            false => self.visit_expr_mut(e),
        }
    }
}

impl VisitMut for Renamed<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let to = self.to;
        let deref =
            matches!(&*e, Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) && self.names(&u.expr));
        match (e, self.mode) {
            (e, Mode::Through | Mode::Borrowed) if deref => *e = self.to.clone(),
            (Expr::Field(f), Mode::Borrowed) => self.read_through(&mut f.base),
            (Expr::Index(i), Mode::Borrowed) => {
                self.read_through(&mut i.expr);
                self.visit_expr_mut(&mut i.index);
            }
            (Expr::MethodCall(m), Mode::Borrowed) => {
                self.read_through(&mut m.receiver);
                for arg in &mut m.args {
                    self.visit_expr_mut(arg);
                }
            }
            (e, Mode::Borrowed) if self.names(e) => *e = syn::parse_quote!((&#to)),
            (e, _) if self.names(e) => *e = syn::parse_quote!(#to),
            (e, _) => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A method's body with `self` written as the receiver and `Self` as its type.
pub(super) struct SelfAs<'a> {
    pub(super) receiver: Option<&'a Expr>,
    pub(super) ty: &'a syn::Type,
}

impl VisitMut for SelfAs<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        if let Expr::Path(p) = e
            && p.qself.is_none()
            && p.path.is_ident("self")
            && let Some(receiver) = self.receiver
        {
            *e = receiver.clone();
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
    fn visit_type_mut(&mut self, t: &mut syn::Type) {
        if let syn::Type::Path(p) = t
            && p.qself.is_none()
            && p.path.is_ident("Self")
        {
            *t = self.ty.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, t);
    }
    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        // `Self::K`, `Self::helper(..)`: the type's path, then the rest.
        if path.segments.len() > 1
            && path.segments[0].ident == "Self"
            && let syn::Type::Path(ty) = self.ty
            && ty.qself.is_none()
        {
            let rest: Vec<syn::PathSegment> = path.segments.iter().skip(1).cloned().collect();
            path.segments = ty.path.segments.iter().cloned().chain(rest).collect();
            path.leading_colon = ty.path.leading_colon;
        }
        syn::visit_mut::visit_path_mut(self, path);
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// Every name a pattern binds anywhere in what is visited.
#[derive(Default)]
pub(super) struct AllBound(pub(super) HashSet<String>);

impl<'ast> syn::visit::Visit<'ast> for AllBound {
    fn visit_pat(&mut self, p: &'ast Pat) {
        self.0.extend(super::scan::bound_names(p).iter().map(ToString::to_string));
        syn::visit::visit_pat(self, p);
    }
}

/// Whether a path or type in `block` names one of `names` (first segment).
pub(super) fn mentions(block: &syn::Block, names: &[String]) -> bool {
    struct Mentions<'a> {
        names: &'a [String],
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Mentions<'_> {
        fn visit_path(&mut self, p: &'ast syn::Path) {
            if p.segments.first().is_some_and(|s| self.names.iter().any(|n| s.ident == n)) {
                self.found = true;
            }
            syn::visit::visit_path(self, p);
        }
    }
    let mut m = Mentions { names, found: false };
    syn::visit::Visit::visit_block(&mut m, block);
    m.found
}

/// Writes a helper's float type parameters `T` as the caller's float type. A generic caller's
/// (`S`) takes `T`'s place as it is; for `f64` or `f32` the `num_traits` calls of `T` become
/// the float's own: `T::from(e).unwrap()` `(e as f64)`, `T::zero()` `0.0`, `T::epsilon()`
/// `f64::EPSILON`, `T::sin(x)` `f64::sin(x)`. Other mentions of `T` are left, and reported.
pub(super) struct Concrete<'a> {
    pub(super) floats: &'a [syn::Ident],
    pub(super) element: &'a syn::Type,
    pub(super) generic: bool,
}

impl Concrete<'_> {
    fn is_float(&self, path: &syn::Path) -> bool {
        path.segments.len() == 1 && self.floats.contains(&path.segments[0].ident)
    }

    /// The call `T::name(args)` as the caller's float's: the whole call (`T::zero()` as
    /// `(0.0 as f64)`, `T::epsilon()` as `<f64>::EPSILON`) or its function (`T::sin` as
    /// `<f64>::sin`); `None` if it has no plain form.
    fn associated(&self, name: &syn::Ident, args: &[&Expr]) -> Option<Associated> {
        let ty = self.element;
        let span = name.span();
        let constant = |c: &str| {
            let c = syn::Ident::new(c, span);
            Some(Associated::Call(syn::parse_quote_spanned!(span=> <#ty>::#c)))
        };
        let pi = |c: &str| {
            let c = syn::Ident::new(c, span);
            let module = if ty.to_token_stream().to_string() == "f32" { quote!(f32) } else { quote!(f64) };
            Some(Associated::Call(syn::parse_quote_spanned!(span=> ::core::#module::consts::#c)))
        };
        match (name.to_string().as_str(), args) {
            ("zero", []) => Some(Associated::Call(syn::parse_quote_spanned!(span=> (0.0 as #ty)))),
            ("one", []) => Some(Associated::Call(syn::parse_quote_spanned!(span=> (1.0 as #ty)))),
            ("epsilon" | "default_epsilon", []) => constant("EPSILON"),
            ("max_value", []) => constant("MAX"),
            ("min_value", []) => constant("MIN"),
            ("min_positive_value", []) => constant("MIN_POSITIVE"),
            ("infinity", []) => constant("INFINITY"),
            ("neg_infinity", []) => constant("NEG_INFINITY"),
            ("nan", []) => constant("NAN"),
            ("pi" | "PI", []) => pi("PI"),
            ("E" | "e", []) => pi("E"),
            ("two_pi" | "TAU", []) => pi("TAU"),
            ("frac_pi_2" | "FRAC_PI_2", []) => pi("FRAC_PI_2"),
            ("ln_2" | "LN_2", []) => pi("LN_2"),
            ("ln_10" | "LN_10", []) => pi("LN_10"),
            ("SQRT_2" | "sqrt_2", []) => pi("SQRT_2"),
            (n, _) if n.starts_with("from") || n.starts_with("to_") => None,
            // A float method called by path: `T::sin(x)`, `T::max(a, b)`.
            (n, [_, ..]) => {
                let n = syn::Ident::new(n, span);
                Some(Associated::Function(syn::parse_quote_spanned!(span=> <#ty>::#n)))
            }
            _ => None,
        }
    }
}

/// What [`Concrete::associated`] writes for a call.
pub(super) enum Associated {
    /// In place of the whole call.
    Call(Expr),
    /// In place of the function called.
    Function(Expr),
}

impl VisitMut for Concrete<'_> {
    fn visit_type_mut(&mut self, t: &mut syn::Type) {
        if let syn::Type::Path(p) = t
            && p.qself.is_none()
            && self.is_float(&p.path)
        {
            *t = self.element.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, t);
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if self.generic {
            // `T::from(..)` is the caller's `S::from(..)`.
            if let Expr::Path(p) = e
                && p.qself.is_none()
                && p.path.segments.len() == 2
                && self.floats.contains(&p.path.segments[0].ident)
            {
                let ty = self.element;
                let rest = &p.path.segments[1];
                *e = syn::parse_quote!(#ty::#rest);
            }
            return;
        }
        // `T::from(e).unwrap()`, `T::from_f64(e).unwrap()`, `T::from_usize(e).expect("..")`.
        if let Expr::MethodCall(m) = e
            && super::unwraps(m)
            && let Expr::Call(c) = &*m.receiver
            && let Expr::Path(p) = &*c.func
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && self.floats.contains(&p.path.segments[0].ident)
            && p.path.segments[1].ident.to_string().starts_with("from")
            && let [x] = c.args.iter().collect::<Vec<_>>()[..]
        {
            let ty = self.element;
            *e = syn::parse_quote_spanned!(p.path.segments[1].ident.span()=> ((#x) as #ty));
            return;
        }
        // `T::zero()`, `T::sin(x)`: the float's own.
        if let Expr::Call(c) = e
            && let Expr::Path(p) = &*c.func
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && self.floats.contains(&p.path.segments[0].ident)
        {
            let args: Vec<&Expr> = c.args.iter().collect();
            match self.associated(&p.path.segments[1].ident, &args) {
                Some(Associated::Call(call)) => *e = call,
                Some(Associated::Function(f)) => *c.func = f,
                None => {}
            }
        }
    }
}
