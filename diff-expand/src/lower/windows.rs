//! Windows and chunks of an array (`x.windows(k)`, `x.chunks(k)`, `x.chunks_exact(k)`), alone or
//! in a `zip` or `enumerate`, also through `skip`, `take`, `step_by` and `rev` (each window read
//! where the adaptor puts it), read by a `map` closure or a `for` loop's body: each window `w` is
//! never made; its reads are rewritten into reads of the array, `w[j]` as `x[start + j]`,
//! `w.len()` as the window's length and `w.iter()` as the sub-slice's.
//!
//! ```text
//! t.windows(2).zip(y.windows(2)).map(|(a, b)| (a[1] - a[0]) * (b[0] + b[1]))
//!   =>  element i:  { (t[i + 1] - t[i + 0]) * (y[i + 0] + y[i + 1]) }
//! ```

use super::*;

/// The sub-slice at index `i` of `base`: it starts at `start(i)` and has `len(i)` elements.
pub(super) struct Window {
    pub(super) base: Expr,
    pub(super) start: Box<dyn Fn(Expr) -> Expr>,
    pub(super) len: Box<dyn Fn(Expr) -> Expr>,
}

/// Where the windows are in a sequence's element.
pub(super) enum Windows {
    /// The element is a window (`x.windows(2)`).
    Whole(Box<Window>),
    /// The element is a tuple whose components marked are windows (`a.windows(2).zip(b)`,
    /// `x.windows(2).enumerate()`); the sequence's item holds `()` in their places.
    Parts(Vec<Option<Window>>),
}

/// An index map shared by a sequence's element and its windows (`skip`, `step_by`, `rev`).
pub(super) type Index = std::rc::Rc<dyn Fn(Expr) -> Expr>;

impl Window {
    /// The window at `index(i)` as the one at `i`.
    fn reindexed(self, index: Index) -> Window {
        let (start, len, at) = (self.start, self.len, index.clone());
        Window {
            base: self.base,
            start: Box::new(move |i| start(index(i))),
            len: Box::new(move |i| len(at(i))),
        }
    }
}

impl Windows {
    /// The windows at `index(i)` as the ones at `i`: `x.chunks(3).skip(k)`, `.rev()`, `.step_by(s)`.
    pub(super) fn reindexed(self, index: Index) -> Windows {
        match self {
            Windows::Whole(w) => Windows::Whole(Box::new(w.reindexed(index))),
            Windows::Parts(parts) => {
                Windows::Parts(parts.into_iter().map(|p| p.map(|w| w.reindexed(index.clone()))).collect())
            }
        }
    }

    /// The windows of a `zip`'s two sides, or `None` if one side is itself a tuple of windows.
    pub(super) fn zipped(a: Option<Windows>, b: Option<Windows>) -> Option<Option<Windows>> {
        let whole = |w: Option<Windows>| match w {
            None => Some(None),
            Some(Windows::Whole(w)) => Some(Some(*w)),
            Some(Windows::Parts(_)) => None,
        };
        let (a, b) = (whole(a)?, whole(b)?);
        Some((a.is_some() || b.is_some()).then(|| Windows::Parts(vec![a, b])))
    }
}

/// The number of windows (`windows`) or chunks of `base`, and the window at an index.
pub(super) fn slicing(kind: &str, base: Expr, k: Expr) -> (Expr, Window) {
    let n: Expr = syn::parse_quote!(#base.len());
    let fixed = {
        let k = k.clone();
        move |_: Expr| k.clone()
    };
    let strided = {
        let k = k.clone();
        move |i: Expr| -> Expr { syn::parse_quote!(#i * (#k)) }
    };
    match kind {
        "windows" => (
            syn::parse_quote!((#n + 1).saturating_sub(#k)),
            Window { base, start: Box::new(|i| i), len: Box::new(fixed) },
        ),
        "chunks_exact" => {
            (syn::parse_quote!(#n / (#k)), Window { base, start: Box::new(strided), len: Box::new(fixed) })
        }
        // `chunks`: the last one may be shorter.
        _ => {
            let count = syn::parse_quote!((#n).div_ceil(#k));
            let last = move |i: Expr| -> Expr { syn::parse_quote!(::core::cmp::min(#k, #n - #i * (#k))) };
            (count, Window { base, start: Box::new(strided), len: Box::new(last) })
        }
    }
}

/// The name a pattern binds a window to: `w` or `w: &[f64]`.
fn window_name(pat: &Pat) -> Option<&syn::Ident> {
    match pat {
        Pat::Ident(p) if p.subpat.is_none() => Some(&p.ident),
        Pat::Type(t) => window_name(&t.pat),
        Pat::Paren(p) => window_name(&p.pat),
        _ => None,
    }
}

/// `pat` bound to the element `item` at index `i` around `body`, with the windows the pattern
/// names read in place: the binding left for the other components (`None` if there are none)
/// and the body. `Err` with where a window is used another way than `w[j]`, `w.len()` and
/// `w.iter()`, or with the pattern if it does not name each window.
pub(super) fn windowed(
    pat: &Pat,
    body: &Expr,
    windows: &Windows,
    item: Expr,
    i: &Expr,
) -> Result<(Option<(Pat, Expr)>, Expr), Loc> {
    let mut body = body.clone();
    let mismatch = Loc::of(pat);
    match windows {
        Windows::Whole(w) => {
            read_in_place(&mut body, window_name(pat).ok_or(mismatch)?, w, i)?;
            Ok((None, syn::parse_quote!({ #body })))
        }
        Windows::Parts(parts) => {
            let mut pat = pat;
            while let Pat::Paren(p) = pat {
                pat = &p.pat;
            }
            let (Pat::Tuple(pats), Expr::Tuple(items)) = (pat, item) else { return Err(mismatch) };
            if pats.elems.len() != parts.len() || items.elems.len() != parts.len() {
                return Err(mismatch);
            }
            let mut kept = Vec::new();
            for ((p, x), part) in pats.elems.iter().zip(items.elems).zip(parts) {
                match part {
                    Some(w) => read_in_place(&mut body, window_name(p).ok_or_else(|| Loc::of(p))?, w, i)?,
                    None => kept.push((p.clone(), x)),
                }
            }
            let binding = match kept.len() {
                0 => None,
                1 => kept.pop(),
                _ => {
                    let (ps, xs): (Vec<Pat>, Vec<Expr>) = kept.into_iter().unzip();
                    Some((syn::parse_quote!((#(#ps),*)), syn::parse_quote!((#(#xs),*))))
                }
            };
            Ok((binding, syn::parse_quote!({ #body })))
        }
    }
}

/// The element at `i` of a `map(f)` over windows: the closure's body with its windows read in
/// place, called on what else its pattern binds. `Err` as for [`windowed`], or with the closure
/// if it is not one of one argument.
pub(super) fn mapped(f: &Expr, windows: &Windows, item: Expr, i: &Expr) -> Result<Expr, Loc> {
    let Expr::Closure(c) = f else { return Err(Loc::of(f)) };
    let [pat] = c.inputs.iter().collect::<Vec<_>>()[..] else { return Err(Loc::of(f)) };
    Ok(match windowed(pat, &c.body, windows, item, i)? {
        (None, body) => body,
        (Some((p, x)), body) => syn::parse_quote!((|#p| #body)(#x)),
    })
}

/// `body` with the window `name` (at index `i`) read in place. `Err` with where `name` is used
/// any other way.
fn read_in_place(body: &mut Expr, name: &syn::Ident, window: &Window, i: &Expr) -> Result<(), Loc> {
    struct Reads<'a> {
        name: &'a syn::Ident,
        base: &'a Expr,
        start: Expr,
        len: Expr,
        other_use: Option<Loc>,
    }
    impl VisitMut for Reads<'_> {
        fn visit_expr_mut(&mut self, e: &mut Expr) {
            let is_name = |e: &Expr| matches!(e, Expr::Path(p) if p.path.is_ident(self.name));
            match e {
                Expr::Index(ix) if is_name(&ix.expr) => {
                    self.visit_expr_mut(&mut ix.index);
                    let at = Loc::of(&*ix);
                    let (base, j) = (self.base, &ix.index);
                    let start = relocated(self.start.to_token_stream(), at.start);
                    let close = relocated(quote::quote!(+), at.end);
                    *e = syn::parse_quote_spanned!(at.end=> #base[#start #close (#j)]);
                }
                // `w.iter()`: the sub-slice `base[start..start + len]`, a chain source.
                Expr::MethodCall(m) if is_name(&m.receiver) && m.method == "iter" && m.args.is_empty() => {
                    let at = Loc::of(&*m);
                    let start = relocated(self.start.to_token_stream(), at.start);
                    let len = relocated(self.len.to_token_stream(), at.start);
                    let base = self.base;
                    *e = syn::parse_quote_spanned!(at.end=> #base[(#start)..(#start) + (#len)].iter());
                }
                Expr::MethodCall(m) if is_name(&m.receiver) && m.method == "len" && m.args.is_empty() => {
                    let at = Loc::of(&*m);
                    let len = relocated(self.len.to_token_stream(), at.start);
                    *e = syn::parse_quote_spanned!(at.end=> (#len));
                }
                e if is_name(e) => {
                    self.other_use.get_or_insert(Loc::of(&*e));
                }
                // A nested closure that rebinds the name hides the window: its uses are not the
                // window's.
                Expr::Closure(c)
                    if c.inputs.iter().any(|p| super::scan::bound_names(p).contains(self.name)) => {}
                e => syn::visit_mut::visit_expr_mut(self, e),
            }
        }
    }
    let mut reads = Reads {
        name,
        base: &window.base,
        start: (window.start)(i.clone()),
        len: (window.len)(i.clone()),
        other_use: None,
    };
    reads.visit_expr_mut(body);
    reads.other_use.map_or(Ok(()), Err)
}

/// Desugared tokens moved to `at` (where an error about them points), each keeping its own
/// hygiene: a window's start replaces the user's `w[j]`, so it must not point elsewhere.
fn relocated(tokens: proc_macro2::TokenStream, at: proc_macro2::Span) -> proc_macro2::TokenStream {
    super::respan(tokens, &|span| span.located_at(at))
}

impl Lowerer<'_> {
    /// `for pat in windows { body }`: `for i in 0..len { let rest = item(i); body }` with the
    /// windows' reads in `body` rewritten as for a `map` closure over them.
    pub(super) fn for_over_windows(
        &mut self,
        f: &syn::ExprForLoop,
        len: Expr,
        item: &dyn Fn(Expr) -> Expr,
        windows: &Windows,
    ) -> Tree {
        let index = self.chain_index(Loc::of(&f.expr).span());
        let i: Expr = syn::parse_quote!(#index);
        let body: Expr = {
            let b = &f.body;
            syn::parse_quote!(#b)
        };
        let (binding, body) = match windowed(&f.pat, &body, windows, item(i.clone()), &i) {
            Ok(split) => split,
            Err(at) => return self.unsupported(at, unsupported::WINDOW_PASSED_ON),
        };
        let desugared: syn::ExprForLoop =
            syn::parse_quote_spanned!(Loc::of(f).span()=> for #index in 0..#len { #body; });
        self.for_loop_binding(&desugared, binding.as_ref().map(|(p, e)| (p, e)))
    }

    /// `chain.fold(init, |acc, w| body)` of a chain of windows (`x.windows(2)`, also zipped or
    /// enumerated), which an end cannot read as values, as the loop
    ///
    /// ```text
    /// { let mut __tapeless_fold = init; for w in chain { let acc = __tapeless_fold; __tapeless_fold = body; } __tapeless_fold }
    /// ```
    ///
    /// whose windows [`Self::for_over_windows`] reads. `None` for a closure of another form or
    /// whose body returns or uses `?` (which would leave the function, not the closure), or a
    /// chain the loop cannot read either.
    pub(super) fn fold_as_loop(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        let (Some(init), Some(Expr::Closure(c)), 2) = (m.args.first(), m.args.get(1), m.args.len()) else {
            return None;
        };
        let [acc, item] = [c.inputs.first()?, c.inputs.get(1)?];
        if c.inputs.len() != 2 || c.asyncness.is_some() || c.capture.is_some() {
            return None;
        }
        let body = &*c.body;
        let mut returns = super::scan::Returns::default();
        syn::visit::Visit::visit_expr(&mut returns, body);
        if returns.found || super::higher_order::tries(body) {
            return None;
        }
        if !self.windows_chain(&m.receiver) {
            return None;
        }
        let (s, receiver) = (m.method.span(), &m.receiver);
        let folded = super::iterators::hidden("__tapeless_fold", s);
        let block: Expr = syn::parse_quote_spanned!(s=> {
            let mut #folded = #init;
            for #item in #receiver { let #acc = #folded; #folded = #body; }
            #folded
        });
        Some(self.expr(&block))
    }
}
