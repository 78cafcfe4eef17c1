//! Methods that rearrange or overwrite a local array in place, written as the element writes
//! they are, so the derivative follows them (before, each was "called for its effect"):
//!
//! ```text
//! v.copy_from_slice(src)   assert!(v.len() == src.len()); for k in 0..v.len() { v[k] = src[k]; }
//! v[a..b].copy_from_slice(src)       the same over v[a + k], k < b - a
//! v.fill(c)                { let c = c; for k in 0..v.len() { v[k] = c; } }
//! v.swap(i, j)             { let (i, j) = (i, j); let (a, b) = (v[i], v[j]); v[i] = b; v[j] = a; }
//! v.reverse()              { let n = v.len(); for k in 0..n / 2 { v.swap(k, n - 1 - k) } }
//! std::mem::swap(&mut u, &mut w)    inside a loop, of two local arrays (a double buffer):
//!                          { assert_eq!(u.len(), w.len()); for k in 0..u.len() { (u[k], w[k]) = (w[k], u[k]); } }
//! v.sort_by(cmp)           { let p = sort_order(&v[..], cmp); let c = v.clone();
//!                            for k in 0..c.len() { v[k] = c[p[k]]; } }
//! ```
//!
//! (`sort_unstable_by`, `sort_by_key`, `sort_unstable_by_key` and `sort_by_cached_key` the same
//! way, with the runtime's stable `sort_order`/`sort_order_by_key`: the order is found on the
//! entries' values, `Opaque::Permutation`, and each entry's derivative moves with it. Sorting is
//! continuous with kinks where two entries are equal, as `max` is, so it needs no `piecewise`.)
//!
//! The receiver is a local array named by a path (a `Vec` or `[f64; N]` the function owns); the
//! indices and arguments are evaluated once, as the methods evaluate them.
//!
//! A constant local (integer data, of a kind the macro does not follow) rearranged by such a
//! method or another `&mut self` method that drops or reorders elements (`idx.sort()`,
//! `order.dedup()`, `keys.retain(|&k| k > 0)`) gets the changed copy as its new value:
//!
//! ```text
//! idx.sort();   =>   idx = { let mut m = idx.clone(); m.sort(); m };
//! ```
//!
//! (a copy, since what an earlier statement read of the old value may be read again by the
//! reverse sweep).

use super::*;

/// `&mut self` methods of `Vec` and slices that return nothing and only rearrange or drop
/// elements: on a constant local, the changed copy becomes its value. (Methods that store their
/// arguments, `push` and `insert`, keep their own error: their elements may be floats.)
const CHANGING: &[&str] = &[
    "sort",
    "sort_unstable",
    "sort_by",
    "sort_by_key",
    "sort_unstable_by",
    "sort_unstable_by_key",
    "dedup",
    "dedup_by",
    "dedup_by_key",
    "reverse",
    "truncate",
    "clear",
    "retain",
    "swap",
    "rotate_left",
    "rotate_right",
];

impl Lowerer<'_> {
    /// `v.sort()` (a method of [`CHANGING`]) of a local `v` holding a constant: `v` takes the
    /// changed copy; `None` for another call.
    pub(super) fn constant_mutation(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        if !CHANGING.contains(&m.method.to_string().as_str())
            || !matches!(strip_parens(&m.receiver), Expr::Path(_))
        {
            return None;
        }
        let slot = self.local(&m.receiver)?;
        let Some(Tree::Leaf(old)) = self.vars[slot].clone() else { return None };
        if !matches!(self.kind(old), Kind::Unknown | Kind::Discrete) {
            return None;
        }
        let s = m.method.span();
        let copy = super::iterators::hidden("__tapeless_m", s);
        let mut reads = vec![old];
        let mut args = m.args.clone();
        for a in args.iter_mut() {
            let renamed = match &*a {
                // `retain(|&i| i < n)`: renamed in place (`kept_closure`).
                Expr::Closure(c) => Expr::Closure(self.kept_closure(c, &mut reads)?),
                a => match self.rename_locals(a, &mut reads) {
                    Ok(a) => a,
                    Err(error) => return Some(error),
                },
            };
            *a = renamed;
        }
        let (method, turbofish, o) = (&m.method, &m.turbofish, old.ident());
        let tokens = quote::quote_spanned!(s=> {
            let mut #copy = ::core::clone::Clone::clone(&#o);
            #copy.#method #turbofish(#args);
            #copy
        });
        let what = Opaque::Form("a method changing a constant local");
        let new = self.emit(Op::Opaque { tokens, reads, what }, Loc::of(m), Kind::Unknown);
        self.assign(&m.receiver, Tree::Leaf(new));
        Some(unit())
    }

    /// The desugared method, lowered; `None` if `m` is not one of the forms above.
    pub(super) fn mutation(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        if let Some(t) = self.sorted(m) {
            return Some(t);
        }
        let name = m.method.to_string();
        if !matches!(name.as_str(), "copy_from_slice" | "fill" | "swap" | "reverse") {
            return None;
        }
        // The array and the range written: all of it, or `v[a..b]`.
        let (v, range) = match strip_parens(&m.receiver) {
            Expr::Index(ix) if name == "copy_from_slice" => match &*ix.index {
                Expr::Range(r) => (&*ix.expr, Some(r)),
                _ => return None,
            },
            v => (v, None),
        };
        if !matches!(v, Expr::Path(_)) || self.local_array(v).is_none() {
            return None;
        }
        let s = m.method.span();
        let hidden = |n: &str| super::iterators::hidden(n, s);
        let (k, a, b) = (hidden("__tapeless_k"), hidden("__tapeless_a"), hidden("__tapeless_b"));
        let args: Vec<&Expr> = m.args.iter().collect();
        let block: Expr = match (name.as_str(), &args[..]) {
            ("copy_from_slice", [src]) => {
                let src = match src {
                    Expr::Reference(r) if r.mutability.is_none() => &*r.expr,
                    e => e,
                };
                let start: Expr = match range.and_then(|r| r.start.as_deref()) {
                    Some(e) => e.clone(),
                    None => syn::parse_quote_spanned!(s=> 0usize),
                };
                let end: Expr = match range.and_then(|r| r.end.as_deref().map(|e| (e, &r.limits))) {
                    Some((e, syn::RangeLimits::Closed(_))) => syn::parse_quote_spanned!(s=> (#e) + 1),
                    Some((e, _)) => e.clone(),
                    None => syn::parse_quote_spanned!(s=> #v.len()),
                };
                let src_len: Expr = syn::parse_quote_spanned!(s=> #src.len());
                syn::parse_quote_spanned!(s=> {
                    let #a = #start;
                    let #b = #end;
                    assert!(#b - #a == #src_len, "`copy_from_slice`: source and destination have different lengths");
                    for #k in 0..#b - #a {
                        #v[#a + #k] = #src[#k];
                    }
                })
            }
            ("fill", [c]) => syn::parse_quote_spanned!(s=> {
                let #a = #c;
                for #k in 0..#v.len() {
                    #v[#k] = #a;
                }
            }),
            ("swap", [i, j]) => {
                let (x, y) = (hidden("__tapeless_x"), hidden("__tapeless_y"));
                syn::parse_quote_spanned!(s=> {
                    let #a = #i;
                    let #b = #j;
                    let #x = #v[#a];
                    let #y = #v[#b];
                    #v[#a] = #y;
                    #v[#b] = #x;
                })
            }
            ("reverse", []) => {
                let (n, x, y) = (hidden("__tapeless_n"), hidden("__tapeless_x"), hidden("__tapeless_y"));
                syn::parse_quote_spanned!(s=> {
                    let #n = #v.len();
                    for #k in 0..#n / 2 {
                        let #x = #v[#k];
                        let #y = #v[#n - 1 - #k];
                        #v[#k] = #y;
                        #v[#n - 1 - #k] = #x;
                    }
                })
            }
            _ => return None,
        };
        Some(self.expr(&block))
    }

    /// `v.sort_by(cmp)` and the other sorts of a local array of floats: the permutation that
    /// sorts it, then a gather in that order (see the module's table); `None` for another call.
    fn sorted(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
        let runtime = match m.method.to_string().as_str() {
            "sort_by" | "sort_unstable_by" => "sort_order",
            "sort_by_key" | "sort_unstable_by_key" | "sort_by_cached_key" => "sort_order_by_key",
            _ => return None,
        };
        let v = strip_parens(&m.receiver);
        if !matches!(v, Expr::Path(_)) {
            return None;
        }
        let array = self.local_array(v)?;
        let [order] = m.args.iter().collect::<Vec<_>>()[..] else { return None };
        if self.element_kind(array) != Kind::Float {
            return None;
        }
        let s = m.method.span();
        let mut reads = vec![array];
        // The comparison or key as written (`|a, b| a.total_cmp(b)`, `f64::total_cmp`), its
        // locals renamed; it sees the entries' values only (what it computes is an order).
        let order = match order {
            Expr::Closure(c) => {
                let kept = self.kept_closure(c, &mut reads)?;
                quote::quote!(#kept)
            }
            Expr::Path(p) if self.local(order).is_none() => quote::quote!(#p),
            _ => return None,
        };
        let (runtime, a) = (quote::format_ident!("{}", runtime, span = s), array.ident());
        let tokens = quote::quote_spanned!(s=> ::tapeless::__private::#runtime(&#a[..], #order));
        let at = Loc::of(m);
        let permutation =
            self.emit(Op::Opaque { tokens, reads, what: Opaque::Permutation }, at, Kind::Unknown);
        let hidden = |n: &str| super::iterators::hidden(n, s);
        let (p, c, k) = (hidden("__tapeless_p"), hidden("__tapeless_c"), hidden("__tapeless_k"));
        let gather: Expr = syn::parse_quote_spanned!(s=> {
            let #c = #v.clone();
            for #k in 0..#c.len() {
                #v[#k] = #c[#p[#k]];
            }
        });
        self.scopes.push(Vec::new());
        self.declare(&p.to_string(), Some(Tree::Leaf(permutation)));
        let t = self.expr(&gather);
        self.scopes.pop();
        Some(t)
    }

    /// `std::mem::swap(&mut u, &mut w)` of two local arrays inside a loop: their entries
    /// exchanged (see the module's table), so each keeps its identity across iterations (a loop
    /// cannot carry an array rebound to another); `None` for another call.
    pub(super) fn swapped_arrays(&mut self, c: &syn::ExprCall, span: Loc) -> Option<Tree> {
        let [a, b] = super::scan::swapped(c)?;
        if self.in_loop == 0
            || !matches!((a, b), (Expr::Path(_), Expr::Path(_)))
            || self.local_array(a).is_none()
            || self.local_array(b).is_none()
        {
            return None;
        }
        let s = span.span();
        let (k, t) =
            (super::iterators::hidden("__tapeless_k", s), super::iterators::hidden("__tapeless_t", s));
        let block: Expr = syn::parse_quote_spanned!(s=> {
            ::core::assert_eq!(#a.len(), #b.len(), "`swap` of two arrays of different lengths in the generated items");
            for #k in 0..#a.len() {
                let #t = #a[#k];
                #a[#k] = #b[#k];
                #b[#k] = #t;
            }
        });
        Some(self.expr(&block))
    }
}
