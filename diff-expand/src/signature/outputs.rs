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
//! A function that also returns a value (`fn cost(x: &[f64], con: &mut [f64]) -> f64`, as
//! constrained optimisers take them) has a twin returning it first, `-> (f64, Vec<f64>)`, so
//! `cost_out_jacobian` has its gradient in the first row and the constraints' Jacobian below.
//!
//! A caller's `rhs(&y, &mut dy, k);` is then `dy`'s elements written from
//! `rhs_out(y.to_vec(), dy.to_vec(), k)` (`lower::outputs`), which the caller differentiates as a
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
    /// Of `written`, the `&mut DVector<F>`/`&mut DMatrix<F>` ones: the type's name. Their twin
    /// takes and returns the matrix itself.
    pub matrices: Vec<(usize, String)>,
    /// Of `matrices`, those the body only assigns (`*dy = ..`, never read): the twin does not take
    /// them (their old value has no derivative to give).
    pub unread: Vec<usize>,
    /// Whether the function also returns a value: the twin returns it first.
    pub returns: bool,
}

/// [`Outputs`] of a function with no receiver and at least one `&mut [F]`, `&mut Vec<F>` or
/// `&mut [F; N]` of a float `F` (every other `&mut` parameter not one), returning nothing or a
/// value that is not a `Result` or an `Option` (whose `?` would leave the twin).
pub fn positions(sig: &syn::Signature) -> Option<Outputs> {
    let returns = match &sig.output {
        ReturnType::Default => false,
        ReturnType::Type(_, ty) => match &**ty {
            Type::Tuple(t) if t.elems.is_empty() => false,
            Type::Path(p)
                if p.path.segments.last().is_some_and(|s| s.ident == "Result" || s.ident == "Option") =>
            {
                return None;
            }
            _ => true,
        },
    };
    if sig.receiver().is_some() {
        return None;
    }
    let (mut written, mut slices, mut matrices) = (Vec::new(), Vec::new(), Vec::new());
    for (i, input) in sig.inputs.iter().enumerate() {
        let FnArg::Typed(t) = input else { return None };
        let Type::Reference(r) = &*t.ty else { continue };
        let named = matches!(&*t.pat, Pat::Ident(_));
        let slice = float_collection(&r.elem, &sig.generics) && named;
        if r.mutability.is_some() {
            match &*r.elem {
                _ if slice => {}
                Type::Path(p) if named && super::dynamic_matrix(&r.elem) => {
                    matrices.push((i, p.path.segments.last()?.ident.to_string()));
                }
                _ => return None,
            }
            written.push(i);
        }
        if slice {
            slices.push(i);
        }
    }
    (!written.is_empty()).then_some(Outputs { written, slices, matrices, unread: Vec::new(), returns })
}

/// [`positions`] of a function, with the matrices its body only assigns.
pub fn of_function(item_fn: &syn::ItemFn) -> Option<Outputs> {
    let mut at = positions(&item_fn.sig)?;
    at.unread = at
        .matrices
        .iter()
        .filter(|(i, _)| {
            let Some(FnArg::Typed(t)) = item_fn.sig.inputs.iter().nth(*i) else { return false };
            let Pat::Ident(p) = &*t.pat else { return false };
            let mut reads = Reads { name: p.ident.clone(), read: false };
            syn::visit::Visit::visit_block(&mut reads, &item_fn.block);
            !reads.read
        })
        .map(|(i, _)| *i)
        .collect();
    Some(at)
}

/// Whether a body reads `name` other than as the target of `*name = ..`.
struct Reads {
    name: syn::Ident,
    read: bool,
}

impl<'ast> syn::visit::Visit<'ast> for Reads {
    fn visit_expr_assign(&mut self, a: &'ast syn::ExprAssign) {
        let target = matches!(&*a.left, syn::Expr::Unary(u)
            if matches!(u.op, syn::UnOp::Deref(_))
                && matches!(&*u.expr, syn::Expr::Path(p) if p.path.is_ident(&self.name)));
        if !target {
            self.visit_expr(&a.left);
        }
        self.visit_expr(&a.right);
    }
    fn visit_path(&mut self, p: &'ast syn::Path) {
        self.read |= p.is_ident(&self.name);
    }
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
    let at = of_function(item_fn)?;
    let mut twin = item_fn.clone();
    twin.sig.ident = out_name(&item_fn.sig.ident);
    let doc = format!(
        " `{}` as a function, generated by `#[differentiable]`: from the old contents of what it writes through `&mut` to {}their new contents (each slice taken as a `Vec`); `{}_jvp` and `{}_vjp` are its derivatives.",
        item_fn.sig.ident,
        if at.returns { "its result and " } else { "" },
        twin.sig.ident,
        twin.sig.ident
    );
    twin.attrs = vec![syn::parse_quote!(#[doc = #doc])];
    let mut names = Vec::new();
    let mut types = Vec::new();
    let mut fresh = Vec::new();
    for (i, input) in twin.sig.inputs.iter_mut().enumerate() {
        let FnArg::Typed(t) = input else { continue };
        let Pat::Ident(p) = &mut *t.pat else { continue };
        let owned: Type = if at.matrices.iter().any(|(m, _)| *m == i) {
            // A matrix written through `&mut`: taken and returned owned.
            let Type::Reference(r) = &*t.ty else { return None };
            (*r.elem).clone()
        } else if at.slices.contains(&i) {
            let element = element(&t.ty)?.clone();
            syn::parse_quote!(::std::vec::Vec<#element>)
        } else {
            continue;
        };
        p.mutability = None;
        if at.written.contains(&i) {
            names.push(p.ident.clone());
            types.push(owned.clone());
        }
        if at.unread.contains(&i) {
            fresh.push(p.ident.clone());
        }
        *t.ty = owned;
    }
    // A matrix the body only assigns is not taken: declared here, assigned by the body.
    twin.sig.inputs = std::mem::take(&mut twin.sig.inputs)
        .into_iter()
        .enumerate()
        .filter(|(i, _)| !at.unread.contains(i))
        .map(|(_, input)| input)
        .collect();
    let taken: Vec<&syn::Ident> = names.iter().filter(|n| !fresh.contains(n)).collect();
    let (result, returned) = match &item_fn.sig.output {
        ReturnType::Type(_, ty) if at.returns => {
            (quote!((#ty, #(#types),*)), quote!((__tapeless_result, #(#names),*)))
        }
        _ if types.len() == 1 => (quote!(#(#types)*), quote!(#(#names)*)),
        _ => (quote!((#(#types),*)), quote!((#(#names),*))),
    };
    // Spanned at the first `&mut` parameter, where an error about the twin's result belongs
    // (second order's, which needs one `f64`).
    let at_written = at
        .written
        .first()
        .and_then(|i| item_fn.sig.inputs.iter().nth(*i))
        .map_or_else(proc_macro2::Span::call_site, syn::spanned::Spanned::span);
    let result = crate::lower::respan(result, &|_| at_written);
    twin.sig.output = syn::parse_quote_spanned!(at_written=> -> #result);
    // `return;` leaves with the results written so far; `return v;` with `v` first.
    let mut body = (*item_fn.block).clone();
    let returned_expr: syn::Expr = syn::parse_quote!(#returned);
    let owned_matrices: Vec<syn::Ident> = at
        .matrices
        .iter()
        .filter_map(|(i, _)| match item_fn.sig.inputs.iter().nth(*i) {
            Some(FnArg::Typed(t)) => match &*t.pat {
                Pat::Ident(p) => Some(p.ident.clone()),
                _ => None,
            },
            _ => None,
        })
        .collect();
    syn::visit_mut::VisitMut::visit_block_mut(&mut Returns(returned_expr, owned_matrices), &mut body);
    // A value returned at the end is the tail's, in the body's own block (where an early
    // `return` leaves the function, as it did).
    // (A body ending in `return v;`, or diverging, has no tail.)
    let run = if at.returns {
        if let Some(syn::Stmt::Expr(tail, None)) = body.stmts.last_mut() {
            *tail = syn::parse_quote!((#tail, #(#names),*));
        }
        let stmts = &body.stmts;
        quote!(#(#stmts)*)
    } else {
        quote!(#body; #returned)
    };
    twin.block = syn::parse_quote!({
        #(let mut #taken = #taken;)*
        #(let mut #fresh;)*
        #run
    });
    Some(twin)
}

/// Makes each `return;` of the body (not of a closure or nested item in it) `return <results>;`
/// (`return v;` of a function returning a value `return (v, <results>)`: the results name
/// `__tapeless_result` first, bound to `v` there), and `*m` of a matrix written through `&mut`
/// (owned in the twin) `m`.
struct Returns(syn::Expr, Vec<syn::Ident>);

impl syn::visit_mut::VisitMut for Returns {
    fn visit_expr_mut(&mut self, e: &mut syn::Expr) {
        if let syn::Expr::Unary(u) = e
            && matches!(u.op, syn::UnOp::Deref(_))
            && let syn::Expr::Path(p) = &*u.expr
            && p.path.get_ident().is_some_and(|i| self.1.contains(i))
        {
            *e = (*u.expr).clone();
            return;
        }
        match e {
            syn::Expr::Return(r) if r.expr.is_none() => r.expr = Some(Box::new(self.0.clone())),
            syn::Expr::Return(r) => {
                if let Some(value) = &mut r.expr {
                    self.visit_expr_mut(value);
                }
                // Spanned at the `return`: an error about the statement is the user's.
                let at = syn::spanned::Spanned::span(&r.return_token);
                let results = crate::lower::respan(quote::ToTokens::to_token_stream(&self.0), &|_| at);
                let value = r.expr.take();
                r.expr = Some(Box::new(
                    syn::parse_quote_spanned!(at=> { let __tapeless_result = #value; #results }),
                ));
            }
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
pub fn record(item_fn: &syn::ItemFn) {
    let Some(at) = of_function(item_fn) else { return };
    let sig = &item_fn.sig;
    if let Ok(mut table) = OUTPUTS.lock() {
        table.get_or_insert_with(HashMap::new).insert((sig.ident.to_string(), sig.inputs.len()), at);
    }
}

/// [`Outputs`] of a function `name` of `arity` parameters with the attribute.
pub fn lookup(name: &str, arity: usize) -> Option<Outputs> {
    OUTPUTS.lock().ok()?.as_ref()?.get(&(name.to_string(), arity)).cloned()
}
