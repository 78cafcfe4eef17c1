//! The expansion of `#[differentiable]`, as a plain library on `proc_macro2` token streams, so
//! tests and fuzzers can drive it in-process without a compiler. The proc-macro crate
//! `diff-macros` is a thin wrapper around [`differentiable`].
//!
//! The pipeline (see ARCHITECTURE.md): [`differentiable`] parses the function, `lower`s it to
//! an untyped SSA-like IR, runs `activity` analysis and the `check`s, then the `emit::forward`
//! and `emit::reverse` emitters write `NAME_jvp`, `NAME_vjp` and `NAME_grad`. Both emitters read
//! the one rule table in `rules`.
#![forbid(unsafe_code)]

mod analysis;
mod args;
mod check;
mod ctxt;
mod custom;
mod derive;
mod diagnostics;
mod emit;
mod expand;
mod explain;
mod fallback;
mod impls;
mod ir;
mod jacobian;
mod lower;
mod rules;
mod second;
mod signature;

#[cfg(test)]
mod tests;

pub use derive::derive_differentiable;
pub use expand::{differentiable, reverse_plan, reverse_program};

/// Reads the source file at `path` once per compilation (and the crate's `src/` once) and
/// records what each function with the attribute in it differentiates, so that calls of a
/// helper defined further down the file, or in a module expanded later, pass it exactly its
/// slots. The proc-macro crate calls it with the file of the item being expanded, before
/// [`differentiable`] (`None` where the compiler does not say); an unreadable file is skipped.
pub fn scan_source(path: Option<&std::path::Path>) {
    match path {
        Some(path) => signature::prescan::scan(path),
        None => signature::registry::set_file(""),
    }
}
