//! The ends of a chain that write: `for_each(|p| body)`, a loop whose body is the closure's, and
//! `collect::<Vec<E>>()`, a `Vec` filled in a loop, or, for a type of the crate's own, the chain
//! kept as written ([`super::iterators`]'s sequences).

use super::iterators::{hidden, strip_references};
use super::*;

impl Lowerer<'_> {
    /// `chain.for_each(|p| body)`: the loop whose body is `{ let p = item; body; }` (the closure
    /// is the loop body, so it may assign the function's variables). `chain.collect::<Vec<F>>()`
    /// of a float `F`: a `Vec` filled in a loop.
    pub(super) fn for_each_or_collect(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        let s = m.method.span();
        let seq = self.in_order(&m.receiver)?;
        let i = self.chain_index(s);
        let item = strip_references((seq.item)(syn::parse_quote_spanned!(s=> #i)));
        let (len, prelude) = (&seq.len, &seq.prelude);
        let block: Expr = if m.method == "for_each" {
            let [Expr::Closure(c)] = m.args.iter().collect::<Vec<_>>()[..] else { return None };
            let [pat] = c.inputs.iter().collect::<Vec<_>>()[..] else { return None };
            let (binding, body) = match self.place_binding(pat, item, (*c.body).clone()) {
                Ok(split) => split,
                Err(reported) => return Some(reported),
            };
            let binding = binding.map(|(pat, item)| quote::quote_spanned!(s=> let #pat = #item;));
            syn::parse_quote_spanned!(s=> {
                #(#prelude)*
                for #i in 0..#len {
                    #binding
                    #body;
                }
            })
        } else {
            let turbofish = m.turbofish.as_ref()?;
            let element = collected_element(turbofish);
            // `collect::<Vec<_>>()`: the element type is the items', which rustc infers from
            // the writes below, starting from `Default::default()` (floats, integers, `bool`,
            // tuples of them, second order's dual number). A function generic over its float
            // type has no `Default` bound on it: there the type must be written.
            let zero: Expr = match element {
                Some(t) if crate::signature::is_float(t) => {
                    syn::parse_quote_spanned!(s=> <#t as ::tapeless::__private::Real>::zero())
                }
                // `collect::<Vec<Vector3<f64>>>()`: nalgebra's static vectors and matrices.
                Some(t) if crate::signature::static_matrix(t) => {
                    syn::parse_quote_spanned!(s=> <#t>::zeros())
                }
                // `collect::<Vec<[f64; 2]>>()`: rows of floats (points), stored whole.
                Some(syn::Type::Array(a)) if crate::signature::is_float(&a.elem) => {
                    let (t, n) = (&a.elem, &a.len);
                    syn::parse_quote_spanned!(s=> [<#t as ::tapeless::__private::Real>::zero(); #n])
                }
                Some(syn::Type::Infer(_)) if self.floats.is_empty() => {
                    syn::parse_quote_spanned!(s=> ::core::default::Default::default())
                }
                Some(syn::Type::Infer(_)) => {
                    return Some(self.unsupported(Loc::of(turbofish), unsupported::COLLECT_VEC_GENERIC));
                }
                // `collect::<Vec<Obs>>()` of a struct the macro cannot see into: kept as written,
                // an opaque value, which is fine where the chain reads constants only (data
                // gathered from constant parameters) and `check`'s error where it reads a
                // differentiated value.
                Some(syn::Type::Path(p)) if own_type(p) => {
                    let what = Opaque::Form(crate::diagnostics::COLLECTED_INTO_STRUCTS);
                    return Some(self.opaque_call(&Expr::MethodCall(m.clone()), TokenStream::new(), what));
                }
                // `collect::<Vec<(f64, f64)>>()`: the same, with its own help (the points held
                // as `[f64; 2]` are followed).
                Some(syn::Type::Tuple(t)) if !t.elems.is_empty() => {
                    let what = Opaque::Form(crate::diagnostics::COLLECTED_INTO_TUPLES);
                    return Some(self.opaque_call(&Expr::MethodCall(m.clone()), TokenStream::new(), what));
                }
                _ => return None,
            };
            let out = hidden("__tapeless_collected", s);
            syn::parse_quote_spanned!(s=> {
                #(#prelude)*
                let mut #out = vec![#zero; #len];
                for #i in 0..#len {
                    #out[#i] = #item;
                }
                #out
            })
        };
        Some(self.expr(&block))
    }
}

/// `E` of a turbofish `::<Vec<E>>`.
fn collected_element(turbofish: &syn::AngleBracketedGenericArguments) -> Option<&syn::Type> {
    match turbofish.args.iter().collect::<Vec<_>>()[..] {
        [syn::GenericArgument::Type(syn::Type::Path(vec))] => crate::signature::vec_element(vec),
        _ => None,
    }
}

/// Whether `p` names a type of the crate's own, plainly: one capitalised name without generic
/// arguments (`Obs`, `data::Sample`), not `String`.
fn own_type(p: &syn::TypePath) -> bool {
    p.qself.is_none()
        && p.path.segments.last().is_some_and(|s| {
            s.arguments.is_none()
                && s.ident != "String"
                && s.ident.to_string().starts_with(char::is_uppercase)
        })
}
