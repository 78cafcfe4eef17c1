//! Functions that write their results through `&mut` slices, as ODE right-hand sides do
//! (`fn rhs(y: &[f64], dy: &mut [f64], k: f64)`): differentiated as the function from the
//! slices' old contents to their new ones. The attribute makes that function, `NAME_out`, with
//! each float slice (`&[F]`, `&[F; N]`, `&Vec<F>`, and the `&mut` ones) taken as an owned `Vec`
//! and each `&mut` one's new contents returned, and differentiates it like any other:
//!
//! ```text
//! fn rhs_out(y: Vec<f64>, dy: Vec<f64>, k: f64) -> Vec<f64> {
//!     let mut dy = dy;
//!     { body }
//!     dy
//! }
//! ```
//!
//! A caller's `rhs(&y, &mut dy, k);` is then `dy`'s elements written from
//! `rhs_out(y.to_vec(), dy.to_vec(), k)` (`lower::calls`), which the caller differentiates as a
//! sibling call and stores. Owned copies, not references: the caller's arrays change after the
//! call (in a loop, every iteration), and a pullback made in the sweep would read them changed.

use std::collections::HashMap;
use std::sync::Mutex;

use quote::{format_ident, quote};
use syn::{FnArg, Pat, ReturnType, Type};

/// Where a function writing through `&mut` slices takes them: the positions of the `&mut`
/// parameters (its results), and of every float slice it takes (those and the shared ones), which
/// its twin takes as owned `Vec`s.
#[derive(Clone, Debug, PartialEq)]
pub struct Outputs {
    pub written: Vec<usize>,
    pub slices: Vec<usize>,
}

/// [`Outputs`] of a function with no result, no receiver, and at least one `&mut [F]`,
/// `&mut Vec<F>` or `&mut [F; N]` of a float `F` (every other `&mut` parameter not one).
pub fn positions(sig: &syn::Signature) -> Option<Outputs> {
    if !matches!(sig.output, ReturnType::Default) || sig.receiver().is_some() {
        return None;
    }
    let (mut written, mut slices) = (Vec::new(), Vec::new());
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(t) = input else { return None };
        let Type::Reference(r) = &*t.ty else { continue };
        let slice = float_collection(&r.elem, &sig.generics) && matches!(&*t.pat, Pat::Ident(_));
        if r.mutability.is_some() {
            if !slice {
                return None;
            }
            written.push(i);
        }
        if slice {
            slices.push(i);
        }
    }
    (!written.is_empty()).then_some(Outputs { written, slices })
}

/// `[F]`, `Vec<F>` or `[F; N]` of a float `F` (`f32`, `f64` or a type parameter).
fn float_collection(ty: &Type, generics: &syn::Generics) -> bool {
    let float = |t: &Type| {
        super::is_float(t)
            || matches!(t, Type::Path(p) if p.path.get_ident().is_some_and(|i| generics.type_params().any(|g| g.ident == *i)))
    };
    match ty {
        Type::Slice(s) => float(&s.elem),
        Type::Array(a) => float(&a.elem),
        Type::Path(p) => super::vec_element(p).is_some_and(float),
        _ => false,
    }
}

/// The element type of the `&mut` collection parameter `ty`.
fn element(ty: &Type) -> Option<&Type> {
    let Type::Reference(r) = ty else { return None };
    match &*r.elem {
        Type::Slice(s) => Some(&s.elem),
        Type::Array(a) => Some(&a.elem),
        Type::Path(p) => super::vec_element(p),
        _ => None,
    }
}

/// `NAME_out`, the function from the `&mut` parameters' old contents to their new ones (see the
/// module's documentation), or `None` for a function of another form.
pub fn twin(item_fn: &syn::ItemFn) -> Option<syn::ItemFn> {
    let at = positions(&item_fn.sig)?;
    let mut twin = item_fn.clone();
    twin.sig.ident = out_name(&item_fn.sig.ident);
    twin.attrs.retain(|a| a.path().is_ident("doc"));
    let mut names = Vec::new();
    let mut types = Vec::new();
    for i in &at.slices {
        let FnArg::Typed(t) = twin.sig.inputs.iter_mut().nth(*i)? else { return None };
        let Pat::Ident(p) = &mut *t.pat else { return None };
        p.mutability = None;
        let element = element(&t.ty)?.clone();
        let owned: Type = syn::parse_quote!(::std::vec::Vec<#element>);
        if at.written.contains(i) {
            names.push(p.ident.clone());
            types.push(owned.clone());
        }
        *t.ty = owned;
    }
    let result = if types.len() == 1 { quote!(#(#types)*) } else { quote!((#(#types),*)) };
    let returned = if names.len() == 1 { quote!(#(#names)*) } else { quote!((#(#names),*)) };
    twin.sig.output = syn::parse_quote!(-> #result);
    // `return;` leaves with the results written so far.
    let mut body = (*item_fn.block).clone();
    let returned_expr: syn::Expr = syn::parse_quote!(#returned);
    syn::visit_mut::VisitMut::visit_block_mut(&mut Returns(returned_expr), &mut body);
    twin.block = syn::parse_quote!({
        #(let mut #names = #names;)*
        #body;
        #returned
    });
    Some(twin)
}

/// Makes each `return;` of the body (not of a closure or nested item in it) `return <results>;`.
struct Returns(syn::Expr);

impl syn::visit_mut::VisitMut for Returns {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        match e {
            syn::Expr::Return(r) if r.expr.is_none() => r.expr = Some(Box::new(self.0.clone())),
            syn::Expr::Closure(_) => {}
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// The name of a function's `NAME_out` twin.
pub fn out_name(name: &syn::Ident) -> syn::Ident {
    format_ident!("{}_out", name, span = name.span())
}

/// Functions writing through `&mut` parameters, by name and parameter count.
static OUTPUTS: Mutex<Option<HashMap<(String, usize), Outputs>>> = Mutex::new(None);

/// Records `name`'s `&mut` result parameters, if it has any.
pub fn record(sig: &syn::Signature) {
    let Some(at) = positions(sig) else { return };
    if let Ok(mut table) = OUTPUTS.lock() {
        table.get_or_insert_with(HashMap::new).insert((sig.ident.to_string(), sig.inputs.len()), at);
    }
}

/// [`Outputs`] of a function `name` of `arity` parameters with the attribute.
pub fn lookup(name: &str, arity: usize) -> Option<Outputs> {
    OUTPUTS.lock().ok()?.as_ref()?.get(&(name.to_string(), arity)).cloned()
}
