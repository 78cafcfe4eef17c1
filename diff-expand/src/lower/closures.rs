//! Local closures, inlined where they are called: `let w = |v: f64| a * v + b; .. w(x) ..` lowers
//! `w(x)` as the closure's body with `v` bound to `x`, so its derivative is that of the body,
//! at the cost of writing the body there by hand.
//!
//! The closure sees the values its free names had where it was defined (a `move` closure copies
//! them then; a borrowing one forbids changing them while it lives, so they are the same). A
//! closure that assigns what it captured (`let mut add = |v: f64| s += v;`, an `FnMut`) borrows
//! those names mutably while it lives, so nothing else reads or writes them between its calls:
//! its body is inlined reading and writing the variables themselves at each call (checked to
//! be the ones it captured, not a later binding of the same name). A `move` closure that
//! assigns (it would change its own copy) and one used other than by being called (returned,
//! stored, passed on: it escapes) are errors.

use std::rc::Rc;

use super::*;

/// The arguments of a call.
type Arguments = syn::punctuated::Punctuated<Expr, syn::Token![,]>;

/// A closure bound by `let`, with what its free names held at its definition.
pub(super) struct LocalClosure {
    closure: syn::ExprClosure,
    captured: Vec<(String, Captured)>,
    /// For a closure that assigns what it captured: its calls read and write those variables,
    /// not copies (`captured` is then empty).
    assigns: Option<Assigning>,
}

/// What a closure that assigns what it captured reads and writes.
struct Assigning {
    /// The slots of its free names where it was defined.
    slots: Vec<(String, Option<usize>)>,
    /// The captured variables it assigns (`s` of `s += v`).
    writes: Vec<String>,
}

/// A captured name: a value, or another local closure.
#[derive(Clone)]
enum Captured {
    Value(Option<Tree>),
    Closure(Rc<LocalClosure>),
}

impl Lowerer<'_> {
    /// `let name = |..| body;`: remembers the closure under `name` (no code yet).
    pub(super) fn define_closure(&mut self, name: &syn::Ident, closure: &syn::ExprClosure) {
        if let Some((at, problem)) = self.closure_problem(closure) {
            self.unsupported(at, problem);
            return;
        }
        let mut names = FreeNames::default();
        syn::visit::Visit::visit_expr(&mut names, &closure.body);
        let assigns = assigns_captured(closure).map(|(declared, writes)| {
            let free = names.0.iter().filter(|n| !declared.contains(*n));
            Assigning { slots: free.map(|n| (n.clone(), self.slot(n))).collect(), writes }
        });
        // (One that assigns captures no copies: its calls read the variables themselves.)
        let captured = names
            .0
            .into_iter()
            .filter(|_| assigns.is_none())
            .filter_map(|n| {
                let slot = self.slot(&n)?;
                let captured = match self.closures.get(&slot) {
                    Some(c) => Captured::Closure(Rc::clone(c)),
                    None => Captured::Value(self.vars[slot].clone()),
                };
                Some((n, captured))
            })
            .collect();
        self.declare(&name.to_string(), None);
        let slot = self.vars.len() - 1;
        self.closures.insert(slot, Rc::new(LocalClosure { closure: closure.clone(), captured, assigns }));
    }

    /// The local closure a callee expression names, if it is one.
    pub(super) fn local_closure(&self, callee: &Expr) -> Option<Rc<LocalClosure>> {
        self.local(callee).and_then(|slot| self.closures.get(&slot).cloned())
    }

    /// The variables the closures that assign what they captured write, for those `block` calls
    /// (a loop calling one carries them).
    pub(super) fn written_by_closures_called_in(&self, block: &syn::Block) -> Vec<String> {
        let mut names = FreeNames::default();
        syn::visit::Visit::visit_block(&mut names, block);
        let mut out: Vec<String> = Vec::new();
        for n in &names.0 {
            if let Some(a) = self.slot(n).and_then(|slot| self.closures.get(&slot)?.assigns.as_ref()) {
                for w in &a.writes {
                    if !out.contains(w) {
                        out.push(w.clone());
                    }
                }
            }
        }
        out
    }

    /// Whether the local variable at `slot` is a closure (read other than by a call: it escapes).
    pub(super) fn is_closure(&self, slot: usize) -> bool {
        self.closures.contains_key(&slot)
    }

    /// A call of a local closure: its body, in a scope holding what it captured and its
    /// parameters bound to the arguments.
    pub(super) fn inline_closure(&mut self, c: &LocalClosure, args: &Arguments, span: Loc) -> Tree {
        // One that assigns reads and writes the variables it captured in place (a name bound
        // again since its definition would be another variable); the others see copies.
        if let Some(a) = &c.assigns
            && a.slots.iter().any(|(name, slot)| self.slot(name) != *slot)
        {
            return self.unsupported(span, unsupported::CLOSURE_ASSIGNS_REBOUND);
        }
        let values = self.closure_args(args);
        self.scopes.push(Vec::new());
        for (name, captured) in &c.captured {
            self.declare(name, None);
            let slot = self.vars.len() - 1;
            match captured {
                Captured::Value(v) => self.vars[slot].clone_from(v),
                Captured::Closure(inner) => {
                    self.closures.insert(slot, Rc::clone(inner));
                }
            }
        }
        let t = self.closure_body(&c.closure, values, span);
        self.scopes.pop();
        t
    }

    /// `(|t| body)(x)`: a closure called where it is written.
    pub(super) fn call_closure_in_place(
        &mut self,
        closure: &syn::ExprClosure,
        args: &Arguments,
        span: Loc,
    ) -> Tree {
        if let Some((at, problem)) = self.closure_problem(closure) {
            return self.unsupported(at, problem);
        }
        // `(|(row, y)| body)((&w[i], &y[i]))` over the rows of a nested array: each row read in
        // place in the body (`lower::rows`).
        if let [pat] = closure.inputs.iter().collect::<Vec<_>>()[..]
            && let [item] = args.iter().collect::<Vec<_>>()[..]
            && let Some((binding, body)) = self.split_rows(pat, item, &closure.body)
        {
            let mut closure = closure.clone();
            *closure.body = body;
            closure.inputs.clear();
            let mut rest = Arguments::new();
            if let Some((pat, item)) = binding {
                closure.inputs.push(pat);
                rest.push(item);
            }
            return self.call_closure_in_place(&closure, &rest, span);
        }
        let values = self.closure_args(args);
        self.scopes.push(Vec::new());
        let t = self.closure_body(closure, values, span);
        self.scopes.pop();
        t
    }

    fn closure_body(&mut self, closure: &syn::ExprClosure, args: Vec<Tree>, span: Loc) -> Tree {
        if closure.inputs.len() != args.len() {
            return self.unsupported(span, unsupported::CLOSURE_CALLED_DIFFERENT_NUMBER_ARGUMENTS);
        }
        for (pat, value) in closure.inputs.iter().zip(args) {
            match pat {
                // `|u: &f64|`: the IR holds the value, and `*u` reads it.
                Pat::Type(pt) if matches!(&*pt.ty, syn::Type::Reference(r) if r.mutability.is_none()) => {
                    if let Tree::Leaf(v) = value {
                        self.iter_elements.insert(v);
                    }
                    self.bind(&pt.pat, Some(value));
                }
                pat => self.bind(pat, Some(value)),
            }
        }
        self.expr(&closure.body)
    }

    /// The arguments of a closure call: `&e` passes `e` (a parameter `&u` or `u: &f64` reads
    /// the value through the reference).
    fn closure_args(&mut self, args: &Arguments) -> Vec<Tree> {
        args.iter().map(|a| self.closure_arg(a)).collect()
    }

    /// One argument: `&e` is `e` held by value (so `*u` in the body reads it), also inside a
    /// tuple (`(&x[i], &y[i])` of a `zip`) and behind two references (`&&x[i]`, which `filter`
    /// passes for `x.iter()`, read as `**u`).
    pub(super) fn closure_arg(&mut self, a: &Expr) -> Tree {
        match a {
            // `&obs[i]` of a constant collection of structs (`obs: &[Obs]`, not an array the IR
            // holds): kept as the reference, as `iter()` gives it (a struct that is not `Copy`
            // cannot be moved out of the slice).
            Expr::Reference(r) if r.mutability.is_none() && self.element_of_structs(&r.expr) => {
                self.struct_element_reference(a)
            }
            // (Every part of a tuple passed by reference: a pattern `(i, v)` binds each by
            // reference, Rust's default binding mode, so `*i` in the body reads it too.)
            Expr::Reference(r) if r.mutability.is_none() => {
                let t = self.closure_arg(&r.expr);
                self.iter_elements.extend(t.leaves());
                t
            }
            Expr::Tuple(t) => Tree::Tuple(t.elems.iter().map(|e| self.closure_arg(e)).collect()),
            Expr::Paren(p) => self.closure_arg(&p.expr),
            a => self.expr(a),
        }
    }

    /// Why a closure cannot be inlined, if it cannot: where, what, and the help.
    fn closure_problem(&self, closure: &syn::ExprClosure) -> Option<(Loc, Unsupported<'static>)> {
        let mut scan = ClosureScan::default();
        syn::visit::Visit::visit_expr(&mut scan, &closure.body);
        if closure.asyncness.is_some() {
            Some((Loc::of(closure), unsupported::ASYNC_CLOSURE))
        } else if let Some(at) = scan.leaves {
            // Inlined, it would leave the enclosing function instead of the closure.
            Some((at, unsupported::LEAVES_A_CLOSURE))
        } else if scan.assigns() && closure.capture.is_some() {
            // A `move` closure assigns its own copies; inlined, it would assign the originals.
            Some((Loc::of(closure), unsupported::CLOSURE_ASSIGNS))
        } else {
            None
        }
    }
}

/// If a closure assigns a variable it did not declare itself: the names it declares (its
/// parameters and `let`s), and the captured names it assigns.
fn assigns_captured(closure: &syn::ExprClosure) -> Option<(std::collections::HashSet<String>, Vec<String>)> {
    let mut scan = ClosureScan::default();
    for input in &closure.inputs {
        syn::visit::Visit::visit_pat(&mut scan, input);
    }
    syn::visit::Visit::visit_expr(&mut scan, &closure.body);
    if !scan.assigns() {
        return None;
    }
    let mut writes: Vec<String> = Vec::new();
    for name in scan.targets.iter().flatten() {
        if !scan.declared.contains(name) && !writes.contains(name) {
            writes.push(name.clone());
        }
    }
    Some((scan.declared, writes))
}

/// The single-segment names an expression mentions (a superset of its free variables).
#[derive(Default)]
pub(super) struct FreeNames(pub(super) Vec<String>);

impl<'ast> syn::visit::Visit<'ast> for FreeNames {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let Some(ident) = p.path.get_ident() {
            let name = ident.to_string();
            if !self.0.contains(&name) {
                self.0.push(name);
            }
        }
    }
}

/// What a closure body does that inlining cannot keep: assign to a variable it did not declare
/// itself (`=`, `+=`, ..., closures inside included: it would change what it captured), or leave
/// with `return` or `?` (not counting closures inside, which they leave).
#[derive(Default)]
struct ClosureScan {
    /// The variables assigned (the root name of `a`, `a[i]`, `a.f`), or `None` for another place.
    targets: Vec<Option<String>>,
    /// Names the body declares (`let`, closure parameters).
    declared: std::collections::HashSet<String>,
    leaves: Option<Loc>,
    depth: usize,
}

impl ClosureScan {
    fn assigns(&self) -> bool {
        self.targets.iter().any(|t| t.as_ref().is_none_or(|name| !self.declared.contains(name)))
    }

    fn target(&mut self, e: &Expr) {
        let mut e = e;
        loop {
            match e {
                Expr::Index(i) => e = &i.expr,
                Expr::Field(f) => e = &f.base,
                Expr::Paren(p) => e = &p.expr,
                _ => break,
            }
        }
        let name = match e {
            Expr::Path(p) => p.path.get_ident().map(ToString::to_string),
            _ => None,
        };
        self.targets.push(name);
    }
}

impl<'ast> syn::visit::Visit<'ast> for ClosureScan {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.target(&e.left);
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if is_compound(&e.op) {
            self.target(&e.left);
        }
        syn::visit::visit_expr_binary(self, e);
    }
    fn visit_pat(&mut self, p: &'ast Pat) {
        self.declared.extend(super::scan::bound_names(p).iter().map(ToString::to_string));
        syn::visit::visit_pat(self, p);
    }
    fn visit_expr_return(&mut self, e: &'ast syn::ExprReturn) {
        if self.depth == 0 {
            self.leaves.get_or_insert(Loc::of(e));
        }
        syn::visit::visit_expr_return(self, e);
    }
    fn visit_expr_try(&mut self, e: &'ast syn::ExprTry) {
        if self.depth == 0 {
            self.leaves.get_or_insert(Loc::of(e));
        }
        syn::visit::visit_expr_try(self, e);
    }
    fn visit_expr_closure(&mut self, e: &'ast syn::ExprClosure) {
        self.depth += 1;
        syn::visit::visit_expr_closure(self, e);
        self.depth -= 1;
    }
}
