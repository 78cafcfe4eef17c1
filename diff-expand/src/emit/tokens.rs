//! Generated tokens, read once into a tree the passes own.
//!
//! Inside rustc, a `proc_macro2` token is a handle into the compiler: listing a group's tokens,
//! building a group and spelling an identifier each cross the proc-macro bridge, and comparing
//! an identifier with a string spells it anew. The passes over the emitters' output
//! ([`super::scopes`], [`super::inline`]) walk every group several times, so they first read the
//! output into [`Tok`]s (each group listed once, each identifier spelled once) and write it back
//! once at the end. Identifiers are interned as [`Sym`]s, so the passes' sets and maps hash
//! a number, not a string: a debug build of the macro (cargo's default for proc macros) runs
//! them several times faster than over strings.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

use proc_macro2::{Delimiter, Group, Ident, Literal, Punct, Spacing, Span, TokenStream, TokenTree};

/// A token tree whose groups are plain vectors and whose identifiers are interned.
#[derive(Clone)]
pub enum Tok {
    /// An identifier and its symbol.
    Ident(Ident, Sym),
    Punct(Punct),
    Literal(Literal),
    /// A delimited group: its delimiter, its span and its tokens.
    Group(Delimiter, Span, Vec<Tok>),
}

/// An interned identifier. Its spelling's kind is in the low bits, so asking whether it is one
/// of the emitters' names needs no table.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug)]
pub struct Sym(u32);

/// Spelled `__..`: a name of the emitters' (`__v3`, `__a3`, `__pb4`), never a user's.
const OURS: u32 = 1;
/// Spelled `__v..`: a primal value.
const VALUE: u32 = 2;
const KINDS: u32 = 2;

impl Sym {
    pub const LET: Sym = Sym(0);
    pub const MUT: Sym = Sym(1 << KINDS);
    pub const ELSE: Sym = Sym(2 << KINDS);
    pub const UNDERSCORE: Sym = Sym(3 << KINDS);
    const KEYWORDS: [&'static str; 4] = ["let", "mut", "else", "_"];

    /// One of the emitters' names (spelled `__..`).
    pub fn ours(self) -> bool {
        self.0 & OURS != 0
    }

    /// A primal value's name (spelled `__v..`).
    pub fn value(self) -> bool {
        self.0 & VALUE != 0
    }
}

/// Sets and maps keyed by [`Sym`]s, hashed by one multiplication.
pub type SymSet = HashSet<Sym, BuildHasherDefault<SymHasher>>;
pub type SymMap<V> = HashMap<Sym, V, BuildHasherDefault<SymHasher>>;

/// Hashes the integer written to it (a [`Sym`]) by a multiplication (whose high bits depend on
/// all of the integer's), turned so that the table's bucket index comes from those bits; a
/// short string (a spelling, for the interner) by one multiplication per eight bytes.
#[derive(Default)]
pub struct SymHasher(u64);

impl Hasher for SymHasher {
    fn finish(&self) -> u64 {
        self.0.rotate_left(26)
    }

    fn write(&mut self, bytes: &[u8]) {
        // Eight bytes at a time: most names fit in one word.
        for chunk in bytes.chunks(8) {
            let mut word = [0; 8];
            word[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(word));
        }
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(8) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The interner of one pass: spellings to symbols.
pub struct Symbols {
    ids: HashMap<String, Sym, BuildHasherDefault<SymHasher>>,
}

impl Default for Symbols {
    fn default() -> Self {
        let mut symbols = Symbols { ids: HashMap::default() };
        for keyword in Sym::KEYWORDS {
            symbols.intern(keyword);
        }
        symbols
    }
}

impl Symbols {
    /// The symbol of `name`, made if it is new.
    pub fn intern(&mut self, name: &str) -> Sym {
        if let Some(&sym) = self.ids.get(name) {
            return sym;
        }
        let mut kind = 0;
        if name.starts_with("__") {
            kind |= OURS;
        }
        if name.starts_with("__v") {
            kind |= VALUE;
        }
        let sym = Sym(((self.ids.len() as u32) << KINDS) | kind);
        self.ids.insert(name.to_string(), sym);
        sym
    }

    /// The symbols read so far that are the emitted names of `names`' values.
    pub fn of_values(&self, names: ValueNames) -> SymSet {
        // The values as a dense set, indexed by number.
        let mut values = vec![false; names.values.iter().map(|v| v.0 as usize + 1).max().unwrap_or(0)];
        for v in names.values {
            values[v.0 as usize] = true;
        }
        // A user's identifier may be spelled `__v` and more digits than a number holds.
        let number = |digits: &[u8]| {
            let all = !digits.is_empty() && digits.iter().all(u8::is_ascii_digit);
            all.then(|| {
                digits.iter().try_fold(0usize, |n, d| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))
            })
            .flatten()
        };
        self.ids
            .iter()
            .filter(|(name, sym)| {
                let name = name.as_bytes();
                sym.ours()
                    && name.len() > 3
                    && names.kinds.contains(&name[2])
                    && number(&name[3..]).is_some_and(|n| values.get(n) == Some(&true))
            })
            .map(|(_, sym)| *sym)
            .collect()
    }

    /// Reads `stream` (each group listed once, each identifier spelled once).
    pub fn read(&mut self, stream: TokenStream) -> Vec<Tok> {
        stream
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) => {
                    let sym = self.intern(&i.to_string());
                    Tok::Ident(i, sym)
                }
                TokenTree::Punct(p) => Tok::Punct(p),
                TokenTree::Literal(l) => Tok::Literal(l),
                TokenTree::Group(g) => Tok::Group(g.delimiter(), g.span(), self.read(g.stream())),
            })
            .collect()
    }
}

/// The names the emitters give some values: `__v3` (the value), `__t3` (its tangent) or `__a3`
/// (its adjoint), for every value in `values` and each of `kinds` (`b"vta"` for all three).
/// Passes take values rather than spelled names: spelling and hashing three names per value
/// cost a 4 000-statement function's expansion a tenth of a second in a debug build.
#[derive(Clone, Copy)]
pub struct ValueNames<'a> {
    pub values: &'a HashSet<crate::ir::Value>,
    pub kinds: &'a [u8],
}

/// Writes `tokens` back as a token stream.
pub fn write(tokens: Vec<Tok>) -> TokenStream {
    tokens.into_iter().map(Tok::into_tree).collect()
}

impl Tok {
    fn into_tree(self) -> TokenTree {
        match self {
            Tok::Ident(i, _) => TokenTree::Ident(i),
            Tok::Punct(p) => TokenTree::Punct(p),
            Tok::Literal(l) => TokenTree::Literal(l),
            Tok::Group(delimiter, span, tokens) => {
                let mut group = Group::new(delimiter, write(tokens));
                group.set_span(span);
                TokenTree::Group(group)
            }
        }
    }

    /// `let` (at the call site).
    pub fn let_keyword() -> Tok {
        Tok::Ident(Ident::new("let", Span::call_site()), Sym::LET)
    }

    /// `_` (at the call site).
    pub fn underscore() -> Tok {
        Tok::Ident(Ident::new("_", Span::call_site()), Sym::UNDERSCORE)
    }

    /// A new punctuation character standing alone.
    pub fn punct(c: char) -> Tok {
        Tok::Punct(Punct::new(c, Spacing::Alone))
    }

    /// The identifier's symbol, if this is one.
    pub fn sym(&self) -> Option<Sym> {
        match self {
            Tok::Ident(_, sym) => Some(*sym),
            _ => None,
        }
    }

    pub fn is(&self, sym: Sym) -> bool {
        self.sym() == Some(sym)
    }

    pub fn is_punct(&self, c: char) -> bool {
        matches!(self, Tok::Punct(p) if p.as_char() == c)
    }

    /// The group's tokens, if this is a group delimited by `delimiter`.
    pub fn group(&self, delimiter: Delimiter) -> Option<&[Tok]> {
        match self {
            Tok::Group(d, _, tokens) if *d == delimiter => Some(tokens),
            _ => None,
        }
    }
}

/// Whether `tok` (if any) is the punctuation character `c`.
pub fn punct_at(tok: Option<&Tok>, c: char) -> bool {
    tok.is_some_and(|t| t.is_punct(c))
}
