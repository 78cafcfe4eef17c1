//! Calls of the `libm` crate: the float method's rule where it has one (`libm::log1p(x)` is
//! `ln_1p`'s, `rules::libm`), the call kept as written so the value is libm's to the bit;
//! `erf`/`erfc` as `tapeless::math`'s, which are libm's with their derivatives; any other kept
//! as written, fine on constants and our error on a differentiable value
//! (`Opaque::LibmFunction`).

use super::*;

impl Lowerer<'_> {
    /// `libm::name(args)`, `e` being `c`.
    pub(super) fn libm_call(
        &mut self,
        e: &Expr,
        c: &syn::ExprCall,
        name: &str,
        span: Loc,
        results: &TupleShape,
    ) -> Tree {
        if let Some(rule) = rules::libm(name).and_then(|m| rules::lookup(m, c.args.len()))
            && let Expr::Path(path) = &*c.func
        {
            let args = c.args.iter().map(|a| self.value(a)).collect();
            return self.prim(rule, args, Form::Path(path.path.clone()), span, results);
        }
        if name == "erf" || name == "erfc" {
            let (function, args) = (syn::Ident::new(name, span.span()), &c.args);
            let call: Expr = syn::parse_quote_spanned!(span.span()=> ::tapeless::math::#function(#args));
            return self.call_expr(&call, results);
        }
        self.opaque_call(e, TokenStream::new(), Opaque::LibmFunction(name.to_string()))
    }
}
