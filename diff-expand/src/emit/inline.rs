//! Numbers, and values read once, written where they are read.
//!
//! The emitters write one `let` per value, tangent and adjoint; about half of them are read once,
//! by a later statement of the same block (`let __v3 = __v0 * 0.999;` read only by
//! `let __v6 = __v3 + __v5;`). A debug build gives each such `let` a named local, with debug info
//! and borrow-checking of its own, which cost a long function seconds. The flatten pass
//! ([`super::scopes`]) therefore writes such a value's expression in place of its one mention,
//! in parentheses where the parse would otherwise change ([`super::parens`]): `let __v6 = __v0 *
//! 0.999 + __v5;`. Optimised code is the same (it is SSA either way).
//!
//! Moving an expression later changes nothing when it has no effects and what it reads cannot
//! change in between: its names are our own, bound once in the function and never written after
//! their `let` (a `mut` adjoint that no later contribution reaches counts as constant); it
//! calls methods and paths but no macros, indexes nothing (which could panic elsewhere than
//! before), and borrows no temporary a `let` would have kept alive. The one mention must be
//! in the same block, after the `let`, outside any nested block, closure or loop body (where it could run more
//! than once, or be captured).

use super::tokens::{Sym, SymMap, SymSet, Tok, punct_at};
use proc_macro2::{Delimiter, Literal, Spacing};

/// What the flatten pass needs to know about one generated function's body to write values
/// where they are read: the numbers (below) and the values read once ([`Body::inlinable`]).
#[derive(Default)]
pub struct Body {
    /// How often each `__` name is mentioned, at any depth.
    counts: SymMap<usize>,
    /// The `__` names whose value may change after their `let`: bound by more than one `let`,
    /// or declared `mut` and written somewhere (assigned to, alone or in a tuple, borrowed
    /// `&mut`, reached through by a method, field or index, or named in a macro's arguments).
    /// A `mut` name never written is as stable as any (adjoints are declared `mut` for
    /// contributions that may come, and often none does).
    unstable: SymSet,
    /// The names bound to a number (`let __v2 = 0.999;`) and read only as operands of
    /// arithmetic (`__v1 * __v2`), with their literal. Writing the literal in their place means
    /// the same to rustc (a literal is atomic, and its type is inferred from the other operand
    /// as the name's was). A name read anywhere else (a method's receiver, a function's
    /// argument, copied) keeps its `let`: a literal there could have a type rustc cannot infer.
    pub constants: SymMap<Literal>,
}

/// What a walk over a body collects on the way.
#[derive(Default)]
struct Walk {
    /// The names bound by a `let` so far.
    bound: SymSet,
    /// `let __vN = LIT;`: the literal and its spelling, `None` if the name is bound to two
    /// different ones.
    numbers: SymMap<Option<(Literal, String)>>,
    /// `__v` names mentioned other than as an operand of arithmetic (or bound to a number).
    elsewhere: SymSet,
    /// The names declared `mut`, and those written (see [`Body::unstable`]).
    mutable: SymSet,
    written: SymSet,
}

impl Body {
    pub fn of(tokens: &[Tok]) -> Body {
        let mut body = Body::default();
        let mut walk = Walk::default();
        body.scan(tokens, false, &mut walk);
        body.unstable.insert_both(&walk.mutable, &walk.written);
        body.constants = walk
            .numbers
            .into_iter()
            .filter(|(name, _)| !walk.elsewhere.contains(name))
            .filter_map(|(name, lit)| Some((name, lit?.0)))
            .collect();
        body
    }

    /// `assigned`: `tokens` are the inside of a tuple or array assigned to, or of a macro's
    /// arguments, so the names in them may be written.
    fn scan(&mut self, tokens: &[Tok], assigned: bool, walk: &mut Walk) {
        let mut in_pattern = false;
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                Tok::Group(_, _, inner) => {
                    if in_pattern {
                        // A tuple pattern: its names are bound here.
                        self.bind_all(inner, &mut walk.bound);
                    }
                    let macro_args = i > 0 && tokens[i - 1].is_punct('!');
                    let written = assigned || macro_args || (!in_pattern && assignment_at(tokens, i + 1));
                    self.scan(inner, written, walk);
                }
                Tok::Ident(_, Sym::LET) => {
                    in_pattern = true;
                    if let Some((name, lit, spelling)) = constant_let(&tokens[i..]) {
                        let entry =
                            walk.numbers.entry(name).or_insert_with(|| Some((lit.clone(), spelling.clone())));
                        if entry.as_ref().is_some_and(|(_, l)| *l != spelling) {
                            *entry = None;
                        }
                    }
                }
                &Tok::Ident(_, s) if name(tokens, i) => {
                    *self.counts.entry(s).or_default() += 1;
                    let number = i > 0 && constant_let(&tokens[i - 1..]).is_some();
                    if s.value() && !number && !operand(tokens, i) {
                        walk.elsewhere.insert(s);
                    }
                    let after_mut = i > 0 && tokens[i - 1].is(Sym::MUT);
                    if after_mut || (assigned && in_pattern) {
                        walk.mutable.insert(s);
                    }
                    // `&mut x`, `|mut x|`: not a `let`'s binding.
                    if !in_pattern && (assigned || after_mut || writes(tokens, i)) {
                        walk.written.insert(s);
                    }
                    if in_pattern && !walk.bound.insert(s) {
                        self.unstable.insert(s);
                    }
                }
                Tok::Punct(p) if matches!(p.as_char(), '=' | ';' | ':') => in_pattern = false,
                _ => {}
            }
        }
    }

    fn bind_all(&mut self, tokens: &[Tok], bound: &mut SymSet) {
        for tt in tokens {
            match tt {
                // Bound twice.
                &Tok::Ident(_, s) if s.ours() && !bound.insert(s) => {
                    self.unstable.insert(s);
                }
                Tok::Group(_, _, inner) => self.bind_all(inner, bound),
                _ => {}
            }
        }
    }

    /// Whether `tokens` starts with `let NAME = LIT;` for a name written as its number.
    pub fn is_constant_let(&self, tokens: &[Tok]) -> bool {
        constant_let(tokens).is_some_and(|(name, ..)| self.constants.contains_key(&name))
    }

    /// The name `let NAME = EXPR ;` or `let mut NAME = EXPR ;` (`stmt`, at top-level token
    /// `start` of its block) binds and the tokens of `EXPR`, if its value can be written where
    /// it is read: read once, by a later statement of this block (`shallow`: mentions in the
    /// block outside nested blocks, the `let` included), and its value cannot change in between
    /// ([`Body::unstable`]).
    pub fn inlinable<'s>(
        &self,
        stmt: &'s [Tok],
        start: usize,
        shallow: &SymMap<Mentions>,
        floats: &SymSet,
    ) -> Option<(Sym, &'s [Tok])> {
        let rest = match stmt {
            [l, m, rest @ ..] if l.is(Sym::LET) && m.is(Sym::MUT) => rest,
            [l, rest @ ..] if l.is(Sym::LET) => rest,
            _ => return None,
        };
        let &[Tok::Ident(_, n), Tok::Punct(ref eq), ref expr @ .., ref semi] = rest else {
            return None;
        };
        let shape = n.ours() && eq.as_char() == '=' && eq.spacing() == Spacing::Alone && semi.is_punct(';');
        let once = || {
            self.counts.get(&n) == Some(&2)
                && shallow.get(&n).is_some_and(|m| m.count == 2 && m.first >= start && !m.borrowed)
        };
        let ok = shape
            && !expr.is_empty()
            && floats.contains(&n)
            && once()
            && !self.unstable.contains(&n)
            && self.pure(expr, n)
            && !super::scopes::extends_temporary(expr);
        ok.then_some((n, expr))
    }

    /// Whether `tokens` has no effect and reads only our names that cannot change (and not
    /// `own`, the name being bound).
    fn pure(&self, tokens: &[Tok], own: Sym) -> bool {
        tokens.iter().enumerate().all(|(i, tt)| match tt {
            Tok::Ident(_, s) => {
                member_or_path(tokens, i) || (name(tokens, i) && *s != own && !self.unstable.contains(s))
            }
            Tok::Punct(p) => !matches!(p.as_char(), '!' | '?' | '#' | '\'' | '=' | ';' | '|'),
            Tok::Literal(_) => true,
            Tok::Group(Delimiter::Parenthesis | Delimiter::None, _, inner) => self.pure(inner, own),
            Tok::Group(..) => false,
        })
    }
}

/// Whether the ident at `i` is one of our names (`__v3`) or mentions one: anything spelled
/// `__..` but a path segment (`::tapeless::__private`). Counting too much is safe; too little
/// is not, so a field after `.` still counts.
pub(super) fn name(tokens: &[Tok], i: usize) -> bool {
    let at = |k: usize| i.checked_sub(k).and_then(|k| tokens.get(k));
    // After `::` a path segment; after one `:` a struct literal's field value (`State { x: __v3 }`),
    // which is a mention.
    let path = punct_at(at(1), ':') && punct_at(at(2), ':');
    tokens[i].sym().is_some_and(Sym::ours) && !path && !punct_at(tokens.get(i + 1), ':')
}

/// Whether the ident at `i` is a method or field (after a `.` that is not part of `..`) or a
/// path segment (next to `::`).
pub(super) fn member_or_path(tokens: &[Tok], i: usize) -> bool {
    let at = |k: usize| i.checked_sub(k).and_then(|k| tokens.get(k));
    let member = punct_at(at(1), '.') && !punct_at(at(2), '.');
    member || punct_at(at(1), ':') || punct_at(tokens.get(i + 1), ':')
}

/// How a `__` name is mentioned in a block's tokens outside nested blocks ([`shallow`]).
#[derive(Clone, Copy)]
pub struct Mentions {
    /// How often.
    pub count: usize,
    /// The index of the top-level token holding the first mention.
    pub first: usize,
    /// Whether one is borrowed (`&x`, `&mut x`: a temporary in its place could be dropped while
    /// still borrowed).
    pub borrowed: bool,
}

/// For each `__` name mentioned in a block's tokens outside nested blocks (brace groups) and
/// closures (after a `|`, to the end of its statement), the block's own `let`s included: how
/// it is mentioned.
pub fn shallow(tokens: &[Tok]) -> SymMap<Mentions> {
    let mut out = SymMap::default();
    walk(tokens, None, &mut out);
    out
}

fn walk(tokens: &[Tok], top: Option<usize>, out: &mut SymMap<Mentions>) {
    let amp = |k: Option<usize>| punct_at(k.and_then(|k| tokens.get(k)), '&');
    let mutable = |k: Option<usize>| k.and_then(|k| tokens.get(k)).is_some_and(|t| t.is(Sym::MUT));
    let mut closure = false;
    for (i, tt) in tokens.iter().enumerate() {
        let at = top.unwrap_or(i);
        match tt {
            Tok::Punct(p) if p.as_char() == ';' => closure = false,
            Tok::Punct(p) if p.as_char() == '|' => closure = true,
            _ if closure => {}
            &Tok::Ident(_, s) if name(tokens, i) => {
                let entry = out.entry(s).or_insert(Mentions { count: 0, first: at, borrowed: false });
                entry.count += 1;
                entry.borrowed |=
                    amp(i.checked_sub(1)) || (mutable(i.checked_sub(1)) && amp(i.checked_sub(2)));
            }
            Tok::Group(d, _, inner) if *d != Delimiter::Brace => walk(inner, Some(at), out),
            _ => {}
        }
    }
}

/// Whether `tokens[i..]` starts an assignment operator: `=` alone, or `+=`, `-=`, `*=`, ...
fn assignment_at(tokens: &[Tok], i: usize) -> bool {
    match (tokens.get(i), tokens.get(i + 1)) {
        (Some(Tok::Punct(p)), _) if p.as_char() == '=' && p.spacing() == Spacing::Alone => true,
        (Some(Tok::Punct(p)), Some(Tok::Punct(q))) => {
            p.spacing() == Spacing::Joint
                && q.as_char() == '='
                && !matches!(p.as_char(), '=' | '!' | '<' | '>')
        }
        _ => false,
    }
}

/// Whether the name at `i`, outside a `let`'s pattern, may be written there: assigned to, or
/// reached through (`.`, `[..]`).
fn writes(tokens: &[Tok], i: usize) -> bool {
    let through = punct_at(tokens.get(i + 1), '.')
        || matches!(tokens.get(i + 1), Some(Tok::Group(Delimiter::Bracket, ..)));
    assignment_at(tokens, i + 1) || through
}

/// `let __vN = LIT ;` at the start of `tokens`, LIT a number: the name, the literal and its
/// spelling.
fn constant_let(tokens: &[Tok]) -> Option<(Sym, &Literal, String)> {
    let &[ref l, Tok::Ident(_, name), Tok::Punct(ref eq), Tok::Literal(ref lit), ref semi, ..] = tokens
    else {
        return None;
    };
    let ok = l.is(Sym::LET)
        && name.value()
        && eq.as_char() == '='
        && eq.spacing() == Spacing::Alone
        && semi.is_punct(';');
    if !ok {
        return None;
    }
    let spelling = lit.to_string();
    spelling.starts_with(|c: char| c.is_ascii_digit()).then_some((name, lit, spelling))
}

/// Whether the name at `i` is an operand of `+ - * / %`: an operator on one side, and on the other nothing that would make the name a receiver, a place or a callee.
fn operand(tokens: &[Tok], i: usize) -> bool {
    let (before, after) = (i.checked_sub(1).and_then(|k| tokens.get(k)), tokens.get(i + 1));
    let arithmetic = |tt: Option<&Tok>| matches!(tt, Some(Tok::Punct(p)) if matches!(p.as_char(), '+' | '-' | '*' | '/' | '%'));
    let compound = matches!(after, Some(Tok::Punct(p)) if p.spacing() == Spacing::Joint);
    let member = punct_at(after, '.')
        || matches!(after, Some(Tok::Group(d, ..)) if *d != Delimiter::Brace)
        || matches!(before, Some(Tok::Punct(p)) if matches!(p.as_char(), '.' | '&'));
    (arithmetic(before) || (arithmetic(after) && !compound)) && !member
}
