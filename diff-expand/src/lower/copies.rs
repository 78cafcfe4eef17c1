//! A local array passed by reference to a differentiated call and written afterwards, passed
//! as a copy made just before the statement:
//!
//! ```text
//! for layer in layers {                          for layer in layers {
//!     h = layer.w.iter()                             let __tapeless_copy_h = h.clone();
//!         .map(|row| dot(row, &h).tanh())   =>       h = layer.w.iter()
//!         .collect();                                    .map(|row| dot(row, &__tapeless_copy_h).tanh())
//! }                                                      .collect();
//!                                                }
//! ```
//!
//! The callee's pullback reads the array it was given when the reverse sweep reaches it, so the
//! array must not change after the call (`check::check_borrowed_arguments`). The user would
//! write the same copy (the error's help said to, until the forty-second session); what it
//! costs is one copy of the array per statement run, which the pullback keeps.
//!
//! A statement gets the copy when it calls a function or method with a derivative the prescan
//! knows of (`registry::derivative_known`, `registry::is_method`, a method of the `impl` block
//! being expanded, or a local closure, inlined where it is called) with `&h` of a local array
//! `h`, and either is `h = ..` itself (the call reads the old `h`, the assignment writes it), or
//! does not write `h` while a later statement of the same block does. A statement that both
//! calls and writes inside (a loop, a branch) is left to its own blocks.

use syn::visit::Visit;
use syn::visit_mut::VisitMut;

use super::*;

impl Lowerer<'_> {
    /// The copies to declare before `stmt`, and `stmt` with the calls passed them, if any of
    /// its borrowed arrays is written by it (as `h = ..`) or by a statement of `rest`.
    pub(super) fn copies_for_calls(&mut self, stmt: &Stmt, rest: &[Stmt]) -> Option<(Vec<Stmt>, Stmt)> {
        // The local closures the statement calls (inlined where they are called, so a call of
        // one may be a call of a differentiable function).
        let mut callees = Callees::default();
        callees.visit_stmt(stmt);
        let closures: Vec<syn::Ident> =
            callees.0.into_iter().filter(|c| self.local_closure(&syn::parse_quote!(#c)).is_some()).collect();
        let mut borrowed = Borrowed { names: Vec::new(), closures: &closures };
        borrowed.visit_stmt(stmt);
        let mut copies = Vec::new();
        let mut rewritten = stmt.clone();
        for (name, span) in borrowed.names {
            let Some(array) = self.aggregate_or_leaf(&syn::parse_quote!(#name)) else { continue };
            let fixed = match self.kind(array) {
                Kind::Array(ArrayKind::Vec) => false,
                Kind::Array(ArrayKind::Fixed) => true,
                _ => continue,
            };
            if self.param_types.contains_key(&array) {
                continue;
            }
            let replaced_here = assigned_from(stmt)
                .is_some_and(|(place, value)| rooted_at(place, &name) && !writes(value, &name));
            let written_later = !writes(stmt, &name) && rest.iter().any(|s| writes(s, &name));
            if !replaced_here && !written_later {
                continue;
            }
            let copy = syn::Ident::new(&format!("__tapeless_copy_{name}"), span);
            copies.push(if fixed {
                syn::parse_quote_spanned!(span=> let #copy = #name;)
            } else {
                syn::parse_quote_spanned!(span=> let #copy = #name.clone();)
            });
            Renamed { from: &name, to: &copy, closures: &closures }.visit_stmt_mut(&mut rewritten);
        }
        (!copies.is_empty()).then_some((copies, rewritten))
    }
}

/// The arrays a statement passes as `&h` to calls with a known derivative, each with the span of
/// its first such argument.
struct Borrowed<'a> {
    names: Vec<(syn::Ident, proc_macro2::Span)>,
    closures: &'a [syn::Ident],
}

/// The names called as functions, `f(..)`: local closures among them.
#[derive(Default)]
struct Callees(Vec<syn::Ident>);

impl<'ast> Visit<'ast> for Callees {
    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        if let Expr::Path(p) = &*e.func
            && let Some(name) = p.path.get_ident()
            && !self.0.contains(name)
        {
            self.0.push(name.clone());
        }
        syn::visit::visit_expr_call(self, e);
    }
}

/// Whether a call `f(..)` is of a function with a derivative or of one of the local `closures`.
fn differentiable_callee(func: &Expr, arity: usize, closures: &[syn::Ident]) -> bool {
    let Expr::Path(p) = func else { return false };
    let Some(last) = p.path.segments.last() else { return false };
    function_with_derivative(&last.ident.to_string(), arity)
        || p.path.get_ident().is_some_and(|i| closures.contains(i))
}

impl Borrowed<'_> {
    fn arguments<'a>(&mut self, args: impl IntoIterator<Item = &'a Expr>) {
        for arg in args {
            if let Some(name) = borrowed_name(arg)
                && !self.names.iter().any(|(n, _)| n == name)
            {
                self.names.push((name.clone(), arg.span()));
            }
        }
    }
}

impl<'ast> Visit<'ast> for Borrowed<'_> {
    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        if differentiable_callee(&e.func, e.args.len(), self.closures) {
            self.arguments(&e.args);
        }
        syn::visit::visit_expr_call(self, e);
    }
    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        if method_with_derivative(&e.method.to_string(), e.args.len()) {
            self.arguments(&e.args);
        }
        syn::visit::visit_expr_method_call(self, e);
    }
}

/// The place and the value of `place = value;` or `place op= value;`: the value is computed
/// before the place is written.
fn assigned_from(stmt: &Stmt) -> Option<(&Expr, &Expr)> {
    match stmt {
        Stmt::Expr(Expr::Assign(a), _) => Some((&a.left, &a.right)),
        Stmt::Expr(Expr::Binary(b), _) if is_compound(&b.op) => Some((&b.left, &b.right)),
        _ => None,
    }
}

fn is_compound(op: &syn::BinOp) -> bool {
    use syn::BinOp::*;
    matches!(op, AddAssign(_) | SubAssign(_) | MulAssign(_) | DivAssign(_) | RemAssign(_))
}

/// Whether a place is `name` or an entry of it (`name[i]`, `name[i][j]`).
fn rooted_at(mut place: &Expr, name: &syn::Ident) -> bool {
    while let Expr::Index(ix) = place {
        place = &ix.expr;
    }
    matches!(place, Expr::Path(p) if p.path.is_ident(name))
}

/// Whether a function `name(..)` (or `Self::name(..)`) of `arity` arguments has a derivative the
/// prescan knows of, or is a method of the `impl` block being expanded.
fn function_with_derivative(name: &str, arity: usize) -> bool {
    crate::signature::registry::derivative_known(name, arity) || sibling(name)
}

/// Whether a method `.name(..)` of `arity` arguments has a derivative: recorded with the
/// attribute, or of the `impl` block being expanded.
fn method_with_derivative(name: &str, arity: usize) -> bool {
    crate::signature::registry::is_method(name, arity) || sibling(name)
}

fn sibling(name: &str) -> bool {
    crate::signature::siblings::sibling(name).is_some() || crate::signature::siblings::unlisted(name)
}

/// `h` of an argument `&h`, `&h[a..b]` or `h.as_slice()`.
fn borrowed_name(arg: &Expr) -> Option<&syn::Ident> {
    let array = match arg {
        Expr::Reference(r) if r.mutability.is_none() => match &*r.expr {
            Expr::Index(ix) if matches!(&*ix.index, Expr::Range(_)) => &*ix.expr,
            e => e,
        },
        Expr::MethodCall(m) if m.method == "as_slice" && m.args.is_empty() => &*m.receiver,
        _ => return None,
    };
    match array {
        Expr::Path(p) => p.path.get_ident(),
        _ => None,
    }
}

/// Every call argument `&from` written `&to`.
struct Renamed<'a> {
    from: &'a syn::Ident,
    to: &'a syn::Ident,
    closures: &'a [syn::Ident],
}

impl Renamed<'_> {
    fn arguments<'a>(&self, args: impl IntoIterator<Item = &'a mut Expr>) {
        for arg in args {
            if borrowed_name(arg) == Some(self.from) {
                Named { from: self.from, to: self.to }.visit_expr_mut(arg);
            }
        }
    }
}

impl VisitMut for Renamed<'_> {
    fn visit_expr_call_mut(&mut self, e: &mut syn::ExprCall) {
        syn::visit_mut::visit_expr_call_mut(self, e);
        if differentiable_callee(&e.func, e.args.len(), self.closures) {
            self.arguments(&mut e.args);
        }
    }
    fn visit_expr_method_call_mut(&mut self, e: &mut syn::ExprMethodCall) {
        syn::visit_mut::visit_expr_method_call_mut(self, e);
        if method_with_derivative(&e.method.to_string(), e.args.len()) {
            self.arguments(&mut e.args);
        }
    }
}

/// Every mention of the name `from` written `to`.
struct Named<'a> {
    from: &'a syn::Ident,
    to: &'a syn::Ident,
}

impl VisitMut for Named<'_> {
    fn visit_path_mut(&mut self, p: &mut syn::Path) {
        if p.is_ident(self.from) {
            *p = syn::Path::from(self.to.clone());
        }
    }
}

/// Whether `node` may write the local `name`: assigns it, an entry or a field of it, borrows it
/// mutably, swaps it, or calls a method on it other than those that only read.
fn writes(node: &impl Walked, name: &syn::Ident) -> bool {
    let mut found = MutableUse { name, found: false };
    node.walk(&mut found);
    found.found
}

/// What [`writes`] walks.
trait Walked {
    fn walk(&self, v: &mut MutableUse);
}

impl Walked for Stmt {
    fn walk(&self, v: &mut MutableUse) {
        v.visit_stmt(self);
    }
}

impl Walked for Expr {
    fn walk(&self, v: &mut MutableUse) {
        v.visit_expr(self);
    }
}

/// Finds a write of `name` (see [`writes`]).
struct MutableUse<'a> {
    name: &'a syn::Ident,
    found: bool,
}

impl MutableUse<'_> {
    /// A place written: `name`, `name[i]`, `name.f`, `name.0` or a tuple of places.
    fn place(&mut self, mut place: &Expr) {
        loop {
            match place {
                Expr::Index(ix) => place = &ix.expr,
                Expr::Field(f) => place = &f.base,
                Expr::Paren(p) => place = &p.expr,
                Expr::Tuple(t) => {
                    t.elems.iter().for_each(|e| self.place(e));
                    return;
                }
                Expr::Path(p) => {
                    self.found |= p.path.is_ident(self.name);
                    return;
                }
                _ => return,
            }
        }
    }
}

/// Methods of a `Vec` or an array that only read it.
const READING: &[&str] = &[
    "iter",
    "len",
    "is_empty",
    "clone",
    "to_vec",
    "as_slice",
    "first",
    "last",
    "get",
    "windows",
    "chunks",
    "chunks_exact",
    "contains",
    "into_iter",
    "split_at",
    "concat",
];

impl<'ast> Visit<'ast> for MutableUse<'_> {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.place(&e.left);
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if is_compound(&e.op) {
            self.place(&e.left);
        }
        syn::visit::visit_expr_binary(self, e);
    }
    fn visit_expr_reference(&mut self, e: &'ast syn::ExprReference) {
        if e.mutability.is_some() && matches!(&*e.expr, Expr::Path(p) if p.path.is_ident(self.name)) {
            self.found = true;
        }
        syn::visit::visit_expr_reference(self, e);
    }
    fn visit_expr_method_call(&mut self, e: &'ast syn::ExprMethodCall) {
        if matches!(&*e.receiver, Expr::Path(p) if p.path.is_ident(self.name))
            && !READING.iter().any(|m| e.method == m)
        {
            self.found = true;
        }
        syn::visit::visit_expr_method_call(self, e);
    }
}
