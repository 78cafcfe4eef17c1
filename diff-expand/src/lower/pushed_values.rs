//! What a pushed value is, for [`super::pushes`]: surely an integer ([`integers`],
//! [`integer`]) or plainly not a float ([`not_a_float`]), in which case the `Vec` keeps its
//! `push` (a `vec![0.0; n]` filled by index could not hold it).

use super::*;
use std::collections::BTreeSet;

/// The names bound to integers by the statements `before` a `for` loop and by the loop: its
/// variable over a range, the index of an `enumerate`, and the locals computed from those,
/// lengths and integer literals (`let j = i + 1;`, `let n = v.len();`), in order.
pub(super) fn integers(f: Option<&syn::ExprForLoop>, body: &syn::Block, before: &[Stmt]) -> BTreeSet<String> {
    let mut ints = BTreeSet::new();
    let integer_locals = |stmts: &[Stmt], ints: &mut BTreeSet<String>| {
        for stmt in stmts {
            if let Stmt::Local(l) = stmt
                && let Pat::Ident(p) = &l.pat
                && let Some(init) = &l.init
                && integer(&init.expr, ints)
            {
                ints.insert(p.ident.to_string());
            }
        }
    };
    integer_locals(before, &mut ints);
    let Some(f) = f else {
        integer_locals(&body.stmts, &mut ints);
        return ints;
    };
    let bind = |pat: &Pat, ints: &mut BTreeSet<String>| {
        let mut names = Vec::new();
        super::scan::tokens_idents(pat.to_token_stream(), &mut names);
        ints.extend(names);
    };
    let mut source = &*f.expr;
    while let Expr::Paren(p) = source {
        source = &p.expr;
    }
    match source {
        Expr::Range(_) => bind(&f.pat, &mut ints),
        Expr::MethodCall(m) if m.method == "enumerate" => {
            if let Pat::Tuple(t) = &*f.pat
                && let Some(first) = t.elems.first()
            {
                bind(first, &mut ints);
            }
        }
        _ => {}
    }
    integer_locals(&body.stmts, &mut ints);
    ints
}

/// Whether `e` is surely an integer: a literal, a cast to an integer type, a length or count,
/// a name of `ints`, or arithmetic on one of those.
pub(super) fn integer(e: &Expr, ints: &BTreeSet<String>) -> bool {
    match e {
        Expr::Paren(p) => integer(&p.expr, ints),
        Expr::Lit(l) => matches!(l.lit, syn::Lit::Int(_)),
        Expr::Cast(c) => matches!(&*c.ty, syn::Type::Path(t) if t.path.get_ident().is_some_and(|i| {
            matches!(i.to_string().as_str(), "usize" | "isize" | "u8" | "u16" | "u32" | "u64" | "i8" | "i16" | "i32" | "i64")
        })),
        Expr::MethodCall(m) => matches!(m.method.to_string().as_str(), "len" | "count"),
        Expr::Path(p) => p.path.get_ident().is_some_and(|i| ints.contains(&i.to_string())),
        Expr::Binary(b) => {
            matches!(
                b.op,
                syn::BinOp::Add(_)
                    | syn::BinOp::Sub(_)
                    | syn::BinOp::Mul(_)
                    | syn::BinOp::Div(_)
                    | syn::BinOp::Rem(_)
            ) && (integer(&b.left, ints) || integer(&b.right, ints))
        }
        _ => false,
    }
}

/// Whether a pushed value is plainly not a float, so that `vec![0.0; COUNT]` cannot hold it: a
/// struct, tuple or array literal, a `vec![..]`, a reference, a literal that is not a
/// float, a call of a constructor (`Obs::new(..)`, `Vector3::new(..)`, `Some(..)`: a path whose
/// type segment is capitalised and not a float type), or a local the statements `before` it in
/// the loop body bind to one of those or with a type that is not a float (`let o = Obs { .. };`).
/// The `Vec` then keeps its `push`, which the lowering reports or keeps as written.
pub(super) fn not_a_float(value: &Expr, before: &[Stmt]) -> bool {
    // `Some(..)`, `Pair(..)`; `Obs::new(..)`, `Vector3::zeros()`, `Point::from_slice(..)`: not
    // `Model::residual(..)`, which may well be a float.
    let constructor = |path: &syn::Path| {
        let capitalised = |i: &syn::Ident| {
            let name = i.to_string();
            name.starts_with(|c: char| c.is_ascii_uppercase())
                && !crate::signature::float_type_or_trait(&name)
        };
        match path.segments.iter().rev().collect::<Vec<_>>()[..] {
            [only] => capitalised(&only.ident),
            [last, owner, ..] => {
                let last = last.ident.to_string();
                let made =
                    matches!(last.as_str(), "new" | "from" | "zeros" | "identity" | "default" | "repeat");
                capitalised(&owner.ident) && (made || last.starts_with("from_"))
            }
            [] => false,
        }
    };
    match value {
        Expr::Paren(p) => not_a_float(&p.expr, before),
        Expr::Struct(_) | Expr::Tuple(_) | Expr::Array(_) | Expr::Repeat(_) | Expr::Reference(_) => true,
        Expr::Macro(m) => m.mac.path.is_ident("vec"),
        Expr::Lit(l) => !matches!(l.lit, syn::Lit::Float(_)),
        Expr::Call(c) => matches!(&*c.func, Expr::Path(f) if f.qself.is_none() && constructor(&f.path)),
        Expr::Path(p) => p.path.get_ident().is_some_and(|local| {
            // The last binding of that name before the push.
            before.iter().rev().find_map(|stmt| {
                let Stmt::Local(l) = stmt else { return None };
                let (pat, ty) = match &l.pat {
                    Pat::Type(t) => (&*t.pat, Some(&*t.ty)),
                    p => (p, None),
                };
                let Pat::Ident(bound) = pat else { return None };
                (bound.ident == *local).then(|| match ty {
                    Some(t) => !crate::signature::is_float(t),
                    None => l.init.as_ref().is_some_and(|i| not_a_float(&i.expr, &[])),
                })
            }) == Some(true)
        }),
        _ => false,
    }
}
