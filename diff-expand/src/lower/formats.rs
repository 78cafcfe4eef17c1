//! Format strings that capture locals (`println!("x = {x}")`, `assert!(v > 0.0, "{v:.3}")`,
//! `format!("{:w$}", s)`): the renaming of locals to SSA values cannot reach inside the string,
//! so each captured local is passed as an explicit named argument (`x = x`), which the renaming
//! then reaches like any other argument. The string itself is kept as written.

use syn::punctuated::Punctuated;
use syn::{Expr, Token};

use super::Lowerer;

/// The index of the format string among a formatting macro's arguments, or `None` for a macro
/// that does not format (`vec!`).
fn format_string_index(name: &str) -> Option<usize> {
    match name {
        "format" | "print" | "println" | "eprint" | "eprintln" | "panic" | "unreachable" | "todo"
        | "unimplemented" | "format_args" => Some(0),
        "assert" | "debug_assert" | "write" | "writeln" => Some(1),
        "assert_eq" | "assert_ne" | "debug_assert_eq" | "debug_assert_ne" => Some(2),
        _ => None,
    }
}

/// The names a format string reads implicitly: `{x}`, `{x:?}`, and the widths and precisions
/// `{:w$}`, `{v:.p$}`. Positional references (`{0}`) and `{{` escapes are not names.
fn captured_names(text: &str) -> Vec<String> {
    let identifier = |s: &str| {
        !s.is_empty()
            && !s.starts_with(|c: char| c.is_ascii_digit())
            && s.chars().all(|c| c.is_alphanumeric() || c == '_')
    };
    let mut names: Vec<String> = Vec::new();
    let mut push = |name: &str| {
        if identifier(name) && !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    };
    let mut rest = text;
    while let Some(open) = rest.find('{') {
        rest = &rest[open + 1..];
        if let Some(after) = rest.strip_prefix('{') {
            rest = after;
            continue;
        }
        let end = rest.find('}').unwrap_or(rest.len());
        let inside = &rest[..end];
        let (argument, spec) = inside.split_once(':').unwrap_or((inside, ""));
        push(argument.trim());
        // `w$` in the spec: the identifier before each `$`.
        let mut spec = spec;
        while let Some(dollar) = spec.find('$') {
            let before = &spec[..dollar];
            let start = before.rfind(|c: char| !(c.is_alphanumeric() || c == '_')).map_or(0, |i| i + 1);
            push(&before[start..]);
            spec = &spec[dollar + 1..];
        }
        rest = &rest[end..];
    }
    names
}

/// The name of an explicit named argument (`x = expr`).
pub(super) fn named_argument(e: &Expr) -> Option<&syn::Ident> {
    match e {
        Expr::Assign(a) => argument_name(a),
        _ => None,
    }
}

/// The name `x` of `x = expr`, if the left side is a plain name.
pub(super) fn argument_name(a: &syn::ExprAssign) -> Option<&syn::Ident> {
    match &*a.left {
        Expr::Path(p) => p.path.get_ident(),
        _ => None,
    }
}

/// Appends `x = x` to the arguments of the formatting macro `name` for each local its format
/// string captures and no named argument gives.
pub(super) fn explicit_captures(l: &Lowerer, name: &str, args: &mut Punctuated<Expr, Token![,]>) {
    let Some(index) = format_string_index(name) else { return };
    let Some(Expr::Lit(syn::ExprLit { lit: syn::Lit::Str(text), .. })) = args.iter().nth(index) else {
        return;
    };
    let span = text.span();
    let given: Vec<String> = args.iter().filter_map(named_argument).map(ToString::to_string).collect();
    for name in captured_names(&text.value()) {
        if given.contains(&name) || l.slot(&name).is_none() {
            continue;
        }
        let ident = syn::Ident::new(&name, span);
        args.push(syn::parse_quote_spanned!(span=> #ident = #ident));
    }
}

#[cfg(test)]
mod tests {
    use super::captured_names;

    #[test]
    fn names_in_format_strings() {
        assert_eq!(captured_names("x = {x}, {y:?} {{z}} {0} {}"), ["x", "y"]);
        assert_eq!(captured_names("{v:>w$.p$} {:.prec$}"), ["v", "w", "p", "prec"]);
        assert_eq!(captured_names("{a}{b:#?}{a}"), ["a", "b"]);
        assert!(captured_names("no braces } here {").is_empty());
    }
}
