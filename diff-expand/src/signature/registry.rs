//! The differentiated parameters of the functions with the attribute that this crate has
//! expanded so far, or that [`super::prescan`] found in the source file being compiled (free
//! functions, with or without a `wrt(..)` list, and methods of an `impl` block with one), so
//! that a call of one passes tangents, and takes cotangents back, for exactly the parameters it
//! differentiates.
//!
//! Without an entry a call passes a slot for every argument that may be a float
//! (`emit::call_slots`): a helper `#[differentiable(wrt(p))] fn residual(p, t, y)` called as
//! `residual(p, ts[i], ys[i])` got tangents for `t` and `y` too, and `fn power(x: f64, n: u32)`
//! called as `power(x, cfg.n)` one for `n`: rustc's arity error in generated code. rustc expands
//! a crate's attributes one after another, in the order of the source, so a helper defined
//! after its caller in the same file is found by the prescan; this table lives as long as the
//! proc macro's library, one crate's compilation. It is only a hint: a call uses an entry only
//! where the slots it would pass otherwise differ (where rustc would reject them), and then
//! names the callee's marker constant, `__tapeless_wrt_residual_100` (one digit per
//! parameter, `1` for differentiated), emitted beside the callee
//! ([`marker`]). A call that reaches a function of the same name with other `wrt(..)` (another
//! module's, or one expanded later) fails to find that constant: a compile error, never a
//! wrong slot.

use std::collections::HashMap;
use std::sync::Mutex;

use super::siblings::Wrt;
use crate::ir::{Kind, Value};

/// Per scope, function name and parameter count: what the functions of that name and count
/// declare, or `None` where two of them differ. The scope is a source file, or `""` for the
/// crate: every entry is in both ([`record_scoped`]), and a lookup asks the caller's file first
/// ([`scoped_entry`]), so a helper beside its caller is found even where another file has one
/// of that name that differs.
pub(super) type Scoped<T> = HashMap<(String, String, usize), Option<T>>;

/// Records `value` for the function `name` of `arity` parameters found in `file`, in that file's
/// scope and the crate's: where a different value (`same` false) is there already, `None`.
pub(super) fn record_scoped<T: Clone>(
    table: &mut Scoped<T>,
    file: &str,
    (name, arity): (&str, usize),
    value: &T,
    same: impl Fn(&T, &T) -> bool,
) {
    for scope in ["", file] {
        let key = (scope.to_string(), name.to_string(), arity);
        match table.get(&key) {
            Some(Some(known)) if !same(known, value) => {
                table.insert(key, None);
            }
            Some(_) => {}
            None => {
                table.insert(key, Some(value.clone()));
            }
        }
    }
}

/// The entry of the function `name` of `arity` parameters: the caller's file's if it has one,
/// else the crate's unless `file_only`.
pub(super) fn scoped_entry<'t, T>(
    table: &'t Scoped<T>,
    (name, arity): (&str, usize),
    file_only: bool,
) -> Option<&'t Option<T>> {
    let key = |scope: &str| (scope.to_string(), name.to_string(), arity);
    table.get(&key(&current_file())).or_else(|| if file_only { None } else { table.get(&key("")) })
}

/// What each function with the attribute differentiates ([`Scoped`]).
type Table = Scoped<Wrt>;

static REGISTRY: Mutex<Option<Table>> = Mutex::new(None);

thread_local! {
    /// The file of the item being expanded (`set_file`), `""` if unknown.
    static FILE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) };
}

/// Sets the file of the items expanded next (the proc-macro crate's, before each expansion).
pub fn set_file(file: &str) {
    FILE.with(|f| file.clone_into(&mut f.borrow_mut()));
}

/// The file of the item being expanded (`""` if unknown).
pub fn current_file() -> String {
    FILE.with(|f| f.borrow().clone())
}

/// What the free function `item_fn`, with the attribute's arguments `attr`, differentiates, as
/// its own expansion decides it ([`super::analyse`]: a `wrt(..)` list, or every parameter of a
/// differentiable type). `None` for a method, or where the arguments or the signature are
/// rejected (the function's own expansion reports that).
pub fn of_function(item_fn: &syn::ItemFn, attr: &proc_macro2::TokenStream) -> Option<Wrt> {
    of_function_in(item_fn, attr, &[])
}

/// [`of_function`] of an associated function, whose `impl` block has the float type
/// parameters `outer`.
pub fn of_function_in(
    item_fn: &syn::ItemFn,
    attr: &proc_macro2::TokenStream,
    outer: &[syn::Ident],
) -> Option<Wrt> {
    if item_fn.sig.receiver().is_some() {
        return None;
    }
    let args = crate::args::parse(attr.clone()).ok()?;
    analysed(item_fn, &args, outer, false)
}

/// What a method with `self` and no `wrt(..)` list differentiates, as its own expansion decides
/// it: every parameter of a differentiable type, `self` a constant. `None` for another method,
/// or where the arguments or the signature are rejected.
pub fn of_unlisted_method(
    item_fn: &syn::ItemFn,
    attr: &proc_macro2::TokenStream,
    outer: &[syn::Ident],
) -> Option<Wrt> {
    let receiver = item_fn.sig.receiver()?;
    let args = crate::args::parse(attr.clone()).ok()?;
    if args.wrt.is_some() {
        return None;
    }
    analysed(item_fn, &args, outer, receiver.reference.is_none())
}

/// The parameters `item_fn`'s own expansion differentiates with `args` (`self` apart), or
/// `None` where the signature is rejected.
fn analysed(
    item_fn: &syn::ItemFn,
    args: &crate::args::Args,
    outer: &[syn::Ident],
    by_value: bool,
) -> Option<Wrt> {
    let mut floats = outer.to_vec();
    floats.extend(super::float_params(&item_fn.sig.generics));
    let cx = crate::ctxt::Ctxt::default();
    let sig = super::with_float_params(&floats, || super::analyse(&item_fn.sig, args, &cx))?;
    if cx.take().is_some() {
        return None;
    }
    Some(Wrt {
        receiver: false,
        by_value,
        params: sig.params.iter().map(|p| p.wrt).collect(),
        names: sig.params.iter().map(|p| p.ident.to_string()).collect(),
        hessian: args.hessian,
        returns_self: false,
    })
}

/// The free functions without the attribute the prescan found (per file, name and parameter
/// count), and the names of every function it found: a call of one of the first, on a
/// differentiable value, has no derivative unless `name_jvp`/`name_vjp` is written by hand.
type Plain = (std::collections::HashSet<(String, String, usize)>, std::collections::HashSet<String>);

static PLAIN: Mutex<Option<Plain>> = Mutex::new(None);

/// Records a function the prescan found in `file`, with (`attributed`) or without the attribute.
pub fn record_seen(file: &str, name: &str, arity: usize, attributed: bool) {
    if let Ok(mut imports) = IMPORTS.lock() {
        let module = super::higher_order::current_module();
        imports.get_or_insert_with(Default::default).defined.insert((
            file.to_string(),
            module,
            name.to_string(),
        ));
    }
    let Ok(mut plain) = PLAIN.lock() else { return };
    let (functions, names) = plain.get_or_insert_with(Default::default);
    if !attributed {
        functions.insert((file.to_string(), name.to_string(), arity));
    }
    names.insert(name.to_string());
}

/// Whether a call `name(..)` of `arity` arguments reaches a function of the caller's file with no
/// derivative: one without the attribute is there, none with it is known, and no `name_jvp` or
/// `name_vjp` is written by hand anywhere the prescan read.
/// Whether the file being expanded defines a function `name` of `arity` parameters without the
/// attribute.
pub fn defined_plain(name: &str, arity: usize) -> bool {
    let file = FILE.with(|f| f.borrow().clone());
    let Ok(plain) = PLAIN.lock() else { return false };
    plain.as_ref().is_some_and(|(functions, _)| functions.contains(&(file, name.to_string(), arity)))
}

pub fn without_derivative(name: &str, arity: usize) -> bool {
    if is_function(name, arity) {
        return false;
    }
    let file = FILE.with(|f| f.borrow().clone());
    let Ok(plain) = PLAIN.lock() else { return false };
    plain.as_ref().is_some_and(|(functions, names)| {
        functions.contains(&(file, name.to_string(), arity))
            && !names.contains(&format!("{name}_jvp"))
            && !names.contains(&format!("{name}_vjp"))
    })
}

/// Whether a call `name(..)` of `arity` arguments has a derivative the prescan knows of: a
/// function with the attribute, or `name_jvp`/`name_vjp` written by hand.
pub fn derivative_known(name: &str, arity: usize) -> bool {
    if is_function(name, arity) {
        return true;
    }
    let Ok(plain) = PLAIN.lock() else { return false };
    plain.as_ref().is_some_and(|(_, names)| {
        names.contains(&format!("{name}_jvp")) || names.contains(&format!("{name}_vjp"))
    })
}

/// What the `use` items of each module bring into scope: per file, module (`a::b` of inline
/// modules, `""` at the file's top) and name, every path it is imported from
/// (`use crate::physics::gravity;`, `use super::m::{f as g}`); and the functions each module
/// defines.
#[derive(Default)]
struct Imports {
    paths: std::collections::HashMap<(String, String, String), std::collections::HashSet<String>>,
    defined: std::collections::HashSet<(String, String, String)>,
}

static IMPORTS: Mutex<Option<Imports>> = Mutex::new(None);

/// Records that module `module` of `file` imports `path` (its last segment the function's own
/// name) as `name`.
pub fn record_import(file: &str, module: &str, name: &str, path: &syn::Path) {
    let Ok(mut imports) = IMPORTS.lock() else { return };
    let text = quote::ToTokens::to_token_stream(path).to_string();
    let imports = imports.get_or_insert_with(Default::default);
    let key = (file.to_string(), module.to_string(), name.to_string());
    imports.paths.entry(key).or_default().insert(text);
}

/// The path a bare call `name(..)` reaches through a `use` of the module of the function being
/// expanded (`module`, as the prescan found it): `gravity` of `use super::physics::gravity;` is
/// `super::physics::gravity`, whose `gravity_jvp` and marker constant the generated code names
/// by the same path (a `use` of the function alone brings neither into scope), and `clamp` of
/// `use num_traits::clamp;` is `num_traits::clamp`. An explicit `use` is what a bare name means
/// in its module (it shadows a glob, and a function of the same name there would clash with
/// it), so only this is taken: one path imports the name there, and the module defines no
/// function of the name. (A `use` or `fn` of the name inside the body, and what the path must
/// name, are the lowering's to rule out: `Lowerer::use_path_of`.) `None` otherwise.
pub fn use_path(module: &str, name: &str) -> Option<syn::Path> {
    let file = current_file();
    let Ok(imports) = IMPORTS.lock() else { return None };
    let imports = imports.as_ref()?;
    let key = (file, module.to_string(), name.to_string());
    if imports.defined.contains(&key) {
        return None;
    }
    let paths = imports.paths.get(&key)?;
    let [path] = paths.iter().collect::<Vec<_>>()[..] else { return None };
    syn::parse_str(path).ok()
}

/// Methods with the attribute the prescan found, per file, name and parameter count: in a trait
/// `impl` whose block has none (`true`), or in an inherent one (`false`).
type Methods = std::collections::HashMap<(String, String, usize), std::collections::HashSet<bool>>;

static ATTRIBUTED_METHODS: Mutex<Option<Methods>> = Mutex::new(None);

/// Records a method with the attribute, found in `file`, in a trait `impl` without one or not.
pub fn record_attributed_method(file: &str, name: &str, arity: usize, in_trait_impl: bool) {
    let Ok(mut methods) = ATTRIBUTED_METHODS.lock() else { return };
    let methods = methods.get_or_insert_with(Default::default);
    methods.entry((file.to_string(), name.to_string(), arity)).or_default().insert(in_trait_impl);
}

/// Whether a method `name` with the attribute, of `arity` parameters (the receiver counted), is
/// in a trait `impl` whose block has none, and no other method of the caller's file with the
/// attribute has its name.
pub fn in_trait_impl(name: &str, arity: usize) -> bool {
    let file = FILE.with(|f| f.borrow().clone());
    let Ok(methods) = ATTRIBUTED_METHODS.lock() else { return false };
    methods
        .as_ref()
        .and_then(|m| m.get(&(file, name.to_string(), arity)))
        .is_some_and(|places| places.len() == 1 && places.contains(&true))
}

/// Per file, method name and parameter count: the float type parameters of the generic `impl`
/// block without the attribute that each method with its own attribute is in (`impl<T: Float>
/// Model<T>`), one entry per block found.
type ImplFloats = std::collections::HashMap<(String, String, usize), Vec<Vec<String>>>;

static IMPL_FLOATS: Mutex<Option<ImplFloats>> = Mutex::new(None);

/// Records that a method with its own attribute, found in `file`, is in an `impl` block (without
/// the attribute) whose float type parameters are `floats`.
pub fn record_impl_floats(file: &str, name: &str, arity: usize, floats: &[syn::Ident]) {
    let Ok(mut table) = IMPL_FLOATS.lock() else { return };
    let entry = table.get_or_insert_with(Default::default);
    let floats = floats.iter().map(|f| f.to_string()).collect();
    entry.entry((file.to_string(), name.to_string(), arity)).or_default().push(floats);
}

/// The float type parameters of the `impl` block of a method `name` of `arity` parameters with
/// its own attribute, in the caller's file: those of the one block the prescan found it in, or
/// of every such block if they agree (none otherwise).
pub fn impl_floats(name: &str, arity: usize) -> Vec<syn::Ident> {
    let file = FILE.with(|f| f.borrow().clone());
    let Ok(table) = IMPL_FLOATS.lock() else { return Vec::new() };
    let Some(blocks) = table.as_ref().and_then(|t| t.get(&(file, name.to_string(), arity))) else {
        return Vec::new();
    };
    match blocks.first() {
        Some(first) if blocks.iter().all(|b| b == first) => {
            first.iter().map(|f| syn::Ident::new(f, proc_macro2::Span::call_site())).collect()
        }
        _ => Vec::new(),
    }
}

/// Records the function `name`'s `wrt`, in the file of the item being expanded.
pub fn record(name: &str, wrt: &Wrt) {
    record_in(&FILE.with(|f| f.borrow().clone()), name, wrt);
}

/// Records the function `name`'s `wrt`, found in `file`, for that file and for the crate.
pub fn record_in(file: &str, name: &str, wrt: &Wrt) {
    let Ok(mut table) = REGISTRY.lock() else { return };
    let table = table.get_or_insert_with(HashMap::new);
    record_scoped(table, file, (name, wrt.params.len()), wrt, |a, b| a.params == b.params);
}

/// The entry of `name` and `arity`: the caller's file's if it has one, else the crate's.
fn entry(name: &str, arity: usize) -> Option<Option<Wrt>> {
    let table = REGISTRY.lock().ok()?;
    scoped_entry(table.as_ref()?, (name, arity), false).cloned()
}

/// What the function `name` of `arity` parameters differentiates, if one of that name and
/// arity was recorded and no other differs from it.
pub fn lookup(name: &str, arity: usize) -> Option<Wrt> {
    entry(name, arity).flatten()
}

/// Records the function `name`'s `wrt` and returns its marker constant, emitted beside it.
pub fn record_with_marker(vis: &syn::Visibility, name: &syn::Ident, wrt: &Wrt) -> proc_macro2::TokenStream {
    let name = name.to_string();
    record(&name, wrt);
    let marker = marker(&name, wrt);
    quote::quote!(#[doc(hidden)] #[allow(non_upper_case_globals, dead_code)] #vis const #marker: () = ();)
}

/// The marker constant emitted beside a function `name` with `wrt`.
pub fn marker(name: &str, wrt: &Wrt) -> syn::Ident {
    let bits: String = wrt.params.iter().map(|w| if *w { '1' } else { '0' }).collect();
    syn::Ident::new(&format!("__tapeless_wrt_{name}_{bits}"), proc_macro2::Span::call_site())
}

/// A call `path(args)` of a recorded function (`kind`: what the caller knows of an argument):
/// its entry, when the slots a call passes without one (every argument not known to be an
/// integer or `bool`) differ from those it differentiates. The path to its marker constant goes
/// with it (`helpers::residual` to `helpers::__tapeless_wrt_residual_100`). The lowering (which
/// names the marker), the check and the emitters ask the same question of the same kinds.
pub fn call(path: &syn::ExprPath, args: &[Value], kind: impl Fn(Value) -> Kind) -> Option<(Wrt, syn::Path)> {
    let passed: Vec<bool> = args.iter().map(|a| kind(*a) != Kind::Discrete).collect();
    let last = path.path.segments.last()?;
    let name = last.ident.to_string();
    let wrt = lookup(&name, passed.len())?;
    if wrt.params == passed {
        return None;
    }
    let mut marker_path = path.path.clone();
    if let Some(mut segment) = marker_path.segments.pop().map(syn::punctuated::Pair::into_value) {
        segment.ident = marker(&name, &wrt);
        segment.ident.set_span(last.ident.span());
        segment.arguments = syn::PathArguments::None;
        marker_path.segments.push(segment);
    }
    Some((wrt, marker_path))
}

/// The key of a method (with `self`) in the table: apart from functions of the same name.
fn method_key(name: &str) -> String {
    format!(".{name}")
}

/// Records the method `name`'s `wrt` (its receiver's part included).
pub fn record_method(name: &str, wrt: &Wrt) {
    record(&method_key(name), wrt);
}

/// Records the method `name`'s `wrt`, found in `file`.
pub fn record_method_in(file: &str, name: &str, wrt: &Wrt) {
    record_in(file, &method_key(name), wrt);
}

/// The marker method generated beside a method `name` with `wrt`, which a call relying on the
/// entry calls on its receiver (a method of that name on another type, with other `wrt(..)`,
/// has no such marker: a compile error, never a wrong slot).
pub fn method_marker(name: &str, wrt: &Wrt) -> syn::Ident {
    let bits: String = wrt.params.iter().map(|w| if *w { '1' } else { '0' }).collect();
    let receiver = if wrt.receiver { '1' } else { '0' };
    syn::Ident::new(&format!("__tapeless_wrt_{name}_{receiver}_{bits}"), proc_macro2::Span::call_site())
}

/// Whether a function `name` with `arity` parameters has been recorded (two that differ count).
pub fn is_function(name: &str, arity: usize) -> bool {
    entry(name, arity).is_some()
}

/// What the method `name` with `arity` arguments (the receiver apart) differentiates, if one of
/// that name and arity was recorded and no other differs from it.
pub fn lookup_method(name: &str, arity: usize) -> Option<Wrt> {
    lookup(&method_key(name), arity)
}

/// Whether a method `name` with `arity` arguments (the receiver apart) has been recorded.
pub fn is_method(name: &str, arity: usize) -> bool {
    entry(&method_key(name), arity).is_some()
}

/// Methods with `self` and a `wrt(..)` list by the name of the type they are methods of
/// (`Pendulum`), their name and parameter count: a call whose receiver's type the signature
/// says (`p: &Pendulum`, or `self`) finds the method of that type, not another of that name.
type Typed = HashMap<(String, String, usize), Wrt>;

static TYPED: Mutex<Option<Typed>> = Mutex::new(None);

/// Records the method `name` of the type `ty` (by the last segment of its path) with `wrt`.
pub fn record_typed_method(ty: &syn::Type, name: &str, wrt: &Wrt) {
    let (Some(ty), Ok(mut typed)) = (type_name(ty), TYPED.lock()) else { return };
    typed.get_or_insert_with(HashMap::new).insert((ty, name.to_string(), wrt.params.len()), wrt.clone());
}

/// The name of a receiver's type: the last segment of a path, behind any `&`/`&mut` (`Self`
/// is the type of the block being expanded, `siblings::self_type`, or of the method's block as
/// the prescan found it, `higher_order::caller_type`, where the block has no attribute).
pub fn type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => type_name(&r.elem),
        syn::Type::Paren(p) => type_name(&p.elem),
        syn::Type::Path(p) if p.qself.is_none() => {
            let last = p.path.segments.last()?.ident.to_string();
            if last == "Self" && p.path.segments.len() == 1 {
                super::siblings::self_type().or_else(super::higher_order::caller_type)
            } else {
                Some(last)
            }
        }
        _ => None,
    }
}

/// The type name of a method call's receiver in the IR of `f`, where the code states it: a
/// parameter (`p: &Pendulum`), an element of one (`for a in items.iter()`, `items: &[A]`),
/// `self`, or a struct literal (`Spring { k: 2.0 }`).
pub fn receiver_type(f: &crate::ir::Function, sig: &super::Signature, receiver: Value) -> Option<String> {
    let insts = f.body.walk();
    let defining = |v: Value| insts.iter().find(|i| i.results.first() == Some(&v)).map(|i| &i.op);
    receiver_type_in(receiver, defining, |_, k| sig.params.get(k).map(|p| &p.ty))
}

/// [`receiver_type`] of the instructions `defining` finds (the one whose first result a value
/// is), with `param_type` the declared type of a parameter (its value and index): the IR
/// for the check and the emitters, the instructions so far while lowering.
pub fn receiver_type_in<'a>(
    receiver: Value,
    defining: impl Fn(Value) -> Option<&'a crate::ir::Op>,
    param_type: impl Fn(Value, usize) -> Option<&'a syn::Type>,
) -> Option<String> {
    use crate::ir::{Op, Opaque};
    let param = |v: Value| match defining(v)? {
        Op::Param(k) => param_type(v, *k),
        _ => None,
    };
    match defining(receiver)? {
        Op::Param(k) => param_type(receiver, *k).and_then(type_name),
        Op::Load { array, .. } => param(*array).and_then(element_type_name),
        // `&items[i]` of a constant collection of structs, as `iter()` gives it, or `items[i]`.
        Op::Opaque { reads, what: Opaque::Form("a reference" | "indexing"), .. } => {
            reads.iter().find_map(|r| param(*r).and_then(element_type_name))
        }
        op => defined_type(op),
    }
}

/// The name of the element type of a collection parameter's type: `A` of `&[A]`, `Vec<A>`,
/// `&Vec<A>` and `[A; N]`.
pub fn element_type_name(ty: &syn::Type) -> Option<String> {
    match ty {
        syn::Type::Reference(r) => element_type_name(&r.elem),
        syn::Type::Slice(s) => type_name(&s.elem),
        syn::Type::Array(a) => type_name(&a.elem),
        syn::Type::Path(p) => super::vec_element(p).and_then(type_name),
        _ => None,
    }
}

/// The type an instruction other than a parameter states for its result: `self`'s, or a struct
/// literal's.
pub fn defined_type(op: &crate::ir::Op) -> Option<String> {
    match op {
        crate::ir::Op::Opaque { tokens, .. } if tokens.to_string() == "self" => super::siblings::self_type(),
        crate::ir::Op::Construct { path: Some(path), .. } => {
            type_name(&syn::Type::Path(syn::TypePath { qself: None, path: path.clone() }))
        }
        _ => None,
    }
}

/// A call `receiver.name(args)` of a recorded method: its entry and the marker the call names.
/// Unlike a function's, a method's entry is used whenever there is one (the slots a call would
/// pass otherwise depend on the receiver's activity, which the lowering does not know yet).
/// Where the receiver's type is known (`receiver`, [`receiver_type`]), only that type's record
/// counts: none means its method of that name differentiates by default (or has no derivative,
/// which `check` reports).
pub fn method_call(name: &syn::Ident, args: &[Value], receiver: Option<String>) -> Option<(Wrt, syn::Ident)> {
    // A method of the block being expanded without a `wrt(..)`: the record is another's.
    if super::siblings::unlisted(&name.to_string()) {
        return None;
    }
    if let Some(ty) = receiver {
        let typed = TYPED.lock().ok()?;
        let wrt = typed.as_ref()?.get(&(ty, name.to_string(), args.len()))?.clone();
        let mut marker = method_marker(&name.to_string(), &wrt);
        marker.set_span(name.span());
        return Some((wrt, marker));
    }
    let wrt = lookup_method(&name.to_string(), args.len())?;
    let mut marker = method_marker(&name.to_string(), &wrt);
    marker.set_span(name.span());
    Some((wrt, marker))
}
