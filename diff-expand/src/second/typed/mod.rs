//! The tangent-typed dual copy of `NAME_grad`: forward mode over the reverse program with
//! symbolic zeros, by the types of the copy's locals.
//!
//! The plain copy (`copy.rs`) makes every float of `_grad` a `Dual<f64>`. Most of its tangent
//! arithmetic is then multiplication by zeros the compiler cannot drop (`0.0 * x` is not `0.0`
//! in IEEE arithmetic): the seed's tangent, every literal's, every adjoint only the seed reaches,
//! and the tangents of primal values the adjoint never reads (the function's value). Here each
//! scalar local of the copy is a dual number only if its tangent may be nonzero and is needed:
//! - *varied*: written from a differentiated parameter, or from a varied local;
//! - *needed*: read, directly or through other locals, by the gradient `_grad` returns.
//!
//! Both are found flow-insensitively, by name, over the statements of the copy (a name written
//! in two places, a primal value computed forward and again in a backward loop, is one node), so
//! a local that is both may be neither at some point, never the reverse. The others are plain
//! `f64`, and so are literals. Where a plain value meets a dual one, arithmetic is the runtime's
//! mixed operators (`dual/mixed.rs`); a call whose float arguments share one type gets them all
//! promoted; a plain local written from a dual expression reads the value parts of its dual
//! operands (`primal`).
//!
//! Only code made of the forms below is retyped; any other form leaves the plain copy as it is
//! ([`retype`] answers `false`): typed groups of scalar dual numbers, untyped groups, assignments
//! to a name or a pair of names, `for` loops over ranges, `if` without a value, the loop stacks'
//! `push` and `let Some(..) = stack.pop() else { break };`, `accumulate`, and expressions of
//! literals, locals, indexing, arithmetic, comparisons, float methods and the runtime's float
//! functions.

mod rewrite;
mod scan;

use syn::{Expr, Stmt};

use rewrite::Rewrite;
use scan::Scan;

/// What a name of the copy holds, as far as retyping needs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ty {
    Int,
    Bool,
    /// A scalar float: retyped by its name's decision, or fixed (a parameter, a dual result of
    /// the runtime's `dual_math`).
    Float,
    /// A slice, array or `Vec` of floats, of dual numbers or of `f64`, kept as it is.
    Array {
        dual: bool,
    },
    /// A loop's stack of saved values.
    Stack,
    /// A pullback of the runtime's `dual_math` (`erf_vjp`): takes and gives dual numbers.
    Pullback,
    /// A branch's trace, `__IfN::Then(..)` or `__IfN::Else(..)`: the values the branch saved.
    Trace,
}

/// One statement's data flow: the names it writes and the names it reads.
struct Flow {
    writes: Vec<String>,
    reads: Vec<String>,
}

/// Retypes the dual copy `f` of a `_grad` in place; `false` (and `f` unchanged) where it holds a
/// form this does not read.
pub(super) fn retype(f: &mut syn::ItemFn) -> bool {
    let mut scan = Scan::default();
    if scan.signature(&f.sig).is_none() || scan.body(&f.block.stmts).is_none() {
        return false;
    }
    let dual = scan.decide();
    let mut rewrite = Rewrite { types: &scan.types, dual: &dual };
    let mut stmts = std::mem::take(&mut f.block.stmts);
    if let Some(Stmt::Expr(mut tail, None)) = stmts.pop() {
        rewrite.stmts(&mut stmts);
        rewrite.tail(&mut tail);
        stmts.push(Stmt::Expr(tail, None));
    }
    f.block.stmts = stmts;
    true
}

/// `::tapeless::__private::Dual<f64>`, as the copy writes it.
pub(super) fn is_dual(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "Dual"))
}

pub(super) fn is_f64(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.is_ident("f64"))
}

pub(super) fn is_int(ty: &syn::Type) -> bool {
    matches!(ty, syn::Type::Path(p) if p.path.get_ident().is_some_and(|i| {
        matches!(i.to_string().as_str(), "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64")
    }))
}

/// The element of `&[T]`, `Vec<T>`, `&Vec<T>`, `[T; N]`, `&[T; N]`.
pub(super) fn element(ty: &syn::Type) -> Option<&syn::Type> {
    match ty {
        syn::Type::Reference(r) => element(&r.elem),
        syn::Type::Slice(s) => Some(&s.elem),
        syn::Type::Array(a) => Some(&a.elem),
        syn::Type::Path(_) => crate::signature::collection_element(ty),
        _ => None,
    }
}

/// The names of patterns that are all plain names (`(a, mut b)`), or `None`.
pub(super) fn idents<'p>(pats: impl Iterator<Item = &'p syn::Pat>) -> Option<Vec<String>> {
    pats.map(|p| match p {
        syn::Pat::Ident(i) => Some(i.ident.to_string()),
        _ => None,
    })
    .collect()
}

pub(super) fn ident_of(e: &Expr) -> Option<String> {
    match e {
        Expr::Path(p) if p.qself.is_none() => p.path.get_ident().map(ToString::to_string),
        Expr::Paren(p) => ident_of(&p.expr),
        _ => None,
    }
}

/// The last segment of a call's function path.
pub(super) fn callee(c: &syn::ExprCall) -> Option<(String, &syn::ExprPath)> {
    let Expr::Path(p) = &*c.func else { return None };
    Some((p.path.segments.last()?.ident.to_string(), p))
}

/// `<Dual<f64> as Floating>::__tapeless_from_f64(lit)`: a literal of the copy.
pub(super) fn literal(c: &syn::ExprCall) -> Option<&Expr> {
    let (name, _) = callee(c)?;
    (name == "__tapeless_from_f64" && c.args.len() == 1).then(|| &c.args[0])
}

/// The runtime's functions whose float arguments share one type, and what they give.
pub(super) fn float_function(name: &str, path: &syn::ExprPath) -> bool {
    let rules = path.path.segments.first().is_some_and(|s| s.ident == "__tapeless_rules");
    rules
        || matches!(
            name,
            "mul_adjoint"
                | "div_adjoint"
                | "div_adjoint_rhs"
                | "product_lhs"
                | "product_rhs"
                | "product_lhs_strong"
                | "product_rhs_strong"
                | "quotient_lhs"
                | "quotient_rhs"
                | "quotient_lhs_strong"
                | "quotient_rhs_strong"
        )
}

/// A method of `Scalar` or `Real` called through its path (`<Dual<f64> as Scalar>::max(a, b)`,
/// `<Dual<f64> as Real>::zero()`), which `f64` has too.
pub(super) fn scalar_path(path: &syn::ExprPath) -> bool {
    path.qself.as_ref().is_some_and(|q| is_dual(&q.ty))
        && path.path.segments.iter().any(|s| s.ident == "Scalar" || s.ident == "Real")
}

/// A comparison: its operands are compared by value, and its tangent reads nothing.
pub(super) fn comparison(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, Lt(_) | Le(_) | Gt(_) | Ge(_) | Eq(_) | Ne(_))
}

/// `dual_math::erf_vjp(x)`: dual numbers in, a dual value and its pullback out.
pub(super) fn dual_math(path: &syn::ExprPath) -> bool {
    path.path.segments.iter().any(|s| s.ident == "dual_math")
}

#[cfg(test)]
mod tests {
    use quote::{ToTokens, quote};

    /// The groups `let [..]: [T; N];` of the dual copy of `name`'s `_grad`: each name with its
    /// type as text.
    fn groups(
        attr: proc_macro2::TokenStream,
        item: proc_macro2::TokenStream,
        name: &str,
    ) -> Vec<(String, String)> {
        let out = crate::expand::differentiable(attr, item);
        let file: syn::File = syn::parse2(out).expect("the expansion parses");
        let copy = format!("__tapeless_{name}_grad_dual");
        let f = file
            .items
            .iter()
            .find_map(|i| match i {
                syn::Item::Fn(f) if f.sig.ident == copy => Some(f.clone()),
                _ => None,
            })
            .expect("the dual copy");
        let mut found = Vec::new();
        collect(&f.block.stmts, &mut found);
        found
    }

    fn collect(stmts: &[syn::Stmt], out: &mut Vec<(String, String)>) {
        for s in stmts {
            match s {
                syn::Stmt::Local(l) if l.init.is_none() => {
                    if let syn::Pat::Type(t) = &l.pat
                        && let (syn::Pat::Slice(s), syn::Type::Array(a)) = (&*t.pat, &*t.ty)
                    {
                        let elem = a.elem.to_token_stream().to_string().replace(' ', "");
                        for p in &s.elems {
                            if let syn::Pat::Ident(i) = p {
                                out.push((i.ident.to_string(), elem.clone()));
                            }
                        }
                    }
                }
                syn::Stmt::Expr(syn::Expr::ForLoop(f), _) => collect(&f.body.stmts, out),
                _ => {}
            }
        }
    }

    /// A sum of squares: the carry of the value and the seed's adjoints stay `f64`, the loads and
    /// the adjoints they reach are dual numbers.
    #[test]
    fn the_value_and_the_seed_stay_plain() {
        let item = quote!(
            fn sum_sq(x: &[f64]) -> f64 {
                let mut s = 0.0;
                for i in 0..x.len() {
                    s += 3.0 * x[i] * x[i];
                }
                s
            }
        );
        let found = groups(quote!(hessian), item, "sum_sq");
        let plain: Vec<&str> = found.iter().filter(|(_, t)| t == "f64").map(|(n, _)| n.as_str()).collect();
        let dual: Vec<&str> =
            found.iter().filter(|(_, t)| t.contains("Dual")).map(|(n, _)| n.as_str()).collect();
        assert!(plain.iter().any(|n| n.starts_with("__a")), "an adjoint of the seed is plain: {found:?}");
        assert!(plain.iter().any(|n| n.starts_with("__v")), "the value's carry is plain: {found:?}");
        assert!(dual.iter().any(|n| n.starts_with("__a")), "the loads' adjoints are dual: {found:?}");
    }

    /// A form the retyping does not read (`vec![..]`) leaves the copy all dual numbers.
    #[test]
    fn an_unread_form_keeps_the_plain_copy() {
        let item = quote!(
            fn with_buffer(x: &[f64]) -> f64 {
                let mut b = vec![0.0; x.len()];
                for i in 0..x.len() {
                    b[i] = x[i] * x[i];
                }
                b.iter().sum()
            }
        );
        let found = groups(quote!(hessian), item, "with_buffer");
        assert!(!found.is_empty() && found.iter().all(|(_, t)| t.contains("Dual")), "{found:?}");
    }
}
