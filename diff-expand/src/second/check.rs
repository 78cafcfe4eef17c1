//! What second order cannot take (yet), reported before anything is generated, spanned on the
//! user's code.

use proc_macro2::{Span, TokenStream, TokenTree};
use quote::ToTokens;

use crate::ctxt::Ctxt;
use crate::diagnostics::{Diagnostic, unsupported};
use crate::emit::Input;
use std::collections::{HashMap, HashSet};

use crate::ir::{Block, Kind, Loc, Op, Value};
use crate::rules::Family as Rule;
use crate::signature::{self, TypeClass};

/// The name of a called function or method that the registry knows, unambiguously, to be
/// differentiated without `hessian`.
fn without_hessian(callee: &crate::ir::Callee, arity: usize) -> Option<String> {
    let (name, wrt) = match callee {
        crate::ir::Callee::Path(p) => {
            let name = p.path.segments.last()?.ident.to_string();
            let wrt = signature::registry::lookup(&name, arity)?;
            (name, wrt)
        }
        crate::ir::Callee::Method { name, .. } => {
            let name = name.to_string();
            let wrt = signature::registry::lookup_method(&name, arity)?;
            (name, wrt)
        }
    };
    (!wrt.hessian).then_some(name)
}

/// Whether the function returns a vector of `f64`s (`Vec<f64>`, `[f64; N]`) and is not generic:
/// second order gives it only the `_vjp_for_hessian` through which its `hessian` callers compose
/// (an integrator's right-hand side `fn rhs(y: &[f64], k: f64) -> Vec<f64>`); a Hessian needs a
/// scalar result.
pub(super) fn vector_result(sig: &signature::Signature) -> bool {
    let element = match &sig.output {
        syn::Type::Array(a) => Some(&*a.elem),
        syn::Type::Path(p) => signature::vec_element(p),
        _ => None,
    };
    sig.floats.is_empty() && element.is_some_and(signature::is_f64)
}

/// How a parameter is passed to the dual copy.
#[derive(Copy, Clone, PartialEq, Eq)]
pub(super) enum Passing {
    /// `f64`.
    Float,
    /// `&[f64]`, `&Vec<f64>`, `&[f64; N]`: lifted into an owned value, passed by reference.
    Borrowed,
    /// `Vec<f64>`, `[f64; N]`: lifted and passed by value.
    Owned,
    /// An integer or `bool`: passed as is.
    Constant,
}

/// Whether a parameter is passed to the dual copy as it is, with its own type: one that is not
/// differentiated and is not floats second order lifts (`&[f64]` data is lifted into dual
/// constants): an `Option<f64>`, an enum of settings, a struct of data. What the copy reads from
/// it is promoted where it is read.
pub(crate) fn as_is(p: &signature::Param) -> bool {
    let referent = match &p.ty {
        syn::Type::Reference(r) => &*r.elem,
        ty => ty,
    };
    !p.wrt
        && match shape(&p.ty) {
            None => true,
            Some(Passing::Float | Passing::Constant) => false,
            Some(Passing::Borrowed | Passing::Owned) => record(referent).is_some(),
        }
}

/// The parameters (indices) that are constant floats, `&[f64]`, `&Vec<f64>`, `[f64; N]` and the
/// like, whose value the body only reads entries of (`x[i]`) and the length of: the dual
/// `_grad` can take them as they are and promote each entry it reads, where lifting them would
/// copy the whole collection into dual numbers per call (F2's data, 100 000 entries).
pub(super) fn read_by_index(input: &Input) -> HashSet<usize> {
    let f = input.f;
    // Floats one level deep (not rows, whose loads are rows, not promoted entries).
    let plain_floats = |ty: &syn::Type| match ty {
        syn::Type::Reference(r) if r.mutability.is_none() => element_floats(&r.elem, 0),
        ty => element_floats(ty, 0),
    };
    let mut values: HashMap<Value, usize> = HashMap::new();
    for inst in &f.body.insts {
        if let Op::Param(i) = inst.op
            && let Some(p) = input.sig.params.get(i)
            && !p.wrt
            && plain_floats(&p.ty)
        {
            values.extend(inst.results.iter().map(|v| (*v, i)));
        }
    }
    // Any read other than as the array of a load or the operand of `len`/`is_empty` (a call,
    // an opaque expression, a branch's or loop's value, the result) keeps the parameter lifted.
    let mut lifted: HashSet<usize> = HashSet::new();
    let mut other = |v: &Value| {
        if let Some(i) = values.get(v) {
            lifted.insert(*i);
        }
    };
    for inst in f.body.walk() {
        match &inst.op {
            Op::Load { index, .. } => index.iter().for_each(&mut other),
            Op::Prim { rule, .. } if matches!(rule.name, "len" | "is_empty") => {}
            op => op.operands().iter().chain(&op.outgoing()).for_each(&mut other),
        }
    }
    f.output.leaves().iter().for_each(&mut other);
    values.into_values().filter(|i| !lifted.contains(i)).collect()
}

/// Whether `ty` is a float, or (`depth` more levels) a collection of such: rows of floats
/// (`[[f64; 3]]`, `Vec<Vec<f64>>`: lifted and split row by row), nalgebra's static vectors of
/// `f64` (`&[Vector3<f64>]`, entry by entry), or tuples of `f64` (`&[(f64, f64)]`, part by part).
fn floats(ty: &syn::Type, depth: usize) -> bool {
    signature::is_f64(ty)
        || depth > 0 && signature::nalgebra_f64(ty)
        || depth > 0 && element_floats(ty, depth - 1)
        || depth > 0
            && matches!(ty, syn::Type::Tuple(t) if !t.elems.is_empty() && t.elems.iter().all(signature::is_f64))
}

/// Whether `ty` is a slice, array or `Vec` whose elements are [`floats`] at `depth`.
fn element_floats(ty: &syn::Type, depth: usize) -> bool {
    match ty {
        syn::Type::Slice(s) => floats(&s.elem, depth),
        syn::Type::Array(a) => floats(&a.elem, depth),
        syn::Type::Path(p) => signature::vec_element(p).is_some_and(|e| floats(e, depth)),
        _ => false,
    }
}

/// The shape of a parameter, or `None` if second order does not take it yet.
pub(super) fn shape(ty: &syn::Type) -> Option<Passing> {
    let element_f64 = |ty: &syn::Type| element_floats(ty, 1);
    match ty {
        _ if signature::is_f64(ty) => Some(Passing::Float),
        syn::Type::Reference(r) if r.mutability.is_none() && element_f64(&r.elem) => Some(Passing::Borrowed),
        syn::Type::Array(_) | syn::Type::Path(_) if element_f64(ty) => Some(Passing::Owned),
        // nalgebra's static vectors and matrices of `f64`: lifted entry by entry.
        syn::Type::Reference(r) if r.mutability.is_none() && signature::nalgebra_f64(&r.elem) => {
            Some(Passing::Borrowed)
        }
        _ if signature::nalgebra_f64(ty) => Some(Passing::Owned),
        // `p: (f64, f64)`: lifted part by part (`&(f64, f64)` too).
        syn::Type::Reference(r) if r.mutability.is_none() && signature::float_tuple(&r.elem) => {
            Some(Passing::Borrowed)
        }
        _ if signature::float_tuple(ty) => Some(Passing::Owned),
        // A function passed in keeps its own type (`as_is`): its `f64`s are not the copy's.
        _ if signature::function_type(ty) => None,
        _ if signature::classify(ty) == TypeClass::Constant => Some(Passing::Constant),
        // A struct (a `#[derive(Differentiable)]` one has a dual twin): lifted like an array.
        syn::Type::Reference(r) if r.mutability.is_none() && record(&r.elem).is_some() => {
            Some(Passing::Borrowed)
        }
        _ if record(ty).is_some() => Some(Passing::Owned),
        _ => None,
    }
}

/// The name of a struct type written as a path (`Params`, `model::Params`), not a float, an
/// array or a nalgebra type.
pub(super) fn record(ty: &syn::Type) -> Option<&syn::Ident> {
    match ty {
        syn::Type::Path(p)
            if p.qself.is_none()
                && !signature::is_float(ty)
                && !signature::static_matrix(ty)
                && !signature::dynamic_matrix(ty)
                && signature::classify(ty) != TypeClass::Constant
                && p.path.segments.last().is_some_and(|s| s.arguments.is_none()) =>
        {
            p.path.segments.last().map(|s| &s.ident)
        }
        _ => None,
    }
}

/// The float type parameter of the `impl` block a method is in (not the method's own).
pub(crate) fn block_float(sig: &signature::Signature) -> Option<&syn::Ident> {
    sig.floats.iter().find(|t| !sig.generics.type_params().any(|p| p.ident == **t))
}

/// Reports what second order cannot take (yet); true if there is nothing.
pub(super) fn check(input: &Input, sig: &signature::Signature, cx: &Ctxt) -> bool {
    let errors = cx.count();
    let reject = |at: Loc, what: &str, help: &'static str| {
        cx.error(at, Diagnostic::SecondOrder { what: what.to_string(), help });
    };
    if let Some(r) = &sig.receiver
        && sig.params.iter().any(|p| p.receiver)
    {
        reject(Loc::of(r), unsupported::SECOND_ORDER_SELF.what, unsupported::SECOND_ORDER_SELF.help);
        return false;
    }
    let generic = !input.sig.floats.is_empty();
    // `impl<T: RealField> Linear<T> { fn predict(&self, x: T) -> T }`: the copy would run at
    // `Dual<f64>` a `T` the block fixes (rustc's errors inside generated code, before).
    // (Unless the receiver lifts to dual numbers, `block.rs`: then `_hvp` and `_hessian` go in
    // the block for `f64`.)
    let of_the_block = block_float(input.sig);
    if let Some(t) = of_the_block
        && !super::block::field_bound(t)
        && !match &sig.receiver {
            // An associated function runs through the block's type at dual numbers.
            None => super::block::dual_type(t).is_some(),
            Some(r) => {
                r.reference.is_some() && r.mutability.is_none() && super::block::lifted_receiver(t).is_some()
            }
        }
    {
        let names_t = |ty: &syn::Type| find_ident(ty.to_token_stream(), &t.to_string()).is_some();
        let at = input.sig.params.iter().find(|p| names_t(&p.ty)).map(|p| Loc::of(&p.ty));
        let at = at.unwrap_or_else(|| Loc::of(&sig.name));
        // (Its `_hessian` goes in a block of its own, which only the block's attribute writes.)
        let why = if super::block::known() {
            unsupported::SECOND_ORDER_IMPL_FLOAT
        } else {
            unsupported::SECOND_ORDER_IMPL_FLOAT_UNMARKED
        };
        reject(at, why.what, why.help);
        return false;
    }
    if input.sig.floats.len() > 1 || sig.generics.type_params().next().is_some() {
        reject(
            Loc::of(&input.sig.generics),
            unsupported::SECOND_ORDER_GENERICS.what,
            unsupported::SECOND_ORDER_GENERICS.help,
        );
    } else if let Some(t) = input.sig.floats.first()
        && let Some(bound) = unsupported_bound(&input.sig.generics, t)
    {
        if field_bound(&input.sig.generics, t) {
            // nalgebra's `RealField`: the `_grad` copied at dual numbers (`field.rs`), which
            // writes out what the body asks of `T`; the rest is rejected here.
            if let Some((at, what)) = super::field::unknown(&input.item.block, t) {
                reject(
                    Loc::from(at),
                    &format!("{what} in a function generic over `RealField`"),
                    unsupported::SECOND_ORDER_FIELD_HELP,
                );
            }
            // (An inactive call, of integers, is written as the primal's.)
            if let Some(call) = input
                .f
                .body
                .walk()
                .into_iter()
                .find(|i| matches!(i.op, Op::Call { .. }) && crate::emit::call_is_active(input, i))
            {
                reject(
                    call.span,
                    unsupported::SECOND_ORDER_FIELD_CALLS.what,
                    unsupported::SECOND_ORDER_FIELD_CALLS.help,
                );
            }
        } else {
            reject(
                Loc::of(&bound),
                &format!("the bound `{}`", tidy(&bound.to_token_stream().to_string())),
                unsupported::SECOND_ORDER_BOUND_HELP,
            );
        }
    }
    // `fn g<T: Float>(p: &[T], t: f64)` with `t` differentiated: `_grad::<Dual<f64>>` keeps
    // `t` an `f64`, which can carry no second-order part (rustc's mismatch inside generated
    // code, before). (`RealField` functions are copied at `f64`, which lifts it.)
    let mut primitive_params = false;
    if input.sig.floats.first().is_some_and(|t| !field_bound(&input.sig.generics, t)) {
        for (_, p) in of_primitive_types(input.sig).filter(|(_, p)| p.wrt && !p.receiver) {
            primitive_params = true;
            reject(
                Loc::of(&p.ty),
                unsupported::SECOND_ORDER_PRIMITIVE_PARAM.what,
                unsupported::SECOND_ORDER_PRIMITIVE_PARAM.help,
            );
        }
    }
    // `f32` anywhere is one error, at its first place; the result and parameters of `f32` types
    // are not reported again.
    let f32_in = |t: &dyn ToTokens| find_ident(t.to_token_stream(), "f32").is_some();
    if !signature::is_f64(&sig.output) && !f32_in(&sig.output) && !vector_result(sig) {
        reject(
            Loc::of(&input.item.sig.output),
            unsupported::SECOND_ORDER_RESULT.what,
            unsupported::SECOND_ORDER_RESULT.help,
        );
    }
    for p in &sig.params {
        // A function passed in that takes floats: the copy would hand it dual numbers.
        if signature::function_type(&p.ty) && takes_floats(&p.ty) {
            reject(
                Loc::of(&p.ty),
                &format!(
                    "a function parameter that takes floats, `{}`",
                    tidy(&p.ty.to_token_stream().to_string())
                ),
                unsupported::SECOND_ORDER_FUNCTION_PARAMETER_HELP,
            );
            continue;
        }
        // A rotation times a vector has first-order rules only (the runtime's `rotations.rs`),
        // with `f64` rotations: the copy would multiply it by dual numbers.
        if rotation(&p.ty) {
            reject(
                Loc::of(&p.ty),
                &format!("a rotation parameter, `{}`", tidy(&p.ty.to_token_stream().to_string())),
                unsupported::SECOND_ORDER_ROTATION_PARAMETER_HELP,
            );
            continue;
        }
        if shape(&p.ty).is_none() && !as_is(p) && !f32_in(&p.ty) {
            reject(
                Loc::of(&p.ty),
                &format!("a parameter of type `{}`", tidy(&p.ty.to_token_stream().to_string())),
                unsupported::SECOND_ORDER_PARAMETER_TYPE_HELP,
            );
        }
    }
    if let Some(f32) = find_ident(input.item.to_token_stream(), "f32") {
        reject(Loc::from(f32), unsupported::SECOND_ORDER_F32.what, unsupported::SECOND_ORDER_F32.help);
    }
    // (A conversion `T::from(t)` of such a parameter is the same error: not reported again.)
    block(input, generic, !primitive_params, &input.f.body, &reject);
    cx.count() == errors
}

/// Whether `ty` (or what it refers to) is one of nalgebra's rotations or rigid motions.
fn rotation(ty: &syn::Type) -> bool {
    match ty {
        syn::Type::Reference(r) => rotation(&r.elem),
        syn::Type::Path(p) => p.path.segments.last().is_some_and(|s| {
            let name = s.ident.to_string();
            matches!(name.as_str(), "UnitQuaternion" | "UnitComplex")
                || name.starts_with("Rotation")
                || name.starts_with("Isometry")
        }),
        _ => false,
    }
}

/// Tokens as a person writes them: `Into<f64>`, not `Into < f64 >`.
fn tidy(tokens: &str) -> String {
    let tidy = tokens.replace(" :: ", "::").replace(" < ", "<").replace("< ", "<").replace(" >", ">");
    tidy.replace(" ,", ",").replace("& ", "&")
}

/// The traits `Dual<f64>` implements, by last path segment.
const DUAL_TRAITS: &[&str] = &[
    "Float",
    "FromPrimitive",
    "ToPrimitive",
    "NumCast",
    "Num",
    "NumOps",
    "NumAssign",
    "NumAssignOps",
    "NumRef",
    "Zero",
    "One",
    "Sum",
    "Product",
    "FloatConst",
    "Real",
    "Copy",
    "Clone",
    "Debug",
    "Display",
    "Default",
    "PartialOrd",
    "PartialEq",
    "Send",
    "Sync",
    "Add",
    "Sub",
    "Mul",
    "Div",
    "Neg",
    "Rem",
    "AddAssign",
    "SubAssign",
    "MulAssign",
    "DivAssign",
    "RemAssign",
];

/// A bound on the float type parameter `t` that `Dual<f64>` does not satisfy.
pub(super) fn unsupported_bound(generics: &syn::Generics, t: &syn::Ident) -> Option<syn::TypeParamBound> {
    unsupported_bounds(generics, t).into_iter().next()
}

/// Whether the float type parameter `t` is bound by nalgebra's field traits (and otherwise only
/// by what `Dual<f64>` satisfies): second order then copies `_grad` (`field.rs`).
pub(super) fn field_bound(generics: &syn::Generics, t: &syn::Ident) -> bool {
    super::field::takes(&unsupported_bounds(generics, t))
}

/// Every bound on the float type parameter `t` that `Dual<f64>` does not satisfy.
fn unsupported_bounds(generics: &syn::Generics, t: &syn::Ident) -> Vec<syn::TypeParamBound> {
    let own = generics.type_params().filter(|p| p.ident == *t).flat_map(|p| p.bounds.iter());
    let wheres = generics.where_clause.iter().flat_map(|w| &w.predicates).flat_map(|p| match p {
        syn::WherePredicate::Type(pt) if matches!(&pt.bounded_ty, syn::Type::Path(path) if path.path.is_ident(t)) => {
            pt.bounds.iter().collect::<Vec<_>>()
        }
        _ => Vec::new(),
    });
    own.chain(wheres)
        .filter(|b| match b {
            syn::TypeParamBound::Trait(tb) => {
                tb.path.segments.last().is_none_or(|s| !DUAL_TRAITS.contains(&s.ident.to_string().as_str()))
            }
            syn::TypeParamBound::Lifetime(l) => l.ident != "static",
            _ => true,
        })
        .cloned()
        .collect()
}

/// The checks of the instructions; `casts`: whether to report conversions between the float type
/// and a primitive float (not where a parameter of a primitive type is reported already).
fn block(input: &Input, generic: bool, casts: bool, b: &Block, reject: &dyn Fn(Loc, &str, &'static str)) {
    // Generic over `T: Float`: `_grad` itself runs at `Dual<f64>`, not a copy (`second::generate`).
    let as_written = generic && input.sig.floats.first().is_none_or(|t| !field_bound(&input.sig.generics, t));
    for inst in b.walk() {
        match &inst.op {
            // A generic function's `_grad` runs as written at `Dual<f64>`: a conversion to a float
            // type would keep the value and drop the derivative part. (Its calls pass values of
            // the float type, so their callees are generic too and run at `Dual<f64>` as well.)
            Op::Prim { rule, args, .. }
                if generic
                    && casts
                    && matches!(rule.kind, Rule::Linear(crate::rules::Linear::CastFloat))
                    && args.iter().any(|a| input.act.active(*a)) =>
            {
                reject(inst.span, unsupported::SECOND_ORDER_CAST.what, unsupported::SECOND_ORDER_CAST.help)
            }
            // `Point3::new(..)`: the dual copy has no points (nor do its parameters).
            Op::Prim { rule, form: crate::ir::Form::Path(path), .. }
                if rule.name == "<new>" && signature::point_function(path).is_some() =>
            {
                reject(inst.span, unsupported::SECOND_ORDER_POINT.what, unsupported::SECOND_ORDER_POINT.help)
            }
            // nalgebra's `column_mean`, `row_mean` need `SupersetOf<f64>`, and `angle` needs
            // `SimdComplexField`, which the dual number does not implement. (`max`, `amax`,
            // `mean` and `variance` have the runtime's dual versions, `copy::dual_math_method`,
            // in the copy; a generic function's `_grad` runs as written, where they need bounds
            // its `T: Float` does not give.)
            Op::Prim { rule, args, .. }
                if (matches!(
                    rule.kind,
                    Rule::Custom(
                        crate::rules::Custom::LinearMethod("column_mean" | "row_mean")
                            | crate::rules::Custom::Angle
                    )
                ) || (as_written
                    && matches!(
                        rule.kind,
                        Rule::Custom(
                            crate::rules::Custom::Extremum(_)
                                | crate::rules::Custom::Mean
                                | crate::rules::Custom::Variance
                        )
                    )))
                    && args.iter().any(|a| input.act.active(*a)) =>
            {
                reject(
                    inst.span,
                    &format!("nalgebra's `{}` of a differentiated value", rule.name),
                    unsupported::SECOND_ORDER_NO_RULE_HELP,
                )
            }
            Op::Call { args, callee, .. } => {
                let receiver = match callee {
                    crate::ir::Callee::Method { receiver, .. } => Some(*receiver),
                    crate::ir::Callee::Path(_) => None,
                };
                // A call on integers (or values the syntax did not type, which are integers in
                // practice: `n.div_ceil(2)`) runs as written. A differentiated call of a function,
                // or of a method on a constant receiver, composes through the callee's dual copy
                // of its `_vjp` (which its own `hessian` generates) or, for `tapeless::math::erf`,
                // the runtime's. Any other call on floats would need a second order nothing
                // provides.
                let composed = receiver.is_none_or(|r| !input.act.active(r))
                    && inst.results.iter().any(|r| input.act.active(*r));
                // `f(x, n - 1)` inside `f`: the dual copy of `_grad` calls the primal `f`,
                // which takes no dual numbers.
                if crate::emit::recursive(input, callee) {
                    reject(
                        inst.span,
                        unsupported::SECOND_ORDER_RECURSION.what,
                        unsupported::SECOND_ORDER_RECURSION.help,
                    );
                }
                // A callee known to have no `hessian` has no dual copy to compose through
                // (rustc's "cannot find `g_vjp_for_hessian`", with a misleading suggestion).
                if !generic
                    && composed
                    && let Some(name) = without_hessian(callee, args.len())
                {
                    reject(
                        inst.span,
                        &format!("a call of `{name}`, whose attribute has no `hessian`,"),
                        unsupported::SECOND_ORDER_CALLEE_HELP,
                    );
                }
                if !generic
                    && !composed
                    && constant_call(input, inst).is_none()
                    && !kept_receiver_call(input, inst)
                    && receiver
                        .iter()
                        .chain(args)
                        .any(|a| input.act.active(*a) || input.f.info(*a).kind == Kind::Float)
                {
                    match callee {
                        crate::ir::Callee::Method { name, .. } => reject(
                            inst.span,
                            &format!("`{name}` on floats, a method without a second-order rule"),
                            unsupported::SECOND_ORDER_METHOD_CALL_HELP,
                        ),
                        crate::ir::Callee::Path(_) => reject(
                            inst.span,
                            "a call on floats whose result is not differentiated",
                            unsupported::SECOND_ORDER_PATH_CALL_HELP,
                        ),
                    }
                }
            }
            // A tuple built as an argument (`g((x, y))`, `lower::composition::tuple_argument`):
            // the copy writes it as written, its parts dual numbers.
            Op::Construct { path: Some(_), .. } => reject(
                inst.span,
                unsupported::SECOND_ORDER_CONSTRUCT.what,
                unsupported::SECOND_ORDER_CONSTRUCT.help,
            ),
            _ => {}
        }
    }
}

/// A call of a function by path on constants only (`helper(0.4, 0.7)`, nothing differentiated
/// in or out): the callee's name and which arguments are floats, which the dual copy passes as
/// their value parts (`copy.rs`).
pub(super) fn constant_call<'i>(
    input: &Input,
    inst: &'i crate::ir::Inst,
) -> Option<(String, &'i [crate::ir::Value])> {
    let Op::Call { callee: crate::ir::Callee::Path(p), args, borrowed, .. } = &inst.op else { return None };
    let constant = !inst.results.iter().any(|r| input.act.active(*r))
        && !args.iter().any(|a| input.act.active(*a))
        && !borrowed.iter().any(|b| *b);
    let name = p.path.segments.last()?.ident.to_string();
    constant.then_some((name, args.as_slice()))
}

/// A method called on a parameter passed to the dual copy as it is (`as_is`: `scale` of
/// `scale: Option<f64>`, `scale.unwrap_or(1.0)`), nothing differentiated in or out: it runs on
/// the parameter's own type, its float arguments passed as their value parts and its result
/// promoted where it is read (`copy.rs`).
pub(super) fn kept_receiver_call(input: &Input, inst: &crate::ir::Inst) -> bool {
    let Op::Call { callee: crate::ir::Callee::Method { receiver, .. }, args, borrowed, .. } = &inst.op else {
        return false;
    };
    let param = input.f.body.insts.iter().find_map(|i| match i.op {
        Op::Param(k) if i.results.contains(receiver) => input.sig.params.get(k),
        _ => None,
    });
    param.is_some_and(as_is)
        && !inst.results.iter().chain(args).any(|v| input.act.active(*v))
        && !borrowed.iter().any(|b| *b)
}

/// The span of the first identifier `name` in `tokens`.
pub(super) fn find_ident(tokens: TokenStream, name: &str) -> Option<Span> {
    tokens.into_iter().find_map(|t| match t {
        TokenTree::Ident(i) if i == name => Some(i.span()),
        TokenTree::Group(g) => find_ident(g.stream(), name),
        _ => None,
    })
}

/// The parameters (with their indices) of a function generic over its float type `T` whose
/// types do not name `T` (`t: f64`, `n: usize`): `_grad::<Dual<f64>>` takes them as they are.
pub(super) fn of_primitive_types(
    sig: &signature::Signature,
) -> impl Iterator<Item = (usize, &signature::Param)> {
    let t = sig.floats.first().map(ToString::to_string);
    sig.params
        .iter()
        .enumerate()
        .filter(move |(_, p)| t.as_ref().is_some_and(|t| find_ident(p.ty.to_token_stream(), t).is_none()))
}

/// Whether a function type (`signature::function_type`) names a float among its inputs.
fn takes_floats(ty: &syn::Type) -> bool {
    struct Floats(bool);
    impl<'ast> syn::visit::Visit<'ast> for Floats {
        fn visit_type(&mut self, ty: &'ast syn::Type) {
            self.0 |= signature::is_float(ty);
            syn::visit::visit_type(self, ty);
        }
        fn visit_return_type(&mut self, _: &'ast syn::ReturnType) {}
    }
    let mut floats = Floats(false);
    syn::visit::Visit::visit_type(&mut floats, ty);
    floats.0
}
