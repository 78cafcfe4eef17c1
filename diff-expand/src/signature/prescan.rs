//! Reads the source file being compiled once, before the first function of it expands (and,
//! once, every file under the crate's `src/`), and records in [`super::registry`] what each
//! function with the attribute differentiates. rustc expands attributes in the order of the
//! source, so without this a call of a helper defined further down the file, or in a module
//! expanded later, guessed the helper's slots (a slot for every argument that may be a float),
//! and a helper with a `wrt(..)` list, or with an integer parameter given a value the caller
//! cannot type, got rustc's arity error in generated code.
//!
//! Bodies are never parsed: the tokens of each item are walked, a function's signature parsed
//! with an empty body, `mod` and `impl` blocks walked inside (60 ms for a 4 000-statement file
//! in a debug build of the macro; a whole `syn::File` took 400 ms).
//!
//! Only a hint, like every entry of the table: a file that cannot be read or lexed is skipped,
//! and a call that relies on an entry names the callee's marker, so a function of that name
//! that differentiates other parameters (another module's, or one this scan saw in code that is
//! not compiled) is a compile error, never a wrong slot.

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

use super::{registry, siblings};
use crate::impls::own_attribute;

/// The files scanned so far in this compilation, and whether the crate's `src/` has been.
static SCANNED: Mutex<Option<(HashSet<PathBuf>, bool)>> = Mutex::new(None);

/// Sets the file of the items expanded next, and records the functions with the attribute in
/// it and, once per compilation, in every file under the crate's `src/` (`CARGO_MANIFEST_DIR`):
/// a helper in a module expanded after its caller's is then known too. The files of the
/// package's other binaries are not the crate's ([`crate_files`]; `CARGO_BIN_NAME` names the
/// binary being compiled, if one is).
pub fn scan(path: &Path) {
    let sources = std::env::var("CARGO_MANIFEST_DIR").ok().map(|dir| Path::new(&dir).join("src"));
    let bin = std::env::var("CARGO_BIN_NAME").ok();
    scan_with(path, sources.as_deref(), bin.as_deref());
}

/// [`scan`] with the crate's sources at `crate_sources`, compiling the binary `bin` if one.
pub(crate) fn scan_with(path: &Path, crate_sources: Option<&Path>, bin: Option<&str>) {
    let path = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    registry::set_file(&path.to_string_lossy());
    let mut files = vec![path];
    {
        let Ok(mut scanned) = SCANNED.lock() else { return };
        let (seen, crate_scanned) = scanned.get_or_insert_with(Default::default);
        if !*crate_scanned && let Some(dir) = crate_sources {
            *crate_scanned = true;
            files.extend(crate_files(dir, bin));
        }
        files.retain(|f| seen.insert(f.clone()));
    }
    for file in files {
        scan_file(&file);
    }
}

/// The `.rs` files under the crate's sources `src` that may be its own: all but those of
/// `src/bin/`, which are each a binary of their own (`src/bin/a.rs`, `src/bin/a/main.rs` and its
/// modules), except the binary `bin`'s when one is compiled. A struct of another binary that has
/// the name of one of this crate's, without its `#[derive(Differentiable)]`, made a parameter of
/// that type unknown until the fiftieth session.
pub(crate) fn crate_files(src: &Path, bin: Option<&str>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(src) else { return out };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && path.file_name().is_some_and(|n| n == "bin") {
            let Some(bin) = bin else { continue };
            let (own_file, own_dir) = (path.join(format!("{bin}.rs")), path.join(bin));
            if own_file.is_file() {
                out.push(std::fs::canonicalize(&own_file).unwrap_or(own_file));
            }
            if own_dir.is_dir() {
                sources(&own_dir, &mut out, 2);
            }
        } else if path.is_dir() {
            sources(&path, &mut out, 1);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::canonicalize(&path).unwrap_or(path));
        }
    }
    out
}

/// The `.rs` files under `dir`, canonical, to a depth of eight directories.
fn sources(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() && depth < 8 {
            sources(&path, out, depth + 1);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(std::fs::canonicalize(&path).unwrap_or(path));
        }
    }
}

/// Records the functions with the attribute in one file, and the helpers that take a closure
/// (skipped without a mention of either, or if it cannot be read or lexed).
fn scan_file(path: &Path) {
    let Ok(text) = std::fs::read_to_string(path) else { return };
    // A helper that takes a closure (`F: Fn(f64) -> f64`) may be called from another file, and
    // a struct or enum defined in one (`#[derive(Differentiable)] struct Params`, in a file that
    // never writes the attribute) may be a parameter's type.
    if !["ifferentiable", "Fn", "struct", "enum"].iter().any(|word| text.contains(word)) {
        return;
    }
    // Lexed with proc-macro2's own tokens, not the compiler's: nothing of them leaves this
    // function (the registry keeps names and flags), and crossing the proc-macro bridge for
    // every token of a long file would cost more than the rest of the scan.
    proc_macro2::fallback::force();
    if let Ok(tokens) = text.parse::<TokenStream>() {
        let file = path.to_string_lossy().into_owned();
        items(&file, tokens, &mut None);
    }
    proc_macro2::fallback::unforce();
}

/// Where the functions of an `impl` block go, with their attributes.
/// (Each also with its whole text, head and body.)
type Functions<'a> = &'a mut dyn FnMut(&Attributes, syn::ItemFn, TokenStream);

/// An item's outer attributes, read off the tokens before it.
#[derive(Default)]
struct Attributes(Vec<syn::Attribute>);

impl Attributes {
    /// Whether the item is `#[cfg(test)]`: a test module's helpers are left to their own
    /// expansion, in order, as before the prescan (a helper of the same name there would make
    /// the file's entry ambiguous in every build).
    fn test_only(&self) -> bool {
        self.0.iter().any(|a| {
            a.path().is_ident("cfg")
                && matches!(&a.meta, syn::Meta::List(l) if l.tokens.to_string() == "test")
        })
    }

    /// Whether the item is a `#[test]` function.
    fn test(&self) -> bool {
        self.0.iter().any(|a| a.path().is_ident("test"))
    }

    /// Whether the item derives `Differentiable` (`#[derive(Clone, Differentiable)]`, also by
    /// a path, `tapeless::Differentiable`).
    fn derives_differentiable(&self) -> bool {
        self.0.iter().filter(|a| a.path().is_ident("derive")).any(|a| {
            let paths =
                a.parse_args_with(syn::punctuated::Punctuated::<syn::Path, syn::Token![,]>::parse_terminated);
            paths.is_ok_and(|ps| {
                ps.iter().any(|p| p.segments.last().is_some_and(|s| s.ident == "Differentiable"))
            })
        })
    }

    /// The arguments of the item's `#[differentiable(..)]`, if it has one.
    fn differentiable(&self) -> Option<TokenStream> {
        let i = own_attribute(&self.0)?;
        Some(match &self.0[i].meta {
            syn::Meta::List(list) => list.tokens.clone(),
            _ => TokenStream::new(),
        })
    }
}

/// Walks the items of `tokens` without parsing a body: a function's signature is parsed with an
/// empty body, and `mod` and `impl` blocks are walked inside. Each function with the attribute
/// is recorded, or, inside an `impl` block (`method`), goes to `method` with its attributes (the
/// block decides which of them are differentiated).
fn items(file: &str, tokens: TokenStream, method: &mut Option<Functions<'_>>) {
    let mut attributes = Attributes::default();
    let mut item: Vec<TokenTree> = Vec::new();
    let mut iter = tokens.into_iter().peekable();
    while let Some(tree) = iter.next() {
        match &tree {
            // `#[..]` before an item (an inner `#![..]` is skipped).
            TokenTree::Punct(p) if p.as_char() == '#' && item.is_empty() => {
                if let Some(TokenTree::Group(g)) = iter.peek()
                    && g.delimiter() == Delimiter::Bracket
                {
                    let group = iter.next().map(TokenStream::from).unwrap_or_default();
                    let attr: TokenStream = [TokenStream::from(tree), group].into_iter().collect();
                    if let Ok(mut parsed) = syn::parse::Parser::parse2(syn::Attribute::parse_outer, attr) {
                        attributes.0.append(&mut parsed);
                    }
                } else if let Some(TokenTree::Punct(bang)) = iter.peek()
                    && bang.as_char() == '!'
                {
                    iter.next();
                    iter.next();
                }
            }
            TokenTree::Punct(p) if p.as_char() == ';' => {
                imports(file, &item);
                tuple_struct(file, &item, &attributes);
                attributes = Attributes::default();
                item.clear();
            }
            // `use a::{b, c};`: the braces are part of the `use` item, which ends at its `;`.
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace && is_use(&item) => item.push(tree),
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                let head = std::mem::take(&mut item);
                let taken = std::mem::take(&mut attributes);
                block(file, &head, &taken, g.stream(), method);
            }
            _ => item.push(tree),
        }
    }
}

/// Records a struct that ends at its `;` (`struct Weights(Vec<f64>, f64);`, `struct Unit;`), as
/// [`block`] records one with braces: whether it holds a float, and whether it derives
/// `Differentiable`.
fn tuple_struct(file: &str, item: &[TokenTree], attributes: &Attributes) {
    if !item.iter().any(|t| matches!(t, TokenTree::Ident(i) if i == "struct")) {
        return;
    }
    let tokens: TokenStream = item.iter().cloned().collect();
    if let Ok(item) = syn::parse2::<syn::Item>(quote::quote!(#tokens;)) {
        super::types::record(&item, attributes.derives_differentiable());
        super::types::record_fields(file, &item);
    }
}

/// Records the names a `use` item (its tokens before the `;`) brings into scope, with the paths
/// they come from, in the module the scan is in (`registry::record_import`); anything else is
/// left alone. (A glob brings the generated siblings in with the function.)
fn imports(file: &str, item: &[TokenTree]) {
    if !is_use(item) {
        return;
    }
    let tokens: TokenStream = item.iter().cloned().collect();
    let Ok(item_use) = syn::parse2::<syn::ItemUse>(quote::quote!(#tokens;)) else { return };
    for (name, path) in use_bindings(&item_use) {
        registry::record_import(file, &super::higher_order::current_module(), &name.to_string(), &path);
    }
}

/// The names a `use` item brings into scope by name, each with the path it comes from
/// (`use a::{b, c as d}` gives `b` from `a::b` and `d` from `a::c`); not globs, not `self`,
/// nothing from a path with a leading `::` or of one segment.
pub fn use_bindings(item_use: &syn::ItemUse) -> Vec<(syn::Ident, syn::Path)> {
    fn walk(prefix: &mut Vec<syn::Ident>, tree: &syn::UseTree, out: &mut Vec<(syn::Ident, syn::Path)>) {
        let mut record = |name: &syn::Ident, real: &syn::Ident, prefix: &[syn::Ident]| {
            if real == "self" || prefix.is_empty() {
                return;
            }
            out.push((name.clone(), syn::parse_quote!(#(#prefix ::)* #real)));
        };
        match tree {
            syn::UseTree::Path(p) => {
                prefix.push(p.ident.clone());
                walk(prefix, &p.tree, out);
                prefix.pop();
            }
            syn::UseTree::Name(n) => record(&n.ident, &n.ident, prefix),
            syn::UseTree::Rename(r) => record(&r.rename, &r.ident, prefix),
            syn::UseTree::Group(g) => g.items.iter().for_each(|t| walk(prefix, t, out)),
            syn::UseTree::Glob(_) => {}
        }
    }
    let mut out = Vec::new();
    if item_use.leading_colon.is_none() {
        walk(&mut Vec::new(), &item_use.tree, &mut out);
    }
    out
}

/// Whether the tokens of an item so far start a `use` item (after a visibility).
fn is_use(item: &[TokenTree]) -> bool {
    let first = item.iter().find(|t| {
        !matches!(t, TokenTree::Ident(i) if i == "pub")
            && !matches!(t, TokenTree::Group(g) if g.delimiter() == Delimiter::Parenthesis)
    });
    matches!(first, Some(TokenTree::Ident(i)) if i == "use")
}

/// An item that ends with a block: `head` its tokens before the block.
fn block(
    file: &str,
    head: &[TokenTree],
    attributes: &Attributes,
    body: TokenStream,
    method: &mut Option<Functions<'_>>,
) {
    let keyword = |k: &str| head.iter().any(|t| matches!(t, TokenTree::Ident(i) if i == k));
    if attributes.test_only() {
        return;
    }
    let head: TokenStream = head.iter().cloned().collect();
    if keyword("fn") {
        let Ok(item_fn) = syn::parse2::<syn::ItemFn>(quote::quote!(#head {})) else { return };
        if let Some(method) = method {
            // A method that takes a closure keeps its body, to be inlined where it is called.
            let whole = match super::higher_order::takes_closure(&item_fn.sig) {
                true => syn::parse2::<syn::ItemFn>(quote::quote!(#head { #body })).unwrap_or(item_fn),
                false => item_fn,
            };
            method(attributes, whole, quote::quote!(#head { #body }));
            return;
        }
        let (name, args) = (item_fn.sig.ident.to_string(), attributes.differentiable());
        registry::record_seen(file, &name, item_fn.sig.inputs.len(), args.is_some());
        if args.is_some() {
            super::higher_order::record_caller(file, &name);
            super::higher_order::record_caller_place(file, &name, None);
        }
        // A helper that takes a closure: kept whole, to be inlined where it is called.
        if super::higher_order::takes_closure(&item_fn.sig) {
            if let Ok(whole) = syn::parse2::<syn::ItemFn>(quote::quote!(#head { #body })) {
                super::higher_order::record_in(file, &whole);
            }
        } else if args.is_none() && !attributes.test() {
            // One without the attribute, as text, in case it is called on a differentiable value.
            let arity = item_fn.sig.inputs.len();
            super::higher_order::record_plain_in(file, &name, arity, quote::quote!(#head { #body }));
        }
        if let Some(args) = args {
            // One writing through `&mut` slices: its twin `NAME_out` is what is differentiated.
            match super::outputs::twin(&item_fn) {
                Some(twin) => {
                    // Which `&mut` matrices the body reads needs the body (parsed only here).
                    let whole = syn::parse2::<syn::ItemFn>(quote::quote!(#head { #body }));
                    super::outputs::record(whole.as_ref().unwrap_or(&item_fn));
                    if let Some(wrt) = registry::of_function(&twin, &args) {
                        registry::record_in(file, &twin.sig.ident.to_string(), &wrt);
                    }
                    super::higher_order::record_caller(file, &twin.sig.ident.to_string());
                    super::higher_order::record_caller_place(file, &twin.sig.ident.to_string(), None);
                }
                None => {
                    if let Some(wrt) = registry::of_function(&item_fn, &args) {
                        registry::record_in(file, &name, &wrt);
                    }
                    super::results::record_in(file, &item_fn.sig);
                }
            }
        }
    } else if keyword("impl") {
        // As `impls::expand` and a method's own attribute record them: with the block's
        // attribute, every function if none is marked; methods with `self` and a `wrt(..)`
        // list, and associated functions.
        let mut functions = Vec::new();
        items(
            file,
            body,
            &mut Some(&mut |a: &Attributes, f, text| functions.push((a.differentiable(), f, text))),
        );
        let block = syn::parse2::<syn::ItemImpl>(quote::quote!(#head {})).ok();
        let floats = block.as_ref().map(|b| super::float_params(&b.generics)).unwrap_or_default();
        // Its methods that take a closure, with the type they are methods of.
        let marked = functions.iter().any(|(own, ..)| own.is_some());
        let whole = attributes.differentiable();
        // A method's own attribute in a trait impl without the block's: its items could not go
        // there (`expand::differentiable` reports it).
        let in_trait = block.as_ref().is_some_and(|b| b.trait_.is_some()) && whole.is_none();
        for (own, f, _) in &functions {
            let name = f.sig.ident.to_string();
            if own.is_some() {
                registry::record_attributed_method(file, &name, f.sig.inputs.len(), in_trait);
                // In `impl<T: Float> Model<T>` without the block's attribute: `T` is a float.
                if whole.is_none() && !floats.is_empty() {
                    registry::record_impl_floats(file, &name, f.sig.inputs.len(), &floats);
                }
            }
            let from_block = whole.is_some() && !marked && !super::nothing_to_differentiate(&f.sig);
            if own.is_some() || from_block {
                super::higher_order::record_caller(file, &name);
                // (In a block with the attribute, its expansion knows: `siblings::self_type`.)
                if whole.is_none() {
                    let none = syn::Generics::default();
                    let generics = block.as_ref().map_or(&none, |b| &b.generics);
                    super::higher_order::record_caller_place(file, &name, Some(generics));
                }
                if let Some(block) = &block {
                    super::higher_order::record_caller_type(file, &name, &block.self_ty);
                }
            }
        }
        if let Some(block) = &block {
            let generic = !block.generics.params.is_empty();
            for (own, f, text) in &functions {
                if super::higher_order::takes_closure(&f.sig) {
                    if !generic {
                        super::higher_order::record_method_in(file, &block.self_ty, f);
                    }
                } else if own.is_none()
                    && (whole.is_none() || marked || super::nothing_to_differentiate(&f.sig))
                {
                    // (Of a generic block too: a caller in the same block reads its parameters
                    // under the same names.)
                    // Not differentiated: its text, in case it is called on a differentiable value.
                    super::higher_order::record_plain_method_in(file, &block.self_ty, &f.sig, text.clone());
                }
            }
        }
        for (own, f, _) in functions {
            let args = match (own, &whole) {
                (Some(own), _) => own,
                // The block's `wrt(..)`, as each method takes it (`impls::args_for`).
                (None, Some(whole)) if !marked && !super::nothing_to_differentiate(&f.sig) => {
                    match crate::impls::args_for(whole, &crate::impls::parameter_names(&f.sig)) {
                        Some(args) => args,
                        None => continue,
                    }
                }
                _ => continue,
            };
            let name = f.sig.ident.to_string();
            // A collection it returns, for a caller's `let f = self.force(&y);` (`lower::
            // statements::result_typed`), also in a method expanded before it.
            super::results::record_in(file, &f.sig);
            if f.sig.receiver().is_some() {
                if let Some(wrt) = siblings::of_method(&f.sig, &args, block.as_ref().map(|b| &*b.self_ty)) {
                    registry::record_method_in(file, &name, &wrt);
                    if let Some(block) = &block {
                        registry::record_typed_method(&block.self_ty, &name, &wrt);
                    }
                }
            } else if let Some(wrt) = registry::of_function_in(&f, &args, &floats) {
                registry::record_in(file, &name, &wrt);
            }
        }
    } else if keyword("mod") {
        // The module's name: the identifier after `mod`.
        let name = head
            .clone()
            .into_iter()
            .skip_while(|t| !matches!(t, TokenTree::Ident(i) if i == "mod"))
            .nth(1)
            .map(|t| t.to_string())
            .unwrap_or_default();
        super::higher_order::enter_module(&name);
        items(file, body, &mut None);
        super::higher_order::leave_module();
    } else if keyword("enum") || keyword("struct") {
        // Whether it holds a float: a parameter of a type that holds none is a constant.
        if let Ok(item) = syn::parse2::<syn::Item>(quote::quote!(#head { #body })) {
            super::types::record(&item, attributes.derives_differentiable());
            super::types::record_fields(file, &item);
        }
    }
}
