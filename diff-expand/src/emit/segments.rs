//! Long straight-line runs of generated assignments as nested functions.
//!
//! rustc's work on one function body grows faster than the body: in a debug build, LLVM's time
//! on a hand-written 4 000-statement JVP was 2.5 s as one function and 0.5 s as twenty, and type
//! and borrow checking are per body too. The generated items of a long function are about six
//! times its statements, in one body each, so the last step of the flatten pass
//! ([`super::scopes`]) cuts each long run of plain float assignments in a block into nested
//! functions of [`SEGMENT`] statements, each called in place:
//!
//! ```text
//! __v6 = (__v0 * 0.999) + (__v1 * 0.001);     fn __tapeless_run0([__v0, __v1,]: [f64; 2],) -> [f64; 2] {
//! __v7 = __v6.sin();                     ->       let [__v6, __v7,]: [f64; 2];
//! ...                                             __v6 = ..; __v7 = ..; ...
//!                                                 [__v6, __v7,]
//!                                             }
//!                                             [__v6, __v7,] = __tapeless_run0([__v0, __v1,],);
//! ```
//!
//! Floats go in and out as arrays: one type `[f64; n]` instead of `n` of them keeps the tokens,
//! and rustc's work on them, from growing with the values passed (a name of another primitive
//! type is a parameter of its own, and the results are a tuple when one is not a float).
//!
//! A nested `fn` is its own body to rustc and to LLVM (a closure would not be: closures are
//! type-checked with the body around them, which made an earlier attempt slower). It cannot see
//! the locals or the generic parameters around it, so only what it can be given is cut out:
//!
//! - the function's float type is `f64` or `f32` (a generic `T` is not in scope in a nested
//!   `fn`);
//! - every statement is `NAME = EXPR;`, `NAME op= EXPR;` or `(NAME, _, ..) = EXPR;` of our names;
//!   the parameters and results are names surely of the float type
//!   (`analysis::typed_floats`) or of a primitive type a `let` states (`let __v4: usize =
//!   ..`), so they have a type to write: a name of another type (a count, `__v25 = 2;`, read by
//!   `powi`) must be written and read inside one nested function, and the runs are cut where
//!   none is live across;
//! - the expression has no block, closure, macro, `?`, lifetime, `mut` or control flow, and no
//!   word other than our names, paths (`::tapeless::__private::rules::sin_d0`), methods and
//!   fields (after `.`), primitive types (after `as`, in turbofish) and `true`/`false`: a user's
//!   name, a constant or a function called by a bare name might be a local of the body.
//!
//! The parameters are the names the run reads before it writes them; the results the names it
//! writes that are mentioned after it in the block, or that the block did not declare (a name
//! declared outside may be read after the block, or by the next iteration of a loop). Values are
//! floats, so passing them in and out copies them. Blocks shorter than [`LONG_BLOCK`] statements
//! stay as they are, so the generated code of every function of ordinary length is unchanged.
//!
//! Each nested function is `#[inline(never)]`: LLVM would inline a private function called once,
//! and optimising the one long body that gives back took most of a release build (ThinLTO, 12 of
//! 19 s at 4 000 statements; 12.4 s for the whole build after). A call per hundred statements
//! costs nothing measurable at run time (the 1 800-statement chain's `_grad`: 35.5 µs, against
//! 36.5 µs inlined).

use super::inline::{member_or_path, name};
use super::scopes::{array_declaration, array_type};
use super::tokens::{Sym, SymMap, SymSet, Symbols, Tok, punct_at};
use proc_macro2::{Delimiter, Ident, Spacing, Span};

/// Statements per nested function, about.
const SEGMENT: usize = 100;
/// A run of fewer statements stays as it is.
const SHORTEST: usize = 16;
/// Blocks of fewer statements stay as they are.
const LONG_BLOCK: usize = 200;

/// The primitive types a nested function may name: a `let` stating one gives its name a type.
const PRIMITIVES: [&str; 14] =
    ["f64", "f32", "usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128"];
/// Words an expression of a run may hold besides those, our names, paths, methods and fields.
const WORDS: [&str; 3] = ["as", "true", "false"];

/// The pass over one emitter's output.
pub(super) struct Segments<'a> {
    /// The names surely of the float type.
    typed: &'a SymSet,
    /// The float type, one identifier (`f64` or `f32`).
    float: Tok,
    /// [`PRIMITIVES`] and [`WORDS`], and the primitives alone.
    words: SymSet,
    primitives: SymSet,
    fn_keyword: Tok,
    /// `inline` and `never`, for the nested functions' attribute.
    inline: Tok,
    never: Tok,
    /// Names of other types stated in a `let` (`let __v4: usize = __v3;`), with the type.
    stated: SymMap<Tok>,
    /// How many nested functions have been made (their names' numbers).
    made: usize,
}

/// A statement a run may hold: the names it reads (in order) and writes.
struct Plain {
    reads: Vec<Sym>,
    writes: Vec<Sym>,
}

impl<'a> Segments<'a> {
    /// The pass, if the function's float type (`float`) is one a nested function can name.
    pub(super) fn new(typed: &'a SymSet, float: &[Tok], symbols: &mut Symbols) -> Option<Self> {
        let [float @ Tok::Ident(ident, _)] = float else { return None };
        if ident != "f64" && ident != "f32" {
            return None;
        }
        let primitives: SymSet = PRIMITIVES.iter().map(|w| symbols.intern(w)).collect();
        let words = WORDS.iter().chain(&PRIMITIVES).map(|w| symbols.intern(w)).collect();
        let fn_keyword = Tok::Ident(Ident::new("fn", Span::call_site()), symbols.intern("fn"));
        let stated = SymMap::default();
        let inline = Tok::Ident(Ident::new("inline", Span::call_site()), symbols.intern("inline"));
        let never = Tok::Ident(Ident::new("never", Span::call_site()), symbols.intern("never"));
        let float = float.clone();
        Some(Segments { typed, float, words, primitives, fn_keyword, inline, never, stated, made: 0 })
    }

    /// The type of `name` if a nested function can write it: the float type for the names
    /// surely of it, or a primitive type a `let` states.
    fn type_of(&self, name: &Sym) -> Option<Tok> {
        if self.typed.contains(name) { Some(self.float.clone()) } else { self.stated.get(name).cloned() }
    }

    /// Learns the names whose `let` in `tokens` (at any depth) states a primitive type.
    pub(super) fn learn(&mut self, tokens: &[Tok]) {
        for (k, tt) in tokens.iter().enumerate() {
            match (tt, tokens.get(k + 1..k + 5)) {
                (Tok::Group(_, _, inner), _) => self.learn(inner),
                (let_, Some([Tok::Ident(_, name), colon, ty @ Tok::Ident(_, word), eq]))
                    if let_.is(Sym::LET)
                        && name.ours()
                        && colon.is_punct(':')
                        && eq.is_punct('=')
                        && self.primitives.contains(word) =>
                {
                    self.stated.insert(*name, ty.clone());
                }
                _ => {}
            }
        }
    }

    /// `tt` with the long runs of every block inside it cut out.
    pub(super) fn tree(&mut self, tt: Tok) -> Tok {
        match tt {
            Tok::Group(delimiter, span, inner) => {
                let inner: Vec<Tok> = inner.into_iter().map(|tt| self.tree(tt)).collect();
                let inner = if delimiter == Delimiter::Brace { self.block(inner) } else { inner };
                Tok::Group(delimiter, span, inner)
            }
            other => other,
        }
    }

    /// A brace group's tokens, taken as a block's statements, with its long runs cut out.
    fn block(&mut self, tokens: Vec<Tok>) -> Vec<Tok> {
        let lengths = statements(&tokens);
        if lengths.len() < LONG_BLOCK {
            return tokens;
        }
        let mut plain = Vec::with_capacity(lengths.len());
        // The last statement mentioning each name, and the names this block declares.
        let mut last: SymMap<usize> = SymMap::default();
        let mut declared: SymMap<usize> = SymMap::default();
        let mut at = 0;
        for (k, len) in lengths.iter().enumerate() {
            let stmt = &tokens[at..at + len];
            plain.push(self.plain(stmt));
            mentions(stmt, &mut |name, _| {
                last.insert(name, k);
            });
            if stmt[0].is(Sym::LET) {
                let end = stmt.iter().position(|tt| tt.is_punct('=') || tt.is_punct(':') || tt.is_punct(';'));
                mentions(&stmt[1..end.unwrap_or(stmt.len())], &mut |name, _| {
                    *declared.entry(name).or_insert(0) += 1;
                });
            }
            at += len;
        }
        // Whether `name`, written before statement `end`, may be read at or after it: it is
        // mentioned there, or not declared once in this block (so perhaps read after it, or by
        // the next iteration of a loop around it).
        let live_after = |name: &Sym, end: usize| {
            declared.get(name) != Some(&1) || last.get(name).is_some_and(|l| *l >= end)
        };
        let cuts = self.cuts(&plain, &live_after);
        if cuts.is_empty() {
            return tokens;
        }
        let mut out = Vec::with_capacity(tokens.len() + 64 * cuts.len());
        let mut rest = tokens.into_iter();
        let mut k = 0;
        let mut moved = SymSet::default();
        for (start, end) in cuts {
            for len in &lengths[k..start] {
                out.extend(rest.by_ref().take(*len));
            }
            let body: Vec<Tok> = rest.by_ref().take(lengths[start..end].iter().sum()).collect();
            self.cut(body, &plain[start..end], |name| live_after(name, end), &mut out, &mut moved);
            k = end;
        }
        for len in &lengths[k..] {
            out.extend(rest.by_ref().take(*len));
        }
        undeclare(out, &moved)
    }

    /// The runs to cut out of a block (first statement, end), from what its statements read and
    /// write. A run is consecutive statements a nested function may hold whose names not surely
    /// floats are written in the run before they are read (a count, `__v25 = 2;` read by
    /// `powi`). Such a name cannot be a parameter or a result, so a run is cut only where none
    /// is written before the cut and mentioned after it; the parts hold about [`SEGMENT`]
    /// statements, at least [`SHORTEST`].
    fn cuts(
        &self,
        plain: &[Option<Plain>],
        live_after: &impl Fn(&Sym, usize) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut cuts = Vec::new();
        let mut k = 0;
        while k < plain.len() {
            // The run from `start`, and the places it may be cut.
            let start = k;
            let mut untyped = SymSet::default();
            let mut valid = vec![start];
            let mut pending: Vec<Sym> = Vec::new();
            while let Some(Some(stmt)) = plain.get(k) {
                if stmt.reads.iter().any(|n| self.type_of(n).is_none() && !untyped.contains(n)) {
                    break;
                }
                for n in stmt.writes.iter().filter(|n| self.type_of(n).is_none()) {
                    untyped.insert(*n);
                    pending.push(*n);
                }
                k += 1;
                pending.retain(|n| live_after(n, k));
                if pending.is_empty() {
                    valid.push(k);
                }
            }
            // Parts of about `SEGMENT` statements between places it may be cut.
            let mut from = 0;
            while from + 1 < valid.len() {
                let limit = valid[from] + SEGMENT;
                let to = match valid[from + 1..].iter().rposition(|p| *p <= limit) {
                    Some(i) => from + 1 + i,
                    None => from + 1,
                };
                if valid[to] - valid[from] >= SHORTEST {
                    cuts.push((valid[from], valid[to]));
                }
                from = to;
            }
            k += 1;
        }
        cuts
    }

    /// Writes the statements `body` (`stmts` says what each reads and writes) as a nested
    /// function and its call, to `out`; adds the names that are now the nested function's own
    /// to `moved`.
    fn cut(
        &mut self,
        body: Vec<Tok>,
        stmts: &[Option<Plain>],
        live_after: impl Fn(&Sym) -> bool,
        out: &mut Vec<Tok>,
        moved: &mut SymSet,
    ) {
        let mut idents: SymMap<Tok> = SymMap::default();
        mentions(&body, &mut |name, tok| {
            idents.entry(name).or_insert_with(|| tok.clone());
        });
        let mut inputs: Vec<Sym> = Vec::new();
        let mut written: SymMap<usize> = SymMap::default();
        let mut order: Vec<Sym> = Vec::new();
        let mut input_set = SymSet::default();
        for stmt in stmts.iter().flatten() {
            for name in &stmt.reads {
                if !written.contains_key(name) && input_set.insert(*name) {
                    inputs.push(*name);
                }
            }
            for name in &stmt.writes {
                let count = written.entry(*name).or_insert(0);
                if *count == 0 {
                    order.push(*name);
                }
                *count += 1;
            }
        }
        // Every name has a token to spell it by (the statements' names are mentions); kept as
        // written otherwise.
        if !inputs.iter().chain(&order).all(|n| idents.contains_key(n)) {
            out.extend(body);
            return;
        }
        let outputs: Vec<Sym> = order.iter().copied().filter(|n| live_after(n)).collect();
        let locals: Vec<Sym> = order.iter().copied().filter(|n| !input_set.contains(n)).collect();
        moved.extend(locals.iter().filter(|n| !live_after(n)));
        let name = Tok::Ident(
            Ident::new(&format!("__tapeless_run{}", self.made), Span::mixed_site()),
            Sym::UNDERSCORE, // never read again: this pass is the last
        );
        self.made += 1;
        let ident = |n: &Sym| idents.get(n).cloned().unwrap_or_else(Tok::underscore);
        let mutable = || Tok::Ident(Ident::new("mut", Span::call_site()), Sym::MUT);
        let comma = || Tok::punct(',');
        let paren = |tokens: Vec<Tok>| Tok::Group(Delimiter::Parenthesis, Span::call_site(), tokens);
        let bracket = |tokens: Vec<Tok>| Tok::Group(Delimiter::Bracket, Span::call_site(), tokens);
        let float = std::slice::from_ref(&self.float);
        // `[mut a, b,]`, or `(mut a, b,)`: names with the `mut` of those written more than once
        // (`written` counts), or of the inputs written at all.
        let pattern = |names: &[&Sym], input: bool| {
            let mut pattern = Vec::with_capacity(3 * names.len());
            for n in names {
                let count = written.get(n).copied().unwrap_or(0);
                if count > usize::from(!input) {
                    pattern.push(mutable());
                }
                pattern.extend([ident(n), comma()]);
            }
            pattern
        };
        // `a, b,` and `(f64, usize,)`.
        let list = |names: &[&Sym]| names.iter().flat_map(|n| [ident(n), comma()]).collect::<Vec<_>>();
        let types = |names: &[&Sym]| {
            paren(
                names
                    .iter()
                    .flat_map(|n| [self.type_of(n).unwrap_or_else(Tok::underscore), comma()])
                    .collect(),
            )
        };
        // The float inputs as one array, the others (of the primitive types a `let` states) one
        // by one: fn NAME([mut a, b,]: [f64; 2], k: usize,)
        let (float_inputs, other_inputs): (Vec<&Sym>, Vec<&Sym>) =
            inputs.iter().partition(|n| self.typed.contains(n));
        let mut params = Vec::with_capacity(5 + 4 * other_inputs.len());
        let mut args = Vec::with_capacity(2 + 2 * other_inputs.len());
        if !float_inputs.is_empty() {
            params.extend([bracket(pattern(&float_inputs, true)), Tok::punct(':')]);
            params.extend([array_type(float, float_inputs.len()), comma()]);
            args.extend([bracket(list(&float_inputs)), comma()]);
        }
        for n in &other_inputs {
            if written.contains_key(n) {
                params.push(mutable());
            }
            let ty = self.type_of(n).unwrap_or_else(Tok::underscore);
            params.extend([ident(n), Tok::punct(':'), ty, comma()]);
            args.extend([ident(n), comma()]);
        }
        // The locals: `let [l, mut m,]: [f64; 2]; let (mut k,): (usize,);`.
        let (float_locals, other_locals): (Vec<&Sym>, Vec<&Sym>) =
            locals.iter().partition(|n| self.typed.contains(n));
        let mut inner = Vec::with_capacity(body.len() + 12 + 2 * outputs.len());
        if !float_locals.is_empty() {
            inner.extend(array_declaration(pattern(&float_locals, false), float, float_locals.len()));
        }
        if !other_locals.is_empty() {
            inner.extend([Tok::let_keyword(), paren(pattern(&other_locals, false)), Tok::punct(':')]);
            inner.extend([types(&other_locals), Tok::punct(';')]);
        }
        inner.extend(body);
        // The results: `[o, p,]` of type `[f64; 2]` when all are floats, a tuple otherwise.
        let outputs: Vec<&Sym> = outputs.iter().collect();
        let floats_only = !outputs.is_empty() && outputs.iter().all(|n| self.typed.contains(n));
        let (results, result_type) = if floats_only {
            (bracket(list(&outputs)), array_type(float, outputs.len()))
        } else {
            (paren(list(&outputs)), types(&outputs))
        };
        inner.push(results.clone());
        // `#[inline(never)]`: each nested function is optimised as a unit of its own.
        let never = Tok::Group(Delimiter::Parenthesis, Span::call_site(), vec![self.never.clone()]);
        let attribute = Tok::Group(Delimiter::Bracket, Span::call_site(), vec![self.inline.clone(), never]);
        out.extend([Tok::punct('#'), attribute]);
        out.extend([self.fn_keyword.clone(), name.clone(), paren(params), arrow('-'), arrow('>')]);
        out.extend([result_type, Tok::Group(Delimiter::Brace, Span::call_site(), inner)]);
        // [o, ..,] = NAME([a, b,], k,);
        if !outputs.is_empty() {
            out.extend([results, Tok::punct('=')]);
        }
        out.extend([name, paren(args), Tok::punct(';')]);
    }

    /// What the statement `stmt` reads and writes, if a run may hold it.
    fn plain(&self, stmt: &[Tok]) -> Option<Plain> {
        let (last, stmt) = stmt.split_last()?;
        if !last.is_punct(';') {
            return None;
        }
        let ours = |tt: &Tok| tt.sym().filter(|s| s.ours());
        let alone = |tt: &Tok, c: char| matches!(tt, Tok::Punct(p) if p.as_char() == c && p.spacing() == Spacing::Alone);
        let mut reads = Vec::new();
        let (writes, rhs, compound) = match stmt {
            [target, eq, rhs @ ..] if alone(eq, '=') => {
                let writes = match target {
                    Tok::Group(Delimiter::Parenthesis, _, elements) => {
                        let mut writes = Vec::new();
                        for element in elements.split(|tt| tt.is_punct(',')) {
                            match element {
                                [] => {}
                                [u] if u.is(Sym::UNDERSCORE) => {}
                                [n] => writes.push(ours(n)?),
                                _ => return None,
                            }
                        }
                        writes
                    }
                    n => vec![ours(n)?],
                };
                (writes, rhs, false)
            }
            [n, Tok::Punct(op), eq, rhs @ ..]
                if matches!(op.as_char(), '+' | '-' | '*' | '/')
                    && op.spacing() == Spacing::Joint
                    && alone(eq, '=') =>
            {
                (vec![ours(n)?], rhs, true)
            }
            _ => return None,
        };
        if rhs.is_empty() || !self.expression(rhs, &mut reads) {
            return None;
        }
        if compound {
            reads.extend(&writes);
        }
        Some(Plain { reads, writes })
    }

    /// Whether a run may hold the expression `tokens`; pushes the names it reads to `reads`.
    fn expression(&self, tokens: &[Tok], reads: &mut Vec<Sym>) -> bool {
        for (k, tt) in tokens.iter().enumerate() {
            match tt {
                Tok::Group(Delimiter::Brace, ..) => return false,
                Tok::Group(_, _, inner) => {
                    if !self.expression(inner, reads) {
                        return false;
                    }
                }
                Tok::Punct(p) => match p.as_char() {
                    '?' | '|' | '#' | '$' | '@' | '\'' | ';' => return false,
                    // A macro's `!` (not `!=`).
                    '!' if k > 0
                        && matches!(tokens[k - 1], Tok::Ident(..))
                        && !punct_at(tokens.get(k + 1), '=') =>
                    {
                        return false;
                    }
                    _ => {}
                },
                Tok::Literal(_) => {}
                Tok::Ident(_, sym) => {
                    if member_or_path(tokens, k) || self.words.contains(sym) {
                        continue;
                    }
                    if !sym.ours() {
                        return false;
                    }
                    reads.push(*sym);
                }
            }
        }
        true
    }
}

/// `tokens` (a block's) with the names in `moved` taken out of the declarations the flatten
/// pass wrote (`let [__v3, mut __a3,]: [f64; 2];`, `let (__pb4,);`): they are assigned only
/// inside a nested function now, and a declaration that nothing assigns is rustc's E0282 (of
/// type `_`) or a warning.
fn undeclare(tokens: Vec<Tok>, moved: &SymSet) -> Vec<Tok> {
    if moved.is_empty() {
        return tokens;
    }
    let mut out = Vec::with_capacity(tokens.len());
    let mut rest = tokens.into_iter().peekable();
    while let Some(tt) = rest.next() {
        let delimiter = match rest.peek() {
            Some(Tok::Group(d @ (Delimiter::Parenthesis | Delimiter::Bracket), ..)) if tt.is(Sym::LET) => *d,
            _ => {
                out.push(tt);
                continue;
            }
        };
        let Some(Tok::Group(_, span, pattern)) = rest.next() else { continue };
        let elements: Vec<&[Tok]> = pattern.split(|t| t.is_punct(',')).filter(|e| !e.is_empty()).collect();
        let keep: Vec<bool> = elements
            .iter()
            .map(|e| !e.last().and_then(Tok::sym).is_some_and(|n| moved.contains(&n)))
            .collect();
        let types = if punct_at(rest.peek(), ':') {
            rest.next();
            match rest.next() {
                Some(Tok::Group(_, _, types)) => Some(types),
                _ => None,
            }
        } else {
            None
        };
        let kept = |parts: Vec<&[Tok]>| -> Vec<Tok> {
            parts
                .into_iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .flat_map(|(e, _)| e.iter().cloned().chain([Tok::punct(',')]))
                .collect()
        };
        let count = keep.iter().filter(|k| **k).count();
        if count == 0 {
            rest.next(); // the `;`
            continue;
        }
        out.extend([Tok::let_keyword(), Tok::Group(delimiter, span, kept(elements))]);
        match (types, delimiter) {
            // `[FLOAT; N]`: the element type is what comes before the `;`.
            (Some(types), Delimiter::Bracket) => {
                let float = types.split(|t| t.is_punct(';')).next().unwrap_or_default();
                out.extend([Tok::punct(':'), array_type(float, count)]);
            }
            (Some(types), _) => {
                let parts: Vec<&[Tok]> = types.split(|t| t.is_punct(',')).filter(|e| !e.is_empty()).collect();
                out.extend([
                    Tok::punct(':'),
                    Tok::Group(Delimiter::Parenthesis, Span::call_site(), kept(parts)),
                ]);
            }
            (None, _) => {}
        }
    }
    out
}

/// `-` or `>` joined to what follows (for `->`).
fn arrow(c: char) -> Tok {
    let spacing = if c == '-' { Spacing::Joint } else { Spacing::Alone };
    Tok::Punct(proc_macro2::Punct::new(c, spacing))
}

/// The lengths of the statements of a block's tokens, in order: each up to and with its `;`,
/// the last possibly without one (the block's value). A statement ending in a block (`for .. {
/// .. }`) runs on to the next `;`, which only makes it longer than it is.
fn statements(tokens: &[Tok]) -> Vec<usize> {
    let mut lengths = Vec::new();
    let mut start = 0;
    for (k, tt) in tokens.iter().enumerate() {
        if tt.is_punct(';') {
            lengths.push(k + 1 - start);
            start = k + 1;
        }
    }
    if start < tokens.len() {
        lengths.push(tokens.len() - start);
    }
    lengths
}

/// Calls `f` with every one of our names `tokens` mentions, at any depth (as [`name`] counts
/// them: not path segments), and its token.
fn mentions(tokens: &[Tok], f: &mut impl FnMut(Sym, &Tok)) {
    for (k, tt) in tokens.iter().enumerate() {
        match tt {
            Tok::Group(_, _, inner) => mentions(inner, f),
            Tok::Ident(_, sym) if name(tokens, k) => f(*sym, tt),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::TokenStream;
    use quote::{format_ident, quote};

    use super::super::scopes::flatten;

    /// `fn f(__v0: f64) { stmts tail }` through the flatten pass with cutting on: every `__v`
    /// and `__a` name below 600 is surely an `f64`.
    fn cut(stmts: TokenStream, tail: TokenStream) -> String {
        let values = (0..600).map(crate::ir::Value).collect();
        let floats = super::super::tokens::ValueNames { values: &values, kinds: b"va" };
        let f64 = quote!(f64);
        flatten(quote!(fn f(__v0: f64) { #stmts #tail }), floats, Some((floats, &f64)), true).to_string()
    }

    /// `let __vK = (__vJ * __vJ).sin();` for K in `range`, J = K - 1: each value read twice, so
    /// none is written where it is read.
    fn chain(range: std::ops::Range<usize>) -> TokenStream {
        range
            .map(|k| {
                let (v, prev) = (format_ident!("__v{}", k), format_ident!("__v{}", k - 1));
                quote!(let #v = (#prev * #prev).sin();)
            })
            .collect()
    }

    #[test]
    fn a_long_run_becomes_nested_functions_called_in_place() {
        let got = cut(chain(1..251), quote!(__v250 + __v0));
        assert_eq!(got.matches("fn __tapeless_run").count(), 3, "{got}");
        // Each reads what the one before wrote, and gives back what is read after it.
        for (k, (input, output)) in
            [("__v0", "__v100"), ("__v100", "__v200"), ("__v200", "__v249")].iter().enumerate()
        {
            let head = format!("fn __tapeless_run{k} ([{input} ,] : [f64 ; 1] ,) -> [f64 ; 1]");
            assert!(got.contains(&head), "{head}: {got}");
            let call = format!("[{output} ,] = __tapeless_run{k} ([{input} ,] ,) ;");
            assert!(got.contains(&call), "{call}: {got}");
        }
        // Only the results stay declared in the function; the rest are the nested functions'.
        // (`__v250`, read once, is written where it is read.)
        assert!(
            got.starts_with("fn f (__v0 : f64) { let [__v100 , __v200 , __v249 ,] : [f64 ; 3] ;"),
            "{got}"
        );
        assert!(got.contains("{ let [__v101 , __v102 ,"), "{got}");
        assert!(got.ends_with("(__v249 * __v249) . sin () + __v0 }"), "{got}");
    }

    #[test]
    fn short_blocks_are_left_as_they_are() {
        let got = cut(chain(1..150), quote!(__v149));
        assert!(!got.contains("fn __tapeless_run"), "{got}");
    }

    #[test]
    fn statements_a_nested_function_could_not_hold_end_a_run() {
        // A user's function, a macro, a closure, a user's name, a block, a name of unknown type
        // (`__o7`, written outside the run), `&mut`: each ends the run before it.
        for barrier in [
            quote!(let __v120 = g(__v119, __v119);),
            quote!(let __v120 = m!(__v119, __v119);),
            quote!(let __v120 = (|| __v119 * __v119)();),
            quote!(let __v120 = __v119 + x * __v119;),
            quote!(let __v120 = { __v119 * __v119 };),
            quote!(let __v120 = __v119 * __o7 * __v119;),
            quote!(let __v120 = h(&mut __v119, __v119);),
        ] {
            let (before, after) = (chain(1..120), chain(121..250));
            let got = cut(quote!(let __o7 = w(); #before #barrier #after), quote!(__v249 + __v120));
            // Two runs, of 119 and 129 statements, each in two parts.
            assert_eq!(got.matches("fn __tapeless_run").count(), 4, "{barrier}: {got}");
            let kept = barrier.to_string().replace("let ", "");
            assert!(got.contains(&format!("; {kept}")), "{barrier}: {got}");
        }
    }

    #[test]
    fn a_name_of_another_type_stays_inside_one_nested_function() {
        // `__i5` (no float) is written and read by neighbouring statements: never a parameter
        // or a result, and its declaration moves into the nested function.
        let mut stmts = chain(1..120);
        stmts.extend(quote!(let __i5 = 2; let __v120 = __v119.powi(__i5) + __v119;));
        stmts.extend(chain(121..250));
        let got = cut(stmts, quote!(__v249));
        assert!(got.matches("fn __tapeless_run").count() >= 2, "{got}");
        assert!(!got.contains("__i5 : f64") && !got.contains("__i5 ,) ="), "{got}");
        assert!(got.contains("__i5 = 2 ; __v120 = __v119 . powi (__i5) + __v119 ;"), "{got}");
        let outer = got.split("fn __tapeless_run").next().unwrap_or_default();
        assert!(!outer.contains("__i5"), "{got}");
        // Read later, it cannot be cut out: it stays in the function, and so does its reader.
        let mut stmts = chain(1..120);
        stmts.extend(quote!(let __i5 = 2;));
        stmts.extend(chain(121..250));
        let got = cut(stmts, quote!(__v249.powi(__i5)));
        assert_eq!(got.matches("fn __tapeless_run").count(), 2, "{got}");
        assert!(got.contains("__tapeless_run1 ([__v100 ,] ,) ; __i5 = 2 ;"), "{got}");
    }

    #[test]
    fn names_declared_outside_a_loop_body_are_results() {
        // `__a1` is declared before the loop and written in its body: the next iteration reads
        // it, so each nested function that writes it gives it back.
        let body: TokenStream = (0..250usize)
            .map(|k| {
                let v = format_ident!("__v{}", k + 2);
                quote!(let #v = __a1 * __a1; __a1 = (#v * #v).cos();)
            })
            .collect();
        let got = cut(quote!(let mut __a1 = __v0; for __i in 0..3 { #body }), quote!(__a1));
        let runs = got.matches("fn __tapeless_run").count();
        assert!(runs >= 5, "{got}");
        assert_eq!(got.matches("[__a1 ,] = __tapeless_run").count(), runs, "{got}");
        assert!(got.contains("([mut __a1 ,] : [f64 ; 1] ,)"), "{got}");
    }
}
