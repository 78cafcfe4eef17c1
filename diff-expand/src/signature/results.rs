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

use super::registry::current_file;

/// Per scope (a file, or `""` for the crate), function name and parameter count: the result
/// type as text, or `None` where two such functions differ.
type Table = HashMap<(String, String, usize), Option<String>>;

static RESULTS: Mutex<Option<Table>> = Mutex::new(None);

/// Records the result type of `sig` (found in `file`) if it is a collection naming none of the
/// function's type parameters (a generic one's `[T; 2]` is not its caller's).
pub fn record_in(file: &str, sig: &syn::Signature) {
    let syn::ReturnType::Type(_, ty) = &sig.output else { return };
    let collection = match &**ty {
        syn::Type::Array(_) => true,
        syn::Type::Path(p) => {
            super::vec_element(p).is_some() || super::static_matrix(ty) || super::dynamic_matrix(ty)
        }
        _ => false,
    };
    let tokens = ty.to_token_stream();
    let generic = sig.generics.params.iter().any(|p| match p {
        syn::GenericParam::Type(t) => crate::emit::mentions(&tokens, &t.ident.to_string()),
        syn::GenericParam::Const(c) => crate::emit::mentions(&tokens, &c.ident.to_string()),
        syn::GenericParam::Lifetime(_) => false,
    });
    let text = tokens.to_string();
    if !collection || generic {
        return;
    }
    let Ok(mut table) = RESULTS.lock() else { return };
    let table = table.get_or_insert_with(HashMap::new);
    for scope in ["", file] {
        let key = (scope.to_string(), sig.ident.to_string(), sig.inputs.len());
        // (The prescan's tokens, parsed from the file's text, print with other spacing than
        // the compiler's.)
        let same = |known: &str| squeezed(known) == squeezed(&text);
        match table.get(&key) {
            Some(Some(known)) if !same(known) => {
                table.insert(key, None);
            }
            Some(_) => {}
            None => {
                table.insert(key, Some(text.clone()));
            }
        }
    }
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
    let table = table.as_ref()?;
    let key = |scope: &str| (scope.to_string(), name.to_string(), arity);
    let text = match table.get(&key(&current_file())) {
        Some(entry) => entry.as_ref()?,
        None if super::registry::defined_plain(name, arity) => return None,
        None => table.get(&key(""))?.as_ref()?,
    };
    syn::parse_str(text).ok()
}

/// `text` without its spaces.
fn squeezed(text: &str) -> String {
    text.chars().filter(|c| !c.is_whitespace()).collect()
}
