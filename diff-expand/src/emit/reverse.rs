//! Reverse mode: `NAME_vjp(params...) -> (value, pullback)` and `NAME_grad(params...) ->
//! (value, gradient)`, without a tape.
//!
//! The primal sweep is the function itself, with two changes: a call of another differentiable
//! function calls its `_vjp` and keeps the pullback (`__pb5`), and an `if` whose adjoint is needed
//! records which branch ran, together with the values of that branch the adjoint reads, in a
//! small generic enum (Swift's "branching trace enum"):
//!
//! ```text
//! let (__v9, __v10) = if __v2 { ...; (__v5, __If10::Then(__v4, __v5)) }
//!                     else    { ...; (__v7, __If10::Else(__v6)) };
//! ```
//!
//! The adjoint sweep (the pullback's body) visits instructions in reverse. Adjoints are
//! symbolic zeros until the first contribution, which declares `let mut __a3 = contribution;`;
//! later ones accumulate. A value defined outside an `if` that receives a contribution inside it
//! is declared zero just before the `match` on the trace. `_grad` is the same code with the seed
//! `1`, inlined rather than behind a closure.
//!
//! Everything the adjoint reads is a primal SSA value (immutable, so nothing is saved twice) or a
//! pullback; the closure captures exactly those by move.

use std::collections::{BTreeSet, HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::{ToTokens, format_ident, quote, quote_spanned};

use super::{
    IfLet, Input, adjoint, call_is_active, call_slots, callee, idents, partial, primal_let, private,
    pullback, tree_tokens, tuple_or_single, zero,
};
use crate::ir::{ArrayInit, Block, Carried, Form, Inst, Op, Value};
use crate::rules::Kind;
use crate::signature::tangent_type;

/// Something the adjoint sweep reads from the primal sweep.
#[derive(Copy, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
enum Slot {
    Value(Value),
    Pullback(Value),
}

impl Slot {
    fn ident(self) -> syn::Ident {
        match self {
            Slot::Value(v) => v.ident(),
            Slot::Pullback(v) => pullback(v),
        }
    }
    fn value(self) -> Value {
        match self {
            Slot::Value(v) | Slot::Pullback(v) => v,
        }
    }
}

/// Emits `_vjp` and, for a scalar result, `_grad`.
pub fn emit(input: &Input) -> TokenStream {
    let mut r = Reverse {
        input,
        live: HashSet::new(),
        reads: Vec::new(),
        arm_defs: Vec::new(),
        predeclare: Vec::new(),
        saved: HashMap::new(),
        stacks: HashMap::new(),
        order: Order::of(&input.f.body),
        fresh: 0,
        maybe_zero: HashSet::new(),
        from_maybe_zero: false,
        filled: HashMap::new(),
        hoisted: HashMap::new(),
    };

    // Adjoint sweep first: it decides what each branch must save for it.
    let mut seed_pattern_leaves = Vec::new();
    let mut adjoint_code = TokenStream::new();
    let mut leaf = 0usize;
    let seed_pattern = tree_tokens(&input.f.output, &mut |v| {
        let c = format_ident!("__c{}", leaf, span = proc_macro2::Span::mixed_site());
        leaf += 1;
        seed_pattern_leaves.push((v, c.clone()));
        quote!(#c)
    });
    // Arrays are mutable: their adjoints are declared (zero) up front, updated in place. The
    // declarations are written once the sweep is known (`array_adjoints`).
    let arrays: Vec<Value> = input
        .f
        .body
        .insts
        .iter()
        .flat_map(|inst| &inst.results)
        .copied()
        .filter(|v| super::is_array(input, *v) && input.act.active(*v) && !input.summed.contains_key(v))
        .collect();
    r.live.extend(arrays.iter().copied());
    for (v, c) in &seed_pattern_leaves {
        if input.act.active(*v) {
            adjoint_code.extend(r.contribute(*v, quote!(#c)));
        }
    }
    adjoint_code.extend(r.block(&input.f.body));
    // `_grad` lets a dead array's adjoint take its storage; the pullback of `_vjp` does not, so
    // that it holds only what its sweep reads between the two calls.
    let with_arrays = |reuse: bool| {
        let mut code = array_adjoints(input, &arrays, &adjoint_code, reuse);
        code.extend(adjoint_code.clone());
        code
    };
    let (grad_code, adjoint_code) = (with_arrays(true), with_arrays(false));
    let gradient: Vec<TokenStream> = input
        .f
        .body
        .insts
        .iter()
        .filter_map(|inst| match inst.op {
            Op::Param(i) if input.sig.params.get(i).is_some_and(|p| p.wrt) => inst.results.first().copied(),
            _ => None,
        })
        .map(|v| {
            if r.live.contains(&v) {
                let a = adjoint(v);
                quote!(#a)
            } else {
                zero(v)
            }
        })
        .collect();
    let gradient = tuple_or_single(gradient);

    // Then the primal sweep, with the trace enums it needs.
    let mut enums = TokenStream::new();
    let primal = r.primal_block(&input.f.body, &mut enums);

    let item = input.item;
    let sig = input.sig;
    let (vis, generics, where_clause) = (&item.vis, &item.sig.generics, &item.sig.generics.where_clause);
    let receiver = super::receiver(sig);
    let params = super::primal_params(sig);
    let output = &sig.output;
    let cotangent = tangent_type(output);
    let gradient_type = sig.gradient_type();
    let items = input.items;
    let value = tree_tokens(&input.f.output, &mut |v| {
        let i = v.ident();
        quote!(#i)
    });
    // The pullback may read an array the function returns: return a copy.
    let returned = tree_tokens(&input.f.output, &mut |v| {
        let i = v.ident();
        if super::is_array(input, v) {
            quote!(::core::clone::Clone::clone(&#i))
        } else {
            super::returned(input, v, quote!(#i))
        }
    });
    let rebind = rebind_heap(input);
    let attrs = super::attributes();
    let p = private();
    let capture = if sig.receiver.as_ref().is_some_and(|r| r.reference.is_some()) {
        quote!(+ '_)
    } else {
        TokenStream::new()
    };
    let fn_name = &item.sig.ident;
    let vjp = super::sibling(fn_name, "vjp");
    let vjp_doc = format!(
        " Reverse mode (VJP) of `{fn_name}`, generated by `#[differentiable]`: returns the value and \
         its pullback, which maps a cotangent of the result to the cotangents of the differentiated \
         parameters. Call the pullback once; it holds no tape, only the values it needs."
    );
    let mut out = quote! {
        #[doc = #vjp_doc]
        #attrs
        #vis fn #vjp #generics (#receiver #(#params),*) -> (#output, impl ::core::ops::FnOnce(#cotangent) -> #gradient_type #capture) #where_clause {
            #(#items)*
            #enums
            #primal
            (#returned, move |__ct: #cotangent| {
                #rebind
                let #seed_pattern = __ct;
                #adjoint_code
                #gradient
            })
        }
    };
    if !sig.scalar_output() {
        out.extend(non_scalar_grad(input));
    } else {
        let grad = super::sibling(fn_name, "grad");
        let grad_doc = format!(
            " Gradient of `{fn_name}`, generated by `#[differentiable]`: returns the value and the \
             derivative with respect to each differentiated parameter (reverse mode, seed `1`)."
        );
        out.extend(quote! {
            #[doc = #grad_doc]
            #attrs
            #vis fn #grad #generics (#receiver #(#params),*) -> (#output, #gradient_type) #where_clause {
                #(#items)*
                #enums
                #primal
                let __ct = #p::seed_one(&#value);
                let #seed_pattern = __ct;
                #grad_code
                (#value, #gradient)
            }
        });
    }
    out
}

struct Reverse<'a> {
    input: &'a Input<'a>,
    /// Values whose adjoint variable is declared in the current scope.
    live: HashSet<Value>,
    /// Per `if` arm being emitted (innermost last): the slots its adjoint reads.
    reads: Vec<BTreeSet<Slot>>,
    /// Per arm: the values it defines.
    arm_defs: Vec<HashSet<Value>>,
    /// Per arm: values defined outside it that it contributes to while their adjoint is still
    /// zero; they are declared before the `match`.
    predeclare: Vec<BTreeSet<Value>>,
    /// Per `if` trace: the slots saved by the then and the else branch.
    saved: HashMap<Value, [Vec<Slot>; 2]>,
    /// Per loop (by its index variable): the slots pushed on its stack each iteration.
    stacks: HashMap<Value, Vec<Slot>>,
    /// Program order of instructions (pre-order), for deciding what a loop may recompute.
    order: Order,
    /// Counter for temporaries.
    fresh: usize,
    /// Values whose adjoint may be exactly zero at run time although contributions exist in
    /// the code (declared zero before a branch or loop, taken from an overwritten element, carried
    /// out of a loop whose result nothing used). Their nonlinear rules other than products
    /// multiply with a strong zero (`0 * partial = 0` even where the partial is NaN or
    /// infinite, as at `sqrt(-1)` in a branch that did not run), as hand-written code that never
    /// evaluates that partial would.
    maybe_zero: HashSet<Value>,
    /// The adjoint being propagated is maybe-zero.
    from_maybe_zero: bool,
    /// Matrix products whose only use is `.sum()`: their adjoint is the sum's cotangent in every
    /// entry, kept as that scalar (`__fill3`) instead of a filled matrix (`Reverse::fills`).
    filled: HashMap<Value, syn::Ident>,
    /// Loads in a loop body at an index the loop does not change (`x[i]` in a loop over `j`),
    /// keyed by array and index: their contributions add into a scalar (`__hoist2`) that is
    /// added into the array's adjoint once, after the backward loop (`Reverse::hoist_loads`).
    hoisted: HashMap<(Value, Vec<Value>), syn::Ident>,
}

impl Reverse<'_> {
    fn read(&mut self, slot: Slot) -> syn::Ident {
        if let Some(set) = self.reads.last_mut() {
            set.insert(slot);
        }
        slot.ident()
    }

    fn zero(&mut self, v: Value) -> TokenStream {
        self.read(Slot::Value(v));
        zero(v)
    }

    /// `ā += expr`, declaring `ā` at the first contribution.
    fn contribute(&mut self, v: Value, expr: TokenStream) -> TokenStream {
        if self.from_maybe_zero {
            self.maybe_zero.insert(v);
        }
        let a = adjoint(v);
        let p = private();
        // A dynamically sized matrix's adjoint is owned; a contribution may be a reference
        // (`ȳ` of `a + b`), which `+=` and `owned` accept as well as an owned value.
        let heap = super::is_heap(self.input, v);
        let add = if heap { quote!(#a += #expr;) } else { quote!(#p::accumulate(&mut #a, #expr);) };
        if self.live.contains(&v) {
            return add;
        }
        self.live.insert(v);
        match self.arm_defs.last() {
            Some(defs) if !defs.contains(&v) => {
                if let Some(set) = self.predeclare.last_mut() {
                    set.insert(v);
                }
                add
            }
            _ if heap => quote!(let mut #a = #p::owned(#expr);),
            _ => quote!(let mut #a = #expr;),
        }
    }

    /// Whether `m` of `m.sum()` is a product only summed (`summed_product`), whose adjoint can
    /// stay a scalar.
    fn fills(&self, m: Value) -> bool {
        super::summed_product(self.input, m).is_some() && !self.live.contains(&m)
    }

    /// Makes `v̄` exist, zero, without contributing to it, for an update in place
    /// (`v̄[i] += ȳ`): declared here, or before the enclosing branch or loop if `v` is defined
    /// outside it.
    fn declare(&mut self, v: Value) -> TokenStream {
        if !self.live.insert(v) {
            return TokenStream::new();
        }
        match self.arm_defs.last() {
            Some(defs) if !defs.contains(&v) => {
                if let Some(set) = self.predeclare.last_mut() {
                    set.insert(v);
                }
                TokenStream::new()
            }
            _ => {
                let (a, z) = (adjoint(v), self.zero(v));
                quote!(let mut #a = #z;)
            }
        }
    }

    fn block(&mut self, b: &Block) -> TokenStream {
        b.insts.iter().rev().map(|inst| self.inst(inst)).collect()
    }

    fn inst(&mut self, inst: &Inst) -> TokenStream {
        self.from_maybe_zero = inst.results.iter().any(|r| self.maybe_zero.contains(r));
        let out = self.inst_adjoint(inst);
        self.from_maybe_zero = false;
        out
    }

    fn inst_adjoint(&mut self, inst: &Inst) -> TokenStream {
        let act = self.input.act;
        let span = inst.span.span();
        match &inst.op {
            Op::Prim { rule, args, form } => self.prim_adjoint(inst, rule, args, form),
            Op::Call { callee: c, args, shape, borrowed } => {
                if !inst.results.iter().any(|r| self.live.contains(r)) || !call_is_active(self.input, inst) {
                    return TokenStream::new();
                }
                let cotangent = tree_tokens(shape, &mut |r| {
                    if self.live.contains(&r) { adjoint(r).into_token_stream() } else { self.zero(r) }
                });
                let first = inst.results[0];
                let pb = if borrowed.iter().any(|b| *b) {
                    // A pullback borrowing a local array cannot be kept beside it: the callee's
                    // reverse mode runs here instead (the array is unchanged since, checked).
                    for a in args {
                        self.read(Slot::Value(*a));
                    }
                    let (f, call_args, pb) =
                        (callee(c, "vjp"), super::call_args(self.input, args, borrowed), pullback(first));
                    quote_spanned!(span=> let (_, #pb) = #f(#(#call_args),*);)
                } else {
                    TokenStream::new()
                };
                let pb_ident = if pb.is_empty() { self.read(Slot::Pullback(first)) } else { pullback(first) };
                let pb_code = pb;
                let pb = pb_ident;
                let slots = call_slots(self.input, c, args);
                let names: Vec<syn::Ident> = (0..slots.len())
                    .map(|i| format_ident!("__c{}_{}", first.0, i, span = proc_macro2::Span::mixed_site()))
                    .collect();
                let pattern = tuple_or_single(names.iter().map(|n| quote!(#n)).collect());
                let mut out = quote_spanned!(span=> #pb_code let #pattern = #pb(#cotangent););
                for (v, n) in slots.iter().zip(&names) {
                    if act.active(*v) {
                        out.extend(self.contribute(*v, quote!(#n)));
                    }
                }
                out
            }
            Op::If { then_block, else_block, then_out, else_out, trace, .. } => {
                let live_phis: Vec<usize> =
                    (0..inst.results.len()).filter(|i| self.live.contains(&inst.results[*i])).collect();
                // Nothing to do only if no merged value needs an adjoint and neither branch writes
                // an active array.
                if live_phis.is_empty() && !has_adjoint(then_block, act) && !has_adjoint(else_block, act) {
                    return TokenStream::new();
                }
                let before = self.live.clone();
                let (then_code, then_saved, then_pre) =
                    self.arm(then_block, &live_phis, &inst.results, then_out);
                self.live.clone_from(&before);
                let (else_code, else_saved, else_pre) =
                    self.arm(else_block, &live_phis, &inst.results, else_out);
                self.live = before;
                let mut out = TokenStream::new();
                for v in then_pre.union(&else_pre) {
                    let declared_here = self.arm_defs.last().is_none_or(|defs| defs.contains(v));
                    if declared_here {
                        let a = adjoint(*v);
                        let z = self.zero(*v);
                        out.extend(quote!(let mut #a = #z;));
                    } else if let Some(set) = self.predeclare.last_mut() {
                        set.insert(*v);
                    }
                    self.live.insert(*v);
                    self.maybe_zero.insert(*v);
                }
                let t = self.read(Slot::Value(*trace));
                let ty = trace_enum(*trace);
                let (ts, es) = (then_saved.iter().map(|s| s.ident()), else_saved.iter().map(|s| s.ident()));
                out.extend(quote_spanned!(span=> match #t {
                    #ty::Then(#(#ts),*) => { #then_code }
                    #ty::Else(#(#es),*) => { #else_code }
                }));
                self.saved.insert(*trace, [then_saved, else_saved]);
                out
            }
            Op::Load { array, index } => {
                let Some(&y) = inst.results.first() else { return TokenStream::new() };
                if !self.live.contains(&y) || !act.active(*array) {
                    return TokenStream::new();
                }
                for i in index {
                    self.read(Slot::Value(*i));
                }
                let (a, ybar, p) = (adjoint(*array), adjoint(y), private());
                if let Some(h) = self.hoisted.get(&(*array, index.clone())) {
                    return quote_spanned!(span=> #p::accumulate(&mut #h, #ybar););
                }
                let index = super::index_tokens(index);
                quote_spanned!(span=> #p::accumulate(&mut #a #index, #ybar);)
            }
            Op::Store { array, index, value } => {
                if !act.active(*array) {
                    return TokenStream::new();
                }
                if self.input.summed.contains_key(array) {
                    // Stored once, summed once (`emit::summed_arrays`): the element's adjoint is
                    // the sum's cotangent, kept as one scalar.
                    let fill = super::fill(*array);
                    if !act.active(*value) {
                        return TokenStream::new();
                    }
                    self.from_maybe_zero = true;
                    return self.contribute(*value, quote!(#fill));
                }
                for i in index {
                    self.read(Slot::Value(*i));
                }
                let (a, index, p) = (adjoint(*array), super::index_tokens(index), private());
                // The overwritten element's adjoint moves to the stored value; the element
                // before the store starts from zero.
                let taken = format_ident!("__taken{}", self.fresh, span = proc_macro2::Span::mixed_site());
                self.fresh += 1;
                let mut out = quote_spanned!(span=> let #taken = #p::take(&mut #a #index););
                if act.active(*value) {
                    self.from_maybe_zero = true;
                    out.extend(self.contribute(*value, quote!(#taken)));
                }
                out
            }
            Op::NewArray(init) => {
                let Some(&a) = inst.results.first() else { return TokenStream::new() };
                if !act.active(a) {
                    return TokenStream::new();
                }
                let abar = adjoint(a);
                match init {
                    ArrayInit::Elements { elements, .. } => {
                        let mut out = TokenStream::new();
                        for (k, e) in elements.iter().enumerate() {
                            if act.active(*e) {
                                let k = syn::Index::from(k);
                                self.from_maybe_zero = true;
                                out.extend(self.contribute(*e, quote!(#abar[#k])));
                            }
                        }
                        out
                    }
                    ArrayInit::Copy { source, .. } if act.active(*source) => {
                        self.contribute(*source, quote!(#abar))
                    }
                    _ => TokenStream::new(),
                }
            }
            Op::For { .. } | Op::Loop { .. } => self.adjoint_for(inst),
            Op::Field { base, member, .. } => {
                let Some(&f) = inst.results.first() else { return TokenStream::new() };
                if !self.live.contains(&f) || !act.active(*base) {
                    return TokenStream::new();
                }
                let (ab, af, p) = (adjoint(*base), adjoint(f), private());
                let param = self
                    .input
                    .f
                    .body
                    .insts
                    .iter()
                    .any(|i| matches!(i.op, Op::Param(_)) && i.results.contains(base));
                if param && only_fields_read(&self.input.f.body, *base) {
                    // The field's only contribution (a parameter's fields are read once, and
                    // the record reaches no call): it replaces the zero instead of a pass adding
                    // to it. (A struct built in the body may have a field read several times.)
                    return quote_spanned!(span=> #ab.#member = #af;);
                }
                quote_spanned!(span=> #p::accumulate(&mut #ab.#member, #af);)
            }
            Op::Construct { fields, .. } => {
                let Some(&r) = inst.results.first() else { return TokenStream::new() };
                let abar = adjoint(r);
                let mut out = TokenStream::new();
                for (m, v) in fields.iter().filter(|(_, v)| act.active(*v)) {
                    // Each field's adjoint moves out of the record's (read once per field).
                    self.from_maybe_zero = true;
                    out.extend(self.contribute(*v, quote_spanned!(span=> #abar.#m)));
                }
                out
            }
            Op::Param(_) | Op::Lit(_) | Op::Opaque { .. } | Op::NoGrad(_) | Op::Error => TokenStream::new(),
        }
    }

    /// The adjoint of a primitive, by its rule's kind.
    fn prim_adjoint(
        &mut self,
        inst: &Inst,
        rule: &crate::rules::Rule,
        args: &[Value],
        form: &Form,
    ) -> TokenStream {
        let act = self.input.act;
        let span = inst.span.span();
        let Some(&y) = inst.results.first() else {
            return TokenStream::new();
        };
        if let (crate::rules::Kind::Sum, Some(&m)) = (&rule.kind, args.first())
            && self.input.summed.get(&m) == Some(&y)
        {
            // `m.iter().sum()` of an array only summed (`emit::summed_arrays`): its adjoint is
            // this cotangent in every element, kept as one scalar the stores read.
            return self.declare_fill(m, y);
        }
        if !self.live.contains(&y) {
            return TokenStream::new();
        }
        let ybar = adjoint(y);
        let active = |i: usize| args.get(i).copied().filter(|v| act.active(*v));
        let mut out = TokenStream::new();
        if let Some(fill) = self.filled.get(&y).cloned() {
            // `ȳ` is `fill` in every entry: `ā = fill 𝟙 (row sums of b)ᵀ`, `b̄ = fill (column
            // sums of a) 𝟙ᵀ`, without forming `ȳ`.
            let (a, b, p) = (self.read(Slot::Value(args[0])), self.read(Slot::Value(args[1])), private());
            if let Some(xa) = active(0) {
                out.extend(self.contribute(xa, quote_spanned!(span=> #p::filled_product_lhs(#fill, #a, #b))));
            }
            if let Some(za) = active(1) {
                out.extend(self.contribute(za, quote_spanned!(span=> #p::filled_product_rhs(#fill, #a, #b))));
            }
            return out;
        }
        if super::is_heap(self.input, y) {
            // Complete now: the rule reads it (maybe twice) through a reference.
            out.extend(quote!(let #ybar = &#ybar;));
        }
        match &rule.kind {
            Kind::Add | Kind::Identity => {
                for a in (0..args.len()).filter_map(active) {
                    // `let y: DVector<f64> = g(..)`: the call's result is owned, `ȳ` a reference.
                    let term = if super::is_heap(self.input, y) && !super::is_heap(self.input, a) {
                        let p = private();
                        quote!(#p::owned(#ybar))
                    } else {
                        quote!(#ybar)
                    };
                    out.extend(self.contribute(a, term));
                }
            }
            Kind::Sub => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, quote!(#ybar)));
                }
                if let Some(b) = active(1) {
                    out.extend(self.contribute(b, quote_spanned!(span=> -#ybar)));
                }
            }
            Kind::Neg => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, quote_spanned!(span=> -#ybar)));
                }
            }
            Kind::CastFloat => {
                if let (Some(a), Form::Cast(_)) = (active(0), form) {
                    let x = self.read(Slot::Value(a));
                    let p = private();
                    out.extend(self.contribute(a, quote_spanned!(span=> #p::cast_like(#ybar, &#x))));
                }
            }
            Kind::Smooth { partials } => {
                for i in (0..args.len()).filter(|i| partials.get(*i) == Some(&true)) {
                    let Some(a) = active(i) else { continue };
                    for v in args.iter().chain([&y]) {
                        self.read(Slot::Value(*v));
                    }
                    let d = partial(rule.name, i, args, y, span);
                    // `mul_add` needs no guard: its partials are its operands, finite
                    // wherever the values themselves are (products are `Kind::Product`).
                    let guard = self.maybe_zero.contains(&y) && rule.name != "mul_add";
                    let term = if guard {
                        let p = private();
                        quote_spanned!(span=> #p::mul_adjoint(#d, #ybar))
                    } else {
                        quote_spanned!(span=> #d * #ybar)
                    };
                    out.extend(self.contribute(a, term));
                }
            }
            Kind::Product | Kind::Quotient => {
                let (x, z) = (args[0], args[1]);
                let (a, b, yv) = (self.read(Slot::Value(x)), self.read(Slot::Value(z)), y.ident());
                let quotient = matches!(rule.kind, Kind::Quotient);
                if quotient {
                    self.read(Slot::Value(y));
                }
                // The whole path under the user's span: a combination of types without an
                // adjoint is reported at the product, not at the attribute.
                if let Some(xa) = active(0) {
                    let term = if quotient {
                        quote_spanned!(span=> ::tapeless::__private::quotient_lhs(#ybar, &#a, #b))
                    } else {
                        quote_spanned!(span=> ::tapeless::__private::product_lhs(#ybar, #a, #b))
                    };
                    out.extend(self.contribute(xa, term));
                }
                if let Some(za) = active(1) {
                    let term = if quotient {
                        quote_spanned!(span=> ::tapeless::__private::quotient_rhs(#ybar, &#a, #yv, #b))
                    } else {
                        quote_spanned!(span=> ::tapeless::__private::product_rhs(#ybar, #a, #b))
                    };
                    out.extend(self.contribute(za, term));
                }
            }
            Kind::Assemble => {
                // The entries were given row by row; a vector is the one-column case.
                let columns = match form {
                    Form::Path(p) => p
                        .segments
                        .iter()
                        .rev()
                        .nth(1)
                        .and_then(|s| crate::signature::alias_columns(&s.ident.to_string())),
                    _ => None,
                };
                for i in 0..args.len() {
                    if let Some(a) = active(i) {
                        let entry = match columns {
                            Some(c) if c > 1 => {
                                let (r, c) = (syn::Index::from(i / c), syn::Index::from(i % c));
                                quote_spanned!(span=> #ybar[(#r, #c)])
                            }
                            _ => {
                                let k = syn::Index::from(i);
                                quote_spanned!(span=> #ybar[#k])
                            }
                        };
                        out.extend(self.contribute(a, entry));
                    }
                }
            }
            Kind::Normalize => {
                if let Some(x) = active(0) {
                    let (v, yv) = (self.read(Slot::Value(x)), self.read(Slot::Value(y)));
                    let term = quote_spanned!(span=> (#ybar - #yv * #yv.dot(&#ybar)) / #v.norm());
                    out.extend(self.contribute(x, term));
                }
            }
            Kind::Cross => {
                let (x, z) = (args[0], args[1]);
                let (a, b) = (self.read(Slot::Value(x)), self.read(Slot::Value(z)));
                if let Some(xa) = active(0) {
                    out.extend(self.contribute(xa, quote_spanned!(span=> #b.cross(&#ybar))));
                }
                if let Some(za) = active(1) {
                    out.extend(self.contribute(za, quote_spanned!(span=> #ybar.cross(&#a))));
                }
            }
            Kind::Entry => {
                if let (Some(a), Form::Index(_)) = (active(0), form) {
                    for i in &args[1..] {
                        self.read(Slot::Value(*i));
                    }
                    let k = form.index(args);
                    if super::is_heap(self.input, a) {
                        // In place: one entry, not a matrix per read (`v[i]` in a loop).
                        out.extend(self.declare(a));
                        let abar = adjoint(a);
                        out.extend(quote_spanned!(span=> #abar[#k] += #ybar;));
                    } else {
                        let e = format_ident!("__entry", span = proc_macro2::Span::mixed_site());
                        let zero = self.zero(a);
                        let term = quote_spanned!(span=> { let mut #e = #zero; #e[#k] = #ybar; #e });
                        out.extend(self.contribute(a, term));
                    }
                }
            }
            Kind::Part => {
                if let Some(a) = active(0) {
                    let j = self.read(Slot::Value(args[1]));
                    out.extend(self.declare(a));
                    let (abar, part) = (adjoint(a), format_ident!("{}_mut", rule.name));
                    let view = format_ident!("__part", span = proc_macro2::Span::mixed_site());
                    out.extend(quote_spanned!(span=> { let mut #view = #abar.#part(#j); #view += #ybar; }));
                }
            }
            Kind::Fill => {
                if let Some(x) = args.last().copied().filter(|v| act.active(*v)) {
                    out.extend(self.contribute(x, quote_spanned!(span=> #ybar.sum())));
                }
            }
            Kind::Transpose => {
                if let Some(a) = active(0) {
                    out.extend(self.contribute(a, quote_spanned!(span=> #ybar.transpose())));
                }
            }
            Kind::Dot | Kind::ComponentMul => {
                let (x, z) = (args[0], args[1]);
                let (a, b) = (self.read(Slot::Value(x)), self.read(Slot::Value(z)));
                let dot = matches!(rule.kind, Kind::Dot);
                if let Some(xa) = active(0) {
                    let term = if dot {
                        quote_spanned!(span=> #b * #ybar)
                    } else {
                        quote_spanned!(span=> #ybar.component_mul(&#b))
                    };
                    out.extend(self.contribute(xa, term));
                }
                if let Some(za) = active(1) {
                    let term = if dot {
                        quote_spanned!(span=> #a * #ybar)
                    } else {
                        quote_spanned!(span=> #ybar.component_mul(&#a))
                    };
                    out.extend(self.contribute(za, term));
                }
            }
            Kind::ComponentDiv => {
                let b = self.read(Slot::Value(args[1]));
                if let Some(xa) = active(0) {
                    out.extend(self.contribute(xa, quote_spanned!(span=> #ybar.component_div(&#b))));
                }
                if let Some(za) = active(1) {
                    let yv = self.read(Slot::Value(y));
                    let term = quote_spanned!(span=> -#ybar.component_mul(&#yv).component_div(&#b));
                    out.extend(self.contribute(za, term));
                }
            }
            Kind::NormSquared | Kind::Norm => {
                if let Some(x) = active(0) {
                    let a = self.read(Slot::Value(x));
                    let term = if matches!(rule.kind, Kind::Norm) {
                        let yv = self.read(Slot::Value(y));
                        quote_spanned!(span=> #a * (#ybar / #yv))
                    } else {
                        quote_spanned!(span=> #a * (#ybar + #ybar))
                    };
                    out.extend(self.contribute(x, term));
                }
            }
            Kind::AddScalar => {
                if let Some(m) = active(0) {
                    out.extend(self.contribute(m, quote!(#ybar)));
                }
                if let Some(s) = active(1) {
                    out.extend(self.contribute(s, quote_spanned!(span=> #ybar.sum())));
                }
            }
            Kind::Map if self.saves_map_derivative(inst) => {
                if let Some(x) = active(0) {
                    let d = derivative(y);
                    out.extend(self.contribute(x, quote_spanned!(span=> #d.component_mul(#ybar))));
                }
            }
            Kind::Map => {
                if let (Some(x), Form::Map(f)) = (active(0), form) {
                    let (a, grad) = (self.read(Slot::Value(x)), super::sibling(f, "grad"));
                    let term = quote_spanned!(span=> #a.zip_map(&#ybar, |__e, __y| #grad(__e).1 * __y));
                    out.extend(self.contribute(x, term));
                }
            }
            Kind::SumEntries if active(0).is_some_and(|a| self.fills(a)) => {
                let a = args[0];
                let fill = super::fill(a);
                out.extend(quote_spanned!(span=> let #fill = #ybar;));
                self.filled.insert(a, fill);
                self.live.insert(a);
            }
            Kind::SumEntries => {
                if let Some(a) = active(0) {
                    let (x, p) = (self.read(Slot::Value(a)), private());
                    out.extend(self.contribute(a, quote_spanned!(span=> #p::filled_like(&#x, #ybar))));
                }
            }
            Kind::Sum => {
                if let Some(a) = active(0) {
                    let (abar, p) = (adjoint(a), private());
                    out.extend(quote_spanned!(span=> #p::add_to_each(&mut #abar, #ybar);));
                }
            }
            Kind::NonDifferentiable(_) | Kind::Predicate | Kind::Shape => {}
        }
        out
    }

    /// The adjoint of a loop: the iterations in reverse. Each backward iteration first gets back
    /// the values its adjoint reads, popping from the loop's stack what cannot be recomputed
    /// (values carried from the previous iteration, loads from arrays written later, branch
    /// traces, pullbacks) and recomputing the rest (arithmetic on the index, loop-invariant
    /// values and arrays not written since). The carried variables' adjoints flow from one
    /// backward iteration to the previous one through `__acarryN`.
    fn adjoint_for(&mut self, inst: &Inst) -> TokenStream {
        // A `for` loop is keyed by its index variable, a `while`/`loop` by its iteration count.
        let (key, index_var, body, carried) = match &inst.op {
            Op::For { var, body, carried, .. } => (*var, Some(*var), body, carried),
            Op::Loop { count, body, carried, .. } => (*count, None, body, carried),
            _ => return TokenStream::new(),
        };
        let act = self.input.act;
        if let Some(m) = inst.results.first().and_then(|t| super::summed_by(self.input, *t)) {
            return self.summed_loop(inst, m, carried);
        }
        let span = inst.span.span();
        let live_exit = inst.results.iter().any(|r| self.live.contains(r));
        if !live_exit && !has_adjoint(body, act) {
            return TokenStream::new();
        }
        let active: Vec<(&Carried, Value)> = carried
            .iter()
            .zip(inst.results.iter().copied())
            .filter(|(c, r)| act.active(c.header) || act.active(*r))
            .collect();

        let mut defs: HashSet<Value> = body_defs(body);
        defs.extend(index_var);
        defs.extend(carried.iter().map(|c| c.header));
        self.reads.push(BTreeSet::new());
        self.arm_defs.push(defs.clone());
        self.predeclare.push(BTreeSet::new());
        let before = self.live.clone();
        let mut code = TokenStream::new();
        for (c, exit) in &active {
            if act.active(c.next) {
                let acarry = adjoint_carry(c.header);
                // Structurally zero when nothing after the loop uses the variable.
                self.from_maybe_zero = !self.live.contains(exit) || self.maybe_zero.contains(exit);
                code.extend(self.contribute(c.next, quote!(#acarry)));
                self.from_maybe_zero = false;
            }
        }
        let hoisted = self.hoist_loads(body, &defs);
        code.extend(self.block(body));
        for (c, _) in &active {
            let acarry = adjoint_carry(c.header);
            let value = if self.live.contains(&c.header) {
                adjoint(c.header).into_token_stream()
            } else {
                self.zero(c.init)
            };
            code.extend(quote!(#acarry = #value;));
        }
        let reads = self.reads.pop().unwrap_or_default();
        self.arm_defs.pop();
        let pre = self.predeclare.pop().unwrap_or_default();
        self.live = before;

        // What the backward iteration needs: recomputed or popped.
        let headers: HashSet<Value> = carried.iter().map(|c| c.header).collect();
        let loop_seq = self.order.seq(key);
        let mut recompute = BTreeSet::new();
        let mut stack = Vec::new();
        let mut work: Vec<Slot> = reads.iter().copied().collect();
        let mut seen = HashSet::new();
        while let Some(slot) = work.pop() {
            if !seen.insert(slot) {
                continue;
            }
            if !defs.contains(&slot.value()) {
                if let Some(parent) = self.reads.last_mut() {
                    parent.insert(slot);
                }
                continue;
            }
            let v = match slot {
                Slot::Pullback(_) => {
                    stack.push(slot);
                    continue;
                }
                Slot::Value(v) => v,
            };
            if Some(v) == index_var {
                continue;
            }
            let defining = body.insts.iter().position(|i| i.results.contains(&v));
            // Pure operations are recomputed, unless they read an array the loop (or later
            // code) writes: its contents have changed since.
            let unchanged = |op: &Op| {
                op.operands()
                    .iter()
                    .all(|o| !super::is_array(self.input, *o) || self.order.unchanged_from(*o, loop_seq))
            };
            let recomputable = !headers.contains(&v)
                && defining.is_some_and(|i| match &body.insts[i].op {
                    op @ (Op::Lit(_)
                    | Op::Opaque { .. }
                    | Op::Prim { .. }
                    | Op::NoGrad(_)
                    | Op::Load { .. }) => unchanged(op),
                    _ => false,
                });
            match defining {
                Some(i) if recomputable => {
                    recompute.insert(i);
                    work.extend(body.insts[i].op.operands().into_iter().map(Slot::Value));
                }
                _ => stack.push(slot),
            }
        }
        stack.sort();

        let mut out = TokenStream::new();
        for v in &pre {
            let declared_here = self.arm_defs.last().is_none_or(|defs| defs.contains(v));
            if declared_here {
                let (a, z) = (adjoint(*v), self.zero(*v));
                out.extend(quote!(let mut #a = #z;));
            } else if let Some(set) = self.predeclare.last_mut() {
                set.insert(*v);
            }
            self.live.insert(*v);
            self.maybe_zero.insert(*v);
        }
        for (c, exit) in &active {
            let acarry = adjoint_carry(c.header);
            let value =
                if self.live.contains(exit) { adjoint(*exit).into_token_stream() } else { self.zero(*exit) };
            out.extend(quote!(let mut #acarry = #value;));
        }
        let pop = if stack.is_empty() {
            TokenStream::new()
        } else {
            let (stack_var, names) = (stack_ident(key), stack.iter().map(|s| s.ident()));
            quote!(let ::core::option::Option::Some((#(#names,)*)) = #stack_var.pop() else { break };)
        };
        let recomputed: TokenStream =
            recompute.iter().map(|i| primal_let(self.input, &body.insts[*i])).collect();
        // Iterations that only add into adjoints may run in any order; forward order is much
        // faster (the hardware streams through the arrays it accumulates into).
        let forward = stack.is_empty() && order_free(body, carried, act);
        let header = match &inst.op {
            Op::For { var, start, end, inclusive, .. } => {
                self.read(Slot::Value(*start));
                self.read(Slot::Value(*end));
                let range = super::forward::range_tokens(*start, *end, *inclusive);
                let index = var.ident();
                if forward { quote!(for #index in #range) } else { quote!(for #index in (#range).rev()) }
            }
            _ => {
                let count = self.read(Slot::Value(key));
                quote!(for _ in 0..#count)
            }
        };
        let p = private();
        for (_, h) in &hoisted {
            out.extend(quote!(let mut #h = #p::zero_real();));
        }
        out.extend(quote_spanned!(span=> #header { #pop #recomputed #code }));
        // A zero sum adds nothing, and skipping it never evaluates an index the primal may not
        // have evaluated (a loop that ran no iteration).
        for ((array, index), h) in hoisted {
            index.iter().for_each(|i| {
                self.read(Slot::Value(*i));
            });
            self.hoisted.remove(&(array, index.clone()));
            let (a, index) = (adjoint(array), super::index_tokens(&index));
            out.extend(quote!(if #p::is_nonzero(#h) { #p::accumulate(&mut #a #index, #h); }));
        }
        for (c, _) in &active {
            if act.active(c.init) {
                let acarry = adjoint_carry(c.header);
                self.from_maybe_zero =
                    self.maybe_zero.contains(&c.header) || self.maybe_zero.contains(&c.next);
                out.extend(self.contribute(c.init, quote!(#acarry)));
                self.from_maybe_zero = false;
            }
        }
        self.stacks.insert(key, stack);
        out
    }

    /// The adjoint of `for v in m.iter() { s += v }` over an array only summed
    /// (`emit::summed_arrays`): every element's adjoint is the cotangent of `s` after the loop,
    /// kept as the scalar the array's stores read; the initial `s` gets the same cotangent.
    fn summed_loop(&mut self, inst: &Inst, m: Value, carried: &[Carried]) -> TokenStream {
        let (Some(&exit), [c]) = (inst.results.first(), carried) else {
            return TokenStream::new();
        };
        let mut out = self.declare_fill(m, exit);
        if self.input.act.active(c.init) {
            let fill = super::fill(m);
            self.from_maybe_zero = !self.live.contains(&exit) || self.maybe_zero.contains(&exit);
            out.extend(self.contribute(c.init, quote!(#fill)));
            self.from_maybe_zero = false;
        }
        out
    }

    /// `let __fillM = s̄;` for an array `m` only summed into `total` (zero if `total` received
    /// no cotangent): the adjoint of every element, which the array's stores read.
    fn declare_fill(&mut self, m: Value, total: Value) -> TokenStream {
        let fill = super::fill(m);
        let value =
            if self.live.contains(&total) { adjoint(total).into_token_stream() } else { self.zero(total) };
        quote!(let #fill = #value;)
    }

    /// The loads of a loop body whose adjoint can be summed in a scalar for the whole loop: a
    /// float read at an index the loop does not change (no index is defined in the loop, `defs`)
    /// from an active array defined outside it that the loop never stores into. Their
    /// contributions are then independent of the order they are added in, and adding them in a
    /// register is what a hand-written gradient does (`gx[i] += ..` in a loop over `j` is a
    /// load and a store of the same element every iteration otherwise: the compiler cannot keep
    /// it in a register, not knowing that the other adjoints written in the loop are other
    /// memory). Registers the scalars in `self.hoisted` and returns them.
    fn hoist_loads(&mut self, body: &Block, defs: &HashSet<Value>) -> Vec<((Value, Vec<Value>), syn::Ident)> {
        let mut out: Vec<((Value, Vec<Value>), syn::Ident)> = Vec::new();
        for inst in &body.insts {
            let Op::Load { array, index } = &inst.op else { continue };
            let key = (*array, index.clone());
            let hoistable = self.input.act.active(*array)
                && inst.results.first().is_some_and(|y| self.input.f.info(*y).kind == crate::ir::Kind::Float)
                && !defs.contains(array)
                && index.iter().all(|i| !defs.contains(i))
                && !stores_into(body, *array)
                && !self.hoisted.contains_key(&key)
                && !out.iter().any(|(k, _)| *k == key);
            if hoistable {
                let h = format_ident!("__hoist{}", self.fresh, span = proc_macro2::Span::mixed_site());
                self.fresh += 1;
                self.hoisted.insert(key.clone(), h.clone());
                out.push((key, h));
            }
        }
        out
    }

    /// The adjoint of one arm of an `if`: the phis' adjoints flow to the values the arm yields,
    /// then the arm's instructions in reverse. Returns the code, the slots the arm must save, and
    /// the outer values it contributes to first.
    fn arm(
        &mut self,
        b: &Block,
        live_phis: &[usize],
        results: &[Value],
        out: &[Value],
    ) -> (TokenStream, Vec<Slot>, BTreeSet<Value>) {
        let defs = body_defs(b);
        self.reads.push(BTreeSet::new());
        self.arm_defs.push(defs);
        self.predeclare.push(BTreeSet::new());
        let mut code = TokenStream::new();
        for &i in live_phis {
            if let (Some(r), Some(v)) = (results.get(i), out.get(i))
                && self.input.act.active(*v)
            {
                let a = adjoint(*r);
                self.from_maybe_zero = self.maybe_zero.contains(r);
                code.extend(self.contribute(*v, quote!(#a)));
                self.from_maybe_zero = false;
            }
        }
        code.extend(self.block(b));
        let reads = self.reads.pop().unwrap_or_default();
        let defs = self.arm_defs.pop().unwrap_or_default();
        let pre = self.predeclare.pop().unwrap_or_default();
        let mut saved = Vec::new();
        for slot in reads {
            if defs.contains(&slot.value()) {
                saved.push(slot);
            } else if let Some(parent) = self.reads.last_mut() {
                parent.insert(slot);
            }
        }
        (code, saved, pre)
    }

    /// The primal sweep of a block.
    fn primal_block(&self, b: &Block, enums: &mut TokenStream) -> TokenStream {
        b.insts.iter().map(|inst| self.primal_inst(inst, enums)).collect()
    }

    fn primal_inst(&self, inst: &Inst, enums: &mut TokenStream) -> TokenStream {
        let span = inst.span.span();
        match &inst.op {
            Op::Call { callee: c, args, shape, borrowed } => {
                let values = tree_tokens(shape, &mut |v| v.ident().into_token_stream());
                let args = super::call_args(self.input, args, borrowed);
                if call_is_active(self.input, inst) && !borrowed.iter().any(|b| *b) {
                    let f = callee(c, "vjp");
                    let pb = pullback(inst.results[0]);
                    quote_spanned!(span=> let (#values, #pb) = #f(#(#args),*);)
                } else {
                    let f = callee(c, "");
                    quote_spanned!(span=> let #values = #f(#(#args),*);)
                }
            }
            Op::If { cond, then_block, else_block, then_out, else_out, trace, .. } => {
                let mut pattern = idents(&inst.results);
                let mut then_items = idents(then_out);
                let mut else_items = idents(else_out);
                if let Some([then_saved, else_saved]) = self.saved.get(trace) {
                    let ty = trace_enum(*trace);
                    pattern.push(trace.ident().into_token_stream());
                    let (ts, es) =
                        (then_saved.iter().map(|s| s.ident()), else_saved.iter().map(|s| s.ident()));
                    then_items.push(quote!(#ty::Then(#(#ts),*)));
                    else_items.push(quote!(#ty::Else(#(#es),*)));
                    let params_then: Vec<syn::Ident> =
                        (0..then_saved.len()).map(|i| format_ident!("T{}", i)).collect();
                    let params_else: Vec<syn::Ident> =
                        (0..else_saved.len()).map(|i| format_ident!("E{}", i)).collect();
                    enums.extend(quote! {
                        #[allow(non_camel_case_types, dead_code, clippy::all)]
                        enum #ty<#(#params_then,)* #(#params_else,)*> { Then(#(#params_then),*), Else(#(#params_else),*) }
                    });
                }
                IfLet {
                    pattern,
                    then_code: self.primal_block(then_block, enums),
                    then_items,
                    else_code: self.primal_block(else_block, enums),
                    else_items,
                }
                .emit(*cond, span)
            }
            Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => {
                let key = match &inst.op {
                    Op::Loop { count, .. } => *count,
                    Op::For { var, .. } => *var,
                    _ => return TokenStream::new(),
                };
                let (mut init, mut enter, mut advance, mut exit) =
                    (TokenStream::new(), TokenStream::new(), TokenStream::new(), TokenStream::new());
                for (c, result) in carried.iter().zip(&inst.results) {
                    let carry = super::forward::carry(c.header);
                    let (first, h, next, r) =
                        (c.init.ident(), c.header.ident(), c.next.ident(), result.ident());
                    init.extend(quote!(let mut #carry = #first;));
                    enter.extend(quote!(let #h = #carry;));
                    advance.extend(quote!(#carry = #next;));
                    exit.extend(quote!(let #r = #carry;));
                }
                let push = match self.stacks.get(&key) {
                    Some(stack) if !stack.is_empty() => {
                        let stack_var = stack_ident(key);
                        let names = stack.iter().map(|s| s.ident());
                        enums.extend(quote!(let mut #stack_var = ::std::vec::Vec::new();));
                        quote!(#stack_var.push((#(#names,)*));)
                    }
                    _ => TokenStream::new(),
                };
                let body = self.primal_block(body, enums);
                match &inst.op {
                    Op::For { var, start, end, inclusive, .. } => {
                        let (range, index) =
                            (super::forward::range_tokens(*start, *end, *inclusive), var.ident());
                        quote_spanned!(span=> #init for #index in #range { #enter #body #push #advance } #exit)
                    }
                    Op::Loop { go, count, .. } => {
                        let (go, count) = (go.ident(), count.ident());
                        quote_spanned!(span=>
                            #init
                            let mut #count = 0usize;
                            loop { #enter #body #push #advance #count += 1; if !#go { break; } }
                            #exit
                        )
                    }
                    _ => TokenStream::new(),
                }
            }
            Op::Prim { form: Form::Map(f), args, .. } if self.saves_map_derivative(inst) => {
                // One pass computes each element's value and derivative (as hand-written code
                // would), instead of evaluating the closure again in the adjoint.
                let (Some(&y), Some(&x)) = (inst.results.first(), args.first()) else {
                    return TokenStream::new();
                };
                let (o, v, d, x, grad, p) = (
                    super::owner(y),
                    y.ident(),
                    derivative(y),
                    x.ident(),
                    super::sibling(f, "grad"),
                    private(),
                );
                quote_spanned!(span=>
                    let (#o, #d) = #p::map_with_derivative(#x, |__e| #grad(__e));
                    let #v = &#o;
                )
            }
            _ => primal_let(self.input, inst),
        }
    }

    /// Whether the primal sweep of a `map` keeps the elementwise derivative for its adjoint:
    /// for a `DMatrix` computed at the top level (in a loop the backward iteration computes it
    /// again, without the derivative) whose adjoint is needed.
    fn saves_map_derivative(&self, inst: &Inst) -> bool {
        let top_level = self.input.f.body.insts.iter().any(|i| std::ptr::eq(i, inst));
        top_level
            && matches!(inst.results.first(), Some(y) if super::is_heap(self.input, *y) && self.live.contains(y))
            && matches!(&inst.op, Op::Prim { args, .. } if args.first().is_some_and(|x| self.input.act.active(*x)))
    }
}

/// Whether a record parameter is read only through its fields (never passed to a call, whose
/// pullback would contribute to the whole record).
fn only_fields_read(b: &Block, record: Value) -> bool {
    b.insts.iter().all(|inst| match &inst.op {
        Op::Call { .. } => !inst.op.operands().contains(&record),
        Op::If { then_block, else_block, .. } => {
            only_fields_read(then_block, record) && only_fields_read(else_block, record)
        }
        Op::For { body, .. } | Op::Loop { body, .. } => only_fields_read(body, record),
        _ => true,
    })
}

/// The elementwise derivative of a `map`'s closure, kept by the primal sweep: `__d3`.
/// `let mut ā = 0;` for each active array, before the adjoint sweep. With `reuse` (in `_grad`), a
/// `Vec` the function built (`vec![0.0; n]`, `v.to_vec()`) whose values the sweep never reads and
/// the function does not return gives its storage to its adjoint (`zero_tangent_reusing`): the
/// gradient then holds
/// one buffer of that size where the primal holds one, instead of two. For a large array that
/// is most of the cost: a second buffer is fresh memory the kernel must fault in on every call
/// (the allocator returns it when it is freed).
fn array_adjoints(input: &Input, arrays: &[Value], sweep: &TokenStream, reuse: bool) -> TokenStream {
    let p = private();
    let returned = input.f.output.leaves();
    arrays
        .iter()
        .map(|&v| {
            let a = adjoint(v);
            let built = input.f.body.insts.iter().any(|inst| {
                inst.results.contains(&v)
                    && matches!(inst.op, Op::NewArray(_))
                    && input.f.info(v).kind == crate::ir::Kind::Array(crate::ir::ArrayKind::Vec)
            });
            let i = v.ident();
            if reuse && built && !returned.contains(&v) && !mentions(sweep, &i) {
                quote!(let mut #a = #p::zero_tangent_reusing(#i);)
            } else {
                let z = zero(v);
                quote!(let mut #a = #z;)
            }
        })
        .collect()
}

/// Whether `tokens` name `ident` anywhere (inside groups too).
fn mentions(tokens: &TokenStream, ident: &syn::Ident) -> bool {
    tokens.clone().into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == *ident,
        proc_macro2::TokenTree::Group(g) => mentions(&g.stream(), ident),
        _ => false,
    })
}

fn derivative(v: Value) -> syn::Ident {
    format_ident!("__d{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// The pullback's first lines: every dynamically sized matrix borrowed again from its owner,
/// which the closure takes by move (the primal's references cannot leave the function).
fn rebind_heap(input: &Input) -> TokenStream {
    let mut out = TokenStream::new();
    for inst in &input.f.body.insts {
        let Some(&y) = inst.results.first() else { continue };
        if !super::is_heap(input, y) {
            continue;
        }
        let v = y.ident();
        match (&inst.op, super::heap_owner(input, inst)) {
            (_, Some(o)) => out.extend(quote!(let #v = &#o;)),
            (Op::Prim { form: Form::Typed(_), args, .. }, None) => match args.first() {
                Some(x) if super::is_heap(input, *x) => {
                    let x = x.ident();
                    out.extend(quote!(let #v = #x;));
                }
                // A call's result, owned: moved in and borrowed.
                Some(x) => {
                    let x = x.ident();
                    out.extend(quote!(let #v = &#x;));
                }
                None => {}
            },
            _ => {}
        }
    }
    out
}

/// The stack of the loop with index variable `v`.
fn stack_ident(v: Value) -> syn::Ident {
    format_ident!("__stack{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// The adjoint carried between backward iterations for the loop variable with header `h`.
fn adjoint_carry(h: Value) -> syn::Ident {
    format_ident!("__acarry{}", h.0, span = proc_macro2::Span::mixed_site())
}

/// The values a block defines at its top level (with `if` traces).
fn body_defs(b: &Block) -> HashSet<Value> {
    let mut defs = HashSet::new();
    for inst in &b.insts {
        defs.extend(inst.results.iter().copied());
        match inst.op {
            Op::If { trace, .. } => {
                defs.insert(trace);
            }
            Op::Loop { count, .. } => {
                defs.insert(count);
            }
            _ => {}
        }
    }
    defs
}

/// Whether a block (or a block nested in it) stores into `array`.
fn stores_into(b: &Block, array: Value) -> bool {
    b.insts.iter().any(|inst| match &inst.op {
        Op::Store { array: a, .. } => *a == array,
        Op::For { body, .. } | Op::Loop { body, .. } => stores_into(body, array),
        Op::If { then_block, else_block, .. } => {
            stores_into(then_block, array) || stores_into(else_block, array)
        }
        _ => false,
    })
}

/// Whether anything in a block has an adjoint: an active value, or a store into an active array.
fn has_adjoint(b: &Block, act: &crate::activity::Activity) -> bool {
    b.insts.iter().any(|inst| {
        inst.results.iter().any(|r| act.active(*r))
            || matches!(&inst.op, Op::Store { array, .. } if act.active(*array))
            || match &inst.op {
                Op::If { then_block, else_block, .. } => {
                    has_adjoint(then_block, act) || has_adjoint(else_block, act)
                }
                Op::For { body, .. } | Op::Loop { body, .. } => has_adjoint(body, act),
                _ => false,
            }
    })
}

/// Whether the backward iterations of a loop are independent of each other, so they may run in
/// any order: every active carried variable is a pure accumulator (`s = s + term`, its header
/// used nowhere else, so its adjoint is the same in every iteration), and the body neither writes
/// an active array (an overwrite takes the adjoint present at that point) nor holds a loop.
/// Sums of floating-point contributions are then reordered, which changes results only by
/// rounding.
fn order_free(body: &Block, carried: &[Carried], act: &crate::activity::Activity) -> bool {
    fn plain(b: &Block, act: &crate::activity::Activity) -> bool {
        b.insts.iter().all(|inst| match &inst.op {
            Op::Store { array, .. } => !act.active(*array),
            Op::For { .. } | Op::Loop { .. } => false,
            Op::If { then_block, else_block, .. } => plain(then_block, act) && plain(else_block, act),
            _ => true,
        })
    }
    fn uses(b: &Block, v: Value) -> usize {
        b.insts
            .iter()
            .map(|inst| {
                let mut n = inst.op.operands().iter().filter(|o| **o == v).count();
                if let Op::If { then_block, else_block, then_out, else_out, .. } = &inst.op {
                    n += uses(then_block, v) + uses(else_block, v);
                    n += then_out.iter().chain(else_out).filter(|o| **o == v).count();
                }
                n
            })
            .sum()
    }
    plain(body, act)
        && carried.iter().filter(|c| act.active(c.header) || act.active(c.next)).all(|c| {
            let accumulates = body.insts.iter().any(|inst| {
                inst.results.first() == Some(&c.next)
                    && matches!(&inst.op, Op::Prim { rule, args, .. }
                        if (matches!(rule.kind, crate::rules::Kind::Add) && args.contains(&c.header))
                            || (matches!(rule.kind, crate::rules::Kind::Sub) && args.first() == Some(&c.header)))
            });
            accumulates && uses(body, c.header) == 1
        })
}

/// Instructions numbered in program order (pre-order), and the last store into each array.
struct Order {
    /// Sequence number of each loop, by its index variable (or iteration count).
    loops: HashMap<Value, usize>,
    /// Sequence number of the last store into each array.
    last_store: HashMap<Value, usize>,
}

impl Order {
    fn of(body: &Block) -> Order {
        let mut order = Order { loops: HashMap::new(), last_store: HashMap::new() };
        let mut seq = 0;
        order.walk(body, &mut seq);
        order
    }

    fn walk(&mut self, b: &Block, seq: &mut usize) {
        for inst in &b.insts {
            *seq += 1;
            match &inst.op {
                Op::Store { array, .. } => {
                    self.last_store.insert(*array, *seq);
                }
                Op::For { var: key, body, .. } | Op::Loop { count: key, body, .. } => {
                    self.loops.insert(*key, *seq);
                    self.walk(body, seq);
                }
                Op::If { then_block, else_block, .. } => {
                    self.walk(then_block, seq);
                    self.walk(else_block, seq);
                }
                _ => {}
            }
        }
    }

    fn seq(&self, loop_var: Value) -> usize {
        self.loops.get(&loop_var).copied().unwrap_or(0)
    }

    /// Whether `array` is never written at or after position `from`: a load from it can be
    /// recomputed there in the backward sweep.
    fn unchanged_from(&self, array: Value, from: usize) -> bool {
        self.last_store.get(&array).is_none_or(|last| *last < from)
    }
}

/// The trace enum of the `if` with trace value `v`.
fn trace_enum(v: Value) -> syn::Ident {
    format_ident!("__If{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// For a result that is not a single float, `NAME_grad` exists only to explain itself: calling
/// it fails with the runtime's `ScalarOutput` message (a gradient needs a scalar result; use
/// `_jvp` or `_vjp`). It is generic so the error appears at a call, never at the definition.
/// (A tape would silently sum the outputs and return the gradient of the sum.)
fn non_scalar_grad(input: &Input) -> TokenStream {
    let item = input.item;
    let sig = input.sig;
    let p = private();
    let mut generics = item.sig.generics.clone();
    let result: syn::Ident = syn::parse_quote!(__TapelessResult);
    generics.params.push(syn::parse_quote!(#result));
    let output = &sig.output;
    let where_clause = generics.make_where_clause();
    where_clause.predicates.push(syn::parse_quote!(#result: #p::ScalarOutput));
    where_clause.predicates.push(syn::parse_quote!(#output: #p::SameAs<#result>));
    let (params, where_clause) = (&generics.params, &generics.where_clause);
    let vis = &item.vis;
    let name = super::sibling(&item.sig.ident, "grad");
    let receiver = super::receiver(sig);
    let primal = super::primal_params(sig);
    let gradient = sig.gradient_type();
    let attrs = super::attributes();
    quote! {
        #[doc(hidden)]
        #attrs
        #vis fn #name <#params> (#receiver #(#primal),*) -> (#output, #gradient) #where_clause {
            loop {}
        }
    }
}
