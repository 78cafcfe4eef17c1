//! Parameters written as patterns (`fn f(&[x, y]: &[f64; 2])`, `fn g((a, b): (f64, f64))`), as
//! published test functions write them: the generated items name each such parameter (after
//! the names its pattern binds, `x_y`) and take it apart by a `let` at the top of their body,
//! spanned at the pattern. The user's function stays as written.

use quote::format_ident;
use syn::{FnArg, Pat};

/// The name the generated items give the parameter `index` of `sig` if it is written as a
/// pattern (not a plain name): the names it binds joined by `_` (`x_y`), or `arg{index}`,
/// made distinct from the other parameters' names. `None` for a plain name or `self`.
pub fn parameter_name(sig: &syn::Signature, index: usize) -> Option<syn::Ident> {
    let FnArg::Typed(typed) = sig.inputs.iter().nth(index)? else { return None };
    if matches!(&*typed.pat, Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none()) {
        return None;
    }
    let taken: Vec<String> = sig
        .inputs
        .iter()
        .filter_map(|a| match a {
            FnArg::Typed(t) => match &*t.pat {
                Pat::Ident(p) => Some(p.ident.to_string()),
                _ => None,
            },
            FnArg::Receiver(_) => None,
        })
        .collect();
    let mut names = Vec::new();
    bound_names(&typed.pat, &mut names);
    let mut name = if names.is_empty() { format!("arg{index}") } else { names.join("_") };
    while taken.contains(&name) {
        name = format!("{name}_{index}");
    }
    Some(format_ident!("{}", name, span = syn::spanned::Spanned::span(&typed.pat)))
}

/// The parameter `index` of `sig` written as a pattern: the pattern as written (`&[x, y]`) and
/// the names it binds (`x`, `y`), which `wrt(..)` may list instead of [`parameter_name`].
pub fn pattern_names(sig: &syn::Signature, index: usize) -> Option<(String, Vec<String>)> {
    parameter_name(sig, index)?;
    let FnArg::Typed(typed) = sig.inputs.iter().nth(index)? else { return None };
    let mut names = Vec::new();
    syn::visit::Visit::visit_pat(&mut Names { out: &mut names, trim: false }, &typed.pat);
    let pat = &typed.pat;
    let text = quote::quote!(#pat).to_string().replace(" ,", ",").replace("[ ", "[").replace(" ]", "]");
    Some((text.replace("& ", "&").replace("( ", "(").replace(" )", ")"), names))
}

thread_local! {
    /// The parameters of the function being expanded that were written as patterns: the name
    /// [`named`] gave each, and the pattern as written, for messages.
    static WRITTEN: std::cell::RefCell<Vec<(String, String)>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A parameter as the user wrote it: the pattern of one [`named`] renamed to `name` (while the
/// function is being expanded), else `name` itself.
pub fn as_written(name: &str) -> String {
    WRITTEN
        .with(|w| w.borrow().iter().find(|(n, _)| n == name).map(|(_, p)| p.clone()))
        .unwrap_or_else(|| name.to_string())
}

/// Runs `f` with the patterns of `sig`'s parameters known to [`as_written`].
pub fn with_written<R>(sig: &syn::Signature, f: impl FnOnce() -> R) -> R {
    let written: Vec<(String, String)> = (0..sig.inputs.len())
        .filter_map(|i| Some((parameter_name(sig, i)?.to_string(), pattern_names(sig, i)?.0)))
        .collect();
    let outer = WRITTEN.with(|w| std::mem::replace(&mut *w.borrow_mut(), written));
    let out = f();
    WRITTEN.with(|w| *w.borrow_mut() = outer);
    out
}

/// `item_fn` with every parameter pattern that is not a plain name replaced by its
/// [`parameter_name`], and a `let PATTERN = name;` first in the body; `None` if every parameter
/// is a name already.
pub fn named(item_fn: &syn::ItemFn) -> Option<syn::ItemFn> {
    let mut out = item_fn.clone();
    let mut lets = Vec::new();
    for (i, arg) in out.sig.inputs.iter_mut().enumerate() {
        let (FnArg::Typed(typed), Some(ident)) = (arg, parameter_name(&item_fn.sig, i)) else { continue };
        let pat = (*typed.pat).clone();
        let span = syn::spanned::Spanned::span(&pat);
        *typed.pat = syn::parse_quote_spanned!(span=> #ident);
        lets.push(syn::parse_quote_spanned!(span=> let #pat = #ident;));
    }
    if lets.is_empty() {
        return None;
    }
    lets.append(&mut out.block.stmts);
    out.block.stmts = lets;
    Some(out)
}

/// The names a pattern binds, in order, without leading underscores.
fn bound_names(pat: &Pat, out: &mut Vec<String>) {
    syn::visit::Visit::visit_pat(&mut Names { out: &mut *out, trim: true }, pat);
    out.retain(|n| !n.is_empty());
}

/// Collects the names a pattern binds (`trim`: without leading underscores).
struct Names<'a> {
    out: &'a mut Vec<String>,
    trim: bool,
}

impl<'ast> syn::visit::Visit<'ast> for Names<'_> {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        let name = p.ident.to_string();
        self.out.push(if self.trim { name.trim_start_matches('_').to_string() } else { name });
        syn::visit::visit_pat_ident(self, p);
    }
}

/// `wrt(..)` with the names a parameter pattern binds (`x`, `y` of `&[x, y]: &[f64; 2]`)
/// replaced by the parameter's generated name ([`parameter_name`]), when every one of
/// them is listed; listing some of them is an error (the parameter is differentiated whole).
pub fn pattern_wrt(sig: &syn::Signature, names: &[syn::Ident], cx: &crate::ctxt::Ctxt) -> Vec<syn::Ident> {
    let patterns: Vec<(syn::Ident, String, Vec<String>)> = (0..sig.inputs.len())
        .filter_map(|i| {
            let name = parameter_name(sig, i)?;
            let (text, bound) = pattern_names(sig, i)?;
            Some((name, text, bound))
        })
        .collect();
    let mut out = Vec::new();
    let mut listed: Vec<Vec<&syn::Ident>> = vec![Vec::new(); patterns.len()];
    for name in names {
        let of_pattern = patterns.iter().position(|(_, _, bound)| bound.iter().any(|b| name == b));
        match of_pattern {
            Some(k) => listed[k].push(name),
            None => out.push(name.clone()),
        }
    }
    for ((generated, text, bound), listed) in patterns.iter().zip(listed) {
        let Some(first) = listed.first() else { continue };
        if bound.iter().all(|b| listed.iter().any(|l| *l == b)) {
            out.push(syn::Ident::new(&generated.to_string(), first.span()));
        } else {
            cx.error(
                first.span(),
                crate::diagnostics::Diagnostic::WrtPartOfPattern {
                    name: first.to_string(),
                    pattern: text.clone(),
                    names: bound.join(", "),
                },
            );
        }
    }
    out
}
