//! The function's signature: which parameters are differentiated, and the types of the generated
//! items (tangent and gradient types).
//!
//! Types are classified from syntax only: `f32`/`f64` and the function's float type parameters
//! (`T: Float`, `T: RealField`, `T: Real`; see [`float_params`]) are differentiable, integers,
//! `bool` and `char` are constants, anything else is unknown and needs an explicit `wrt(...)`.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{FnArg, Ident, Pat, ReturnType, Type};

use crate::args::Args;
use crate::ctxt::Ctxt;
use crate::diagnostics::Diagnostic;
use crate::ir::{ArrayKind, Kind, Loc};

pub mod higher_order;
mod nalgebra;
pub mod outputs;
pub mod patterns;

pub use patterns::pattern_wrt;
pub mod prescan;
pub mod registry;
pub mod results;
pub mod siblings;
pub mod types;
pub use nalgebra::*;

thread_local! {
    /// The float type parameters of the function being expanded (`with_float_params`). A proc
    /// macro expands one item at a time on one thread, so this is the function's context for
    /// `classify` and friends, which are called from everywhere a type is looked at.
    static FLOAT_PARAMS: std::cell::RefCell<Vec<String>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// The last segment of the bounds that make a type parameter a float: `num_traits::Float` and
/// `FloatCore`, nalgebra's `RealField`, `num_traits::real::Real` and `tapeless::Real`.
const FLOAT_BOUNDS: [&str; 4] = ["Float", "FloatCore", "RealField", "Real"];

/// Whether a path segment names a float type or trait whose functions are the floats' own:
/// `f32`, `f64`, a float type parameter (`T::sin`), a float bound or nalgebra's `ComplexField`
/// (`Float::sin`, `<T as RealField>::sin`).
pub fn float_type_or_trait(name: &str) -> bool {
    matches!(name, "f32" | "f64" | "ComplexField")
        || FLOAT_BOUNDS.contains(&name)
        || FLOAT_PARAMS.with(|f| f.borrow().iter().any(|n| n == name))
}

/// The type parameters of `generics` bounded by a float trait (inline or in the `where` clause).
pub fn float_params(generics: &syn::Generics) -> Vec<Ident> {
    params_bounded_by(generics, |bound| FLOAT_BOUNDS.contains(&bound))
}

/// The type parameters of `generics` with a bound (inline or in the `where` clause) whose last
/// path segment satisfies `bound`.
fn params_bounded_by(generics: &syn::Generics, bound: impl Fn(&str) -> bool) -> Vec<Ident> {
    let bounded = |bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>| {
        bounds.iter().any(|b| {
            matches!(b, syn::TypeParamBound::Trait(t)
                if t.path.segments.last().is_some_and(|s| bound(&s.ident.to_string())))
        })
    };
    let mut out = Vec::new();
    for tp in generics.type_params() {
        let in_where = generics.where_clause.iter().flat_map(|w| &w.predicates).any(|p| {
            matches!(p, syn::WherePredicate::Type(pt)
                if matches!(&pt.bounded_ty, Type::Path(path) if path.qself.is_none() && path.path.is_ident(&tp.ident))
                    && bounded(&pt.bounds))
        });
        if bounded(&tp.bounds) || in_where {
            out.push(tp.ident.clone());
        }
    }
    out
}

/// Runs `f` with `params` as the float type parameters `classify` knows, restoring the previous
/// set afterwards (the expansion of a `map` closure nests in its function's).
pub fn with_float_params<R>(params: &[Ident], f: impl FnOnce() -> R) -> R {
    let names: Vec<String> = params.iter().map(Ident::to_string).collect();
    let previous = FLOAT_PARAMS.with(|p| std::mem::replace(&mut *p.borrow_mut(), names));
    let result = f();
    FLOAT_PARAMS.with(|p| *p.borrow_mut() = previous);
    result
}

/// The generics of a helper function of the float type parameters alone (a `map` closure made a
/// function, `fn __tapeless_map0<T>(e: T) -> T`): their bounds as written, and the runtime's.
pub fn float_generics(generics: &syn::Generics, floats: &[Ident]) -> syn::Generics {
    let mut out = syn::Generics::default();
    for tp in generics.type_params().filter(|t| floats.contains(&t.ident)) {
        let mut tp = tp.clone();
        tp.default = None;
        out.params.push(syn::GenericParam::Type(tp));
    }
    let where_clause = out.make_where_clause();
    for p in generics.where_clause.iter().flat_map(|w| &w.predicates) {
        if let syn::WherePredicate::Type(pt) = p
            && matches!(&pt.bounded_ty, Type::Path(path) if floats.iter().any(|f| path.path.is_ident(f)))
        {
            where_clause.predicates.push(p.clone());
        }
    }
    for t in floats {
        where_clause.predicates.push(syn::parse_quote!(#t: ::tapeless::__private::Floating));
    }
    out
}

/// The float type parameters of the function being expanded (those of an enclosing `impl` block
/// included).
fn current_float_params() -> Vec<Ident> {
    FLOAT_PARAMS.with(|f| f.borrow().iter().map(|n| Ident::new(n, proc_macro2::Span::call_site())).collect())
}

/// Whether a type path is one of the current function's float type parameters (`T`).
fn float_param(p: &syn::TypePath) -> bool {
    p.qself.is_none()
        && p.path.leading_colon.is_none()
        && p.path.segments.len() == 1
        && matches!(p.path.segments[0].arguments, syn::PathArguments::None)
        && FLOAT_PARAMS.with(|f| f.borrow().iter().any(|n| p.path.segments[0].ident == n))
}

/// Whether a type is a float: `f32`, `f64` or a float type parameter.
pub fn is_float(ty: &Type) -> bool {
    match ty {
        Type::Path(p) => float_param(p) || matches!(primitive(p).as_deref(), Some("f32" | "f64")),
        Type::Paren(p) => is_float(&p.elem),
        Type::Group(g) => is_float(&g.elem),
        _ => false,
    }
}

/// What syntax says about a type.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum TypeClass {
    Differentiable,
    Constant,
    Unknown,
}

/// The primitive a type path names: `f64`, `core::primitive::f64`, `::std::primitive::f64`.
fn primitive(p: &syn::TypePath) -> Option<String> {
    if p.qself.is_some() {
        return None;
    }
    let names: Vec<String> = p.path.segments.iter().map(|s| s.ident.to_string()).collect();
    match names.as_slice() {
        [name] if p.path.leading_colon.is_none() => Some(name.clone()),
        [root, module, name] if (root == "core" || root == "std") && module == "primitive" => {
            Some(name.clone())
        }
        _ => None,
    }
}

/// The array kind of `&[T]`, `Vec<T>` or `[T; N]` with a differentiable `T`.
pub fn array_kind(ty: &Type) -> Option<ArrayKind> {
    match ty {
        Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            Type::Slice(s) if classify(&s.elem) == TypeClass::Differentiable => Some(ArrayKind::Slice),
            // `&Vec<T>` is read like `&[T]` (argmin's `Vec` backend passes parameters so).
            Type::Path(p) if vec_element(p).is_some_and(|t| classify(t) == TypeClass::Differentiable) => {
                Some(ArrayKind::Slice)
            }
            // `&[T; N]` is copied on entry (`by_copy`) and is then an array of its own.
            Type::Array(a) if classify(&a.elem) == TypeClass::Differentiable => Some(ArrayKind::Fixed),
            _ => None,
        },
        Type::Array(a) if classify(&a.elem) == TypeClass::Differentiable => Some(ArrayKind::Fixed),
        Type::Path(p) => {
            vec_element(p).filter(|t| classify(t) == TypeClass::Differentiable).map(|_| ArrayKind::Vec)
        }
        Type::Paren(p) => array_kind(&p.elem),
        Type::Group(g) => array_kind(&g.elem),
        _ => None,
    }
}

/// The element type of a slice, array or `Vec`, behind any references (`T` of `&[T]`,
/// `&Vec<T>`, `[T; N]`).
pub fn collection_element(ty: &Type) -> Option<&Type> {
    match ty {
        Type::Reference(r) => collection_element(&r.elem),
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        Type::Path(p) => vec_element(p),
        _ => None,
    }
}

/// `T` of `Vec<T>` (also `std::vec::Vec<T>`).
pub fn vec_element(p: &syn::TypePath) -> Option<&Type> {
    let last = p.path.segments.last()?;
    if p.qself.is_some() || last.ident != "Vec" {
        return None;
    }
    match &last.arguments {
        syn::PathArguments::AngleBracketed(a) if a.args.len() == 1 => match a.args.first()? {
            syn::GenericArgument::Type(t) => Some(t),
            _ => None,
        },
        _ => None,
    }
}

/// Classifies a type from its syntax.
/// Whether a function has nothing to differentiate: no result, `()`, or an integer, `bool` or
/// `char` one. An `impl` block's attribute passes such a method over: kept as written, and a
/// call of it on a differentiable value is written out there, as any method without it
/// (`impls::expand`, `prescan`); its own attribute is `SIGNATURE_NO_RESULT`'s or
/// `SIGNATURE_DISCRETE_RESULT`'s error (`analyse`).
pub fn nothing_to_differentiate(sig: &syn::Signature) -> bool {
    match &sig.output {
        ReturnType::Default => true,
        ReturnType::Type(_, ty) => {
            matches!(&**ty, Type::Tuple(t) if t.elems.is_empty())
                || classify(ty) == TypeClass::Constant && !function_type(ty)
        }
    }
}

pub fn classify(ty: &Type) -> TypeClass {
    if array_kind(ty).is_some() || static_matrix(ty) || dynamic_matrix(ty) || point(ty) {
        return TypeClass::Differentiable;
    }
    if is_float(ty) {
        return TypeClass::Differentiable;
    }
    match ty {
        Type::Path(p) => match primitive(p).as_deref() {
            Some(
                "i8" | "i16" | "i32" | "i64" | "i128" | "isize" | "u8" | "u16" | "u32" | "u64" | "u128"
                | "usize" | "bool" | "char",
            ) => TypeClass::Constant,
            _ => TypeClass::Unknown,
        },
        Type::Paren(p) => classify(&p.elem),
        Type::Group(g) => classify(&g.elem),
        // A function passed in (`f: impl Fn(f64) -> f64`, `&dyn Fn(..)`, `fn(f64) -> f64`): a
        // constant; a call of it on a differentiable value is our error (`check`).
        _ if function_type(ty) => TypeClass::Constant,
        // `&f64`, `&Vector3<f64>`: read once, by copy (`by_copy`).
        Type::Reference(r) if by_copy(ty) => classify(&r.elem),
        _ => TypeClass::Unknown,
    }
}

/// Whether a type is `&mut T`.
pub fn mutable_ref(ty: &Type) -> bool {
    matches!(ty, Type::Reference(r) if r.mutability.is_some())
}

/// `&mut T` of a `T` that holds no floats the macro differentiates (`&mut StdRng`, `&mut
/// usize`, `&mut Vec<usize>`): a constant the body may call methods of, passed to every
/// generated item as it is. Not `&mut f64`, `&mut [f64]`, `&mut Vec<f64>`, `&mut Vector3<f64>`
/// (floats written through it would lose their derivative), nor a float type parameter.
pub fn mutable_constant(ty: &Type) -> bool {
    let Type::Reference(r) = ty else { return false };
    let shared = Type::Reference(syn::TypeReference { mutability: None, ..r.clone() });
    r.mutability.is_some()
        && classify(&r.elem) != TypeClass::Differentiable
        && classify(&shared) != TypeClass::Differentiable
        && !float_tuple(&r.elem)
        && !matches!(&*r.elem, Type::Path(p) if p.path.get_ident().is_some_and(|i| FLOAT_PARAMS.with(|f| f.borrow().iter().any(|n| i == n))))
}

/// Whether a type is a function passed in: `fn(f64) -> f64`, `impl Fn(..)`, `&dyn Fn(..)`
/// (also `FnMut`, `FnOnce`). A constant, which second order passes as it is.
pub fn function_type(ty: &Type) -> bool {
    match ty {
        Type::BareFn(_) => true,
        Type::ImplTrait(t) => fn_bounds(&t.bounds),
        Type::TraitObject(t) => fn_bounds(&t.bounds),
        Type::Reference(r) => matches!(&*r.elem, Type::TraitObject(t) if fn_bounds(&t.bounds)),
        Type::Paren(p) => function_type(&p.elem),
        _ => false,
    }
}

/// Whether trait bounds name `Fn`, `FnMut` or `FnOnce`.
fn fn_bounds(bounds: &syn::punctuated::Punctuated<syn::TypeParamBound, syn::Token![+]>) -> bool {
    bounds.iter().any(|b| {
        matches!(b, syn::TypeParamBound::Trait(t)
            if t.path.segments.last().is_some_and(|s| matches!(s.ident.to_string().as_str(), "Fn" | "FnMut" | "FnOnce")))
    })
}

/// Whether a parameter is a shared reference to a float, an array of floats or a static matrix
/// (`&[f64; 2]`, `&Vector3<f64>`): those are `Copy`, so the generated code copies the value once
/// and never borrows it again.
pub fn by_copy(ty: &Type) -> bool {
    let Type::Reference(r) = ty else { return false };
    let float = is_float(&r.elem);
    let array = matches!(&*r.elem, Type::Array(_)) && array_kind(ty).is_some();
    r.mutability.is_none() && (float || array || static_matrix(&r.elem) || point(&r.elem))
}

/// The type `f64`, as written.
pub fn is_f64(ty: &Type) -> bool {
    matches!(ty, Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// A tuple of floats (`(f64, f64)`, `(T, T, T)`), or a shared reference to one.
pub fn float_tuple(ty: &Type) -> bool {
    float_tuple_len(ty).is_some()
}

/// The number of parts of a [`float_tuple`].
pub fn float_tuple_len(ty: &Type) -> Option<usize> {
    match ty {
        Type::Tuple(t) if !t.elems.is_empty() && t.elems.iter().all(is_float) => Some(t.elems.len()),
        Type::Reference(r) if r.mutability.is_none() => float_tuple_len(&r.elem),
        Type::Paren(p) => float_tuple_len(&p.elem),
        _ => None,
    }
}

/// The IR kind of a value of a type.
pub fn kind_of(ty: &Type) -> Kind {
    if let Some(a) = array_kind(ty) {
        return Kind::Array(a);
    }
    if matches!(ty, Type::Reference(r) if r.mutability.is_some()) {
        return Kind::Unknown;
    }
    if dynamic_matrix(ty) {
        return Kind::Heap;
    }
    match classify(ty) {
        TypeClass::Differentiable => Kind::Float,
        TypeClass::Constant => Kind::Discrete,
        TypeClass::Unknown => Kind::Unknown,
    }
}

/// The tangent type of a type: itself for floats and tuples of floats, else the runtime's
/// `Differentiable::Tangent` projection.
pub fn tangent_type(ty: &Type) -> TokenStream {
    match ty {
        Type::Tuple(t) => {
            let elems = t.elems.iter().map(tangent_type);
            quote!((#(#elems,)*))
        }
        Type::Paren(p) => tangent_type(&p.elem),
        Type::Reference(r) => match &*r.elem {
            Type::Slice(s) if array_kind(ty).is_some() => {
                let elem = tangent_type(&s.elem);
                quote!(::std::vec::Vec<#elem>)
            }
            // The tangent of `&T` is `T`'s (and names no lifetime).
            elem => tangent_type(elem),
        },
        Type::Array(a) if array_kind(ty).is_some() => {
            let (elem, len) = (tangent_type(&a.elem), &a.len);
            quote!([#elem; #len])
        }
        Type::Path(p) if array_kind(ty).is_some() => match vec_element(p) {
            Some(elem) => {
                let elem = tangent_type(elem);
                quote!(::std::vec::Vec<#elem>)
            }
            None => quote!(#ty),
        },
        _ if classify(ty) == TypeClass::Differentiable && !point(ty) => quote!(#ty),
        _ => quote!(<#ty as ::tapeless::__private::Differentiable>::Tangent),
    }
}

/// A result of `Result<T, E>` (any path ending in `Result`: `io::Result<T>`, `anyhow::Result<T>`)
/// or `Option<T>` of a differentiable `T`.
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub enum WrapperKind {
    Result,
    Option,
}

/// The declared `Result`/`Option` around the differentiated result.
#[derive(Clone)]
pub struct Wrapper {
    pub kind: WrapperKind,
    /// The declared type, `Result<f64, MyError>`.
    pub declared: syn::TypePath,
}

/// `T` and the wrapper of a declared `Result<T, ..>` or `Option<T>` whose `T` is differentiable
/// (a float, an array, a matrix, a tuple).
fn unwrap_output(ty: &Type) -> Option<(Type, Wrapper)> {
    let Type::Path(p) = ty else { return None };
    let last = p.path.segments.last()?;
    let kind = match last.ident.to_string().as_str() {
        "Result" => WrapperKind::Result,
        "Option" => WrapperKind::Option,
        _ => return None,
    };
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let Some(syn::GenericArgument::Type(inner)) = args.args.first() else { return None };
    let differentiable = classify(inner) == TypeClass::Differentiable
        || matches!(inner, Type::Tuple(t) if !t.elems.is_empty());
    differentiable.then(|| (inner.clone(), Wrapper { kind, declared: p.clone() }))
}

/// One named parameter.
#[derive(Clone)]
pub struct Param {
    /// The user's name.
    pub ident: Ident,
    pub ty: Type,
    /// In the differentiated set.
    pub wrt: bool,
    /// The receiver `self` (listed in `wrt(...)`): not a parameter of the generated functions'
    /// lists, but differentiated like one; its type is `Self`.
    pub receiver: bool,
}

/// The analysed signature.
#[derive(Clone)]
pub struct Signature {
    /// The receiver as written (`&self`, `self`), if a method.
    pub receiver: Option<syn::Receiver>,
    pub params: Vec<Param>,
    /// The declared result type.
    pub output: Type,
    /// The float type parameters (`float_params`).
    pub floats: Vec<Ident>,
    /// `Result`/`Option` around the declared result (`output` is then the `T` inside).
    pub wrapper: Option<Wrapper>,
    /// The function's name.
    pub name: Ident,
    /// The function's generics as written.
    pub generics: syn::Generics,
    /// Whether second order (`hessian`) is asked for: its dual copy composes calls through their
    /// own dual copies, so `no_grad(g(x))` stays a call of `g` there (`lower::calls`).
    pub second_order: bool,
}

impl Signature {
    /// The differentiated parameters, in order.
    pub fn wrt(&self) -> impl Iterator<Item = &Param> {
        self.params.iter().filter(|p| p.wrt)
    }

    /// The type of the gradient (and of the pullback's result): one tangent per differentiated
    /// parameter, a tuple when there are several.
    pub fn gradient_type(&self) -> TokenStream {
        let types: Vec<TokenStream> = self.wrt().map(|p| tangent_type(&p.ty)).collect();
        if types.len() == 1 { types[0].clone() } else { quote!((#(#types),*)) }
    }

    /// The type a generated item returns for `inner` (`(value, derivative)`): `inner` itself,
    /// or the declared `Result`/`Option` with `inner` in place of `T`.
    pub fn wrap_type(&self, inner: TokenStream) -> TokenStream {
        let Some(w) = &self.wrapper else { return inner };
        let mut declared = w.declared.clone();
        if let Some(last) = declared.path.segments.last_mut()
            && let syn::PathArguments::AngleBracketed(args) = &mut last.arguments
            && let Some(first) = args.args.first_mut()
        {
            *first = syn::GenericArgument::Type(Type::Verbatim(inner));
        }
        quote!(#declared)
    }

    /// The value a generated item returns: `value`, or `Ok(value)` / `Some(value)`.
    pub fn wrap_value(&self, value: TokenStream) -> TokenStream {
        match self.wrapper.as_ref().map(|w| w.kind) {
            None => value,
            Some(WrapperKind::Result) => quote!(::core::result::Result::Ok(#value)),
            Some(WrapperKind::Option) => quote!(::core::option::Option::Some(#value)),
        }
    }

    /// `?` after a call of a sibling of a function returning `Result`/`Option` (it leaves with
    /// the error), else nothing.
    pub fn leaves(&self) -> TokenStream {
        if self.wrapper.is_some() { quote!(?) } else { TokenStream::new() }
    }

    /// Whether the result is a single float, so that a gradient exists.
    pub fn scalar_output(&self) -> bool {
        is_float(&self.output)
    }
}

/// Analyses `sig` under `args`, reporting problems into `cx`. `None` if it cannot be used at all.
pub fn analyse(sig: &syn::Signature, args: &Args, cx: &Ctxt) -> Option<Signature> {
    let unsupported = |at: Loc, what: &str, help: &'static str| {
        cx.error(at, Diagnostic::Unsupported { what: what.to_string(), help })
    };
    let qualifiers = [
        (sig.asyncness.map(|t| t.span), crate::diagnostics::unsupported::SIGNATURE_ASYNC),
        (sig.unsafety.map(|t| t.span), crate::diagnostics::unsupported::SIGNATURE_UNSAFE),
        (sig.constness.map(|t| t.span), crate::diagnostics::unsupported::SIGNATURE_CONST),
    ];
    for (span, message) in qualifiers {
        if let Some(span) = span {
            cx.error(span, message.into());
        }
    }
    if let Some(v) = &sig.variadic {
        cx.error(Loc::of(v), crate::diagnostics::unsupported::SIGNATURE_VARIADIC.into());
    }
    let (output, wrapper) = match &sig.output {
        ReturnType::Type(_, ty) => match unwrap_output(ty) {
            Some((inner, wrapper)) => (inner, Some(wrapper)),
            None => ((**ty).clone(), None),
        },
        ReturnType::Default => {
            unsupported(
                sig.ident.span().into(),
                crate::diagnostics::unsupported::SIGNATURE_NO_RESULT.what,
                crate::diagnostics::unsupported::SIGNATURE_NO_RESULT.help,
            );
            return None;
        }
    };
    // `-> usize`: nothing to differentiate (rustc's E0277 on the generated items until the
    // thirty-fifth session).
    if classify(&output) == TypeClass::Constant && !function_type(&output) {
        let at = match &sig.output {
            ReturnType::Type(_, ty) => Loc::of(ty),
            ReturnType::Default => sig.ident.span().into(),
        };
        unsupported(
            at,
            crate::diagnostics::unsupported::SIGNATURE_DISCRETE_RESULT.what,
            crate::diagnostics::unsupported::SIGNATURE_DISCRETE_RESULT.help,
        );
        return None;
    }

    let mut receiver = None;
    let mut params = Vec::new();
    for (index, input) in sig.inputs.iter().enumerate() {
        match input {
            FnArg::Receiver(r) => {
                if r.mutability.is_some() && r.reference.is_some() {
                    unsupported(
                        Loc::of(r),
                        crate::diagnostics::unsupported::SIGNATURE_MUT_SELF.what,
                        crate::diagnostics::unsupported::SIGNATURE_MUT_SELF.help,
                    );
                }
                receiver = Some(r.clone());
            }
            FnArg::Typed(pt) => {
                // `&[x, y]: &[f64; 2]` is named as the generated items name it (`patterns`).
                let ident = match (&*pt.pat, patterns::parameter_name(sig, index)) {
                    (_, Some(name)) => name,
                    (Pat::Ident(pi), None) => pi.ident.clone(),
                    (_, None) => continue,
                };
                // `out: &mut f64`, `&mut [f64]`: floats written through a reference, whose
                // derivative would be lost. `rng: &mut StdRng` (a random source, a counter): a
                // constant the body calls methods of, passed through (`mutable_constant`).
                let writes_floats = mutable_ref(&pt.ty) && !mutable_constant(&pt.ty);
                if writes_floats {
                    unsupported(
                        Loc::of(&pt.ty),
                        crate::diagnostics::unsupported::SIGNATURE_MUT_REFERENCE.what,
                        crate::diagnostics::unsupported::SIGNATURE_MUT_REFERENCE.help,
                    );
                } else {
                    params.push(Param { ident, ty: (*pt.ty).clone(), wrt: false, receiver: false });
                }
            }
        }
    }

    // `wrt(self, ..)` differentiates the receiver: it becomes parameter 0, of type `Self`.
    if let (Some(r), Some(names)) = (&receiver, &args.wrt)
        && names.iter().any(|n| n == "self")
    {
        let ident = Ident::new("self", r.self_token.span);
        params.insert(0, Param { ident, ty: syn::parse_quote!(Self), wrt: false, receiver: true });
    }
    // `wrt(x, y)` of a parameter written `&[x, y]: &[f64; 2]`: the parameter, by its name.
    let wrt = args.wrt.as_ref().map(|names| pattern_wrt(sig, names, cx));
    match &wrt {
        Some(names) => {
            for name in names {
                match params.iter_mut().find(|p| p.ident == *name) {
                    // `x: &[T]` listed in a method of `impl<T: Float> Model<T>`: `T` is the
                    // impl's, whose bounds only the attribute on the block sees.
                    Some(p)
                        if let Some(generic) = receiver
                            .is_some()
                            .then(|| impl_param(&p.ty, &sig.generics))
                            .flatten()
                            .filter(|g| !float_type_or_trait(g)) =>
                    {
                        let (param, ty) = (p.ident.to_string(), type_text(&p.ty));
                        cx.error(Loc::of(&p.ty), Diagnostic::ImplTypeParam { param, ty, generic });
                    }
                    Some(p) => {
                        // A type the macro cannot see into is trusted when listed: rustc checks
                        // it implements `Differentiable` (a `#[derive(Differentiable)]` struct).
                        p.wrt = classify(&p.ty) != TypeClass::Constant && !mutable_ref(&p.ty);
                        if !p.wrt {
                            cx.error(
                                name.span(),
                                Diagnostic::WrtNotDifferentiable {
                                    param: patterns::as_written(&name.to_string()),
                                    ty: type_text(&p.ty),
                                },
                            );
                        }
                    }
                    None => {
                        let mut listed: Vec<String> =
                            params.iter().map(|p| patterns::as_written(&p.ident.to_string())).collect();
                        if receiver.is_some() && !listed.iter().any(|p| p == "self") {
                            listed.insert(0, "self".to_string());
                        }
                        let diagnostic = Diagnostic::WrtUnknown {
                            name: name.to_string(),
                            of: Some(sig.ident.to_string()),
                            params: listed,
                        };
                        cx.error(name.span(), diagnostic)
                    }
                }
            }
        }
        None => {
            for p in &mut params {
                match classify(&p.ty) {
                    TypeClass::Differentiable => p.wrt = true,
                    TypeClass::Constant => {}
                    // An `Option` or a string has no tangent in the runtime: a constant, never a
                    // derivative left out.
                    TypeClass::Unknown if never_differentiable(&p.ty) || discrete_data(&p.ty) => {}
                    // `kind: Kind` of `enum Kind { Huber, Square }` in the crate: no float in it.
                    TypeClass::Unknown if types::discrete(&p.ty) => {}
                    // `x: (f64, f64)`: differentiated, its parts read as a record's fields.
                    TypeClass::Unknown if float_tuple(&p.ty) => p.wrt = true,
                    // `pts: &[(f64, f64)]`: differentiated, each element's parts as fields.
                    TypeClass::Unknown if collection_element(&p.ty).is_some_and(float_tuple) => p.wrt = true,
                    // `p: &Params`, `bodies: &[Body]` of a struct the crate derives
                    // `Differentiable` for: differentiated, as if listed in `wrt(..)`.
                    TypeClass::Unknown if types::differentiable_record(&p.ty) => p.wrt = true,
                    TypeClass::Unknown => {
                        let (param, ty) = (patterns::as_written(&p.ident.to_string()), type_text(&p.ty));
                        let closure = higher_order::closure_type(&p.ty, &sig.generics);
                        let diagnostic = match unbounded_param(&p.ty, &sig.generics) {
                            _ if closure => Diagnostic::ClosureParam { param, ty },
                            Some(generic) if dimension_param(&generic, &sig.generics) => {
                                Diagnostic::GenericDimension { param, ty, generic }
                            }
                            Some(generic) => Diagnostic::UnboundedTypeParam { param, ty, generic },
                            None => {
                                match receiver.is_some().then(|| impl_param(&p.ty, &sig.generics)).flatten() {
                                    Some(generic) => Diagnostic::ImplTypeParam { param, ty, generic },
                                    None => Diagnostic::UnknownParamType { param, ty },
                                }
                            }
                        };
                        cx.error(Loc::of(&p.ty), diagnostic)
                    }
                }
            }
        }
    }
    if !params.iter().any(|p| p.wrt) && !cx.has_errors() {
        cx.error(sig.ident.span(), Diagnostic::NothingToDifferentiate);
    }
    Some(Signature {
        receiver,
        params,
        output,
        floats: current_float_params(),
        wrapper,
        name: sig.ident.clone(),
        generics: sig.generics.clone(),
        second_order: args.hessian,
    })
}

/// A type parameter of `generics` without a float bound that `ty` mentions (`T` of `&[T]`).
fn unbounded_param(ty: &Type, generics: &syn::Generics) -> Option<String> {
    let floats = float_params(generics);
    let words = type_words(ty);
    generics
        .type_params()
        .map(|tp| tp.ident.to_string())
        .find(|name| !floats.iter().any(|f| f == name) && words.contains(name))
}

/// Whether the type parameter `name` is bounded by one of nalgebra's dimension traits (`Dim`,
/// `DimName`, `DimMin`, ..): a generic size, not a number.
fn dimension_param(name: &str, generics: &syn::Generics) -> bool {
    params_bounded_by(generics, |bound| bound.starts_with("Dim")).iter().any(|p| p == name)
}

/// The names a type mentions (`["Vec", "T"]` of `&[Vec<T>]`).
fn type_words(ty: &Type) -> Vec<String> {
    let tokens = quote!(#ty).to_string();
    tokens
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// `Option<..>`, `String`, `&str` (behind any references): types with no tangent, whose
/// parameters are constants without `wrt(..)`.
/// Integers, `bool`s and `char`s in slices, arrays, `Vec`s and tuples, behind any shared
/// references (`idx: &[usize]`, `edges: &[(usize, usize)]`, `faces: &Vec<[u32; 3]>`): data
/// with no tangent, a constant. It keeps the kind the macro cannot see into (`Kind::Unknown`),
/// as a constant listed out of `wrt(..)` does.
fn discrete_data(ty: &Type) -> bool {
    let collection = matches!(ty, Type::Reference(_) | Type::Slice(_) | Type::Array(_) | Type::Tuple(_))
        || matches!(ty, Type::Path(p) if vec_element(p).is_some());
    collection && discrete_elements(ty)
}

fn discrete_elements(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => r.mutability.is_none() && discrete_elements(&r.elem),
        Type::Slice(s) => discrete_elements(&s.elem),
        Type::Array(a) => discrete_elements(&a.elem),
        Type::Tuple(t) => !t.elems.is_empty() && t.elems.iter().all(discrete_elements),
        Type::Paren(p) => discrete_elements(&p.elem),
        Type::Path(p) => match vec_element(p) {
            Some(elem) => discrete_elements(elem),
            None => classify(ty) == TypeClass::Constant && !function_type(ty),
        },
        _ => false,
    }
}

fn never_differentiable(ty: &Type) -> bool {
    match ty {
        Type::Reference(r) => never_differentiable(&r.elem),
        Type::Paren(p) => never_differentiable(&p.elem),
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| matches!(s.ident.to_string().as_str(), "Option" | "String" | "str")),
        _ => false,
    }
}

/// In a method, a one-letter type name the method does not declare (`p: &[T]` in
/// `impl<T: Float> Problem<T>`): by convention a type parameter of the `impl`, whose bounds an
/// attribute on the method cannot see.
pub(crate) fn impl_param(ty: &Type, generics: &syn::Generics) -> Option<String> {
    type_words(ty)
        .into_iter()
        .find(|w| w.len() == 1 && w.chars().all(|c| c.is_ascii_uppercase()))
        .filter(|w| !generics.type_params().any(|tp| tp.ident == w))
}

/// A type as the user wrote it, for messages.
pub fn type_text(ty: &Type) -> String {
    quote!(#ty)
        .to_string()
        .replace(" :: ", "::")
        .replace(":: ", "::")
        .replace(" < ", "<")
        .replace(" >", ">")
        .replace("& ", "&")
}
