//! nalgebra's `map` with a closure: `m.map(|e| body)` becomes a scalar function of its own,
//! differentiated like any other, and the map a `<map>` primitive naming it. The closure's
//! parameter and what else it reads are found here (`map_param`, `captured_local`), also for
//! `t.map(..)` of a parameter lowered by index (`constructors::map_by_index`).

use super::*;

impl Lowerer<'_> {
    /// `m.map(|e| body)` on a nalgebra value: the closure becomes a scalar function
    /// `fn __tapeless_mapN(e: T) -> T { body }`, differentiated like any other (its items go
    /// into the generated functions), and the map a `<map>` primitive naming it.
    pub(super) fn map_closure(&mut self, receiver: &Expr, closure: &syn::ExprClosure, span: Loc) -> Tree {
        // An iterator (`x.iter().map(..)` not ended where the macro reads chains): reported
        // here, without lowering the iterator, whose unused value would draw a second error.
        let x = if super::adaptors::iterator(receiver) { None } else { Some(self.value(receiver)) };
        let Some(x) = x.filter(|x| matches!(self.kind(*x), Kind::Heap | Kind::Float)) else {
            // `x.iter().peekable().map(..)`: the adaptor is what is not followed.
            if let Some(adaptor) = super::adaptors::unfollowed_adaptor(receiver) {
                let at = Loc { start: adaptor.method.span(), end: Loc::of(adaptor).end };
                return self.unsupported(at, unsupported::ITERATOR_ADAPTOR);
            }
            // The receiver counts as used: no second error calls its making unused.
            self.mark_values_read(x.into_iter().collect(), span);
            return self.unsupported(span, unsupported::MAP_VALUE);
        };
        let (ident, ty) = match map_param(closure) {
            Ok(param) => param,
            Err((at, why)) => return self.unsupported(at, why),
        };
        // `t.map(|ti| p[0] * (p[1] * ti).exp())`: the entries read at constant indices are
        // bound before the map, so the closure reads floats.
        if let Some((entries, kept)) = self.entries_hoisted(closure, &ident) {
            let s = span.span();
            let map = syn::Ident::new("map", s);
            let block: Expr = syn::parse_quote_spanned!(s=> { #(#entries)* (#receiver).#map(#kept) });
            return self.expr(&block);
        }
        let ty = ty.cloned().unwrap_or_else(|| self.element.clone());
        // The closure becomes a function: the locals it reads become parameters after its own,
        // passed by the map (`m.map(|e| h(e, k))`): floats of the element type (`map_captures`:
        // checked to be scalars once the function is lowered) and integer parameters.
        let mut params = vec![quote!(#ident: #ty)];
        let mut args = vec![x];
        for (at, name) in self.captured_locals(closure, &ident) {
            let local = syn::Ident::new(&name, at.span());
            let v = self.value(&syn::parse_quote!(#local));
            let captured_ty = match self.kind(v) {
                Kind::Float => {
                    self.map_captures.push((v, at, name));
                    ty.clone()
                }
                Kind::Discrete => match self.param_types.get(&v) {
                    Some(t) if !matches!(t, syn::Type::Reference(_)) => t.clone(),
                    _ => return self.unsupported_capture(at, &name),
                },
                _ => return self.unsupported_capture(at, &name),
            };
            params.push(quote!(#local: #captured_ty));
            args.push(v);
        }
        let helper =
            quote::format_ident!("__tapeless_map{}", self.maps, span = proc_macro2::Span::mixed_site());
        self.maps += 1;
        let body = &closure.body;
        // In a generic function the helper is generic over the float parameters too (a nested
        // `fn` cannot name the outer one's).
        let generics = crate::signature::float_generics(&self.generics, &self.floats);
        let where_clause = &generics.where_clause;
        let item: syn::ItemFn =
            match syn::parse2(quote!(fn #helper #generics (#(#params),*) -> #ty #where_clause { #body })) {
                Ok(item) => item,
                Err(_) => return self.unsupported(Loc::of(&closure.body), unsupported::CLOSURE_BODY),
            };
        let Some(sig) = crate::signature::analyse(&item.sig, &crate::args::Args::default(), self.cx) else {
            return Tree::Leaf(self.emit(Op::Error, span, Kind::Unknown));
        };
        let Some(generated) = crate::expand::generate(&item, &sig, (false, false), self.cx) else {
            return Tree::Leaf(self.emit(Op::Error, span, Kind::Unknown));
        };
        self.items.push(syn::Item::Verbatim(quote!(#[allow(dead_code)] #[inline] #item #generated)));
        let kind = self.kind(x);
        let op = Op::Prim { rule: rules::operator("<map>"), args, form: Form::Map(helper) };
        Tree::Leaf(self.emit(op, span, kind))
    }

    /// The first local of the enclosing function a closure with parameter `param` reads, and
    /// where.
    pub(super) fn captured_local(
        &self,
        closure: &syn::ExprClosure,
        param: &syn::Ident,
    ) -> Option<(Loc, String)> {
        self.captured_locals(closure, param).into_iter().next()
    }

    /// Our error for a local a `map` closure reads that cannot become a parameter of its function.
    pub(super) fn unsupported_capture(&mut self, at: Loc, name: &str) -> Tree {
        let what = format!("reading `{name}` inside the closure of `map`");
        self.unsupported(at, Unsupported { what: &what, help: unsupported::MAP_CAPTURE_HELP })
    }

    /// The entries of locals a `map` closure with parameter `param` reads at a constant index
    /// (`p[0]`, `w[k]` of an integer local `k`), each as `let __tapeless_entryN = p[0];`, and the
    /// closure reading those names instead; `None` if it reads none. (The entries are then read
    /// even where the map has no element to apply the closure to.)
    fn entries_hoisted(
        &self,
        closure: &syn::ExprClosure,
        param: &syn::Ident,
    ) -> Option<(Vec<syn::Stmt>, syn::ExprClosure)> {
        struct Entries<'l, 'a> {
            lowerer: &'l Lowerer<'a>,
            param: String,
            found: Vec<(String, syn::Ident, Expr)>,
        }
        impl Entries<'_, '_> {
            fn local(&self, e: &Expr) -> bool {
                matches!(e, Expr::Path(p) if p.qself.is_none()
                    && p.path.get_ident().is_some_and(|i| *i != self.param && self.lowerer.slot(&i.to_string()).is_some()))
            }
        }
        impl syn::visit_mut::VisitMut for Entries<'_, '_> {
            fn visit_expr_mut(&mut self, e: &mut Expr) {
                match e {
                    Expr::Index(ix)
                        if self.local(&ix.expr)
                            && (matches!(
                                &*ix.index,
                                Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(_), .. })
                            ) || self.local(&ix.index)) =>
                    {
                        let text = quote!(#ix).to_string();
                        let name = match self.found.iter().find(|(t, _, _)| *t == text) {
                            Some((_, name, _)) => name.clone(),
                            None => {
                                let at = proc_macro2::Span::mixed_site().located_at(Loc::of(&*ix).span());
                                let name =
                                    quote::format_ident!("__tapeless_entry{}", self.found.len(), span = at);
                                self.found.push((text, name.clone(), e.clone()));
                                name
                            }
                        };
                        *e = syn::parse_quote!(#name);
                    }
                    // A nested closure's names are its own.
                    Expr::Closure(_) => {}
                    _ => syn::visit_mut::visit_expr_mut(self, e),
                }
            }
        }
        let mut kept = closure.clone();
        let mut entries = Entries { lowerer: self, param: param.to_string(), found: Vec::new() };
        syn::visit_mut::VisitMut::visit_expr_mut(&mut entries, &mut kept.body);
        if entries.found.is_empty() {
            return None;
        }
        let lets = entries.found.into_iter().map(|(_, name, e)| syn::parse_quote!(let #name = #e;)).collect();
        Some((lets, kept))
    }

    /// Every local of the enclosing function a closure with parameter `param` reads, once each,
    /// in the order of their first reads.
    fn captured_locals(&self, closure: &syn::ExprClosure, param: &syn::Ident) -> Vec<(Loc, String)> {
        let mut captured = Captures { lowerer: self, param: param.to_string(), found: Vec::new() };
        syn::visit::Visit::visit_expr(&mut captured, &closure.body);
        captured.found
    }
}

/// The one named parameter of a `map` closure (`|e|`, `|e: f64|`) and its type if written; or
/// where and why the closure is not of that form.
pub(super) fn map_param(
    closure: &syn::ExprClosure,
) -> Result<(syn::Ident, Option<&syn::Type>), (Loc, Unsupported<'static>)> {
    match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
        [Pat::Ident(p)] if p.by_ref.is_none() && p.subpat.is_none() => Ok((p.ident.clone(), None)),
        [Pat::Type(t)] => match &*t.pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => Ok((p.ident.clone(), Some(&*t.ty))),
            other => Err((Loc::of(other), unsupported::CLOSURE_PARAMETER)),
        },
        _ => Err((Loc::of(&closure.inputs), unsupported::CLOSURE_MAP_WITHOUT_EXACTLY_NAMED)),
    }
}

/// Finds a local of the enclosing function read inside a `map` closure.
struct Captures<'l, 'a> {
    lowerer: &'l Lowerer<'a>,
    param: String,
    found: Vec<(Loc, String)>,
}

impl<'ast> syn::visit::Visit<'ast> for Captures<'_, '_> {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if name != self.param
                && self.lowerer.slot(&name).is_some()
                && !self.found.iter().any(|(_, seen)| *seen == name)
            {
                self.found.push((Loc::of(p), name));
            }
        }
    }
}
