//! Emitters: IR to Rust. `forward` writes `NAME_jvp`; `reverse` writes `NAME_vjp` and
//! `NAME_grad`. This module holds what both share: names, the primal of each instruction and
//! the attributes of generated items; `calls` the calls of generated siblings (tangent slots,
//! arguments, where a pullback is made); `owners` how values that are not `Copy` are held and
//! cross loop and branch edges.
//!
//! Names in emitted code (all mixed-site hygienic, so they never meet the user's):
//! `__v3` primal value, `__t3` its tangent, `__a3` its adjoint, `__pb3` the pullback of the call
//! defining `v3`, `__If7` the enum recording which branch of the `if` with trace `v7` ran.

mod calls;
pub mod forward;
pub mod inline;
mod owners;
mod parens;
pub mod reverse;
pub mod scopes;
mod segments;
pub mod term;
pub mod tokens;

pub use calls::*;
pub use owners::*;

use std::collections::HashMap;

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};

use crate::analysis::activity::Activity;
use crate::ir::{ArrayInit, Form, Function, Inst, Kind, Op, Term, Tree, Value};
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
    match tokens.clone().into_iter().next() {
        Some(proc_macro2::TokenTree::Group(g)) => g.delimiter() == proc_macro2::Delimiter::Bracket,
        _ => vec_macro_tokens(tokens),
    }
}

/// Whether `tokens` begin `::std::vec!`.
pub fn vec_macro_tokens(tokens: &TokenStream) -> bool {
    head_is(tokens, &[":", ":", "std", ":", ":", "vec", "!"])
}

/// Whether `tokens` begin with a path from `::std` (`::std::vec![..]`, `::std::vec::Vec::new()`).
pub fn path_from_std(tokens: &TokenStream) -> bool {
    head_is(tokens, &[":", ":", "std"])
}

fn head_is(tokens: &TokenStream, head: &[&str]) -> bool {
    let words: Vec<String> = tokens.clone().into_iter().take(head.len()).map(|t| t.to_string()).collect();
    words == head
}

/// The name of a generated sibling: `f` to `f_jvp`.
pub fn sibling(ident: &syn::Ident, suffix: &str) -> syn::Ident {
    format_ident!("{}_{}", ident, suffix, span = ident.span())
}

/// How a generated item of the function `sig` calls its sibling `name` (`f_vjp`): `self.name`
/// in a method, `Self::name` in an associated function (of an `impl` block with the attribute,
/// or found in one by the prescan, `higher_order::caller_place`), `name` in a free function.
pub fn sibling_call(sig: &crate::signature::Signature, name: TokenStream) -> TokenStream {
    use crate::signature::higher_order::caller_place;
    let associated = crate::signature::siblings::self_type().is_some() || caller_place().associated();
    match (&sig.receiver, associated) {
        (Some(_), _) => quote!(self.#name),
        (None, true) => quote!(Self::#name),
        (None, false) => name,
    }
}

/// Whether the siblings of the function `sig` cannot be named: one without `self`, outside a
/// block with the attribute, whose name the prescan found both free and in an `impl` block.
pub fn sibling_place_unknown(sig: &crate::signature::Signature) -> bool {
    use crate::signature::higher_order::{Place, caller_place};
    sig.receiver.is_none()
        && crate::signature::siblings::self_type().is_none()
        && caller_place() == Place::Both
}

/// Reports the "same-name" error if the siblings that `sig`'s generated `NAME_{item}` calls
/// cannot be named ([`sibling_place_unknown`]); true if it did.
pub fn same_name_reported(
    sig: &crate::signature::Signature,
    item: &'static str,
    cx: &crate::ctxt::Ctxt,
) -> bool {
    let unknown = sibling_place_unknown(sig);
    if unknown {
        let name = sig.name.to_string();
        cx.error(
            crate::ir::Loc::of(&sig.name),
            crate::diagnostics::Diagnostic::SameName { name, option: item },
        );
    }
    unknown
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

/// Whether `v` is a `[T; N]` (not a nalgebra static vector), whose tangent a callee taking `&[T]`
/// takes as a `Vec<T>` (`emit::calls`).
pub fn fixed_array(input: &Input, v: Value) -> bool {
    input.f.info(v).kind == Kind::Array(crate::ir::ArrayKind::Fixed) && !input.static_vectors.contains(&v)
}

/// `tokens` (the value `v`, or its tangent) as an operand of arithmetic or of a rule's term: an
/// array there is a nalgebra vector built by index, owned by its slot, so it is read borrowed
/// (`(&v)`) and a later read still has it; a static one is `Copy`, and read as it is (`&v * s`
/// has no product rule).
pub fn operand(input: &Input, v: Value, tokens: impl ToTokens) -> TokenStream {
    if read_borrowed(input, v) { quote!((&#tokens)) } else { tokens.into_token_stream() }
}

/// [`operand`] as a term: `(&t)` for an array that is not a static vector.
pub fn operand_term(input: &Input, v: Value, t: crate::ir::Term) -> crate::ir::Term {
    if read_borrowed(input, v) { t.by_ref().paren() } else { t }
}

/// Whether `v` is read borrowed as an operand: an array that is not a static vector.
fn read_borrowed(input: &Input, v: Value) -> bool {
    is_array(input, v) && !input.static_vectors.contains(&v)
}

/// Whether a value is a dynamically sized matrix, held by reference (`__v3: &DMatrix<f64>`).
pub fn is_heap(input: &Input, v: Value) -> bool {
    input.f.info(v).kind == Kind::Heap
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
    if let Op::Refill { array, init: ArrayInit::Constant { tokens, .. }, .. } = &inst.op {
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
            // So is a row of a local `Vec` of `Vec`s (`vec![vec![1.0, 2.0], ..]`): a `Vec`
            // cannot be moved out of its collection either.
            if matches!(
                input.f.info(*result).kind,
                Kind::Unknown
                    | Kind::Heap
                    | Kind::Array(crate::ir::ArrayKind::Record | crate::ir::ArrayKind::Vec)
            ) {
                // An element of a local copy of a collection of records (`let d =
                // data.to_vec(); d[0].0`): cloned, since a pullback reading it through a
                // reference would borrow the copy it also owns.
                let local = input.f.info(*result).kind == Kind::Array(crate::ir::ArrayKind::Record)
                    && input.f.body.walk().into_iter().any(|i| {
                        i.results.contains(array) && matches!(i.op, Op::NewArray(ArrayInit::Copy { .. }))
                    });
                if local {
                    return quote_spanned!(span=> let #y = ::core::clone::Clone::clone(&#a #index););
                }
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
            let values = fields.iter().map(|(_, v)| {
                let i = v.ident();
                if is_array(input, *v) {
                    quote!(::core::clone::Clone::clone(&#i))
                } else {
                    returned(input, *v, i.into_token_stream())
                }
            });
            // A tuple (`lower::composition::tuple_argument`): its fields in order.
            let Some(path) = path else {
                return quote_spanned!(span=> let mut #y = (#(#values,)*););
            };
            let members = fields.iter().map(|(m, _)| m);
            return quote_spanned!(span=> let mut #y = #path { #(#members: #values),* };);
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
                        return match &**ty {
                            // A reference (`let k: &[f64] = &[1.0, -2.0];`) is `Copy`, and the
                            // annotation may coerce it: the slice of whatever it is made from
                            // (`Clone::clone(&x)` took its type from the annotation, rustc's
                            // mismatch in generated code).
                            syn::Type::Reference(r) if matches!(*r.elem, syn::Type::Slice(_)) => {
                                quote_spanned!(span=> let mut #y: #ty = &#x[..];)
                            }
                            syn::Type::Reference(_) => quote_spanned!(span=> let mut #y: #ty = #x;),
                            // A copy: the reverse sweep may read the source again (its zero
                            // adjoint), after a move it could not (rustc's E0382 in generated
                            // code, for a `Vec` a call returned in a loop).
                            _ => quote_spanned!(span=> let mut #y: #ty = ::core::clone::Clone::clone(&#x);),
                        };
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

/// One term as itself, several as a tuple (the gradient of several parameters).
pub fn tuple_or_single(mut items: Vec<Term>) -> Term {
    if items.len() == 1 { items.remove(0) } else { Term::Tuple(items) }
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

/// A tree of values as a term, each leaf mapped by `leaf` (`(a, (b, c,),)`).
pub fn tree_term(t: &Tree, leaf: &mut dyn FnMut(Value) -> Term) -> Term {
    match t {
        Tree::Leaf(v) => leaf(*v),
        Tree::Tuple(items) => Term::Tuple(items.iter().map(|t| tree_term(t, leaf)).collect()),
    }
}

/// A tree of values as what a `let` binds, each leaf's name given by `leaf`.
pub fn tree_pattern(t: &Tree, leaf: &mut dyn FnMut(Value) -> crate::ir::Pattern) -> crate::ir::Pattern {
    match t {
        Tree::Leaf(v) => leaf(*v),
        Tree::Tuple(items) => {
            crate::ir::Pattern::Tuple(items.iter().map(|t| tree_pattern(t, leaf)).collect())
        }
    }
}

/// Attributes of every generated item: generated code is not the user's to lint, and is inlined
/// across crates so composition costs no call.
pub fn attributes() -> TokenStream {
    quote! {
        #[inline]
        #[allow(dead_code, unused_variables, unused_mut, unused_assignments, unused_imports, unreachable_code, unreachable_patterns, unused_parens, unused_braces, non_snake_case, non_camel_case_types, clippy::all, clippy::pedantic, clippy::nursery)]
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
    // A function of a generic block lists the block's parameters too: those of the block with
    // the attribute being expanded (`second::block::generics`), or those the prescan read of
    // the block without it the function is in (`higher_order::caller_block_params`); where
    // neither is known, the `use<..>` would omit them, so it is not precise.
    use crate::signature::higher_order::{Place, caller_block_params, caller_place};
    use crate::signature::types::generic_names;
    let enclosing = crate::second::block::generics().map(|g| generic_names(&g)).or_else(caller_block_params);
    let unnamed_block = enclosing.is_none() && caller_place() == Place::AssociatedGeneric;
    let precise = may_copy
        && sig.receiver.is_none()
        && !mentions_self
        && !unnamed_block
        && sig.params.iter().any(copied_reference);
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
        let declared = enclosing
            .into_iter()
            .flatten()
            .chain(generic_names(generics))
            .filter_map(|name| name.parse::<TokenStream>().ok());
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

/// The name under which a generated body imports the runtime's rules (`use
/// ::tapeless::__private::rules as __tapeless_rules;`, written by the flatten pass at the top of
/// each body that calls one): `__tapeless_rules::sin_d0` is 4 tokens where the whole path is 12,
/// and a long function calls a rule about twice per statement.
pub const RULES: &str = "__tapeless_rules";

/// The statement importing the runtime's rules as [`RULES`].
pub fn rules_import() -> TokenStream {
    let alias = format_ident!("{}", RULES);
    quote!(use ::tapeless::__private::rules as #alias;)
}

/// The partial derivative `∂y/∂args[i]` of a smooth rule, as a runtime call.
pub fn partial(rule_name: &str, i: usize, args: &[Value], y: Value, span: Span) -> TokenStream {
    let f = format_ident!("{}_d{}", rule_name, i, span = span);
    let args = args.iter().map(|v| v.ident());
    let y = y.ident();
    // The path under the user's span: a type error in it points at the user's call.
    let rules = format_ident!("{}", RULES, span = span);
    quote_spanned!(span=> #rules::#f(#(#args,)* #y))
}
