//! Derivatives declared on the primal (Swift's `@derivative(of:)`, JAX's `custom_jvp`):
//! `#[differentiable(jvp = g_tangent, vjp = g_adjoint)] fn g(..)` does not differentiate the body;
//! the generated `g_jvp`, `g_vjp` and `g_grad` call the user's functions, whose signatures are
//!
//! ```text
//! jvp: fn(x.., dx..) -> (R, dR)        the contract's `g_jvp`
//! vjp: fn(x.., cotangent: dR) -> G     the cotangents of the differentiated parameters
//! ```
//!
//! Each is first assigned to a `fn` pointer of exactly that type, spanned at the path in the
//! attribute, so a wrong signature is one error there that names the expected type. Given only
//! `vjp`, forward mode is derived for a float result (`<gradient, tangent>`); given only `jvp`,
//! reverse mode is derived for float parameters and a float result (one forward pass per
//! parameter).

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::diagnostics::Diagnostic;
use crate::emit;
use crate::ir::Loc;
use crate::signature::{Signature, is_float, tangent_type};

/// The generated items of a function with declared derivatives, or `None` with errors in `cx`.
pub fn generate(item: &syn::ItemFn, sig: &Signature, args: &Args, cx: &Ctxt) -> Option<TokenStream> {
    let unsupported = |what: &str, help: &'static str| {
        cx.error(Loc::of(&item.sig.ident), Diagnostic::Unsupported { what: what.to_string(), help });
    };
    if sig.receiver.is_some() {
        unsupported(
            "declared derivatives (`jvp = ..`, `vjp = ..`) on a method",
            "declare them on a free function",
        );
        return None;
    }
    if sig.wrapper.is_some() {
        unsupported("declared derivatives of a function returning `Result` or `Option`", "");
        return None;
    }
    // Where the prescan found it: an associated function calls itself and its `_vjp` as
    // `Self::..` (`emit::sibling_call`).
    crate::signature::higher_order::set_caller(&item.sig.ident.to_string());
    if emit::same_name_reported(sig, "grad", cx) {
        return None;
    }
    let scalar_params = sig.wrt().all(|p| is_float(&p.ty));
    let float_result = is_float(&sig.output);
    if args.jvp.is_none() && !float_result {
        unsupported(
            "deriving forward mode from `vjp = ..` for a result that is not a float",
            "declare `jvp = ..` too",
        );
        return None;
    }
    if args.vjp.is_none() && !(float_result && scalar_params) {
        unsupported(
            "deriving reverse mode from `jvp = ..` for parameters or a result that are not floats",
            "declare `vjp = ..` too",
        );
        return None;
    }

    let (vis, generics, where_clause) = (&item.vis, &item.sig.generics, &item.sig.generics.where_clause);
    let name = &item.sig.ident;
    let primal = emit::sibling_call(sig, quote!(#name));
    let p = emit::private();
    let attrs = emit::attributes();
    let output = &sig.output;
    let output_tangent = tangent_type(output);
    let gradient = sig.gradient_type();
    let params = emit::primal_params(sig);
    let tangents = emit::tangent_params(sig);
    let param_types: Vec<&syn::Type> = sig.params.iter().map(|p| &p.ty).collect();
    let tangent_types: Vec<TokenStream> = sig.wrt().map(|p| tangent_type(&p.ty)).collect();
    let names: Vec<&syn::Ident> = sig.params.iter().map(|p| &p.ident).collect();
    let tangent_names: Vec<syn::Ident> = sig.wrt().map(emit::sibling_tangent).collect();
    // A by-value parameter that is not a float is cloned where it is passed twice.
    let passed: Vec<TokenStream> = sig
        .params
        .iter()
        .map(|p| {
            let ident = &p.ident;
            if is_float(&p.ty) || matches!(p.ty, syn::Type::Reference(_)) {
                quote!(#ident)
            } else {
                quote!(::core::clone::Clone::clone(&#ident))
            }
        })
        .collect();
    let jvp_type = quote!(fn(#(#param_types,)* #(#tangent_types,)*) -> (#output, #output_tangent));
    let vjp_type = quote!(fn(#(#param_types,)* #output_tangent) -> #gradient);
    let bind = |path: &syn::Path, ty: &TokenStream, f: &syn::Ident| -> TokenStream {
        let span = syn::spanned::Spanned::span(path);
        quote_spanned!(span=> let #f: #ty = #path;)
    };
    let f = syn::Ident::new("__tapeless_declared", proc_macro2::Span::mixed_site());

    let jvp_name = emit::sibling(name, "jvp");
    let jvp_body = match (&args.jvp, &args.vjp) {
        (Some(jvp), _) => {
            let bound = bind(jvp, &jvp_type, &f);
            quote! { #bound #f(#(#names,)* #(#tangent_names,)*) }
        }
        // `<gradient, tangent>` for a float result.
        (None, Some(vjp)) => {
            let bound = bind(vjp, &vjp_type, &f);
            let grads: Vec<TokenStream> = if tangent_names.len() == 1 {
                vec![quote!(__tapeless_g)]
            } else {
                (0..tangent_names.len())
                    .map(|i| {
                        let i = syn::Index::from(i);
                        quote!(__tapeless_g.#i)
                    })
                    .collect()
            };
            quote! {
                #bound
                let __tapeless_y: #output = #primal(#(#passed),*);
                let __tapeless_g = #f(#(#passed,)* #p::seed_one(&__tapeless_y));
                let __tapeless_t = 0.0_f64 #(+ #p::Tangent::dot_tangent(&#grads, &#tangent_names))*;
                (__tapeless_y, #p::cast_like(__tapeless_t, &__tapeless_y))
            }
        }
        (None, None) => return None,
    };
    let lifetimes = emit::pullback_params(sig, generics, false);
    let (vjp_params, capture) = (&lifetimes.params, &lifetimes.capture);
    let mut vjp_generics = generics.clone();
    for (i, l) in lifetimes.lifetimes.iter().enumerate() {
        vjp_generics.params.insert(i, syn::parse_quote!(#l));
    }
    let vjp_name = emit::sibling(name, "vjp");
    let pullback = match &args.vjp {
        Some(vjp) => {
            let bound = bind(vjp, &vjp_type, &f);
            quote! { #bound move |__tapeless_ct: #output_tangent| #f(#(#names,)* __tapeless_ct) }
        }
        // One forward pass per (float) parameter, seeded with 1 there and 0 elsewhere.
        None => {
            let jvp = args.jvp.as_ref()?;
            let bound = bind(jvp, &jvp_type, &f);
            let wrt: Vec<&syn::Ident> = sig.wrt().map(|p| &p.ident).collect();
            let columns: Vec<TokenStream> = wrt
                .iter()
                .map(|k| {
                    let seeds = wrt.iter().map(|j| {
                        if j == k { quote!(#p::seed_one(&#j)) } else { quote!(#p::zero_tangent(&#j)) }
                    });
                    quote!(#f(#(#passed,)* #(#seeds,)*).1 * __tapeless_ct)
                })
                .collect();
            let result = if columns.len() == 1 { quote!(#(#columns)*) } else { quote!((#(#columns),*)) };
            quote! { #bound move |__tapeless_ct: #output_tangent| #result }
        }
    };
    let grad = if sig.scalar_output() {
        let grad_name = emit::sibling(name, "grad");
        let vjp_call = emit::sibling_call(sig, quote!(#vjp_name));
        let doc = format!(" Gradient of `{name}`, from its declared derivatives.");
        quote! {
            #[doc = #doc]
            #attrs
            #vis fn #grad_name #generics (#(#params),*) -> (#output, #gradient) #where_clause {
                let (__tapeless_y, __tapeless_pullback) = #vjp_call(#(#names),*);
                let __tapeless_ct = #p::seed_one(&__tapeless_y);
                (__tapeless_y, __tapeless_pullback(__tapeless_ct))
            }
        }
    } else {
        TokenStream::new()
    };
    let (jvp_doc, vjp_doc) = (
        format!(" Forward mode (JVP) of `{name}`, from its declared derivatives."),
        format!(" Reverse mode (VJP) of `{name}`, from its declared derivatives."),
    );
    Some(quote! {
        #[doc = #jvp_doc]
        #attrs
        #vis fn #jvp_name #generics (#(#params,)* #(#tangents),*) -> (#output, #output_tangent) #where_clause {
            #jvp_body
        }
        #[doc = #vjp_doc]
        #attrs
        #vis fn #vjp_name #vjp_generics (#(#vjp_params),*) -> (#output, impl ::core::ops::FnOnce(#output_tangent) -> #gradient #capture) #where_clause {
            let __tapeless_y: #output = #primal(#(#passed),*);
            (__tapeless_y, { #pullback })
        }
        #grad
    })
}
