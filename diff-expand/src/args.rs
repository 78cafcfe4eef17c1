//! The attribute's arguments: `#[differentiable]` or `#[differentiable(wrt(a, b))]`.

use proc_macro2::TokenStream;
use syn::parse::{Parse, ParseStream};
use syn::punctuated::Punctuated;
use syn::{Ident, Token};

/// Parsed attribute arguments.
#[derive(Default)]
pub struct Args {
    /// `wrt(...)`: the parameters to differentiate; `None` means every differentiable one.
    pub wrt: Option<Vec<Ident>>,
    /// `jvp = path`: the hand-written forward mode to use instead of differentiating the body.
    pub jvp: Option<syn::Path>,
    /// `vjp = path`: the hand-written reverse mode (`fn(x.., cotangent) -> gradient`).
    pub vjp: Option<syn::Path>,
    /// `hessian`: also generate `_hvp` and `_hessian` (second order).
    pub hessian: bool,
    /// `jacobian`: also generate `_jacobian`.
    pub jacobian: bool,
}

impl Parse for Args {
    fn parse(input: ParseStream) -> syn::Result<Self> {
        let mut args = Args::default();
        while !input.is_empty() {
            let key: Ident = input.parse()?;
            if key == "jvp" || key == "vjp" {
                if !input.peek(Token![=]) {
                    return Err(syn::Error::new(key.span(), format!("expected `{key} = my_{key}`")));
                }
                let eq: Token![=] = input.parse()?;
                // At the end of the attribute syn would point at the whole macro call.
                if input.is_empty() || input.peek(Token![,]) {
                    return Err(syn::Error::new(
                        eq.span,
                        format!("expected a function after `{key} =`: `{key} = my_{key}`"),
                    ));
                }
                let path: syn::Path = input.parse()?;
                let slot = if key == "jvp" { &mut args.jvp } else { &mut args.vjp };
                if slot.replace(path).is_some() {
                    return Err(syn::Error::new(key.span(), format!("`{key}` is given twice")));
                }
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            if key == "hessian" || key == "jacobian" {
                let flag = if key == "hessian" { &mut args.hessian } else { &mut args.jacobian };
                if *flag {
                    return Err(syn::Error::new(key.span(), format!("`{key}` is given twice")));
                }
                *flag = true;
                if !input.is_empty() {
                    input.parse::<Token![,]>()?;
                }
                continue;
            }
            if key != "wrt" {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `wrt(...)`, `hessian`, `jacobian`, `jvp = path` or `vjp = path`, the arguments of `#[differentiable]`",
                ));
            }
            if args.wrt.is_some() {
                return Err(syn::Error::new(key.span(), "`wrt` is given twice"));
            }
            if !input.peek(syn::token::Paren) {
                return Err(syn::Error::new(
                    key.span(),
                    "expected `wrt(a, b)`: the parameters to differentiate, in parentheses",
                ));
            }
            let content;
            syn::parenthesized!(content in input);
            // `Ident::parse_any` accepts `self` (a keyword) for a differentiated receiver.
            let names = Punctuated::<Ident, Token![,]>::parse_terminated_with(
                &content,
                syn::ext::IdentExt::parse_any,
            )?;
            args.wrt = Some(names.into_iter().collect());
            if !input.is_empty() {
                let rest: proc_macro2::TokenStream = input.fork().parse()?;
                if input.parse::<Token![,]>().is_err() {
                    return Err(syn::Error::new_spanned(rest, "expected `,` or the end of the arguments"));
                }
            }
        }
        Ok(args)
    }
}

/// Parses the attribute's tokens.
pub fn parse(tokens: TokenStream) -> syn::Result<Args> {
    syn::parse2(tokens)
}
