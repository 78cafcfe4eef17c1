//! Numbers, and values read once, written where they are read.
//!
//! The emitters write one `let` per value, tangent and adjoint; about half of them are read once,
//! by a later statement of the same block (`let __v3 = __v0 * 0.999;` read only by
//! `let __v6 = __v3 + __v5;`). A debug build gives each such `let` a named local, with debug info
//! and borrow-checking of its own, which cost a long function seconds. The flatten pass
//! ([`super::scopes`]) therefore writes such a value's expression, in parentheses, in place of
//! its one mention: `let __v6 = (__v0 * 0.999) + __v5;`. Optimised code is the same (it is
//! SSA either way).
//!
//! Moving an expression later changes nothing when it has no effects and what it reads cannot
//! change in between: its names are our own, bound once in the function and never `mut`; it
//! calls methods and paths but no macros, indexes nothing (which could panic elsewhere than
//! before), and borrows no temporary a `let` would have kept alive. The one mention must be
//! in the same block, after the `let`, outside any nested block, closure or loop body (where it could run more
//! than once, or be captured).

use std::collections::{HashMap, HashSet};

use proc_macro2::{Delimiter, Literal, Spacing, TokenStream, TokenTree};

/// What the flatten pass needs to know about one generated function's body to write values
/// where they are read: the numbers (below) and the values read once ([`Body::inlinable`]).
#[derive(Default)]
pub struct Body {
    /// How often each `__` name is mentioned, at any depth.
    counts: HashMap<String, usize>,
    /// The `__` names that follow `mut` somewhere, or are bound by more than one `let`.
    unstable: HashSet<String>,
    /// The names bound to a number (`let __v2 = 0.999;`) and read only as operands of
    /// arithmetic (`__v1 * __v2`), with their literal. Writing the literal in their place means
    /// the same to rustc (a literal is atomic, and its type is inferred from the other operand
    /// as the name's was). A name read anywhere else (a method's receiver, a function's
    /// argument, copied) keeps its `let`: a literal there could have a type rustc cannot infer.
    pub constants: HashMap<String, Literal>,
}

/// What a walk over a body collects on the way.
#[derive(Default)]
struct Walk {
    /// The names bound by a `let` so far.
    bound: HashSet<String>,
    /// `let __vN = LIT;`: the literal, `None` if the name is bound to two different ones.
    numbers: HashMap<String, Option<Literal>>,
    /// `__v` names mentioned other than as an operand of arithmetic (or bound to a number).
    elsewhere: HashSet<String>,
}

impl Body {
    pub fn of(stream: TokenStream) -> Body {
        let mut body = Body::default();
        let mut walk = Walk::default();
        body.scan(stream, &mut walk);
        body.constants = walk
            .numbers
            .into_iter()
            .filter(|(name, _)| !walk.elsewhere.contains(name))
            .filter_map(|(name, lit)| Some((name, lit?)))
            .collect();
        body
    }

    fn scan(&mut self, stream: TokenStream, walk: &mut Walk) {
        let tokens: Vec<TokenTree> = stream.into_iter().collect();
        let mut in_pattern = false;
        for (i, tt) in tokens.iter().enumerate() {
            match tt {
                TokenTree::Group(g) => {
                    if in_pattern {
                        // A tuple pattern: its names are bound here.
                        self.bind_all(g.stream(), &mut walk.bound);
                    }
                    self.scan(g.stream(), walk);
                }
                TokenTree::Ident(id) => {
                    let s = id.to_string();
                    if s == "let" {
                        in_pattern = true;
                        if let Some((name, lit)) = constant_let(&tokens[i..]) {
                            let entry = walk.numbers.entry(name).or_insert_with(|| Some(lit.clone()));
                            if entry.as_ref().is_some_and(|l| l.to_string() != lit.to_string()) {
                                *entry = None;
                            }
                        }
                    } else if name(&tokens, i) {
                        *self.counts.entry(s.clone()).or_default() += 1;
                        let number = i > 0 && constant_let(&tokens[i - 1..]).is_some();
                        if s.starts_with("__v") && !number && !operand(&tokens, i) {
                            walk.elsewhere.insert(s.clone());
                        }
                        let after_mut = i > 0 && matches!(&tokens[i - 1], TokenTree::Ident(m) if m == "mut");
                        if after_mut {
                            self.unstable.insert(s.clone());
                        }
                        if in_pattern && !walk.bound.insert(s.clone()) {
                            self.unstable.insert(s);
                        }
                    }
                }
                TokenTree::Punct(p) if matches!(p.as_char(), '=' | ';' | ':') => in_pattern = false,
                TokenTree::Punct(_) | TokenTree::Literal(_) => {}
            }
        }
    }

    fn bind_all(&mut self, stream: TokenStream, bound: &mut HashSet<String>) {
        for tt in stream {
            match tt {
                TokenTree::Ident(id) if id.to_string().starts_with("__") => {
                    let s = id.to_string();
                    if !bound.insert(s.clone()) {
                        self.unstable.insert(s);
                    }
                }
                TokenTree::Group(g) => self.bind_all(g.stream(), bound),
                _ => {}
            }
        }
    }

    /// Whether `tokens` starts with `let NAME = LIT;` for a name written as its number.
    pub fn is_constant_let(&self, tokens: &[TokenTree]) -> bool {
        constant_let(tokens).is_some_and(|(name, _)| self.constants.contains_key(&name))
    }

    /// The name `let NAME = EXPR ;` (`stmt`, at top-level token `start` of its block) binds, if
    /// its value can be written where it is read: read once, by a later statement of this block
    /// (`shallow`: mentions in the block outside nested blocks, the `let` included).
    pub fn inlinable(
        &self,
        stmt: &[TokenTree],
        start: usize,
        shallow: &HashMap<String, (usize, usize, bool)>,
        floats: &HashSet<String>,
    ) -> Option<String> {
        let [
            TokenTree::Ident(l),
            TokenTree::Ident(id),
            TokenTree::Punct(eq),
            expr @ ..,
            TokenTree::Punct(semi),
        ] = stmt
        else {
            return None;
        };
        let n = id.to_string();
        let shape = l == "let"
            && n.starts_with("__")
            && eq.as_char() == '='
            && eq.spacing() == proc_macro2::Spacing::Alone
            && semi.as_char() == ';'
            && !expr.is_empty();
        let once = self.counts.get(&n) == Some(&2)
            && shallow
                .get(&n)
                .is_some_and(|&(count, first, borrowed)| count == 2 && first >= start && !borrowed);
        let ok = shape
            && floats.contains(&n)
            && once
            && !self.unstable.contains(&n)
            && self.pure(expr, &n)
            && !super::scopes::extends_temporary(expr);
        ok.then_some(n)
    }

    /// Whether `tokens` has no effect and reads only our names that cannot change (and not
    /// `own`, the name being bound).
    fn pure(&self, tokens: &[TokenTree], own: &str) -> bool {
        tokens.iter().enumerate().all(|(i, tt)| match tt {
            TokenTree::Ident(id) => {
                let s = id.to_string();
                if member_or_path(tokens, i) {
                    true
                } else {
                    name(tokens, i) && s != own && !self.unstable.contains(&s)
                }
            }
            TokenTree::Punct(p) => !matches!(p.as_char(), '!' | '?' | '#' | '\'' | '=' | ';' | '|'),
            TokenTree::Literal(_) => true,
            TokenTree::Group(g) => match g.delimiter() {
                Delimiter::Parenthesis | Delimiter::None => {
                    self.pure(&g.stream().into_iter().collect::<Vec<_>>(), own)
                }
                Delimiter::Bracket | Delimiter::Brace => false,
            },
        })
    }
}

/// Whether the ident at `i` is one of our names (`__v3`) or mentions one: anything spelled
/// `__..` but a path segment (`::tapeless::__private`). Counting too much is safe; too little
/// is not, so a field after `.` still counts.
fn name(tokens: &[TokenTree], i: usize) -> bool {
    let path = |k: Option<&TokenTree>| matches!(k, Some(TokenTree::Punct(p)) if p.as_char() == ':');
    let before = i.checked_sub(1).and_then(|k| tokens.get(k));
    matches!(&tokens[i], TokenTree::Ident(id) if id.to_string().starts_with("__"))
        && !path(before)
        && !path(tokens.get(i + 1))
}

/// Whether the ident at `i` is a method or field (after a `.` that is not part of `..`) or a
/// path segment (next to `::`).
fn member_or_path(tokens: &[TokenTree], i: usize) -> bool {
    let punct = |k: Option<&TokenTree>, c: char| matches!(k, Some(TokenTree::Punct(p)) if p.as_char() == c);
    let at = |k: usize| i.checked_sub(k).and_then(|k| tokens.get(k));
    let member = punct(at(1), '.') && !punct(at(2), '.');
    member || punct(at(1), ':') || punct(tokens.get(i + 1), ':')
}

/// For each `__` name mentioned in a block's tokens outside nested blocks (brace groups) and
/// closures (after a `|`, to the end of its statement), the block's own `let`s included: how
/// often, the index of the top-level token holding the first mention, and whether one is
/// borrowed (`&x`, `&mut x`: a temporary in its place could be dropped while still borrowed).
pub fn shallow(tokens: &[TokenTree]) -> HashMap<String, (usize, usize, bool)> {
    let mut out = HashMap::new();
    walk(tokens, None, &mut out);
    out
}

fn walk(tokens: &[TokenTree], top: Option<usize>, out: &mut HashMap<String, (usize, usize, bool)>) {
    let amp = |k: Option<usize>| matches!(k.and_then(|k| tokens.get(k)), Some(TokenTree::Punct(p)) if p.as_char() == '&');
    let mutable =
        |k: Option<usize>| matches!(k.and_then(|k| tokens.get(k)), Some(TokenTree::Ident(m)) if m == "mut");
    let mut closure = false;
    for (i, tt) in tokens.iter().enumerate() {
        let at = top.unwrap_or(i);
        match tt {
            TokenTree::Punct(p) if p.as_char() == ';' => closure = false,
            TokenTree::Punct(p) if p.as_char() == '|' => closure = true,
            _ if closure => {}
            TokenTree::Ident(id) if name(tokens, i) => {
                let entry = out.entry(id.to_string()).or_insert((0, at, false));
                entry.0 += 1;
                entry.2 |= amp(i.checked_sub(1)) || (mutable(i.checked_sub(1)) && amp(i.checked_sub(2)));
            }
            TokenTree::Group(g) if g.delimiter() != Delimiter::Brace => {
                walk(&g.stream().into_iter().collect::<Vec<_>>(), Some(at), out)
            }
            _ => {}
        }
    }
}

/// `let __vN = LIT ;` at the start of `tokens`, LIT a number.
fn constant_let(tokens: &[TokenTree]) -> Option<(String, Literal)> {
    let [
        TokenTree::Ident(l),
        TokenTree::Ident(name),
        TokenTree::Punct(eq),
        TokenTree::Literal(lit),
        TokenTree::Punct(semi),
        ..,
    ] = tokens
    else {
        return None;
    };
    let numeric = lit.to_string().starts_with(|c: char| c.is_ascii_digit());
    let ok = l == "let"
        && name.to_string().starts_with("__v")
        && eq.as_char() == '='
        && eq.spacing() == Spacing::Alone
        && semi.as_char() == ';'
        && numeric;
    ok.then(|| (name.to_string(), lit.clone()))
}

/// Whether the name at `i` is an operand of `+ - * / %`: an operator on one side, and on the other nothing that would make the name a receiver, a place or a callee.
fn operand(tokens: &[TokenTree], i: usize) -> bool {
    let (before, after) = (i.checked_sub(1).and_then(|k| tokens.get(k)), tokens.get(i + 1));
    let arithmetic = |tt: Option<&TokenTree>| matches!(tt, Some(TokenTree::Punct(p)) if matches!(p.as_char(), '+' | '-' | '*' | '/' | '%'));
    let compound = matches!(after, Some(TokenTree::Punct(p)) if p.spacing() == Spacing::Joint);
    let member = matches!(after, Some(TokenTree::Punct(p)) if p.as_char() == '.')
        || matches!(after, Some(TokenTree::Group(g)) if g.delimiter() != Delimiter::Brace)
        || matches!(before, Some(TokenTree::Punct(p)) if matches!(p.as_char(), '.' | '&'));
    (arithmetic(before) || (arithmetic(after) && !compound)) && !member
}
