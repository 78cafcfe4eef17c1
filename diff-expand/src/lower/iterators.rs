//! Iterator chains, desugared into the index loop a careful hand would write, then lowered like
//! any loop:
//!
//! ```text
//! x.iter().zip(x.iter().skip(1)).map(|(&u, &v)| (v - u).powi(2)).sum::<f64>()
//!   =>  { let mut acc = 0.0;
//!         for i in 0..min(x.len(), x.len().saturating_sub(1)) {
//!             acc = acc + (|(&u, &v)| (v - u).powi(2))((&x[i], &x[i + 1]));
//!         }
//!         acc }
//! ```
//!
//! A chain is a source (`a.iter()`, `.into_iter()`, a sub-slice `a[s..e].iter()`, a range
//! `(a..b)`), adaptors (`copied`, `cloned`, `map`, `zip`, `chain`, `enumerate`, `skip`, `take`, `rev`,
//! `step_by`, `windows`/`chunks`/`chunks_exact` (`lower::windows`; also zipped, enumerated,
//! skipped, taken, stepped or reversed) followed by `map`, `scan` (its state a variable declared before the loop, `Sequence::prelude`,
//! the closure's body read by `adaptors::scan_body`), and `filter` just before the end, or `filter_map` of `if c { Some(e) } else { None }` and
//! `take_while`, both read as a predicate, `adaptors::Filter`, before the maps) and an end (`sum`, `product`, `fold`,
//! `count`, `for_each`, `collect::<Vec<F>>`: `lower::collects`), or a `for` loop over it (over
//! windows too).
//! `iter_mut()` is a source of places (`lower::places`). Each sequence is a length and the element at an index, both as syntax; the closures are
//! called in place (`lower::closures` inlines them). `v.iter().sum()` alone keeps its own rule.

use super::adaptors::filtered;
use super::windows::{Index, Windows, mapped, slicing};
use super::*;

/// A sequence: its length, and its element at an index (given as an expression).
pub(super) struct Sequence {
    pub(super) len: Expr,
    pub(super) item: Box<dyn Fn(Expr) -> Expr>,
    /// For `windows(k)` and `chunks(k)`, whose elements are sub-slices, and a `zip` or
    /// `enumerate` of them: only a `map` or a `for` loop may follow, whose closure or body reads
    /// a window `w` as `w[j]`, `w.len()` and `w.iter()` (`lower::windows`).
    window: Option<Windows>,
    /// Statements before the loop that reads the sequence: the state of a `scan`
    /// (`let mut __tapeless_scanN = init;`), whose elements must then be read once each, in
    /// order (only `map`, `zip`, `enumerate` and an end may follow; [`Lowerer::plain`] refuses it).
    pub(super) prelude: Vec<syn::Stmt>,
}

impl Sequence {
    pub(super) fn new(len: Expr, item: impl Fn(Expr) -> Expr + 'static) -> Sequence {
        Sequence { len, item: Box::new(item), window: None, prelude: Vec::new() }
    }

    /// The sequence of length `len` whose element `i` is this one's element `index(i)`. The index
    /// is passed on in parentheses: the adaptors write their element's index around the one they
    /// are given (`l - 1 - i`, `i * k`), and `x.iter().rev().skip(1)` must read
    /// `x[l - 1 - (i + 1)]`, not `x[l - 1 - i + 1]`.
    /// Windows are reindexed with the element (`x.chunks(3).skip(1)`).
    fn reindexed(self, len: Expr, index: impl Fn(Expr) -> Expr + 'static) -> Sequence {
        let index: Index = std::rc::Rc::new(move |i| {
            let index = index(i);
            syn::parse_quote!((#index))
        });
        let (item, at) = (self.item, index.clone());
        Sequence {
            window: self.window.map(|w| w.reindexed(index)),
            ..Sequence::new(len, move |i| item(at(i)))
        }
    }
}

impl Lowerer<'_> {
    /// The index of a desugared chain's loop: a name of its own (`__tapeless_i3`).
    pub(super) fn chain_index(&mut self, at: proc_macro2::Span) -> syn::Ident {
        self.chains += 1;
        hidden(&format!("__tapeless_i{}", self.chains), at)
    }
}

/// Whether `ty` is a primitive integer type (`usize`, `i32`, ..).
fn primitive_integer(ty: &syn::Type) -> bool {
    const INTEGERS: [&str; 12] =
        ["usize", "isize", "u8", "u16", "u32", "u64", "u128", "i8", "i16", "i32", "i64", "i128"];
    matches!(ty, syn::Type::Path(p) if p.qself.is_none() && INTEGERS.iter().any(|i| p.path.is_ident(i)))
}

/// A name of desugared code, at `at` (where an error about it points) but resolved at the
/// macro's definition site, so no user name can meet it.
pub(super) fn hidden(name: &str, at: proc_macro2::Span) -> syn::Ident {
    syn::Ident::new(name, proc_macro2::Span::mixed_site().located_at(at))
}

impl Lowerer<'_> {
    /// `chain.sum()` and the other ends, if `m` ends a chain this module desugars.
    pub(super) fn iterator_chain(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        // Syntax written here is spanned at the chain's end, so an error inside it points there.
        let s = m.method.span();
        let end = m.method.to_string();
        if end == "for_each" || end == "collect" {
            return self.for_each_or_collect(m);
        }
        // `max_by(..).unwrap()`, also through `.copied()`/`.cloned()` of the `Option<&T>`
        // (`x.iter().max_by(..).copied().unwrap()`): the best element is a value already.
        let reduction = match &*m.receiver {
            Expr::MethodCall(c)
                if matches!(c.method.to_string().as_str(), "copied" | "cloned") && c.args.is_empty() =>
            {
                &*c.receiver
            }
            e => e,
        };
        if unwraps(m) {
            return match reduction {
                // `max_by(..).map(|(i, _)| i).unwrap()` (an index found through `enumerate`):
                // the closure called on the best element, `(|(i, _)| i)(max_by(..).unwrap())`.
                Expr::MethodCall(map)
                    if map.method == "map"
                        && map.args.len() == 1
                        && matches!(&*map.receiver, Expr::MethodCall(r)
                            if matches!(r.method.to_string().as_str(), "max_by" | "min_by" | "reduce")) =>
                {
                    let (f, best) = (&map.args[0], &map.receiver);
                    let call: Expr = match f {
                        Expr::Path(_) => syn::parse_quote_spanned!(s=> #f(#best.unwrap())),
                        _ => syn::parse_quote_spanned!(s=> (#f)(#best.unwrap())),
                    };
                    Some(self.expr(&call))
                }
                Expr::MethodCall(inner) => self.best_of(inner, None),
                _ => None,
            };
        }
        // `reduce(f).unwrap_or(c)`: `c` for an empty sequence.
        if end == "unwrap_or" && m.args.len() == 1 {
            return match reduction {
                Expr::MethodCall(inner) => self.best_of(inner, Some(&m.args[0])),
                _ => None,
            };
        }
        if !matches!(end.as_str(), "sum" | "product" | "fold" | "count" | "any" | "all") {
            return None;
        }
        // An integer sum or product (`sum::<usize>()`) starts from its type's `0` or `1`; of
        // another type it is not ours to start.
        let integer = m.turbofish.as_ref().and_then(|t| match t.args.first() {
            Some(syn::GenericArgument::Type(ty)) if primitive_integer(ty) => Some(ty.clone()),
            _ => None,
        });
        if let Some(t) = &m.turbofish
            && integer.is_none()
            && !t.args.iter().all(|a| matches!(a, syn::GenericArgument::Type(ty) if crate::signature::classify(ty) == crate::signature::TypeClass::Differentiable))
        {
            return None;
        }
        let (receiver, filter, maps) = filtered(&m.receiver);
        // A `scan`'s elements are read once each (a filter would read the element twice).
        let seq = match if filter.is_none() { self.in_order(receiver) } else { self.plain(receiver) } {
            Some(seq) => seq,
            // `x.windows(2).fold(init, |acc, w| ..)`: the fold as a loop over the windows.
            None if end == "fold" && filter.is_none() && maps.is_empty() => return self.fold_as_loop(m),
            None => return None,
        };
        let scanned = !seq.prelude.is_empty();
        let i = self.chain_index(s);
        let raw = (seq.item)(syn::parse_quote!(#i));
        let item = strip_references(raw.clone());
        // A closure is called with the element as the iterator gives it (`&x[i]`), so that `*v`
        // in `|s, v| s + *v` reads it; a function by path (`f64::max`), and sums, with its value.
        // After a filter and maps, the element is the last map's value.
        let element = |f: &Expr| match f {
            _ if !maps.is_empty() || scanned => syn::parse_quote!(__tapeless_item),
            Expr::Closure(_) => (seq.item)(syn::parse_quote!(#i)),
            _ => item.clone(),
        };
        let len = &seq.len;
        let acc = hidden("__tapeless_acc", s);
        let kept_count = hidden("__tapeless_kept", s);
        // The type of the sum: the turbofish's, else a generic function's float type (a literal
        // cannot be a `T`), else the literal's inferred `f32` or `f64`.
        let float: Option<syn::Type> = match m.turbofish.as_ref().and_then(|t| t.args.first()) {
            Some(syn::GenericArgument::Type(ty)) => Some(ty.clone()),
            _ => (!matches!(&self.element, syn::Type::Path(p) if p.path.is_ident("f32") || p.path.is_ident("f64")))
                .then(|| self.element.clone()),
        };
        let (zero, one): (Expr, Expr) = match &float {
            Some(ty) if integer.is_some() => {
                (syn::parse_quote_spanned!(s=> (0 as #ty)), syn::parse_quote_spanned!(s=> (1 as #ty)))
            }
            Some(ty) => (
                syn::parse_quote_spanned!(s=> <#ty as ::tapeless::__private::Real>::zero()),
                syn::parse_quote_spanned!(s=> <#ty as ::tapeless::__private::Real>::one()),
            ),
            None => (syn::parse_quote_spanned!(s=> 0.0), syn::parse_quote!(1.0)),
        };
        // A sum of nalgebra vectors (`ps.iter().sum()` of `&[Vector3<f64>]`, or a turbofish
        // naming one): from the zero vector, or from the first element for a dynamic one (whose
        // `Sum` panics on an empty iterator: so does the first element's read).
        let summed = match m.turbofish.as_ref().and_then(|t| t.args.first()) {
            _ if end != "sum" => None,
            Some(syn::GenericArgument::Type(ty)) => Some(ty.clone()),
            _ if maps.is_empty() && filter.is_none() && !scanned => self.source_element(receiver),
            _ => None,
        };
        let mut from = quote::quote!(0);
        let zero = match summed {
            Some(syn::Type::Path(ty)) if crate::signature::static_matrix(&syn::Type::Path(ty.clone())) => {
                zeros_of(ty.path, s)
            }
            // (The first element is the sum's first term only with every element kept.)
            Some(ty) if crate::signature::dynamic_matrix(&ty) && filter.is_none() && !scanned => {
                from = quote::quote!(1);
                strip_references((seq.item)(syn::parse_quote_spanned!(s=> 0usize)))
            }
            Some(ty) if !crate::signature::is_float(&ty) && integer.is_none() => return None,
            _ => zero,
        };
        let (init, step): (Expr, Expr) = match (end.as_str(), m.args.len()) {
            ("sum", 0) => (zero, syn::parse_quote_spanned!(s=> #acc + __tapeless_item)),
            ("product", 0) => (one, syn::parse_quote_spanned!(s=> #acc * __tapeless_item)),
            ("count", 0) => (syn::parse_quote_spanned!(s=> 0usize), syn::parse_quote!(#acc + 1)),
            // `any`/`all` look at every element (the predicate has no effects to skip).
            ("any", 1) => {
                let (f, e) = (&m.args[0], element(&m.args[0]));
                (syn::parse_quote_spanned!(s=> false), syn::parse_quote_spanned!(s=> #acc || (#f)(#e)))
            }
            ("all", 1) => {
                let (f, e) = (&m.args[0], element(&m.args[0]));
                (syn::parse_quote_spanned!(s=> true), syn::parse_quote_spanned!(s=> #acc && (#f)(#e)))
            }
            ("fold", 2) => {
                let (init, f, e) = (&m.args[0], &m.args[1], element(&m.args[1]));
                (init.clone(), syn::parse_quote_spanned!(s=> (#f)(#acc, #e)))
            }
            _ => return None,
        };
        let counted =
            filter.as_ref().is_some_and(|f| !matches!(f.window.0, Expr::Lit(_)) || f.window.1.is_some());
        let body: syn::Block = match filter {
            // Marked so that a predicate on a differentiated value gets `filter`'s (or
            // `take_while`'s) message, at the predicate (`lower::control::if_expr`).
            Some(super::adaptors::Filter { ref predicates, stops, window: (ref start, ref end) }) => {
                // Each predicate's test (`predicate_test`); consecutive filters' tests nested (a
                // later one sees only what the earlier ones kept).
                let tests: Vec<Expr> = predicates.iter().map(|p| predicate_test(p, &raw, stops, s)).collect();
                // The maps after the filter, on the elements it keeps only.
                let maps = maps.iter().map(|f| match f {
                    Expr::Path(path) => {
                        quote::quote_spanned!(s=> let __tapeless_item = #path(__tapeless_item);)
                    }
                    f => quote::quote_spanned!(s=> let __tapeless_item = (#f)(__tapeless_item);),
                });
                let mut kept = quote::quote_spanned!(s=> #(#maps)* #acc = #step;);
                // `filter(p).skip(a).take(b)`: the kept elements counted, those in the window
                // read, the loop left at its end.
                // The count depends on the elements only through the predicate, whose own test
                // is checked: the window's tests are `piecewise`, not reported again.
                if counted {
                    let leave = end.as_ref().map(
                        |e| quote::quote_spanned!(s=> if ::tapeless::piecewise(#kept_count >= #e) { break; }),
                    );
                    kept = quote::quote_spanned!(s=>
                        #leave
                        #kept_count += 1;
                        if ::tapeless::piecewise(#kept_count > #start) { #kept }
                    );
                }
                if stops {
                    syn::parse_quote_spanned!(s=> { let __tapeless_item = #item; #(if #tests { break; })* #kept })
                } else {
                    // (Nested, each test its own `if`: a `piecewise` one accepted on its own.)
                    let nested = tests
                        .iter()
                        .rev()
                        .fold(kept, |inner, test| quote::quote_spanned!(s=> if #test { #inner }));
                    syn::parse_quote_spanned!(s=> { let __tapeless_item = #item; #nested })
                }
            }
            None => syn::parse_quote_spanned!(s=> {
                let __tapeless_item = #item;
                #acc = #step;
            }),
        };
        let prelude = &seq.prelude;
        let count_from = counted.then(|| quote::quote_spanned!(s=> let mut #kept_count = 0usize;));
        let block: Expr = syn::parse_quote_spanned!(s=> {
            #(#prelude)*
            #count_from
            let mut #acc = #init;
            for #i in #from..#len #body
            #acc
        });
        Some(self.expr(&block))
    }

    /// The first `count` elements of an iterator expression this module understands, as
    /// expressions (`OVector::<f64, U3>::from_iterator(x.iter().map(..))`).
    pub(super) fn sequence_items(&mut self, e: &Expr, count: usize) -> Option<Vec<Expr>> {
        let seq = self.plain(e)?;
        Some((0..count).map(|i| strip_references((seq.item)(syn::parse_quote!(#i)))).collect())
    }

    /// `for pat in chain { body }` over a chain the forms above describe that is not a plain
    /// loop source (a nalgebra value's `iter()`, `map`, `skip`, ...), as `for i in 0..len { let
    /// pat = item(i); body }` (the item bound like a closure's argument); `None` if `chain` is
    /// not one of them.
    pub(super) fn for_over_chain(&mut self, f: &syn::ExprForLoop) -> Option<Tree> {
        // `for e in data`: a collection is its own source in a `for` loop.
        let sequence = match self.sequence(&f.expr) {
            Some(Sequence { len, item, window: Some(windows), .. }) => {
                return Some(self.for_over_windows(f, len, &*item, &windows));
            }
            Some(s) => s,
            None => self.source(&f.expr)?,
        };
        let (len, body) = (&sequence.len, &f.body);
        let index = self.chain_index(Loc::of(&f.expr).span());
        let item = (sequence.item)(syn::parse_quote!(#index));
        // After a `scan`: its state declared first, each element bound as it comes.
        if !sequence.prelude.is_empty() {
            let (prelude, pat) = (&sequence.prelude, &f.pat);
            let block: Expr = syn::parse_quote_spanned!(Loc::of(f).span()=> {
                #(#prelude)*
                for #index in 0..#len { let #pat = #item; #body }
            });
            return Some(self.expr(&block));
        }
        let body: Expr = syn::parse_quote!(#body);
        let (binding, body) = match self.place_binding(&f.pat, item, body) {
            Ok(split) => split,
            Err(reported) => return Some(reported),
        };
        let desugared: syn::ExprForLoop =
            syn::parse_quote_spanned!(Loc::of(f).span()=> for #index in 0..#len { #body });
        Some(self.for_loop_binding(&desugared, binding.as_ref().map(|(p, e)| (p, e))))
    }

    /// `for pat in source.filter(p) { body }`, also with `map`s after the filter, as a loop over
    /// `source` that runs the body on the elements kept:
    ///
    /// ```text
    /// for &v in x.iter().filter(|v| **v > 0.0) { .. }
    ///     =>  for k in x.iter() { if __tapeless_filter (|v| **v > 0.0)(&k) { let &v = k; .. } }
    /// ```
    ///
    /// (`k` a mixed-site name, a tuple of them for the pairs of `enumerate` and `zip`,
    /// [`element_pattern`]; the test as a chain's, [`predicate_test`]). A `continue` or `break`
    /// in the body still leaves the iteration or the loop.
    pub(super) fn for_over_filter(&mut self, f: &syn::ExprForLoop) -> Option<Tree> {
        let mut maps = Vec::new();
        let mut e = strip_parens(&f.expr);
        while let Expr::MethodCall(m) = e
            && m.method == "map"
            && m.args.len() == 1
        {
            maps.push(&m.args[0]);
            e = strip_parens(&m.receiver);
        }
        let Expr::MethodCall(m) = e else { return None };
        if m.method != "filter" || m.args.len() != 1 {
            return None;
        }
        let (source, s) = (&m.receiver, Loc::of(f).span());
        // The source's elements bound part by part (a loop binds a pair taken apart).
        let mut names = 0;
        let kept = element_pattern(source, Loc::of(&f.pat).span(), &mut names);
        let test = predicate_test(&m.args[0], &kept, false, s);
        let item =
            maps.iter().rev().fold(kept.to_token_stream(), |item, g| quote::quote_spanned!(s=> (#g)(#item)));
        let (pat, body) = (&f.pat, &f.body);
        let desugared: Expr = syn::parse_quote_spanned!(s=>
            for #kept in #source { if #test { let #pat = #item; #body } }
        );
        Some(self.expr(&desugared))
    }

    /// `pat` bound to `item` around `body`: where `item` holds `iter_mut()` places
    /// (`lower::places`) or rows of a nested array (`lower::rows`), the names bound to them are
    /// replaced by the places or rows in `body` and left out of the binding. `Err` with the
    /// reported error for another use of a place's name.
    pub(super) fn place_binding(
        &mut self,
        pat: &Pat,
        item: Expr,
        body: Expr,
    ) -> Result<(Option<(Pat, Expr)>, Expr), Tree> {
        let mut found = Vec::new();
        let binding = places::split_places(pat, &item, &mut found);
        let body = match places::substitute(&body, &found) {
            Ok(body) => body,
            Err((at, what)) => return Err(self.unsupported(at, what)),
        };
        // Rows of a nested array (`lower::rows`) are read in place as well.
        match binding.as_ref().and_then(|(pat, item)| self.split_rows(pat, item, &body)) {
            Some(split) => Ok(split),
            None => Ok((binding, body)),
        }
    }

    /// The receiver's sequence and the argument's of `a.zip(b)` or `a.chain(b)`: `b` may be any
    /// collection, also a constant one bound by a pattern (`Some(w) => x.iter().zip(w)`). With
    /// `windows`, either may be one of windows (`a.windows(2).zip(b.windows(2))`).
    fn two_sequences(&mut self, m: &syn::ExprMethodCall, windows: bool) -> Option<(Sequence, Sequence)> {
        let a = if windows { self.sequence(&m.receiver) } else { self.plain(&m.receiver) }?;
        let b = match m.args.first()? {
            arg @ (Expr::Path(_) | Expr::Field(_) | Expr::Array(_)) => self.source(arg),
            // `zip(&self.w)`, `zip(&x[1..])`: the collection behind the reference.
            arg @ Expr::Reference(r) if r.mutability.is_none() => {
                self.source(arg).or_else(|| self.plain(arg))
            }
            // `zip(w[r])`: a row of a nested array (a row bound by name reads as one, `lower::rows`).
            arg @ Expr::Index(ix) if self.nested_array(&ix.expr) => self.source(arg),
            arg if windows => self.sequence(arg),
            arg => self.plain(arg),
        }?;
        Some((a, b))
    }

    /// A sequence of values (not of windows), whose elements may be read in any order (not a
    /// `scan`'s).
    pub(super) fn plain(&mut self, e: &Expr) -> Option<Sequence> {
        self.sequence(e).filter(|s| s.window.is_none() && s.prelude.is_empty())
    }

    /// A sequence whose elements may be read in any order: of values or of windows, not a
    /// `scan`'s (`skip`, `take`, `step_by`, `rev`).
    fn reorderable(&mut self, e: &Expr) -> Option<Sequence> {
        self.sequence(e).filter(|s| s.prelude.is_empty())
    }

    /// Whether `e` is a chain of windows (`x.windows(2)`, zipped or enumerated), not a `scan`'s.
    pub(super) fn windows_chain(&mut self, e: &Expr) -> bool {
        self.sequence(e).is_some_and(|s| s.window.is_some() && s.prelude.is_empty())
    }

    /// A sequence of values read once each, in order, by an end: a `scan`'s too.
    pub(super) fn in_order(&mut self, e: &Expr) -> Option<Sequence> {
        self.sequence(e).filter(|s| s.window.is_none())
    }

    /// The sequence an iterator expression stands for, if it is one of the forms above.
    fn sequence(&mut self, e: &Expr) -> Option<Sequence> {
        match e {
            Expr::Paren(p) => self.sequence(&p.expr),
            // `(a..b)`, `(a..=b)`.
            Expr::Range(r) => {
                let start: Expr = r.start.as_deref().cloned().unwrap_or_else(|| syn::parse_quote!(0usize));
                let end = r.end.as_deref()?.clone();
                let len: Expr = match r.limits {
                    syn::RangeLimits::HalfOpen(_) => {
                        syn::parse_quote!(((#end) as usize).saturating_sub(#start))
                    }
                    syn::RangeLimits::Closed(_) => {
                        syn::parse_quote!(((#end) as usize + 1).saturating_sub(#start))
                    }
                };
                Some(Sequence::new(len, move |i| syn::parse_quote!((#start) + #i)))
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                match (name.as_str(), m.args.len()) {
                    ("iter" | "into_iter", 0) => self.source(&m.receiver),
                    // The elements by value: a closure after it is called with `x[i]`, not `&x[i]`
                    // (`.copied().fold(f64::MIN, |a, b| a.max(b))`).
                    ("copied" | "cloned", 0) => self.plain(&m.receiver).map(|mut seq| {
                        let item = seq.item;
                        seq.item = Box::new(move |i| strip_references(item(i)));
                        seq
                    }),
                    ("into_iter", _) | ("iter", _) => None,
                    // `m.row_iter()`, `m.column_iter()` of a nalgebra matrix: its rows or columns,
                    // each `m.row(i)` (a copy, the `Part` rule).
                    ("row_iter" | "column_iter", 0)
                        if self
                            .aggregate_or_leaf(strip_parens(&m.receiver))
                            .is_some_and(|v| matches!(self.kind(v), Kind::Float | Kind::Heap)) =>
                    {
                        let (base, at) = (strip_parens(&m.receiver).clone(), Loc::of(e).end);
                        let (count, part) = match name.as_str() {
                            "row_iter" => (quote::format_ident!("nrows"), quote::format_ident!("row")),
                            _ => (quote::format_ident!("ncols"), quote::format_ident!("column")),
                        };
                        Some(Sequence::new(
                            syn::parse_quote_spanned!(at=> #base.#count()),
                            move |i| syn::parse_quote_spanned!(at=> #base.#part(#i)),
                        ))
                    }
                    // `out.iter_mut()` of a local array: its elements as places (`&mut out[i]`),
                    // which a loop's binding replaces by the place (`lower::places`).
                    ("iter_mut", 0) => {
                        self.local_array(strip_parens(&m.receiver))?;
                        let elements = self.source(&m.receiver)?;
                        let element = elements.item;
                        Some(Sequence::new(elements.len, move |i| match element(i) {
                            Expr::Reference(mut r) => {
                                r.mutability = Some(Default::default());
                                Expr::Reference(r)
                            }
                            other => other,
                        }))
                    }
                    // `w.iter().map(|row| ..)` over the rows of a nested-array parameter: the
                    // body with `row` read as `w[i]` (`lower::rows`), never a row by value.
                    ("map", 1) if let Some(base) = self.rows_of(&m.receiver) => {
                        let (f, zero) = (m.args[0].clone(), syn::parse_quote!(0usize));
                        super::rows::row_body(&f, &base, &zero)?;
                        let len = syn::parse_quote!(#base.len());
                        Some(Sequence::new(len, move |i| {
                            super::rows::row_body(&f, &base, &i).unwrap_or_else(|| syn::parse_quote!(()))
                        }))
                    }
                    ("map", 1) => {
                        let mut inner = self.sequence(&m.receiver)?;
                        let prelude = std::mem::take(&mut inner.prelude);
                        // `map(f64::exp)`: a function by path, called like a closure of the item.
                        let f = match &m.args[0] {
                            Expr::Path(path) => {
                                syn::parse_quote_spanned!(path.span()=> |__tapeless_item| #path(__tapeless_item))
                            }
                            f => f.clone(),
                        };
                        if let Some(windows) = inner.window {
                            // Checked once here, so that the item below cannot fail.
                            let zero: Expr = syn::parse_quote!(0usize);
                            if let Err(at) = mapped(&f, &windows, (inner.item)(zero.clone()), &zero) {
                                self.unsupported(at, unsupported::WINDOW_PASSED_ON);
                                // Reported: the rest of the chain reads zeros, and no code is emitted.
                                return Some(Sequence::new(inner.len, |_| syn::parse_quote!(0.0)));
                            }
                            let item = inner.item;
                            return Some(Sequence::new(inner.len, move |i| {
                                mapped(&f, &windows, item(i.clone()), &i)
                                    .unwrap_or_else(|_| syn::parse_quote!(()))
                            }));
                        }
                        Some(Sequence {
                            prelude,
                            ..Sequence::new(inner.len, move |i| {
                                let x = (inner.item)(i);
                                syn::parse_quote!((#f)(#x))
                            })
                        })
                    }
                    // `x.iter().scan(init, |s, &v| { *s += v; Some(*s) })`: a state declared before
                    // the loop (`prelude`), each element the closure's body with `*s` the state.
                    ("scan", 2) => {
                        let inner = self.plain(&m.receiver)?;
                        let Expr::Closure(c) = &m.args[1] else { return None };
                        let [state, element] = c.inputs.iter().collect::<Vec<_>>()[..] else { return None };
                        self.chains += 1;
                        let var = hidden(&format!("__tapeless_scan{}", self.chains), m.method.span());
                        let body = super::adaptors::scan_body(&c.body, state, &var)?;
                        let (init, element) = (&m.args[0], element.clone());
                        // The element bound by the closure's pattern through a closure that only
                        // takes it apart (inlined like a `map`'s); the body, which assigns the
                        // state, runs outside it.
                        let names = super::scan::bound_names(&element);
                        Some(Sequence {
                            prelude: vec![syn::parse_quote_spanned!(m.method.span()=> let mut #var = #init;)],
                            ..Sequence::new(inner.len, move |i| {
                                let x = (inner.item)(i);
                                syn::parse_quote!({ let (#(#names,)*) = (|#element| (#(#names,)*))(#x); #body })
                            })
                        })
                    }
                    // `x.windows(k)`, `x.chunks(k)`, `x.chunks_exact(k)` of an array.
                    ("windows" | "chunks" | "chunks_exact", 1) => {
                        let base = self.array_source(&m.receiver)?;
                        let (len, window) = slicing(&name, base, m.args[0].clone());
                        // The count, written here, is located at the user's call: an error in it
                        // (a `len` of a value that has none) points there, not at the attribute.
                        let span = m.method.span();
                        let len = syn::parse2(super::respan(quote::quote!(#len), &|s| s.located_at(span)))
                            .unwrap_or(len);
                        Some(Sequence {
                            window: Some(Windows::Whole(Box::new(window))),
                            ..Sequence::new(len, |_| syn::parse_quote!(()))
                        })
                    }
                    ("enumerate", 0) => {
                        let inner = self.sequence(&m.receiver)?;
                        let window = Windows::zipped(None, inner.window)?;
                        let (item, prelude) = (inner.item, inner.prelude);
                        Some(Sequence {
                            window,
                            prelude,
                            ..Sequence::new(inner.len, move |i| {
                                let x = item(i.clone());
                                syn::parse_quote!((#i, #x))
                            })
                        })
                    }
                    ("zip", 1) => {
                        let (a, b) = self.two_sequences(m, true)?;
                        let window = Windows::zipped(a.window, b.window)?;
                        let prelude = [a.prelude, b.prelude].concat();
                        let (la, lb, xa, xb) = (a.len, b.len, a.item, b.item);
                        Some(Sequence {
                            window,
                            prelude,
                            ..Sequence::new(syn::parse_quote!(::core::cmp::min(#la, #lb)), move |i| {
                                let (x, y) = (xa(i.clone()), xb(i));
                                syn::parse_quote!((#x, #y))
                            })
                        })
                    }
                    // `a.chain(b)`: `a`'s elements, then `b`'s. The element at `i` is chosen by a
                    // test of the index (a constant condition), held by reference like a source's.
                    ("chain", 1) => {
                        let (a, b) = self.two_sequences(m, false)?;
                        let (la, lb) = (a.len, b.len);
                        let first = la.clone();
                        Some(Sequence::new(syn::parse_quote!((#la) + (#lb)), move |i| {
                            let x = strip_references((a.item)(i.clone()));
                            let y = strip_references((b.item)(syn::parse_quote!((#i - (#first)))));
                            syn::parse_quote!(&(if #i < (#first) { #x } else { #y }))
                        }))
                    }
                    ("skip", 1) => {
                        let inner = self.reorderable(&m.receiver)?;
                        let (k, l) = (m.args[0].clone(), &inner.len);
                        let len = syn::parse_quote!((#l).saturating_sub(#k));
                        Some(inner.reindexed(len, move |i| syn::parse_quote!(#i + (#k))))
                    }
                    ("take", 1) => {
                        let inner = self.reorderable(&m.receiver)?;
                        let (k, l) = (&m.args[0], inner.len);
                        Some(Sequence {
                            len: syn::parse_quote!(::core::cmp::min(#l, #k)),
                            item: inner.item,
                            window: inner.window,
                            prelude: Vec::new(),
                        })
                    }
                    ("step_by", 1) => {
                        let inner = self.reorderable(&m.receiver)?;
                        let (k, l) = (m.args[0].clone(), &inner.len);
                        let len = syn::parse_quote!((#l).div_ceil(#k));
                        Some(inner.reindexed(len, move |i| syn::parse_quote!(#i * (#k))))
                    }
                    ("rev", 0) => {
                        let inner = self.reorderable(&m.receiver)?;
                        let (l, len) = (inner.len.clone(), inner.len.clone());
                        Some(inner.reindexed(len, move |i| syn::parse_quote!((#l) - 1 - #i)))
                    }
                    _ => None,
                }
            }
            // `std::iter::once(e)`: one element; `repeat(e)`: endless (a `take` or a `zip`
            // bounds it); `repeat_n(e, n)`: `n` of them. Each element is `e`, written where it
            // is read (by a `chain`, once).
            Expr::Call(c) => {
                let Expr::Path(f) = &*c.func else { return None };
                let name = f.path.segments.last()?.ident.to_string();
                let element = c.args.first()?.clone();
                let len: Expr = match (name.as_str(), c.args.len()) {
                    ("once", 1) => syn::parse_quote!(1usize),
                    ("repeat", 1) => syn::parse_quote!(usize::MAX),
                    ("repeat_n", 2) => {
                        let n = &c.args[1];
                        syn::parse_quote!((#n) as usize)
                    }
                    _ => return None,
                };
                Some(Sequence::new(len, move |_| syn::parse_quote!((#element))))
            }
            // `&v` or `v` as `zip`'s argument: the array's elements.
            Expr::Reference(r) if r.mutability.is_none() => self.source(&r.expr),
            e if self.local_array(e).is_some() => self.source(e),
            // `v.map(f).sum()` of a nalgebra vector or matrix: its entries.
            e if self.aggregate_or_leaf(e).is_some_and(|v| self.kind(v) == Kind::Heap) => self.source(e),
            _ => None,
        }
    }
}

/// `Vector3::<f64>::zeros()` of the type path `Vector3<f64>`: a constructor the lowering knows
/// (a vector).
fn zeros_of(mut path: syn::Path, s: proc_macro2::Span) -> Expr {
    for segment in &mut path.segments {
        if let syn::PathArguments::AngleBracketed(a) = &mut segment.arguments {
            a.colon2_token = Some(Default::default());
        }
    }
    syn::parse_quote_spanned!(s=> #path::zeros())
}

/// `&x[i]` as `x[i]`, also inside tuples: the IR holds elements by value (the sum of a chain of
/// references is the sum of the values).
pub(super) fn strip_references(e: Expr) -> Expr {
    match e {
        Expr::Reference(r) if r.mutability.is_none() => *r.expr,
        Expr::Tuple(mut t) => {
            t.elems = t.elems.into_iter().map(strip_references).collect();
            Expr::Tuple(t)
        }
        e => e,
    }
}

/// The test of a `filter`'s (or, with `stops`, `take_while`'s) predicate `p` on the element
/// `raw` as the iterator gives it, borrowed as `filter` borrows it (`&&x[i]` for `x.iter()`,
/// `&(&x[i], &y[i])` for a zip, `&v` for a range); `take_while`'s negated, as it stops at the
/// first element the predicate refuses. Marked so that a predicate on a differentiated value
/// gets `filter`'s (or `take_while`'s) message at the predicate (`lower::control::if_expr`);
/// `|x| tapeless::piecewise(c)` has its mark taken out of the closure onto the condition, which
/// then accepts the derivative of the elements kept.
pub(super) fn predicate_test(
    p: &Expr,
    raw: &impl quote::ToTokens,
    stops: bool,
    s: proc_macro2::Span,
) -> Expr {
    let at = Loc::of(p);
    let (p, piecewise) = match p {
        Expr::Closure(c) if let (inner, true) = super::control::strip_piecewise(&c.body) => {
            let mut c = c.clone();
            c.body = Box::new(inner.clone());
            (&Expr::Closure(c), true)
        }
        p => (p, false),
    };
    let mut call = proc_macro2::Group::new(
        proc_macro2::Delimiter::Parenthesis,
        if stops { quote::quote!(!(#p)(&#raw)) } else { quote::quote!((#p)(&#raw)) },
    );
    call.set_span(at.end);
    let marker = syn::Ident::new(if stops { "__tapeless_take_while" } else { "__tapeless_filter" }, at.start);
    if piecewise {
        syn::parse_quote_spanned!(s=> ::tapeless::piecewise(#marker #call))
    } else {
        syn::parse_quote_spanned!(s=> #marker #call)
    }
}

/// Names for the elements of the iterator `source`, as a pattern that is also their expression:
/// `k0` for one element, `(k0, k1)` for `enumerate` and `zip` (nested as they nest), through
/// the adaptors that keep the elements' shape. Each name is mixed-site, located `at` (the loop's
/// pattern, which messages about what it binds then name), and numbered from `next`.
fn element_pattern(source: &Expr, at: proc_macro2::Span, next: &mut usize) -> proc_macro2::TokenStream {
    let mut fresh = || {
        let name = syn::Ident::new(
            &format!("__tapeless_kept{next}"),
            proc_macro2::Span::mixed_site().located_at(at),
        );
        *next += 1;
        name.to_token_stream()
    };
    match strip_parens(source) {
        Expr::MethodCall(m) => match (m.method.to_string().as_str(), m.args.len()) {
            ("enumerate", 0) => {
                let index = fresh();
                let rest = element_pattern(&m.receiver, at, next);
                quote::quote!((#index, #rest))
            }
            ("zip", 1) => {
                let a = element_pattern(&m.receiver, at, next);
                let b = element_pattern(&m.args[0], at, next);
                quote::quote!((#a, #b))
            }
            ("skip" | "take" | "step_by", 1) | ("rev" | "copied" | "cloned" | "into_iter", 0) => {
                element_pattern(&m.receiver, at, next)
            }
            _ => fresh(),
        },
        _ => fresh(),
    }
}
