//! The `#[differentiable]` attribute of [tapeless](https://docs.rs/tapeless). Use it through the
//! `tapeless` crate; generated code refers to `::tapeless`. The expansion itself lives in the
//! `diff-expand` library, so it can be tested and fuzzed without a compiler.

use proc_macro::TokenStream;

/// Generates forward-mode (`NAME_jvp`) and reverse-mode (`NAME_vjp`, `NAME_grad`) derivatives
/// of a function at compile time. See the `tapeless` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    diff_expand::differentiable(attr.into(), item.into()).into()
}
