//! Calls kept as written: the receiver and arguments renamed to the values they read, closures
//! left in place (rustc infers their parameter types there), and the whole an opaque value, an
//! error where it reads a differentiable one (`check`).

use super::*;

impl Lowerer<'_> {
    /// A call kept as written, followed by `suffix` (`?`): the receiver and arguments are lowered
    /// (a length reads no array), closures that name no local stay in place (rustc infers their
    /// parameter types there). Opaque (`what`, for the error if it reads a differentiable value).
    pub(super) fn opaque_call(&mut self, e: &Expr, suffix: TokenStream, what: Opaque) -> Tree {
        let span = Loc::of_expr(e);
        let mut reads = Vec::new();
        let mut arg = |l: &mut Self, a: &Expr| -> TokenStream {
            // `|&k| k % 7` where `k` is also a local of the function: its parameters renamed
            // apart first (`Renamer` would read the body's `k` as the local).
            let unshadowed = match a {
                Expr::Closure(c) if super::expressions::shadows_a_local(l, c) => {
                    super::scan::parameters_renamed_apart(c).map(Expr::Closure)
                }
                _ => None,
            };
            let a = unshadowed.as_ref().unwrap_or(a);
            match a {
                Expr::Closure(c) if !super::expressions::names_a_local(l, &c.body) => quote!(#a),
                // `|_| format!("bad {}", s)`: the locals it names are renamed (its parameters
                // must not shadow one).
                Expr::Closure(c) if !super::expressions::shadows_a_local(l, c) => {
                    let mut renamer = Renamer { lowerer: l, reads: Vec::new(), problem: None };
                    let mut copy = c.clone();
                    renamer.visit_expr_mut(&mut copy.body);
                    let (found, problem) = (renamer.reads, renamer.problem);
                    if let Some((at, what)) = problem {
                        l.unsupported(at, Unsupported { what, help: "" });
                    }
                    reads.extend(found);
                    quote!(#copy)
                }
                a => {
                    let v = l.value(a);
                    reads.push(v);
                    v.ident().into_token_stream()
                }
            }
        };
        let mut receiver_reads = Vec::new();
        let tokens = match e {
            // `xs.iter().position(|&v| v > c)`: an iterator receiver stays in the expression (held
            // in a binding of its own, the `&mut self` of `position` would need it `mut`).
            Expr::MethodCall(m) if super::adaptors::iterator(&m.receiver) => {
                let mut renamer = Renamer { lowerer: self, reads: Vec::new(), problem: None };
                let mut receiver = (*m.receiver).clone();
                renamer.visit_expr_mut(&mut receiver);
                let (found, problem) = (renamer.reads, renamer.problem);
                if let Some((at, what)) = problem {
                    return self.unsupported(at, Unsupported { what, help: "" });
                }
                let args: Vec<TokenStream> = m.args.iter().map(|a| arg(self, a)).collect();
                receiver_reads = found;
                let (method, turbofish) = (&m.method, &m.turbofish);
                quote!(#receiver.#method #turbofish (#(#args),*) #suffix)
            }
            Expr::MethodCall(m) => {
                let receiver = arg(self, &m.receiver);
                let args: Vec<TokenStream> = m.args.iter().map(|a| arg(self, a)).collect();
                let (method, turbofish) = (&m.method, &m.turbofish);
                quote!(#receiver.#method #turbofish (#(#args),*) #suffix)
            }
            Expr::Call(c) => {
                let args: Vec<TokenStream> = c.args.iter().map(|a| arg(self, a)).collect();
                let func = &c.func;
                quote!(#func(#(#args),*) #suffix)
            }
            e => {
                let v = arg(self, e);
                quote!(#v #suffix)
            }
        };
        reads.extend(receiver_reads);
        Tree::Leaf(self.emit(Op::Opaque { tokens, reads, what }, span, Kind::Unknown))
    }
}
