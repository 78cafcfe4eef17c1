//! The declared result types of the functions with the attribute, where they are collections
//! (`[f64; 2]`, `Vec<f64>`, nalgebra's vectors and matrices), so that a caller's untyped
//! `let k1 = rhs(y, k);` is lowered as if it read `let k1: [f64; 2] = rhs(y, k);`: an array its
//! body may index at a computed index (`k1[i]`). Recorded by the prescan for the functions of the
//! file being compiled (also those defined after their caller) and by each expansion, per file
//! and for the crate, as `registry` records what they differentiate; a name and arity whose
//! functions declare different results has none.

use std::collections::HashMap;
use std::sync::Mutex;

use quote::ToTokens;

use super::registry::{Scoped, current_file, record_scoped, scoped_entry};

/// The result type, as text, of each function with the attribute whose result is a collection
/// (`registry::Scoped`).
static RESULTS: Mutex<Option<Scoped<String>>> = Mutex::new(None);

/// Records the result type of `sig` (found in `file`) if it is a collection naming none of the
/// function's type parameters (a generic one's `[T; 2]` is not its caller's).
pub fn record_in(file: &str, sig: &syn::Signature) {
    let syn::ReturnType::Type(_, ty) = &sig.output else { return };
    let collection = super::array_kind(ty).is_some() || super::static_matrix(ty) || super::dynamic_matrix(ty);
    let tokens = ty.to_token_stream();
    let generic = sig.generics.params.iter().any(|p| match p {
        syn::GenericParam::Type(t) => crate::emit::mentions(&tokens, &t.ident.to_string()),
        syn::GenericParam::Const(c) => crate::emit::mentions(&tokens, &c.ident.to_string()),
        syn::GenericParam::Lifetime(_) => false,
    });
    if !collection || generic {
        return;
    }
    let Ok(mut table) = RESULTS.lock() else { return };
    let table = table.get_or_insert_with(HashMap::new);
    // (The prescan's tokens, parsed from the file's text, print with other spacing than the
    // compiler's.)
    let same = |a: &String, b: &String| squeezed(a) == squeezed(b);
    record_scoped(table, file, (&sig.ident.to_string(), sig.inputs.len()), &tokens.to_string(), same);
}

/// Records the result type of `sig`, in the file of the item being expanded.
pub fn record(sig: &syn::Signature) {
    record_in(&current_file(), sig);
}

/// The recorded result type of the function `name` of `arity` parameters: the caller's file's
/// if it has one, else the crate's, unless the caller's file defines a function of that name
/// without the attribute (which the call then reaches).
pub fn lookup(name: &str, arity: usize) -> Option<syn::Type> {
    let table = RESULTS.lock().ok()?;
    let file_only = super::registry::defined_plain(name, arity);
    let text = scoped_entry(table.as_ref()?, (name, arity), file_only)?.as_ref()?;
    syn::parse_str(text).ok()
}

/// `text` without its spaces.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
