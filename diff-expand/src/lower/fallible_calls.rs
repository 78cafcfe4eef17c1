//! Composing a function with the attribute that returns `Result` or `Option`: `g(x).unwrap()`,
//! `g(x).expect("..")`, `g(x)?` (in a function that returns one too) and `self.h(x)?`. The call
//! composes like any other (`Op::Call`), and each generated item unwraps its sibling's result
//! the same way the user unwraps the call: `g_jvp(x, dx).unwrap()`, `g_vjp(x)?`. A callee's
//! error thus leaves every generated item of the caller as it leaves the caller.
//!
//! Only a callee the registry knows has the attribute (`signature::registry`, which the
//! prescan fills from the source file) composes this way; another `g(x)?` stays as written, an
//! error when it reads a differentiable value.

use quote::quote_spanned;
use syn::Expr;

use super::Lowerer;
use super::statements::TupleShape;
use crate::ir::{Op, Tree, Unwrap};

/// `e` as a call and how its result is unwrapped (`.unwrap()`, `.expect(..)` of literals, `?`).
fn unwrapped(e: &Expr, fallible: bool) -> Option<(&Expr, Unwrap)> {
    match e {
        Expr::MethodCall(m) if super::unwraps(m) && m.args.iter().all(|a| matches!(a, Expr::Lit(_))) => {
            // Spanned at the user's method, so a failing `expect` reports the user's line.
            let (method, args) = (&m.method, &m.args);
            Some((&m.receiver, Unwrap::Method(quote_spanned!(method.span()=> .#method(#args)))))
        }
        Expr::Try(t) if fallible => Some((&t.expr, Unwrap::Question(t.question_token))),
        _ => None,
    }
}

/// Whether `e` calls a function (or a method of `self`) the registry knows has the attribute.
fn composable(e: &Expr) -> bool {
    use crate::signature::registry;
    match e {
        Expr::Call(c) => match &*c.func {
            Expr::Path(p) if p.qself.is_none() => p
                .path
                .segments
                .last()
                .is_some_and(|s| registry::is_function(&s.ident.to_string(), c.args.len())),
            _ => false,
        },
        Expr::MethodCall(m) => {
            matches!(&*m.receiver, Expr::Path(p) if p.path.is_ident("self"))
                && registry::is_method(&m.method.to_string(), m.args.len())
        }
        _ => false,
    }
}

impl Lowerer<'_> {
    /// `g(x).unwrap()`, `g(x)?`, ..: the composed call of `g` with its result unwrapped in every
    /// generated item, or `None` for any other expression.
    pub(super) fn fallible_call(&mut self, e: &Expr, results: &TupleShape) -> Option<Tree> {
        let (call, then) = unwrapped(e, self.fallible)?;
        if !composable(call) {
            return None;
        }
        let errors_before = self.cx.has_errors();
        let tree = self.call_expr(call, results);
        let first = tree.leaves().first().copied();
        let inst = self.blocks.last_mut().and_then(|b| {
            b.iter_mut()
                .rev()
                .find(|i| matches!(i.op, Op::Call { .. }) && first.is_some_and(|v| i.results.contains(&v)))
        });
        match inst {
            Some(crate::ir::Inst { op: Op::Call { unwrap, .. }, .. }) => {
                *unwrap = Some(then);
                Some(tree)
            }
            // The call's own lowering reported why it is no call.
            _ if self.cx.has_errors() && !errors_before => Some(tree),
            // Lowered as something else (a rule's function of the same path, `libm::exp`).
            _ => Some(self.unsupported(
                crate::ir::Loc::of_expr(e),
                crate::diagnostics::unsupported::FALLIBLE_CALL_FORM,
            )),
        }
    }
}
