//! `#[differentiable]` on an `impl` block: the block stays as written (inner `#[differentiable]`
//! attributes removed), and the generated items of its methods go into an inherent `impl` of the
//! same type, with the same generics, beside it.
//!
//! This is the form for trait impls (`impl CostFunction for Problem`), whose methods cannot have
//! siblings inside the trait impl, and for generic impls (`impl<T: Float> Model<T>`), whose
//! bounds a method's own attribute cannot see.
//!
//! Which methods: those marked `#[differentiable]` or `#[differentiable(wrt(..))]` inside the
//! block (with their own arguments); if none is marked, every method, with the block's
//! arguments, whose `wrt(..)` may name the parameters of several methods (`wrt(self, theta0,
//! theta, omega)`): each method differentiates the names that are its parameters, one that has
//! none of them is kept as written, and a name that is no method's parameter is reported once.
//! In a trait impl, `Self::Param` is read as the block's `type Param = ..;`.

use std::collections::HashMap;

use proc_macro2::TokenStream;
use quote::quote;
use syn::visit_mut::VisitMut;

use crate::{expand, signature};

/// Expands `#[differentiable(attr)] impl .. { .. }`. Never panics.
pub fn expand(attr: TokenStream, mut block: syn::ItemImpl) -> TokenStream {
    let trait_impl = block.trait_.is_some();
    let associated: HashMap<String, syn::Type> = block
        .items
        .iter()
        .filter_map(|i| match i {
            syn::ImplItem::Type(t) => Some((t.ident.to_string(), t.ty.clone())),
            _ => None,
        })
        .collect();
    let marked =
        block.items.iter().any(|i| matches!(i, syn::ImplItem::Fn(f) if own_attribute(&f.attrs).is_some()));
    // The block's `wrt(..)` names the parameters of all its methods: each method differentiates
    // those that are its own, and a name that is no method's is reported once, by the first.
    let shared: Vec<&syn::ImplItemFn> = block
        .items
        .iter()
        .filter_map(|i| match i {
            syn::ImplItem::Fn(f) if !marked && !signature::nothing_to_differentiate(&f.sig) => Some(f),
            _ => None,
        })
        .collect();
    // Every method's parameters, in order, each once.
    let mut every_name: Vec<String> = Vec::new();
    for name in shared.iter().flat_map(|f| parameter_names(&f.sig)) {
        if !every_name.contains(&name) {
            every_name.push(name);
        }
    }
    let unknown = if shared.is_empty() { TokenStream::new() } else { unknown_names(&attr, &every_name) };
    let mut methods = Vec::new();
    for item in &mut block.items {
        let syn::ImplItem::Fn(f) = item else { continue };
        let args = match own_attribute(&f.attrs) {
            Some(i) => {
                let a = f.attrs.remove(i);
                match a.meta {
                    syn::Meta::List(list) => list.tokens,
                    _ => TokenStream::new(),
                }
            }
            None if marked || signature::nothing_to_differentiate(&f.sig) => continue,
            None => {
                match args_for(&attr, &parameter_names(&f.sig)) {
                    Some(args) => args,
                    // None of the names is this method's: it differentiates nothing.
                    None => continue,
                }
            }
        };
        methods.push((f.clone(), args));
        // As for a function: the generated items compute the method, but rustc cannot see
        // that, and one called only through `x.f_grad(..)` would be reported as never used.
        if !trait_impl {
            f.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
        }
    }
    let impl_floats = signature::float_params(&block.generics);
    // What each method with a `wrt(..)` differentiates, for the calls between them.
    let siblings: HashMap<String, signature::siblings::Wrt> = methods
        .iter()
        .filter_map(|(f, args)| {
            Some((
                f.sig.ident.to_string(),
                signature::siblings::of_method(&f.sig, args, Some(&block.self_ty))?,
            ))
        })
        .collect();
    let unlisted: std::collections::HashSet<String> = methods
        .iter()
        .map(|(f, _)| f.sig.ident.to_string())
        .filter(|name| !siblings.contains_key(name))
        .collect();
    let (generated, at_f64) = crate::second::block::within(&block.self_ty, &block.generics, || {
        generated_items(methods, &associated, trait_impl, &impl_floats, &siblings, &unlisted, &block.self_ty)
    });
    let (impl_generics, _, where_clause) = block.generics.split_for_impl();
    let self_ty = &block.self_ty;
    quote! {
        #block
        impl #impl_generics #self_ty #where_clause {
            #generated
        }
        #at_f64
        #unknown
    }
}

/// Our error for each name of the block's `wrt(..)` that is none of the methods' parameters
/// `every_name` (of those the list applies to), listing them.
fn unknown_names(attr: &TokenStream, every_name: &[String]) -> TokenStream {
    let Some((_, listed)) = wrt_list(attr) else { return TokenStream::new() };
    listed
        .iter()
        .filter(|n| !every_name.contains(&n.to_string()))
        .map(|n| {
            let diagnostic = crate::diagnostics::Diagnostic::WrtUnknown {
                name: n.to_string(),
                of: None,
                params: every_name.to_vec(),
            };
            crate::diagnostics::error_at(n.span().into(), diagnostic.message()).to_compile_error()
        })
        .collect()
}

/// The items generated for the block's methods.
fn generated_items(
    methods: Vec<(syn::ImplItemFn, TokenStream)>,
    associated: &HashMap<String, syn::Type>,
    trait_impl: bool,
    impl_floats: &[syn::Ident],
    siblings: &HashMap<String, signature::siblings::Wrt>,
    unlisted: &std::collections::HashSet<String>,
    self_ty: &syn::Type,
) -> TokenStream {
    let mut generated = TokenStream::new();
    for (method, args) in methods {
        let mut sig = method.sig.clone();
        let mut body = method.block.clone();
        let mut resolve = Associated(associated);
        resolve.visit_signature_mut(&mut sig);
        resolve.visit_block_mut(&mut body);
        // A trait's methods are as visible as the type; an inherent method keeps its own.
        let vis = if trait_impl { syn::parse_quote!(pub) } else { method.vis.clone() };
        let item_fn = syn::ItemFn { attrs: method.attrs.clone(), vis, sig, block: Box::new(body) };
        let mut floats = impl_floats.to_vec();
        floats.extend(signature::float_params(&item_fn.sig.generics));
        // A method with `self` and a `wrt(..)` list: recorded for calls expanded after this block
        // (`signature::registry`), with the marker method they call on their receiver. An
        // associated function (`Self::power(x, self.n)`) is recorded as a function, with its
        // marker constant beside it.
        if item_fn.sig.receiver().is_some()
            && let Some(wrt) = signature::siblings::of_method(&item_fn.sig, &args, Some(self_ty))
        {
            generated.extend(method_marker(&item_fn, &wrt));
            signature::registry::record_typed_method(self_ty, &item_fn.sig.ident.to_string(), &wrt);
        } else if item_fn.sig.receiver().is_some() {
            // Without `wrt(..)`: not recorded, but its marker is there for calls relying on
            // another type's record of a method of this name that differentiates the same
            // (`Pendulum::energy` with `wrt(theta)` and `Spring::energy(&self, x)`).
            if let Some(wrt) = signature::registry::of_unlisted_method(&item_fn, &args, impl_floats) {
                generated.extend(marker_method(&item_fn, &wrt));
            }
        } else if let Some(wrt) = signature::registry::of_function_in(&item_fn, &args, impl_floats) {
            generated.extend(signature::registry::record_with_marker(&item_fn.vis, &item_fn.sig.ident, &wrt));
        }
        let self_type = signature::registry::type_name(self_ty);
        generated.extend(signature::siblings::with_siblings(
            siblings.clone(),
            unlisted.clone(),
            self_type,
            || signature::with_float_params(&floats, || expand::expand(&item_fn, args, &floats)),
        ));
    }
    generated
}

/// Records a method with `self` and `wrt` (`signature::registry`) and returns its marker method,
/// called by the generated code of calls that rely on the record.
pub(crate) fn method_marker(item_fn: &syn::ItemFn, wrt: &signature::siblings::Wrt) -> TokenStream {
    signature::registry::record_method(&item_fn.sig.ident.to_string(), wrt);
    marker_method(item_fn, wrt)
}

/// The marker method of a method with `self` that differentiates `wrt`, without recording it.
fn marker_method(item_fn: &syn::ItemFn, wrt: &signature::siblings::Wrt) -> TokenStream {
    let (vis, marker) =
        (&item_fn.vis, signature::registry::method_marker(&item_fn.sig.ident.to_string(), wrt));
    quote!(#[doc(hidden)] #[allow(non_snake_case, dead_code)] #[inline(always)] #vis fn #marker(&self) {})
}

/// The index of a method's own `#[differentiable]` attribute (by its last path segment, so
/// `#[tapeless::differentiable]` counts).
pub(crate) fn own_attribute(attrs: &[syn::Attribute]) -> Option<usize> {
    attrs.iter().position(|a| a.path().segments.last().is_some_and(|s| s.ident == "differentiable"))
}

/// Replaces `Self::Name` by the block's `type Name = ..;`.
struct Associated<'a>(&'a HashMap<String, syn::Type>);

impl VisitMut for Associated<'_> {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if let syn::Type::Path(p) = ty
            && p.qself.is_none()
            && p.path.segments.len() == 2
            && p.path.segments[0].ident == "Self"
            && let Some(t) = self.0.get(&p.path.segments[1].ident.to_string())
        {
            *ty = t.clone();
            return;
        }
        syn::visit_mut::visit_type_mut(self, ty);
    }
}

/// The names `sig`'s parameters bind, in order: `self`, each parameter's name, the names of a
/// pattern.
pub(crate) fn parameter_names(sig: &syn::Signature) -> Vec<String> {
    let mut out = Vec::new();
    for (i, input) in sig.inputs.iter().enumerate() {
        match input {
            syn::FnArg::Receiver(_) => out.push("self".to_string()),
            syn::FnArg::Typed(t) => match &*t.pat {
                syn::Pat::Ident(p) => out.push(p.ident.to_string()),
                _ => out.extend(
                    signature::patterns::pattern_names(sig, i).map(|(_, names)| names).unwrap_or_default(),
                ),
            },
        }
    }
    out
}

/// The `wrt(..)` group of the arguments and its names, if it is there and a plain list of names.
fn wrt_list(attr: &TokenStream) -> Option<(proc_macro2::Group, Vec<syn::Ident>)> {
    let tokens: Vec<proc_macro2::TokenTree> = attr.clone().into_iter().collect();
    tokens.windows(2).find_map(|pair| match pair {
        [proc_macro2::TokenTree::Ident(key), proc_macro2::TokenTree::Group(g)]
            if key == "wrt" && g.delimiter() == proc_macro2::Delimiter::Parenthesis =>
        {
            // (`self` is a keyword, not an `Ident` to `syn`'s parser.)
            let names = syn::parse::Parser::parse2(
                |input: syn::parse::ParseStream| {
                    syn::punctuated::Punctuated::<syn::Ident, syn::Token![,]>::parse_terminated_with(
                        input,
                        syn::ext::IdentExt::parse_any,
                    )
                },
                g.stream(),
            )
            .ok()?;
            Some((g.clone(), names.into_iter().collect()))
        }
        _ => None,
    })
}

/// The block's arguments for a method whose parameters bind `names`: its `wrt(..)` keeping those
/// names (a name no method has is reported once, by [`unknown_names`]); `None` if the list keeps
/// nothing. Arguments without a plain `wrt(..)` list are the block's as they are.
pub(crate) fn args_for(attr: &TokenStream, names: &[String]) -> Option<TokenStream> {
    let Some((group, listed)) = wrt_list(attr) else { return Some(attr.clone()) };
    let kept: Vec<&syn::Ident> = listed.iter().filter(|n| names.contains(&n.to_string())).collect();
    if kept.is_empty() {
        return None;
    }
    let mut out = TokenStream::new();
    let mut tokens = attr.clone().into_iter().peekable();
    while let Some(tt) = tokens.next() {
        let is_wrt = matches!(&tt, proc_macro2::TokenTree::Ident(i) if i == "wrt")
            && matches!(tokens.peek(), Some(proc_macro2::TokenTree::Group(g)) if g.stream().to_string() == group.stream().to_string());
        out.extend([tt]);
        if is_wrt && let Some(proc_macro2::TokenTree::Group(g)) = tokens.next() {
            let mut filtered = proc_macro2::Group::new(g.delimiter(), quote!(#(#kept),*));
            filtered.set_span(g.span());
            out.extend([proc_macro2::TokenTree::Group(filtered)]);
        }
    }
    Some(out)
}
