//! Calls kept as written: the receiver and arguments renamed to the values they read, closures
//! left in place (rustc infers their parameter types there), and the whole an opaque value, an
//! error where it reads a differentiable one (`check`).

use super::*;

impl Lowerer<'_> {
    /// A call kept as written, followed by `suffix` (`?`): the receiver and arguments are lowered
    /// (a length reads no array), closures stay in place (rustc infers their parameter types
    /// there), renamed ([`Self::kept_closure`]). Opaque (`what`, for the error if it reads a differentiable value).
    pub(super) fn opaque_call(&mut self, e: &Expr, suffix: TokenStream, what: Opaque) -> Tree {
        let span = Loc::of_expr(e);
        let mut reads = Vec::new();
        let arg = |l: &mut Self, a: &Expr, reads: &mut Vec<Value>| -> TokenStream {
            // `|_| format!("bad {}", s)`, `|&k| k % 7` (its `k` shadowing a local): kept in place,
            // renamed (`kept_closure`).
            if let Expr::Closure(c) = a
                && let Some(kept) = l.kept_closure(c, reads)
            {
                return quote!(#kept);
            }
            let v = l.value(a);
            reads.push(v);
            v.ident().into_token_stream()
        };
        let tokens = match e {
            // `xs.iter().position(|&v| v > c)`: an iterator receiver stays in the expression (held
            // in a binding of its own, the `&mut self` of `position` would need it `mut`).
            Expr::MethodCall(m) if super::adaptors::iterator(&m.receiver) => {
                let receiver = match self.rename_locals(&m.receiver, &mut reads) {
                    Ok(receiver) => receiver,
                    Err(error) => return error,
                };
                let args: Vec<TokenStream> = m.args.iter().map(|a| arg(self, a, &mut reads)).collect();
                let (method, turbofish) = (&m.method, &m.turbofish);
                quote!(#receiver.#method #turbofish (#(#args),*) #suffix)
            }
            Expr::MethodCall(m) => {
                let receiver = arg(self, &m.receiver, &mut reads);
                let args: Vec<TokenStream> = m.args.iter().map(|a| arg(self, a, &mut reads)).collect();
                let (method, turbofish) = (&m.method, &m.turbofish);
                quote!(#receiver.#method #turbofish (#(#args),*) #suffix)
            }
            // `no_grad(check(x))?`: the call inside `no_grad` as its own value (`lower::calls`).
            Expr::Call(c) if !matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "no_grad")) =>
            {
                let args: Vec<TokenStream> = c.args.iter().map(|a| arg(self, a, &mut reads)).collect();
                let func = &c.func;
                quote!(#func(#(#args),*) #suffix)
            }
            e => {
                let v = arg(self, e, &mut reads);
                quote!(#v #suffix)
            }
        };
        Tree::Leaf(self.emit(Op::Opaque { tokens, reads, what }, span, Kind::Unknown))
    }
}
