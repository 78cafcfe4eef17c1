//! Statement macros: `assert!`, `println!`, `panic!` and the others of [`KEPT_MACROS`] are
//! kept in the primal computation of every generated item, their arguments' locals renamed; any
//! other macro is our error.

use syn::visit_mut::VisitMut;

use super::*;

/// Macros kept in the primal computation of every generated item: they assert, print, stop or
/// format a `String`, and change no derivative.
const KEPT_MACROS: &[&str] = &[
    "format",
    "assert",
    "assert_eq",
    "assert_ne",
    "debug_assert",
    "debug_assert_eq",
    "debug_assert_ne",
    "print",
    "println",
    "eprint",
    "eprintln",
    "panic",
    "unreachable",
    "todo",
    "unimplemented",
];

impl Lowerer<'_> {
    /// `assert!(x > 0.0)`, `println!("{}", s)` and the others of [`KEPT_MACROS`]: an opaque
    /// statement with its arguments' locals renamed, run wherever the primal runs. Any other
    /// macro cannot be looked into and is an error.
    pub(super) fn statement_macro(&mut self, mac: &syn::Macro, span: Loc) -> Tree {
        // `return Err(e)` of a function returning `Result` (`lower::results`): kept as written.
        if mac.path.is_ident(super::results::LEAVE) {
            let Ok(Expr::Return(syn::ExprReturn { expr: Some(error), .. })) = mac.parse_body::<Expr>() else {
                return self.unsupported(span, unsupported::RETURN_FORM);
            };
            let mut renamer = Renamer::new(self);
            let mut copy = (*error).clone();
            renamer.visit_expr_mut(&mut copy);
            let (reads, problem) = (renamer.reads, renamer.problem);
            if let Some((at, what)) = problem {
                return self
                    .unsupported(at, Unsupported { what, help: super::expressions::opaque_help(what) });
            }
            let tokens = quote::quote_spanned!(span.start=> return #copy);
            let op = Op::Opaque { tokens, reads, what: Opaque::Form("an early return of an error") };
            return Tree::Leaf(self.emit(op, span, Kind::Discrete));
        }
        // `assert!` or `::core::assert!`, `std::println!`: by the last segment.
        let kept =
            mac.path.segments.last().is_some_and(|i| KEPT_MACROS.contains(&i.ident.to_string().as_str()));
        if !kept {
            return self.unsupported(span, unsupported::MACRO_CALL);
        }
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = mac.parse_body_with(parser) else {
            return self.unsupported(span, unsupported::THESE_MACRO_ARGUMENTS);
        };
        if let Some(name) = mac.path.get_ident() {
            super::formats::explicit_captures(self, &name.to_string(), &mut args);
        }
        let mut renamed = Vec::new();
        let mut reads = Vec::new();
        for arg in &args {
            let mut renamer = Renamer::new(self);
            let mut copy = arg.clone();
            renamer.argument(&mut copy);
            if let Some((at, what)) = renamer.problem {
                return self
                    .unsupported(at, Unsupported { what, help: super::expressions::opaque_help(what) });
            }
            reads.extend(renamer.reads);
            renamed.push(copy);
        }
        // Spanned at the user's macro, so that a failing `assert!` reports the user's line.
        let (path, bang) = (&mac.path, &mac.bang_token);
        let tokens = quote::quote_spanned!(span.start=> #path #bang (#(#renamed),*));
        let op = Op::Opaque { tokens, reads, what: Opaque::Form("a statement macro") };
        Tree::Leaf(self.emit(op, span, Kind::Discrete))
    }
}
