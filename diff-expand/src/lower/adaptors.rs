//! Iterators by their syntax: a chain `lower::iterators` follows (`iterator`), and the adaptors
//! no chain follows (`scan`, `cycle`, `take_while`, ..), recognised so that the error names the
//! adaptor.

use super::*;

/// The first adaptor of [`UNFOLLOWED_ADAPTORS`] in the iterator chain `e`, from its source.
pub(super) fn unfollowed_adaptor(e: &Expr) -> Option<&syn::ExprMethodCall> {
    match e {
        Expr::Paren(p) => unfollowed_adaptor(&p.expr),
        Expr::MethodCall(m) => unfollowed_adaptor(&m.receiver).or_else(|| {
            (UNFOLLOWED_ADAPTORS.contains(&m.method.to_string().as_str()) && iterator_source(&m.receiver))
                .then_some(m)
        }),
        _ => None,
    }
}

/// Iterator adaptors no chain follows (`lower::iterators` reads the others).
pub(super) const UNFOLLOWED_ADAPTORS: [&str; 12] = [
    "scan",
    "cycle",
    "take_while",
    "skip_while",
    "map_while",
    "flat_map",
    "flatten",
    "peekable",
    "inspect",
    "fuse",
    "by_ref",
    "filter_map",
];

/// Whether `e` is an iterator: a chain of method calls down to `iter()`, `into_iter()`,
/// `iter_mut()`, `windows(k)`, `chunks(k)` or a range.
pub(super) fn iterator_source(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => iterator_source(&p.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) => {
            SOURCES.contains(&m.method.to_string().as_str()) || iterator_source(&m.receiver)
        }
        _ => false,
    }
}

/// The methods that start an iterator chain.
const SOURCES: [&str; 6] = ["iter", "into_iter", "iter_mut", "windows", "chunks", "chunks_exact"];

/// Whether `e` is an iterator: a source (`x.iter()`, `x.windows(k)`, a range) and adaptors. (A
/// nalgebra value's `map` is not: `v.map(f).map(g)` maps a matrix.)
pub(super) fn iterator(e: &Expr) -> bool {
    match e {
        Expr::Paren(p) => iterator(&p.expr),
        Expr::Range(_) => true,
        Expr::MethodCall(m) => match m.method.to_string().as_str() {
            name if SOURCES.contains(&name) => true,
            "map" | "zip" | "chain" | "enumerate" | "skip" | "take" | "rev" | "step_by" | "copied"
            | "cloned" | "filter" => iterator(&m.receiver),
            _ => false,
        },
        _ => false,
    }
}
