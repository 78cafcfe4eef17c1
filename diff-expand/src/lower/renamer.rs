//! Opaque expressions kept as written: their locals renamed to the SSA values they hold
//! (`Renamer`), and the questions asked of such text before lowering it (`names_a_local`,
//! `shadows_a_local`).

use super::expressions::tree_expr;
use super::*;

/// Renames local variables in an opaque expression to the SSA values they hold, and rejects
/// forms that would bind or assign (they cannot be renamed safely).
pub(super) struct Renamer<'a, 'b> {
    pub(super) lowerer: &'a mut Lowerer<'b>,
    pub(super) reads: Vec<Value>,
    pub(super) problem: Option<(Loc, &'static str)>,
    /// Inside `tapeless::no_grad(..)`: a local read there is its constant copy.
    constant: bool,
}

impl<'a, 'b> Renamer<'a, 'b> {
    pub(super) fn new(lowerer: &'a mut Lowerer<'b>) -> Self {
        Renamer { lowerer, reads: Vec::new(), problem: None, constant: false }
    }
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let what = match e {
            Expr::Path(_) => {
                if let Some(slot) = self.lowerer.local(e) {
                    match self.lowerer.vars[slot].clone() {
                        // `x[a]` in `idx.sort_by(|&a, &b| no_grad(x[a]).total_cmp(..))`: a float or
                        // a slice (copied, not moved) read as its constant copy.
                        Some(Tree::Leaf(v))
                            if self.constant
                                && matches!(
                                    self.lowerer.kind(v),
                                    Kind::Float
                                        | Kind::Discrete
                                        | Kind::Array(ArrayKind::Slice | ArrayKind::Fixed)
                                ) =>
                        {
                            let span = Loc::of(&e);
                            let kind = self.lowerer.kind(v);
                            let copy = self.lowerer.emit(Op::NoGrad(v), span, kind);
                            self.reads.push(copy);
                            *e = tree_expr(&Tree::Leaf(copy));
                        }
                        Some(t) => {
                            self.reads.extend(t.leaves());
                            *e = tree_expr(&t);
                        }
                        None => self.problem = Some((Loc::of(&e), "a read of an unassigned variable")),
                    }
                }
                return;
            }
            // `*i` of a name the IR holds as its value though Rust binds it by reference (`i` of
            // `.enumerate().filter(|(i, _)| mask[*i])`, bound through the `&(i, x)` a filter
            // passes): the value (the `*` kept was rustc's E0614 in generated code).
            Expr::Unary(u)
                if matches!(u.op, UnOp::Deref(_))
                    && matches!(&*u.expr, Expr::Path(_))
                    && self.lowerer.local(&u.expr).is_some_and(|slot| {
                        matches!(&self.lowerer.vars[slot], Some(Tree::Leaf(v))
                            if self.lowerer.iter_elements.contains(v) && self.lowerer.kind(*v) == Kind::Discrete)
                    }) =>
            {
                *e = (*u.expr).clone();
                self.visit_expr_mut(e);
                return;
            }
            Expr::Call(c)
                if !self.constant
                    && matches!(&*c.func, Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "no_grad")) =>
            {
                self.constant = true;
                syn::visit_mut::visit_expr_mut(self, e);
                self.constant = false;
                return;
            }
            // `x.len()` of a local (in `(0..x.len()).collect()`, `vec![0usize; x.len()]`): its
            // value, a shape, which reads nothing differentiable.
            Expr::MethodCall(m)
                if m.args.is_empty()
                    && matches!(m.method.to_string().as_str(), "len" | "is_empty" | "nrows" | "ncols")
                    && matches!(&*m.receiver, Expr::Path(_))
                    && self.lowerer.local(&m.receiver).is_some() =>
            {
                let v = self.lowerer.value(e);
                self.reads.push(v);
                let ident = v.ident();
                *e = syn::parse_quote!(#ident);
                return;
            }
            // `.map_err(|_| MyError::Parse)`: a closure that names no local of the function
            // needs no renaming.
            Expr::Closure(c) if !names_a_local(self.lowerer, &c.body) => return,
            Expr::Closure(_) => "a closure",
            Expr::Block(_) | Expr::Unsafe(_) | Expr::Match(_) | Expr::If(_) => {
                "a block inside this expression"
            }
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => "a loop",
            // `format!("{}", x)`, `vec![a, b]`: arguments that are expressions are renamed.
            Expr::Macro(m) => match self.macro_arguments(&mut m.mac) {
                Ok(()) => return,
                Err(what) => what,
            },
            Expr::Assign(_) | Expr::Let(_) => "an assignment inside this expression",
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) => "control flow inside this expression",
            // `e?` leaves with the user's error in a function returning `Result`/`Option`.
            Expr::Try(t) if self.lowerer.fallible => {
                self.visit_expr_mut(&mut t.expr);
                return;
            }
            Expr::Try(_) => "control flow inside this expression",
            _ => {
                syn::visit_mut::visit_expr_mut(self, e);
                return;
            }
        };
        self.problem.get_or_insert((Loc::of(&e), what));
    }
}

impl Renamer<'_, '_> {
    /// Renames the arguments of a macro whose body is expressions separated by commas (the
    /// formatting macros, `vec!`); the locals a format string captures (`{x}`) are passed as
    /// named arguments first (`lower::formats`).
    fn macro_arguments(&mut self, mac: &mut syn::Macro) -> Result<(), &'static str> {
        let parser = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
        let Ok(mut args) = mac.parse_body_with(parser) else { return Err("a macro call") };
        if let Some(name) = mac.path.get_ident() {
            super::formats::explicit_captures(self.lowerer, &name.to_string(), &mut args);
        }
        for arg in &mut args {
            self.argument(arg);
        }
        mac.tokens = args.into_token_stream();
        Ok(())
    }

    /// Renames a macro argument: of a named one (`x = value`), the value alone.
    pub(super) fn argument(&mut self, arg: &mut Expr) {
        match arg {
            Expr::Assign(a) if super::formats::argument_name(a).is_some() => {
                self.visit_expr_mut(&mut a.right);
            }
            _ => self.visit_expr_mut(arg),
        }
    }
}

/// Whether an expression mentions a name that is a local of the function being lowered.
pub(super) fn names_a_local(l: &Lowerer, e: &Expr) -> bool {
    struct Names<'l, 'a> {
        lowerer: &'l Lowerer<'a>,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Names<'_, '_> {
        fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
            self.found |= self.lowerer.local(&Expr::Path(p.clone())).is_some();
        }
        fn visit_macro(&mut self, _: &'ast syn::Macro) {
            // Cannot be looked into: assume it does.
            self.found = true;
        }
    }
    let mut names = Names { lowerer: l, found: false };
    syn::visit::Visit::visit_expr(&mut names, e);
    names.found
}

/// Whether a closure parameter has the name of a local of the function (renaming the closure's
/// body would then rename its parameter's uses).
pub(super) fn shadows_a_local(l: &Lowerer, c: &syn::ExprClosure) -> bool {
    c.inputs.iter().flat_map(super::scan::bound_names).any(|name| l.slot(&name.to_string()).is_some())
}
