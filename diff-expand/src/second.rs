//! Second order, `#[differentiable(hessian)]`: forward mode over the generated reverse mode.
//!
//! The emitted `NAME_grad` is copied into `__tapeless_NAME_grad_dual`, computing in the
//! runtime's `Dual<f64>`: every `f64` type becomes `Dual<f64>`, every float literal and `f64`
//! constant a dual constant, every `as f64` the runtime's `cast`, and a float taken from outside the
//! function (a `const`, a call on integers) is cast on assignment. `NAME_hvp` runs the copy
//! with the inputs `x + ε v` and splits the gradient it returns into
//! `∇f(x)` and `H v`; `NAME_hessian` does so once per input direction and symmetrises.
//!
//! The copy is only as good as the substitution, so what it cannot carry is rejected before,
//! spanned on the user's code ([`check`]): methods, generics, `f32`, calls of other functions
//! with float arguments, nalgebra values and records.

use std::collections::HashSet;

use proc_macro2::{Delimiter, Group, Span, TokenStream, TokenTree};
use quote::{ToTokens, format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::ctxt::Ctxt;
use crate::diagnostics::Diagnostic;
use crate::emit::{self, Input};
use crate::ir::{Block, Kind, Loc, Op};
use crate::rules::Kind as Rule;
use crate::signature::{self, Param, TypeClass};

/// How a parameter is passed to the dual copy.
#[derive(Copy, Clone, PartialEq, Eq)]
enum Shape {
    /// `f64`.
    Float,
    /// `&[f64]`, `&Vec<f64>`, `&[f64; N]`: lifted into an owned value, passed by reference.
    Borrowed,
    /// `Vec<f64>`, `[f64; N]`: lifted and passed by value.
    Owned,
    /// An integer or `bool`: passed as is.
    Constant,
}

fn is_f64(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// The shape of a parameter, or `None` if second order does not take it yet.
fn shape(ty: &syn::Type) -> Option<Shape> {
    let element_f64 = |ty: &syn::Type| match ty {
        syn::Type::Slice(s) => is_f64(&s.elem),
        syn::Type::Array(a) => is_f64(&a.elem),
        syn::Type::Path(p) => signature::vec_element(p).is_some_and(is_f64),
        _ => false,
    };
    match ty {
        _ if is_f64(ty) => Some(Shape::Float),
        syn::Type::Reference(r) if r.mutability.is_none() && element_f64(&r.elem) => Some(Shape::Borrowed),
        syn::Type::Array(_) | syn::Type::Path(_) if element_f64(ty) => Some(Shape::Owned),
        _ if signature::classify(ty) == TypeClass::Constant => Some(Shape::Constant),
        // A struct (a `#[derive(Differentiable)]` one has a dual twin): lifted like an array.
        syn::Type::Reference(r) if r.mutability.is_none() && record(&r.elem).is_some() => {
            Some(Shape::Borrowed)
        }
        _ if record(ty).is_some() => Some(Shape::Owned),
        _ => None,
    }
}

/// The name of a struct type written as a path (`Params`, `model::Params`), not a float, an
/// array or a nalgebra type.
fn record(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(p)
            if p.qself.is_none()
                && !signature::is_float(ty)
                && !signature::static_matrix(ty)
                && !signature::dynamic_matrix(ty)
                && signature::classify(ty) != TypeClass::Constant
                && p.path.segments.last().is_some_and(|s| s.arguments.is_none()) =>
        {
            p.path.segments.last().map(|s| &s.ident)
        }
        _ => None,
    }
}

/// Reports what second order cannot take (yet); true if there is nothing.
fn check(input: &Input, sig: &signature::Signature, cx: &Ctxt) -> bool {
    let errors = cx.count();
    let reject = |at: Loc, what: &str, help: &'static str| {
        cx.error(at, Diagnostic::SecondOrder { what: what.to_string(), help });
    };
    if let Some(r) = &sig.receiver
        && sig.params.iter().any(|p| p.receiver)
    {
        reject(
            Loc::of(r),
            "a method that differentiates `self`",
            "differentiate the parameters only (`wrt(x)`), reading `self` as a constant",
        );
        return false;
    }
    let generic = !input.sig.floats.is_empty();
    if input.sig.floats.len() > 1 || sig.generics.type_params().next().is_some() {
        reject(
            Loc::of(&input.sig.generics),
            "a generic function other than one over a single `T: Float`",
            "make it generic over one float type (bounds from `num_traits`), or write it for `f64`",
        );
    } else if let Some(t) = input.sig.floats.first()
        && let Some(bound) = unsupported_bound(&input.sig.generics, t)
    {
        reject(
            Loc::of(&bound),
            &format!("the bound `{}`", tidy(&bound.to_token_stream().to_string())),
            "second order runs a generic function at the runtime's `Dual<f64>`, which implements \
             `num_traits`' `Float`, `FromPrimitive`, `FloatConst`, `NumAssign` and `Sum`, and `tapeless::Real`",
        );
    }
    if sig.wrapper.is_some() || !is_f64(&sig.output) {
        reject(
            Loc::of(&input.item.sig.output),
            "a result that is not one `f64`",
            "a Hessian needs a scalar `f64` result",
        );
    }
    for p in &sig.params {
        if shape(&p.ty).is_none() {
            reject(
                Loc::of(&p.ty),
                &format!("a parameter of type `{}`", p.ty.to_token_stream()),
                "second order takes `f64`, `&[f64]`, `Vec<f64>`, `[f64; N]` (and references to them) and \
                 integer or `bool` constants",
            );
        }
    }
    if let Some(f32) = find_ident(input.item.to_token_stream(), "f32") {
        reject(Loc::from(f32), "`f32`", "second order computes in `f64`: write the function in `f64` only");
    }
    // Items the lowering generated for `map` closures run on `f64`; the user's own items (a
    // `const` in the body) are kept as written and read as constants.
    let map_helper = |item: &syn::Item| matches!(item, syn::Item::Fn(f) if f.sig.ident.to_string().starts_with("__tapeless"));
    if input.items.iter().any(map_helper) {
        reject(
            Loc::of(&input.item.sig.ident),
            "a closure given to nalgebra's `map`",
            "apply the function to the entries in a loop",
        );
    }
    block(input, generic, &input.f.body, &reject);
    cx.count() == errors
}

/// Tokens as a person writes them: `Into<f64>`, not `Into < f64 >`.
fn tidy(tokens: &str) -> String {
    tokens.replace(" :: ", "::").replace(" < ", "<").replace("< ", "<").replace(" >", ">").replace(" ,", ",")
}

/// The traits `Dual<f64>` implements, by last path segment.
const DUAL_TRAITS: &[&str] = &[
    "Float",
    "FromPrimitive",
    "ToPrimitive",
    "NumCast",
    "Num",
    "NumOps",
    "NumAssign",
    "NumAssignOps",
    "NumRef",
    "Zero",
    "One",
    "Sum",
    "Product",
    "FloatConst",
    "Real",
    "Copy",
    "Clone",
    "Debug",
    "Display",
    "Default",
    "PartialOrd",
    "PartialEq",
    "Send",
    "Sync",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Rem",
    "AddAssign",
    "SubAssign",
    "MulAssign",
    "DivAssign",
    "RemAssign",
];

/// A bound on the float type parameter `t` that `Dual<f64>` does not satisfy.
fn unsupported_bound(generics: &syn::Generics, t: &syn::Ident) -> Option<syn::TypeParamBound> {
    let own = generics.type_params().filter(|p| p.ident == *t).flat_map(|p| p.bounds.iter());
    let wheres = generics.where_clause.iter().flat_map(|w| &w.predicates).flat_map(|p| match p {
        syn::WherePredicate::Type(pt) if matches!(&pt.bounded_ty, syn::Type::Path(path) if path.path.is_ident(t)) => {
            pt.bounds.iter().collect::<Vec<_>>()
        }
        _ => Vec::new(),
    });
    own.chain(wheres)
        .find(|b| match b {
            syn::TypeParamBound::Trait(tb) => {
                tb.path.segments.last().is_none_or(|s| !DUAL_TRAITS.contains(&s.ident.to_string().as_str()))
            }
            syn::TypeParamBound::Lifetime(l) => l.ident != "static",
            _ => true,
        })
        .cloned()
}

/// The signature as `_hvp` and `_hessian` have it: a generic function's float type parameter
/// is `f64` there (dropped from the generics, with the `where` predicates that mention it).
pub(crate) fn concrete(sig: &signature::Signature) -> signature::Signature {
    let mut out = sig.clone();
    let Some(t) = sig.floats.first() else { return out };
    let mut to_f64 = Substitute { from: t.clone(), to: syn::parse_quote!(f64) };
    for p in &mut out.params {
        to_f64.visit_type_mut(&mut p.ty);
    }
    to_f64.visit_type_mut(&mut out.output);
    out.generics.params = sig
        .generics
        .params
        .iter()
        .filter(|p| !matches!(p, syn::GenericParam::Type(tp) if tp.ident == *t))
        .cloned()
        .collect();
    if let Some(w) = &mut out.generics.where_clause {
        w.predicates = w
            .predicates
            .iter()
            .filter(|p| find_ident(p.to_token_stream(), &t.to_string()).is_none())
            .cloned()
            .collect();
    }
    out.floats.clear();
    out
}

/// Replaces the type `from` (a type parameter) by `to`.
struct Substitute {
    from: syn::Ident,
    to: syn::Type,
}

impl VisitMut for Substitute {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(&self.from)) {
            *ty = self.to.clone();
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

fn block(input: &Input, generic: bool, b: &Block, reject: &dyn Fn(Loc, &str, &'static str)) {
    for inst in b.walk() {
        match &inst.op {
            // A generic function's `_grad` runs as written at `Dual<f64>`: a conversion to a float
            // type would keep the value and drop the derivative part. (Its calls pass values of
            // the float type, so their callees are generic too and run at `Dual<f64>` as well.)
            Op::Prim { rule, args, .. }
                if generic
                    && matches!(rule.kind, Rule::CastFloat)
                    && args.iter().any(|a| input.act.active(*a)) =>
            {
                reject(
                    inst.span,
                    "a conversion of a differentiated value between the float type and a primitive float in a generic function",
                    "compute in the function's float type",
                )
            }
            Op::Call { args, callee, .. } => {
                let receiver = match callee {
                    crate::ir::Callee::Method { receiver, .. } => Some(*receiver),
                    crate::ir::Callee::Path(_) => None,
                };
                // A call on integers (or values the syntax did not type, which are integers in
                // practice: `n.div_ceil(2)`) runs as written. A differentiated call of a function,
                // or of a method on a constant receiver, composes through the callee's dual copy
                // of its `_vjp` (which its own `hessian` generates) or, for `tapeless::math::erf`,
                // the runtime's. Any other call on floats would need a second order nothing
                // provides.
                let composed = receiver.is_none_or(|r| !input.act.active(r))
                    && inst.results.iter().any(|r| input.act.active(*r));
                if !generic
                    && !composed
                    && receiver
                        .iter()
                        .chain(args)
                        .any(|a| input.act.active(*a) || input.f.info(*a).kind == Kind::Float)
                {
                    match callee {
                        crate::ir::Callee::Method { name, .. } => reject(
                            inst.span,
                            &format!("`{name}` on floats, a method without a second-order rule"),
                            "compute it outside the function and pass the value in",
                        ),
                        crate::ir::Callee::Path(_) => reject(
                            inst.span,
                            "a call on floats whose result is not differentiated",
                            "use the call's result, or compute it outside the function and pass it in",
                        ),
                    }
                }
            }
            Op::Prim { rule, .. } if !scalar_rule(&rule.kind) => reject(
                inst.span,
                &format!("nalgebra's `{}`", rule.name.trim_matches(['<', '>'])),
                "write the computation on `f64`, slices or arrays",
            ),
            Op::Construct { .. } => reject(
                inst.span,
                "building a struct",
                "compute the fields as `f64`s or arrays and use them directly",
            ),
            _ => {}
        }
        if inst.results.iter().any(|r| input.f.info(*r).kind == Kind::Heap) {
            reject(inst.span, "a dynamically sized nalgebra value", "use a `Vec<f64>`");
        }
    }
}

/// A rule of floats and arrays of floats (not nalgebra's).
fn scalar_rule(kind: &Rule) -> bool {
    matches!(
        kind,
        Rule::Add
            | Rule::Sub
            | Rule::Neg
            | Rule::Identity
            | Rule::CastFloat
            | Rule::Smooth { .. }
            | Rule::NonDifferentiable(_)
            | Rule::Product
            | Rule::Quotient
            | Rule::Predicate
            | Rule::Sum
            | Rule::Shape
    )
}

/// The span of the first identifier `name` in `tokens`.
fn find_ident(tokens: TokenStream, name: &str) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        TokenTree::Ident(i) if i == name => Some(i.span()),
        TokenTree::Group(g) => find_ident(g.stream(), name),
        _ => None,
    })
}

/// `NAME_hvp`, `NAME_hessian` and the dual copy of `NAME_grad` (found in `reverse`), or `None`
/// with the reasons in `cx`.
pub fn generate(input: &Input, reverse: &TokenStream, cx: &Ctxt) -> Option<TokenStream> {
    let concrete = concrete(input.sig);
    if !check(input, &concrete, cx) {
        return None;
    }
    if !input.sig.floats.is_empty() {
        // Generic over `T: Float`: the generated `_grad` itself runs at `Dual<f64>`.
        let turbofish = input.sig.generics.params.iter().filter_map(|p| match p {
            syn::GenericParam::Type(_) => Some(quote!(::tapeless::__private::Dual<f64>)),
            syn::GenericParam::Const(c) => {
                let ident = &c.ident;
                Some(quote!(#ident))
            }
            syn::GenericParam::Lifetime(_) => None,
        });
        let grad = emit::sibling(&input.sig.name, "grad");
        let dual = with_receiver(input.sig, quote!(#grad::<#(#turbofish),*>));
        let hvp = hvp(input, &concrete, &dual);
        let hessian = hessian(input, &concrete, &dual);
        return Some(quote!(#hvp #hessian));
    }
    let sig = input.sig;
    let grad_name = emit::sibling(&sig.name, "grad");
    let file: syn::File = syn::parse2(reverse.clone()).ok()?;
    let file_items = file.items.clone();
    let mut grad = file.items.into_iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == grad_name => Some(f),
        _ => None,
    })?;
    let dual_name = format_ident!("__tapeless_{}_grad_dual", sig.name);
    grad.sig.ident = dual_name.clone();
    grad.attrs.retain(|a| !a.path().is_ident("doc"));
    let promote: HashSet<String> = (0..input.f.values.len())
        .filter(|i| matches!(input.f.values[*i].kind, Kind::Float | Kind::Unknown))
        .map(|i| crate::ir::Value(i as u32).ident().to_string())
        .collect();
    let mut calls = HashSet::new();
    callees(&input.f.body, &mut calls);
    let records: HashSet<String> = sig
        .params
        .iter()
        .filter_map(|p| match &p.ty {
            syn::Type::Reference(r) => record(&r.elem),
            ty => record(ty),
        })
        .map(ToString::to_string)
        .collect();
    let mut generic = Generic { promote, calls, records };
    generic.visit_item_fn_mut(&mut grad);
    // The callers' dual copies compose through this function's: `NAME_vjp_for_hessian`.
    let vjp_name = emit::sibling(&sig.name, "vjp");
    let mut vjp = file_items.into_iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == vjp_name => Some(f),
        _ => None,
    })?;
    vjp.sig.ident = for_hessian(&vjp_name);
    vjp.attrs.retain(|a| !a.path().is_ident("doc"));
    generic.visit_item_fn_mut(&mut vjp);
    let dual = with_receiver(sig, quote!(#dual_name));
    let hvp = hvp(input, sig, &dual);
    let hessian = hessian(input, sig, &dual);
    Some(quote!(#[doc(hidden)] #grad #[doc(hidden)] #vjp #hvp #hessian))
}

/// A sibling called as a method (`self.name`) when the function is one.
fn with_receiver(sig: &signature::Signature, name: TokenStream) -> TokenStream {
    if sig.receiver.is_some() { quote!(self.#name) } else { name }
}

/// `g_vjp` to `g_vjp_for_hessian`: the dual copy of a `_vjp`, which a `hessian` caller calls.
fn for_hessian(vjp: &syn::Ident) -> syn::Ident {
    format_ident!("{}_for_hessian", vjp, span = vjp.span())
}

/// The names `g_vjp` of the functions `g` this body composes with by path.
fn callees(b: &Block, out: &mut HashSet<String>) {
    for inst in b.walk() {
        match &inst.op {
            Op::Call { callee: crate::ir::Callee::Path(p), .. } => {
                if let Some(last) = p.path.segments.last() {
                    out.insert(format!("{}_vjp", last.ident));
                }
            }
            Op::Call { callee: crate::ir::Callee::Method { name, .. }, .. } => {
                out.insert(format!("{name}_vjp"));
            }
            _ => {}
        }
    }
}

/// The direction a parameter is lifted with.
enum Direction {
    /// A tangent argument (an expression of a reference to it).
    Given(TokenStream),
    /// The unit vector of the input with this index (none if out of range).
    Unit(TokenStream),
}

/// A call of the dual copy, each parameter lifted: `dir(p)` is its direction, if any.
fn call(
    sig: &signature::Signature,
    dual: &TokenStream,
    dir: &dyn Fn(&Param) -> Option<Direction>,
) -> TokenStream {
    let p = emit::private();
    let mut lets = TokenStream::new();
    let mut args = Vec::new();
    for (i, param) in sig.params.iter().enumerate() {
        let ident = &param.ident;
        let shape = shape(&param.ty).unwrap_or(Shape::Constant);
        if shape == Shape::Constant {
            args.push(quote!(#ident));
            continue;
        }
        let lifted = format_ident!("__lifted{}", i, span = Span::mixed_site());
        let by_ref = if shape == Shape::Borrowed { quote!(#ident) } else { quote!(&#ident) };
        let value = match dir(param) {
            Some(Direction::Given(d)) => {
                let what = emit::sibling_tangent(param).to_string();
                quote!(#p::Lift::lift(#by_ref, #d, #what))
            }
            Some(Direction::Unit(index)) => quote!(#p::Lift::lift_unit(#by_ref, #index)),
            None => quote!(#p::Lift::lift_constant(#by_ref)),
        };
        lets.extend(quote!(let #lifted = #value;));
        args.push(if shape == Shape::Borrowed { quote!(&#lifted) } else { quote!(#lifted) });
    }
    quote!({ #lets #dual(#(#args),*) })
}

/// `NAME_hvp(x.., v..) -> (value, gradient, H v)`.
fn hvp(input: &Input, sig: &signature::Signature, dual: &TokenStream) -> TokenStream {
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let receiver = emit::receiver(sig);
    let (p, vis, attrs) = (emit::private(), &input.item.vis, emit::attributes());
    let name = emit::sibling(&sig.name, "hvp");
    let params = emit::primal_params(sig);
    let directions = emit::tangent_params(sig);
    let gradient = sig.gradient_type();
    let call = call(sig, dual, &|param| {
        param.wrt.then(|| {
            let d = emit::sibling_tangent(param);
            Direction::Given(
                if matches!(&param.ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Slice(_))) {
                    quote!(&#d[..])
                } else {
                    quote!(&#d)
                },
            )
        })
    });
    let doc = format!(
        " Value, gradient and Hessian-vector product `H v` of [`{}`] (generated by `#[differentiable(hessian)]`):\n \
         forward mode over the generated reverse mode, exact. `v` has one entry per differentiated input,\n \
         like the tangents of `{}_jvp`.",
        sig.name, sig.name
    );
    quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name #impl_generics (#receiver #(#params,)* #(#directions),*) -> (f64, #gradient, #gradient) #where_clause {
            let (__value, __gradient) = #call;
            let (__gradient, __hv) = #p::Split::split(__gradient);
            (__value.re, __gradient, __hv)
        }
    }
}

/// `NAME_hessian(x..) -> (value, gradient, H)`, the inputs of all differentiated parameters
/// numbered in order.
fn hessian(input: &Input, sig: &signature::Signature, dual: &TokenStream) -> TokenStream {
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let receiver = emit::receiver(sig);
    let (p, vis, attrs) = (emit::private(), &input.item.vis, emit::attributes());
    let name = emit::sibling(&sig.name, "hessian");
    let params = emit::primal_params(sig);
    let gradient = sig.gradient_type();
    let i = format_ident!("__i", span = Span::mixed_site());
    // The inputs are numbered in parameter order: differentiated parameter `k` holds inputs
    // `offset_k..offset_k + scalars_k`.
    let offset = |k: usize| format_ident!("__offset{}", k, span = Span::mixed_site());
    let mut offsets = quote!(let mut __n = 0usize;);
    for (k, param) in sig.params.iter().enumerate().filter(|(_, q)| q.wrt) {
        let (o, ident) = (offset(k), &param.ident);
        let by_ref = if shape(&param.ty) == Some(Shape::Borrowed) { quote!(#ident) } else { quote!(&#ident) };
        offsets.extend(quote!(let #o = __n; __n += #p::Lift::scalars(#by_ref);));
    }
    let call = call(sig, dual, &|param| {
        let k = sig.params.iter().position(|q| q.ident == param.ident).unwrap_or(0);
        let o = offset(k);
        param.wrt.then(|| Direction::Unit(quote!(#i.wrapping_sub(#o))))
    });
    let doc = format!(
        " Value, gradient and Hessian (an `n x n` matrix, `n` the number of scalar inputs in parameter order)\n \
         of [`{}`] (generated by `#[differentiable(hessian)]`): one Hessian-vector product per input, the result\n \
         symmetrised (`(H + Hᵀ) / 2`).",
        sig.name
    );
    quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name #impl_generics (#receiver #(#params),*) -> (f64, #gradient, #p::nalgebra::DMatrix<f64>) #where_clause {
            #offsets
            // Column `i` of H is the derivative part of the gradient along input `i`; the
            // first call (along input 0, or none if there is no input) also gives the value
            // and the gradient.
            let __column_of = |#i: usize| {
                let (__value, __gradient) = #call;
                let (__gradient, __column) = #p::Split::split(__gradient);
                (__value.re, __gradient, #p::flat(&__column))
            };
            let (__value, __gradient, __first) = __column_of(0);
            let mut __h = #p::nalgebra::DMatrix::<f64>::zeros(__n, __n);
            let mut __store = |__h: &mut #p::nalgebra::DMatrix<f64>, __at: usize, __column: ::std::vec::Vec<f64>| {
                for (__j, __entry) in __column.into_iter().enumerate() {
                    __h[(__j, __at)] = __entry;
                }
            };
            if __n > 0 {
                __store(&mut __h, 0, __first);
            }
            for #i in 1..__n {
                __store(&mut __h, #i, __column_of(#i).2);
            }
            // Symmetrised in place: `(H + Hᵀ) / 2`.
            for __r in 0..__n {
                for __c in 0..__r {
                    let __mean = 0.5 * (__h[(__r, __c)] + __h[(__c, __r)]);
                    __h[(__r, __c)] = __mean;
                    __h[(__c, __r)] = __mean;
                }
            }
            (__value, __gradient, __h)
        }
    }
}

/// The rewrite of `NAME_grad` into its scalar-generic copy.
struct Generic {
    /// The locals (`__v3`) that hold floats or values of a kind the syntax did not tell.
    promote: HashSet<String>,
    /// The `_vjp`s of the functions the body composes with: their dual copies are called.
    calls: HashSet<String>,
    /// The structs among the parameters' types: their dual twins (`derive.rs`) replace them.
    records: HashSet<String>,
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
    syn::parse_quote!(::tapeless::__private::promote(#e))
}

fn cast(e: &syn::Expr) -> syn::Expr {
    let s = scalar();
    syn::parse_quote!(::tapeless::__private::cast::<#s, _>(#e))
}

/// The methods of the runtime's `Scalar` (`f64`'s names).
const SCALAR_METHODS: &[&str] = &[
    "sin",
    "cos",
    "tan",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tanh",
    "asinh",
    "acosh",
    "atanh",
    "exp",
    "exp2",
    "exp_m1",
    "ln",
    "log2",
    "log10",
    "ln_1p",
    "sqrt",
    "cbrt",
    "recip",
    "to_degrees",
    "to_radians",
    "abs",
    "atan2",
    "log",
    "powf",
    "hypot",
    "max",
    "min",
    "powi",
    "mul_add",
    "clamp",
    "floor",
    "ceil",
    "round",
    "round_ties_even",
    "trunc",
    "signum",
    "fract",
    "rem_euclid",
    "div_euclid",
    "is_nan",
    "is_infinite",
    "is_finite",
    "is_normal",
    "is_subnormal",
    "is_sign_positive",
    "is_sign_negative",
    "classify",
    "total_cmp",
];

/// `tapeless::math::erf_vjp` (`erfc_vjp`), written with its module: the runtime has its dual
/// version.
fn math_vjp(path: &syn::Path) -> bool {
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
        syn::Expr::Index(_) | syn::Expr::Field(_) | syn::Expr::MethodCall(_) | syn::Expr::Paren(_) => true,
        _ => false,
    }
}

impl VisitMut for Generic {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if is_f64(ty) {
            *ty = scalar();
            return;
        }
        if let syn::Type::Path(p) = ty
            && p.qself.is_none()
            && let Some(last) = p.path.segments.last_mut()
            && self.records.contains(&last.ident.to_string())
        {
            last.ident = crate::derive::dual_twin_name(&last.ident);
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }

    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        // A path through `f64` in call position: a method of `Scalar` (`f64::max(a, b)`), a
        // conversion (`f64::from(n)`), or another function of `f64` computing a constant
        // (`f64::from_bits(b)`).
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(f) = &mut *call.func
            && through_f64(&f.path)
            && let Some(last) = f.path.segments.last()
        {
            let method = last.ident.clone();
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            let s = scalar();
            if SCALAR_METHODS.contains(&method.to_string().as_str()) {
                *call.func = syn::parse_quote!(<#s as ::tapeless::__private::Scalar>::#method);
            } else if method == "from" && call.args.len() == 1 {
                let arg = &call.args[0];
                *e = cast(&syn::parse_quote!(#arg));
            } else {
                *e = promote(e);
            }
            return;
        }
        // `g_vjp(x)` of a composed `g`: its dual copy.
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(f) = &mut *call.func
            && let Some(last) = f.path.segments.last_mut()
            && self.calls.contains(&last.ident.to_string())
            && !math_vjp(&f.path)
        {
            if let Some(last) = f.path.segments.last_mut() {
                last.ident = for_hessian(&last.ident);
            }
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            return;
        }
        // `recv.g_vjp(x)` of a composed method `g`: its dual copy.
        if let syn::Expr::MethodCall(call) = e
            && self.calls.contains(&call.method.to_string())
        {
            call.method = for_hessian(&call.method);
            self.visit_expr_mut(&mut call.receiver);
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            return;
        }
        // `tapeless::math::erf_vjp(x)`: the runtime's dual version.
        if let syn::Expr::Call(call) = e
            && let syn::Expr::Path(f) = &mut *call.func
            && math_vjp(&f.path)
            && let Some(last) = f.path.segments.last()
        {
            let name = last.ident.clone();
            *call.func = syn::parse_quote!(::tapeless::__private::dual_math::#name);
            for arg in call.args.iter_mut() {
                self.visit_expr_mut(arg);
            }
            return;
        }
        if let syn::Expr::Cast(c) = e
            && is_f64(&c.ty)
        {
            self.visit_expr_mut(&mut c.expr);
            *e = cast(&c.expr);
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
        match e {
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

    /// An item in the body (the user's `const K: f64`) stays as written: its uses are promoted.
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}

    fn visit_macro_mut(&mut self, m: &mut syn::Macro) {
        m.tokens = substitute_tokens(std::mem::take(&mut m.tokens));
    }
}

impl Generic {
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
