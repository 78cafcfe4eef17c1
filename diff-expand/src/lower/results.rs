//! Functions returning `Result<T, E>` or `Option<T>` of a differentiable `T`: before lowering, the
//! body is rewritten so that the value is `T` and every way out with an error is a *leave*.
//!
//! ```text
//! return Ok(e)            =>  return e
//! return if c { Ok(a) } else { Ok(b) }  =>  return if c { a } else { b }   (and `match`, blocks)
//! tail Ok(e) / Some(e)    =>  e
//! return Err(e) / None    =>  __tapeless_leave!(return Err(e))
//! tail Err(e) / None      =>  __tapeless_leave!(return Err(e))
//! if c { A } else { leave }  =>  { if !(c) { leave } A }
//! m.try_inverse()?        =>  { if !no_grad(m.try_inverse().is_some()) { leave None } m.try_inverse().unwrap() }
//! ```
//!
//! A leave is a statement macro (`lower::macros::statement_macro`) kept as written in every
//! generated item, whose result type is `Result<(value, derivative), E>`, so the `return Err(e)`
//! leaves them with the user's error. Like a `panic!`, it makes an `if` with no `else` a guard:
//! the function is undefined on the side that leaves, and the derivative is that of the side
//! that returns a value (`lower::control::if_expr`). `e?` of a constant is kept as written.

use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

use crate::signature::WrapperKind;

/// The name of the leave marker (not a macro a user can write: it is never expanded).
pub(super) const LEAVE: &str = "__tapeless_leave";

/// `body` with its `Ok`/`Some` unwrapped and its errors made leaves.
pub(super) fn unwrap_result(body: &syn::Block, kind: WrapperKind) -> syn::Block {
    let mut body = body.clone();
    Returns { kind }.visit_block_mut(&mut body);
    tail_block(&mut body, kind);
    body
}

/// What a value-or-error expression is: `Ok(e)` (the value `e`), an error, or neither.
enum Wrapped {
    Value(Box<Expr>),
    Error,
    Other,
}

fn classify(e: &Expr, kind: WrapperKind) -> Wrapped {
    let (value, error) = match kind {
        WrapperKind::Result => ("Ok", "Err"),
        WrapperKind::Option => ("Some", "None"),
    };
    match e {
        Expr::Paren(p) => classify(&p.expr, kind),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == value) => {
                Wrapped::Value(Box::new(c.args[0].clone()))
            }
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == error) => Wrapped::Error,
            _ => Wrapped::Other,
        },
        Expr::Path(p)
            if kind == WrapperKind::Option && p.path.segments.last().is_some_and(|s| s.ident == "None") =>
        {
            Wrapped::Error
        }
        _ => Wrapped::Other,
    }
}

/// `__tapeless_leave!(return e)`, spanned at `e`.
fn leave(e: &Expr) -> Expr {
    let span = syn::spanned::Spanned::span(e);
    let marker = syn::Ident::new(LEAVE, span);
    syn::parse_quote_spanned!(span=> #marker!(return #e))
}

/// The `Option` a `?` unwraps and the value to leave with where it is `None`: `e` itself and
/// `None` in a function returning `Option`; in one returning `Result`, the receiver of
/// `.ok_or(e)` (or `.ok_or_else(f)`) and the `Err` it makes. The caller says which `Option`s it
/// takes apart (a lookup `x.first()`, linear algebra `m.try_inverse()`).
fn unwrapped_option(e: &Expr, kind: WrapperKind) -> Option<(Expr, Expr)> {
    let span = syn::spanned::Spanned::span(e);
    match (kind, e) {
        (WrapperKind::Option, e) => Some((e.clone(), syn::parse_quote_spanned!(span=> None))),
        (WrapperKind::Result, Expr::MethodCall(m)) if m.args.len() == 1 => {
            let arg = &m.args[0];
            let error: Expr = match m.method.to_string().as_str() {
                "ok_or" => syn::parse_quote_spanned!(span=> Err(#arg)),
                // A closure without parameters is written in place (`|| MyError::Short(x.len())`
                // reads the function's values, which a closure here may not).
                "ok_or_else" => match arg {
                    Expr::Closure(c) if c.inputs.is_empty() => {
                        let body = &c.body;
                        syn::parse_quote_spanned!(span=> Err(#body))
                    }
                    f => syn::parse_quote_spanned!(span=> Err((#f)())),
                },
                _ => return None,
            };
            Some(((*m.receiver).clone(), error))
        }
        _ => None,
    }
}

/// `return Ok(e)` -> `return e`; `return Err(e)` -> a leave. Not inside closures (their
/// `return` is theirs).
struct Returns {
    kind: WrapperKind,
}

impl VisitMut for Returns {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        // `x.first()?`, `*x.get(i)?` in a function returning `Option` (`x.first().ok_or(e)?`,
        // `.ok_or_else(f)?` in one returning `Result`): a guard that leaves with `None` (the
        // error) where the element is missing, then the element (`lower::options`).
        let span = syn::spanned::Spanned::span(&*e);
        let (deref, tried) = match &*e {
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => match &*u.expr {
                Expr::Try(t) => (true, Some(&*t.expr)),
                _ => (false, None),
            },
            Expr::Try(t) => (false, Some(&*t.expr)),
            _ => (false, None),
        };
        if let Some((option, error)) = tried.and_then(|t| unwrapped_option(t, self.kind))
            && let Some(lookup) = super::options::Lookup::of(&option)
        {
            let (present, left) = (lookup.present(), leave(&error));
            let element: Expr = if deref {
                syn::parse_quote_spanned!(span=> *#option.unwrap())
            } else {
                syn::parse_quote_spanned!(span=> #option.unwrap())
            };
            *e = syn::parse_quote_spanned!(span=> { if !(#present) { #left; } #element });
            return;
        }
        // `m.try_inverse()?`, `a.lu().solve(&b)?`, `a.cholesky()?` (and `.ok_or(e)?` of them in a
        // function returning `Result`): a guard that leaves where the matrix is singular, then
        // the unwrapped value (`lower::solves`).
        if let Expr::Try(t) = &*e
            && let Some((option, error)) = unwrapped_option(&t.expr, self.kind)
            && super::checked::optional(&option)
        {
            let span = syn::spanned::Spanned::span(&*e);
            let left = leave(&error);
            let mut guarded: Expr = syn::parse_quote_spanned!(span=> {
                if !::tapeless::no_grad(#option.is_some()) { #left; }
                #option.unwrap()
            });
            // The error expression may itself hold a `?` of this kind.
            syn::visit_mut::visit_expr_mut(self, &mut guarded);
            *e = guarded;
            return;
        }
        if let Expr::Return(r) = e
            && let Some(value) = r.expr.as_mut()
        {
            match classify(value, self.kind) {
                Wrapped::Value(v) => **value = *v,
                Wrapped::Error => {
                    let left = leave(value);
                    *e = left;
                }
                // `return if c { Ok(a) } else { Ok(b) }`, `return match ..`: the value is
                // rewritten as a tail; one that only leaves is the leave itself.
                Wrapped::Other => {
                    if tail_expr(value, self.kind) {
                        *e = (**value).clone();
                    }
                }
            }
        }
        if matches!(e, Expr::Closure(_)) {
            return;
        }
        syn::visit_mut::visit_expr_mut(self, e);
    }
}

/// Rewrites the tail of a block in value position.
fn tail_block(block: &mut syn::Block, kind: WrapperKind) {
    if let Some(Stmt::Expr(tail, None)) = block.stmts.last_mut() {
        tail_expr(tail, kind);
    }
}

/// Rewrites an expression in value position; whether it now only leaves.
fn tail_expr(e: &mut Expr, kind: WrapperKind) -> bool {
    match classify(e, kind) {
        Wrapped::Value(v) => {
            *e = *v;
            return false;
        }
        Wrapped::Error => {
            *e = leave(e);
            return true;
        }
        Wrapped::Other => {}
    }
    match e {
        Expr::Paren(p) => tail_expr(&mut p.expr, kind),
        Expr::Block(b) => {
            tail_block(&mut b.block, kind);
            leaves(&b.block)
        }
        Expr::Match(m) => {
            for arm in &mut m.arms {
                tail_expr(&mut arm.body, kind);
            }
            false
        }
        Expr::If(i) => {
            tail_block(&mut i.then_branch, kind);
            let else_leaves = match &mut i.else_branch {
                Some((_, other)) => tail_expr(other, kind),
                None => false,
            };
            let then_leaves = leaves(&i.then_branch);
            // One side only leaves: a guard, then the other side's statements.
            if let (Some((_, other)), true, false) | (Some((_, other)), false, true) =
                (&i.else_branch, else_leaves, then_leaves)
            {
                let cond = &i.cond;
                let span = syn::spanned::Spanned::span(&**cond);
                let (guard_cond, mut guard, rest): (Expr, syn::Block, Expr) = if else_leaves {
                    (
                        syn::parse_quote_spanned!(span=> !(#cond)),
                        as_block(other),
                        Expr::Block(block_expr(&i.then_branch)),
                    )
                } else {
                    (cond.as_ref().clone(), i.then_branch.clone(), (**other).clone())
                };
                // The guard's block is a statement: its leave ends with `;`.
                if let Some(Stmt::Expr(_, semi @ None)) = guard.stmts.last_mut() {
                    *semi = Some(Default::default());
                }
                *e = syn::parse_quote_spanned!(span=> { if #guard_cond #guard #rest });
            }
            then_leaves && else_leaves
        }
        _ => false,
    }
}

/// An expression as a block: its own if it is one, else `{ e }`.
fn as_block(e: &Expr) -> syn::Block {
    match e {
        Expr::Block(b) => b.block.clone(),
        e => {
            let span = syn::spanned::Spanned::span(e);
            syn::parse_quote_spanned!(span=> { #e })
        }
    }
}

fn block_expr(block: &syn::Block) -> syn::ExprBlock {
    syn::ExprBlock { attrs: Vec::new(), label: None, block: block.clone() }
}

/// Whether a block ends by leaving.
fn leaves(block: &syn::Block) -> bool {
    match block.stmts.last() {
        Some(Stmt::Expr(Expr::Macro(m), _)) => m.mac.path.is_ident(LEAVE),
        Some(Stmt::Macro(m)) => m.mac.path.is_ident(LEAVE),
        Some(Stmt::Expr(Expr::Block(b), _)) => leaves(&b.block),
        _ => false,
    }
}
