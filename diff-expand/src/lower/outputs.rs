//! Calls of functions that write their results through `&mut` slices or matrices
//! (`signature::outputs`): `rhs(&y, &mut dy, k)` is the call of the twin `rhs_out` and the
//! writes of its results into the caller's arrays and matrices, and `cost(&x, &mut con)` of one
//! that also returns a value is that value.

use super::*;

impl Lowerer<'_> {
    /// `rhs(&y, &mut dy, k)` of a function writing its results through `&mut` parameters
    /// (`signature::outputs`): its twin called with owned copies of the slices,
    /// `rhs_out(y.to_vec(), dy.to_vec(), k)`, and its results written into the arrays element by
    /// element, as if the user had written
    ///
    /// ```text
    /// let new: Vec<T> = rhs_out(y.to_vec(), dy.to_vec(), k);
    /// for k in 0..new.len() { dy[k] = new[k]; }
    /// ```
    pub(super) fn call_with_outputs(
        &mut self,
        c: &syn::ExprCall,
        path: &syn::Path,
        at: &crate::signature::outputs::Outputs,
        span: Loc,
    ) -> Tree {
        let s = span.span();
        let mut args = Vec::new();
        let mut outputs = Vec::new();
        let mut matrices = Vec::new();
        for (i, a) in c.args.iter().enumerate() {
            // `&mut m` of a `DVector`/`DMatrix`: passed as a copy, assigned the result.
            if let Some((_, name)) = at.matrices.iter().find(|(m, _)| *m == i) {
                let Expr::Reference(r) = a else {
                    return self.unsupported(Loc::of(a), unsupported::OUTPUT_NOT_A_LOCAL_ARRAY);
                };
                let target = &*r.expr;
                if !matches!(target, Expr::Path(_)) || self.local(target).is_none() {
                    return self.unsupported(Loc::of(a), unsupported::OUTPUT_NOT_A_LOCAL_ARRAY);
                }
                // (Not passed when the callee only assigns it.)
                if !at.unread.contains(&i) {
                    args.push(quote::quote_spanned!(s=> (#target).clone()));
                }
                matrices.push((target.clone(), syn::Ident::new(name, s)));
                outputs.push(None);
                continue;
            }
            let slice = match a {
                _ if !at.slices.contains(&i) => {
                    args.push(quote::quote_spanned!(s=> #a));
                    continue;
                }
                Expr::Reference(r) => &*r.expr,
                // A slice passed on (`x` of `x: &[f64]`).
                other => other,
            };
            let local = self.local_array(slice);
            if at.written.contains(&i) {
                if local.is_none() {
                    return self.unsupported(Loc::of(a), unsupported::OUTPUT_NOT_A_LOCAL_ARRAY);
                }
                outputs.push(Some(slice.clone()));
            }
            // A local `Vec` is passed as it is (the generated call passes a copy,
            // `emit::call_args`); an array or a slice as a `Vec` copy.
            if local.is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Vec)) {
                args.push(quote::quote_spanned!(s=> #slice));
            } else {
                args.push(quote::quote_spanned!(s=> (#slice).to_vec()));
            }
        }
        let mut twin = path.clone();
        if let Some(last) = twin.segments.last_mut() {
            last.ident = crate::signature::outputs::out_name(&last.ident);
        }
        let element = &self.element;
        let news: Vec<syn::Ident> =
            (0..outputs.len()).map(|i| super::iterators::hidden(&format!("__tapeless_new{i}"), s)).collect();
        let k = super::iterators::hidden("__tapeless_k", s);
        // A function that also returns a value: its twin returns it first, the call's value.
        let value = at.returns.then(|| super::iterators::hidden("__tapeless_value", s));
        let pattern = match &value {
            Some(v) => quote::quote!((#v, #(#news),*)),
            None if news.len() == 1 => quote::quote!(#(#news)*),
            None => quote::quote!((#(#news),*)),
        };
        // Each result typed on its own (a type on the tuple would not reach its parts), then
        // written into its array element by element, or assigned to its matrix.
        let mut matrices = matrices.into_iter();
        let mut written = Vec::new();
        for (new, output) in news.iter().zip(&outputs) {
            written.push(match output {
                Some(array) => quote::quote_spanned!(s=>
                    let #new: ::std::vec::Vec<#element> = #new;
                    for #k in 0..#new.len() { #array[#k] = #new[#k]; }
                ),
                None => {
                    let Some((target, ty)) = matrices.next() else { continue };
                    quote::quote_spanned!(s=>
                        let #new: ::tapeless::__private::nalgebra::#ty<#element> = #new;
                        #target = #new;
                    )
                }
            });
        }
        let block: Expr = syn::parse_quote_spanned!(s=> {
            let #pattern = #twin(#(#args),*);
            #(#written)*
            #value
        });
        self.expr(&block)
    }
}
