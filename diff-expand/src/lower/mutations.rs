//! Methods that rearrange or overwrite a local array in place, written as the element writes
//! they are, so the derivative follows them (before, each was "called for its effect"):
//!
//! ```text
//! v.copy_from_slice(src)   assert!(v.len() == src.len()); for k in 0..v.len() { v[k] = src[k]; }
//! v[a..b].copy_from_slice(src)       the same over v[a + k], k < b - a
//! v.fill(c)                { let c = c; for k in 0..v.len() { v[k] = c; } }
//! v.swap(i, j)             { let (i, j) = (i, j); let (a, b) = (v[i], v[j]); v[i] = b; v[j] = a; }
//! v.reverse()              { let n = v.len(); for k in 0..n / 2 { v.swap(k, n - 1 - k) } }
//! ```
//!
//! The receiver is a local array named by a path (a `Vec` or `[f64; N]` the function owns); the
//! indices and arguments are evaluated once, as the methods evaluate them.

use super::*;

impl Lowerer<'_> {
    /// The desugared method, lowered; `None` if `m` is not one of the forms above.
    pub(super) fn mutation(&mut self, m: &syn::ExprMethodCall) -> Option<Tree> {
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
}
