//! Emitters: IR to Rust. `forward` writes `NAME_jvp`; `reverse` writes `NAME_vjp` and
//! `NAME_grad`. This module holds what both share: names, the primal of each instruction, the
//! tangent slots of a call, and the attributes of generated items.
//!
//! Names in emitted code (all mixed-site hygienic, so they never meet the user's):
//! `__v3` primal value, `__t3` its tangent, `__a3` its adjoint, `__pb3` the pullback of the call
//! defining `v3`, `__If7` the enum recording which branch of the `if` with trace `v7` ran.

pub mod forward;
pub mod inline;
pub mod reverse;
pub mod scopes;
pub mod tokens;

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};

use crate::analysis::activity::Activity;
use crate::ir::{ArrayInit, Block, Callee, Carried, Form, Function, Inst, Kind, Op, Tree, Value};
use crate::signature::Signature;

/// Everything an emitter reads.
pub struct Input<'a> {
    pub item: &'a syn::ItemFn,
    pub sig: &'a Signature,
    pub f: &'a Function,
    pub act: &'a Activity,
    pub items: &'a [syn::Item],
    /// How many times each value is read ([`Function::uses`]).
    pub uses: HashMap<Value, usize>,
    /// Arrays written once per element and only summed, with their sum loop's result
    /// (`analysis::summed_arrays`).
    pub summed: HashMap<Value, Value>,
    /// Matrix products only summed, with their factors (`analysis::summed_products`).
    pub summed_products: HashMap<Value, (Value, Value)>,
    /// Values known to be floats, not matrices ([`scalars`]).
    pub scalars: std::collections::HashSet<Value>,
    /// Static nalgebra vectors built by index (`Vector3::zeros()` written entry by entry): held
    /// like arrays, but `Copy`, so read by value as operands ([`operand`]).
    pub static_vectors: std::collections::HashSet<Value>,
    /// Forward mode carries every tangent scalar as `Lanes<__L>`, `__L` directions in one
    /// sweep (`_jacobian`'s `_jvp_lanes`, `crate::jacobian::lanes`).
    pub lanes: bool,
}

pub fn tangent(v: Value) -> syn::Ident {
    format_ident!("__t{}", v.0, span = Span::mixed_site())
}

pub fn adjoint(v: Value) -> syn::Ident {
    format_ident!("__a{}", v.0, span = Span::mixed_site())
}

pub fn pullback(v: Value) -> syn::Ident {
    format_ident!("__pb{}", v.0, span = Span::mixed_site())
}

/// The `_jvp` parameter holding the tangent of `param`: `d<name>`, mixed-site so it cannot
/// clash with a user parameter of that name.
pub fn sibling_tangent(param: &crate::signature::Param) -> syn::Ident {
    format_ident!("d{}", param.ident, span = Span::mixed_site())
}

/// The runtime's hidden module.
pub fn private() -> TokenStream {
    quote!(::tapeless::__private)
}

/// `zero_tangent(&v)`.
pub fn zero(v: Value) -> TokenStream {
    let p = private();
    let v = v.ident();
    quote!(#p::zero_tangent(&#v))
}

/// `[c; N]` or `::std::vec![c; n]` (as `lower::arrays` writes them), not a nalgebra constructor.
pub fn std_array_tokens(tokens: &TokenStream) -> bool {
    let head: Vec<String> = tokens.clone().into_iter().take(7).map(|t| t.to_string()).collect();
    match tokens.clone().into_iter().next() {
        Some(proc_macro2::TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Bracket,
        _ => head == [":", ":", "std", ":", ":", "vec", "!"],
    }
}

/// The name of a generated sibling: `f` to `f_jvp`.
pub fn sibling(ident: &syn::Ident, suffix: &str) -> syn::Ident {
    format_ident!("{}_{}", ident, suffix, span = ident.span())
}

/// `array[i][j] = value;`. A `Vec` stored as a row (`m[1] = vec![..]`) is cloned: the reverse
/// sweep may still read it (moving it was rustc's E0382 inside generated code).
pub fn primal_store(input: &Input, inst: &Inst) -> TokenStream {
    match &inst.op {
        Op::Store { array, index, value } => {
            let (a, index, v) = (array.ident(), index_tokens(index), value.ident());
            let span = inst.span.span();
            if input.f.info(*value).kind == Kind::Array(crate::ir::ArrayKind::Vec) {
                quote_spanned!(span=> #a #index = ::core::clone::Clone::clone(&#v);)
            } else {
                quote_spanned!(span=> #a #index = #v;)
            }
        }
        _ => TokenStream::new(),
    }
}

/// `[__v1][__v2]`.
pub fn index_tokens(index: &[Value]) -> TokenStream {
    let index = index.iter().map(|v| v.ident());
    quote!(#([#index])*)
}

/// Whether a value is an array (a mutable slot with an adjoint declared up front).
pub fn is_array(input: &Input, v: Value) -> bool {
    matches!(input.f.info(v).kind, Kind::Array(_))
}

/// `tokens` (the value `v`, or its tangent) as an operand of arithmetic or of a rule's term: an
/// array there is a nalgebra vector built by index, owned by its slot, so it is read borrowed
/// (`(&v)`) and a later read still has it; a static one is `Copy`, and read as it is (`&v * s`
/// has no product rule).
pub fn operand(input: &Input, v: Value, tokens: impl ToTokens) -> TokenStream {
    if is_array(input, v) && !input.static_vectors.contains(&v) {
        quote!((&#tokens))
    } else {
        tokens.into_token_stream()
    }
}

/// Whether a value is a dynamically sized matrix, held by reference (`__v3: &DMatrix<f64>`).
pub fn is_heap(input: &Input, v: Value) -> bool {
    input.f.info(v).kind == Kind::Heap
}

/// What a constant's field read in place by reference (`&self.w`) is, as an opaque value
/// (`lower::calls::method_operand`): held as the reference it is, with no owner.
pub const CONSTANT_FIELD: &str = "a constant's field read by reference";

/// The local that owns a dynamically sized matrix `__v3` refers to: `__o3`.
pub fn owner(v: Value) -> syn::Ident {
    format_ident!("__o{}", v.0, span = Span::mixed_site())
}

/// The owned local a dynamically sized matrix's reference borrows, if the function holds one:
/// `__o3` for a computed value, the parameter for one taken by value, none for one taken by
/// reference. A pullback moves it in and borrows it again (`let __v3 = &__o3;`).
pub fn heap_owner(input: &Input, inst: &Inst) -> Option<TokenStream> {
    let y = *inst.results.first()?;
    if !is_heap(input, y) {
        return None;
    }
    match &inst.op {
        Op::Param(i) => {
            let p = input.sig.params.get(*i)?;
            let ident = &p.ident;
            (!matches!(p.ty, syn::Type::Reference(_))).then(|| quote!(#ident))
        }
        _ if owns_itself(inst) => Some(owner(y).into_token_stream()),
        _ => None,
    }
}

/// Whether the emitted code holds a heap result of `inst` in an owner of its own (`__o3`): a
/// computed value, not a typed call result, a constant's field read in place or a parameter.
fn owns_itself(inst: &Inst) -> bool {
    match &inst.op {
        Op::Prim { form: Form::Typed(_), .. } => false,
        Op::Opaque { what: crate::ir::Opaque::Form(CONSTANT_FIELD), .. } => false,
        Op::Prim { .. } | Op::Opaque { .. } | Op::NoGrad(_) => true,
        _ => false,
    }
}

/// The lines that carry a loop variable from one iteration to the next (`__carry3`): before the
/// loop, at an iteration's start, at its end and after the loop.
#[derive(Default)]
pub struct CarryLines {
    pub init: TokenStream,
    pub enter: TokenStream,
    pub advance: TokenStream,
    pub exit: TokenStream,
}

impl CarryLines {
    /// One carried variable: `first` before the loop, `header` its name in an iteration, `next`
    /// its value at the iteration's end, `exit` its name after the loop. A `DVector`/`DMatrix`
    /// is read through references to an owner, and an owner made in an iteration ends with it:
    /// with `heap_next` (the new value owned, [`owned_next`]) the carry owns its value, and each
    /// iteration and the code after the loop read it by reference.
    pub fn add(
        &mut self,
        carry: &syn::Ident,
        (first, header): (TokenStream, &syn::Ident),
        (next, exit): (TokenStream, &syn::Ident),
        heap_next: Option<TokenStream>,
    ) {
        match heap_next {
            None => {
                self.init.extend(quote!(let mut #carry = #first;));
                self.enter.extend(quote!(let #header = #carry;));
                self.advance.extend(quote!(#carry = #next;));
                self.exit.extend(quote!(let #exit = #carry;));
            }
            Some(owned) => {
                let p = private();
                self.init.extend(quote!(let mut #carry = #p::owned(#first);));
                self.enter.extend(quote!(let #header = &#carry;));
                self.advance.extend(quote!(#carry = #owned;));
                self.exit.extend(quote!(let #exit = &#carry;));
            }
        }
    }
}

/// The new value of a carried `DVector`/`DMatrix` at an iteration's end, owned: `held`, its
/// owner, moved when the loop's body `made_here` and no other carried variable takes the same
/// value; else a copy of `read` (`owned`).
pub fn owned_next(
    carried: &[Carried],
    next: Value,
    made_here: bool,
    held: syn::Ident,
    read: TokenStream,
) -> TokenStream {
    if made_here && carried.iter().filter(|c| c.next == next).count() == 1 {
        held.into_token_stream()
    } else {
        let p = private();
        quote!(#p::owned(#read))
    }
}

/// Whether `body` computes `v` with an owner of its own at its top level (`__o3`, which
/// [`owned_next`] may move).
pub fn owns_in(body: &Block, v: Value) -> bool {
    body.insts.iter().any(|i| {
        (i.results.first() == Some(&v) && owns_itself(i))
            || (matches!(i.op, Op::If { .. }) && i.results.contains(&v))
    })
}

/// A result of the function as returned: a dynamically sized matrix is cloned out of its
/// reference.
pub fn returned(input: &Input, v: Value, tokens: TokenStream) -> TokenStream {
    if is_heap(input, v) { quote!(::core::clone::Clone::clone(#tokens)) } else { tokens }
}

/// The operands of `m = a * b` if `m` is a product of two `DVector`/`DMatrix` values computed at
/// the top level whose only use is `m.sum()`: neither mode needs `m`'s tangent or adjoint as a
/// matrix (`Σ (a b) = (column sums of a) · (row sums of b)`). Looked up in the side table
/// `analysis::summed_products` computed once per function.
pub fn summed_product(input: &Input, m: Value) -> Option<(Value, Value)> {
    input.summed_products.get(&m).copied()
}

/// The array summed by the loop whose result is `total`, if it is one of
/// `analysis::summed_arrays`.
pub fn summed_by(input: &Input, total: Value) -> Option<Value> {
    input.summed.iter().find(|(_, t)| **t == total).map(|(m, _)| *m)
}

/// The scalar that stands for an adjoint equal in every entry: the sum's cotangent of a matrix
/// product only summed, or of an array only summed (`__fill3`).
pub fn fill(v: Value) -> syn::Ident {
    format_ident!("__fill{}", v.0, span = Span::mixed_site())
}

/// `let __v3 = <primal>;` for every instruction but calls, stores, loops and `if`s (which the emitters handle,
/// since their primal differs per mode).
pub fn primal_let(input: &Input, inst: &Inst) -> TokenStream {
    let span = inst.span.span();
    if let Op::Store { .. } = inst.op {
        return primal_store(input, inst);
    }
    // The array made anew in place (`lower::arrays::refilled`).
    if let Op::Refill { array, init: ArrayInit::Constant { tokens, .. } } = &inst.op {
        let a = array.ident();
        return quote_spanned!(span=> #a = #tokens;);
    }
    let Some(result) = inst.results.first() else {
        return TokenStream::new();
    };
    let y = result.ident();
    let rhs = match &inst.op {
        Op::Param(i) => {
            let Some(p) = input.sig.params.get(*i) else { return TokenStream::new() };
            let param = &p.ident;
            if is_array(input, *result) {
                let source = if crate::signature::by_copy(&p.ty) { quote!(*#param) } else { quote!(#param) };
                return quote_spanned!(span=> let mut #y = #source;);
            }
            if crate::signature::by_copy(&p.ty) {
                return quote_spanned!(span=> let #y = *#param;);
            }
            if is_heap(input, *result) {
                return match p.ty {
                    syn::Type::Reference(_) => quote_spanned!(span=> let #y = #param;),
                    _ => quote_spanned!(span=> let #y = &#param;),
                };
            }
            quote!(#param)
        }
        Op::Load { array, index } => {
            let (a, index) = (array.ident(), index_tokens(index));
            // An element of a collection of structs (`obs: &[Obs]`, `lower::rows::element_kind`),
            // constant or differentiated: borrowed, as `for o in obs` borrows it (a struct that
            // is not `Copy` cannot be moved out of the slice); its fields read through the
            // reference.
            if matches!(
                input.f.info(*result).kind,
                Kind::Unknown | Kind::Heap | Kind::Array(crate::ir::ArrayKind::Record)
            ) {
                return quote_spanned!(span=> let #y = &#a #index;);
            }
            quote_spanned!(span=> #a #index)
        }
        Op::Field { base, member, array } => {
            let b = base.ident();
            if is_heap(input, *result) {
                // Read in place: a reference without an owner of its own.
                return quote_spanned!(span=> let #y = &#b.#member;);
            }
            if *array { quote_spanned!(span=> &#b.#member) } else { quote_spanned!(span=> #b.#member) }
        }
        Op::NewArray(init) => {
            let rhs = match init {
                ArrayInit::Constant { tokens, .. } | ArrayInit::Copy { tokens, .. } => tokens.clone(),
                ArrayInit::Elements { elements, vec } => {
                    let e = elements.iter().map(|v| v.ident());
                    if *vec { quote!(::std::vec![#(#e),*]) } else { quote!([#(#e),*]) }
                }
            };
            return quote_spanned!(span=> let mut #y = #rhs;);
        }
        Op::Construct { path, fields } => {
            // The struct owns its fields: a `DMatrix` is cloned out of its reference, an array
            // copied (a pullback may still read it).
            let fields = fields.iter().map(|(m, v)| {
                let i = v.ident();
                let value = if is_array(input, *v) {
                    quote!(::core::clone::Clone::clone(&#i))
                } else {
                    returned(input, *v, i.into_token_stream())
                };
                quote!(#m: #value)
            });
            return quote_spanned!(span=> let mut #y = #path { #(#fields),* };);
        }
        Op::Lit(lit) => lit.to_token_stream(),
        // `&self.w`: a reference already, held as one (no owner).
        Op::Opaque { tokens, what: crate::ir::Opaque::Form(CONSTANT_FIELD), .. } => {
            return quote_spanned!(span=> let #y = #tokens;);
        }
        Op::Opaque { tokens, .. } => tokens.clone(),
        // A `DMatrix` held constant: its own copy, owned like a computed matrix (a pullback
        // moves the owner in; a copy of the reference would borrow another value's owner).
        Op::NoGrad(v) if is_heap(input, *result) => {
            let x = v.ident();
            quote!(::core::clone::Clone::clone(#x))
        }
        Op::NoGrad(v) => v.ident().to_token_stream(),
        Op::Prim { args, form, .. } => {
            let a: Vec<syn::Ident> = args.iter().map(|v| v.ident()).collect();
            match form {
                Form::Operator(op) if a.len() == 2 => {
                    let [l, r] = [0, 1].map(|i| operand(input, args[i], &a[i]));
                    quote_spanned!(span=> #l #op #r)
                }
                Form::Operator(op) => {
                    let x = &a[0];
                    quote_spanned!(span=> #op #x)
                }
                Form::Method(name) => {
                    let (recv, rest) = (&a[0], &a[1..]);
                    quote_spanned!(span=> #recv.#name(#(#rest),*))
                }
                Form::MethodRef(name) => {
                    let (recv, rest) = (&a[0], &a[1..]);
                    quote_spanned!(span=> #recv.#name(#(&#rest),*))
                }
                Form::Path(path) => quote_spanned!(span=> #path(#(#a),*)),
                Form::Cast(ty) => {
                    let x = &a[0];
                    quote_spanned!(span=> #x as #ty)
                }
                Form::Typed(ty) => {
                    let x = &a[0];
                    if is_array(input, *result) {
                        return quote_spanned!(span=> let mut #y: #ty = #x;);
                    }
                    if is_heap(input, *result) && !matches!(**ty, syn::Type::Reference(_)) {
                        // From another matrix (a reference) or from a call's result (owned).
                        return if is_heap(input, args[0]) {
                            quote_spanned!(span=> let #y: &#ty = #x;)
                        } else {
                            quote_spanned!(span=> let #y: &#ty = &#x;)
                        };
                    }
                    return quote_spanned!(span=> let #y: #ty = #x;);
                }
                Form::Verbatim(tokens) => tokens.clone(),
                Form::Index(_) => {
                    let (x, k) = (&a[0], form.index(args));
                    quote_spanned!(span=> #x[#k])
                }
                Form::Map(f) => {
                    let (x, captured) = (&a[0], &a[1..]);
                    if captured.is_empty() {
                        quote_spanned!(span=> #x.map(#f))
                    } else {
                        quote_spanned!(span=> #x.map(|__e| #f(__e, #(#captured),*)))
                    }
                }
                Form::Part { method, turbofish } => {
                    let (recv, rest) = (&a[0], &a[1..]);
                    quote_spanned!(span=> #recv.#method #turbofish(#(#rest),*).into_owned())
                }
            }
        }
        // Calls, `if`s and loops differ per mode; stores were handled above.
        Op::Call { .. }
        | Op::If { .. }
        | Op::For { .. }
        | Op::Loop { .. }
        | Op::Store { .. }
        | Op::Refill { .. }
        | Op::Error => {
            return TokenStream::new();
        }
    };
    if is_heap(input, *result) {
        let o = owner(*result);
        return quote_spanned!(span=> let #o = #rhs; let #y = &#o;);
    }
    quote_spanned!(span=> let #y = #rhs;)
}

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
        && let Some((wrt, _)) = crate::signature::registry::method_call(name, args)
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
pub fn pullback_in_sweep(input: &Input, callee: &Callee, args: &[Value], borrowed: &[bool]) -> bool {
    if borrowed.iter().any(|b| *b) {
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
    let by_value = crate::signature::registry::method_call(name, args).is_some_and(|(w, _)| w.by_value);
    !from_caller && !by_value
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

/// `a` or `(a, b)` from a list of token streams.
pub fn tuple_or_single(items: Vec<TokenStream>) -> TokenStream {
    if items.len() == 1 { items.into_iter().next().unwrap_or_default() } else { quote!((#(#items),*)) }
}

/// A tree of values as an expression or pattern, each leaf mapped by `leaf`.
pub fn tree_tokens(t: &Tree, leaf: &mut dyn FnMut(Value) -> TokenStream) -> TokenStream {
    match t {
        Tree::Leaf(v) => leaf(*v),
        Tree::Tuple(items) => {
            let items: Vec<TokenStream> = items.iter().map(|t| tree_tokens(t, leaf)).collect();
            quote!((#(#items,)*))
        }
    }
}

/// Attributes of every generated item: generated code is not the user's to lint, and is inlined
/// across crates so composition costs no call.
pub fn attributes() -> TokenStream {
    quote! {
        #[inline]
        #[allow(dead_code, unused_variables, unused_mut, unused_assignments, unreachable_code, unreachable_patterns, unused_parens, unused_braces, non_snake_case, non_camel_case_types, clippy::all, clippy::pedantic, clippy::nursery)]
    }
}

/// The generated function's parameters after the receiver: the primal ones as the user wrote
/// them (minus `mut`).
pub fn primal_params(sig: &Signature) -> Vec<TokenStream> {
    sig.params
        .iter()
        .filter(|p| !p.receiver)
        .map(|p| {
            let (ident, ty) = (&p.ident, &p.ty);
            quote!(#ident: #ty)
        })
        .collect()
}

/// The lifetime every elided reference of a `_vjp`'s parameters gets (`pullback_params`).
pub const PULLBACK_LIFETIME: &str = "'__tapeless";

/// The parameters of `_vjp`, with every elided reference lifetime named.
pub struct PullbackParams {
    /// `&'__tapeless self, ` (or nothing).
    pub receiver: TokenStream,
    pub params: Vec<TokenStream>,
    /// Lifetimes to declare: [`PULLBACK_LIFETIME`] if a reference the pullback may hold was
    /// named so, and one `'__tapeless_copyN` per by-copy reference (`x: &[f64; 2]`, copied on
    /// entry, so the pullback never holds it).
    pub lifetimes: Vec<syn::Lifetime>,
    /// The pullback's capture bound: `+ '__tapeless`, or `+ use<..>` leaving the by-copy
    /// references out (so `f_vjp(&[a, b])` of a temporary works).
    pub capture: TokenStream,
}

/// `&self, ` and the parameters of `_vjp`, every elided reference lifetime named. The pullback
/// may hold any reference not copied on entry, so it is `impl FnOnce(..) + '__tapeless`: one
/// lifetime for all of them (shared references shrink to their intersection), which both
/// editions' capture rules accept (`+ '_` would name only the receiver's). When there are
/// by-copy references, a free function's pullback lists what it captures instead
/// (`use<'__tapeless, T, N>`): under Rust 2024 an `impl Trait` captures every lifetime in scope
/// otherwise. Not for methods: `use<..>` must list an enclosing `impl`'s parameters, which the
/// attribute cannot see.
pub fn pullback_params(sig: &Signature, generics: &syn::Generics, may_copy: bool) -> PullbackParams {
    struct Name(bool);
    impl syn::visit_mut::VisitMut for Name {
        fn visit_type_reference_mut(&mut self, r: &mut syn::TypeReference) {
            if r.lifetime.is_none() {
                r.lifetime = Some(syn::Lifetime::new(PULLBACK_LIFETIME, proc_macro2::Span::call_site()));
                self.0 = true;
            }
            syn::visit_mut::visit_type_reference_mut(self, r);
        }
        // A function pointer's or trait object's references are its own.
        fn visit_type_bare_fn_mut(&mut self, _: &mut syn::TypeBareFn) {}
        fn visit_type_trait_object_mut(&mut self, _: &mut syn::TypeTraitObject) {}
        fn visit_type_impl_trait_mut(&mut self, _: &mut syn::TypeImplTrait) {}
    }
    let copied_reference = |p: &crate::signature::Param| {
        matches!(&p.ty, syn::Type::Reference(r) if r.lifetime.is_none()) && crate::signature::by_copy(&p.ty)
    };
    let mentions_self = sig.params.iter().any(|p| mentions(&p.ty.to_token_stream(), "Self"))
        || mentions(&sig.output.to_token_stream(), "Self");
    let precise =
        may_copy && sig.receiver.is_none() && !mentions_self && sig.params.iter().any(copied_reference);
    let mut name = Name(false);
    let receiver = match &sig.receiver {
        Some(r) => {
            let (and, lifetime) = match &r.reference {
                Some((and, None)) => {
                    name.0 = true;
                    let l = syn::Lifetime::new(PULLBACK_LIFETIME, proc_macro2::Span::call_site());
                    (Some(quote!(#and)), Some(quote!(#l)))
                }
                Some((and, Some(l))) => (Some(quote!(#and)), Some(quote!(#l))),
                None => (None, None),
            };
            let (mutability, self_token) = (&r.mutability, &r.self_token);
            quote!(#and #lifetime #mutability #self_token,)
        }
        None => TokenStream::new(),
    };
    let mut copies = Vec::new();
    let params = sig
        .params
        .iter()
        .filter(|p| !p.receiver)
        .map(|p| {
            let mut ty = p.ty.clone();
            match &mut ty {
                syn::Type::Reference(r) if precise && copied_reference(p) => {
                    let l = format!("'__tapeless_copy{}", copies.len());
                    let l = syn::Lifetime::new(&l, proc_macro2::Span::call_site());
                    r.lifetime = Some(l.clone());
                    copies.push(l);
                }
                ty => syn::visit_mut::VisitMut::visit_type_mut(&mut name, ty),
            }
            let ident = &p.ident;
            quote!(#ident: #ty)
        })
        .collect();
    let shared = syn::Lifetime::new(PULLBACK_LIFETIME, proc_macro2::Span::call_site());
    let mut lifetimes = if name.0 { vec![shared.clone()] } else { Vec::new() };
    let capture = if precise {
        let declared = generics.params.iter().map(|param| match param {
            syn::GenericParam::Lifetime(l) => l.lifetime.to_token_stream(),
            syn::GenericParam::Type(t) => t.ident.to_token_stream(),
            syn::GenericParam::Const(c) => c.ident.to_token_stream(),
        });
        let listed: Vec<TokenStream> =
            lifetimes.iter().map(ToTokens::to_token_stream).chain(declared).collect();
        quote!(+ use<#(#listed),*>)
    } else if name.0 {
        quote!(+ #shared)
    } else {
        TokenStream::new()
    };
    lifetimes.extend(copies);
    PullbackParams { receiver, params, lifetimes, capture }
}

/// Whether `tokens` name the identifier `name` anywhere (inside groups too).
pub fn mentions(tokens: &TokenStream, name: &str) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), name),
        _ => false,
    })
}

/// The `_jvp` tangent parameters: `dx: T` for each differentiated parameter `x: T`.
pub fn tangent_params(sig: &Signature) -> Vec<TokenStream> {
    sig.wrt()
        .map(|p| {
            let (d, ty) = (sibling_tangent(p), crate::signature::tangent_type(&p.ty));
            quote!(#d: #ty)
        })
        .collect()
}

/// `&self, ` (or nothing) for the generated function's receiver.
pub fn receiver(sig: &Signature) -> TokenStream {
    match &sig.receiver {
        Some(r) => {
            let (reference, mutability, self_token) =
                (r.reference.as_ref().map(|(a, l)| quote!(#a #l)), &r.mutability, &r.self_token);
            quote!(#reference #mutability #self_token,)
        }
        None => TokenStream::new(),
    }
}

/// The partial derivative `∂y/∂args[i]` of a smooth rule, as a runtime call.
pub fn partial(rule_name: &str, i: usize, args: &[Value], y: Value, span: Span) -> TokenStream {
    let f = format_ident!("{}_d{}", rule_name, i, span = span);
    let args = args.iter().map(|v| v.ident());
    let y = y.ident();
    // The whole path under the user's span: a type error in it points at the user's call.
    quote_spanned!(span=> ::tapeless::__private::rules::#f(#(#args,)* #y))
}

/// What a branch yields for `out`: its names, an owned array (`Vec`, `[T; N]`, one made anew in
/// place by `Op::Refill`) as a copy, since it stays readable after the branch (the top-level
/// array whose adjoint and tangent are declared from it, a zero tangent made from it).
pub fn branch_yields(input: &Input, out: &[Value]) -> Vec<TokenStream> {
    out.iter()
        .map(|v| {
            let i = v.ident();
            if owned_array(input, *v) {
                quote!(::core::clone::Clone::clone(&#i))
            } else if is_heap(input, *v) {
                let p = private();
                quote!(#p::owned(#i))
            } else {
                quote!(#i)
            }
        })
        .collect()
}

/// The names an `if` binds `results` to (`name`), and the lines after it. A `DVector`/`DMatrix`
/// is read through references to an owner, and an owner made in a branch ends with it: each
/// branch yields it owned ([`branch_yields`]), the `if` binds it to an owner of its own (`owner`),
/// and its name borrows that.
pub fn merged_names(
    input: &Input,
    results: &[Value],
    name: fn(Value) -> syn::Ident,
    owner: fn(Value) -> syn::Ident,
) -> (Vec<TokenStream>, TokenStream) {
    let mut after = TokenStream::new();
    let pattern = results
        .iter()
        .map(|v| {
            let n = name(*v);
            if is_heap(input, *v) {
                let o = owner(*v);
                after.extend(quote!(let #n = &#o;));
                o.into_token_stream()
            } else {
                n.into_token_stream()
            }
        })
        .collect();
    (pattern, after)
}

/// An array held by value (not a slice, which is a copied reference, nor a record).
pub fn owned_array(input: &Input, v: Value) -> bool {
    matches!(input.f.info(v).kind, Kind::Array(crate::ir::ArrayKind::Vec | crate::ir::ArrayKind::Fixed))
}

/// `let (pattern..) = if cond { then_code (then_items..) } else { else_code (else_items..) };`:
/// the shape both emitters give an `if`, whose branches yield their merged values (and, per
/// mode, tangents or the trace).
pub struct IfLet {
    pub pattern: Vec<TokenStream>,
    pub then_code: TokenStream,
    pub then_items: Vec<TokenStream>,
    pub else_code: TokenStream,
    pub else_items: Vec<TokenStream>,
    /// Lines after the `if`: names borrowing the owners the pattern binds ([`merged_names`]).
    pub after: TokenStream,
}

impl IfLet {
    pub fn emit(self, cond: Value, span: Span) -> TokenStream {
        let IfLet { pattern, then_code, then_items, else_code, else_items, after } = self;
        let cond = cond.ident();
        quote_spanned!(span=>
            let (#(#pattern,)*) = if #cond { #then_code (#(#then_items,)*) } else { #else_code (#(#else_items,)*) };
            #after
        )
    }
}

/// The primal arguments of a call: `&__v3` for an array passed by reference; a `DVector` or
/// `DMatrix` (held by reference) as it is when written `&m`, else a copy the callee owns.
pub fn call_args(input: &Input, args: &[Value], borrowed: &[bool]) -> Vec<TokenStream> {
    args.iter()
        .enumerate()
        .map(|(i, v)| {
            let record = input.f.info(*v).kind == Kind::Array(crate::ir::ArrayKind::Record);
            let (borrow, heap, v) =
                (borrowed.get(i).copied().unwrap_or(false), is_heap(input, *v), v.ident());
            match (borrow, heap) {
                (true, true) => quote!(#v),
                (true, false) => quote!(&#v),
                (false, true) => quote!(::core::clone::Clone::clone(#v)),
                // A struct passed by value may be read again (its fields, the reverse sweep's
                // zero): the callee gets a copy (a `Copy` struct's is free).
                (false, false) if record => quote!(::core::clone::Clone::clone(&#v)),
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
pub fn map_gradient_parts(input: &Input, args: &[Value]) -> Vec<Option<TokenStream>> {
    let floats: Vec<bool> =
        args.iter().enumerate().map(|(i, v)| i == 0 || input.f.info(*v).kind == Kind::Float).collect();
    let count = floats.iter().filter(|f| **f).count();
    let mut k = 0;
    floats
        .into_iter()
        .map(|float| {
            float.then(|| {
                let index = syn::Index::from(k);
                k += 1;
                if count == 1 { quote!(.1) } else { quote!(.1.#index) }
            })
        })
        .collect()
}
