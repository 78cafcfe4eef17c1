//! When a value written where it is read ([`super::inline`]) needs parentheses.
//!
//! The flatten pass used to write every such expression in parentheses: `(__v0 * 0.999) +
//! (__v1 * 0.001)`. At 4 000 statements that was some 57 000 groups, each built, written and
//! parsed again. An expression goes in without them when Rust parses the result as the same tree,
//! which this module decides from the expression's loosest operator and the tokens on either
//! side of the mention:
//!
//! - the expression's [`strength`]: atomic (a name, a literal, a call, a method or a field), a
//!   unary prefix (`-x`), or the loosest binary operator at its top level (`*`, `/`, `%` bind
//!   tighter than `+`, `-`); anything else (a cast, a comparison, a range, a block) is unknown
//!   and always keeps its parentheses;
//! - the mention's [`context`]: a neutral side (the start or end of a group, `,`, `;`, an
//!   assignment's `=`), or an arithmetic operator on its left or right. Any other neighbour (a
//!   method call, an index, `as`, `&`, a keyword, `==`) keeps the parentheses.
//!
//! The expression goes in bare if its loosest operator binds tighter than the operator on its
//! left (`a - (b - c)` is not `a - b - c`, and for floats not even `a + (b + c)` is `a + b + c`)
//! and at least as tightly as the one on its right (all arithmetic operators group to the left,
//! so `(a * b) + c` and `(a - b) + c` parse as `a * b + c` and `a - b + c`). The tree, and so the
//! order of every floating-point operation, is unchanged.

use super::tokens::Tok;
use proc_macro2::{Delimiter, Spacing};

/// A side of a mention where nothing binds to it.
const NEUTRAL: u8 = 0;
/// `+`, `-`.
const ADDITIVE: u8 = 2;
/// `*`, `/`, `%`.
const MULTIPLICATIVE: u8 = 3;
/// A unary prefix and no binary operator (`-x`, `-x.sin()`).
const UNARY: u8 = 4;
/// No operator at all: a name, a literal, a call, a method or a field.
const ATOMIC: u8 = 5;
/// A neighbour or an expression this module does not reason about.
const UNKNOWN: u8 = 15;

/// How tightly the expression `tokens` holds together at its top level (see the module doc).
pub(super) fn strength(tokens: &[Tok]) -> u8 {
    let mut loosest = ATOMIC;
    let mut unary = false;
    let mut operand = true; // expecting an operand
    for (k, tt) in tokens.iter().enumerate() {
        match tt {
            Tok::Punct(p) => {
                let c = p.as_char();
                let alone = p.spacing() == Spacing::Alone;
                match c {
                    // A method or field (not `..`).
                    '.' if alone && !operand && !(k > 0 && tokens[k - 1].is_punct('.')) => {}
                    // A path's `::`.
                    ':' => {}
                    '-' | '*' | '!' if operand && alone => unary = true,
                    '+' | '-' | '*' | '/' | '%' if !operand && alone => {
                        loosest = loosest.min(precedence(c));
                        operand = true;
                    }
                    _ => return UNKNOWN,
                }
            }
            Tok::Ident(..) => {
                // After `.` or `::` a member or a segment; otherwise an operand.
                let member = k > 0 && (tokens[k - 1].is_punct('.') || tokens[k - 1].is_punct(':'));
                if !operand && !member {
                    return UNKNOWN;
                }
                operand = false;
            }
            Tok::Literal(lit) => {
                // A negative number is a `-` and a number to rustc.
                if k == 0 && lit.to_string().starts_with('-') {
                    unary = true;
                }
                operand = false;
            }
            // An operand in parentheses or brackets, or a call's arguments, or an index.
            Tok::Group(Delimiter::Parenthesis | Delimiter::Bracket, ..) => operand = false,
            Tok::Group(..) => return UNKNOWN,
        }
    }
    match (operand, loosest, unary) {
        (true, ..) => UNKNOWN,
        (false, ATOMIC, true) => UNARY,
        (false, loosest, _) => loosest,
    }
}

fn precedence(c: char) -> u8 {
    if c == '+' || c == '-' { ADDITIVE } else { MULTIPLICATIVE }
}

/// What binds to a mention at `i` in `tokens` (a group's): the left side in the low four bits,
/// the right side in the high four.
pub(super) fn context(tokens: &[Tok], i: usize) -> u8 {
    left(tokens, i) | (right(tokens, i) << 4)
}

fn left(tokens: &[Tok], i: usize) -> u8 {
    let Some(before) = i.checked_sub(1).map(|k| &tokens[k]) else { return NEUTRAL };
    let Tok::Punct(p) = before else { return UNKNOWN };
    let c = p.as_char();
    match c {
        ',' | ';' => NEUTRAL,
        // An assignment, plain or compound, not `==`, `<=`, `>=`, `!=`.
        '=' if p.spacing() == Spacing::Alone => match i.checked_sub(2).map(|k| &tokens[k]) {
            Some(Tok::Punct(q))
                if q.spacing() == Spacing::Joint && matches!(q.as_char(), '=' | '<' | '>' | '!') =>
            {
                UNKNOWN
            }
            _ => NEUTRAL,
        },
        // A binary operator: an operand ends before it (a keyword such as `return` would make
        // it unary, so a name counts only if it is one of ours).
        '+' | '-' | '*' | '/' | '%' if p.spacing() == Spacing::Alone => {
            let operand = match i.checked_sub(2).map(|k| &tokens[k]) {
                Some(Tok::Ident(_, s)) => s.ours(),
                Some(Tok::Literal(_)) => true,
                Some(Tok::Group(d, ..)) => matches!(d, Delimiter::Parenthesis | Delimiter::Bracket),
                _ => false,
            };
            if operand { precedence(c) } else { UNKNOWN }
        }
        _ => UNKNOWN,
    }
}

fn right(tokens: &[Tok], i: usize) -> u8 {
    match tokens.get(i + 1) {
        None => NEUTRAL,
        Some(Tok::Punct(p)) if p.spacing() == Spacing::Alone => match p.as_char() {
            ',' | ';' => NEUTRAL,
            c @ ('+' | '-' | '*' | '/' | '%') => precedence(c),
            _ => UNKNOWN,
        },
        _ => UNKNOWN,
    }
}

/// Whether an expression of `strength` needs parentheses at a mention of `context`.
pub(super) fn needed(strength: u8, context: u8) -> bool {
    let (left, right) = (context & 0xf, context >> 4);
    if strength == UNKNOWN {
        return true;
    }
    let left_ok = left == NEUTRAL || (left != UNKNOWN && strength > left);
    let right_ok = right == NEUTRAL || (right != UNKNOWN && strength >= right);
    !(left_ok && right_ok)
}

#[cfg(test)]
mod tests {
    use super::super::tokens::Symbols;
    use super::{context, needed, strength};
    use quote::quote;

    /// `expr` written in place of `__m` in `around`, with or without parentheses, as text.
    fn place(expr: proc_macro2::TokenStream, around: proc_macro2::TokenStream) -> String {
        let mut symbols = Symbols::default();
        let expr = symbols.read(expr);
        let around = symbols.read(around);
        let at = around.iter().position(|t| matches!(t, super::Tok::Ident(i, _) if i == "__m")).unwrap_or(0);
        let parens = needed(strength(&expr), context(&around, at));
        let expr = super::super::tokens::write(expr).to_string();
        if parens { format!("({expr})") } else { expr }
    }

    #[test]
    fn parentheses_stay_exactly_where_the_parse_would_change() {
        let cases = [
            // Neutral sides: anything known goes in bare.
            (quote!(__v0 * 0.5), quote!(__a = __m;), "__v0 * 0.5"),
            (quote!(__v0 + __v1), quote!(__m, 1.0), "__v0 + __v1"),
            (quote!(-__v0), quote!(__a = __m;), "- __v0"),
            // Tighter than the left, at least as tight as the right.
            (quote!(__v0 * 0.5), quote!(__v1 + __m + __v2), "__v0 * 0.5"),
            (quote!(__v0 * 0.5), quote!(__m * __v2), "__v0 * 0.5"),
            (quote!(__v0 - __v1), quote!(__m + __v2), "__v0 - __v1"),
            (quote!(__v0.sin()), quote!(__v1 * __m), "__v0 . sin ()"),
            // Not tighter than the left: float sums do not reassociate.
            (quote!(__v0 + __v1), quote!(__v2 + __m), "(__v0 + __v1)"),
            (quote!(__v0 * __v1), quote!(__v2 * __m), "(__v0 * __v1)"),
            (quote!(__v0 + __v1), quote!(__m * __v2), "(__v0 + __v1)"),
            // Other neighbours: a method, an index, a cast, a comparison, a keyword.
            (quote!(__v0 * __v1), quote!(__m.sin()), "(__v0 * __v1)"),
            (quote!(-__v0), quote!(__m.sin()), "(- __v0)"),
            (quote!(__v0 * __v1), quote!(__m as f32), "(__v0 * __v1)"),
            (quote!(__v0 * __v1), quote!(x == __m), "(__v0 * __v1)"),
            (quote!(__v0 * __v1), quote!(return -__m), "(__v0 * __v1)"),
            (quote!(__v0 * __v1), quote!(__m[0]), "(__v0 * __v1)"),
            // Unknown expressions: a cast, a range, a comparison.
            (quote!(__v0 as f64), quote!(__a = __m;), "(__v0 as f64)"),
            (quote!(__v0..__v1), quote!(__a = __m;), "(__v0 .. __v1)"),
            (quote!(__v0 < __v1), quote!(__a = __m;), "(__v0 < __v1)"),
        ];
        for (expr, around, want) in cases {
            assert_eq!(place(expr.clone(), around.clone()), want, "{expr} in {around}");
        }
    }

    #[test]
    fn a_negative_number_first_is_a_unary_minus() {
        let expr = quote!(__v9);
        let mut symbols = Symbols::default();
        let mut lit = symbols.read(expr);
        lit[0] = super::Tok::Literal(proc_macro2::Literal::f64_unsuffixed(-0.5));
        assert_eq!(strength(&lit), super::UNARY);
        let around = symbols.read(quote!(__m.sin()));
        assert!(needed(strength(&lit), context(&around, 0)));
    }
}
