//! Output when the function was rejected (beside the user's function, untouched): our errors, and stubs
//! of the generated items (when the signature could be analysed), so the user sees our message
//! and not a wave of "cannot find `f_grad`" errors at every call site (thiserror's
//! `fallback.rs` does the same). The stubs never run: the crate does not compile.

use proc_macro2::TokenStream;
use quote::quote;

use crate::emit;
use crate::signature::{Signature, tangent_type};

/// `generics` are the generated items' (the user's plus the runtime's bounds on float type
/// parameters); `(hessian, jacobian)` the options asked for, whose items get stubs too.
pub fn emit(
    item: &syn::ItemFn,
    generics: &syn::Generics,
    sig: Option<&Signature>,
    (hessian, jacobian): (bool, bool),
    error: syn::Error,
) -> TokenStream {
    let errors = error.to_compile_error();
    let Some(sig) = sig else {
        return errors;
    };
    // A type parameter the signature could not classify would make the stubs' tangent types
    // ill-formed (rustc's E0277 beside our error): the stubs, which never run, assume it.
    let mut generics = generics.clone();
    let floats = crate::signature::float_params(&generics);
    let mut others: Vec<syn::Ident> =
        generics.type_params().map(|t| t.ident.clone()).filter(|t| !floats.contains(t)).collect();
    // A method's type parameter of its `impl` (`p: &[T]`), which the method may bound too.
    if sig.receiver.is_some() {
        for p in &sig.params {
            if let Some(t) = crate::signature::impl_param(&p.ty, &item.sig.generics) {
                let t = syn::Ident::new(&t, proc_macro2::Span::call_site());
                if !others.contains(&t) {
                    others.push(t);
                }
            }
        }
    }
    let bounds: Vec<syn::WherePredicate> =
        others.iter().map(|t| syn::parse_quote!(#t: ::tapeless::__private::Differentiable)).collect();
    generics.make_where_clause().predicates.extend(bounds.iter().cloned());
    let (vis, where_clause) = (&item.vis, &generics.where_clause);
    let name = &item.sig.ident;
    let (jvp, vjp, grad) =
        (emit::sibling(name, "jvp"), emit::sibling(name, "vjp"), emit::sibling(name, "grad"));
    let receiver = emit::receiver(sig);
    let params = emit::primal_params(sig);
    let tangents = emit::tangent_params(sig);
    let output = &sig.output;
    let output_tangent = tangent_type(output);
    let gradient = sig.gradient_type();
    let grad_type = sig.wrap_type(quote!((#output, #gradient)));
    let jvp_type = sig.wrap_type(quote!((#output, #output_tangent)));
    let vjp_type = sig.wrap_type(quote!((#output, impl ::core::ops::FnOnce(#output_tangent) -> #gradient)));
    let vjp_value = sig.wrap_value(quote!((loop {}, move |_: #output_tangent| -> #gradient { loop {} })));
    let grad_stub = if sig.scalar_output() {
        quote! {
            #[allow(dead_code, unused_variables, unreachable_code, clippy::all)]
            #vis fn #grad #generics (#receiver #(#params),*) -> #grad_type #where_clause {
                loop {}
            }
        }
    } else {
        TokenStream::new()
    };
    let second =
        if hessian || jacobian { at_f64(sig, vis, &bounds, (hessian, jacobian)) } else { TokenStream::new() };
    quote! {
        #errors
        #second
        #[allow(dead_code, unused_variables, unreachable_code, clippy::all)]
        #vis fn #jvp #generics (#receiver #(#params,)* #(#tangents),*) -> #jvp_type #where_clause {
            loop {}
        }
        #[allow(dead_code, unused_variables, unreachable_code, clippy::all)]
        #vis fn #vjp #generics (#receiver #(#params),*) -> #vjp_type #where_clause {
            #vjp_value
        }
        #grad_stub
    }
}

/// Stubs of `_hvp` and `_hessian` (`hessian`, a scalar result) and of `_jacobian`
/// (`jacobian`), of the signature at `f64` as those items have it, with `bounds` on its other
/// type parameters and the function's visibility `vis`: a call of them finds them, and the user
/// sees only our error.
fn at_f64(
    sig: &Signature,
    vis: &syn::Visibility,
    bounds: &[syn::WherePredicate],
    (hessian, jacobian): (bool, bool),
) -> TokenStream {
    let mut concrete = crate::second::concrete(sig);
    if !bounds.is_empty() {
        concrete.generics.make_where_clause().predicates.extend(bounds.iter().cloned());
    }
    let sig = &concrete;
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let (receiver, params, directions) =
        (emit::receiver(sig), emit::primal_params(sig), emit::tangent_params(sig));
    let (output, gradient) = (&sig.output, sig.gradient_type());
    let matrix = quote!(::tapeless::__private::nalgebra::DMatrix<f64>);
    let stub = |suffix: &str, inputs: TokenStream, result: TokenStream| {
        let name = emit::sibling(&sig.name, suffix);
        let result = sig.wrap_type(result);
        quote! {
            #[allow(dead_code, unused_variables, unreachable_code, clippy::all)]
            #vis fn #name #impl_generics (#receiver #inputs) -> #result #where_clause {
                loop {}
            }
        }
    };
    let mut out = TokenStream::new();
    if hessian && sig.scalar_output() {
        out.extend(stub("hvp", quote!(#(#params,)* #(#directions),*), quote!((f64, #gradient, #gradient))));
        out.extend(stub("hessian", quote!(#(#params),*), quote!((f64, #gradient, #matrix))));
    }
    if jacobian {
        out.extend(stub("jacobian", quote!(#(#params),*), quote!((#output, #matrix))));
    }
    out
}
