//! `match` as a chain of `if`s on the arms' pattern tests (`patterns::pattern_test`), the
//! branches merged by `control::branch`.

use super::control::{strip_piecewise, tuple_tokens};
use super::*;

impl Lowerer<'_> {
    /// `match s { p1 => a, p2 if g => b, _ => c }` as `if matches!(s, p1) { a } else if
    /// (matches!(s, p2) && g) { b } else { c }`: rustc checks the patterns (constants, enum
    /// variants, ranges, or-patterns) inside `matches!`, and the last arm is what runs when no
    /// earlier arm matched (rustc has checked the `match` is exhaustive). A name bound by a whole
    /// arm pattern (`k => ..`, `k if k > 2 => ..`) is the scrutinee; names bound inside a pattern
    /// (`Some(k)`) are an error. A scrutinee that depends on a differentiated value makes every
    /// condition tainted, so the `match` follows the rules of `if` (ui `branch/match_on_a_differentiable_value`).
    pub(super) fn match_expr(&mut self, m: &syn::ExprMatch) -> Tree {
        let span = Loc::of(m);
        if let Some(t) = self.match_lookup(m) {
            return t;
        }
        if let Some(chain) = patterns::slice_match(m) {
            return self.expr(&chain);
        }
        if let Some(arm) = m.arms.iter().find(|a| binds_inside(&a.pat) && !patterns::destructures(&a.pat)) {
            return self.unsupported(Loc::of(&arm.pat), unsupported::MATCH_PATTERN_BINDS_NAME_REF);
        }
        let (expr, piecewise) = strip_piecewise(&m.expr);
        let scrutinee = Scrutinee { value: self.scrutinee(expr), span: Loc::of(expr), piecewise };
        self.arms(&scrutinee, &m.arms, span).unwrap_or_else(unit)
    }

    /// The value a `match` looks at. A tuple (`match (order, symmetric)`, or a local tuple) is
    /// one opaque value made of its parts, which the arms' patterns test and take apart like
    /// any other value (a part that depends on a differentiable value makes the condition
    /// one, and a differentiable part bound by a pattern is an error there).
    fn scrutinee(&mut self, e: &Expr) -> Value {
        let span = Loc::of(e);
        match self.expr(e) {
            Tree::Leaf(v) => v,
            tuple => {
                let mut reads = Vec::new();
                let tokens = tuple_tokens(&tuple, &mut reads);
                let op = Op::Opaque { tokens, reads, what: Opaque::Form("a tuple") };
                self.emit(op, span, Kind::Unknown)
            }
        }
    }

    fn arms(&mut self, s: &Scrutinee, arms: &[syn::Arm], span: Loc) -> Option<Tree> {
        let (arm, rest) = arms.split_first()?;
        if rest.is_empty() {
            return Some(self.arm_body(s.value, arm, |l| l.expr(&arm.body)));
        }
        let (cond, cond_span, piecewise) = match (&arm.guard, catch_all(&arm.pat)) {
            // `v if g => ..` or `_ if g => ..`: the pattern matches anything, so only the guard
            // looks at the value, and it is the condition (`v if piecewise(v < 0.0)`).
            (Some((_, guard)), true) => {
                let (guard, piecewise) = strip_piecewise(guard);
                let t = self.arm_body(s.value, arm, |l| l.expr(guard));
                self.condition_keyword = Some("match guard");
                (self.leaf(t, Loc::of(guard)), Loc::of(guard), piecewise)
            }
            _ => {
                let cond = self.arm_condition(s, arm);
                self.condition_keyword = Some("match");
                (cond, s.span, s.piecewise)
            }
        };
        Some(self.branch(
            cond,
            cond_span,
            piecewise,
            span,
            |l| l.arm_body(s.value, arm, |l| l.expr(&arm.body)),
            |l| l.arms(s, rest, span).unwrap_or_else(unit),
        ))
    }

    /// `matches!(s, pattern)`, and the guard if the arm has one (`&&`, short-circuited).
    fn arm_condition(&mut self, scrutinee: &Scrutinee, arm: &syn::Arm) -> Value {
        let span = Loc::of(&arm.pat);
        let matched = self.pattern_test(scrutinee.value, &arm.pat);
        let Some((_, guard)) = &arm.guard else { return matched };
        self.condition_keyword = Some("match");
        let t = self.branch(
            matched,
            scrutinee.span,
            scrutinee.piecewise,
            span,
            |l| l.arm_body(scrutinee.value, arm, |l| l.expr(guard)),
            |l| l.boolean(false, span),
        );
        self.leaf(t, span)
    }

    /// Runs `f` in the scope of an arm, with the name its whole pattern binds (if any) bound to
    /// the scrutinee.
    fn arm_body(&mut self, scrutinee: Value, arm: &syn::Arm, f: impl FnOnce(&mut Self) -> Tree) -> Tree {
        self.scopes.push(Vec::new());
        if let Pat::Ident(p) = &arm.pat {
            self.declare(&p.ident.to_string(), Some(Tree::Leaf(scrutinee)));
        } else if patterns::destructures(&arm.pat) {
            self.bind_parts(scrutinee, &arm.pat);
        }
        let t = f(self);
        self.scopes.pop();
        t
    }
}

/// The value a `match` looks at, where it is written, and whether it was `piecewise(..)`.
struct Scrutinee {
    value: Value,
    span: Loc,
    piecewise: bool,
}

/// Whether a `match` pattern binds a name below its top level (`Some(k)`, `(a, 0)`, `k @ 1..=3`):
/// such a name would need the scrutinee's parts, which are not lowered.
fn binds_inside(pat: &Pat) -> bool {
    match pat {
        // `k`: the whole value (or a constant, which rustc resolves; equal to the value when
        // matched).
        Pat::Ident(p) if p.subpat.is_none() && p.by_ref.is_none() => false,
        Pat::Or(or) => or.cases.iter().any(binds_inside),
        // `(None, _)`: `None` is a variant, not a binding (Rust's convention for names).
        pat => super::scan::bound_names(pat).iter().any(|n| !super::patterns::is_constant_name(n)),
    }
}

/// Whether an arm pattern matches every value: `_`, or a name that is not a constant's (`v`,
/// not `MAX`), which binds the whole value.
fn catch_all(pat: &Pat) -> bool {
    match pat {
        Pat::Wild(_) => true,
        Pat::Ident(p) => {
            p.subpat.is_none() && p.by_ref.is_none() && !super::patterns::is_constant_name(&p.ident)
        }
        _ => false,
    }
}
