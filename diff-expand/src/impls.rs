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
//! arguments. In a trait impl, `Self::Param` is read as the block's `type Param = ..;`.

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
            None => attr.clone(),
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
            Some((f.sig.ident.to_string(), signature::siblings::of_method(&f.sig, args)?))
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
    }
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
            && let Some(wrt) = signature::siblings::of_method(&item_fn.sig, &args)
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
