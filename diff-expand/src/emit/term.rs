//! The one printer of derivative terms ([`crate::ir::Term`]) as Rust, for forward and reverse
//! mode alike.
//!
//! Parentheses come from precedence: a binary operand binding less tightly than its operator (or
//! as tightly, on the right) is parenthesised, and so is a unary operand or a receiver that is
//! not an atom; a [`Term::Paren`] adds them where the form wants them anyway. Operators, method
//! and runtime function names carry the instruction's span, so that a type error in a term
//! points at the user's expression; value names keep their own (mixed-site) spans.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};

use crate::ir::{BinOp, Pattern, Statement, Term};

/// How tightly a term binds, loosest first: a term printed where a tighter one is needed is
/// parenthesised.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Prec {
    Assign,
    Sum,
    Product,
    Cast,
    Prefix,
    Postfix,
    Atom,
}

fn prec(t: &Term) -> Prec {
    match t {
        Term::Assign(..) | Term::Closure { .. } => Prec::Assign,
        Term::Binary(BinOp::Add | BinOp::Sub, ..) => Prec::Sum,
        Term::Binary(BinOp::Mul | BinOp::Div, ..) => Prec::Product,
        Term::Cast(..) => Prec::Cast,
        Term::Neg(_) | Term::Ref(_) | Term::MutRef(_) | Term::Deref(_) => Prec::Prefix,
        Term::Method { .. } | Term::Index(..) | Term::Field(..) => Prec::Postfix,
        _ => Prec::Atom,
    }
}

/// `term` as Rust, its operators under `span`.
pub fn print(term: &Term, span: Span) -> TokenStream {
    let at = |t: &Term, least: Prec| {
        let tokens = print(t, span);
        if prec(t) < least { quote_spanned!(span=> (#tokens)) } else { tokens }
    };
    let list = |args: &[Term]| -> Vec<TokenStream> { args.iter().map(|a| print(a, span)).collect() };
    let p = quote_spanned!(span=> ::tapeless::__private);
    match term {
        Term::Value(v) => v.ident().into_token_stream(),
        Term::Tangent(v) => super::tangent(*v).into_token_stream(),
        Term::Adjoint(v) => super::adjoint(*v).into_token_stream(),
        Term::Name(n) => n.into_token_stream(),
        Term::Zero { of, lanes: false } => super::zero(*of),
        Term::Zero { of, lanes: true } => {
            let (lanes, v, p) = (crate::jacobian::lanes::param(), of.ident(), super::private());
            quote!(#p::zero_lanes::<#lanes, _>(&#v))
        }
        Term::Partial { rule, i, args, y } => super::partial(rule, *i, args, *y, span),
        Term::Neg(t) => {
            let t = at(t, Prec::Prefix);
            quote_spanned!(span=> -#t)
        }
        Term::Ref(t) => {
            let t = at(t, Prec::Prefix);
            quote_spanned!(span=> &#t)
        }
        Term::MutRef(t) => {
            let t = at(t, Prec::Prefix);
            quote_spanned!(span=> &mut #t)
        }
        Term::Deref(t) => {
            let t = at(t, Prec::Prefix);
            quote_spanned!(span=> *#t)
        }
        Term::Paren(t) => {
            let t = print(t, span);
            quote_spanned!(span=> (#t))
        }
        Term::Tuple(items) => {
            let items = list(items);
            quote_spanned!(span=> (#(#items,)*))
        }
        Term::Closure { params, body } => {
            let body = print(body, span);
            quote_spanned!(span=> |#(#params),*| #body)
        }
        Term::Binary(op, a, b) => {
            let least = prec(term);
            let (a, b) = (at(a, least), at(b, next(least)));
            match op {
                BinOp::Add => quote_spanned!(span=> #a + #b),
                BinOp::Sub => quote_spanned!(span=> #a - #b),
                BinOp::Mul => quote_spanned!(span=> #a * #b),
                BinOp::Div => quote_spanned!(span=> #a / #b),
            }
        }
        Term::Method { receiver, method, turbofish, args } => {
            let (receiver, method, args) = (at(receiver, Prec::Postfix), respan(method, span), list(args));
            quote_spanned!(span=> #receiver.#method #turbofish(#(#args),*))
        }
        Term::Runtime { f, args } => {
            let (f, args) = (respan(f, span), list(args));
            quote_spanned!(span=> #p::#f(#(#args),*))
        }
        Term::Call { path, args } => {
            let args = list(args);
            quote_spanned!(span=> #path(#(#args),*))
        }
        Term::Index(t, index) => {
            let t = at(t, Prec::Postfix);
            quote_spanned!(span=> #t[#index])
        }
        Term::Field(t, member) => {
            let t = at(t, Prec::Postfix);
            quote_spanned!(span=> #t.#member)
        }
        Term::Cast(t, ty) => {
            let t = at(t, Prec::Cast);
            quote_spanned!(span=> #t as #ty)
        }
        Term::Updated { var, init, update } => {
            let (init, update) = (print(init, span), print(update, span));
            quote_spanned!(span=> {
                let mut #var = #init;
                #update;
                #var
            })
        }
        Term::Assign(a, b) => {
            let (a, b) = (at(a, Prec::Postfix), at(b, Prec::Sum));
            quote_spanned!(span=> #a = #b)
        }
        Term::Verbatim(tokens) => tokens.clone(),
    }
}

/// `s` as Rust, its keywords and operators under `span`.
pub fn statement(s: &Statement, span: Span) -> TokenStream {
    let block = |b: &[Statement]| -> TokenStream { b.iter().map(|s| statement(s, span)).collect() };
    match s {
        Statement::Let { pattern, mutable, ty, value } => {
            let (pattern, value) = (self::pattern(pattern, *mutable), print(value, span));
            match ty {
                Some(ty) => quote_spanned!(span=> let #pattern: #ty = #value;),
                None => quote_spanned!(span=> let #pattern = #value;),
            }
        }
        Statement::Set { place, value } => {
            let (place, value) = (print(place, span), print(value, span));
            quote_spanned!(span=> #place = #value;)
        }
        Statement::AddTo { place, value } => {
            let (place, value) = (print(place, span), print(value, span));
            quote_spanned!(span=> #place += #value;)
        }
        Statement::Effect(t) => {
            let t = print(t, span);
            quote_spanned!(span=> #t;)
        }
        Statement::Scope(b) => {
            let b = block(b);
            quote_spanned!(span=> { #b })
        }
        Statement::When { cond, then } => {
            let (cond, then) = (print(cond, span), block(then));
            quote_spanned!(span=> if #cond { #then })
        }
        Statement::ZeroEach { array, element } => {
            let (array, p) = (print(array, span), super::private());
            quote_spanned!(span=> for #element in #array.iter_mut() { *#element = #p::zero_tangent(&*#element); })
        }
        Statement::Rerun { pullback, call } => quote_spanned!(span=> let (_, #pullback) = #call;),
        Statement::Pop { stack, names } => {
            quote_spanned!(span=> let ::core::option::Option::Some((#(#names,)*)) = #stack.pop() else { break };)
        }
    }
}

/// What a `let` binds, as Rust: a tuple of several names in parentheses, each name `mut` when
/// `mutable`.
fn pattern(p: &Pattern, mutable: bool) -> TokenStream {
    let name = |n: TokenStream| if mutable { quote!(mut #n) } else { n };
    match p {
        Pattern::Name(n) => name(n.into_token_stream()),
        Pattern::Adjoint(v) => name(super::adjoint(*v).into_token_stream()),
        Pattern::Tuple(items) => {
            let items = items.iter().map(|p| pattern(p, mutable));
            quote!((#(#items,)*))
        }
    }
}

/// The precedence a right operand of an operator of precedence `p` needs (binary operators
/// associate to the left).
fn next(p: Prec) -> Prec {
    match p {
        Prec::Assign => Prec::Sum,
        Prec::Sum => Prec::Product,
        Prec::Product => Prec::Cast,
        Prec::Cast => Prec::Prefix,
        Prec::Prefix => Prec::Postfix,
        Prec::Postfix | Prec::Atom => Prec::Atom,
    }
}

fn respan(ident: &syn::Ident, span: Span) -> syn::Ident {
    format_ident!("{}", ident, span = span)
}

use quote::ToTokens;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ir::Value;

    fn printed(t: &Term) -> String {
        print(t, Span::call_site()).to_string()
    }

    #[test]
    fn parentheses_follow_precedence() {
        let (a, b, c) = (Term::Value(Value(1)), Term::Tangent(Value(2)), Term::Adjoint(Value(3)));
        // Left-associative: a right operand of the same precedence is parenthesised.
        assert_eq!(printed(&a.clone().sub(b.clone()).sub(c.clone())), "__v1 - __t2 - __a3");
        assert_eq!(printed(&a.clone().sub(b.clone().sub(c.clone()))), "__v1 - (__t2 - __a3)");
        assert_eq!(printed(&a.clone().add(b.clone()).mul(c.clone())), "(__v1 + __t2) * __a3");
        assert_eq!(printed(&a.clone().mul(b.clone().div(c.clone()))), "__v1 * (__t2 / __a3)");
        assert_eq!(printed(&a.clone().mul(b.clone()).neg().div(c.clone())), "- (__v1 * __t2) / __a3");
        let dot = a.clone().sub(b.clone()).method("dot", vec![c.clone().by_ref()]);
        assert_eq!(printed(&dot), "(__v1 - __t2) . dot (& __a3)");
        assert_eq!(printed(&c.clone().method("sum", vec![]).neg()), "- __a3 . sum ()");
        assert_eq!(printed(&b.paren().by_ref()), "& (__t2)");
    }

    #[test]
    fn statements_print_as_rust() {
        let printed = |s: &Statement| statement(s, Span::call_site()).to_string();
        let (a, y, i) = (Term::Adjoint(Value(3)), Term::Adjoint(Value(4)), Value(5));
        let p = "tapeless :: __private ::";
        let element = Statement::accumulate(a.clone().at(&[i, Value(6)]), y.clone());
        assert_eq!(printed(&element), format!(":: {p} accumulate (& mut __a3 [__v5] [__v6] , __a4) ;"));
        let taken = Term::runtime("take", vec![a.clone().at(&[i]).by_mut()]);
        let name = format_ident!("__taken0");
        assert_eq!(
            printed(&Statement::bind(Pattern::Name(name.clone()), taken)),
            format!("let __taken0 = :: {p} take (& mut __a3 [__v5]) ;")
        );
        let pair = Pattern::Tuple(vec![Pattern::Name(name.clone()), Pattern::Adjoint(Value(7))]);
        let call = Term::Call { path: quote!(pb), args: vec![Term::Tuple(vec![y.clone(), a.clone()])] };
        assert_eq!(
            printed(&Statement::bind_mut(pair, call)),
            "let (mut __taken0 , mut __a7 ,) = pb ((__a4 , __a3 ,)) ;"
        );
        let when = Statement::When {
            cond: Term::runtime("is_nonzero", vec![Term::Name(name.clone())]),
            then: vec![Statement::AddTo { place: a.clone().index(quote!(0)), value: Term::Name(name) }],
        };
        assert_eq!(printed(&when), format!("if :: {p} is_nonzero (__taken0) {{ __a3 [0] += __taken0 ; }}"));
    }

    #[test]
    fn a_term_names_what_it_reads() {
        let partial = Term::Partial { rule: "exp", i: 0, args: vec![Value(4)], y: Value(5) };
        let term = partial
            .mul(Term::Adjoint(Value(5)))
            .add(Term::Zero { of: Value(6), lanes: false })
            .add(Term::Value(Value(4)).mul(Term::Tangent(Value(7))));
        // Adjoints and tangents are not primal reads; each value once, in order.
        assert_eq!(term.values(), vec![Value(4), Value(5), Value(6)]);
    }
}
