//! Generated tokens, read once into a tree the passes own.
//!
//! Inside rustc, a `proc_macro2` token is a handle into the compiler: listing a group's tokens,
//! building a group and spelling an identifier each cross the proc-macro bridge, and comparing
//! an identifier with a string spells it anew. The passes over the emitters' output
//! ([`super::scopes`], [`super::inline`]) walk every group several times, so they first read the
//! output into [`Tok`]s (each group listed once, each identifier spelled once) and write it back
//! once at the end. Identifiers are interned as [`Sym`]s, numbered densely as they are read,
//! so the passes' sets and maps ([`SymSet`], [`SymMap`]) index a vector by that number instead
//! of hashing a string: a debug build of the macro (cargo's default for proc macros) runs them
//! several times faster than over strings, and faster than over hash tables of numbers.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
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
    /// The alias of the runtime's rules a generated body imports ([`super::RULES`]).
    pub const RULES: Sym = Sym((4 << KINDS) | OURS);
    const KEYWORDS: [&'static str; 5] = ["let", "mut", "else", "_", super::RULES];

    /// One of the emitters' names (spelled `__..`).
    pub fn ours(self) -> bool {
        self.0 & OURS != 0
    }

    /// A primal value's name (spelled `__v..`).
    pub fn value(self) -> bool {
        self.0 & VALUE != 0
    }

    /// Its number among the symbols read, from 0.
    fn index(self) -> usize {
        (self.0 >> KINDS) as usize
    }

    /// The word and bit of [`SymSet`] that hold it.
    fn bit(self) -> (usize, u64) {
        (self.index() / 64, 1 << (self.index() % 64))
    }
}

/// A set of symbols: one bit per symbol. Symbols are numbered densely as they are read, so a
/// lookup is an index, not a hash: in a debug build of the macro (cargo's default for proc
/// macros) a hash table's probe is a dozen calls that are never inlined, and the passes look up
/// every name they meet.
#[derive(Default, Clone)]
pub struct SymSet {
    bits: Vec<u64>,
    len: usize,
}

impl SymSet {
    /// Adds `sym`; whether it was new.
    pub fn insert(&mut self, sym: Sym) -> bool {
        let (word, bit) = sym.bit();
        if word >= self.bits.len() {
            self.bits.resize(word + 1, 0);
        }
        let new = self.bits[word] & bit == 0;
        self.bits[word] |= bit;
        self.len += usize::from(new);
        new
    }

    pub fn contains(&self, sym: &Sym) -> bool {
        let (word, bit) = sym.bit();
        self.bits.get(word).is_some_and(|w| w & bit != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn clear(&mut self) {
        self.bits.clear();
        self.len = 0;
    }

    /// Adds the symbols in both `a` and `b`.
    pub fn insert_both(&mut self, a: &SymSet, b: &SymSet) {
        let words = a.bits.len().min(b.bits.len());
        if words > self.bits.len() {
            self.bits.resize(words, 0);
        }
        for (word, (a, b)) in self.bits.iter_mut().zip(a.bits.iter().zip(&b.bits)) {
            *word |= a & b;
        }
        self.len = self.bits.iter().map(|w| w.count_ones() as usize).sum();
    }
}

impl Extend<Sym> for SymSet {
    fn extend<I: IntoIterator<Item = Sym>>(&mut self, syms: I) {
        for sym in syms {
            self.insert(sym);
        }
    }
}

impl<'a> Extend<&'a Sym> for SymSet {
    fn extend<I: IntoIterator<Item = &'a Sym>>(&mut self, syms: I) {
        self.extend(syms.into_iter().copied());
    }
}

impl FromIterator<Sym> for SymSet {
    fn from_iter<I: IntoIterator<Item = Sym>>(syms: I) -> Self {
        let mut set = SymSet::default();
        set.extend(syms);
        set
    }
}

/// A map keyed by symbols: a slot per symbol (indexed, as in [`SymSet`]) holding the place of
/// its entry, and the entries in the order they were added (removing one moves the last into
/// its place).
pub struct SymMap<V> {
    slots: Vec<u32>,
    entries: Vec<(Sym, V)>,
}

impl<V> Default for SymMap<V> {
    fn default() -> Self {
        SymMap { slots: Vec::new(), entries: Vec::new() }
    }
}

impl<V> SymMap<V> {
    /// The place of `sym`'s entry, if it has one.
    fn place(&self, sym: &Sym) -> Option<usize> {
        match self.slots.get(sym.index()) {
            Some(&slot) if slot != 0 => Some(slot as usize - 1),
            _ => None,
        }
    }

    /// Adds an entry for `sym`, which has none; its place.
    fn push(&mut self, sym: Sym, value: V) -> usize {
        let index = sym.index();
        if index >= self.slots.len() {
            // A zeroed allocation and one copy: `resize` writes the zeros one by one in a debug
            // build, and the passes make maps whose first symbol is numbered in the tens of
            // thousands.
            let mut slots = vec![0; (index + 1).max(2 * self.slots.len())];
            slots[..self.slots.len()].copy_from_slice(&self.slots);
            self.slots = slots;
        }
        self.entries.push((sym, value));
        self.slots[index] = self.entries.len() as u32;
        self.entries.len() - 1
    }

    pub fn get(&self, sym: &Sym) -> Option<&V> {
        self.place(sym).map(|k| &self.entries[k].1)
    }

    pub fn contains_key(&self, sym: &Sym) -> bool {
        self.place(sym).is_some()
    }

    /// Sets `sym`'s value; the one it replaces.
    pub fn insert(&mut self, sym: Sym, value: V) -> Option<V> {
        match self.place(&sym) {
            Some(k) => Some(std::mem::replace(&mut self.entries[k].1, value)),
            None => {
                self.push(sym, value);
                None
            }
        }
    }

    pub fn remove(&mut self, sym: &Sym) -> Option<V> {
        let k = self.place(sym)?;
        self.slots[sym.index()] = 0;
        let (_, value) = self.entries.swap_remove(k);
        if let Some((moved, _)) = self.entries.get(k) {
            self.slots[moved.index()] = k as u32 + 1;
        }
        Some(value)
    }

    /// `sym`'s entry, to read or fill.
    pub fn entry(&mut self, sym: Sym) -> Entry<'_, V> {
        Entry { map: self, sym }
    }
}

/// One symbol's entry in a [`SymMap`], present or not.
pub struct Entry<'a, V> {
    map: &'a mut SymMap<V>,
    sym: Sym,
}

impl<'a, V> Entry<'a, V> {
    pub fn or_insert_with(self, value: impl FnOnce() -> V) -> &'a mut V {
        let k = match self.map.place(&self.sym) {
            Some(k) => k,
            None => self.map.push(self.sym, value()),
        };
        &mut self.map.entries[k].1
    }

    pub fn or_insert(self, value: V) -> &'a mut V {
        self.or_insert_with(|| value)
    }

    pub fn or_default(self) -> &'a mut V
    where
        V: Default,
    {
        self.or_insert_with(V::default)
    }
}

impl<V> IntoIterator for SymMap<V> {
    type Item = (Sym, V);
    type IntoIter = std::vec::IntoIter<(Sym, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<V> FromIterator<(Sym, V)> for SymMap<V> {
    fn from_iter<I: IntoIterator<Item = (Sym, V)>>(entries: I) -> Self {
        let mut map = SymMap::default();
        for (sym, value) in entries {
            map.insert(sym, value);
        }
        map
    }
}

/// The interner's hasher: a short string (a spelling) by one multiplication per eight bytes,
/// turned so that the table's bucket index comes from the product's high bits (which depend on
/// all of the input's).
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

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(8) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}

/// The interner of one pass: spellings to symbols.
pub struct Symbols {
    ids: HashMap<String, Sym, BuildHasherDefault<SymHasher>>,
    /// The emitters' names of values (`__v3`, `__t3`, `__a3`): each symbol, the letter after
    /// `__` and the value's number.
    numbered: Vec<(Sym, u8, usize)>,
    /// The symbols of `__v{n}`, `__t{n}` and `__a{n}` (most identifiers read), by number: found
    /// by an index, not by hashing the spelling.
    by_number: [Vec<Option<Sym>>; 3],
    /// The spelling of the identifier being read (one buffer, not a string per identifier).
    spelling: String,
}

impl Default for Symbols {
    fn default() -> Self {
        let mut symbols = Symbols {
            ids: HashMap::default(),
            numbered: Vec::new(),
            by_number: Default::default(),
            spelling: String::new(),
        };
        for keyword in Sym::KEYWORDS {
            symbols.intern(keyword);
        }
        symbols
    }
}

impl Symbols {
    /// The symbol of `name`, made if it is new.
    pub fn intern(&mut self, name: &str) -> Sym {
        let numbered = value_number(name);
        // Only numbers a lowering could reach: a user's identifier may be spelled `__v` and
        // fourteen digits, which must not size a table.
        let slot = numbered
            .filter(|(_, n)| *n < 1 << 20)
            .and_then(|(letter, n)| Some((b"vta".iter().position(|l| *l == letter)?, n)));
        if let Some(sym) = slot.and_then(|(k, n)| *self.by_number[k].get(n)?) {
            return sym;
        }
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
        if let Some((letter, number)) = numbered {
            self.numbered.push((sym, letter, number));
        }
        if let Some((k, n)) = slot {
            let table = &mut self.by_number[k];
            if n >= table.len() {
                table.resize(n + 1, None);
            }
            table[n] = Some(sym);
        }
        sym
    }

    /// The symbols read so far that are the emitted names of `names`' values.
    pub fn of_values(&self, names: ValueNames) -> SymSet {
        // The values as a dense set, indexed by number.
        let mut values = vec![false; names.values.iter().map(|v| v.0 as usize + 1).max().unwrap_or(0)];
        for v in names.values {
            values[v.0 as usize] = true;
        }
        self.numbered
            .iter()
            .filter(|(_, letter, n)| names.kinds.contains(letter) && values.get(*n) == Some(&true))
            .map(|(sym, ..)| *sym)
            .collect()
    }

    /// Reads `stream` (each group listed once, each identifier spelled once).
    pub fn read(&mut self, stream: TokenStream) -> Vec<Tok> {
        stream
            .into_iter()
            .map(|tt| match tt {
                TokenTree::Ident(i) => {
                    let mut spelling = std::mem::take(&mut self.spelling);
                    spelling.clear();
                    // Writing to a `String` cannot fail.
                    let _ = write!(spelling, "{i}");
                    let sym = self.intern(&spelling);
                    self.spelling = spelling;
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

/// The letter and number of an emitted value's name (`__v12` is `(b'v', 12)`). A user's
/// identifier may be spelled `__v` and more digits than a number holds: it is not one.
fn value_number(name: &str) -> Option<(u8, usize)> {
    let name = name.as_bytes();
    let digits = name.strip_prefix(b"__")?.split_first().map(|(letter, digits)| (*letter, digits))?;
    let (letter, digits) = digits;
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let number =
        digits.iter().try_fold(0usize, |n, d| n.checked_mul(10)?.checked_add(usize::from(d - b'0')))?;
    Some((letter, number))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_and_sets_of_symbols_behave_as_hash_tables() {
        let mut symbols = Symbols::default();
        let syms: Vec<Sym> = (0..200).map(|i| symbols.intern(&format!("__v{i}"))).collect();
        let mut map = SymMap::default();
        let mut reference = HashMap::new();
        let mut set = SymSet::default();
        let mut set_reference = HashSet::new();
        // A fixed pseudo-random walk of inserts, removals and entries.
        let mut state = 12345u64;
        for step in 0..5000 {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            let sym = syms[(state >> 33) as usize % syms.len()];
            match step % 4 {
                0 => assert_eq!(map.insert(sym, step), reference.insert(sym, step)),
                1 => assert_eq!(map.remove(&sym), reference.remove(&sym)),
                2 => {
                    *map.entry(sym).or_insert(0) += 1;
                    *reference.entry(sym).or_insert(0) += 1;
                }
                _ => assert_eq!(set.insert(sym), set_reference.insert(sym)),
            }
            assert_eq!(map.get(&sym), reference.get(&sym));
            assert_eq!(map.contains_key(&sym), reference.contains_key(&sym));
            assert_eq!(set.contains(&sym), set_reference.contains(&sym));
        }
        let mut entries: Vec<(Sym, usize)> = map.into_iter().collect();
        let mut expected: Vec<(Sym, usize)> = reference.into_iter().collect();
        entries.sort_by_key(|(s, _)| s.index());
        expected.sort_by_key(|(s, _)| s.index());
        assert!(entries == expected);
        let evens: SymSet = syms.iter().copied().step_by(2).collect();
        let mut both = SymSet::default();
        both.insert_both(&set, &evens);
        for sym in &syms {
            assert_eq!(both.contains(sym), set_reference.contains(sym) && evens.contains(sym));
        }
        both.clear();
        assert!(both.is_empty() && !both.contains(&syms[0]));
    }

    #[test]
    fn names_of_values_are_read_with_their_numbers() {
        assert_eq!(value_number("__v12"), Some((b'v', 12)));
        assert_eq!(value_number("__a0"), Some((b'a', 0)));
        assert_eq!(value_number("__v"), None);
        assert_eq!(value_number("__v1x"), None);
        assert_eq!(value_number("v12"), None);
        assert_eq!(value_number("__v99999999999999999999999999"), None);
        // A large number a user may spell is interned without a table of that size.
        let mut symbols = Symbols::default();
        let a = symbols.intern("__v99999999999999");
        assert_eq!(symbols.intern("__v99999999999999"), a);
        assert!(symbols.by_number.iter().all(|t| t.len() < 1 << 20));
    }
}
