//! The `#[differentiable]` attribute of [tapeless](https://docs.rs/tapeless). Use it through the
//! `tapeless` crate; generated code refers to `::tapeless`. The expansion itself lives in the
//! `diff-expand` library, so it can be tested and fuzzed without a compiler.

use proc_macro::TokenStream;

/// Generates forward-mode (`NAME_jvp`) and reverse-mode (`NAME_vjp`, `NAME_grad`) derivatives
/// of a function at compile time. See the `tapeless` crate for the full documentation.
#[proc_macro_attribute]
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    diff_expand::scan_source(proc_macro::Span::call_site().local_file().as_deref());
    diff_expand::differentiable(attr.into(), item.into()).into()
}

/// Makes a struct of differentiable fields differentiable: a tangent type (the struct itself, or
/// a generated `NameTangent` when some fields are marked `#[no_grad]`), and `+`, `-` and
/// `f64 *` on tangents, so a gradient step reads `params - lr * grad`. Named fields, or a tuple
/// struct's (`struct Weights(Vec<f64>)`, read as `w.0`; without `#[no_grad]` fields). A type
/// with operators of its own (`impl Sub for Point`) writes `#[no_ops]` on the struct: the derive
/// then leaves out `+`, `-` and `f64 *`, which would conflict with them. See the `tapeless`
/// crate.
#[proc_macro_derive(Differentiable, attributes(no_grad, no_ops))]
pub fn derive_differentiable(item: TokenStream) -> TokenStream {
    diff_expand::derive_differentiable(item.into()).into()
}
