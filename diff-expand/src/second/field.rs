//! Second order of a function generic over nalgebra's `RealField` (or `ComplexField`): the
//! runtime's `Dual<f64>` cannot be a `RealField` (its `SimdValue` part has `unsafe` methods this
//! project does not write), so such a function cannot run its own `_grad` at dual numbers as a
//! `T: Float` one does. Its `_grad` is copied instead, as a function of `f64` is (`copy.rs`),
//! with the type parameter made `Dual<f64>` and what the body asks of the type written out:
//!
//! ```text
//! T::zero(), T::one(), T::pi(), ..            the constant as a dual number
//! T::from_f64(a), T::from_usize(a), T::from(a)  Some(cast(a)) (consumed by unwrap, expect, ?)
//! T::from_subset(&a), nalgebra::convert(a)    cast(a)
//! T::sqrt(x), T::max(a, b), ..                the runtime's `Scalar` method
//! ```
//!
//! A macro's arguments (`assert!(x[0] > T::zero())`) are rewritten the same way, as tokens, and
//! `T` alone there is the dual type.
//!
//! Anything else the body asks of `T` is rejected before (`unknown`), spanned on it, as is a
//! call of another differentiable function (whose copy the caller's could not name).

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::{ToTokens, quote};
use syn::visit_mut::VisitMut;

/// The bounds, by their last segment, that take this route: nalgebra's (simba's) field traits and
/// what they imply. Other bounds `Dual<f64>` lacks keep their error.
pub(super) const FIELD_BOUNDS: &[&str] = &[
    "RealField",
    "ComplexField",
    "SimdRealField",
    "SimdComplexField",
    "Field",
    "Scalar",
    "SimdValue",
    "SimdPartialOrd",
    "ClosedAdd",
    "ClosedSub",
    "ClosedMul",
    "ClosedDiv",
    "ClosedNeg",
    "ClosedAddAssign",
    "ClosedSubAssign",
    "ClosedMulAssign",
    "ClosedDivAssign",
];

/// The associated constants-as-functions of the float traits, and the `f64` value of each.
const CONSTANTS: &[(&str, &str)] = &[
    ("zero", "0.0"),
    ("one", "1.0"),
    ("pi", "::core::f64::consts::PI"),
    ("two_pi", "::core::f64::consts::TAU"),
    ("frac_pi_2", "::core::f64::consts::FRAC_PI_2"),
    ("frac_pi_3", "::core::f64::consts::FRAC_PI_3"),
    ("frac_pi_4", "::core::f64::consts::FRAC_PI_4"),
    ("frac_pi_6", "::core::f64::consts::FRAC_PI_6"),
    ("frac_pi_8", "::core::f64::consts::FRAC_PI_8"),
    ("frac_1_pi", "::core::f64::consts::FRAC_1_PI"),
    ("frac_2_pi", "::core::f64::consts::FRAC_2_PI"),
    ("frac_2_sqrt_pi", "::core::f64::consts::FRAC_2_SQRT_PI"),
    ("e", "::core::f64::consts::E"),
    ("log2_e", "::core::f64::consts::LOG2_E"),
    ("log10_e", "::core::f64::consts::LOG10_E"),
    ("ln_2", "::core::f64::consts::LN_2"),
    ("ln_10", "::core::f64::consts::LN_10"),
    ("default_epsilon", "::core::f64::EPSILON"),
    ("epsilon", "::core::f64::EPSILON"),
    ("max_value", "::core::f64::MAX"),
    ("min_value", "::core::f64::MIN"),
    ("min_positive_value", "::core::f64::MIN_POSITIVE"),
    ("infinity", "::core::f64::INFINITY"),
    ("neg_infinity", "::core::f64::NEG_INFINITY"),
];

/// The conversions that give an `Option` (`FromPrimitive`, `NumCast`).
const CONVERSIONS: &[&str] = &[
    "from_f64",
    "from_f32",
    "from_usize",
    "from_isize",
    "from_i32",
    "from_u32",
    "from_i64",
    "from_u64",
    "from",
];

/// What a call `T::name(..)` of `arity` arguments asks of the type, if this route writes it out
/// (`Field::written_out` writes each kind).
enum Asked {
    /// A constant of the table, by its `f64` value.
    Constant(&'static str),
    /// A conversion giving an `Option` (`CONVERSIONS`).
    Conversion,
    /// `T::from_subset(&a)`.
    Subset,
    /// A float method (`T::sqrt(x)`).
    Method,
}

fn asked(name: &str, arity: usize) -> Option<Asked> {
    match arity {
        0 if let Some((_, value)) = CONSTANTS.iter().find(|(c, _)| *c == name) => {
            Some(Asked::Constant(value))
        }
        1 if CONVERSIONS.contains(&name) => Some(Asked::Conversion),
        1 if name == "from_subset" => Some(Asked::Subset),
        _ if crate::rules::float_method(name) => Some(Asked::Method),
        _ => None,
    }
}

/// `T::name` (also `<T as Trait>::name`): the name, if the path is one through `t`.
fn through(f: &syn::ExprPath, t: &syn::Ident) -> Option<syn::Ident> {
    let first = match &f.qself {
        Some(q) => matches!(&*q.ty, syn::Type::Path(p) if p.path.is_ident(t)),
        None => f.path.segments.len() == 2 && f.path.segments[0].ident == *t,
    };
    first.then(|| f.path.segments.last().map(|s| s.ident.clone())).flatten()
}

/// The first thing the body asks of the type parameter `t` that this route does not write out,
/// with its text, to reject: `T::name(..)` of another name or arity, `T::name` as a value other
/// than a float method (`fold(T::zero(), T::max)` is fine) or an associated constant, in code or
/// in a macro's arguments (read as tokens, as [`Field`] rewrites them).
pub(super) fn unknown(block: &syn::Block, t: &syn::Ident) -> Option<(Span, String)> {
    struct Find<'t> {
        t: &'t syn::Ident,
        found: Option<(Span, String)>,
    }
    impl Find<'_> {
        fn name(&self, f: &syn::ExprPath) -> Option<syn::Ident> {
            through(f, self.t)
        }
        fn report(&mut self, at: Span, what: String) {
            self.found.get_or_insert((at, what));
        }
    }
    impl<'ast> syn::visit::Visit<'ast> for Find<'_> {
        fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
            if let syn::Expr::Path(f) = &*c.func
                && let Some(name) = self.name(f)
            {
                if asked(&name.to_string(), c.args.len()).is_none() {
                    self.report(name.span(), format!("`{}::{name}`", self.t));
                }
                c.args.iter().for_each(|a| self.visit_expr(a));
                return;
            }
            syn::visit::visit_expr_call(self, c);
        }
        fn visit_expr_path(&mut self, f: &'ast syn::ExprPath) {
            if let Some(name) = self.name(f)
                && !crate::rules::float_method(&name.to_string())
            {
                self.report(name.span(), format!("`{}::{name}`", self.t));
            }
        }
        fn visit_macro(&mut self, m: &'ast syn::Macro) {
            let mut found = None;
            each_through_t(m.tokens.clone(), self.t, &mut |name, args| {
                let known = match args {
                    Some(args) => asked(&name.to_string(), args.len()).is_some(),
                    None => crate::rules::float_method(&name.to_string()),
                };
                if !known && found.is_none() {
                    found = Some(name.clone());
                }
            });
            if let Some(name) = found {
                self.report(name.span(), format!("`{}::{name}`", self.t));
            }
        }
        fn visit_item(&mut self, _: &'ast syn::Item) {}
    }
    let mut find = Find { t, found: None };
    syn::visit::Visit::visit_block(&mut find, block);
    find.found
}

/// Calls `f` with each `T::name` in `tokens` (a macro's arguments), at any depth, and the
/// arguments of its call if it is called (`None` for a path alone, or arguments that do not
/// parse, which are then reported as a path alone).
fn each_through_t(
    tokens: TokenStream,
    t: &syn::Ident,
    f: &mut dyn FnMut(&syn::Ident, Option<Vec<syn::Expr>>),
) {
    let trees: Vec<TokenTree> = tokens.into_iter().collect();
    for (i, tree) in trees.iter().enumerate() {
        match tree {
            TokenTree::Group(g) => each_through_t(g.stream(), t, f),
            TokenTree::Ident(id) if id == t => {
                if let Some((name, args, _)) = through_t_at(&trees, i) {
                    f(&name, args);
                }
            }
            _ => {}
        }
    }
}

/// `T :: name (args)` starting at `trees[i]` (an identifier `T`): the name, the parsed arguments
/// if called, and how many trees it spans.
fn through_t_at(trees: &[TokenTree], i: usize) -> Option<(syn::Ident, Option<Vec<syn::Expr>>, usize)> {
    let (Some(TokenTree::Punct(a)), Some(TokenTree::Punct(b)), Some(TokenTree::Ident(name))) =
        (trees.get(i + 1), trees.get(i + 2), trees.get(i + 3))
    else {
        return None;
    };
    if a.as_char() != ':' || b.as_char() != ':' {
        return None;
    }
    let name = name.clone();
    match trees.get(i + 4) {
        Some(TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis => {
            let parser = syn::punctuated::Punctuated::<syn::Expr, syn::Token![,]>::parse_terminated;
            let args = syn::parse::Parser::parse2(parser, g.stream()).ok().map(|p| p.into_iter().collect());
            let spans = if args.is_some() { 5 } else { 4 };
            Some((name, args, spans))
        }
        _ => Some((name, None, 4)),
    }
}

/// Rewrites a copy already made dual (`copy::Generic`): the type parameter `t` is `Dual<f64>`,
/// and its associated functions are written out (see the module's table).
pub(super) struct Field {
    pub(super) t: syn::Ident,
}

fn scalar() -> syn::Type {
    syn::parse_quote!(::tapeless::__private::Dual<f64>)
}

impl Field {
    /// The call `T::name(args)` written out, `None` if it is not one of the table's.
    fn written_out(&self, name: &syn::Ident, args: Vec<syn::Expr>) -> Option<syn::Expr> {
        let (s, p) = (scalar(), quote!(::tapeless::__private));
        let text = name.to_string();
        let from = |value: TokenStream| -> syn::Expr {
            syn::parse_quote!(<#s as #p::Floating>::__tapeless_from_f64(#value))
        };
        Some(match (asked(&text, args.len())?, &args[..]) {
            (Asked::Constant(value), _) => from(value.parse().ok()?),
            (Asked::Conversion, [a]) => {
                syn::parse_quote!(::core::option::Option::Some(#p::cast::<#s, _>(#a)))
            }
            (Asked::Subset, [a]) => syn::parse_quote!(#p::cast::<#s, _>(*(#a))),
            (Asked::Method, args) => syn::parse_quote!(<#s as #p::Scalar>::#name(#(#args),*)),
            _ => return None,
        })
    }

    /// [`Field::visit_macro_mut`] of `tokens`.
    fn tokens(&self, tokens: TokenStream) -> TokenStream {
        let trees: Vec<TokenTree> = tokens.into_iter().collect();
        let mut out = Vec::new();
        let mut i = 0;
        while i < trees.len() {
            match &trees[i] {
                TokenTree::Group(g) => {
                    let mut group = proc_macro2::Group::new(g.delimiter(), self.tokens(g.stream()));
                    group.set_span(g.span());
                    out.push(TokenTree::Group(group));
                }
                TokenTree::Ident(id) if *id == self.t => {
                    let written = through_t_at(&trees, i).and_then(|(name, args, spans)| {
                        let e = match args {
                            Some(args) => {
                                let mut inner = Field { t: self.t.clone() };
                                let args = args
                                    .into_iter()
                                    .map(|mut a| {
                                        inner.visit_expr_mut(&mut a);
                                        a
                                    })
                                    .collect();
                                self.written_out(&name, args)?
                            }
                            None if crate::rules::float_method(&name.to_string()) => {
                                let s = scalar();
                                syn::parse_quote!(<#s as ::tapeless::__private::Scalar>::#name)
                            }
                            None => return None,
                        };
                        Some((e, spans))
                    });
                    match written {
                        Some((e, spans)) => {
                            out.push(TokenTree::Group(proc_macro2::Group::new(
                                proc_macro2::Delimiter::Parenthesis,
                                e.into_token_stream(),
                            )));
                            i += spans;
                            continue;
                        }
                        None => out.push(TokenTree::Group(proc_macro2::Group::new(
                            proc_macro2::Delimiter::None,
                            scalar().into_token_stream(),
                        ))),
                    }
                }
                other => out.push(other.clone()),
            }
            i += 1;
        }
        out.into_iter().collect()
    }
}

/// `nalgebra::convert(a)`, `na::convert::<f64, T>(a)`: the conversion of a constant.
fn nalgebra_convert(f: &syn::ExprPath) -> bool {
    let segments: Vec<String> = f.path.segments.iter().map(|s| s.ident.to_string()).collect();
    f.qself.is_none()
        && matches!(
            &segments.iter().map(String::as_str).collect::<Vec<_>>()[..],
            ["nalgebra" | "na", "convert"]
        )
}

impl VisitMut for Field {
    /// The copy, and the functions nested in it (a `map` closure's, generic over `T` as the
    /// function is), without the type parameter.
    fn visit_item_fn_mut(&mut self, f: &mut syn::ItemFn) {
        drop_parameter(&mut f.sig, &self.t);
        syn::visit_mut::visit_item_fn_mut(self, f);
    }

    /// A macro's arguments (`assert!(x[0] > T::zero())`), as tokens: `T::name(..)` written out,
    /// `T` alone the dual number.
    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = self.tokens(std::mem::take(&mut m.tokens));
    }

    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(&self.t)) {
            *ty = scalar();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        // `T::max` as a value (`fold(T::zero(), T::max)`): the runtime's `Scalar` method.
        if let syn::Expr::Path(f) = e
            && let Some(name) = through(f, &self.t)
            && crate::rules::float_method(&name.to_string())
        {
            let s = scalar();
            *e = syn::parse_quote!(<#s as ::tapeless::__private::Scalar>::#name);
            return;
        }
        let syn::Expr::Call(call) = e else { return };
        let syn::Expr::Path(f) = &*call.func else { return };
        if nalgebra_convert(f) && call.args.len() == 1 {
            let (s, a) = (scalar(), &call.args[0]);
            *e = syn::parse_quote!(::tapeless::__private::cast::<#s, _>(#a));
            return;
        }
        if let Some(name) = through(f, &self.t)
            && let Some(written) = self.written_out(&name, call.args.iter().cloned().collect())
        {
            *e = written;
        }
    }
}

/// Whether the float type parameter's bounds that `Dual<f64>` lacks (`unsupported`) are all
/// field traits, which this route takes.
pub(super) fn takes(unsupported: &[syn::TypeParamBound]) -> bool {
    !unsupported.is_empty()
        && unsupported.iter().all(|b| match b {
            syn::TypeParamBound::Trait(tb) => {
                tb.path.segments.last().is_some_and(|s| FIELD_BOUNDS.contains(&s.ident.to_string().as_str()))
            }
            _ => false,
        })
}

/// The copy's signature without the type parameter `t` (and the `where` predicates naming it,
/// and the `use<.., T>` of a returned pullback's type).
pub(super) fn drop_parameter(sig: &mut syn::Signature, t: &syn::Ident) {
    super::without_parameter(&mut sig.generics, t);
    struct Captures<'t>(&'t syn::Ident);
    impl VisitMut for Captures<'_> {
        fn visit_precise_capture_mut(&mut self, c: &mut syn::PreciseCapture) {
            c.params = c
                .params
                .iter()
                .filter(|p| !matches!(p, syn::CapturedParam::Ident(i) if i == self.0))
                .cloned()
                .collect();
        }
    }
    Captures(t).visit_return_type_mut(&mut sig.output);
}
