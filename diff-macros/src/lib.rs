//! The `#[differentiable]` attribute of [tapeless](https://docs.rs/tapeless). Use it through the
//! `tapeless` crate; generated code refers to `::tapeless`.
//!
//! The pipeline (see ARCHITECTURE.md): [`expand`] parses the function, `lower`s it to an untyped
//! SSA-like IR, runs `activity` analysis and the `check`s, then the `emit::forward` and
//! `emit::reverse` emitters write `NAME_jvp`, `NAME_vjp` and `NAME_grad`. Both emitters read the
//! one rule table in `rules`.

mod activity;
mod args;
mod check;
mod ctxt;
mod diagnostics;
mod emit;
mod expand;
mod fallback;
mod ir;
mod lower;
mod rules;
mod signature;

#[cfg(test)]
mod tests;

use proc_macro::TokenStream;

/// Generates forward-mode (`NAME_jvp`) and reverse-mode (`NAME_vjp`, `NAME_grad`) derivatives
/// of a function at compile time. See the `tapeless` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    expand::differentiable(attr.into(), item.into()).into()
}
