//! Questions about syntax asked before lowering it: what a block assigns, whether it breaks,
//! continues or returns, and which identifiers tokens hold.

use super::*;

/// Whether `tokens` hold the identifier `name` (inside groups too).
pub(super) fn tokens_mention(tokens: TokenStream, name: &str) -> bool {
    tokens.into_iter().any(|t| match t {
        proc_macro2::TokenTree::Ident(i) => i == name,
        proc_macro2::TokenTree::Group(g) => tokens_mention(g.stream(), name),
        _ => false,
    })
}

/// The identifiers `tokens` hold (inside groups too), in order, appended to `out`.
pub(super) fn tokens_idents(tokens: TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => tokens_idents(g.stream(), out),
            _ => {}
        }
    }
}

/// Calls `.0` with the target of every assignment (`x = ..`, `v[i] += ..`) in what it visits.
struct Targets<F>(F);

impl<'ast, F: FnMut(&'ast Expr)> syn::visit::Visit<'ast> for Targets<F> {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        // Each place of a destructuring assignment, `(a, b) = ..`.
        fn places<'ast>(target: &'ast Expr, f: &mut impl FnMut(&'ast Expr)) {
            match target {
                Expr::Tuple(t) => t.elems.iter().for_each(|e| places(e, f)),
                Expr::Paren(p) => places(&p.expr, f),
                e => f(e),
            }
        }
        places(&e.left, &mut self.0);
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_call(&mut self, e: &'ast syn::ExprCall) {
        // `std::mem::swap(&mut a, &mut b)` assigns both (`lower::calls`).
        if let Some(places) = swapped(e) {
            places.into_iter().for_each(&mut self.0);
        }
        // `rhs(&y, &mut dy, k)` of a function writing a `DVector`/`DMatrix` through `&mut`
        // assigns `dy` (`outputs::call_with_outputs`).
        if let Expr::Path(p) = &*e.func
            && let Some(name) = p.path.get_ident()
            && let Some(at) = crate::signature::outputs::lookup(&name.to_string(), e.args.len())
        {
            for (i, _) in &at.matrices {
                if let Some(Expr::Reference(r)) = e.args.iter().nth(*i)
                    && r.mutability.is_some()
                {
                    (self.0)(&r.expr);
                }
            }
        }
        syn::visit::visit_expr_call(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if is_compound(&e.op) {
            (self.0)(&e.left);
        }
        syn::visit::visit_expr_binary(self, e);
    }
}

/// The two places of `std::mem::swap(&mut a, &mut b)` (any path ending in `swap`).
pub(super) fn swapped(c: &syn::ExprCall) -> Option<[&Expr; 2]> {
    let Expr::Path(p) = &*c.func else { return None };
    let [Expr::Reference(a), Expr::Reference(b)] = c.args.iter().collect::<Vec<_>>()[..] else { return None };
    (p.path.segments.last().is_some_and(|s| s.ident == "swap")
        && a.mutability.is_some()
        && b.mutability.is_some())
    .then_some([&*a.expr, &*b.expr])
}

/// The names a block assigns to (`x = ..`, `x += ..`), in order of first appearance.
pub(super) fn assigned_names(block: &syn::Block) -> Vec<String> {
    let mut names = Vec::new();
    let mut targets = Targets(|target: &Expr| {
        if let Expr::Path(p) = tuple_base(target)
            && let Some(ident) = p.path.get_ident()
            && !names.contains(&ident.to_string())
        {
            names.push(ident.to_string());
        }
    });
    syn::visit::Visit::visit_block(&mut targets, block);
    names
}

/// The variable a place names through tuple fields: `acc` of `acc.0`, `(t.1).0`, `acc`.
pub(super) fn tuple_base(mut place: &Expr) -> &Expr {
    loop {
        match place {
            Expr::Paren(p) => place = &p.expr,
            Expr::Field(f) if matches!(f.member, syn::Member::Unnamed(_)) => place = &f.base,
            _ => return place,
        }
    }
}

/// The names a block assigns a named field of (`s.v -= ..`, `s.x = ..`, `b.vel.z = ..`: the
/// variable the fields are read from), closures and nested items included.
pub(super) fn field_assigned_names(block: &syn::Block) -> std::collections::HashSet<String> {
    let mut names = std::collections::HashSet::new();
    let mut targets = Targets(|target: &Expr| {
        let Expr::Field(f) = target else { return };
        if !matches!(f.member, syn::Member::Named(_)) {
            return;
        }
        let mut base = &*f.base;
        while let Expr::Field(inner) = base {
            base = &inner.base;
        }
        if let Expr::Path(p) = base
            && let Some(ident) = p.path.get_ident()
        {
            names.insert(ident.to_string());
        }
    });
    syn::visit::Visit::visit_block(&mut targets, block);
    names
}

/// The names a block writes through an index (`r[i] = ..`, `r[i] += ..`, `m[i][j] = ..`),
/// closures and nested items included.
pub(super) fn indexed_names(block: &syn::Block) -> std::collections::HashSet<String> {
    let mut names = std::collections::HashSet::new();
    let mut targets = Targets(|mut target: &Expr| {
        while let Expr::Index(i) = target {
            target = &i.expr;
            if let Expr::Path(p) = target
                && let Some(ident) = p.path.get_ident()
            {
                names.insert(ident.to_string());
            }
        }
    });
    syn::visit::Visit::visit_block(&mut targets, block);
    names
}

/// Whether a statement contains a `break` or `continue` of the enclosing loop (`in_loop`), or a
/// `return` (`returns`: one the function lowers, not one already rejected).
pub(super) fn jumps_in(stmt: &Stmt, in_loop: bool, returns: bool) -> bool {
    let mut j = Jumps::default();
    syn::visit::Visit::visit_stmt(&mut j, stmt);
    let mut r = Returns::default();
    syn::visit::Visit::visit_stmt(&mut r, stmt);
    (in_loop && (j.breaks || j.continues)) || (returns && r.found)
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

/// `loop { .. break v; .. }` with `break`s of values (of this loop, not of loops nested in it
/// or closures) written as
///
/// ```text
/// { let mut __tapeless_break = placeholder(); loop { .. { __tapeless_break = v; break; } .. } __tapeless_break }
/// ```
///
/// so the value leaves the loop as a variable it carries; `None` if the loop breaks with no
/// value. The variable's type is the values', which rustc infers from the assignments; its first
/// value is the runtime's `placeholder()` (`Default`), never read.
pub(super) fn break_values_assigned(l: &syn::ExprLoop) -> Option<Expr> {
    struct Breaks {
        found: bool,
        name: syn::Ident,
    }
    impl syn::visit_mut::VisitMut for Breaks {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            match e {
                Expr::Break(b) if b.label.is_none() && b.expr.is_some() => {
                    self.found = true;
                    let (name, value, span) = (&self.name, b.expr.take(), b.break_token.span);
                    *e = syn::parse_quote_spanned!(span=> { #name = #value; break; });
                }
                Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) | Expr::Closure(_) => {}
                _ => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
        fn visit_item_mut(&mut self, _: &mut syn::Item) {}
    }
    let span = l.loop_token.span;
    let mut breaks = Breaks { found: false, name: syn::Ident::new("__tapeless_break", span) };
    let mut body = l.body.clone();
    syn::visit_mut::VisitMut::visit_block_mut(&mut breaks, &mut body);
    if !breaks.found {
        return None;
    }
    let name = &breaks.name;
    Some(syn::parse_quote_spanned!(span=> {
        let mut #name = ::tapeless::__private::placeholder();
        loop #body
        #name
    }))
}

/// Finds `break` and `continue` of the loop being looked at (not of loops nested in it).
#[derive(Default)]
pub(super) struct Jumps {
    pub(super) breaks: bool,
    pub(super) continues: bool,
    /// The first `break v` (with a value).
    pub(super) valued: Option<Loc>,
}

impl<'ast> syn::visit::Visit<'ast> for Jumps {
    fn visit_expr_break(&mut self, b: &'ast syn::ExprBreak) {
        self.breaks = true;
        if b.expr.is_some() && self.valued.is_none() {
            self.valued = Some(Loc::of(b));
        }
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

/// A copy of `c` whose parameters are spelled apart from every name of the function
/// (`|&k| k % 7` as `|&__tapeless_k| __tapeless_k % 7`, at the mixed site): its body then
/// names a local of the function only where it reads one. Every mention of a parameter's name
/// in the closure is renamed, bindings inside included: the parameter shadows the local in the
/// whole body, so none of them means the local. `None` if the body holds a macro, whose tokens
/// are not looked into.
pub(super) fn parameters_renamed_apart(c: &syn::ExprClosure) -> Option<syn::ExprClosure> {
    struct Rename {
        names: Vec<(String, syn::Ident)>,
        macro_inside: bool,
    }
    impl Rename {
        fn fresh(&self, ident: &syn::Ident) -> Option<syn::Ident> {
            self.names.iter().find(|(name, _)| ident == name).map(|(_, fresh)| fresh.clone())
        }
    }
    impl syn::visit_mut::VisitMut for Rename {
        fn visit_expr_path_mut(&mut self, p: &mut syn::ExprPath) {
            if p.qself.is_none()
                && let Some(ident) = p.path.get_ident()
                && let Some(fresh) = self.fresh(ident)
            {
                p.path = fresh.into();
            }
        }
        fn visit_pat_ident_mut(&mut self, p: &mut syn::PatIdent) {
            if let Some(fresh) = self.fresh(&p.ident) {
                p.ident = fresh;
            }
            syn::visit_mut::visit_pat_ident_mut(self, p);
        }
        fn visit_macro_mut(&mut self, _: &mut syn::Macro) {
            self.macro_inside = true;
        }
    }
    let mut copy = c.clone();
    let site = proc_macro2::Span::mixed_site();
    let names = copy
        .inputs
        .iter()
        .flat_map(bound_names)
        .map(|n| (n.to_string(), syn::Ident::new(&format!("__tapeless_{n}"), site.located_at(n.span()))))
        .collect();
    let mut rename = Rename { names, macro_inside: false };
    syn::visit_mut::VisitMut::visit_expr_closure_mut(&mut rename, &mut copy);
    (!rename.macro_inside).then_some(copy)
}

/// Whether an expression can be written twice with the same value and no effect: names,
/// literals, fields, and integer arithmetic and methods of them (`len`, `nrows`, `ncols`,
/// `wrapping_sub`, `saturating_add`, `min`, ..). The rewrites that read a length or an index
/// again (`lower::options`, `lower::pushes`) ask it.
pub(super) fn written_twice(e: &Expr) -> bool {
    match e {
        Expr::Path(_) | Expr::Lit(_) => true,
        Expr::Paren(p) => written_twice(&p.expr),
        Expr::Group(g) => written_twice(&g.expr),
        Expr::Field(f) => written_twice(&f.base),
        Expr::Binary(b) => written_twice(&b.left) && written_twice(&b.right),
        Expr::Cast(c) => written_twice(&c.expr),
        Expr::MethodCall(m) => {
            let pure = matches!(
                m.method.to_string().as_str(),
                "len"
                    | "nrows"
                    | "ncols"
                    | "wrapping_add"
                    | "wrapping_sub"
                    | "saturating_add"
                    | "saturating_sub"
                    | "min"
                    | "max"
            );
            pure && written_twice(&m.receiver) && m.args.iter().all(written_twice)
        }
        _ => false,
    }
}

/// Whether the closure's parameters are named in its body only inside `no_grad(..)` calls
/// (`|&v| tapeless::no_grad(v) < 0.0`), or not at all.
pub(super) fn reads_only_cut(c: &syn::ExprClosure) -> bool {
    fn cut_only(tokens: TokenStream, params: &[String]) -> bool {
        let mut tokens = tokens.into_iter().peekable();
        while let Some(t) = tokens.next() {
            match t {
                proc_macro2::TokenTree::Ident(i) if i == "no_grad" => {
                    if matches!(tokens.peek(), Some(proc_macro2::TokenTree::Group(g)) if g.delimiter() == proc_macro2::Delimiter::Parenthesis)
                    {
                        tokens.next();
                    }
                }
                proc_macro2::TokenTree::Ident(i) if params.contains(&i.to_string()) => return false,
                proc_macro2::TokenTree::Group(g) if !cut_only(g.stream(), params) => return false,
                _ => {}
            }
        }
        true
    }
    let mut params = Vec::new();
    for input in &c.inputs {
        tokens_idents(input.to_token_stream(), &mut params);
    }
    cut_only(c.body.to_token_stream(), &params)
}
