//! The primal sweep: the function itself, keeping callee pullbacks, branch traces and the
//! loop stacks the adjoint sweep reads.

use proc_macro2::Span;

use super::*;

impl Reverse<'_> {
    /// The primal sweep of a block.
    pub(super) fn primal_block(&self, b: &Block, enums: &mut TokenStream) -> TokenStream {
        b.insts.iter().map(|inst| self.primal_inst(inst, enums)).collect()
    }

    pub(super) fn primal_inst(&self, inst: &Inst, enums: &mut TokenStream) -> TokenStream {
        let span = inst.span.span();
        match &inst.op {
            Op::Call { callee: c, args, shape, borrowed, unwrap } => {
                let values = tree_tokens(shape, &mut |v| v.ident().into_token_stream());
                let args = crate::emit::call_args(self.input, args, borrowed);
                if call_is_active(self.input, inst) && !crate::emit::pullback_in_sweep(self.input, inst) {
                    let f = callee(c, "vjp");
                    let pb = pullback(inst.results[0]);
                    quote_spanned!(span=> let (#values, #pb) = #f(#(#args),*) #unwrap;)
                } else {
                    let f = callee(c, "");
                    quote_spanned!(span=> let #values = #f(#(#args),*) #unwrap;)
                }
            }
            Op::If { cond, then_block, else_block, then_out, else_out, trace, .. } => {
                let (mut pattern, after) =
                    crate::emit::merged_names(self.input, &inst.results, Value::ident, crate::emit::owner);
                let mut then_items = crate::emit::branch_yields(self.input, then_out);
                let mut else_items = crate::emit::branch_yields(self.input, else_out);
                if let Some((then_item, else_item)) = self.trace_items(*trace, enums) {
                    pattern.push(trace.ident().into_token_stream());
                    then_items.push(then_item);
                    else_items.push(else_item);
                }
                IfLet {
                    pattern,
                    then_code: self.primal_block(then_block, enums),
                    then_items,
                    else_code: self.primal_block(else_block, enums),
                    else_items,
                    after,
                }
                .emit(*cond, span)
            }
            Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => {
                let Some(key) = loop_key(&inst.op) else { return TokenStream::new() };
                let mut lines = crate::emit::CarryLines::default();
                for (c, result) in carried.iter().zip(&inst.results) {
                    lines.add_value(self.input, body, carried, c, *result);
                }
                let push = self.stack_push(key, enums);
                let body = self.primal_block(body, enums);
                crate::emit::forward::primal_loop(&inst.op, span, lines, quote!(#body #push), true)
            }
            Op::Prim { form: Form::Map(f), args, .. } if self.saves_map_derivative(inst) => {
                // One pass computes each element's value and derivative (as hand-written code
                // would), instead of evaluating the closure again in the adjoint.
                let (Some(&y), Some(&x)) = (inst.results.first(), args.first()) else {
                    return TokenStream::new();
                };
                let (o, v, d, x, grad, p) = (
                    crate::emit::owner(y),
                    y.ident(),
                    derivative(y),
                    x.ident(),
                    crate::emit::sibling(f, "grad"),
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

    /// The trace of the `if` with trace value `trace`, if its adjoint reads one: the then and
    /// else arms' items (`__If9::Then(__v4, __v5)`), the enum's declaration appended to `enums`.
    pub(super) fn trace_items(
        &self,
        trace: Value,
        enums: &mut TokenStream,
    ) -> Option<(TokenStream, TokenStream)> {
        let [then_saved, else_saved] = self.plan.branches.get(&trace)?;
        let ty = trace_enum(trace);
        let variant = |arm: &str, saved: &[Slot]| {
            let (arm, items) =
                (format_ident!("{}", arm), saved.iter().map(|s| self.saved_item(*s)).collect());
            crate::emit::term::print(&Term::Call { path: quote!(#ty::#arm), args: items }, Span::call_site())
        };
        let params_then: Vec<syn::Ident> = (0..then_saved.len()).map(|i| format_ident!("T{}", i)).collect();
        let params_else: Vec<syn::Ident> = (0..else_saved.len()).map(|i| format_ident!("E{}", i)).collect();
        enums.extend(quote! {
            #[allow(non_camel_case_types, dead_code, clippy::all)]
            enum #ty<#(#params_then,)* #(#params_else,)*> { Then(#(#params_then),*), Else(#(#params_else),*) }
        });
        Some((variant("Then", then_saved), variant("Else", else_saved)))
    }

    /// What each iteration of the loop `key` pushes on its stack, if its plan pushes anything;
    /// the stack's declaration appended to `enums`.
    pub(super) fn stack_push(&self, key: Value, enums: &mut TokenStream) -> TokenStream {
        let stack = match self.plan.loops.get(&key).map(|l| &l.pushed) {
            Some(stack) if !stack.is_empty() => stack,
            _ => return TokenStream::new(),
        };
        let stack_var = stack_ident(key);
        // An array read whole in the backward iteration: its contents now, a copy.
        let items = stack
            .iter()
            .map(|s| match s {
                Slot::Value(v) | Slot::Tangent(v)
                    if crate::emit::is_array(self.input, *v) && !crate::emit::is_heap(self.input, *v) =>
                {
                    cloned(*s)
                }
                _ => self.saved_item(*s),
            })
            .collect();
        let new = Term::Call { path: quote!(::std::vec::Vec::new), args: Vec::new() };
        let declare = Statement::bind_mut(Pattern::Name(stack_var.clone()), new);
        let push = Statement::Effect(Term::Name(stack_var).method("push", vec![Term::Tuple(items)]));
        enums.extend(crate::emit::term::statement(&declare, Span::call_site()));
        crate::emit::term::statement(&push, Span::call_site())
    }

    /// A slot as a branch trace or a loop stack saves it: a `DVector`/`DMatrix` (held by
    /// reference to an owner that ends with the branch or iteration) as an owned copy.
    pub(super) fn saved_item(&self, s: Slot) -> Term {
        match s {
            Slot::Value(v) if crate::emit::is_heap(self.input, v) => {
                Term::runtime("owned", vec![Term::Value(v)])
            }
            // A call's owned matrix result that a typed `let` borrows (`let r: DVector<f64> =
            // g(..)`, held as `&__v10`): a copy, the borrow being read after the save.
            Slot::Value(v) if self.typed_sources.contains(&v) => cloned(s),
            _ => Term::Name(s.ident()),
        }
    }

    /// Whether the primal sweep of a `map` keeps the elementwise derivative for its adjoint:
    /// for a `DMatrix` computed at the top level (in a loop the backward iteration computes it
    /// again, without the derivative) whose adjoint is needed, and whose closure reads nothing
    /// else (`map_gradient_parts` otherwise).
    pub(super) fn saves_map_derivative(&self, inst: &Inst) -> bool {
        let top_level = self.input.f.body.insts.iter().any(|i| std::ptr::eq(i, inst));
        top_level
            && matches!(inst.results.first(), Some(y) if crate::emit::is_heap(self.input, *y) && self.live.contains(y))
            && matches!(&inst.op, Op::Prim { args, .. } if args.len() == 1 && args.first().is_some_and(|x| self.input.act.active(*x)))
    }
}

/// `Clone::clone(&s)`: a copy of what the slot holds.
fn cloned(s: Slot) -> Term {
    Term::Call { path: quote!(::core::clone::Clone::clone), args: vec![Term::Name(s.ident()).by_ref()] }
}

pub(super) fn derivative(v: Value) -> syn::Ident {
    format_ident!("__d{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// The trace enum of the `if` with trace value `v`.
pub(super) fn trace_enum(v: Value) -> syn::Ident {
    format_ident!("__If{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// The values typed `let`s of a `DVector`/`DMatrix` borrow (`let r: DVector<f64> = g(..)`, held
/// as `&__v10`): [`Reverse::saved_item`] saves copies of them.
pub(super) fn typed_heap_sources(input: &Input) -> HashSet<Value> {
    input
        .f
        .body
        .walk()
        .into_iter()
        .filter_map(|i| match &i.op {
            Op::Prim { form: Form::Typed(_), args, .. }
                if i.results.first().is_some_and(|r| crate::emit::is_heap(input, *r)) =>
            {
                args.first().copied()
            }
            _ => None,
        })
        .collect()
}
