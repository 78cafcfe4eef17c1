//! Loops with a label: `continue 'rows` and `break 'rows` from loops nested in the labelled one,
//! rewritten before lowering into flags and plain jumps:
//!
//! ```text
//! 'rows: for i in 0..n {               { let mut __tapeless_continue_rows = false;
//!     for j in 0..m {                    let mut __tapeless_break_rows = false;
//!         if c { continue 'rows; }       for i in 0..n {
//!         ..                                 __tapeless_continue_rows = false;
//!     }                                      for j in 0..m {
//!     ..                                         if c { __tapeless_continue_rows = true; break; }
//! }                                              ..
//!                                            }
//!                                            if piecewise(__tapeless_continue_rows) { continue; }
//!                                            ..
//!                                        } }
//! ```
//!
//! A jump to the label from the labelled loop's own body loses its label; a loop between the
//! jump and the labelled one is left by `break` after it ends, when a flag is set. The flags
//! are tested under `piecewise`: a jump taken under a condition of differentiable values was
//! accepted there already. A labelled block, `'a: { .. break 'a v; .. tail }`, is first the loop
//! that runs it once, `'a: loop { .. break 'a v; .. break 'a tail; }`, and `break 'a v` from the
//! labelled loop's own body is `break v` (a `loop`'s value, `scan::break_values_assigned`).
//! Anything else (`break 'a v` from a nested loop, a jump from a loop that is not a statement of
//! its block) is left as written, for the lowering's error.

use proc_macro2::Span;
use syn::visit_mut::VisitMut;
use syn::{Expr, Stmt};

/// `body` with its labelled loops rewritten (`None` if it has none that could be).
/// `generic`: the function is generic over its float type, where a `loop` cannot carry a value
/// (`scan::break_values_assigned`): a labelled block not taken apart into branches stays, for
/// `LABELLED_BLOCK`'s error.
pub(super) fn unlabel(body: &syn::Block, generic: bool) -> Option<syn::Block> {
    if !super::any_node(body, &is_labelled, &|_| false) {
        return None;
    }
    let mut body = body.clone();
    let mut blocks = Blocks { changed: false, generic };
    blocks.visit_block_mut(&mut body);
    let mut pass = Labelled { changed: blocks.changed };
    pass.visit_block_mut(&mut body);
    pass.changed.then_some(body)
}

/// Finds labelled loops, innermost first.
struct Labelled {
    changed: bool,
}

impl VisitMut for Labelled {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        if let Some(rewritten) = rewrite(e) {
            *e = rewritten;
            self.changed = true;
        }
    }
}

/// Rewrites each labelled block into the labelled `loop` that runs it once.
struct Blocks {
    changed: bool,
    generic: bool,
}

impl VisitMut for Blocks {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        syn::visit_mut::visit_expr_mut(self, e);
        let Expr::Block(b) = e else { return };
        let Some(label) = b.label.take() else { return };
        if let Some(stmts) = branches(&label.name, &b.block.stmts, false) {
            b.block.stmts = stmts;
            self.changed = true;
            return;
        }
        if self.generic {
            b.label = Some(label);
            return;
        }
        self.changed = true;
        let span = label.name.ident.span();
        let mut stmts = std::mem::take(&mut b.block.stmts);
        let last: Stmt = match stmts.pop() {
            Some(Stmt::Expr(tail, None)) => {
                let name = &label.name;
                syn::parse_quote_spanned!(span=> break #name #tail;)
            }
            Some(other) => {
                let name = &label.name;
                stmts.push(other);
                syn::parse_quote_spanned!(span=> break #name;)
            }
            None => syn::parse_quote_spanned!(span=> break;),
        };
        stmts.push(last);
        let attrs = &b.attrs;
        *e = syn::parse_quote_spanned!(span=> #(#attrs)* #label loop { #(#stmts)* });
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// A labelled block's statements without its jumps, where each is the last statement of an
/// `if` with no `else` at the block's level (`if c { ..; break 'a v; }`): the rest of the
/// block is that `if`'s `else`, and `v` its value. `must_break`: the statements are such an
/// `if`'s, which end with the jump. `None` if a jump is anywhere else.
fn branches(label: &syn::Lifetime, stmts: &[Stmt], must_break: bool) -> Option<Vec<Stmt>> {
    let ours = |e: &Expr| matches!(e, Expr::Break(b) if b.label.as_ref() == Some(label));
    let jumps = |s: &Stmt| {
        let block = syn::Block { brace_token: Default::default(), stmts: vec![s.clone()] };
        super::any_node(&block, &ours, &|_| false)
    };
    for (i, stmt) in stmts.iter().enumerate() {
        let last = i + 1 == stmts.len();
        match stmt {
            Stmt::Expr(Expr::Break(b), _) if last && b.label.as_ref() == Some(label) => {
                let mut out = stmts[..i].to_vec();
                let value: Expr = match &b.expr {
                    Some(v) if !jumps(&Stmt::Expr((**v).clone(), None)) => (**v).clone(),
                    Some(_) => return None,
                    None => syn::parse_quote_spanned!(b.break_token.span=> ()),
                };
                out.push(Stmt::Expr(value, None));
                return Some(out);
            }
            Stmt::Expr(Expr::If(branch), _) if branch.else_branch.is_none() && jumps(stmt) => {
                let cond = &branch.cond;
                if super::any_node(&syn::parse_quote!({ #cond }), &ours, &|_| false) {
                    return None;
                }
                let then = branches(label, &branch.then_branch.stmts, true)?;
                let rest = branches(label, &stmts[i + 1..], must_break)?;
                let mut out = stmts[..i].to_vec();
                let (if_token, attrs) = (branch.if_token, &branch.attrs);
                out.push(Stmt::Expr(
                    syn::parse_quote_spanned!(if_token.span=> #(#attrs)* if #cond { #(#then)* } else { #(#rest)* }),
                    None,
                ));
                return Some(out);
            }
            s if jumps(s) => return None,
            _ => {}
        }
    }
    (!must_break).then(|| stmts.to_vec())
}

/// Whether `e` is a labelled `for`, `while` or `loop`, or a labelled block.
fn is_labelled(e: &Expr) -> bool {
    match e {
        Expr::Block(b) => b.label.is_some(),
        Expr::ForLoop(f) => f.label.is_some(),
        Expr::While(w) => w.label.is_some(),
        Expr::Loop(l) => l.label.is_some(),
        _ => false,
    }
}

/// The loop's label and body, if `e` is a labelled `for`, `while` or `loop`.
fn labelled(e: &mut Expr) -> Option<(&mut Option<syn::Label>, &mut syn::Block)> {
    match e {
        Expr::ForLoop(f) if f.label.is_some() => Some((&mut f.label, &mut f.body)),
        Expr::While(w) if w.label.is_some() => Some((&mut w.label, &mut w.body)),
        Expr::Loop(l) if l.label.is_some() => Some((&mut l.label, &mut l.body)),
        _ => None,
    }
}

/// `e` rewritten, if it is a labelled loop whose jumps can all be.
fn rewrite(e: &Expr) -> Option<Expr> {
    if !is_labelled(e) {
        return None;
    }
    let mut e = e.clone();
    let (label, body) = labelled(&mut e)?;
    let name = label.as_ref()?.name.ident.clone();
    let span = name.span();
    let flag = |kind: &str| syn::Ident::new(&format!("__tapeless_{kind}_{name}"), span);
    let mut jumps = Jumps {
        label: &name,
        flags: (flag("continue"), flag("break")),
        depth: 0,
        used: (false, false),
        replaced: 0,
        failed: false,
    };
    jumps.visit_block_mut(body);
    if jumps.failed {
        return None;
    }
    let (continued, broken) = jumps.used;
    let (continue_flag, break_flag) = jumps.flags;
    *label = None;
    if continued {
        body.stmts.insert(0, syn::parse_quote_spanned!(span=> #continue_flag = false;));
    }
    let mut flags: Vec<Stmt> = Vec::new();
    if continued {
        flags.push(syn::parse_quote_spanned!(span=> let mut #continue_flag = false;));
    }
    if broken {
        flags.push(syn::parse_quote_spanned!(span=> let mut #break_flag = false;));
    }
    Some(syn::parse_quote_spanned!(span=> { #(#flags)* #e }))
}

/// Rewrites the jumps to `label` inside the labelled loop's body.
struct Jumps<'a> {
    label: &'a syn::Ident,
    /// The flags set by `continue 'label` and by `break 'label` from a nested loop.
    flags: (syn::Ident, syn::Ident),
    /// How many loops deep inside the labelled one.
    depth: usize,
    /// Whether each flag is set anywhere.
    used: (bool, bool),
    /// How many jumps were rewritten into a flag so far.
    replaced: usize,
    failed: bool,
}

impl Jumps<'_> {
    fn ours(&self, label: &Option<syn::Lifetime>) -> bool {
        label.as_ref().is_some_and(|l| l.ident == *self.label)
    }

    /// Whether `e` is a loop, visiting its body one level deeper: `Some(true)` if a jump in it
    /// was rewritten into a flag.
    fn nested_loop(&mut self, e: &mut Expr) -> Option<bool> {
        let body = match e {
            Expr::ForLoop(f) => &mut f.body,
            Expr::While(w) => &mut w.body,
            Expr::Loop(l) => &mut l.body,
            _ => return None,
        };
        let before = self.replaced;
        self.depth += 1;
        self.visit_block_mut(body);
        self.depth -= 1;
        Some(self.replaced != before)
    }

    /// What runs after a nested loop a flag may have been set in: the jump itself, in the
    /// labelled loop's body, or `break` out of the loop in between.
    fn after_loop(&self, span: Span) -> Vec<Stmt> {
        let (continue_flag, break_flag) = &self.flags;
        if self.depth > 0 {
            let set: Vec<&syn::Ident> = [(self.used.0, continue_flag), (self.used.1, break_flag)]
                .into_iter()
                .filter_map(|(used, flag)| used.then_some(flag))
                .collect();
            return vec![syn::parse_quote_spanned!(span=> if ::tapeless::piecewise(#(#set)||*) { break; })];
        }
        let mut out = Vec::new();
        if self.used.0 {
            out.push(
                syn::parse_quote_spanned!(span=> if ::tapeless::piecewise(#continue_flag) { continue; }),
            );
        }
        if self.used.1 {
            out.push(syn::parse_quote_spanned!(span=> if ::tapeless::piecewise(#break_flag) { break; }));
        }
        out
    }
}

impl VisitMut for Jumps<'_> {
    fn visit_block_mut(&mut self, block: &mut syn::Block) {
        let mut stmts = Vec::new();
        for mut stmt in std::mem::take(&mut block.stmts) {
            let nested = match &mut stmt {
                Stmt::Expr(e, _) => {
                    let span = syn::spanned::Spanned::span(&*e);
                    match self.nested_loop(e) {
                        Some(jumped) => jumped.then_some(span),
                        None => {
                            self.visit_expr_mut(e);
                            None
                        }
                    }
                }
                other => {
                    self.visit_stmt_mut(other);
                    None
                }
            };
            stmts.push(stmt);
            if let Some(span) = nested {
                stmts.extend(self.after_loop(span));
            }
        }
        block.stmts = stmts;
    }

    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let span = syn::spanned::Spanned::span(&*e);
        let (continue_flag, break_flag) = self.flags.clone();
        match e {
            Expr::Continue(c) if self.ours(&c.label) => {
                if self.depth == 0 {
                    c.label = None;
                } else {
                    self.used.0 = true;
                    self.replaced += 1;
                    *e = syn::parse_quote_spanned!(span=> { #continue_flag = true; break; });
                }
            }
            Expr::Break(b) if self.ours(&b.label) => {
                if b.expr.is_some() && self.depth > 0 {
                    self.failed = true;
                } else if self.depth == 0 {
                    b.label = None;
                    if let Some(value) = &mut b.expr {
                        self.visit_expr_mut(value);
                    }
                } else {
                    self.used.1 = true;
                    self.replaced += 1;
                    *e = syn::parse_quote_spanned!(span=> { #break_flag = true; break; });
                }
            }
            // A loop that is not a statement of its block: a jump out of it cannot be followed
            // by the test after it.
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                if self.nested_loop(e) == Some(true) {
                    self.failed = true;
                }
            }
            Expr::Closure(_) => {}
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }

    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}
