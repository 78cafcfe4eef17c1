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
        if let Some(split) = tuple_parts_bound(m) {
            return self.expr(&split);
        }
        if let Some(arm) = m.arms.iter().find(|a| binds_inside(&a.pat) && !patterns::destructures(&a.pat)) {
            return self.unsupported(Loc::of(&arm.pat), unsupported::MATCH_PATTERN_BINDS_NAME_REF);
        }
        let (expr, piecewise) = strip_piecewise(&m.expr);
        let whole = m.arms.iter().any(|a| matches!(&a.pat, Pat::Ident(_)) && catch_all(&a.pat));
        let scrutinee = Scrutinee { value: self.scrutinee(expr, whole), span: Loc::of(expr), piecewise };
        self.arms(&scrutinee, &m.arms, span).unwrap_or_else(unit)
    }

    /// The value a `match` looks at. A tuple (`match (order, symmetric)`, or a local tuple) is
    /// one opaque value made of its parts, which the arms' patterns test and take apart like
    /// any other value (a part that depends on a differentiable value makes the condition
    /// one, and a differentiable part bound by a pattern is an error there). A place is looked
    /// at through a reference ([`Lowerer::scrutinee_of`]).
    fn scrutinee(&mut self, e: &Expr, whole: bool) -> patterns::Scrutinee {
        let span = Loc::of(e);
        if let Some(place) = self.place_scrutinee(e, whole) {
            return place;
        }
        match self.expr(e) {
            Tree::Leaf(v) => patterns::Scrutinee::Value(v),
            tuple => {
                let mut reads = Vec::new();
                let tokens = tuple_tokens(&tuple, &mut reads);
                let op = Op::Opaque { tokens, reads, what: Opaque::Form("a tuple") };
                patterns::Scrutinee::Value(self.emit(op, span, Kind::Unknown))
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
                let at = Loc::of(as_written(guard));
                (self.leaf(t, at), at, piecewise)
            }
            // `p if g => ..`: the pattern's test, then the guard; the guard is where a
            // condition the test alone does not make comes from.
            (Some((_, guard)), false) => {
                let cond = self.arm_condition(s, arm);
                let (guard, piecewise) = strip_piecewise(guard);
                self.condition_keyword = Some("match guard");
                (cond, Loc::of(as_written(guard)), piecewise || s.piecewise)
            }
            (None, _) => {
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
    fn arm_body(
        &mut self,
        scrutinee: patterns::Scrutinee,
        arm: &syn::Arm,
        f: impl FnOnce(&mut Self) -> Tree,
    ) -> Tree {
        self.scopes.push(Vec::new());
        if let Pat::Ident(p) = &arm.pat {
            self.declare(&p.ident.to_string(), Some(Tree::Leaf(scrutinee.value())));
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
    value: patterns::Scrutinee,
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

/// `match (k, x) { (0, x) => a, (_, y) => b }`, where some parts of the tuple are matched by `_`
/// or a plain name in every arm, as a `match` on the other parts, the names bound by `let` in
/// the arms (and in their guards, inside `piecewise(..)` where the guard was):
///
/// ```text
/// { let __tapeless_part0 = k; let __tapeless_part1 = x;
///   match __tapeless_part0 { 0 => { let x = __tapeless_part1; a } _ => { let y = __tapeless_part1; b } } }
/// ```
///
/// The parts are evaluated in order, as the tuple's were. A part only bound is never tested,
/// so a differentiated one no longer makes the `match` look at it. `None` for any other
/// `match`, or one whose every part is tested or none is.
fn tuple_parts_bound(m: &syn::ExprMatch) -> Option<Expr> {
    let Expr::Tuple(scrutinee) = strip_parens(&m.expr) else { return None };
    let n = scrutinee.elems.len();
    // Each arm's parts (`None` for a whole `_`).
    let mut arms = Vec::new();
    for arm in &m.arms {
        match &arm.pat {
            Pat::Wild(_) => arms.push(None),
            Pat::Tuple(t) if t.elems.len() == n && !t.elems.iter().any(|p| matches!(p, Pat::Rest(_))) => {
                arms.push(Some(t.elems.iter().collect::<Vec<_>>()))
            }
            _ => return None,
        }
    }
    let bound = |i: usize| arms.iter().all(|parts| parts.as_ref().is_none_or(|p| catch_all(p[i])));
    let (free, tested): (Vec<usize>, Vec<usize>) = (0..n).partition(|i| bound(*i));
    if free.is_empty() || tested.is_empty() {
        return None;
    }
    let span = m.expr.span();
    let part = |i: usize| syn::Ident::new(&format!("__tapeless_part{i}"), span);
    let lets = scrutinee.elems.iter().enumerate().map(|(i, e)| {
        let name = part(i);
        quote::quote_spanned!(span=> let #name = #e;)
    });
    let looked_at: Vec<syn::Ident> = tested.iter().map(|i| part(*i)).collect();
    let new_scrutinee: Expr = match looked_at.as_slice() {
        [one] => syn::parse_quote!(#one),
        many => syn::parse_quote_spanned!(span=> (#(#many),*)),
    };
    let mut new_arms = Vec::new();
    for (arm, parts) in m.arms.iter().zip(&arms) {
        let mut arm = arm.clone();
        if let Some(parts) = parts {
            let kept: Vec<&Pat> = tested.iter().map(|i| parts[*i]).collect();
            arm.pat = match kept.as_slice() {
                [one] => (*one).clone(),
                many => syn::parse_quote!((#(#many),*)),
            };
            let binds: Vec<Stmt> = free
                .iter()
                .filter(|i| matches!(parts[**i], Pat::Ident(_)))
                .map(|i| {
                    let (pat, value) = (parts[*i], part(*i));
                    syn::parse_quote!(let #pat = #value;)
                })
                .collect();
            if !binds.is_empty() {
                let body = &arm.body;
                arm.body = Box::new(syn::parse_quote_spanned!(body.span()=> { #(#binds)* #body }));
                if let Some((_, guard)) = &mut arm.guard {
                    let (inner, piecewise) = strip_piecewise(guard);
                    let inner: Expr = syn::parse_quote_spanned!(inner.span()=> { #(#binds)* #inner });
                    **guard = if piecewise {
                        syn::parse_quote_spanned!(guard.span()=> ::tapeless::piecewise(#inner))
                    } else {
                        inner
                    };
                }
            }
        }
        new_arms.push(arm);
    }
    Some(syn::parse_quote_spanned!(m.span()=> { #(#lets)* match #new_scrutinee { #(#new_arms)* } }))
}

/// A guard as the user wrote it: the condition at the end of a block of `let`s (what
/// [`tuple_parts_bound`] wraps a guard in to bind the parts it names).
fn as_written(guard: &Expr) -> &Expr {
    match guard {
        Expr::Block(b) if b.label.is_none() => match b.block.stmts.split_last() {
            Some((Stmt::Expr(tail, None), lets)) if lets.iter().all(|s| matches!(s, Stmt::Local(_))) => {
                as_written(tail)
            }
            _ => guard,
        },
        _ => guard,
    }
}
