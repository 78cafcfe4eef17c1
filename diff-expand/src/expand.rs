//! The pipeline: parse, lower, analyse, check, emit. Parsing never emits code; emitting never
//! reports user errors.

use proc_macro2::TokenStream;
use quote::quote;

use crate::ctxt::Ctxt;
use crate::emit::{self, Input};
use crate::{activity, args, check, fallback, lower, signature};

/// Expands `#[differentiable(attr)] item`. Never panics: bad input gives spanned errors.
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            let msg = syn::Error::new(e.span(), "`#[differentiable]` applies to a function or method")
                .to_compile_error();
            return quote!(#item #msg);
        }
    };
    let cx = Ctxt::default();
    let args = args::parse(attr).unwrap_or_else(|e| {
        cx.syn_error(e);
        args::Args::default()
    });
    let Some(sig) = signature::analyse(&item_fn.sig, &args, &cx) else {
        return fallback::emit(
            &item_fn,
            None,
            cx.take().unwrap_or_else(|| syn::Error::new(item_fn.sig.ident.span(), "unsupported function")),
        );
    };
    let lowered = lower::lower(&item_fn.block, &sig, &cx);
    let wrt: Vec<bool> = sig.params.iter().map(|p| p.wrt).collect();
    let activity = activity::analyse(&lowered.function, &wrt);
    let lowering_failed = cx.has_errors();
    check::check(&lowered.function, &sig, &activity, !lowering_failed, &cx);
    if let Some(error) = cx.take() {
        return fallback::emit(&item_fn, Some(&sig), error);
    }
    let input =
        Input { item: &item_fn, sig: &sig, f: &lowered.function, act: &activity, items: &lowered.items };
    let forward = emit::forward::emit(&input);
    let reverse = emit::reverse::emit(&input);
    quote!(#item_fn #forward #reverse)
}
