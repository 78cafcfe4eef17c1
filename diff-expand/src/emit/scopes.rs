//! Keeps the scope tree of generated code flat.
//!
//! The emitters write one `let` per SSA value (and per tangent and adjoint). Every `let` opens a
//! lexical scope nested in the previous one, and rustc describes each as a nested
//! `DILexicalBlock` in debug builds; LLVM's DWARF writer walks that tree recursively and
//! overflows its stack past a few thousand levels (a 400-statement function crashed `cargo
//! build`). This pass, run over the tokens of every generated function, turns runs of `let`
//! statements in each block into one declaration of their names followed by plain assignments:
//!
//! ```text
//! let __v3 = __v1 * __v2;           let (__v3, __t3, __v4, __pb4,);
//! let __t3 = __t1 * __v2;      ->   __v3 = __v1 * __v2;
//! let (__v4, __pb4) = g_vjp(..);    __t3 = __t1 * __v2;
//!                                   (__v4, __pb4) = g_vjp(..);
//! ```
//!
//! so that a block of `n` values nests about `n / GROUP` scopes instead of `n`. Deferred
//! initialisation and destructuring assignment mean the same to rustc as the `let`s they replace
//! (each name is assigned once before it is read), so the code computes the same values at the
//! same cost.
//!
//! It works on tokens, not on a `syn` tree: parsing and printing the generated code again cost
//! 9 s of a 4 000-statement function's expansion in a debug build (proc macros are compiled
//! without optimisation there). A `let` keeps its form when rewriting could change its meaning:
//!
//! - its name occurs earlier in the run being declared, or in its own initialiser (such as the
//!   rebinding `let __a3 = &__a3;`): the declaration would shadow the binding that occurrence
//!   means. The run is closed first when that helps (an earlier occurrence only);
//! - a name that is not one of ours (not `__`-prefixed), a type annotation, an attribute, a
//!   `let .. else`, a pattern other than names, `mut` names, tuples and `_`;
//! - an initialiser whose temporaries a `let` may keep alive to the end of the block (`let r =
//!   &f(x);`: Rust's temporary lifetime extension), which an assignment would drop at the `;`:
//!   conservatively, any `&` that does not borrow a place.
//!
//! A kept `let` ends the run before it: names declared later may borrow what it binds, and a
//! borrower declared before its owner is dropped after it.

use super::inline::Body;
use super::parens;
use super::segments::Segments;
use super::tokens::{Sym, SymMap, SymSet, Symbols, Tok, ValueNames};
use proc_macro2::{Delimiter, Spacing, Span, TokenStream};

/// How many names one declaration introduces: a block of `n` values nests about `n / GROUP`
/// scopes, plus the `let`s kept as they are.
const GROUP: usize = 256;

/// Flattens every block in `items` (the output of one emitter).
/// `floats`: the names of values known to be floats (`analysis::scalars`): only they are
/// written where they are read ([`super::inline`]). `typed`: the names whose type is surely the
/// function's float type (`analysis::typed_floats`), and that type, which their
/// declarations state. `segment`: long runs of float assignments become nested functions
/// ([`super::segments`]), where the types allow.
pub fn flatten(
    items: TokenStream,
    floats: ValueNames,
    typed: Option<(ValueNames, &TokenStream)>,
    segment: bool,
) -> TokenStream {
    let mut symbols = Symbols::default();
    let items = symbols.read(items);
    let floats: SymSet = symbols.of_values(floats);
    let typed_names: SymSet = typed.map(|(names, _)| symbols.of_values(names)).unwrap_or_default();
    let float_type = typed.map(|(_, t)| symbols.read(t.clone()));
    let types = Types { floats: &typed_names, float: float_type.as_deref() };
    let floats = &floats;
    let import = symbols.read(super::rules_import());
    let mut names = Vec::new();
    let mut out = Vec::with_capacity(items.len());
    for tt in items {
        // A generated function's body: its numbers and values read once are written where
        // they are read.
        let body = tt.group(Delimiter::Brace).map(Body::of).unwrap_or_default();
        let mut pass = Pass { body: &body, floats, types, inlined: SymMap::default(), rules: false };
        tree(tt, u8::MAX, &mut names, &mut pass, &mut out);
        names.clear();
        // A body calling a rule (`__tapeless_rules::sin_d0`) imports them first; nested
        // functions and closures in it see the import.
        if let (Some(Tok::Group(Delimiter::Brace, _, tokens)), true) = (out.last_mut(), pass.rules) {
            tokens.splice(0..0, import.iter().cloned());
        }
    }
    let items = out;
    let segments = float_type.as_deref().filter(|_| segment);
    match segments.and_then(|float| Segments::new(&typed_names, float, &mut symbols)) {
        Some(mut segments) => {
            segments.learn(&items);
            super::tokens::write(items.into_iter().map(|tt| segments.tree(tt)).collect())
        }
        None => super::tokens::write(items),
    }
}

/// What the declarations of names may say about their types: that of the values in `floats`
/// (`analysis::typed_floats`) is `float` (`analysis::float_type`).
#[derive(Clone, Copy)]
struct Types<'a> {
    floats: &'a SymSet,
    float: Option<&'a [Tok]>,
}

/// What the pass knows and carries over one generated function.
struct Pass<'a> {
    body: &'a Body,
    floats: &'a SymSet,
    types: Types<'a>,
    /// Values read once ([`super::inline`]): the expression to write at the mention, how
    /// tightly it holds together ([`parens::strength`]), and the names it mentions.
    inlined: SymMap<(Vec<Tok>, u8, Vec<Sym>)>,
    /// Whether the body mentions the rules' alias ([`super::RULES`]).
    rules: bool,
}

/// Pushes `tt` with every block inside it flattened to `out`, and the `__` names it mentions to
/// `names`. `context`: what binds to it where it stands ([`parens::context`]), for a value
/// written in its place.
fn tree(tt: Tok, context: u8, names: &mut Vec<Sym>, pass: &mut Pass, out: &mut Vec<Tok>) {
    match tt {
        Tok::Group(delimiter, span, inner) => {
            let inner = if delimiter == Delimiter::Brace {
                block(inner, names, pass)
            } else {
                sequence(inner, names, pass)
            };
            out.push(Tok::Group(delimiter, span, inner));
        }
        Tok::Ident(i, Sym::RULES) => {
            pass.rules = true;
            out.push(Tok::Ident(i, Sym::RULES));
        }
        Tok::Ident(i, s) if s.ours() => {
            if let Some(lit) = pass.body.constants.get(&s) {
                out.push(Tok::Literal(lit.clone()));
            } else if let Some((expr, strength, mentioned)) = pass.inlined.remove(&s) {
                names.extend(mentioned);
                if parens::needed(strength, context) {
                    out.push(Tok::Group(Delimiter::Parenthesis, Span::call_site(), expr));
                } else {
                    out.extend(expr);
                }
            } else {
                names.push(s);
                out.push(Tok::Ident(i, s));
            }
        }
        other => out.push(other),
    }
}

/// The tokens of a group that is not a block, each through [`tree`].
fn sequence(tokens: Vec<Tok>, names: &mut Vec<Sym>, pass: &mut Pass) -> Vec<Tok> {
    let contexts = contexts(&tokens);
    let mut out = Vec::with_capacity(tokens.len());
    for (tt, context) in tokens.into_iter().zip(contexts) {
        tree(tt, context, names, pass, &mut out);
    }
    out
}

/// [`parens::context`] of each of our names in `tokens`; nothing else needs one.
fn contexts(tokens: &[Tok]) -> Vec<u8> {
    (0..tokens.len())
        .map(|i| match &tokens[i] {
            Tok::Ident(_, s) if s.ours() => parens::context(tokens, i),
            _ => u8::MAX,
        })
        .collect()
}

/// A name a declaration introduces, with its `mut`.
struct Declared {
    mutable: Option<Tok>,
    ident: Tok,
    name: Sym,
}

/// What a block's top-level tokens are, from one token on: a `let` the numbers pass removes, a
/// `let` statement (its first token's index in the block, and its length), or any other token.
enum Piece {
    Constant,
    Let { at: usize, len: usize },
    Token,
}

/// The content of a brace group, taken as a block's statements (a brace group that is not a
/// block, such as a struct literal or a `match` body, has no `let` at its top level).
fn block(tokens: Vec<Tok>, names: &mut Vec<Sym>, pass: &mut Pass) -> Vec<Tok> {
    // Mentions in this block outside nested blocks, for values read once.
    let shallow = super::inline::shallow(&tokens);
    let pieces = pieces(&tokens, pass.body);
    let contexts = contexts(&tokens);
    let mut out: Vec<Tok> = Vec::with_capacity(tokens.len());
    let mut run = Run { declared: Vec::new(), seen: SymSet::default(), body: Vec::new(), types: pass.types };
    let mut rest = tokens.into_iter().zip(contexts);
    for piece in pieces {
        let mut inner = Vec::new();
        match piece {
            Piece::Constant => {
                rest.by_ref().take(5).for_each(drop);
                continue;
            }
            Piece::Let { at, len } => {
                let mut stmt = Vec::with_capacity(len);
                for (tt, context) in rest.by_ref().take(len) {
                    tree(tt, context, &mut inner, pass, &mut stmt);
                }
                if let Some((name, expr)) = pass.body.inlinable(&stmt, at, &shallow, pass.floats) {
                    let expr = expr.to_vec();
                    inner.retain(|n| *n != name);
                    let strength = parens::strength(&expr);
                    pass.inlined.insert(name, (expr, strength, inner));
                    continue;
                }
                let stmt = rewrite(stmt, &inner, &mut run, &mut out);
                run.body.extend(stmt);
            }
            Piece::Token => {
                if let Some((tt, context)) = rest.next() {
                    tree(tt, context, &mut inner, pass, &mut run.body);
                }
            }
        }
        run.seen.extend(inner.iter().copied());
        names.extend(inner);
    }
    run.flush(&mut out);
    out
}

/// The pieces of a block's top-level tokens, in order.
fn pieces(tokens: &[Tok], body: &Body) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut i = 0;
    let mut at_start = true;
    while i < tokens.len() {
        if at_start && body.is_constant_let(&tokens[i..]) {
            pieces.push(Piece::Constant);
            i += 5;
        } else if let Some(end) = at_start.then(|| let_statement(tokens, i)).flatten() {
            pieces.push(Piece::Let { at: i, len: end + 1 - i });
            i = end + 1;
        } else {
            at_start = tokens[i].is_punct(';') || tokens[i].group(Delimiter::Brace).is_some();
            pieces.push(Piece::Token);
            i += 1;
        }
    }
    pieces
}

/// The statements since the last declaration: the names declared for them, the names any of
/// them mentions, and their tokens.
struct Run<'a> {
    declared: Vec<Declared>,
    seen: SymSet,
    body: Vec<Tok>,
    types: Types<'a>,
}

impl Run<'_> {
    /// Writes the declaration of the run's names and the statements it declares: the names
    /// surely of the float type (when it is known) as `let [a, mut b,]: [f64; 2];`, the rest as
    /// `let (c, d,);`. One array type in place of a tuple of `n` float types keeps the
    /// declaration's tokens, and rustc's work on them, from growing with `n`.
    fn flush(&mut self, out: &mut Vec<Tok>) {
        if !self.declared.is_empty() {
            let (mut floats, mut others) = (Vec::new(), Vec::new());
            let mut count = 0;
            for d in self.declared.drain(..) {
                let typed = self.types.float.is_some() && self.types.floats.contains(&d.name);
                let pattern = if typed { &mut floats } else { &mut others };
                count += usize::from(typed);
                pattern.extend(d.mutable);
                pattern.push(d.ident);
                pattern.push(Tok::punct(','));
            }
            if let (Some(float), false) = (self.types.float, floats.is_empty()) {
                out.extend(array_declaration(floats, float, count));
            }
            if !others.is_empty() {
                out.push(Tok::let_keyword());
                out.push(Tok::Group(Delimiter::Parenthesis, Span::call_site(), others));
                out.push(Tok::punct(';'));
            }
        }
        out.append(&mut self.body);
        self.seen.clear();
    }
}

/// `let [PATTERN]: [FLOAT; COUNT];`: the declaration of `count` names of the type `float`
/// (`pattern`: the names, each with its `mut` and a comma).
pub(super) fn array_declaration(pattern: Vec<Tok>, float: &[Tok], count: usize) -> [Tok; 5] {
    [
        Tok::let_keyword(),
        Tok::Group(Delimiter::Bracket, Span::call_site(), pattern),
        Tok::punct(':'),
        array_type(float, count),
        Tok::punct(';'),
    ]
}

/// `[FLOAT; COUNT]`.
pub(super) fn array_type(float: &[Tok], count: usize) -> Tok {
    let mut ty = float.to_vec();
    ty.extend([Tok::punct(';'), Tok::Literal(proc_macro2::Literal::usize_unsuffixed(count))]);
    Tok::Group(Delimiter::Bracket, Span::call_site(), ty)
}

/// `let PAT = EXPR;` (tokens `stmt`, mentioning `names`) as the assignment `PAT = EXPR;`, with
/// its names added to `run` (closing the run first if an earlier statement of it mentions one),
/// or the statement unchanged where the `let` must stay.
fn rewrite(stmt: Vec<Tok>, names: &[Sym], run: &mut Run, out: &mut Vec<Tok>) -> Vec<Tok> {
    // A `let` kept as it is ends the run: a name declared later must come after it, since
    // it may borrow what it binds (a pullback borrowing a value popped from a loop's stack, `let
    // Some((__v6,)) = __stack5.pop() else { break };`, is dropped after it only if declared
    // after it).
    let Some((mut declared, mut assign, eq)) = assignable(&stmt, names) else {
        run.flush(out);
        // Written out here, not into the next run, whose declarations come first.
        out.extend(stmt);
        return Vec::new();
    };
    let clash = declared.iter().any(|d| run.seen.contains(&d.name));
    if clash || run.declared.len() + declared.len() > GROUP {
        run.flush(out);
    }
    run.declared.append(&mut declared);
    assign.extend(stmt.into_iter().skip(eq));
    assign
}

/// If `let PAT = EXPR;` may be written as an assignment: the names it declares, `PAT` as an
/// assignment target and the index of its `=`.
fn assignable(stmt: &[Tok], names: &[Sym]) -> Option<(Vec<Declared>, Vec<Tok>, usize)> {
    // `let`, the pattern (one or two tokens), `=`, the initialiser, `;`.
    let eq = stmt.iter().position(|tt| tt.is_punct('='))?;
    let Tok::Punct(p) = &stmt[eq] else { return None };
    if p.spacing() != Spacing::Alone || !(2..=3).contains(&eq) {
        return None;
    }
    let init = &stmt[eq + 1..stmt.len() - 1];
    if init.is_empty() || init.iter().any(|tt| tt.is(Sym::ELSE)) || extends_temporary(init) {
        return None;
    }
    let mut declared = Vec::new();
    let target = target(&stmt[1..eq], &mut declared)?;
    if declared.is_empty() {
        return None;
    }
    // A name the pattern binds that its own statement mentions again (in the initialiser).
    let twice = |d: &Declared| names.iter().filter(|n| **n == d.name).nth(1).is_some();
    if declared.iter().any(twice) {
        return None;
    }
    Some((declared, target, eq))
}

/// A pattern as an assignment target (`mut` dropped), collecting the names it binds; `None` if
/// it is not made of names, tuples and `_`.
fn target(pattern: &[Tok], declared: &mut Vec<Declared>) -> Option<Vec<Tok>> {
    match pattern {
        [i] if i.is(Sym::UNDERSCORE) => Some(pattern.to_vec()),
        [i @ Tok::Ident(_, name)] => {
            let name = ours(*name)?;
            declared.push(Declared { mutable: None, ident: i.clone(), name });
            Some(pattern.to_vec())
        }
        [m, i @ Tok::Ident(_, name)] if m.is(Sym::MUT) => {
            let name = ours(*name)?;
            declared.push(Declared { mutable: Some(m.clone()), ident: i.clone(), name });
            Some(vec![i.clone()])
        }
        [Tok::Group(Delimiter::Parenthesis, span, tokens)] => {
            let mut inner = Vec::new();
            for element in tokens.split(|tt| tt.is_punct(',')) {
                if element.is_empty() {
                    continue; // the trailing comma
                }
                inner.extend(target(element, declared)?);
                inner.push(Tok::punct(','));
            }
            Some(vec![Tok::Group(Delimiter::Parenthesis, *span, inner)])
        }
        _ => None,
    }
}

/// The name if it is one of the emitters' (`__v3`, `__a3`, ...), never a user's.
fn ours(name: Sym) -> Option<Sym> {
    name.ours().then_some(name)
}

/// The index of the `;` ending the `let` statement at `start`, if a `let` starts there.
fn let_statement(tokens: &[Tok], start: usize) -> Option<usize> {
    if !tokens[start].is(Sym::LET) {
        return None;
    }
    tokens[start..].iter().position(|tt| tt.is_punct(';')).map(|k| start + k)
}

/// Whether `let x = init;` may keep a temporary of `init` alive to the end of the block (Rust's
/// temporary lifetime extension of `&temp` in an extending position: the operand of `&`, an
/// element of a tuple, array, struct literal or tuple-struct constructor, the tail of a block,
/// `if` or `match`), which `x = init;` would drop at the `;`. Conservative: any `&` at any depth
/// that does not borrow a place (`&x`, `&mut x.f[i]`, up to the next `,`) counts, so
/// `x.dot(&y)` and `zero_tangent(&v)` are rewritten and `f(&g(x))` is kept.
pub(super) fn extends_temporary(tokens: &[Tok]) -> bool {
    tokens.split(|tt| tt.is_punct(',')).any(|part| {
        part.iter().enumerate().any(|(k, tt)| match tt {
            Tok::Punct(p) => p.as_char() == '&' && !is_place(&part[k + 1..]),
            Tok::Group(_, _, inner) => extends_temporary(inner),
            _ => false,
        })
    })
}

/// `[mut] name(.field | [index])*`: borrowing it makes no temporary.
fn is_place(tokens: &[Tok]) -> bool {
    let tokens = match tokens {
        [m, rest @ ..] if m.is(Sym::MUT) => rest,
        _ => tokens,
    };
    let [Tok::Ident(..), rest @ ..] = tokens else { return false };
    let mut rest = rest;
    loop {
        match rest {
            [] => return true,
            [dot, Tok::Ident(..) | Tok::Literal(_), tail @ ..] if dot.is_punct('.') => rest = tail,
            [Tok::Group(Delimiter::Bracket, ..), tail @ ..] => rest = tail,
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use quote::quote;

    use super::super::tokens::ValueNames;
    use super::{GROUP, flatten};
    use crate::ir::Value;

    /// The flattened body of `fn f() { body }`, as text.
    fn body(body: proc_macro2::TokenStream) -> String {
        // Every value, tangent and adjoint counts as a float.
        let values = (0..300).map(Value).collect();
        let floats = ValueNames { values: &values, kinds: b"vta" };
        flatten(quote!(fn f() { #body }), floats, None, false).to_string()
    }

    #[test]
    fn runs_of_lets_become_one_declaration_and_assignments() {
        let got = body(quote! {
            let __v1 = 2.0;
            let mut __a1 = __v1 * 3.0;
            let (__v2, __pb2) = g_vjp(__v1);
            let (_, __v3) = (1.0, __v2);
            __a1 += 1.0;
            __v2 + __a1
        });
        let want = quote! {
            fn f() {
                let (__v1, mut __a1, __v2, __pb2, __v3,);
                __v1 = 2.0;
                __a1 = __v1 * 3.0;
                (__v2, __pb2,) = g_vjp(__v1);
                (_, __v3,) = (1.0, __v2);
                __a1 += 1.0;
                __v2 + __a1
            }
        };
        assert_eq!(got, want.to_string());
    }

    #[test]
    fn a_name_spelled_like_ours_with_more_digits_than_a_number_holds_is_not_a_value() {
        // A user's field `__v9999..` is interned like our names; picking the floats' symbols
        // must not overflow (a panic in the macro) reading its digits.
        let got = body(quote! {
            let __v1 = s.__v99999999999999999999999999;
            __v1 + __v1
        });
        assert!(got.contains("s . __v99999999999999999999999999"), "{got}");
    }

    #[test]
    fn declarations_give_float_values_their_type_when_it_is_known() {
        let values = [Value(1)].into_iter().collect();
        let floats = ValueNames { values: &values, kinds: b"va" };
        let stmts = quote! {
            let __v1 = g();
            let mut __a1 = __v1 * 3.0;
            let (__v2, __pb2) = g_vjp(__v1);
            __v2 + __a1 * __a1
        };
        let f64 = quote!(f64);
        let got = flatten(quote!(fn f() { #stmts }), floats, Some((floats, &f64)), false).to_string();
        let want = quote! {
            fn f() {
                let [__v1, mut __a1,]: [f64; 2];
                let (__v2, __pb2,);
                __v1 = g();
                __a1 = __v1 * 3.0;
                (__v2, __pb2,) = g_vjp(__v1);
                __v2 + __a1 * __a1
            }
        };
        assert_eq!(got, want.to_string());
        // None known: no annotation.
        let got = flatten(
            quote!(
                fn f() {
                    let (__v2, __pb2) = g_vjp(1.0);
                    __v2
                }
            ),
            floats,
            Some((floats, &f64)),
            false,
        );
        assert!(got.to_string().contains("let (__v2 , __pb2 ,) ;"), "{got}");
    }

    #[test]
    fn lets_whose_rewrite_could_change_their_meaning_are_kept() {
        // A rebinding reads the earlier binding; a user's name; a type; a temporary a `let`
        // keeps alive; `let .. else`; a pattern that is not names, tuples and `_`.
        let kept = [
            quote!(let __a3 = &__a3;),
            quote!(let x = 1.0;),
            quote!(let __v4: f64 = 1.0;),
            quote!(let __v5 = &f(1.0);),
            quote!(let __v6 = (&f(1.0), 2.0);),
            quote!(let __v7 = S { r: &f(1.0) };),
            quote!(let __v14 = Wrap(&f(1.0));),
            quote!(let __v15 = if c { &f(1.0) } else { &__v1 };),
            quote!(let Some(__v8) = g() else { return };),
            quote!(let [__v9, __v10] = g();),
            quote!(let ref __v11 = g();),
        ];
        for stmt in kept {
            let got = body(stmt.clone());
            assert_eq!(got, quote!(fn f() { #stmt }).to_string(), "{stmt}");
        }
        // Borrowing a place makes no temporary.
        let got =
            body(quote!(let __v12 = &__o12; let __v13 = &__o12.field[0]; let __v16 = __v13.dot(&mut __v12);));
        assert!(got.starts_with("fn f () { let (__v12 , __v13 , __v16 ,) ;"), "{got}");
    }

    #[test]
    fn numbers_read_only_by_arithmetic_are_written_in_place() {
        // `__v2` is an operand only; `__v3` is also a receiver and `__v4` an argument, where a
        // literal's type might not be inferred.
        let got = body(quote! {
            let __v2 = 0.5;
            let __v3 = 2.0;
            let __v4 = 3.0;
            let __v5 = __v1 * __v2 + __v3 - (__v2 / __v1);
            let __v6 = __v3.sqrt() + g(__v4) * __v4;
            __a1 = __a1 + (__a5 * __v2);
            __v5 + __v6
        });
        let want = quote! {
            fn f() {
                let (__v3, __v4, __v6,);
                __v3 = 2.0;
                __v4 = 3.0;
                __v6 = __v3.sqrt() + g(__v4) * __v4;
                __a1 = __a1 + (__a5 * 0.5);
                __v1 * 0.5 + __v3 - (0.5 / __v1) + __v6
            }
        };
        assert_eq!(got, want.to_string());
    }

    #[test]
    fn values_read_once_by_a_later_statement_are_written_in_place() {
        let got = body(quote! {
            let __v3 = __v1.sin() * __v2;
            let __v4 = __v3 + __v1;
            let __v5 = __v4.ln();
            let __v6 = __v1 * __v2;
            let __v7 = __v1 * __v2;
            let __v8 = __v0[__v1];
            let __v9 = g!(__v1);
            let mut __v10 = __v1;
            let __v11 = __v10 * 2.0;
            __v10 = __v2;
            for __v12 in 0..3 { __a1 = __a1 + __v6; }
            let __c = move |__ct: f64| __ct * __v7;
            let __v13 = __v1 * __v2;
            let __v14 = g(&__v13);
            let __o15 = h(__v1);
            let __v16 = __o15 + __v14;
            __v5 + __v8 + __v9 + __v11 + __v16
        });
        // `__v3` into `__v4` into `__v5` into the value; not `__v6` (read in a loop body), `__v7` (in a
        // closure), `__v8` (indexes), `__v9` (a macro), `__v11` (reads a `mut`), `__v13`
        // (borrowed), `__v14` (calls a function not of ours), `__o15` (not a float).
        assert!(
            got.ends_with("(__v1 . sin () * __v2 + __v1) . ln () + __v8 + __v9 + __v11 + (__o15 + __v14) }"),
            "{got}"
        );
        for kept in [
            "__v6 = __v1 * __v2",
            "__v7 = __v1 * __v2",
            "__v8 = __v0 [__v1]",
            "__v9 = g ! (__v1)",
            "__v11 = __v10 * 2.0",
            "__v13 = __v1 * __v2",
            "__v14 = g (& __v13)",
            "__o15 = h (__v1)",
        ] {
            assert!(got.contains(kept), "{kept}: {got}");
        }
    }

    #[test]
    fn mut_values_never_written_after_their_let_are_written_in_place() {
        let got = body(quote! {
            let mut __a6 = __v1 * __v2;
            let mut __a3 = __a6;
            let mut __a4 = __a3 * 0.5;
            let mut __a5 = __a6;
            __a5 += 1.0;
            let mut __a7 = __a6 * 2.0;
            (__a7, __a9) = (__a7 + 1.0, 2.0);
            let mut __a8 = __a6;
            g(&mut __a8);
            let mut __a10 = __a6;
            __a10.push(1.0);
            let mut __a11 = __a6;
            h!(__a11);
            let mut __a12 = __v1;
            let __v13 = __a12 * 3.0;
            let mut __a14 = __a12;
            __a4 + __a5 + __a7 + __a8 + __a10 + __a11 + __v13 + __a14
        });
        // `__a3` into `__a4` into the value (no parentheses where the parse is the same); `__a12` is
        // never written, so `__v13` and `__a14`, which read it, move too. Each other `mut` name
        // is written after its `let`: by `+=` (`__a5`), in an assigned tuple (`__a7`), borrowed
        // `&mut` (`__a8`), through a method (`__a10`) or by a macro (`__a11`), so it stays, and
        // so does what reads it.
        assert!(
            got.ends_with("__a6 * 0.5 + __a5 + __a7 + __a8 + __a10 + __a11 + __a12 * 3.0 + __a12 }"),
            "{got}"
        );
        for kept in [
            "__a5 = __a6",
            "__a7 = __a6 * 2.0",
            "__a8 = __a6",
            "__a10 = __a6",
            "__a11 = __a6",
            "__a12 = __v1",
        ] {
            assert!(got.contains(kept), "{kept}: {got}");
        }
    }

    #[test]
    fn a_name_mentioned_earlier_in_the_run_starts_a_new_declaration() {
        // `__v2` in the first statement means an outer `__v2`: declaring the second `__v2`
        // before it would capture that mention.
        let got = body(quote! {
            let __v1 = __v2 + 1.0;
            let __v2 = __v1 * __v1;
        });
        let want = quote! {
            fn f() {
                let (__v1,);
                __v1 = __v2 + 1.0;
                let (__v2,);
                __v2 = __v1 * __v1;
            }
        };
        assert_eq!(got, want.to_string());
    }

    #[test]
    fn blocks_inside_are_flattened_and_declarations_hold_at_most_group_names() {
        let lets: Vec<_> = (0..GROUP + 1).map(|i| quote::format_ident!("__v{}", i)).collect();
        let got = body(quote! {
            for __v0 in 0..3 { #(let #lets = g(1.0);)* }
            let __c = move |__ct: f64| { let __a1 = __ct; let __a2 = __a1 * __a1; __a2 * __a2 };
        });
        assert_eq!(got.matches("let (").count(), 4, "{got}");
        assert_eq!(got.matches("let ").count(), got.matches("let (").count(), "{got}");
        assert!(got.contains("let (__a1 , __a2 ,) ; __a1 = __ct ; __a2 = __a1 * __a1 ;"), "{got}");
    }
}
