//! Reads the source file being compiled once, before the first function of it expands, and
//! records in [`super::registry`] what each function with the attribute differentiates: rustc
//! expands attributes in the order of the source, so without this a call of a helper defined
//! further down the file guessed the helper's slots (a slot for every argument that may be a
//! float), and a helper with a `wrt(..)` list, or with an integer parameter given a value the
//! caller cannot type, got rustc's arity error in generated code.
//!
//! Only a hint, like every entry of the table: a file that cannot be read or parsed is skipped,
//! and a call that relies on an entry names the callee's marker, so a function of that name
//! that differentiates other parameters (another module's, or one this scan saw in code that is
//! not compiled) is a compile error, never a wrong slot.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use proc_macro2::TokenStream;
use syn::visit::Visit;

use super::{registry, siblings};
use crate::impls::own_attribute;

/// The files scanned so far in this compilation.
static SCANNED: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);

/// Records the functions with the attribute in the file at `path`, once per file.
pub fn scan(path: &Path) {
    {
        let Ok(mut scanned) = SCANNED.lock() else { return };
        if !scanned.get_or_insert_with(HashSet::new).insert(path.to_path_buf()) {
            return;
        }
    }
    let Ok(text) = std::fs::read_to_string(path) else { return };
    let Ok(file) = syn::parse_file(&text) else { return };
    Scan.visit_file(&file);
}

/// The arguments of an attribute (`#[differentiable(wrt(x))]` gives `wrt(x)`).
fn arguments(attribute: &syn::Attribute) -> TokenStream {
    match &attribute.meta {
        syn::Meta::List(list) => list.tokens.clone(),
        _ => TokenStream::new(),
    }
}

struct Scan;

impl<'ast> Visit<'ast> for Scan {
    fn visit_item_fn(&mut self, item_fn: &'ast syn::ItemFn) {
        if let Some(i) = own_attribute(&item_fn.attrs)
            && let Some(wrt) = registry::of_function(item_fn, &arguments(&item_fn.attrs[i]))
        {
            registry::record(&item_fn.sig.ident.to_string(), &wrt);
        }
        syn::visit::visit_item_fn(self, item_fn);
    }

    /// Methods with `self` and a `wrt(..)` list, as `impls::expand` and a method's own
    /// attribute record them.
    fn visit_item_impl(&mut self, block: &'ast syn::ItemImpl) {
        let marked = block
            .items
            .iter()
            .any(|i| matches!(i, syn::ImplItem::Fn(f) if own_attribute(&f.attrs).is_some()));
        let whole = own_attribute(&block.attrs).map(|i| arguments(&block.attrs[i]));
        for item in &block.items {
            let syn::ImplItem::Fn(f) = item else { continue };
            let args = match own_attribute(&f.attrs) {
                Some(i) => arguments(&f.attrs[i]),
                None if marked => continue,
                None => match &whole {
                    Some(args) => args.clone(),
                    None => continue,
                },
            };
            if f.sig.receiver().is_some()
                && let Some(wrt) = siblings::of_method(&f.sig, &args)
            {
                registry::record_method(&f.sig.ident.to_string(), &wrt);
            }
        }
        syn::visit::visit_item_impl(self, block);
    }
}
