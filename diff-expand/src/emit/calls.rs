//! Calls in generated code: the callee's generated sibling, the tangent slots passed, where a
//! pullback is made, the arguments, and the calls of a `map` closure's scalar function.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};

use super::{Input, is_heap, private, sibling};
use crate::ir::{Callee, Inst, Kind, Op, Value};

/// The callee expression of a call, with `suffix` appended to its name (`""`: the primal).
pub fn callee(callee: &Callee, suffix: &str) -> TokenStream {
    match callee {
        Callee::Path(p) => {
            let mut p = p.clone();
            if let (false, Some(last)) = (suffix.is_empty(), p.path.segments.last_mut()) {
                last.ident = sibling(&last.ident, suffix);
            }
            p.into_token_stream()
        }
        Callee::Method { receiver, name, turbofish } => {
            let recv = receiver.ident();
            let name = if suffix.is_empty() { name.clone() } else { sibling(name, suffix) };
            quote!(#recv.#name #turbofish)
        }
    }
}

/// The arguments of a call that get a tangent slot in the callee's `_jvp` (and a cotangent in
/// its pullback's result): the differentiable ones. An argument the caller knows to be an integer
/// or `bool` has none; any other inactive argument is passed a zero tangent. (The callee's
/// `wrt` set must be its float parameters; a mismatch is an arity error from rustc, never a
/// wrong derivative.) A differentiated record receiver (`self.method(..)` with `self` in the
/// caller's `wrt`) takes the first slot, as in the callee's `wrt(self, ..)`.
pub fn call_slots(input: &Input, callee: &Callee, args: &[Value]) -> Vec<Value> {
    // A method of the same `impl` block whose `wrt(..)` is known: exactly its slots.
    if let Some((receiver, wrt)) = crate::signature::siblings::call(input.f, input.sig, callee) {
        let receiver = wrt.receiver.then_some(receiver);
        let listed = args.iter().zip(&wrt.params).filter(|(_, w)| **w).map(|(a, _)| *a);
        return receiver.into_iter().chain(listed).collect();
    }
    // A method with `self` recorded with its `wrt(..)` (`signature::registry`): its receiver's
    // slot if it differentiates `self`, then exactly its listed arguments.
    if let Callee::Method { receiver, name, .. } = callee
        && let Some((wrt, _)) = crate::signature::registry::method_call(
            name,
            args,
            crate::signature::registry::receiver_type(input.f, input.sig, *receiver),
        )
    {
        let receiver = wrt.receiver.then_some(*receiver);
        let listed = args.iter().zip(&wrt.params).filter(|(_, w)| **w).map(|(a, _)| *a);
        return receiver.into_iter().chain(listed).collect();
    }
    // A helper with a `wrt(..)` expanded before this function (`signature::registry`), where
    // the slots below would not be its: exactly its slots.
    if let Callee::Path(path) = callee
        && let Some((wrt, _)) = crate::signature::registry::call(path, args, |v| input.f.info(v).kind)
    {
        return args.iter().zip(&wrt.params).filter(|(_, w)| **w).map(|(a, _)| *a).collect();
    }
    let receiver = match callee {
        Callee::Method { receiver, .. } if input.act.active(*receiver) => Some(*receiver),
        _ => None,
    };
    let may_be_float = |v: &Value| input.act.active(*v) || input.f.info(*v).kind != Kind::Discrete;
    receiver.into_iter().chain(args.iter().copied().filter(may_be_float)).collect()
}

/// Whether a call's pullback is made in the reverse sweep rather than kept from the primal one:
/// a pullback borrowing a local array (`g(&v)`), or a method's on a receiver local to the
/// function (a struct built in the body, a call's result, a parameter taken by value), which a
/// `&self` method's pullback borrows and so could not leave `_vjp` (rustc's E0716). A method
/// recorded as taking `self` by value borrows nothing and keeps its pullback.
///
/// And a call of a function by path, or of a method on a receiver borrowed from the caller
/// (`&self`), in a loop, whose arguments are all scalars or static vectors (`s += pair(x[i],
/// x[i + 1])`): the backward iteration calls its `_vjp` again on the arguments it pops or
/// recomputes (the callee's forward sweep run again inside the reverse one, Tapenade's joint
/// mode), rather than the primal loop pushing one pullback closure per iteration on a stack.
/// That stack made such a `_grad` about 3.5x the same loop with the callee written out (a
/// method's 8x its primal); the primal loop now calls the plain function.
pub fn pullback_in_sweep(input: &Input, inst: &Inst) -> bool {
    let Op::Call { callee, args, borrowed, .. } = &inst.op else { return false };
    if borrowed.iter().any(|b| *b) {
        return true;
    }
    let scalars_in_loop = || {
        args.iter().all(|a| matches!(input.f.info(*a).kind, Kind::Float | Kind::Discrete))
            && in_loop(&input.f.body, inst, false)
    };
    if matches!(callee, Callee::Path(_)) && scalars_in_loop() {
        return true;
    }
    // A recursive call (`f(x, n - 1)` or `Self::f(..)` inside `f`): its pullback kept in ours
    // would make the opaque type of `f_vjp`'s pullback contain itself (E0720).
    if recursive(input, callee) {
        return true;
    }
    let Callee::Method { receiver, name, .. } = callee else { return false };
    let from_caller = input.f.body.walk().iter().any(|i| {
        i.results.first() == Some(receiver)
            && match &i.op {
                Op::Param(k) => input.sig.params.get(*k).is_some_and(|p| {
                    matches!(p.ty, syn::Type::Reference(_))
                        || p.receiver && input.sig.receiver.as_ref().is_some_and(|r| r.reference.is_some())
                }),
                Op::Opaque { tokens, .. } => {
                    tokens.to_string() == "self"
                        && input.sig.receiver.as_ref().is_some_and(|r| r.reference.is_some())
                }
                _ => false,
            }
    });
    let ty = crate::signature::registry::receiver_type(input.f, input.sig, *receiver);
    let by_value = crate::signature::registry::method_call(name, args, ty).is_some_and(|(w, _)| w.by_value);
    // (`self.term(x[i], x[i + 1])` of `&self` in a loop: made again in the sweep, as a call by
    // path is, the receiver a reference the sweep reads too.)
    !by_value && (!from_caller || scalars_in_loop())
}

/// Whether `inst` is in `block` inside a loop (`inside`: `block` is a loop's body or in one).
fn in_loop(block: &crate::ir::Block, inst: &Inst, inside: bool) -> bool {
    block.insts.iter().any(|i| {
        if std::ptr::eq(i, inst) {
            return inside;
        }
        let looped = inside || matches!(i.op, Op::For { .. } | Op::Loop { .. });
        i.op.blocks().into_iter().any(|b| in_loop(b, inst, looped))
    })
}

/// Whether `callee` is the function being differentiated: `f(..)` or `Self::f(..)` inside `f`.
pub fn recursive(input: &Input, callee: &Callee) -> bool {
    let Callee::Path(p) = callee else { return false };
    let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
    match segments[..] {
        [own] => own.ident == input.item.sig.ident,
        [ty, own] => ty.ident == "Self" && own.ident == input.item.sig.ident,
        _ => false,
    }
}

/// Whether a call is differentiated (some result is active).
pub fn call_is_active(input: &Input, inst: &Inst) -> bool {
    inst.results.iter().any(|r| input.act.active(*r))
}

/// The primal arguments of a call: `&__v3` for an array passed by reference; a `DVector` or
/// `DMatrix` (held by reference) as it is when written `&m`, else a copy the callee owns.
pub fn call_args(input: &Input, args: &[Value], borrowed: &[bool]) -> Vec<TokenStream> {
    args.iter()
        .enumerate()
        .map(|(i, v)| {
            let owned = input.f.info(*v).kind == Kind::Array(crate::ir::ArrayKind::Record)
                || super::owned_array(input, *v);
            let (borrow, heap, v) =
                (borrowed.get(i).copied().unwrap_or(false), is_heap(input, *v), v.ident());
            match (borrow, heap) {
                (true, true) => quote!(#v),
                (true, false) => quote!(&#v),
                (false, true) => quote!(::core::clone::Clone::clone(#v)),
                // A struct or an owned array passed by value may be read again (its fields, the
                // reverse sweep's zero, the next iteration of a loop: moving it was rustc's E0382
                // in generated code): the callee gets a copy (a `Copy` one's is free).
                (false, false) if owned => quote!(::core::clone::Clone::clone(&#v)),
                (false, false) => quote!(#v),
            }
        })
        .collect()
}

/// The elementwise forward mode of a `map` (`Form::Map(f)`, operands `args`: the matrix, then
/// the locals its closure reads): the closure `|__e, __t| f_jvp(__e, captured.., __t, their
/// tangents..)` giving each element's value and tangent, and whether the matrix has a tangent
/// (without one, `__t` is to be ignored: the element's tangent is zero). `tangent(i)`: the
/// tangent of `args[i]` if it has one.
pub fn map_jvp(
    input: &Input,
    f: &syn::Ident,
    args: &[Value],
    tangent: impl Fn(usize) -> Option<TokenStream>,
) -> (TokenStream, bool) {
    let (p, jvp) = (private(), sibling(f, "jvp"));
    let captured = args[1..].iter().map(|v| v.ident());
    let matrix = tangent(0).is_some();
    let element = if matrix { quote!(__t) } else { quote!(#p::zero_real()) };
    let tangents = (1..args.len())
        .filter(|i| input.f.info(args[*i]).kind == Kind::Float)
        .map(|i| tangent(i).unwrap_or_else(|| quote!(#p::zero_real())));
    (quote!(|__e, __t| #jvp(__e, #(#captured,)* #element, #(#tangents),*)), matrix)
}

/// The parts of a `map` closure's gradient (`f_grad(e, captured..).1`) for its element and each
/// float it reads, in order: `.1` alone when the element is its only float, else `.1.0`,
/// `.1.1`, ..; `None` for an integer it reads, which has none.
pub fn map_gradient_parts(input: &Input, args: &[Value]) -> Vec<Option<Vec<syn::Member>>> {
    let floats: Vec<bool> =
        args.iter().enumerate().map(|(i, v)| i == 0 || input.f.info(*v).kind == Kind::Float).collect();
    let count = floats.iter().filter(|f| **f).count();
    let member = |k: usize| syn::Member::Unnamed(syn::Index::from(k));
    let mut k = 0;
    floats
        .into_iter()
        .map(|float| {
            float.then(|| {
                k += 1;
                if count == 1 { vec![member(1)] } else { vec![member(1), member(k - 1)] }
            })
        })
        .collect()
}
