//! `#[differentiable(jacobian)]`: `NAME_jacobian(x..) -> (value, J)`, `J` an `m x n`
//! `nalgebra::DMatrix<f64>` (`m` scalars in the result, `n` in the differentiated parameters,
//! both numbered as the runtime's `Coordinates` does: storage order, tuples in order).
//!
//! Forward mode when `n <= m` (one `NAME_jvp` per input: a column), reverse mode otherwise (one
//! `NAME_vjp` per output: a row). The choice is made at run time, where `n` and `m` are known.
//! A function whose tangents are lane-wise arithmetic ([`lanes`]) runs forward mode as one
//! `NAME_jvp_lanes` sweep per block of [`lanes::width`] columns instead (all `n` when the types
//! tell `n`, up to 16): always when `n` is at most the width (one sweep gives the value and the whole matrix), else when it takes no more
//! sweeps than reverse mode takes rows.

pub mod lanes;

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote};

use crate::ctxt::Ctxt;
use crate::diagnostics::{Diagnostic, unsupported};
use crate::emit::{self, Input};
use crate::ir::Loc;
use crate::signature::{self, TypeClass};

/// A type whose scalars the runtime numbers (`Coordinates`): `f64`, and `Vec`s, arrays,
/// slices, tuples and nalgebra matrices of `f64`, and `Vec`s, arrays and slices of static
/// nalgebra vectors of `f64` (`&[Vector3<f64>]`, numbered point by point).
pub(crate) fn numbered(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => !t.elems.is_empty() && t.elems.iter().all(numbered),
        syn::Type::Paren(p) => numbered(&p.elem),
        syn::Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            syn::Type::Slice(s) => element(&s.elem),
            elem => numbered(elem),
        },
        syn::Type::Array(a) => element(&a.elem),
        syn::Type::Path(p) => {
            signature::is_f64(ty)
                || signature::vec_element(p).is_some_and(element)
                || signature::nalgebra_f64(ty)
        }
        _ => false,
    }
}

/// An element of a numbered collection: `f64`, or a static nalgebra vector or matrix of `f64`.
fn element(ty: &syn::Type) -> bool {
    signature::is_f64(ty) || signature::static_matrix_f64(ty)
}

/// A `Vec`, array or slice of static nalgebra vectors (`&[Vector3<f64>]`), which `_jacobian`
/// numbers but the lanes of `NAME_jvp_lanes` do not take.
pub(crate) fn of_matrices(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => of_matrices(&r.elem),
        syn::Type::Slice(s) => signature::static_matrix_f64(&s.elem),
        syn::Type::Array(a) => signature::static_matrix_f64(&a.elem),
        syn::Type::Path(p) => signature::vec_element(p).is_some_and(signature::static_matrix_f64),
        syn::Type::Tuple(t) => t.elems.iter().any(of_matrices),
        syn::Type::Paren(p) => of_matrices(&p.elem),
        _ => false,
    }
}

/// A by-value parameter that is `Copy` (or an integer or `bool` constant), or a reference.
fn copied(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => r.mutability.is_none(),
        syn::Type::Array(_) | syn::Type::BareFn(_) => true,
        syn::Type::Tuple(t) => t.elems.iter().all(copied),
        syn::Type::Paren(p) => copied(&p.elem),
        syn::Type::Path(p) => {
            p.path.is_ident("f64")
                || signature::static_matrix(ty)
                || signature::classify(ty) == TypeClass::Constant
        }
        _ => false,
    }
}

/// `NAME_jacobian`, or `None` with the reasons in `cx`. `lanes`: `NAME_jvp_lanes`, if the
/// function is [`lanes::eligible`].
pub fn generate(input: &Input, lanes: Option<TokenStream>, cx: &Ctxt) -> Option<TokenStream> {
    // A function generic over one float type gets its Jacobian at `f64`.
    let concrete = crate::second::concrete(input.sig);
    let sig = &concrete;
    let errors = cx.count();
    let reject =
        |at: Loc, what: String, help: &'static str| cx.error(at, Diagnostic::Jacobian { what, help });
    if sig.receiver.is_some() && sig.params.iter().any(|p| p.receiver) {
        reject(
            Loc::of(&input.item.sig.ident),
            "a differentiated `self`".into(),
            unsupported::JACOBIAN_STRUCT_HELP,
        );
    }
    // A method generic over its block's float: `_jacobian` takes `f64`s, so it goes in the
    // block for `f64` that only the block's attribute writes (`second::block`).
    let of_generic_block = crate::second::check::block_float(input.sig).is_some();
    if of_generic_block && !crate::second::block::known() {
        reject(
            Loc::of(&input.item.sig.ident),
            "a method generic over its `impl` block's float type in a block without the attribute".into(),
            unsupported::JACOBIAN_IMPL_FLOAT_UNMARKED_HELP,
        );
    }
    if input.sig.floats.len() > 1 || sig.generics.type_params().next().is_some() {
        reject(
            Loc::of(&input.sig.generics),
            "a generic function other than one over a single float type".into(),
            unsupported::JACOBIAN_GENERICS_HELP,
        );
    }
    if !numbered(&sig.output) {
        reject(Loc::of(&input.item.sig.output), "this result type".into(), unsupported::JACOBIAN_RESULT_HELP);
    }
    for p in sig.params.iter().filter(|p| !p.receiver) {
        let ty = &p.ty;
        if p.wrt && !numbered(ty) {
            reject(
                Loc::of(ty),
                format!("a differentiated parameter of type `{}`", crate::signature::type_text(ty)),
                unsupported::JACOBIAN_PARAMETERS_HELP,
            );
        } else if !copied(ty) && !numbered(ty) {
            reject(
                Loc::of(ty),
                format!("a parameter of type `{}` passed by value", quote!(#ty)),
                unsupported::JACOBIAN_BY_VALUE_HELP,
            );
        }
    }
    if cx.count() != errors {
        return None;
    }

    let p = emit::private();
    let (vis, attrs) = (&input.item.vis, emit::attributes());
    let (impl_generics, _, where_clause) = sig.generics.split_for_impl();
    let name = emit::sibling(&sig.name, "jacobian");
    let params = emit::primal_params(sig);
    let receiver = emit::receiver(sig);
    let output = &sig.output;
    // The float type parameter is `f64` in every call; const parameters pass through.
    let generic_args: Vec<TokenStream> = input
        .sig
        .generics
        .params
        .iter()
        .filter_map(|g| match g {
            syn::GenericParam::Type(_) => Some(quote!(f64)),
            syn::GenericParam::Const(c) => {
                let ident = &c.ident;
                Some(quote!(#ident))
            }
            syn::GenericParam::Lifetime(_) => None,
        })
        .collect();
    let turbofish =
        if input.sig.floats.is_empty() { TokenStream::new() } else { quote!(::<#(#generic_args),*>) };
    let callee = |suffix: &str, turbofish: &TokenStream| {
        let f = if suffix.is_empty() { sig.name.clone() } else { emit::sibling(&sig.name, suffix) };
        emit::sibling_call(sig, quote!(#f #turbofish))
    };
    let (primal, jvp, vjp) = (callee("", &turbofish), callee("jvp", &turbofish), callee("vjp", &turbofish));
    // Each call gets the parameters again: a `Vec` or `DVector` by value is cloned.
    let args: Vec<TokenStream> = sig
        .params
        .iter()
        .filter(|q| !q.receiver)
        .map(|q| {
            let ident = &q.ident;
            if copied(&q.ty) { quote!(#ident) } else { quote!(::core::clone::Clone::clone(&#ident)) }
        })
        .collect();
    let i = format_ident!("__i", span = Span::mixed_site());
    let mut offsets = quote!(let mut __n = 0usize;);
    let mut units = Vec::new();
    let mut seeds = Vec::new();
    let width = lanes::width(sig);
    for (k, q) in sig.params.iter().enumerate().filter(|(_, q)| q.wrt && !q.receiver) {
        let (o, ident) = (format_ident!("__offset{}", k, span = Span::mixed_site()), &q.ident);
        let by_ref = if matches!(q.ty, syn::Type::Reference(_)) { quote!(#ident) } else { quote!(&#ident) };
        offsets.extend(quote!(let #o = __n; __n += #p::Coordinates::scalars(#by_ref);));
        units.push(quote!(#p::Coordinates::unit(#by_ref, #i.wrapping_sub(#o))));
        seeds.push(quote!(#p::LaneTangent::<#width>::seed_lanes(#by_ref, &mut __next, __first)));
    }
    let modes = match &lanes {
        Some(_) => format!(
            "Forward mode, {width} directions per sweep: one sweep when `n <= {width}` (it gives the value \
             too), else one sweep per {width} columns when that is no more sweeps than `m`; reverse mode \
             otherwise (one `{}_vjp` per row).",
            sig.name
        ),
        None => format!(
            "Forward mode when `n <= m` (one `{}_jvp` per column), reverse mode otherwise (one `{}_vjp` per row).",
            sig.name, sig.name
        ),
    };
    let doc = format!(
        " Value and Jacobian of [`{}`] (generated by `#[differentiable(jacobian)]`): an `m x n` matrix, `m` the\n \
         scalars of the result and `n` those of the differentiated parameters, in storage order.\n\n {modes}",
        sig.name
    );
    // A function returning `Result`/`Option`: each call of its siblings leaves with its error.
    let q = sig.leaves();
    let rows = quote! {
        for __r in 0..__m {
            let (_, __pullback) = #vjp(#(#args),*) #q;
            let __row = __pullback(#p::Coordinates::unit(&__value, __r));
            for (__c, __e) in #p::flat(&__row).into_iter().enumerate() {
                __jacobian[(__r, __c)] = __e;
            }
        }
    };
    let value = sig.wrap_value(quote!((__value, __jacobian)));
    let swept = sig.wrap_value(quote!((__swept, __jacobian)));
    let body = match &lanes {
        Some(_) => {
            let lanes = callee("jvp_lanes", &quote!(::<#(#generic_args,)* #width>));
            let sweep = quote! {
                let mut __next = 0usize;
                let (__swept, __tangent) = #lanes(#(#args,)* #(#seeds),*) #q;
            };
            quote! {
                #offsets
                if __n <= #width {
                    let __first = 0usize;
                    #sweep
                    let mut __jacobian = #p::nalgebra::DMatrix::<f64>::zeros(#p::Coordinates::scalars(&__swept), __n);
                    #p::lanes_into_columns::<#width, #output>(&__tangent, &mut __jacobian, 0);
                    return #swept;
                }
                let __value = #primal(#(#args),*) #q;
                let __m = #p::Coordinates::scalars(&__value);
                let mut __jacobian = #p::nalgebra::DMatrix::<f64>::zeros(__m, __n);
                if __n.div_ceil(#width) <= __m {
                    for __first in (0..__n).step_by(#width) {
                        #sweep
                        #p::lanes_into_columns::<#width, #output>(&__tangent, &mut __jacobian, __first);
                    }
                } else {
                    #rows
                }
                #value
            }
        }
        None => quote! {
            let __value = #primal(#(#args),*) #q;
            let __m = #p::Coordinates::scalars(&__value);
            #offsets
            let mut __jacobian = #p::nalgebra::DMatrix::<f64>::zeros(__m, __n);
            if __n <= __m {
                for #i in 0..__n {
                    let (_, __tangent) = #jvp(#(#args,)* #(#units),*) #q;
                    for (__r, __e) in #p::flat(&__tangent).into_iter().enumerate() {
                        __jacobian[(__r, #i)] = __e;
                    }
                }
            } else {
                #rows
            }
            #value
        },
    };
    let result = sig.wrap_type(quote!((#output, #p::nalgebra::DMatrix<f64>)));
    let jacobian = quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name #impl_generics (#receiver #(#params),*) -> #result #where_clause {
            #body
        }
    };
    if of_generic_block {
        crate::second::block::push(jacobian);
        return Some(quote!(#lanes));
    }
    Some(quote!(#lanes #jacobian))
}
