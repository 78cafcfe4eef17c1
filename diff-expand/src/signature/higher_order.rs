//! Helpers that take a closure: `fn simpson<F: Fn(f64) -> f64>(f: F, a: f64, b: f64, n: usize)`,
//! `fn step(f: &dyn Fn(f64, &[f64]) -> Vec<f64>, ..)`, `fn apply(f: impl Fn(f64) -> f64, ..)`.
//! A closure has no derivative of its own to pass on, so such a helper has no generated items:
//! a call of it in a differentiated function is inlined there (`lower::higher_order`), its body
//! written at the call with the closure bound by `let`, like a local closure.
//!
//! The body comes from the source: the prescan keeps the text of every such function it reads
//! (with or without the attribute), and the attribute on one keeps its own text. Per file,
//! name and parameter count, as the registry of differentiated functions (two that differ are
//! not inlined).

use std::collections::HashMap;
use std::sync::Mutex;

use quote::ToTokens;
use syn::{FnArg, Type, TypeParamBound};

/// Per scope (a file, or `""` for the crate), name and parameter count: the helper's text (and
/// for a method, its type's), or `None` where two of that name and count differ. A method's
/// name is keyed `.name`, apart from functions.
type Table = HashMap<(String, String, usize), Option<(String, String)>>;

static HELPERS: Mutex<Option<Table>> = Mutex::new(None);

/// The functions without the attribute that take no closure, by the same key with their module
/// in front (`module|name`): written out where a differentiated function of the same module
/// calls one on a differentiable value (`expand::lower_body`). Only there: their body may read
/// that module's private items, which a caller in another module cannot see.
static PLAIN: Mutex<Option<Table>> = Mutex::new(None);

/// The modules the prescan is inside, outermost first.
static MODULE: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Per file and name, the module of each function with the attribute (`None` where two differ).
type Callers = HashMap<(String, String), Option<String>>;

static CALLERS: Mutex<Option<Callers>> = Mutex::new(None);

/// Per file and name, the type of each method with the attribute (`None` where two differ).
static CALLER_TYPES: Mutex<Option<Callers>> = Mutex::new(None);

/// Per file and name, `impl` or `free` for each function with the attribute (`None` where one
/// of each was found).
static CALLER_PLACES: Mutex<Option<Callers>> = Mutex::new(None);

/// Per file and name, the generic parameters of the block of each function with the attribute
/// found in a generic block without the attribute, space-separated.
static CALLER_BLOCK_PARAMS: Mutex<Option<Callers>> = Mutex::new(None);

thread_local! {
    /// The module of the function being expanded, if the prescan found it.
    static CALLER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The name of the type whose method is being expanded, if the prescan found it.
    static CALLER_TYPE: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// The module of the function being expanded where the prescan found it, one of that name
    /// in its file (`None` otherwise: unlike [`CALLER`], never another function's).
    static FOUND_CALLER: std::cell::RefCell<Option<String>> = const { std::cell::RefCell::new(None) };
    /// Where the prescan found the function being expanded.
    static PLACE: std::cell::RefCell<Place> = const { std::cell::RefCell::new(Place::Unknown) };
    /// The generic parameters of the block without the attribute the prescan found the
    /// function being expanded in, if it has some and one definition of them.
    static BLOCK_PARAMS: std::cell::RefCell<Option<Vec<String>>> = const { std::cell::RefCell::new(None) };
}

/// The module of the function being expanded, if the prescan found exactly one of its name in
/// its file (`a::b` of inline modules, `""` at the file's top).
pub fn caller_module() -> Option<String> {
    FOUND_CALLER.with(|c| c.borrow().clone())
}

/// The name of the type whose method is being expanded, where the prescan found the method in
/// an `impl` block (`Mlp` of `impl Mlp { #[differentiable(wrt(self))] fn forward(..) }`).
pub fn caller_type() -> Option<String> {
    CALLER_TYPE.with(|c| c.borrow().clone())
}

/// Where the prescan found the function with the attribute being expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Not found (a function the prescan did not read).
    Unknown,
    /// A free function.
    Free,
    /// A function of an `impl` block: its siblings are called `Self::name`.
    Associated,
    /// The same, of a block with generic parameters (`impl<T: Float> Model<T>`), which the
    /// function's own expansion cannot name.
    AssociatedGeneric,
    /// One of each of its name in its file, so which one is being expanded is not known.
    Both,
}

impl Place {
    /// A function of an `impl` block, generic or not.
    pub fn associated(self) -> bool {
        matches!(self, Place::Associated | Place::AssociatedGeneric)
    }
}

/// Where the prescan found the function being expanded.
pub fn caller_place() -> Place {
    PLACE.with(|c| *c.borrow())
}

/// The prescan enters `mod name { .. }` (and leaves it with [`leave_module`]).
pub fn enter_module(name: &str) {
    if let Ok(mut m) = MODULE.lock() {
        m.push(name.to_string());
    }
}

/// The prescan leaves the module it entered last.
pub fn leave_module() {
    if let Ok(mut m) = MODULE.lock() {
        m.pop();
    }
}

/// The module path the prescan is in (`""` at a file's top).
pub(crate) fn current_module() -> String {
    MODULE.lock().map(|m| m.join("::")).unwrap_or_default()
}

/// Records the module of the function with the attribute `name`, found in `file`.
pub fn record_caller(file: &str, name: &str) {
    record_unique(&CALLERS, file, name, current_module());
}

/// Records the type (its name, `Gauss` of `impl Gauss`) of the method with the attribute `name`
/// found in `file`: `Self::sq(x)` in it calls that type's `sq`.
pub fn record_caller_type(file: &str, name: &str, self_ty: &Type) {
    if let Some(ty) = type_name(self_ty) {
        record_unique(&CALLER_TYPES, file, name, ty);
    }
}

/// Records where the function with the attribute `name` found in `file` is: free (`None`), or
/// in an `impl` block with these generic parameters (`Some(&[])` for none).
pub fn record_caller_place(file: &str, name: &str, block: Option<&syn::Generics>) {
    let place = match block {
        None => "free",
        Some(g) if g.params.is_empty() => "impl",
        Some(_) => "generic impl",
    };
    record_unique(&CALLER_PLACES, file, name, place.to_string());
    if let Some(g) = block.filter(|g| !g.params.is_empty()) {
        let names = super::types::generic_names(g);
        record_unique(&CALLER_BLOCK_PARAMS, file, name, names.join(" "));
    }
}

/// The generic parameters' names of the `impl` block (without the attribute) the prescan found
/// the function being expanded in (`["'a", "T", "N"]`), if it found one with some.
pub fn caller_block_params() -> Option<Vec<String>> {
    BLOCK_PARAMS.with(|b| b.borrow().clone())
}

/// Enters `value` for `file` and `name`, or `None` where one entered before differs.
fn record_unique(table: &Mutex<Option<Callers>>, file: &str, name: &str, value: String) {
    let Ok(mut table) = table.lock() else { return };
    let table = table.get_or_insert_with(HashMap::new);
    let key = (file.to_string(), name.to_string());
    match table.get(&key) {
        Some(Some(m)) if *m != value => {
            table.insert(key, None);
        }
        Some(_) => {}
        None => {
            table.insert(key, Some(value));
        }
    }
}

/// The function `name` is being expanded: the functions without the attribute of its module are
/// the ones written out. (A name the prescan did not record, a `map` closure's function, keeps
/// the module of the function it is in.)
pub fn set_caller(name: &str) {
    let key = (super::registry::current_file(), name.to_string());
    // (Like the module, kept for a name the prescan did not record: a `map` closure's function
    // is in the function that holds it.)
    if let Some(ty) = CALLER_TYPES.lock().ok().and_then(|c| c.as_ref()?.get(&key).cloned()) {
        CALLER_TYPE.with(|c| *c.borrow_mut() = ty);
    }
    let place = match CALLER_PLACES.lock().ok().and_then(|c| c.as_ref()?.get(&key).cloned()) {
        None => Place::Unknown,
        Some(None) => Place::Both,
        Some(Some(p)) if p == "impl" => Place::Associated,
        Some(Some(p)) if p == "generic impl" => Place::AssociatedGeneric,
        Some(Some(_)) => Place::Free,
    };
    PLACE.with(|c| *c.borrow_mut() = place);
    let params = CALLER_BLOCK_PARAMS.lock().ok().and_then(|c| c.as_ref()?.get(&key).cloned().flatten());
    BLOCK_PARAMS.with(|b| *b.borrow_mut() = params.map(|p| p.split(' ').map(str::to_string).collect()));
    let found = CALLERS.lock().ok().and_then(|c| c.as_ref()?.get(&key).cloned());
    FOUND_CALLER.with(|c| *c.borrow_mut() = found.clone().flatten());
    let Some(module) = found else {
        return;
    };
    CALLER.with(|c| *c.borrow_mut() = module);
}

/// `module|name` of a function without the attribute, for the caller's module.
fn plain_key(name: &str) -> Option<String> {
    CALLER.with(|c| c.borrow().as_ref().map(|m| format!("{m}|{name}")))
}

/// For each parameter of `sig`, the number of arguments of the closure it takes (`f: F` with
/// `F: Fn(f64) -> f64` takes one), or `None` if it takes no closure. Closure types are a type
/// parameter bounded by `Fn`, `FnMut` or `FnOnce` (inline or in the `where` clause), `impl
/// Fn(..)` and `dyn Fn(..)`, each also behind a reference.
pub fn closure_params(sig: &syn::Signature) -> Vec<Option<usize>> {
    sig.inputs
        .iter()
        .map(|input| match input {
            FnArg::Typed(t) => closure_arity(&t.ty, &sig.generics),
            FnArg::Receiver(_) => None,
        })
        .collect()
}

/// Whether `sig` takes a closure.
pub fn takes_closure(sig: &syn::Signature) -> bool {
    closure_params(sig).iter().any(Option::is_some)
}

/// Whether a parameter of type `ty` (in a function with `generics`) takes a closure.
pub fn closure_type(ty: &Type, generics: &syn::Generics) -> bool {
    closure_arity(ty, generics).is_some()
}

fn closure_arity(ty: &Type, generics: &syn::Generics) -> Option<usize> {
    match ty {
        Type::Reference(r) => closure_arity(&r.elem, generics),
        Type::Paren(p) => closure_arity(&p.elem, generics),
        Type::ImplTrait(t) => fn_bound(t.bounds.iter()),
        Type::TraitObject(t) => fn_bound(t.bounds.iter()),
        Type::Path(p) if p.qself.is_none() => {
            let name = p.path.get_ident()?;
            let inline =
                generics.type_params().filter(|tp| tp.ident == *name).flat_map(|tp| tp.bounds.iter());
            let in_where = generics
                .where_clause
                .iter()
                .flat_map(|w| &w.predicates)
                .filter_map(|p| match p {
                    syn::WherePredicate::Type(pt) if matches!(&pt.bounded_ty, Type::Path(b) if b.path.is_ident(name)) => {
                        Some(pt.bounds.iter())
                    }
                    _ => None,
                })
                .flatten();
            fn_bound(inline.chain(in_where))
        }
        _ => None,
    }
}

/// The number of arguments of the first `Fn(..)`, `FnMut(..)` or `FnOnce(..)` among `bounds`.
fn fn_bound<'a>(mut bounds: impl Iterator<Item = &'a TypeParamBound>) -> Option<usize> {
    bounds.find_map(|b| {
        let TypeParamBound::Trait(t) = b else { return None };
        let last = t.path.segments.last()?;
        match &last.arguments {
            syn::PathArguments::Parenthesized(args)
                if ["Fn", "FnMut", "FnOnce"].iter().any(|f| last.ident == f) =>
            {
                Some(args.inputs.len())
            }
            _ => None,
        }
    })
}

/// Records the helper `item` (one that [`takes_closure`]), found in `file`.
pub fn record_in(file: &str, item: &syn::ItemFn) {
    record_entry(&HELPERS, file, item.sig.ident.to_string(), item, String::new());
}

/// Records the function `name` of `arity` parameters (without the attribute, taking no
/// closure), found in `file`: its tokens, without attributes, kept as text and parsed only if
/// a call needs them.
pub fn record_plain_in(file: &str, name: &str, arity: usize, tokens: proc_macro2::TokenStream) {
    insert(&PLAIN, file, format!("{}|{name}", current_module()), arity, (canonical(tokens), String::new()));
}

/// Records the method `item` of the type `self_ty` (one that [`takes_closure`], with `&self`,
/// `self` or no receiver), found in `file`.
pub fn record_method_in(file: &str, self_ty: &Type, item: &syn::ItemFn) {
    let mutable = matches!(item.sig.receiver(), Some(r) if r.mutability.is_some() && r.reference.is_some());
    if mutable {
        return;
    }
    let ty = canonical(self_ty.to_token_stream());
    record_entry(&HELPERS, file, format!(".{}", item.sig.ident), item, ty);
}

/// Records the method `sig` of the type `self_ty` (without the attribute, taking no closure, with
/// `&self`, `self` or no receiver), found in `file`: its text, as [`record_plain_in`] keeps it.
pub fn record_plain_method_in(
    file: &str,
    self_ty: &Type,
    sig: &syn::Signature,
    tokens: proc_macro2::TokenStream,
) {
    let mutable = matches!(sig.receiver(), Some(r) if r.mutability.is_some() && r.reference.is_some());
    if mutable {
        return;
    }
    let ty = canonical(self_ty.to_token_stream());
    let text = (canonical(tokens), ty);
    let module = current_module();
    insert(&PLAIN, file, format!("{module}|.{}", sig.ident), sig.inputs.len(), text.clone());
    // Also by the type's name, for a call on a value whose type is known (`lower::typed`): an
    // operator's `sub` of each type apart.
    if let Some(last) = type_name(self_ty) {
        insert(&PLAIN, file, format!("{module}|.{}@{last}", sig.ident), sig.inputs.len(), text);
    }
}

/// The last segment of a path type's name, behind references (`Vec2` of `&geometry::Vec2`).
pub fn type_name(ty: &Type) -> Option<String> {
    match ty {
        Type::Reference(r) => type_name(&r.elem),
        Type::Paren(p) => type_name(&p.elem),
        Type::Path(p) if p.qself.is_none() => p.path.segments.last().map(|s| s.ident.to_string()),
        _ => None,
    }
}

/// The method `name` of the type named `ty` (its last segment), of `arity` parameters (the
/// receiver counted), without the attribute, and its type.
pub fn lookup_plain_typed(name: &str, ty: &str, arity: usize, receiver: bool) -> Option<(syn::ItemFn, Type)> {
    let (text, self_ty) = entry(&PLAIN, &plain_key(&format!(".{name}@{ty}"))?, arity)?;
    let item: syn::ItemFn = syn::parse_str(&text).ok()?;
    (item.sig.receiver().is_some() == receiver).then_some(())?;
    Some((item, syn::parse_str(&self_ty).ok()?))
}

/// `Self::sq(x)` or `Gauss::sq(x)`: an associated function without the attribute of a type of
/// this crate, written out where it is called on a differentiable value as a method without one
/// is. Its key in the names written out (`.sq`, or `.sq@Gauss` where the type is named, since
/// two types may each have an `sq`), its text and its type.
pub fn plain_associated(path: &syn::ExprPath, arity: usize) -> Option<(String, syn::ItemFn, Type)> {
    let segments = &path.path.segments;
    let (ty, last) = (segments.iter().nth_back(1)?, segments.last()?);
    let name = last.ident.to_string();
    if path.qself.is_some() || super::registry::derivative_known(&name, arity) {
        return None;
    }
    let own = CALLER_TYPE.with(|c| c.borrow().clone());
    let ty = match (ty.ident == "Self", own) {
        (true, None) => {
            let (helper, self_ty) = lookup_plain_method(&name, arity, false)?;
            return Some((format!(".{name}"), helper, self_ty));
        }
        (true, Some(own)) => own,
        (false, _) => ty.ident.to_string(),
    };
    let (helper, self_ty) = lookup_plain_typed(&name, &ty, arity, false)?;
    Some((format!(".{name}@{ty}"), helper, self_ty))
}

/// Whether `Self::sq(..)` or `Gauss::sq(..)` names an associated function without the attribute
/// the prescan found, even one [`plain_associated`] cannot tell (two types' `sq` where the
/// caller's type is unknown): a call of it on a differentiable value is our error, never rustc's
/// missing `sq_jvp`.
pub fn names_plain_associated(path: &syn::ExprPath, arity: usize) -> bool {
    let Some(name) = path.path.segments.last().filter(|_| path.path.segments.len() >= 2) else {
        return false;
    };
    let name = name.ident.to_string();
    !super::registry::derivative_known(&name, arity)
        && plain_key(&format!(".{name}")).is_some_and(|key| recorded(&PLAIN, &key, arity).is_some())
}

fn record_entry(table: &Mutex<Option<Table>>, file: &str, name: String, item: &syn::ItemFn, self_ty: String) {
    let mut bare = item.clone();
    bare.attrs.clear();
    let text = (canonical(bare.to_token_stream()), self_ty);
    insert(table, file, name, item.sig.inputs.len(), text);
}

/// Enters `text` for `file` and for the crate (`None` where one of the same key differs).
fn insert(table: &Mutex<Option<Table>>, file: &str, name: String, arity: usize, text: (String, String)) {
    let Ok(mut table) = table.lock() else { return };
    let table = table.get_or_insert_with(HashMap::new);
    for scope in ["", file] {
        let key = (scope.to_string(), name.clone(), arity);
        match table.get(&key) {
            Some(Some(known)) if *known != text => {
                table.insert(key, None);
            }
            Some(_) => {}
            None => {
                table.insert(key, Some(text.clone()));
            }
        }
    }
}

/// The tokens as text, one space between two: the same for the prescan's tokens and the
/// compiler's (whose own printing differs in spacing).
fn canonical(tokens: proc_macro2::TokenStream) -> String {
    use proc_macro2::{Delimiter, TokenTree};
    let mut out = String::new();
    for tree in tokens {
        match tree {
            TokenTree::Group(g) => {
                let (open, close) = match g.delimiter() {
                    Delimiter::Parenthesis => ("(", ")"),
                    Delimiter::Brace => ("{", "}"),
                    Delimiter::Bracket => ("[", "]"),
                    Delimiter::None => ("", ""),
                };
                out.push_str(open);
                out.push(' ');
                out.push_str(&canonical(g.stream()));
                out.push_str(close);
            }
            // `'a` and `::` keep their joint characters together.
            TokenTree::Punct(p) if p.spacing() == proc_macro2::Spacing::Joint => {
                out.push(p.as_char());
                continue;
            }
            TokenTree::Punct(p) => out.push(p.as_char()),
            TokenTree::Ident(i) => out.push_str(&i.to_string()),
            TokenTree::Literal(l) => out.push_str(&l.to_string()),
        }
        out.push(' ');
    }
    out
}

/// Records the helper `item`, in the file of the item being expanded.
pub fn record(item: &syn::ItemFn) {
    record_in(&super::registry::current_file(), item);
}

/// The helper `name` of `arity` parameters: the caller's file's if it has one, else the
/// crate's; `None` if none is known or two of them differ. Its tokens carry no place in the
/// source (they were read as text).
pub fn lookup(name: &str, arity: usize) -> Option<syn::ItemFn> {
    let (text, _) = entry(&HELPERS, name, arity)?;
    syn::parse_str(&text).ok()
}

/// The function `name` of `arity` parameters without the attribute, as [`lookup`] finds a
/// helper that takes a closure.
pub fn lookup_plain(name: &str, arity: usize) -> Option<syn::ItemFn> {
    let (text, _) = entry(&PLAIN, &plain_key(name)?, arity)?;
    syn::parse_str(&text).ok()
}

/// The method `name` of `arity` parameters (the receiver counted) and the type it is a method
/// of; `receiver` tells whether it takes `self` (a method) or not (an associated function).
pub fn lookup_method(name: &str, arity: usize, receiver: bool) -> Option<(syn::ItemFn, Type)> {
    let (text, self_ty) = entry(&HELPERS, &format!(".{name}"), arity)?;
    let item: syn::ItemFn = syn::parse_str(&text).ok()?;
    (item.sig.receiver().is_some() == receiver).then_some(())?;
    Some((item, syn::parse_str(&self_ty).ok()?))
}

/// The method `name` of `arity` parameters (the receiver counted) without the attribute, and the
/// type it is a method of, as [`lookup_method`] finds one that takes a closure.
pub fn lookup_plain_method(name: &str, arity: usize, receiver: bool) -> Option<(syn::ItemFn, Type)> {
    let (text, self_ty) = entry(&PLAIN, &plain_key(&format!(".{name}"))?, arity)?;
    let item: syn::ItemFn = syn::parse_str(&text).ok()?;
    (item.sig.receiver().is_some() == receiver).then_some(())?;
    Some((item, syn::parse_str(&self_ty).ok()?))
}

fn entry(table: &Mutex<Option<Table>>, name: &str, arity: usize) -> Option<(String, String)> {
    recorded(table, name, arity)?
}

/// The entry of `name` and `arity` for the current file (or the crate): `Some(None)` where two
/// of that key differ, `None` where there is none.
fn recorded(table: &Mutex<Option<Table>>, name: &str, arity: usize) -> Option<Option<(String, String)>> {
    let table = table.lock().ok()?;
    let table = table.as_ref()?;
    let file = super::registry::current_file();
    let key = |scope: &str| (scope.to_string(), name.to_string(), arity);
    table.get(&key(&file)).or_else(|| table.get(&key(""))).cloned()
}
