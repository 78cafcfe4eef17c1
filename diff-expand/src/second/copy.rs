//! The rewrite of an emitted `_grad` or `_vjp` into its copy computing in `Dual<f64>`: every
//! `f64` type becomes `Dual<f64>`, every float literal and `f64` constant a dual constant, every
//! `as f64` the runtime's `cast`, and a value read from outside the function (a `const`, a table
//! entry, a call on integers) is promoted where it is assigned.

use std::collections::HashSet;

use proc_macro2::{Delimiter, Group, TokenStream, TokenTree};
use quote::{ToTokens, format_ident};
use syn::visit_mut::VisitMut;

use super::for_hessian;
use crate::signature::is_f64;

/// The rewrite of `NAME_grad` into its scalar-generic copy.
pub(super) struct Generic {
    /// The locals (`__v3`) that hold floats or values of a kind the syntax did not tell.
    pub(super) promote: HashSet<String>,
    /// The `_vjp`s of the functions the body composes with: their dual copies are called.
    pub(super) calls: HashSet<String>,
    /// The structs among the parameters' types: their dual twins (`derive.rs`) replace them.
    pub(super) records: HashSet<String>,
    /// Functions called on constants only, and which of their arguments are floats: those are
    /// passed as their value parts (`check::constant_call`).
    pub(super) constant_calls: std::collections::HashMap<String, Vec<ConstantArg>>,
    /// Functions and methods composed with whose pullback the reverse sweep makes again
    /// (`emit::pullback_in_sweep`): `_grad` calls their primal, which the copy takes from
    /// their dual `_vjp`.
    pub(super) remade: HashSet<String>,
    /// The locals holding parameters passed as they are (`check::as_is`): a method called on
    /// one (`scale.unwrap_or(1.0)` of an `Option<f64>`) takes its float arguments as `f64`,
    /// their value parts (`check::kept_receiver_call`).
    pub(super) kept: HashSet<String>,
    /// The matrices (`__v3`) whose `max()` or `min()` the body takes (`rules::Custom::Extremum`):
    /// the runtime's dual version is called instead (a zero-argument `max()` of anything else,
    /// an iterator of integers, stays).
    pub(super) extrema: HashSet<String>,
}

/// The scalar of the copy.
fn scalar() -> syn::Type {
    syn::parse_quote!(::tapeless::__private::Dual<f64>)
}

fn from_f64(e: &dyn ToTokens) -> syn::Expr {
    let s = scalar();
    syn::parse_quote!(<#s as ::tapeless::__private::Floating>::__tapeless_from_f64(#e))
}

fn promote(e: &syn::Expr) -> syn::Expr {
    let mut e = e.clone();
    f64_constructor(&mut e);
    // A field (`settings.weighting`), whose type is known where it is read: kept as it is if it
    // has no `Promote` (an enum of the user's own).
    if let syn::Expr::Field(_) = crate::lower::strip_parens(&e) {
        return syn::parse_quote!({
            use ::tapeless::__private::{PromoteAsIs as _, PromoteByTrait as _};
            ::tapeless::__private::Promoting(#e).promote_field()
        });
    }
    syn::parse_quote!(::tapeless::__private::promote(#e))
}

/// `Vector3::x()`, `Matrix3::identity()`, `DVector::zeros(n)`: a constant nalgebra constructor
/// (no arguments, or sizes only) whose entry type the primal infers from its use, which
/// `promote` hides, is written `Vector3::<f64>::x()`.
fn f64_constructor(e: &mut syn::Expr) {
    let syn::Expr::Call(c) = e else { return };
    let syn::Expr::Path(f) = &mut *c.func else { return };
    let n = f.path.segments.len();
    let constant = c.args.is_empty()
        || f.path.segments.last().is_some_and(|l| l.ident == "zeros" || l.ident == "identity");
    if f.qself.is_some() || n < 2 || !constant {
        return;
    }
    let ty = &mut f.path.segments[n - 2];
    let name = ty.ident.to_string();
    let known = crate::signature::alias_columns(&name).is_some() || crate::signature::dynamic_name(&name);
    if known && ty.arguments.is_none() {
        ty.arguments = syn::PathArguments::AngleBracketed(syn::parse_quote!(::<f64>));
    }
}

fn cast(e: &syn::Expr) -> syn::Expr {
    let s = scalar();
    syn::parse_quote!(::tapeless::__private::cast::<#s, _>(#e))
}

/// The runtime's dual version (`dual_math`) of the nalgebra method `name`, one that needs
/// `RealField`, `ComplexField`, `SupersetOf<f64>` or `Signed` (`norm`, `normalize`,
/// `determinant`, `try_inverse`, `lu`, `cholesky`, `mean`, `variance`, `amax`, `amin`;
/// `magnitude` is `norm`, `qr` and `full_piv_lu` are `lu`).
fn dual_math_method(name: &syn::Ident) -> Option<syn::Ident> {
    let dual = match name.to_string().as_str() {
        "norm" | "magnitude" => "norm",
        "norm_squared" | "magnitude_squared" => "norm_squared",
        "normalize" => "normalize",
        "determinant" => "determinant",
        "try_inverse" => "try_inverse",
        // The decompositions a solve is made by (`lower::solves`): the matrix kept for `solve`.
        "lu" | "full_piv_lu" | "qr" => "lu",
        "cholesky" => "cholesky",
        // (No float or iterator has these; `max` and `min` are `Generic::extrema`.)
        "mean" => "mean",
        "variance" => "variance",
        "amax" => "amax",
        "amin" => "amin",
        _ => return None,
    };
    Some(syn::Ident::new(dual, name.span()))
}

/// `tapeless::math::erf_vjp` (`erfc_vjp`), written with its module: the runtime has its dual
/// version.
pub(crate) fn math_vjp(path: &syn::Path) -> bool {
    let n = path.segments.len();
    n >= 2
        && path.segments[n - 2].ident == "math"
        && path.segments.last().is_some_and(|s| s.ident == "erf_vjp" || s.ident == "erfc_vjp")
}

/// A path through `f64` (`f64::EPSILON`, `std::f64::consts::PI`, `f64::max`).
fn through_f64(path: &syn::Path) -> bool {
    path.segments.len() > 1 && path.segments.iter().any(|s| s.ident == "f64")
}

/// A value computed outside the function: a `const`, a call, an indexing of a constant.
fn from_outside(e: &syn::Expr) -> bool {
    match e {
        syn::Expr::Path(p) => {
            !p.path.is_ident("self") && !p.path.segments.iter().any(|s| s.ident.to_string().starts_with("__"))
        }
        syn::Expr::Call(c) => match &*c.func {
            syn::Expr::Path(p) => p.path.leading_colon.is_none() || !p.path.segments[0].ident.eq("tapeless"),
            _ => true,
        },
        // A part of a constant taken apart by a pattern (`lower::patterns`) is a `match`.
        syn::Expr::Index(_)
        | syn::Expr::Field(_)
        | syn::Expr::MethodCall(_)
        | syn::Expr::Paren(_)
        | syn::Expr::Match(_) => true,
        _ => false,
    }
}

impl VisitMut for Generic {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if is_f64(ty) {
            *ty = scalar();
            return;
        }
        // A derived struct runs as its twin of dual numbers, named through `Lift` so that a struct
        // without one gets the trait's own message, not an unknown name.
        if let syn::Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.segments.last().is_some_and(|last| self.records.contains(&last.ident.to_string()))
        {
            *ty = syn::parse_quote!(<#p as ::tapeless::__private::Lift>::Lifted);
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Cast(c) = e
            && is_f64(&c.ty)
        {
            self.visit_expr_mut(&mut c.expr);
            *e = cast(&c.expr);
            return;
        }
        // A path through `f64` in call position: a method of `Scalar` (`f64::max(a, b)`), a
        // conversion (`f64::from(n)`), or another function of `f64` computing a constant
        // (`f64::from_bits(b)`). Its arguments are rewritten, the path is replaced.
        // `libm::log1p(x)`: the method it computes (`rules::libm`), of `Scalar`.
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(f) = &*call.func
            && let [krate, function] = f.path.segments.iter().collect::<Vec<_>>()[..]
            && krate.ident == "libm"
            && let Some(method) = crate::rules::libm(&function.ident.to_string())
        {
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            let (s, method) = (scalar(), syn::Ident::new(method, function.ident.span()));
            *call.func = syn::parse_quote!(<#s as ::tapeless::__private::Scalar>::#method);
            return;
        }
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(f) = &*call.func
            && through_f64(&f.path)
            && let Some(last) = f.path.segments.last()
        {
            let method = last.ident.clone();
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            let s = scalar();
            if crate::rules::float_method(&method.to_string()) {
                *call.func = syn::parse_quote!(<#s as ::tapeless::__private::Scalar>::#method);
            } else if method == "from" && call.args.len() == 1 {
                let arg = &call.args[0];
                *e = cast(&syn::parse_quote!(#arg));
            } else {
                *e = promote(e);
            }
            return;
        }
        // A method of a parameter passed as it is (`scale.unwrap_or(1.0)`, `scale.map_or(0.5,
        // |s| s * 2.0)` of an `Option<f64>`): it runs on the parameter's own type, so its
        // arguments are left as written (literals and closures in `f64`) except the copy's dual
        // locals, read as their value parts; its result is promoted where it is assigned.
        if let syn::Expr::MethodCall(call) = e
            && let syn::Expr::Path(r) = &*call.receiver
            && r.path.get_ident().is_some_and(|i| self.kept.contains(&i.to_string()))
            && !self.calls.contains(&call.method.to_string())
            && self.composed(&call.method).is_none()
        {
            let mut island = PrimalIsland { promote: &self.promote };
            for arg in call.args.iter_mut() {
                island.visit_expr_mut(arg);
            }
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
            // `tapeless::math::erf_vjp(x)`: the runtime's dual version; `g_vjp(x)` of a composed
            // `g`: its dual copy.
            syn::Expr::Call(call) => {
                if let syn::Expr::Path(f) = &mut *call.func
                    && let Some(last) = f.path.segments.last()
                {
                    let name = last.ident.clone();
                    if math_vjp(&f.path) {
                        *call.func = syn::parse_quote!(::tapeless::__private::dual_math::#name);
                    } else if let Some(passing) = self.constant_calls.get(&name.to_string())
                        && passing.len() == call.args.len()
                        // A function also called on differentiated values whose pullback the
                        // sweep makes again is written `g(..)` there too: both calls are the
                        // value of its dual `_vjp` below (the constant one with zero tangents).
                        // Taken for a call on constants, the other lost its tangent: a wrong
                        // Hessian, silently, until the forty-fourth session.
                        && !self.remade.contains(&name.to_string())
                    {
                        for (arg, passing) in call.args.iter_mut().zip(passing) {
                            match passing {
                                ConstantArg::AsIs => {}
                                ConstantArg::Float => {
                                    *arg = syn::parse_quote!(::tapeless::__private::primal(#arg));
                                }
                                ConstantArg::Tuple(floats) => {
                                    let parts = floats.iter().enumerate().map(|(k, float)| {
                                        let k = syn::Index::from(k);
                                        match float {
                                            true => quote::quote!(::tapeless::__private::primal(__tapeless_tuple.#k)),
                                            false => quote::quote!(__tapeless_tuple.#k),
                                        }
                                    });
                                    *arg = syn::parse_quote!({
                                        let __tapeless_tuple = #arg;
                                        (#(#parts,)*)
                                    });
                                }
                            }
                        }
                    } else if self.calls.contains(&name.to_string())
                        && let Some(last) = f.path.segments.last_mut()
                    {
                        last.ident = for_hessian(&name);
                    } else if let Some(vjp) = self.composed(&name)
                        && let Some(last) = f.path.segments.last_mut()
                    {
                        // `g(x)`, the primal of a composed call whose pullback the reverse sweep
                        // makes again (`g(&local)`): the value of its dual `_vjp`.
                        last.ident = for_hessian(&vjp);
                        *e = syn::parse_quote!(::tapeless::__private::value_of_vjp(#e));
                    }
                }
            }
            // `recv.g_vjp(x)` of a composed method `g`: its dual copy.
            syn::Expr::MethodCall(call) if self.calls.contains(&call.method.to_string()) => {
                call.method = for_hessian(&call.method);
            }
            // `recv.g(x)`, the primal of a composed method call made again in the reverse sweep.
            syn::Expr::MethodCall(call) if let Some(vjp) = self.composed(&call.method) => {
                call.method = for_hessian(&vjp);
                *e = syn::parse_quote!(::tapeless::__private::value_of_vjp(#e));
            }
            // `v.norm()` of a nalgebra matrix (no float has these methods): the runtime's dual
            // version (nalgebra's needs `RealField`, which the dual number does not implement).
            syn::Expr::MethodCall(call)
                if call.args.is_empty() && dual_math_method(&call.method).is_some() =>
            {
                let (name, receiver) = (dual_math_method(&call.method), &call.receiver);
                *e = syn::parse_quote!(::tapeless::__private::dual_math::#name(&#receiver));
            }
            // `v.max()` of a nalgebra matrix (needs `SimdPartialOrd`, which the dual number does
            // not implement).
            syn::Expr::MethodCall(call)
                if call.args.is_empty()
                    && (call.method == "max" || call.method == "min")
                    && matches!(&*call.receiver, syn::Expr::Path(p)
                        if p.path.get_ident().is_some_and(|i| self.extrema.contains(&i.to_string()))) =>
            {
                let (name, receiver) = (&call.method, &call.receiver);
                *e = syn::parse_quote!(::tapeless::__private::dual_math::#name(&#receiver));
            }
            syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(_), .. }) => *e = from_f64(e),
            syn::Expr::Path(p) if p.qself.is_none() && through_f64(&p.path) => *e = from_f64(e),
            syn::Expr::Assign(a) if self.promoted(&a.left) && from_outside(&a.right) => {
                *a.right = promote(&a.right);
            }
            _ => {}
        }
    }

    fn visit_local_mut(&mut self, local: &mut syn::Local) {
        syn::visit_mut::visit_local_mut(self, local);
        let promoted = match &local.pat {
            syn::Pat::Ident(i) => self.promote.contains(&i.ident.to_string()),
            syn::Pat::Type(t) => {
                matches!(&*t.pat, syn::Pat::Ident(i) if self.promote.contains(&i.ident.to_string()))
            }
            _ => false,
        };
        if let Some(init) = &mut local.init
            && promoted
            && from_outside(&init.expr)
        {
            *init.expr = promote(&init.expr);
        }
    }

    /// The user's items in the body (a `const K: f64`, a nested `fn`) stay as written: their uses
    /// are promoted. The scalar functions the lowering made of `map` closures (`__tapeless_mapN`
    /// and its `_jvp`, `_vjp`, `_grad`) run on the copy's entries, so they are copied the same way.
    fn visit_item_mut(&mut self, item: &mut syn::Item) {
        if let syn::Item::Fn(f) = item
            && f.sig.ident.to_string().starts_with("__tapeless_map")
        {
            // A constant such a function reads (`SCALE` in `|e| e * SCALE`), wherever it is
            // read, and every value assigned from outside, are promoted (a no-op on integers).
            let params = f.sig.inputs.iter().filter_map(|a| match a {
                syn::FnArg::Typed(t) => match &*t.pat {
                    syn::Pat::Ident(i) => Some(i.ident.to_string()),
                    _ => None,
                },
                syn::FnArg::Receiver(_) => None,
            });
            Constants { params: params.collect() }.visit_block_mut(&mut f.block);
            let promote = locals(f.to_token_stream());
            let mut inner = Generic {
                promote,
                calls: self.calls.clone(),
                records: HashSet::new(),
                constant_calls: std::collections::HashMap::new(),
                remade: HashSet::new(),
                kept: HashSet::new(),
                extrema: HashSet::new(),
            };
            inner.visit_item_fn_mut(f);
        }
    }

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = substitute_tokens(std::mem::take(&mut m.tokens));
    }
}

/// The arguments of a method of a parameter passed as it is: the copy's dual locals read as
/// their value parts (`primal(__v3)`), everything else as written.
struct PrimalIsland<'p> {
    promote: &'p HashSet<String>,
}

impl VisitMut for PrimalIsland<'_> {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Path(p) = e
            && p.path.get_ident().is_some_and(|i| self.promote.contains(&i.to_string()))
        {
            *e = syn::parse_quote!(::tapeless::__private::primal(#p));
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

impl Generic {
    /// `g_vjp` if `g` is a function of [`Generic::remade`].
    fn composed(&self, name: &syn::Ident) -> Option<syn::Ident> {
        self.remade.contains(&name.to_string()).then(|| format_ident!("{}_vjp", name, span = name.span()))
    }

    /// A local whose value from outside is promoted: it holds a float or something the syntax
    /// did not tell (a constant table's entry).
    fn promoted(&self, e: &syn::Expr) -> bool {
        matches!(e, syn::Expr::Path(p) if p.path.get_ident().is_some_and(|i| self.promote.contains(&i.to_string())))
    }
}

/// Inside a macro's tokens (`assert!(x > 0.0)`, `vec![0.0; n]`): float literals made dual
/// numbers, the type `f64` made `Dual<f64>`.
fn substitute_tokens(tokens: TokenStream) -> TokenStream {
    tokens
        .into_iter()
        .map(|t| match t {
            TokenTree::Literal(l) if syn::parse_str::<syn::LitFloat>(&l.to_string()).is_ok() => {
                let e = from_f64(&l);
                TokenTree::Group(Group::new(Delimiter::Parenthesis, e.into_token_stream()))
            }
            TokenTree::Ident(i) if i == "f64" => {
                TokenTree::Group(Group::new(Delimiter::None, scalar().into_token_stream()))
            }
            TokenTree::Group(g) => {
                let mut out = Group::new(g.delimiter(), substitute_tokens(g.stream()));
                out.set_span(g.span());
                TokenTree::Group(out)
            }
            other => other,
        })
        .collect()
}

/// How an argument of a call on constants only is passed in the copy (`check::constant_call`).
#[derive(Clone, PartialEq, Debug)]
pub(super) enum ConstantArg {
    /// As written: an integer, a constant of the user's type.
    AsIs,
    /// Its value part (`__private::primal`): a float the copy holds as a dual number.
    Float,
    /// A tuple built as the argument (`helper((0.4, 3))`, `lower::composition::tuple_argument`):
    /// the value parts of its float parts, the others as they are.
    Tuple(Vec<bool>),
}

impl ConstantArg {
    /// The passing of one argument over two calls of the same function: a float if either
    /// passes one there (`helper(helper(a, b), c)`).
    pub(super) fn merge(&mut self, other: &ConstantArg) {
        match (&mut *self, other) {
            (ConstantArg::AsIs, ConstantArg::Float) => *self = ConstantArg::Float,
            (ConstantArg::Tuple(a), ConstantArg::Tuple(b)) if a.len() == b.len() => {
                a.iter_mut().zip(b).for_each(|(a, b)| *a |= b);
            }
            _ => {}
        }
    }
}

/// The values (`__v3`) named in `tokens`.
fn locals(tokens: TokenStream) -> HashSet<String> {
    let mut out = HashSet::new();
    for t in tokens {
        match t {
            TokenTree::Ident(i) => {
                let name = i.to_string();
                if name
                    .strip_prefix("__v")
                    .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
                {
                    out.insert(name);
                }
            }
            TokenTree::Group(g) => out.extend(locals(g.stream())),
            _ => {}
        }
    }
    out
}

/// Promotes the constants a `map` closure's scalar function reads: every path that is not a
/// parameter, a generated local (`__..`), a callee, or a path through `f64` (which `Generic`
/// makes a dual constant).
struct Constants {
    params: HashSet<String>,
}

impl VisitMut for Constants {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Call(c) => c.args.iter_mut().for_each(|a| self.visit_expr_mut(a)),
            syn::Expr::Path(p)
                if p.qself.is_none()
                    && !through_f64(&p.path)
                    && !p.path.get_ident().is_some_and(|i| {
                        let name = i.to_string();
                        self.params.contains(&name) || name.starts_with("__")
                    }) =>
            {
                *e = promote(e);
            }
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}
