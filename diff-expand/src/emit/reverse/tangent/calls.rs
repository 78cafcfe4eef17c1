//! Calls in the printed `_hvp`: made through the callee's `_vjp_for_hessian`, the dual copy of
//! its `_vjp`, with each float argument lifted to a dual number carrying its tangent; the dual
//! pullback, called in the adjoint sweep at the cotangent with its tangent, gives the cotangents
//! with theirs.

use super::super::*;
use super::terms::{Tangents, name_tangent};
use super::{Unsupported, adjoint_tangent, call_site};

/// An active call in the primal sweep, its pullback kept: `let (__d3, __pb3) =
/// g_vjp_for_hessian(..)`, the value and its tangent split out of `__d3`. `None` for an inactive
/// call and one whose pullback the adjoint sweep takes again: forward mode's.
pub(super) fn primal(input: &Input, inst: &Inst) -> Option<TokenStream> {
    if !call_is_active(input, inst) || crate::emit::pullback_in_sweep(input, inst) {
        return None;
    }
    let DualCall { lets, call, .. } = dual_call(input, inst)?;
    let lets = super::program::statements(&lets, inst.span.span());
    let (y, p) = (inst.results[0], private());
    let (d, pb, value, t) = (
        format_ident!("__d{}", y.0, span = proc_macro2::Span::mixed_site()),
        pullback(y),
        y.ident(),
        crate::emit::tangent(y),
    );
    Some(quote_spanned! {inst.span.span()=>
        #lets
        let (#d, #pb) = #call;
        let (#value, #t) = #p::Split::split(#d);
    })
}

/// An active call as the printed `_hvp` makes it: through the callee's `_vjp_for_hessian` (the
/// dual copy of its `_vjp`, whose pullback gives the cotangents with their tangents), each
/// float argument lifted with its tangent.
struct DualCall {
    /// `let __l3_0 = Dual::new(x, ẋ);`, one per float argument: named, since the pullback
    /// borrows a lifted array for as long as it lives.
    lets: Vec<Statement>,
    /// `g_vjp_for_hessian(__l3_0, &__l3_1)`.
    call: TokenStream,
    /// Whether the pullback borrows a lifted argument (an array passed by reference).
    borrows: bool,
}

/// [`DualCall`] of `inst`: `None` unless the call is by path, of one result, not unwrapped,
/// each argument an integer, a float, a float array, or an active value of unknown shape
/// (another call's result: a float or an array, never an integer).
fn dual_call(input: &Input, inst: &Inst) -> Option<DualCall> {
    use crate::ir::{ArrayKind, Kind};
    let Op::Call {
        callee: crate::ir::Callee::Path(path),
        args,
        shape: crate::ir::Tree::Leaf(y),
        borrowed,
        unwrap: None,
    } = &inst.op
    else {
        return None;
    };
    let p = private();
    let (mut lets, mut lifted, mut borrows) = (Vec::new(), Vec::new(), false);
    for (i, a) in args.iter().enumerate() {
        let (value, kind) = (a.ident(), input.f.info(*a).kind);
        let (t, active, scalar) = (crate::emit::tangent(*a), input.act.active(*a), input.scalars.contains(a));
        let whole = match kind {
            Kind::Discrete => {
                lifted.extend(crate::emit::call_args(input, &args[i..=i], &borrowed[i..=i]));
                continue;
            }
            _ if scalar && active => quote!(#p::Dual::new(#value, #t)),
            _ if scalar => quote!(#p::Dual::constant(#value)),
            // A slice parameter: lifted once, before the primal sweep (`lifted_parameters`),
            // for as long as any pullback borrowing it lives.
            Kind::Array(ArrayKind::Slice) if let Some(i) = slice_parameter(input, *a) => {
                let l = lifted_parameter(i);
                lifted.push(quote!(&#l));
                continue;
            }
            // A slice or vector lifted to a `Vec` of duals, which the callee borrows as
            // `&[Dual]` (or takes, a `Vec` by value).
            Kind::Array(ArrayKind::Slice | ArrayKind::Vec) if active => {
                quote!(#p::Lift::lift(&#value[..], &#t[..], ""))
            }
            Kind::Array(ArrayKind::Slice | ArrayKind::Vec) => quote!(#p::Lift::lift_constant(&#value[..])),
            // A `[f64; N]`, or a float of unknown shape (another call's result).
            Kind::Array(ArrayKind::Fixed) | Kind::Unknown | Kind::Float if active => {
                quote!(#p::Lift::lift(&#value, &#t, ""))
            }
            Kind::Array(ArrayKind::Fixed) => quote!(#p::Lift::lift_constant(&#value)),
            Kind::Unknown | Kind::Float | Kind::Heap | Kind::Array(ArrayKind::Record) => return None,
        };
        let l = format_ident!("__l{}_{}", y.0, i, span = proc_macro2::Span::mixed_site());
        lets.push(Statement::bind(Pattern::Name(l.clone()), Term::Verbatim(whole)));
        let by_ref = borrowed.get(i).copied().unwrap_or(false) || kind == Kind::Array(ArrayKind::Slice);
        borrows |= by_ref;
        lifted.push(if by_ref { quote!(&#l) } else { quote!(#l) });
    }
    let mut path = path.path.clone();
    let vjp = crate::emit::sibling(&path.segments.last()?.ident, "vjp");
    path.segments.last_mut()?.ident = vjp.clone();
    let path = if crate::second::copy::math_vjp(&path) {
        // `tapeless::math::erf`: the runtime's dual `erf_vjp`.
        quote!(#p::dual_math::#vjp)
    } else {
        path.segments.last_mut()?.ident = crate::second::for_hessian(&vjp);
        path.into_token_stream()
    };
    Some(DualCall { lets, call: quote!(#path(#(#lifted),*)), borrows })
}

/// The index of the slice parameter `v` is, if it is one (a parameter's value, never written).
fn slice_parameter(input: &Input, v: Value) -> Option<usize> {
    input.f.body.insts.iter().find_map(|inst| match inst.op {
        Op::Param(i) if inst.results.first() == Some(&v) && input.sig.params.get(i).is_some() => Some(i),
        _ => None,
    })
}

/// `__lp2`: slice parameter 2 lifted to dual numbers.
fn lifted_parameter(i: usize) -> syn::Ident {
    format_ident!("__lp{}", i, span = proc_macro2::Span::mixed_site())
}

/// The slice parameters that active calls take, each lifted once with its tangent (`let __lp2
/// = Lift::lift(v, &dv[..], "")`), before the primal sweep: a pullback anywhere in the body
/// (in a loop, on its stack) may borrow it.
pub(super) fn lifted_parameters(input: &Input) -> TokenStream {
    use crate::ir::{ArrayKind, Kind};
    let p = private();
    let mut out = TokenStream::new();
    for inst in &input.f.body.insts {
        let (Op::Param(i), Some(&v)) = (&inst.op, inst.results.first()) else { continue };
        let Some(param) = input.sig.params.get(*i) else { continue };
        let passed = input.f.body.walk().into_iter().any(|call| {
            matches!(&call.op, Op::Call { args, .. } if args.contains(&v)) && call_is_active(input, call)
        });
        if input.f.info(v).kind != Kind::Array(ArrayKind::Slice) || !passed {
            continue;
        }
        let (l, ident, d) = (lifted_parameter(*i), &param.ident, crate::emit::sibling_tangent(param));
        out.extend(if input.act.active(v) && param.wrt {
            quote!(let #l = #p::Lift::lift(#ident, &#d[..], "");)
        } else {
            quote!(let #l = #p::Lift::lift_constant(#ident);)
        });
    }
    out
}

/// Whether the printed `_hvp` makes `inst`, a call, as it must: an inactive one as it is; an
/// active one by [`dual_call`], whose pullback, where it borrows a lifted array, is kept only
/// at the body's top level (a branch's or a loop's would outlive the array) or taken in the
/// adjoint sweep.
pub(super) fn call_printed(input: &Input, inst: &Inst) -> bool {
    if !call_is_active(input, inst) {
        return true;
    }
    dual_call(input, inst).is_some_and(|c| {
        !c.borrows
            || crate::emit::pullback_in_sweep(input, inst)
            || input.f.body.insts.iter().any(|top| std::ptr::eq(top, inst))
    })
}

impl Tangents<'_> {
    /// What prints in place of `s` with its tangent, where `s` cannot stay as it is: a
    /// pullback's call, `let (__c3_0, ..) = __pb3(ȳ)`, becomes the dual pullback's
    /// (`_vjp_for_hessian`'s) called at `ȳ` with its tangent, the cotangents and their
    /// tangents split out: `let ((__c3_0, ..), (__c3_0_h, ..)) = split(__pb3(ȳ + ε ȳ'))`.
    pub(crate) fn instead(&self, s: &Statement) -> Option<Vec<Statement>> {
        if let Statement::Rerun { pullback: pb, .. } = s {
            // A pullback borrowing a local array, taken in the adjoint sweep: the dual one.
            let call = self.input.f.body.walk().into_iter().find_map(|inst| match inst.results.first() {
                Some(y) if matches!(inst.op, Op::Call { .. }) && pullback(*y) == *pb => {
                    dual_call(self.input, inst)
                }
                _ => None,
            });
            let Some(DualCall { mut lets, call, .. }) = call else {
                self.failed.set(true);
                return Some(Vec::new());
            };
            lets.push(Statement::Rerun { pullback: pb.clone(), call });
            return Some(lets);
        }
        let (pattern, cotangent, pb) = pullback_call(s)?;
        let p = private();
        let c = crate::emit::term::print(cotangent, call_site());
        let lifted = match self.of(cotangent) {
            Ok(Some(t)) => {
                let t = crate::emit::term::print(&t, call_site());
                quote!(#p::Lift::lift(&#c, &#t, ""))
            }
            Ok(None) => quote!(#p::Lift::lift_constant(&#c)),
            Err(Unsupported) => {
                self.failed.set(true);
                return Some(Vec::new());
            }
        };
        fn tangents(pattern: &Pattern) -> Pattern {
            match pattern {
                Pattern::Name(n) => Pattern::Name(name_tangent(n)),
                Pattern::Adjoint(v) => Pattern::Name(adjoint_tangent(*v)),
                Pattern::Tuple(items) => Pattern::Tuple(items.iter().map(tangents).collect()),
            }
        }
        let both = Pattern::Tuple(vec![pattern.clone(), tangents(pattern)]);
        Some(vec![Statement::bind(both, Term::Verbatim(quote!(#p::Split::split(#pb(#lifted)))))])
    }
}

/// A callee's pullback called, `let (__c3_0, ..) = __pb3(ȳ)`: what it binds, the cotangent
/// and the pullback.
pub(super) fn pullback_call(s: &Statement) -> Option<(&Pattern, &Term, &TokenStream)> {
    match s {
        Statement::Let { pattern, value: Term::Call { path, args }, .. }
            if path.to_string().starts_with("__pb") =>
        {
            match &args[..] {
                [cotangent] => Some((pattern, cotangent, path)),
                _ => None,
            }
        }
        _ => None,
    }
}
