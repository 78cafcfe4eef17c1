//! Questions about syntax asked before lowering it: what a block assigns, and whether it
//! breaks, continues or returns.

use super::*;

/// The names a block assigns to (`x = ..`, `x += ..`), in order of first appearance.
#[derive(Default)]
pub(super) struct AssignedNames {
    pub(super) names: Vec<String>,
}

impl AssignedNames {
    pub(super) fn add(&mut self, target: &Expr) {
        if let Expr::Path(p) = target
            && let Some(ident) = p.path.get_ident()
        {
            let name = ident.to_string();
            if !self.names.contains(&name) {
                self.names.push(name);
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for AssignedNames {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.add(&e.left);
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if is_compound(&e.op) {
            self.add(&e.left);
        }
        syn::visit::visit_expr_binary(self, e);
    }
}

/// Whether a statement contains a `break` or `continue` of the enclosing loop, or a `return`.
pub(super) fn jumps_in(stmt: &Stmt) -> bool {
    let mut j = Jumps::default();
    syn::visit::Visit::visit_stmt(&mut j, stmt);
    let mut r = Returns::default();
    syn::visit::Visit::visit_stmt(&mut r, stmt);
    j.breaks || j.continues || r.found
}

/// Whether statements hold a `return` (not counting the final statement's own tail position).
pub(super) fn early_returns(stmts: &[Stmt]) -> bool {
    let mut r = Returns::default();
    for stmt in stmts {
        syn::visit::Visit::visit_stmt(&mut r, stmt);
    }
    r.found
}

pub(super) fn contains_return(block: &syn::Block) -> bool {
    let mut r = Returns::default();
    syn::visit::Visit::visit_block(&mut r, block);
    r.found
}

/// Finds `return` anywhere but in closures and nested items.
#[derive(Default)]
pub(super) struct Returns {
    pub(super) found: bool,
    pub(super) first: Option<Loc>,
}

impl<'ast> syn::visit::Visit<'ast> for Returns {
    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        self.found = true;
        self.first.get_or_insert(Loc::of(r));
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Finds `break` and `continue` of the loop being looked at (not of loops nested in it).
#[derive(Default)]
pub(super) struct Jumps {
    pub(super) breaks: bool,
    pub(super) continues: bool,
}

impl<'ast> syn::visit::Visit<'ast> for Jumps {
    fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
        self.breaks = true;
    }
    fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
        self.continues = true;
    }
    fn visit_expr_for_loop(&mut self, _: &'ast syn::ExprForLoop) {}
    fn visit_expr_while(&mut self, _: &'ast syn::ExprWhile) {}
    fn visit_expr_loop(&mut self, _: &'ast syn::ExprLoop) {}
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

/// The names a pattern binds (every identifier pattern, at any depth: `(i, &x)` binds `i`, `x`).
pub(super) fn bound_names(pat: &Pat) -> Vec<syn::Ident> {
    #[derive(Default)]
    struct Names(Vec<syn::Ident>);
    impl<'ast> syn::visit::Visit<'ast> for Names {
        fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
            self.0.push(p.ident.clone());
            syn::visit::visit_pat_ident(self, p);
        }
    }
    let mut names = Names::default();
    syn::visit::Visit::visit_pat(&mut names, pat);
    names.0
}
