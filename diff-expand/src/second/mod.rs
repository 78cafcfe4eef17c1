//! Second order, `#[differentiable(hessian)]`: forward mode over the generated reverse mode.
//!
//! The emitted `NAME_grad` is copied into `__tapeless_NAME_grad_dual`, computing in the
//! runtime's `Dual<f64>` (`copy.rs`); a function generic over one `T: Float` needs no copy, its
//! own `NAME_grad::<Dual<f64>>` is one. `NAME_hvp` runs it with the inputs `x + ε v` and splits
//! the gradient it returns into `∇f(x)` and `H v`; `NAME_hessian` does so once per input
//! direction and symmetrises. Every `hessian` function also emits `NAME_vjp_for_hessian`, the
//! same rewrite of its `NAME_vjp`, through which its `hessian` callers compose.
//!
//! The copy is only as good as the substitution, so what it cannot carry is rejected before,
//! spanned on the user's code (`check.rs`).

pub(crate) mod block;
pub(crate) mod check;
pub(crate) mod copy;
mod field;
mod typed;

use std::collections::{HashMap, HashSet};

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote};
use syn::visit_mut::VisitMut;

use crate::ctxt::Ctxt;
use crate::emit::{self, Input};
use crate::ir::{Block, Kind, Op};
use crate::signature::{self, Param};

use self::check::{Passing, as_is, check, find_ident, read_by_index, record, shape};
use self::copy::{ConstantArg, Generic};

/// The signature as `_hvp` and `_hessian` have it: a generic function's float type parameter
/// is `f64` there (dropped from the generics, with the `where` predicates that mention it).
pub(crate) fn concrete(sig: &signature::Signature) -> signature::Signature {
    let mut out = sig.clone();
    let Some(t) = sig.floats.first() else { return out };
    let mut to_f64 = Substitute { from: t.clone(), to: syn::parse_quote!(f64) };
    for p in &mut out.params {
        to_f64.visit_type_mut(&mut p.ty);
    }
    to_f64.visit_type_mut(&mut out.output);
    without_parameter(&mut out.generics, t);
    out.floats.clear();
    out
}

/// `generics` without the type parameter `t` and the `where` predicates that mention it.
fn without_parameter(generics: &mut syn::Generics, t: &syn::Ident) {
    generics.params = generics
        .params
        .iter()
        .filter(|p| !matches!(p, syn::GenericParam::Type(tp) if tp.ident == *t))
        .cloned()
        .collect();
    if let Some(w) = &mut generics.where_clause {
        w.predicates = w
            .predicates
            .iter()
            .filter(|p| find_ident(p.to_token_stream(), &t.to_string()).is_none())
            .cloned()
            .collect();
    }
}

/// Replaces the type `from` (a type parameter) by `to`.
struct Substitute {
    from: syn::Ident,
    to: syn::Type,
}

impl VisitMut for Substitute {
    fn visit_type_mut(&mut self, ty: &mut syn::Type) {
        if matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident(&self.from)) {
            *ty = self.to.clone();
        } else {
            syn::visit_mut::visit_type_mut(self, ty);
        }
    }
}

/// `NAME_hvp`, `NAME_hessian` and the dual copy of `NAME_grad` (found in `reverse`), or `None`
/// with the reasons in `cx`.
///
/// `printed`: `NAME_hvp` printed as forward mode over the adjoint program
/// (`emit::reverse::tangent`), which replaces the copy's where it is given.
pub fn generate(
    input: &Input,
    reverse: &TokenStream,
    printed: Option<TokenStream>,
    cx: &Ctxt,
) -> Option<TokenStream> {
    let concrete = concrete(input.sig);
    if !check(input, &concrete, cx) {
        return None;
    }
    // Generic over nalgebra's `RealField`: copied like a function of `f64` (`field.rs`).
    let field = input.sig.floats.first().filter(|t| check::field_bound(&input.sig.generics, t)).cloned();
    // A method of an `impl<T: RealField>` block: copied as such a function is, into the block
    // for `f64` (`block.rs`).
    let of_field_block = check::block_float(input.sig).filter(|t| block::field_bound(t)).cloned();
    let field = field.or(of_field_block.clone());
    if !input.sig.floats.is_empty() && field.is_none() {
        // Generic over `T: Float`: the generated `_grad` itself runs at `Dual<f64>`.
        let turbofish: Vec<TokenStream> = input
            .sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                syn::GenericParam::Type(_) => Some(quote!(::tapeless::__private::Dual<f64>)),
                syn::GenericParam::Const(c) => {
                    let ident = &c.ident;
                    Some(quote!(#ident))
                }
                syn::GenericParam::Lifetime(_) => None,
            })
            .collect();
        let grad = emit::sibling(&input.sig.name, "grad");
        // A method generic over its block's float: `_grad` of the receiver lifted to dual
        // numbers, in the block for `f64` (`block.rs`; `check` made sure it lifts).
        // (An associated function: through the block's type at dual numbers.)
        let through = check::block_float(input.sig).and_then(|t| match input.sig.receiver {
            Some(_) => block::lifted_receiver(t).map(|l| quote!(({ #l }).)),
            None => block::dual_type(t).map(|ty| quote!(#ty::)),
        });
        // A parameter not differentiated whose type does not name `T` (`t: f64` of data) keeps
        // its type in `_grad::<Dual<f64>>`: passed as it is (it was lifted, rustc's mismatch).
        let as_they_are: HashSet<usize> =
            check::of_primitive_types(input.sig).filter(|(_, p)| !p.wrt).map(|(i, _)| i).collect();
        if let Some(through) = through {
            let dual = quote!(#through #grad);
            let hvp = hvp(input, &concrete, &dual, &as_they_are);
            let hessian = hessian(input, &concrete, Columns::Copy { dual: &dual, as_they_are: &as_they_are });
            block::push(quote!(#hvp #hessian));
            return Some(TokenStream::new());
        }
        let dual = emit::sibling_call(input.sig, quote!(#grad::<#(#turbofish),*>));
        let hvp = hvp(input, &concrete, &dual, &as_they_are);
        let hessian = hessian(input, &concrete, Columns::Copy { dual: &dual, as_they_are: &as_they_are });
        let vjp = generic_vjp_for_hessian(input, reverse, &turbofish);
        return Some(quote!(#hvp #hessian #vjp));
    }
    let sig = if field.is_some() { &concrete } else { input.sig };
    let grad_name = emit::sibling(&sig.name, "grad");
    let file: syn::File = syn::parse2(reverse.clone()).ok()?;
    let file_items = file.items.clone();
    // A function whose result is a vector has no `_grad`, `_hvp` or `_hessian`: only the
    // `_vjp_for_hessian` its `hessian` callers compose through (`check::vector_result`).
    let vector = check::vector_result(sig);
    let mut grad = file.items.into_iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == grad_name && !vector => Some(f),
        _ => None,
    });
    if grad.is_none() && !vector {
        return None;
    }
    let dual_name = format_ident!("__tapeless_{}_grad_dual", sig.name);
    if let Some(grad) = &mut grad {
        grad.sig.ident = dual_name.clone();
        grad.attrs.retain(|a| !a.path().is_ident("doc"));
    }
    // A parameter passed as it is (`check::as_is`) keeps its type: its value is not promoted,
    // what is read from it is.
    let kept: HashSet<usize> =
        sig.params.iter().enumerate().filter(|(_, p)| as_is(p)).map(|(i, _)| i).collect();
    // Constant floats read only by index keep their type in the dual `_grad`, each entry
    // promoted where it is read, rather than lifted whole per call (`_vjp_for_hessian` keeps
    // lifting them: its callers' copies pass what they hold).
    let by_index = read_by_index(input);
    let kept_in_grad: HashSet<usize> = kept.union(&by_index).copied().collect();
    let kept_values: HashSet<crate::ir::Value> = input
        .f
        .body
        .insts
        .iter()
        .filter(|inst| matches!(inst.op, Op::Param(i) if kept.contains(&i)))
        .flat_map(|inst| inst.results.iter().copied())
        .collect();
    let promote: HashSet<String> = (0..input.f.values.len())
        .filter(|i| matches!(input.f.values[*i].kind, Kind::Float | Kind::Unknown))
        .map(|i| crate::ir::Value(i as u32))
        .filter(|v| !kept_values.contains(v))
        .map(|v| v.ident().to_string())
        .collect();
    let mut calls = HashSet::new();
    callees(&input.f.body, &mut calls);
    let records: HashSet<String> = sig
        .params
        .iter()
        .filter(|p| !as_is(p))
        .filter_map(|p| match &p.ty {
            syn::Type::Reference(r) => record(&r.elem),
            ty => record(ty),
        })
        .map(ToString::to_string)
        .collect();
    // Which arguments of a call on constants to pass as `f64` (`primal`): those the copy holds
    // as dual numbers. Merged over the function's calls of one name (the callee's parameter is
    // a float if any call passes one there), so `helper(helper(a, b), c)` unwraps the inner
    // result, a promoted value of unknown kind.
    let mut constant_calls: HashMap<String, Vec<ConstantArg>> = HashMap::new();
    let insts = input.f.body.walk();
    for inst in &insts {
        let Some((name, args)) = check::constant_call(input, inst) else { continue };
        let promoted = |v: &crate::ir::Value| promote.contains(&v.ident().to_string());
        // (A tuple built as the argument, `helper((0.4, 3))`, holds dual numbers in its float
        // parts.)
        let passing: Vec<ConstantArg> = args
            .iter()
            .map(|a| match insts.iter().find(|i| i.results.contains(a)).map(|i| &i.op) {
                Some(Op::Construct { path: None, fields }) => {
                    ConstantArg::Tuple(fields.iter().map(|(_, v)| promoted(v)).collect())
                }
                _ if promoted(a) => ConstantArg::Float,
                _ => ConstantArg::AsIs,
            })
            .collect();
        let merged = constant_calls.entry(name).or_insert_with(|| passing.clone());
        if merged.len() == passing.len() {
            merged.iter_mut().zip(&passing).for_each(|(m, p)| m.merge(p));
        }
    }
    let remade = input
        .f
        .body
        .walk()
        .into_iter()
        .filter_map(|inst| match &inst.op {
            Op::Call { callee, .. }
                if emit::call_is_active(input, inst) && emit::pullback_in_sweep(input, inst) =>
            {
                match callee {
                    crate::ir::Callee::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()),
                    crate::ir::Callee::Method { name, .. } => Some(name.to_string()),
                }
            }
            _ => None,
        })
        .collect();
    let kept_names = kept_values.iter().map(|v| v.ident().to_string()).collect();
    let extrema = input
        .f
        .body
        .walk()
        .into_iter()
        .filter_map(|inst| match &inst.op {
            Op::Prim { rule, args, .. }
                if matches!(rule.kind, crate::rules::Family::Custom(crate::rules::Custom::Extremum(_))) =>
            {
                args.first().map(|a| a.ident().to_string())
            }
            _ => None,
        })
        .collect();
    let mut generic = Generic { promote, calls, records, constant_calls, remade, kept: kept_names, extrema };
    if let Some(grad) = &mut grad {
        generic.visit_item_fn_mut(grad);
        if let Some(t) = &field {
            field::Field { t: t.clone() }.visit_item_fn_mut(grad);
        }
        keep_types(grad, sig, &kept_in_grad);
        typed::retype(grad);
    }
    // The callers' dual copies compose through this function's: `NAME_vjp_for_hessian`.
    let vjp_name = emit::sibling(&sig.name, "vjp");
    let mut vjp = file_items.into_iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == vjp_name => Some(f),
        _ => None,
    })?;
    vjp.sig.ident = for_hessian(&vjp_name);
    vjp.attrs.retain(|a| !a.path().is_ident("doc"));
    generic.visit_item_fn_mut(&mut vjp);
    if let Some(t) = &field {
        field::Field { t: t.clone() }.visit_item_fn_mut(&mut vjp);
    }
    keep_types(&mut vjp, sig, &kept);
    let Some(grad) = grad else {
        return Some(quote!(#[doc(hidden)] #vjp));
    };
    let dual = emit::sibling_call(sig, quote!(#dual_name));
    let copy = Columns::Copy { dual: &dual, as_they_are: &by_index };
    let (hvp, hessian) = match printed {
        Some(printed) if field.is_none() => {
            let columns = if columns_printed(sig) { Columns::Printed } else { copy };
            (printed, hessian(input, sig, columns))
        }
        _ => (hvp(input, sig, &dual, &by_index), hessian(input, sig, copy)),
    };
    if of_field_block.is_some() {
        block::push(quote!(#[doc(hidden)] #grad #[doc(hidden)] #vjp #hvp #hessian));
        return Some(TokenStream::new());
    }
    Some(quote!(#[doc(hidden)] #grad #[doc(hidden)] #vjp #hvp #hessian))
}

/// `NAME_vjp_for_hessian` of a function generic over one `T: Float`, through which its `hessian`
/// callers compose: its own `NAME_vjp::<Dual<f64>>`, the signature's `T` made `Dual<f64>`.
/// (A method has none: its callers are methods of the same generic `impl`.)
fn generic_vjp_for_hessian(input: &Input, reverse: &TokenStream, turbofish: &[TokenStream]) -> TokenStream {
    let (Some(t), None) = (input.sig.floats.first(), &input.sig.receiver) else { return TokenStream::new() };
    let vjp_name = emit::sibling(&input.sig.name, "vjp");
    let Ok(file) = syn::parse2::<syn::File>(reverse.clone()) else { return TokenStream::new() };
    let Some((vis, mut sig)) = file.items.into_iter().find_map(|item| match item {
        syn::Item::Fn(f) if f.sig.ident == vjp_name => Some((f.vis, f.sig)),
        _ => None,
    }) else {
        return TokenStream::new();
    };
    let mut to_dual = Substitute { from: t.clone(), to: syn::parse_quote!(::tapeless::__private::Dual<f64>) };
    let mut args = Vec::new();
    for (i, arg) in sig.inputs.iter_mut().enumerate() {
        let syn::FnArg::Typed(typed) = arg else { return TokenStream::new() };
        to_dual.visit_type_mut(&mut typed.ty);
        let name = format_ident!("__tapeless_arg{}", i);
        *typed.pat = syn::parse_quote!(#name);
        args.push(name);
    }
    to_dual.visit_return_type_mut(&mut sig.output);
    field::drop_parameter(&mut sig, t);
    sig.ident = for_hessian(&vjp_name);
    quote!(#[doc(hidden)] #[allow(dead_code)] #vis #sig { #vjp_name::<#(#turbofish),*>(#(#args),*) })
}

/// Gives the parameters passed as they are (`kept`, indices into `sig.params`) their own types
/// back in a copy's signature (the rewrite made the `f64` in `Option<f64>` dual).
fn keep_types(f: &mut syn::ItemFn, sig: &signature::Signature, kept: &HashSet<usize>) {
    let typed = f.sig.inputs.iter_mut().filter_map(|a| match a {
        syn::FnArg::Typed(t) => Some(t),
        syn::FnArg::Receiver(_) => None,
    });
    for (i, arg) in typed.enumerate() {
        if let (true, Some(p)) = (kept.contains(&i), sig.params.get(i)) {
            // A reference keeps the lifetime the copy gave it (`_vjp`'s `&'__tapeless`).
            match (&mut *arg.ty, &p.ty) {
                (syn::Type::Reference(copy), syn::Type::Reference(own)) => copy.elem = own.elem.clone(),
                (copy, own) => *copy = own.clone(),
            }
        }
    }
}

/// `g_vjp` to `g_vjp_for_hessian`: the dual copy of a `_vjp`, which a `hessian` caller calls.
pub(crate) fn for_hessian(vjp: &syn::Ident) -> syn::Ident {
    format_ident!("{}_for_hessian", vjp, span = vjp.span())
}

/// The names `g_vjp` of the functions `g` this body composes with by path.
fn callees(b: &Block, out: &mut HashSet<String>) {
    for inst in b.walk() {
        match &inst.op {
            Op::Call { callee: crate::ir::Callee::Path(p), .. } => {
                if let Some(last) = p.path.segments.last() {
                    out.insert(format!("{}_vjp", last.ident));
                }
            }
            Op::Call { callee: crate::ir::Callee::Method { name, .. }, .. } => {
                out.insert(format!("{name}_vjp"));
            }
            _ => {}
        }
    }
}

/// The direction a parameter is lifted with.
enum Direction {
    /// A tangent argument (an expression of a reference to it).
    Given(TokenStream),
    /// The unit vector of the input with this index (none if out of range).
    Unit(TokenStream),
}

/// A call of the dual copy, each parameter lifted (except those of `as_they_are`, indices into
/// `sig.params`): `dir(p)` is its direction, if any.
fn call(
    sig: &signature::Signature,
    dual: &TokenStream,
    as_they_are: &HashSet<usize>,
    dir: &dyn Fn(&Param) -> Option<Direction>,
) -> TokenStream {
    let p = emit::private();
    let mut lets = TokenStream::new();
    let mut args = Vec::new();
    for (i, param) in sig.params.iter().enumerate() {
        let ident = &param.ident;
        let shape = shape(&param.ty).unwrap_or(Passing::Constant);
        if shape == Passing::Constant || as_is(param) || as_they_are.contains(&i) {
            args.push(quote!(#ident));
            continue;
        }
        let lifted = format_ident!("__lifted{}", i, span = Span::mixed_site());
        let by_ref = by_ref(param);
        let value = match dir(param) {
            Some(Direction::Given(d)) => {
                let what = emit::sibling_tangent(param).to_string();
                quote!(#p::Lift::lift(#by_ref, #d, #what))
            }
            Some(Direction::Unit(index)) => quote!(#p::Lift::lift_unit(#by_ref, #index)),
            None => quote!(#p::Lift::lift_constant(#by_ref)),
        };
        lets.extend(quote!(let #lifted = #value;));
        args.push(if shape == Passing::Borrowed { quote!(&#lifted) } else { quote!(#lifted) });
    }
    quote!({ #lets #dual(#(#args),*) })
}

/// `NAME_hvp(x.., v..) -> (value, gradient, H v)`.
fn hvp(
    input: &Input,
    sig: &signature::Signature,
    dual: &TokenStream,
    as_they_are: &HashSet<usize>,
) -> TokenStream {
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let receiver = emit::receiver(sig);
    let (p, vis, attrs) = (emit::private(), &input.item.vis, emit::attributes());
    let name = emit::sibling(&sig.name, "hvp");
    let params = emit::primal_params(sig);
    let directions = emit::tangent_params(sig);
    let gradient = sig.gradient_type();
    let call = call(sig, dual, as_they_are, &|param| {
        param.wrt.then(|| {
            let d = emit::sibling_tangent(param);
            Direction::Given(
                if matches!(&param.ty, syn::Type::Reference(r) if matches!(&*r.elem, syn::Type::Slice(_))) {
                    quote!(&#d[..])
                } else {
                    quote!(&#d)
                },
            )
        })
    });
    let doc = hvp_doc(&sig.name);
    // A function returning `Result`/`Option`: its dual `_grad` does too, and leaves here.
    let (result, question) = (sig.wrap_type(quote!((f64, #gradient, #gradient))), sig.leaves());
    let value = sig.wrap_value(quote!((__value.re, __gradient, __hv)));
    quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name #impl_generics (#receiver #(#params,)* #(#directions),*) -> #result #where_clause {
            let (__value, __gradient) = #call #question;
            let (__gradient, __hv) = #p::Split::split(__gradient);
            #value
        }
    }
}

/// Where `NAME_hessian` takes each column of the Hessian from.
enum Columns<'a> {
    /// The dual copy of `NAME_grad`, called with the inputs lifted along a unit direction.
    Copy { dual: &'a TokenStream, as_they_are: &'a HashSet<usize> },
    /// `NAME_hvp` printed over the adjoint program (`emit::reverse::tangent`), called with the
    /// unit direction split out of the lifted input.
    Printed,
}

/// A reference to `param`'s value: the parameter itself where it is one (`&[f64]`).
fn by_ref(param: &Param) -> TokenStream {
    let ident = &param.ident;
    if shape(&param.ty) == Some(Passing::Borrowed) { quote!(#ident) } else { quote!(&#ident) }
}

/// A call of the printed `NAME_hvp` with the parameters as they are and, for each
/// differentiated one, the tangent part of its lifted input along `dir` (its unit direction).
fn hvp_call(sig: &signature::Signature, dir: &dyn Fn(&Param) -> Option<Direction>) -> TokenStream {
    let p = emit::private();
    let name = emit::sibling(&sig.name, "hvp");
    let params = sig.params.iter().map(|param| &param.ident);
    let directions = sig.params.iter().filter_map(|param| {
        let Some(Direction::Unit(index)) = dir(param) else { return None };
        let by_ref = by_ref(param);
        Some(quote!(#p::Split::split(#p::Lift::lift_unit(#by_ref, #index)).1))
    });
    let name = emit::sibling_call(sig, quote!(#name));
    quote!(#name(#(#params,)* #(#directions),*))
}

/// Whether `_hessian` may call the printed `_hvp` once per column: every parameter is passed
/// as it is again (a float, a reference, an integer or an array of floats: not a `Vec` moved
/// in), by the way the copy passes it (`check::shape`).
fn columns_printed(sig: &signature::Signature) -> bool {
    sig.params.iter().all(|p| match shape(&p.ty) {
        Some(Passing::Float | Passing::Borrowed | Passing::Constant) => true,
        Some(Passing::Owned) => matches!(p.ty, syn::Type::Array(_)),
        None => false,
    })
}

/// `NAME_hvp`'s documentation, the dual copy's or the printed one's (`emit::reverse::tangent`).
pub(crate) fn hvp_doc(name: &impl std::fmt::Display) -> String {
    format!(
        " Value, gradient and Hessian-vector product `H v` of [`{name}`] (generated by `#[differentiable(hessian)]`):\n \
         forward mode over the generated reverse mode, exact. `v` has one entry per differentiated input,\n \
         like the tangents of `{name}_jvp`."
    )
}

/// `NAME_hessian(x..) -> (value, gradient, H)`, the inputs of all differentiated parameters
/// numbered in order.
fn hessian(input: &Input, sig: &signature::Signature, columns: Columns) -> TokenStream {
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let receiver = emit::receiver(sig);
    let (p, vis, attrs) = (emit::private(), &input.item.vis, emit::attributes());
    let name = emit::sibling(&sig.name, "hessian");
    let params = emit::primal_params(sig);
    let gradient = sig.gradient_type();
    let i = format_ident!("__i", span = Span::mixed_site());
    // The inputs are numbered in parameter order: differentiated parameter `k` holds inputs
    // `offset_k..offset_k + scalars_k`.
    let offset = |k: usize| format_ident!("__offset{}", k, span = Span::mixed_site());
    let mut offsets = quote!(let mut __n = 0usize;);
    for (k, param) in sig.params.iter().enumerate().filter(|(_, q)| q.wrt) {
        let (o, by_ref) = (offset(k), by_ref(param));
        offsets.extend(quote!(let #o = __n; __n += #p::Lift::scalars(#by_ref);));
    }
    let unit = |param: &Param| {
        let k = sig.params.iter().position(|q| q.ident == param.ident).unwrap_or(0);
        let o = offset(k);
        param.wrt.then(|| Direction::Unit(quote!(#i.wrapping_sub(#o))))
    };
    let doc = format!(
        " Value, gradient and Hessian (an `n x n` matrix, `n` the number of scalar inputs in parameter order)\n \
         of [`{}`] (generated by `#[differentiable(hessian)]`): one Hessian-vector product per input, the result\n \
         symmetrised (`(H + Hᵀ) / 2`).",
        sig.name
    );
    let q = sig.leaves();
    let result = sig.wrap_type(quote!((f64, #gradient, #p::nalgebra::DMatrix<f64>)));
    // The closure's result type is written only where `?` needs it.
    let column = sig.wrapper.is_some().then(|| {
        let column = sig.wrap_type(quote!((f64, #gradient, ::std::vec::Vec<f64>)));
        quote!(-> #column)
    });
    let (column_value, value) = (
        sig.wrap_value(quote!((__value.re, __gradient, #p::flat(&__column)))),
        sig.wrap_value(quote!((__value, __gradient, __h))),
    );
    let column_body = match columns {
        Columns::Copy { dual, as_they_are } => {
            let call = call(sig, dual, as_they_are, &unit);
            quote! {
                let (__value, __gradient) = #call #q;
                let (__gradient, __column) = #p::Split::split(__gradient);
                #column_value
            }
        }
        Columns::Printed => {
            let call = hvp_call(sig, &unit);
            quote! {
                let (__value, __gradient, __column) = #call;
                (__value, __gradient, #p::flat(&__column))
            }
        }
    };
    quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name #impl_generics (#receiver #(#params),*) -> #result #where_clause {
            #offsets
            // Column `i` of H is the derivative part of the gradient along input `i`; the
            // first call (along input 0, or none if there is no input) also gives the value
            // and the gradient.
            let __column_of = |#i: usize| #column {
                #column_body
            };
            let (__value, __gradient, __first) = __column_of(0) #q;
            let mut __h = #p::nalgebra::DMatrix::<f64>::zeros(__n, __n);
            let mut __store = |__h: &mut #p::nalgebra::DMatrix<f64>, __at: usize, __column: ::std::vec::Vec<f64>| {
                for (__j, __entry) in __column.into_iter().enumerate() {
                    __h[(__j, __at)] = __entry;
                }
            };
            if __n > 0 {
                __store(&mut __h, 0, __first);
            }
            for #i in 1..__n {
                __store(&mut __h, #i, (__column_of(#i) #q).2);
            }
            // Symmetrised in place: `(H + Hᵀ) / 2`.
            for __r in 0..__n {
                for __c in 0..__r {
                    let __mean = 0.5 * (__h[(__r, __c)] + __h[(__c, __r)]);
                    __h[(__r, __c)] = __mean;
                    __h[(__c, __r)] = __mean;
                }
            }
            #value
        }
    }
}
