//! Second order of a method generic over its `impl` block's float type (`impl<T: Float>
//! Rosen<T> { fn cost(&self, x: &[T]) -> T }`): its `_hvp` and `_hessian` take `f64`s, so they
//! go in a block of their own for `Rosen<f64>`, and run the method's `_grad` at `Dual<f64>` on
//! the receiver lifted field by field:
//!
//! ```text
//! impl Rosen<f64> {
//!     fn cost_hessian(&self, x: &[f64]) -> .. {
//!         .. ({ Rosen::<Dual<f64>> { a: promote(clone(&self.a)), n: clone(&self.n) } }).cost_grad(..) ..
//!     }
//! }
//! ```
//!
//! A field whose type names the float (`T`, `Vec<T>`, `[T; N]`, `Option<T>`, tuples of those)
//! is promoted; one that does not (`usize`, `bool`, `String`, and the same containers of those)
//! is cloned. A receiver of another shape (an unknown struct, a field of another type, a block
//! with another type parameter, a bound `Dual<f64>` does not meet such as `RealField`) keeps
//! the error (`unsupported::SECOND_ORDER_IMPL_FLOAT`).

use std::cell::RefCell;

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

thread_local! {
    /// The `impl` block being expanded, and the items of its block for `f64`.
    static BLOCK: RefCell<Option<Block>> = const { RefCell::new(None) };
}

struct Block {
    self_ty: syn::Type,
    generics: syn::Generics,
    extra: TokenStream,
}

/// Runs `f` (the expansion of a block's methods) with the block known, and returns what it
/// returns and the block for `f64` that holds the second-order items of its generic methods
/// (empty if none).
pub(crate) fn within(
    self_ty: &syn::Type,
    generics: &syn::Generics,
    f: impl FnOnce() -> TokenStream,
) -> (TokenStream, TokenStream) {
    let block = Block { self_ty: self_ty.clone(), generics: generics.clone(), extra: TokenStream::new() };
    let outer = BLOCK.with(|b| b.borrow_mut().replace(block));
    let out = f();
    let block = BLOCK.with(|b| std::mem::replace(&mut *b.borrow_mut(), outer));
    let Some(Block { self_ty, mut generics, extra }) = block else { return (out, TokenStream::new()) };
    if extra.is_empty() {
        return (out, TokenStream::new());
    }
    let Some(t) = block_float(&generics) else { return (out, TokenStream::new()) };
    let mut at_f64 = self_ty;
    syn::visit_mut::VisitMut::visit_type_mut(
        &mut super::Substitute { from: t.clone(), to: syn::parse_quote!(f64) },
        &mut at_f64,
    );
    super::without_parameter(&mut generics, &t);
    let (impl_generics, _, where_clause) = generics.split_for_impl();
    (out, quote!(impl #impl_generics #at_f64 #where_clause { #extra }))
}

/// Whether an `impl` block with the attribute is being expanded (a method's own attribute on a
/// block without one expands the method alone, and cannot add a block).
pub(crate) fn known() -> bool {
    BLOCK.with(|b| b.borrow().is_some())
}

/// The generic parameters of the `impl` block with the attribute being expanded, if one is.
pub(crate) fn generics() -> Option<syn::Generics> {
    BLOCK.with(|b| b.borrow().as_ref().map(|b| b.generics.clone()))
}

/// Adds items to the block for `f64`.
pub(crate) fn push(items: TokenStream) {
    BLOCK.with(|b| {
        if let Some(block) = b.borrow_mut().as_mut() {
            block.extra.extend(items);
        }
    });
}

/// Whether the block being expanded bounds its float `t` by nalgebra's field traits: its
/// methods' `_grad` is then copied at dual numbers into the block for `f64` (`field.rs`), as a
/// function generic over `RealField` is.
pub(super) fn field_bound(t: &syn::Ident) -> bool {
    BLOCK.with(|b| {
        b.borrow().as_ref().is_some_and(|block| {
            block_float(&block.generics).as_ref() == Some(t) && super::check::field_bound(&block.generics, t)
        })
    })
}

/// The block's one float type parameter (`signature::float_params`).
fn block_float(generics: &syn::Generics) -> Option<syn::Ident> {
    match crate::signature::float_params(generics).as_slice() {
        [t] => Some(t.clone()),
        _ => None,
    }
}

/// The receiver of the block being expanded, of the float type `t`, as a value of the same
/// struct at `Dual<f64>`: `Rosen::<Dual<f64>> { a: .., n: .. }`. `None` if the block's float is
/// not `t`, or the struct or one of its fields is not of a shape this lifts.
pub(super) fn lifted_receiver(t: &syn::Ident) -> Option<TokenStream> {
    let path = runs_at_dual(t)?;
    let last = path.path.segments.last()?;
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else { return None };
    let (params, fields, _) = crate::signature::types::generic_struct(&last.ident.to_string())?;
    if params.len() != args.args.len() {
        return None;
    }
    // The struct's own name for the block's float (`struct Rosen<F>` of `impl<T> Rosen<T>`);
    // every other argument must not name it.
    let mut own = None;
    for (param, arg) in params.iter().zip(&args.args) {
        let names_t = super::find_ident(arg.to_token_stream(), &t.to_string()).is_some();
        match arg {
            syn::GenericArgument::Type(syn::Type::Path(p)) if p.qself.is_none() && p.path.is_ident(t) => {
                own = Some(param.clone());
            }
            _ if names_t => return None,
            _ => {}
        }
    }
    let own = own?;
    let p = crate::emit::private();
    let mut values = Vec::new();
    for (name, ty) in &fields {
        let ty: syn::Type = syn::parse_str(ty).ok()?;
        let field = syn::Ident::new(name, proc_macro2::Span::call_site());
        values.push(match shape(&ty, &own)? {
            true => quote!(#field: #p::promote(::core::clone::Clone::clone(&self.#field))),
            false => quote!(#field: ::core::clone::Clone::clone(&self.#field)),
        });
    }
    let at_dual = at_dual(&path, t);
    Some(quote!(#at_dual { #(#values),* }))
}

/// `Rosen<T>` as an expression path at `Dual<f64>`: `Rosen::<Dual<f64>>`.
fn at_dual(path: &syn::TypePath, t: &syn::Ident) -> syn::Path {
    let p = crate::emit::private();
    let mut at_dual = path.path.clone();
    syn::visit_mut::VisitMut::visit_path_mut(
        &mut super::Substitute { from: t.clone(), to: syn::parse_quote!(#p::Dual<f64>) },
        &mut at_dual,
    );
    if let Some(syn::PathArguments::AngleBracketed(a)) = at_dual.segments.last_mut().map(|s| &mut s.arguments)
    {
        a.colon2_token = Some(Default::default());
    }
    at_dual
}

/// The block's type at `Dual<f64>` (`Rosen::<Dual<f64>>`), through which an associated function
/// of the block (no `self`) runs its `_grad` at dual numbers; `None` if the block's float is not
/// `t` or `Dual<f64>` does not meet its bounds.
pub(super) fn dual_type(t: &syn::Ident) -> Option<TokenStream> {
    runs_at_dual(t).map(|path| at_dual(&path, t).into_token_stream())
}

/// The type of the block being expanded, if its float is `t`, `Dual<f64>` meets its bounds
/// (`Float` and kin, not `RealField`) and the type is a path.
fn runs_at_dual(t: &syn::Ident) -> Option<syn::TypePath> {
    BLOCK.with(|b| {
        let b = b.borrow();
        let block = b.as_ref()?;
        if block_float(&block.generics).as_ref() != Some(t)
            || super::check::unsupported_bound(&block.generics, t).is_some()
        {
            return None;
        }
        match &block.self_ty {
            syn::Type::Path(path) if path.qself.is_none() => Some(path.clone()),
            _ => None,
        }
    })
}

/// Whether a field of type `ty` is promoted (it is made of the struct's float parameter `own`)
/// or cloned (of plain types of the standard library); `None` for another type.
fn shape(ty: &syn::Type, own: &str) -> Option<bool> {
    match ty {
        syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(own) => Some(true),
        syn::Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let segment = &p.path.segments[0];
            let name = segment.ident.to_string();
            match &segment.arguments {
                syn::PathArguments::None if plain(&name) => Some(false),
                syn::PathArguments::AngleBracketed(a)
                    if matches!(name.as_str(), "Vec" | "Option") && a.args.len() == 1 =>
                {
                    match a.args.first()? {
                        syn::GenericArgument::Type(inner) => shape(inner, own),
                        _ => None,
                    }
                }
                _ => None,
            }
        }
        syn::Type::Array(a) => shape(&a.elem, own),
        syn::Type::Paren(p) => shape(&p.elem, own),
        syn::Type::Tuple(t) if !t.elems.is_empty() => {
            let parts: Option<Vec<bool>> = t.elems.iter().map(|e| shape(e, own)).collect();
            let parts = parts?;
            // All promoted or all cloned: `promote` of a tuple promotes every part.
            if parts.iter().all(|p| *p) {
                Some(true)
            } else if parts.iter().all(|p| !*p) {
                Some(false)
            } else {
                None
            }
        }
        _ => None,
    }
}

/// A type of the standard library that is `Clone` and holds no float parameter.
fn plain(name: &str) -> bool {
    matches!(
        name,
        "usize"
            | "isize"
            | "u8"
            | "u16"
            | "u32"
            | "u64"
            | "u128"
            | "i8"
            | "i16"
            | "i32"
            | "i64"
            | "i128"
            | "bool"
            | "char"
            | "String"
            | "f64"
            | "f32"
    )
}
