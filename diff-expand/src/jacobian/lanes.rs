//! The forward sweep of `_jacobian` in lanes: `NAME_jvp_lanes::<L>` is `NAME_jvp` with every
//! tangent scalar a `Lanes<L>` (the runtime's `lanes.rs`), so one sweep computes `L` columns,
//! each primal value and partial once for all of them.
//!
//! Only functions whose tangent code is lane-wise arithmetic get the copy ([`eligible`]): the
//! differentiated parameters and the result are of the types a Jacobian numbers (floats,
//! arrays, slices, `Vec`s, nalgebra vectors and matrices of `f64`, tuples), and every active
//! instruction is a smooth rule, `+`, `-`, negation, `*` or `/` of floats, an entry, an array
//! sum, a load, a store, a new array, a branch or a loop. The others (nalgebra operations,
//! structs, composition, casts, `map`) keep one `NAME_jvp` per column.

use std::collections::HashSet;

use proc_macro2::{Span, TokenStream};
use quote::quote;

use crate::emit::Input;
use crate::ir::{ArrayInit, ArrayKind, Form, Inst, Kind, Op, Value};
use crate::rules::{Bilinear, Custom, Family as Rule, Linear};

/// The number of directions of a sweep (the columns one `_jvp_lanes` call fills) when the
/// number of differentiated scalars is not known from the types, or is above [`MAX_WIDTH`].
pub const WIDTH: usize = 8;

/// The most directions of one sweep: a tangent scalar of `MAX_WIDTH` lanes is 128 bytes.
pub const MAX_WIDTH: usize = 16;

/// The number of directions of a sweep of `sig`'s function (at `f64`): the number of
/// differentiated scalars when the types tell it (`f64`s, arrays of literal length, static
/// nalgebra vectors and matrices, tuples) and it is at most [`MAX_WIDTH`], so that one sweep
/// computes every column with no lane to spare; else [`WIDTH`].
pub fn width(sig: &crate::signature::Signature) -> usize {
    fn scalars(ty: &syn::Type) -> Option<usize> {
        match ty {
            syn::Type::Tuple(t) => t.elems.iter().map(scalars).sum(),
            syn::Type::Paren(p) => scalars(&p.elem),
            syn::Type::Reference(r) => scalars(&r.elem),
            syn::Type::Array(a) => match &a.len {
                syn::Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(n), .. }) => {
                    n.base10_parse::<usize>().ok()?.checked_mul(scalars(&a.elem)?)
                }
                _ => None,
            },
            _ if crate::signature::is_f64(ty) => Some(1),
            syn::Type::Path(p) if crate::signature::nalgebra_f64(ty) => {
                let (rows, columns) = crate::signature::any_static_size(p.path.segments.last()?)?;
                rows.checked_mul(columns)
            }
            _ => None,
        }
    }
    let n: Option<usize> = sig.params.iter().filter(|p| p.wrt).map(|p| scalars(&p.ty)).sum();
    n.filter(|n| (1..=MAX_WIDTH).contains(n)).unwrap_or(WIDTH)
}

/// The const parameter `__L` of `_jvp_lanes`.
pub fn param() -> syn::Ident {
    syn::Ident::new("__L", Span::mixed_site())
}

/// The tangent type of `ty` (a type a Jacobian numbers) in lanes: `f64` is `Lanes<__L>`, `&[T]`
/// and `Vec<T>` are `Vec` of `T`'s, a nalgebra matrix of `f64` is the same matrix of lanes, and
/// `[T; N]` and `&T` are as for the tangent type.
pub fn lanes_type(ty: &syn::Type) -> TokenStream {
    match ty {
        syn::Type::Tuple(t) => {
            let elems = t.elems.iter().map(lanes_type);
            quote!((#(#elems,)*))
        }
        syn::Type::Paren(p) => lanes_type(&p.elem),
        syn::Type::Reference(r) => match &*r.elem {
            syn::Type::Slice(s) => {
                let elem = lanes_type(&s.elem);
                quote!(::std::vec::Vec<#elem>)
            }
            elem => lanes_type(elem),
        },
        syn::Type::Array(a) => {
            let (elem, len) = (lanes_type(&a.elem), &a.len);
            quote!([#elem; #len])
        }
        syn::Type::Path(p) => match crate::signature::vec_element(p) {
            Some(elem) => {
                let elem = lanes_type(elem);
                quote!(::std::vec::Vec<#elem>)
            }
            None => {
                let lanes = param();
                let lanes: syn::Type = syn::parse_quote!(::tapeless::__private::Lanes<#lanes>);
                // `Vector3<f64>`, `SMatrix<f64, 2, 3>`, `DVector<f64>`: the entry type replaced.
                let mut matrix = p.clone();
                match matrix.path.segments.last_mut().map(|s| &mut s.arguments) {
                    Some(syn::PathArguments::AngleBracketed(a)) if crate::signature::nalgebra_f64(ty) => {
                        if let Some(syn::GenericArgument::Type(entry)) = a.args.first_mut() {
                            *entry = lanes;
                        }
                        quote!(#matrix)
                    }
                    _ => quote!(#lanes),
                }
            }
        },
        _ => quote!(#ty),
    }
}

/// Whether `_jvp_lanes` can be generated: every tangent it computes is lane-wise arithmetic.
pub fn eligible(input: &Input) -> bool {
    let sig = input.sig;
    // A generic function's types are read at `f64`, where `_jacobian` calls it.
    let concrete = crate::second::concrete(sig);
    let numbered =
        |ty: &syn::Type| super::numbered(ty) && !crate::signature::point(ty) && !super::of_matrices(ty);
    // A function returning `Result`/`Option` takes the columns-or-rows path (its lanes copy
    // would have to leave with the error too).
    let types = sig.floats.len() <= 1
        && sig.wrapper.is_none()
        && numbered(&concrete.output)
        && concrete.params.iter().filter(|p| p.wrt).all(|p| !p.receiver && numbered(&p.ty));
    let insts = input.f.body.walk();
    let floats = floats(input, &insts);
    let (containers, _) = containers(input, &insts, &floats);
    let known = Known { floats: &floats, containers: &containers };
    types && insts.iter().all(|inst| lane_wise_inst(input, inst, &known))
}

/// What [`eligible`] knows of the values.
struct Known<'a> {
    /// Floats for sure, active or not ([`floats`]).
    floats: &'a HashSet<Value>,
    /// Arrays, vectors and matrices ([`containers`]): every other active value is a float.
    containers: &'a HashSet<Value>,
}

/// Values that are floats for sure, whether active or not: `analysis::scalars`, integers,
/// literals, casts to `f64`, values bound by a `let` typed `f64`, and smooth rules and
/// arithmetic of such values (`i as f64 + 1.0`). Not a struct's field or a call's result: those could be nalgebra vectors.
fn floats(input: &Input, insts: &[&Inst]) -> HashSet<Value> {
    let mut floats: HashSet<Value> = input.scalars.clone();
    for inst in insts {
        let float = match &inst.op {
            Op::Lit(_) => true,
            // `T::from(0.5).unwrap()`, `T::one()`, `<T as Float>::epsilon()` of a generic
            // function: its float type (`Float` multiplies a `T` by a `T` only).
            Op::Opaque { tokens, .. } => of_float_type(tokens, &input.sig.floats),
            Op::Prim { rule, form, args } => match (&rule.kind, form) {
                (
                    Rule::Smooth { .. }
                    | Rule::Linear(Linear::Add | Linear::Sub | Linear::Neg)
                    | Rule::Bilinear(Bilinear::Product)
                    | Rule::Custom(Custom::Quotient),
                    _,
                ) => args.iter().all(|a| floats.contains(a)),
                // `x as f64`, `let h: f64 = self.step;`.
                (_, Form::Cast(ty) | Form::Typed(ty)) => crate::signature::is_f64(ty),
                _ => false,
            },
            _ => false,
        };
        floats.extend(inst.results.iter().filter(|v| float || input.f.info(**v).kind == Kind::Discrete));
    }
    floats
}

/// The values that are arrays, vectors or matrices (every other active value of an eligible
/// function is an `f64`), and those of them whose scalars are `f64`s (`leafy`), whose elements
/// are floats: the containers a Jacobian numbers, arrays made of floats (`vec![0.0; n]`, `[a, b]`
/// of floats, a nalgebra vector made by `zeros` to be written by index), their rows and copies.
/// An element of any other array (`vec![v; n]` of a vector `v`) counts as a container.
fn containers(input: &Input, insts: &[&Inst], floats: &HashSet<Value>) -> (HashSet<Value>, HashSet<Value>) {
    let (mut containers, mut leafy) = (HashSet::new(), HashSet::new());
    let concrete = crate::second::concrete(input.sig);
    for inst in insts {
        let any = |out: &[Value], set: &HashSet<Value>| out.iter().any(|v| set.contains(v));
        // Per result: (a container, of floats).
        let flags: Vec<(bool, bool)> = match &inst.op {
            Op::Param(i) => {
                // Of floats: numbered at `f64` (a generic function's `&[T]` is `&[f64]` there).
                let (p, at_f64) = (input.sig.params.get(*i), concrete.params.get(*i));
                let float = p.is_some_and(|p| crate::signature::is_float(strip(&p.ty)));
                let of_floats = at_f64.is_some_and(|p| super::numbered(&p.ty));
                let flags = (!float, of_floats);
                vec![flags; inst.results.len()]
            }
            Op::Prim { rule, args, .. } if matches!(rule.kind, Rule::Linear(Linear::Identity)) => {
                let a = args.first();
                let flags = (a.is_some_and(|a| containers.contains(a)), a.is_some_and(|a| leafy.contains(a)));
                vec![flags; inst.results.len()]
            }
            Op::Load { array, .. } => {
                let (row, of_floats) = (
                    inst.results.iter().any(|v| matches!(input.f.info(*v).kind, Kind::Array(_))),
                    leafy.contains(array),
                );
                vec![(row || !of_floats, row && of_floats); inst.results.len()]
            }
            Op::NewArray(init) => {
                let float = |v: &Value| {
                    floats.contains(v) || leafy.contains(v) || !containers.contains(v) && input.act.active(*v)
                };
                let of_floats = match init {
                    ArrayInit::Constant { tokens, reads } => {
                        !crate::emit::std_array_tokens(tokens) || reads.first().is_none_or(float)
                    }
                    ArrayInit::Elements { elements, .. } => elements.iter().all(float),
                    ArrayInit::Copy { source, .. } => leafy.contains(source),
                };
                vec![(true, of_floats); inst.results.len()]
            }
            Op::If { then_out, else_out, .. } => (0..inst.results.len())
                .map(|k| {
                    let out =
                        [then_out.get(k), else_out.get(k)].into_iter().flatten().copied().collect::<Vec<_>>();
                    (any(&out, &containers), any(&out, &leafy))
                })
                .collect(),
            Op::For { carried, .. } | Op::Loop { carried, .. } => {
                let flags: Vec<(bool, bool)> = carried
                    .iter()
                    .map(|c| (any(&[c.init, c.next], &containers), any(&[c.init, c.next], &leafy)))
                    .collect();
                for (c, (container, of_floats)) in carried.iter().zip(&flags) {
                    if *container {
                        containers.insert(c.header);
                    }
                    if *of_floats {
                        leafy.insert(c.header);
                    }
                }
                flags
            }
            _ => vec![(false, false); inst.results.len()],
        };
        for (v, (container, of_floats)) in
            inst.results.iter().zip(flags.into_iter().chain(std::iter::repeat((false, false))))
        {
            if container || matches!(input.f.info(*v).kind, Kind::Array(_) | Kind::Heap) {
                containers.insert(*v);
            }
            if of_floats {
                leafy.insert(*v);
            }
        }
    }
    (containers, leafy)
}

/// Whether `tokens` are `T::..` or `<T as ..>::..` of the float type parameter `T`.
fn of_float_type(tokens: &TokenStream, floats: &[syn::Ident]) -> bool {
    use proc_macro2::TokenTree;
    let head: Vec<TokenTree> = tokens.clone().into_iter().take(3).collect();
    let is_float = |t: &TokenTree| matches!(t, TokenTree::Ident(i) if floats.contains(i));
    let punct = |t: &TokenTree, c: char| matches!(t, TokenTree::Punct(p) if p.as_char() == c);
    match head.as_slice() {
        [t, colon, _] if is_float(t) => punct(colon, ':'),
        [open, t, _] => punct(open, '<') && is_float(t),
        _ => false,
    }
}

/// `T` of `&T`.
fn strip(ty: &syn::Type) -> &syn::Type {
    match ty {
        syn::Type::Reference(r) => strip(&r.elem),
        syn::Type::Paren(p) => strip(&p.elem),
        ty => ty,
    }
}

/// Whether the tangent code of `inst` is lane-wise arithmetic (or there is none).
///
/// The tangents are then `Lanes` for floats and containers of `Lanes` for containers: `+`, `-`,
/// negation, smooth rules, products and quotients take active floats only (`s * v` of a vector
/// would make a vector of lanes times a float), and the other operand of a product or quotient
/// is a float for sure too (`s * v` of a nalgebra constant `v`, or of `self.k` or a call's
/// result, which could be one, is a vector).
fn lane_wise_inst(input: &Input, inst: &Inst, known: &Known) -> bool {
    let active = |v: &Value| input.act.active(*v);
    let scalar = |v: &Value| active(v) && !known.containers.contains(v);
    if !inst.results.iter().any(active) {
        return match &inst.op {
            Op::Store { value, .. } if active(value) => {
                scalar(value) || matches!(input.f.info(*value).kind, Kind::Array(_))
            }
            op => !matches!(op, Op::Error),
        };
    }
    let containers = inst
        .results
        .iter()
        .filter(|v| active(v))
        .all(|v| !matches!(input.f.info(*v).kind, Kind::Heap | Kind::Array(ArrayKind::Record)));
    containers
        && match &inst.op {
            Op::Prim { rule, args, .. } => match rule.kind {
                Rule::Bilinear(Bilinear::Product) | Rule::Custom(Custom::Quotient) => {
                    args.iter().all(|a| if active(a) { scalar(a) } else { known.floats.contains(a) })
                }
                Rule::Smooth { .. } | Rule::Linear(Linear::Add | Linear::Sub | Linear::Neg) => {
                    args.iter().filter(|a| active(a)).all(scalar)
                }
                Rule::Linear(Linear::Identity | Linear::Entry | Linear::Sum) => true,
                _ => false,
            },
            Op::Param(i) => input.sig.params.get(*i).is_some_and(|p| p.wrt && !p.receiver),
            Op::Load { .. } | Op::NewArray(_) | Op::If { .. } | Op::For { .. } | Op::Loop { .. } => true,
            Op::Store { .. } | Op::Lit(_) | Op::Opaque { .. } | Op::NoGrad(_) => true,
            Op::Call { .. } | Op::Field { .. } | Op::Construct { .. } | Op::Refill { .. } | Op::Error => {
                false
            }
        }
}
