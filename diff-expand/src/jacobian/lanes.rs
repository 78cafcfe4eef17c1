//! The forward sweep of `_jacobian` in lanes: `NAME_jvp_lanes::<L>` is `NAME_jvp` with every
//! tangent scalar a `Lanes<L>` (the runtime's `lanes.rs`), so one sweep computes `L` columns,
//! each primal value and partial once for all of them.
//!
//! Only functions whose tangent code is lane-wise arithmetic get the copy ([`eligible`]): the
//! differentiated parameters and the result are floats, arrays, slices, `Vec`s and tuples of
//! `f64`, and every active instruction is a smooth rule, `+`, `-`, negation, `*`, `/`, an entry,
//! an array sum, a load, a store, a new array, a branch or a loop. The others (nalgebra,
//! structs, composition, casts, `map`) keep one `NAME_jvp` per column.

use std::collections::{HashMap, HashSet};

use proc_macro2::{Delimiter, Span, TokenStream, TokenTree};
use quote::quote;

use crate::emit::Input;
use crate::ir::{ArrayInit, ArrayKind, Form, Inst, Kind, Op, Value};
use crate::rules::{Bilinear, Custom, Kind as Rule, Linear};

/// The number of directions of a sweep (the columns one `_jvp_lanes` call fills) when the
/// number of differentiated scalars is not known from the types, or is above [`MAX_WIDTH`].
pub const WIDTH: usize = 8;

/// The most directions of one sweep: a tangent scalar of `MAX_WIDTH` lanes is 128 bytes.
pub const MAX_WIDTH: usize = 16;

/// The number of directions of a sweep of `sig`'s function: the number of differentiated
/// scalars when the types tell it (`f64`s, arrays of literal length, tuples) and it is at most
/// [`MAX_WIDTH`], so that one sweep computes every column with no lane to spare; else [`WIDTH`].
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
            _ if is_f64(ty) => Some(1),
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

fn is_f64(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("f64"))
}

/// `f64`, and arrays, slices, `Vec`s, shared references and tuples of such types.
fn lane_wise(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Tuple(t) => !t.elems.is_empty() && t.elems.iter().all(lane_wise),
        syn::Type::Paren(p) => lane_wise(&p.elem),
        syn::Type::Reference(r) if r.mutability.is_none() => match &*r.elem {
            syn::Type::Slice(s) => lane_wise(&s.elem),
            elem => lane_wise(elem),
        },
        syn::Type::Array(a) => lane_wise(&a.elem),
        syn::Type::Path(p) => is_f64(ty) || crate::signature::vec_element(p).is_some_and(lane_wise),
        _ => false,
    }
}

/// The tangent type of `ty` (a [`lane_wise`] type) in lanes: `f64` is `Lanes<__L>`, `&[T]` and
/// `Vec<T>` are `Vec` of `T`'s, `[T; N]` and `&T` as for the tangent type.
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
                quote!(::tapeless::__private::Lanes<#lanes>)
            }
        },
        _ => quote!(#ty),
    }
}

/// Whether `_jvp_lanes` can be generated: every tangent it computes is lane-wise arithmetic.
pub fn eligible(input: &Input) -> bool {
    let sig = input.sig;
    let types = sig.floats.is_empty()
        && lane_wise(&sig.output)
        && sig.params.iter().filter(|p| p.wrt).all(|p| !p.receiver && lane_wise(&p.ty));
    let insts = input.f.body.walk();
    let defs: HashMap<Value, &Inst> =
        insts.iter().flat_map(|inst| inst.results.iter().map(move |v| (*v, *inst))).collect();
    let floats = floats(input, &insts);
    types && insts.iter().all(|inst| lane_wise_inst(input, inst, &defs, &floats))
}

/// Values that are floats for sure, whether active or not: `analysis::scalars`, integers,
/// literals, casts to `f64`, values bound by a `let` typed `f64`, and smooth rules of such
/// values. Not a struct's field or a call's result: those could be nalgebra vectors.
fn floats(input: &Input, insts: &[&Inst]) -> HashSet<Value> {
    let mut floats: HashSet<Value> = input.scalars.clone();
    for inst in insts {
        let float = match &inst.op {
            Op::Lit(_) => true,
            Op::Prim { rule, form, args } => match (&rule.kind, form) {
                (Rule::Smooth { .. }, _) => args.iter().all(|a| floats.contains(a)),
                // `x as f64`, `let h: f64 = self.step;`.
                (_, Form::Cast(ty) | Form::Typed(ty)) => is_f64(ty),
                _ => false,
            },
            _ => false,
        };
        floats.extend(inst.results.iter().filter(|v| float || input.f.info(**v).kind == Kind::Discrete));
    }
    floats
}

/// Whether the array `v` is a `Vec`, slice or array of the standard library (not a nalgebra
/// vector written by index, whose tangent has no lanes): made by `vec![..]` or `[..]`, copied
/// from one, or a parameter of a [`lane_wise`] type.
fn std_array(input: &Input, v: Value, defs: &HashMap<Value, &Inst>) -> bool {
    // `[c; N]`, or `::std::vec![c; n]` (as `lower::arrays` writes it).
    let std_tokens = |tokens: &TokenStream| {
        let head: Vec<String> = tokens.clone().into_iter().take(7).map(|t| t.to_string()).collect();
        match tokens.clone().into_iter().next() {
            Some(TokenTree::Group(g)) => g.delimiter() == Delimiter::Bracket,
            _ => head == [":", ":", "std", ":", ":", "vec", "!"],
        }
    };
    match defs.get(&v).map(|inst| &inst.op) {
        Some(Op::Param(i)) => input.sig.params.get(*i).is_some_and(|p| !p.receiver && lane_wise(&p.ty)),
        Some(Op::NewArray(ArrayInit::Constant { tokens, .. })) => std_tokens(tokens),
        Some(Op::NewArray(ArrayInit::Elements { .. })) => true,
        Some(Op::NewArray(ArrayInit::Copy { source, .. })) => std_array(input, *source, defs),
        _ => false,
    }
}

/// Whether the tangent code of `inst` is lane-wise arithmetic (or there is none).
///
/// Every active value is then an `f64` or an array of the standard library: the parameters'
/// are ([`lane_wise`]), new arrays are checked ([`std_array`]), a branch or a loop yields what
/// its blocks compute, a load an element, a smooth rule a float, and `+`, `-`, negation and an
/// array sum the type of their active operand. Only a product or a quotient could make a vector
/// of an active float (`s * v` of a nalgebra constant `v`): their other operands must be floats.
fn lane_wise_inst(input: &Input, inst: &Inst, defs: &HashMap<Value, &Inst>, floats: &HashSet<Value>) -> bool {
    let active = |v: &Value| input.act.active(*v);
    if !inst.results.iter().any(active) {
        return !matches!(inst.op, Op::Error);
    }
    let containers = inst
        .results
        .iter()
        .filter(|v| active(v))
        .all(|v| !matches!(input.f.info(*v).kind, Kind::Heap | Kind::Array(ArrayKind::Record)));
    let float = |v: &Value| active(v) || floats.contains(v);
    containers
        && match &inst.op {
            Op::Prim { rule, args, .. } => match rule.kind {
                Rule::Bilinear(Bilinear::Product) | Rule::Custom(Custom::Quotient) => args.iter().all(float),
                Rule::Smooth { .. }
                | Rule::Linear(
                    Linear::Add | Linear::Sub | Linear::Neg | Linear::Identity | Linear::Entry | Linear::Sum,
                ) => true,
                _ => false,
            },
            Op::NewArray(_) => inst.results.iter().filter(|a| active(a)).all(|a| std_array(input, *a, defs)),
            Op::Param(i) => {
                input.sig.params.get(*i).is_some_and(|p| p.wrt && !p.receiver && lane_wise(&p.ty))
            }
            Op::Load { .. } | Op::If { .. } | Op::For { .. } | Op::Loop { .. } => true,
            Op::Store { .. } | Op::Lit(_) | Op::Opaque { .. } | Op::NoGrad(_) => true,
            Op::Call { .. } | Op::Field { .. } | Op::Construct { .. } | Op::Error => false,
        }
}
