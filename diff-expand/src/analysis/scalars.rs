//! Which values are known to be floats (`f32`, `f64` or the float type parameter), not
//! matrices: the emitters write their adjoints as operators, the flatten pass writes them where
//! they are read, and the reverse sweep may sum their adjoints in registers.

use crate::ir::{ArrayInit, ArrayKind, Function, Kind, Op, Value};
use crate::signature::Signature;

/// The type of every value [`scalars`] knows, when it can be told from the function's text for
/// sure: `f64` (or `f32`) when the item names that type and no identifier mentions the other
/// (`as f32`, `to_f32`), `T` of a function generic over one float type that names neither.
/// `None` (no annotation) with a receiver or a parameter whose type the macro cannot see into
/// (a struct's fields could be of any float type). The flatten pass writes it on the
/// declarations of those values (`let (__v3, __t3): (f64, f64);`), which spares rustc's type
/// inference a variable per value (a 4 000-statement function: type checking 1.56–2.07 s
/// before, 1.38–1.49 s after, in a debug build).
pub fn float_type(item: &syn::ItemFn, sig: &Signature) -> Option<proc_macro2::TokenStream> {
    use crate::signature::kind_of;
    let seen = |ty: &syn::Type| !matches!(kind_of(ty), Kind::Unknown);
    if sig.receiver.is_some() || !sig.params.iter().all(|p| seen(&p.ty)) {
        return None;
    }
    let mut idents = Vec::new();
    identifiers(quote::ToTokens::to_token_stream(item), &mut idents);
    let mentions = |word: &str| idents.iter().any(|i| i.contains(word));
    let names = |word: &str| idents.iter().any(|i| i == word);
    match &sig.floats[..] {
        [t] if !mentions("f64") && !mentions("f32") => Some(quote::quote!(#t)),
        [] if names("f64") && !mentions("f32") => Some(quote::quote!(f64)),
        [] if names("f32") && !mentions("f64") => Some(quote::quote!(f32)),
        _ => None,
    }
}

/// Every identifier and literal in `tokens`, spelled (a literal's suffix, `2.0f32`, names a
/// type too).
fn identifiers(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Literal(l) => out.push(l.to_string()),
            proc_macro2::TokenTree::Group(g) => identifiers(g.stream(), out),
            _ => {}
        }
    }
}

/// The values known to be floats (`f32`, `f64` or the float type parameter), not matrices:
/// `Kind::Float` also covers nalgebra's static vectors, which are `Copy` too. Known are float
/// parameters and literals, entries of arrays shown to hold floats (not record fields, whose
/// types are unseen), what arithmetic and the scalar rules make of known floats, and a branch's
/// or loop's value whose every incoming value is known. Found from the optimistic side (every float value defined by an instruction, less
/// those a rule cannot vouch for, until nothing changes) so that a loop-carried value, which
/// depends on itself, can be known.
pub fn scalars(f: &Function, sig: &Signature) -> std::collections::HashSet<Value> {
    known_floats(f, sig, Trust::Optimistic)
}

/// What [`known_floats`] takes on trust.
#[derive(Clone, Copy, PartialEq)]
enum Trust {
    /// Every float value a rule vouches for ([`scalars`]).
    Optimistic,
    /// Only values surely of the function's float type ([`typed_floats`]); `generic`: the
    /// function is generic over it, so a literal is not of it; `cast`: that type when it is a
    /// primitive (`f64`, `f32`), so `x as f64` is of it.
    Sure { generic: bool, cast: Option<&'static str> },
}

/// The static nalgebra vectors built by index (`let mut d = Vector3::zeros(); d[0] = ..;`, and
/// `Vector3::from_column_slice(..)`, which lowers to that) and their copies: arrays of the IR,
/// but `Copy` values, read by value where they are operands (`emit::operand`).
pub fn static_vectors(f: &Function) -> std::collections::HashSet<Value> {
    let mut vectors = std::collections::HashSet::new();
    for inst in f.body.walk() {
        let vector = match &inst.op {
            Op::NewArray(ArrayInit::Constant { tokens, .. }) => !crate::emit::std_array_tokens(tokens),
            Op::NewArray(ArrayInit::Copy { source, .. }) => vectors.contains(source),
            _ => false,
        };
        vectors.extend(
            inst.results.iter().filter(|v| vector && f.info(**v).kind == Kind::Array(ArrayKind::Fixed)),
        );
    }
    vectors
}

/// The values whose type is surely the function's float type (and so that of their tangents
/// and adjoints): [`scalars`] without what it takes on trust (an entry of a local
/// array, whose element type may be inferred as an integer or a `bool`; a field; a cast; a
/// literal of a generic function, which is not of its `T`). For type annotations
/// ([`float_type`]); `generic`: the function is generic over its float type.
pub fn typed_floats(
    f: &Function,
    sig: &Signature,
    float: &proc_macro2::TokenStream,
) -> std::collections::HashSet<Value> {
    let float = float.to_string();
    let cast = ["f64", "f32"].into_iter().find(|t| *t == float);
    known_floats(f, sig, Trust::Sure { generic: !sig.floats.is_empty(), cast })
}

/// [`scalars`], or [`typed_floats`].
fn known_floats(f: &Function, sig: &Signature, trust: Trust) -> std::collections::HashSet<Value> {
    use crate::rules::{Bilinear, Custom, Family as R, Linear};
    use std::collections::HashSet;
    let insts = f.body.walk();
    let float = |v: &Value| f.info(*v).kind == Kind::Float;
    // Parameters that are collections, and whether of floats: the entries of one of floats are
    // floats for sure; those of one of something else (`&[Vector3<f64>]`) have `Kind::Float`
    // (nalgebra's static vectors are `Copy` values) but are not floats.
    let collections: std::collections::HashMap<Value, bool> = insts
        .iter()
        .filter_map(|inst| match inst.op {
            Op::Param(i) => sig.params.get(i).map(|p| (inst, p)),
            _ => None,
        })
        .filter_map(|(inst, p)| {
            // A `DVector<f64>`/`DMatrix<f64>` parameter: its entries (`p[0]`) are floats.
            let element = crate::signature::collection_element(&p.ty)
                .or_else(|| crate::signature::dynamic_element(&p.ty))?;
            let of_floats = crate::signature::is_float(element);
            Some(inst.results.iter().map(move |v| (*v, of_floats)))
        })
        .flatten()
        .collect();
    let sure = matches!(trust, Trust::Sure { .. });
    // How each local array was made, and the arrays something not known to be a float is
    // stored into: an array holds floats only where that can be shown (a parameter collection
    // of floats, or an array made of known floats, its copies, and nothing else stored in).
    // `mats.to_vec()` of a `&[Matrix3<f64>]` holds matrices, which have `Kind::Float` too:
    // taking its entries for floats gave `ȳ m` for the adjoint `ȳ mᵀ` of `ms[0] * ms[1]`.
    let made: std::collections::HashMap<Value, &ArrayInit> = insts
        .iter()
        .filter_map(|inst| match &inst.op {
            Op::NewArray(init) => inst.results.first().map(|a| (*a, init)),
            // An array made anew in place is what its refill makes (a `Vec` resized to a new
            // one's length, `lower::arrays::refit`, holds what it held).
            Op::Refill { array, init, before }
                if before.is_none() || matches!(init, ArrayInit::Constant { tokens, .. } if crate::emit::std_array_tokens(tokens)) =>
            {
                Some((*array, init))
            }
            _ => None,
        })
        .collect();
    let stores: Vec<(Value, Value)> = insts
        .iter()
        .filter_map(|inst| match &inst.op {
            Op::Store { array, value, .. } if f.info(*value).kind == Kind::Float => Some((*array, *value)),
            _ => None,
        })
        .collect();
    // The arrays something not (yet) known to be a float is stored into.
    let stored_others = |known: &HashSet<Value>| -> HashSet<Value> {
        stores.iter().filter(|(_, value)| !known.contains(value)).map(|(array, _)| *array).collect()
    };
    let holds_floats = |array: Value, known: &HashSet<Value>, others: &HashSet<Value>| -> bool {
        let mut at = array;
        for _ in 0..8 {
            if others.contains(&at) {
                return false;
            }
            match made.get(&at) {
                Some(ArrayInit::Constant { tokens, reads }) => {
                    return !crate::emit::std_array_tokens(tokens)
                        || reads.first().is_none_or(|r| known.contains(r));
                }
                Some(ArrayInit::Elements { elements, .. }) => {
                    return elements.iter().all(|e| known.contains(e));
                }
                Some(ArrayInit::Copy { source, .. }) => at = *source,
                None => return collections.get(&at) == Some(&true),
            }
        }
        false
    };
    let mut known: HashSet<Value> = HashSet::new();
    for inst in &insts {
        known.extend(inst.results.iter().filter(|v| float(v)));
        // (A constant's kind is not known from its path: `std::f64::consts::PI`.)
        if let Op::Opaque { tokens, .. } = &inst.op
            && float_constant(tokens).is_some()
        {
            known.extend(inst.results.iter().copied());
        }
        if let Op::For { carried, .. } | Op::Loop { carried, .. } = &inst.op {
            known.extend(carried.iter().map(|c| c.header).filter(float));
        }
    }
    loop {
        let before = known.len();
        let others = stored_others(&known);
        for inst in &insts {
            let all = |args: &[Value]| args.iter().all(|a| known.contains(a));
            let keep: Vec<bool> = match &inst.op {
                Op::If { then_out, else_out, .. } => (0..inst.results.len())
                    .map(|k| then_out.get(k).zip(else_out.get(k)).is_some_and(|(t, e)| all(&[*t, *e])))
                    .collect(),
                Op::For { carried, .. } | Op::Loop { carried, .. } => {
                    let through: Vec<bool> = carried.iter().map(|c| all(&[c.init, c.next])).collect();
                    for (c, ok) in carried.iter().zip(&through) {
                        if !ok {
                            known.remove(&c.header);
                        }
                    }
                    let aligned = through.len() == inst.results.len();
                    (0..inst.results.len()).map(|k| aligned && through[k]).collect()
                }
                op => {
                    let ok = inst.results.len() == 1
                        && match op {
                            Op::Param(i) => sig
                                .params
                                .get(*i)
                                .is_some_and(|p| !p.receiver && crate::signature::is_float(&p.ty)),
                            Op::Lit(syn::Lit::Float(_)) => {
                                !matches!(trust, Trust::Sure { generic: true, .. })
                            }
                            Op::Load { array, .. } if sure => collections.get(array) == Some(&true),
                            Op::Load { array, .. } => {
                                matches!(
                                    f.info(*array).kind,
                                    Kind::Array(ArrayKind::Vec | ArrayKind::Fixed | ArrayKind::Slice)
                                ) && holds_floats(*array, &known, &others)
                            }
                            // A struct's field: its type is unseen, and a `Matrix3`
                            // field read by value has `Kind::Float` too (`f.r * f.m` of two
                            // such fields took `ȳ m` for `ȳ mᵀ`: a wrong gradient).
                            Op::Field { .. } => false,
                            Op::NoGrad(v) => known.contains(v),
                            // `std::f64::consts::PI`, `f64::EPSILON`: a float of that type.
                            Op::Opaque { tokens, reads, .. } if reads.is_empty() => float_constant(tokens)
                                .is_some_and(|ty| match trust {
                                    Trust::Optimistic => true,
                                    Trust::Sure { generic, cast } => !generic && cast == Some(ty),
                                }),
                            Op::Prim { rule, args, form } => match &rule.kind {
                                // `as f64` makes a primitive float of anything it casts.
                                // Surely of the float type when cast to it (`as f64` in a function
                                // of `f64`).
                                R::Linear(Linear::CastFloat) => match (trust, form) {
                                    (Trust::Sure { cast, .. }, crate::ir::Form::Cast(ty)) => cast
                                        .is_some_and(|c| {
                                            quote::ToTokens::to_token_stream(ty).to_string() == c
                                        }),
                                    (Trust::Sure { .. }, _) => false,
                                    _ => all(args) || matches!(form, crate::ir::Form::Cast(_)),
                                },
                                // `v.iter().sum()` of a collection of floats.
                                R::Linear(Linear::Sum) => args.first().is_some_and(|a| {
                                    if sure {
                                        collections.get(a) == Some(&true)
                                    } else {
                                        matches!(
                                            f.info(*a).kind,
                                            Kind::Array(ArrayKind::Vec | ArrayKind::Fixed | ArrayKind::Slice)
                                        ) && holds_floats(*a, &known, &others)
                                    }
                                }),
                                // `p[0]` of a `DVector<f64>` parameter.
                                R::Linear(Linear::Entry) => {
                                    args.first().is_some_and(|a| collections.get(a) == Some(&true))
                                        && f.info(args[0]).kind == Kind::Heap
                                }
                                R::Linear(Linear::Add | Linear::Sub | Linear::Neg | Linear::Identity)
                                | R::Bilinear(Bilinear::Product)
                                | R::Custom(Custom::Quotient) => all(args),
                                R::Smooth { partials, .. } => args.iter().enumerate().all(|(i, a)| {
                                    !partials.get(i).copied().unwrap_or(true) || known.contains(a)
                                }),
                                // Reductions of a matrix to one of its entries' type: `v.dot(&w)`,
                                // `v.norm()`, `m.sum()`, `z.max()`, `m.determinant()`.
                                R::Bilinear(Bilinear::Dot)
                                | R::Linear(Linear::SumEntries)
                                | R::Custom(
                                    Custom::NormSquared
                                    | Custom::Norm
                                    | Custom::Trace
                                    | Custom::Determinant
                                    | Custom::Extremum(_)
                                    | Custom::Mean
                                    | Custom::Variance
                                    | Custom::Angle,
                                ) => true,
                                _ => false,
                            },
                            _ => false,
                        };
                    vec![ok; inst.results.len()]
                }
            };
            for (r, ok) in inst.results.iter().zip(keep) {
                if !ok {
                    known.remove(r);
                }
            }
        }
        if known.len() == before {
            return known;
        }
    }
}

/// The primitive float type of a constant by its path: `std::f64::consts::PI`,
/// `core::f32::consts::E`, `f64::consts::TAU`, `f64::EPSILON`, `f64::MAX`, ...
fn float_constant(tokens: &proc_macro2::TokenStream) -> Option<&'static str> {
    let text: String = tokens.to_string().chars().filter(|c| !c.is_whitespace()).collect();
    let text = text.trim_start_matches("::");
    let text = text.strip_prefix("std::").or_else(|| text.strip_prefix("core::")).unwrap_or(text);
    ["f64", "f32"].into_iter().find(|ty| {
        let Some(rest) = text.strip_prefix(ty).and_then(|r| r.strip_prefix("::")) else { return false };
        let name = rest.strip_prefix("consts::").unwrap_or(rest);
        let constant = |n: &str| {
            !n.is_empty() && n.chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
        };
        if rest.starts_with("consts::") {
            constant(name)
        } else {
            ["EPSILON", "MAX", "MIN", "MIN_POSITIVE", "INFINITY", "NEG_INFINITY", "NAN"].contains(&name)
        }
    })
}

#[cfg(test)]
mod tests {
    use super::float_constant;
    use std::str::FromStr;

    #[test]
    fn float_constants_by_path() {
        let of = |s: &str| float_constant(&proc_macro2::TokenStream::from_str(s).unwrap_or_default());
        assert_eq!(of("std::f64::consts::PI"), Some("f64"));
        assert_eq!(of("::core::f32::consts::FRAC_1_SQRT_2"), Some("f32"));
        assert_eq!(of("f64::consts::TAU"), Some("f64"));
        assert_eq!(of("f64::EPSILON"), Some("f64"));
        // Not a float constant: a function, a user's constant, another type's.
        assert_eq!(of("f64::consts::pi"), None);
        assert_eq!(of("f64::from_bits"), None);
        assert_eq!(of("GRAVITY"), None);
        assert_eq!(of("i64::MAX"), None);
    }
}
