//! The assembly of `NAME_vjp` and `NAME_grad` (and `NAME_grad_into`) around the two sweeps: the
//! items' signatures, the seed, the arrays' adjoints declared up front, what the pullback borrows
//! again of what its closure moved in, and the gradient returned.

use super::*;

/// Emits `_vjp` and, for a scalar result, `_grad` (calling `_vjp` if `grad_calls_vjp`).
pub fn emit(input: &Input, grad_calls_vjp: bool) -> TokenStream {
    let mut r = Reverse::new(input);

    // Adjoint sweep first: its plan says what each branch and loop must save for it.
    let AdjointSweep { program, seed_pattern, seed_leaves: seed_pattern_leaves, arrays } = r.adjoint_sweep();
    let adjoint_code = r.print(program);
    // `_grad` lets a dead array's adjoint take its storage; the pullback of `_vjp` does not, so
    // that it holds only what its sweep reads between the two calls.
    let with_arrays = |reuse: bool, into: Option<Value>| {
        let mut code =
            program::statements(&array_adjoints(input, &arrays, &r.plan.lent, reuse, into), call_site());
        code.extend(adjoint_code.clone());
        code
    };
    // `_grad_into`: one differentiated slice, `Vec` or derived struct (read through its fields
    // only), whose adjoint is the caller's buffer.
    let into_param: Option<Value> = {
        let wrt = wrt_values(input);
        match wrt.as_slice() {
            [v] if arrays.contains(v)
                && matches!(
                    input.f.info(*v).kind,
                    crate::ir::Kind::Array(
                        crate::ir::ArrayKind::Slice
                            | crate::ir::ArrayKind::Vec
                            | crate::ir::ArrayKind::Record
                    )
                )
                && input.sig.scalar_output()
                && input.sig.wrapper.is_none()
                && input.sig.receiver.is_none()
                && (input.f.info(*v).kind != crate::ir::Kind::Array(crate::ir::ArrayKind::Record)
                    || only_fields_read(&input.f.body, *v)) =>
            {
                Some(*v)
            }
            _ => None,
        }
    };
    let grad_code = if grad_calls_vjp { TokenStream::new() } else { with_arrays(true, None) };
    let adjoint_code = with_arrays(false, None);
    let into_code = into_param.map(|v| with_arrays(true, Some(v)));
    // `_grad_into` of one differentiated `DVector`/`DMatrix`: the caller's buffer is its adjoint
    // from the start (`take_zeroed`), so contributions are added into it, and a sweep that
    // updates it in place (`ā[i] += ..`, `ā += &..`) allocates nothing for it. A sweep of its
    // own (the other's first contribution would build the adjoint by value).
    let heap_into: Option<(Value, TokenStream)> =
        heap_into_param(input, into_param, grad_calls_vjp).map(|v| {
            let mut own = Reverse::new(input);
            own.live.extend(arrays.iter().copied());
            own.live.insert(v);
            let program = own.sweep(&seed_pattern_leaves, &arrays);
            let code = own.print(program);
            let mut all =
                program::statements(&array_adjoints(input, &arrays, &own.plan.lent, true, None), call_site());
            all.extend(code);
            (v, all)
        });
    let gradient: Vec<Term> = wrt_values(input)
        .into_iter()
        .map(|v| if r.live.contains(&v) { Term::Adjoint(v) } else { Term::Zero { of: v, lanes: false } })
        .collect();
    let gradient = print(&crate::emit::tuple_or_single(gradient));

    // Then the primal sweep, with the trace enums it needs.
    let mut enums = TokenStream::new();
    let primal = r.primal_block(&input.f.body, &mut enums);

    let item = input.item;
    let sig = input.sig;
    let (vis, generics, where_clause) = (&item.vis, &item.sig.generics, &item.sig.generics.where_clause);
    let receiver = crate::emit::receiver(sig);
    let params = crate::emit::primal_params(sig);
    let output = &sig.output;
    let cotangent = tangent_type(output);
    let gradient_type = sig.gradient_type();
    let items = input.items;
    let value = crate::emit::tree_term(&input.f.output, &mut Term::Value);
    let value_tokens = print(&value);
    // The pullback may read an array the function returns: return a copy.
    let returned = tree_tokens(&input.f.output, &mut |v| {
        let i = v.ident();
        if crate::emit::is_array(input, v) {
            quote!(::core::clone::Clone::clone(&#i))
        } else {
            crate::emit::returned(input, v, quote!(#i))
        }
    });
    let rebind = program::statements(&rebind_heap(input), call_site());
    let attrs = crate::emit::attributes();
    let p = private();
    let crate::emit::PullbackParams { receiver: vjp_receiver, params: vjp_params, lifetimes, capture } =
        crate::emit::pullback_params(sig, &item.sig.generics, true);
    let mut vjp_generics = item.sig.generics.clone();
    for (i, lifetime) in lifetimes.iter().enumerate() {
        vjp_generics.params.insert(i, syn::parse_quote!(#lifetime));
    }
    let fn_name = &item.sig.ident;
    let vjp = crate::emit::sibling(fn_name, "vjp");
    let vjp_doc = format!(
        " Reverse mode (VJP) of `{fn_name}`, generated by `#[differentiable]`: returns the value and \
         its pullback, which maps a cotangent of the result to the cotangents of the differentiated \
         parameters. Call the pullback once; it holds no tape, only the values it needs."
    );
    let vjp_type =
        sig.wrap_type(quote!((#output, impl ::core::ops::FnOnce(#cotangent) -> #gradient_type #capture)));
    let seed = statement(&Statement::bind(seed_pattern, Term::Name(cotangent_name())));
    let seed_one = statement(&Statement::bind(
        Pattern::Name(cotangent_name()),
        Term::runtime("seed_one", vec![value.clone().by_ref()]),
    ));
    let ct = cotangent_name();
    let vjp_result = sig.wrap_value(quote! {
        (#returned, move |#ct: #cotangent| {
            #rebind
            #seed
            #adjoint_code
            #gradient
        })
    });
    let mut out = quote! {
        #[doc = #vjp_doc]
        #attrs
        #vis fn #vjp #vjp_generics (#vjp_receiver #(#vjp_params),*) -> #vjp_type #where_clause {
            #(#items)*
            #enums
            #primal
            #vjp_result
        }
    };
    if !sig.scalar_output() {
        out.extend(non_scalar_grad(input));
    } else {
        let grad = crate::emit::sibling(fn_name, "grad");
        let grad_doc = format!(
            " Gradient of `{fn_name}`, generated by `#[differentiable]`: returns the value and the \
             derivative with respect to each differentiated parameter (reverse mode, seed `1`)."
        );
        let grad_type = sig.wrap_type(quote!((#output, #gradient_type)));
        let grad_result = sig.wrap_value(quote!((#value_tokens, #gradient)));
        // `_grad_into`: the sweep with the caller's buffer as the parameter's adjoint, and how it
        // gets there and back.
        let into = match (into_param, &into_code, &heap_into) {
            (Some(v), Some(code), _) => {
                // A record's adjoint is the caller's buffer already; an array's is moved back in.
                let store = if input.f.info(v).kind == crate::ir::Kind::Array(crate::ir::ArrayKind::Record) {
                    TokenStream::new()
                } else {
                    statement(&Statement::Set { place: buffer().deref(), value: Term::Adjoint(v) })
                };
                let doc = "resized to the parameter's length";
                Some((doc, quote!(#code #store)))
            }
            (_, _, Some((v, code))) => {
                let take = Term::runtime("take_zeroed", vec![buffer(), Term::Value(*v)]);
                let take = statement(&Statement::bind_mut(Pattern::Adjoint(*v), take));
                let store = statement(&Statement::Set { place: buffer().deref(), value: Term::Adjoint(*v) });
                let doc = "zeroed in place when it has the parameter's shape, replaced by a zero matrix of \
                           that shape otherwise; nothing allocated for it where the sweep updates it in place";
                Some((doc, quote!(#take #code #store)))
            }
            _ => None,
        };
        if let Some((how, into_code)) = into {
            let into_name = crate::emit::sibling(fn_name, "grad_into");
            let into_doc = format!(
                " Gradient of `{fn_name}` written into `grad` ({how}), returning the value: \
                 `{fn_name}_grad` without allocating the gradient, for optimizer loops. Generated by \
                 `#[differentiable]`."
            );
            out.extend(quote! {
                #[doc = #into_doc]
                #attrs
                #vis fn #into_name #generics (#receiver #(#params,)* __tapeless_grad: &mut #gradient_type) -> #output #where_clause {
                    #(#items)*
                    #enums
                    #primal
                    #seed_one
                    #seed
                    #into_code
                    #value_tokens
                }
            });
        }
        // One differentiated `DVector`/`DMatrix` parameter otherwise (a long function):
        // `_grad_into` moves `_grad`'s gradient into the caller's buffer.
        let wrt: Vec<&crate::signature::Param> = sig.params.iter().filter(|p| p.wrt).collect();
        if into_param.is_none()
            && heap_into.is_none()
            && let [param] = wrt.as_slice()
            && crate::signature::dynamic_matrix(&param.ty)
            && sig.wrapper.is_none()
            && sig.receiver.is_none()
        {
            let into_name = crate::emit::sibling(fn_name, "grad_into");
            let into_doc = format!(
                " Gradient of `{fn_name}` moved into `grad`, returning the value: `{fn_name}_grad` \
                 with the gradient in the caller's variable (computed by value, then moved: the \
                 buffer's old storage is dropped). Generated by `#[differentiable]`."
            );
            let args = sig.params.iter().map(|p| &p.ident);
            out.extend(quote! {
                #[doc = #into_doc]
                #attrs
                #vis fn #into_name #generics (#(#params,)* __tapeless_grad: &mut #gradient_type) -> #output #where_clause {
                    let (__value, __gradient) = #grad(#(#args),*);
                    *__tapeless_grad = __gradient;
                    __value
                }
            });
        }
        if grad_calls_vjp {
            let args = sig.params.iter().map(|p| &p.ident);
            let call = crate::emit::sibling_call(sig, quote!(#vjp));
            out.extend(quote! {
                #[doc = #grad_doc]
                #attrs
                #vis fn #grad (#(#params),*) -> #grad_type {
                    let (__value, __pullback) = #call(#(#args),*);
                    let __ct = #p::seed_one(&__value);
                    (__value, __pullback(__ct))
                }
            });
            return out;
        }
        out.extend(quote! {
            #[doc = #grad_doc]
            #attrs
            #vis fn #grad #generics (#receiver #(#params),*) -> #grad_type #where_clause {
                #(#items)*
                #enums
                #primal
                #seed_one
                #seed
                #grad_code
                #grad_result
            }
        });
    }
    out
}

pub(super) fn call_site() -> proc_macro2::Span {
    proc_macro2::Span::call_site()
}

/// The values of the differentiated parameters, in order.
pub(super) fn wrt_values(input: &Input) -> Vec<Value> {
    input
        .f
        .body
        .insts
        .iter()
        .filter_map(|inst| match inst.op {
            Op::Param(i) if input.sig.params.get(i).is_some_and(|p| p.wrt) => inst.results.first().copied(),
            _ => None,
        })
        .collect()
}

/// `term` as Rust, outside any instruction.
pub(super) fn print(term: &Term) -> TokenStream {
    crate::emit::term::print(term, call_site())
}

/// `s` as Rust, outside any instruction.
fn statement(s: &Statement) -> TokenStream {
    crate::emit::term::statement(s, call_site())
}

/// `__ct`: the cotangent the pullback takes, or `_grad`'s seed.
pub(super) fn cotangent_name() -> syn::Ident {
    format_ident!("__ct")
}

/// `__tapeless_grad`: `_grad_into`'s buffer, the caller's.
fn buffer() -> Term {
    Term::Name(format_ident!("__tapeless_grad"))
}

/// `let mut ā = 0;` for each active array, before the adjoint sweep. With `reuse` (in `_grad`), an
/// array of the plan's `lent` (a `Vec` the function built, `vec![0.0; n]`, `v.to_vec()`, whose
/// values the sweep never reads and which the function does not return: `Plan::lend`, from the
/// IR, not from the sweep's tokens) gives its storage to its adjoint (`zero_tangent_reusing`): the
/// gradient then holds
/// one buffer of that size where the primal holds one, instead of two. For a large array that
/// is most of the cost: a second buffer is fresh memory the kernel must fault in on every call
/// (the allocator returns it when it is freed).
/// `into`: the differentiated array whose adjoint is the caller's buffer (`_grad_into`), zeroed
/// to the array's length without allocating when its capacity suffices.
pub(super) fn array_adjoints(
    input: &Input,
    arrays: &[Value],
    lent: &BTreeSet<Value>,
    reuse: bool,
    into: Option<Value>,
) -> Vec<Statement> {
    // A field array of the `_grad_into` record: its adjoint is that field of the caller's
    // buffer, taken out (zeroed with the record) and put back by the sweep (`r̄.w = w̄`).
    let into_field = |v: Value| {
        input.f.body.walk().into_iter().find_map(|inst| match &inst.op {
            // (A nested record field keeps its own zero adjoint: it need not be `Default`.)
            Op::Field { base, member, array: true }
                if Some(*base) == into
                    && inst.results.first() == Some(&v)
                    && input.f.info(v).kind != crate::ir::Kind::Array(crate::ir::ArrayKind::Record)
                    && field_reads(&input.f.body, *base, member) == 1 =>
            {
                Some(member.clone())
            }
            _ => None,
        })
    };
    arrays
        .iter()
        .flat_map(|&v| {
            let declare = |value: Term| Statement::bind_mut(Pattern::Adjoint(v), value);
            let take = |place: Term| Term::Call { path: quote!(::core::mem::take), args: vec![place] };
            if into == Some(v) {
                if input.f.info(v).kind == crate::ir::Kind::Array(crate::ir::ArrayKind::Record) {
                    // The caller's buffer itself, zeroed in place: the sweep reaches the record's
                    // adjoint through its fields only (`only_fields_read`). Borrowed, since a
                    // record taken by value (a tuple `(f64, f64)`) is not a reference (`&T`
                    // delegates to `T`).
                    let p = private();
                    let zero_into = Term::Call {
                        path: quote!(#p::Differentiable::zero_into),
                        args: vec![Term::Value(v).by_ref(), buffer()],
                    };
                    return vec![Statement::Effect(zero_into), declare(buffer().deref().by_mut())];
                }
                return vec![declare(Term::runtime(
                    "zeroed_into",
                    vec![take(buffer()), Term::Value(v).by_ref()],
                ))];
            }
            if let (Some(record), Some(member)) = (into, into_field(v)) {
                return vec![declare(take(Term::Adjoint(record).field(member).by_mut()))];
            }
            if reuse && lent.contains(&v) {
                vec![declare(Term::runtime("zero_tangent_reusing", vec![Term::Value(v)]))]
            } else {
                vec![declare(Term::Zero { of: v, lanes: false })]
            }
        })
        .collect()
}

/// The one differentiated parameter of `_grad_into` that is a `DVector`/`DMatrix` (held as a
/// heap value), when no other `_grad_into` applies and `_grad` has its own sweeps.
fn heap_into_param(input: &Input, into_param: Option<Value>, grad_calls_vjp: bool) -> Option<Value> {
    let sig = input.sig;
    if into_param.is_some()
        || grad_calls_vjp
        || !sig.scalar_output()
        || sig.wrapper.is_some()
        || sig.receiver.is_some()
    {
        return None;
    }
    let wrt: Vec<(usize, &crate::signature::Param)> =
        sig.params.iter().enumerate().filter(|(_, p)| p.wrt).collect();
    let [(index, param)] = wrt.as_slice() else { return None };
    if !crate::signature::dynamic_matrix(&param.ty) {
        return None;
    }
    input.f.body.insts.iter().find_map(|inst| match inst.op {
        Op::Param(i) if i == *index => {
            inst.results.first().copied().filter(|v| crate::emit::is_heap(input, *v))
        }
        _ => None,
    })
}

/// The pullback's first lines: every dynamically sized matrix, and every array field of a record
/// built in the body, borrowed again from its owner, which the closure takes by move (the
/// primal's references cannot leave the function).
fn rebind_heap(input: &Input) -> Vec<Statement> {
    let mut out = Vec::new();
    let borrow = |v: Value, of: Term| Statement::bind(Pattern::Name(v.ident()), of.by_ref());
    let mut rebound = std::collections::HashSet::new();
    for inst in &input.f.body.insts {
        let Some(&y) = inst.results.first() else { continue };
        // `let w = &v;`: a borrow of a local is made again in the closure, which moves `v` in
        // (a captured borrow of a local could not leave the function).
        if let Op::Opaque { tokens, what: crate::ir::Opaque::Form("a reference"), .. } = &inst.op {
            out.push(Statement::bind(Pattern::Name(y.ident()), Term::Verbatim(tokens.clone())));
            rebound.insert(y);
            continue;
        }
        // `let k: &[f64] = &[1.0, -2.0];`, the typed reference of one made again above: made
        // again too (in the dual copy of second order the literal holds dual numbers, not a
        // constant promoted to `'static`, and capturing it was rustc's E0515).
        if let Op::Prim { form: Form::Typed(ty), args, .. } = &inst.op
            && let (syn::Type::Reference(r), [x]) = (&**ty, &args[..])
            && rebound.contains(x)
        {
            let value = match *r.elem {
                syn::Type::Slice(_) => Term::Value(*x).index(quote!(..)).by_ref(),
                _ => Term::Value(*x),
            };
            out.push(Statement::bind_typed(Pattern::Name(y.ident()), (**ty).clone(), value));
            rebound.insert(y);
            continue;
        }
        // `&s.v` of a record built in the body (`s.v[0]`): borrowed again from the record the
        // closure moves in (capturing both was rustc's E0505 in generated code). A parameter's
        // field borrows through the caller's reference and may be captured as it is.
        if let Op::Field { base, member, array: true } = &inst.op {
            // (A parameter taken by value, `b: Body`, is a local of the function like a record
            // built in the body: its field is borrowed again.)
            let of_param = input.f.body.insts.iter().any(|i| {
                matches!(i.op, Op::Param(k) if input.sig.params.get(k).is_some_and(|p| matches!(p.ty, syn::Type::Reference(_))))
                    && i.results.contains(base)
            });
            if !of_param {
                out.push(borrow(y, Term::Value(*base).field(member.clone())));
            }
            continue;
        }
        // A `DVector`/`DMatrix` a loop carries is owned by the loop's carry, one an `if` merges
        // by the `if`'s owner (`merged_names`).
        if let Op::For { carried, .. } | Op::Loop { carried, .. } = &inst.op {
            for (c, r) in carried.iter().zip(&inst.results) {
                if crate::emit::is_heap(input, *r) {
                    out.push(borrow(*r, Term::Name(crate::emit::forward::carry(c.header))));
                }
            }
            continue;
        }
        if let Op::If { .. } = &inst.op {
            for r in inst.results.iter().filter(|r| crate::emit::is_heap(input, **r)) {
                out.push(borrow(*r, Term::Name(crate::emit::owner(*r))));
            }
            continue;
        }
        if !crate::emit::is_heap(input, y) {
            continue;
        }
        match (&inst.op, crate::emit::heap_owner(input, inst)) {
            (_, Some(o)) => out.push(borrow(y, Term::Verbatim(o))),
            (Op::Prim { form: Form::Typed(_), args, .. }, None) => match args.first() {
                Some(x) if crate::emit::is_heap(input, *x) => {
                    out.push(Statement::bind(Pattern::Name(y.ident()), Term::Value(*x)));
                }
                // A call's result, owned: moved in and borrowed.
                Some(x) => out.push(borrow(y, Term::Value(*x))),
                None => {}
            },
            _ => {}
        }
    }
    out
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
    let name = crate::emit::sibling(&item.sig.ident, "grad");
    let receiver = crate::emit::receiver(sig);
    let primal = crate::emit::primal_params(sig);
    let gradient = sig.gradient_type();
    let attrs = crate::emit::attributes();
    let result_type = sig.wrap_type(quote!((#output, #gradient)));
    quote! {
        #[doc(hidden)]
        #attrs
        #vis fn #name <#params> (#receiver #(#primal),*) -> #result_type #where_clause {
            loop {}
        }
    }
}
