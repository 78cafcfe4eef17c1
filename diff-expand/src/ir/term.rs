//! Derivative terms: the expressions a tangent or an adjoint contribution computes, as data.
//!
//! Forward mode asks the rules for each result's tangent (`ṫ = ∂f/∂a · ȧ + ..`) and reverse mode
//! for each operand's contribution (`ā += ∂f/∂a · ȳ`); both get a [`Term`] back, and one printer
//! (`emit::term`) writes every term as Rust. A term names the values it is made of (a primal
//! value, a tangent, an adjoint) rather than their spellings, so what a contribution reads is
//! known from the term itself ([`Term::values`]), and its form (a product, a runtime call, a
//! rule's partial) can be inspected before anything is printed.
//!
//! Two kinds of leaf are not derivative math and pass through as they are: names the emitters
//! own (a call's cotangent `__c3_0`, a hoisted sum, `__fill3`), and [`Term::Verbatim`] pieces
//! that are constants of the form (an index, a nalgebra path, `false`, the user's closure of a
//! `map` in forward mode).

use proc_macro2::TokenStream;

use super::Value;

/// A tangent or adjoint expression.
#[derive(Clone, Debug)]
pub enum Term {
    /// The primal value (`__v3`).
    Value(Value),
    /// Its tangent (`__t3`).
    Tangent(Value),
    /// Its adjoint (`__a3`).
    Adjoint(Value),
    /// A name an emitter owns (a call's cotangent, a hoisted sum, a filled adjoint's scalar).
    Name(syn::Ident),
    /// A zero of the value's shape and type: `zero_tangent(&v)`; `lanes` for a tangent carried in
    /// lanes (`zero_lanes::<__L, _>(&v)`).
    Zero { of: Value, lanes: bool },
    /// The partial derivative `∂y/∂args[i]` of the smooth rule `rule` (`exp_d0(x, y)`).
    Partial { rule: &'static str, i: usize, args: Vec<Value>, y: Value },
    /// `-t`.
    Neg(Box<Term>),
    /// `&t`.
    Ref(Box<Term>),
    /// `&mut t`: a place updated in place.
    MutRef(Box<Term>),
    /// `*t`: the place a reference names.
    Deref(Box<Term>),
    /// `(t)`: parentheses the form asks for where the precedence does not (`&(a - b)`).
    Paren(Box<Term>),
    /// `a + b`, `a - b`, `a * b`, `a / b`.
    Binary(BinOp, Box<Term>, Box<Term>),
    /// `t.method(args)`, with an optional turbofish (`fixed_rows::<2>`).
    Method { receiver: Box<Term>, method: syn::Ident, turbofish: Option<TokenStream>, args: Vec<Term> },
    /// A function of the runtime's hidden module: `::tapeless::__private::f(args)`.
    Runtime { f: syn::Ident, args: Vec<Term> },
    /// A path called with `args` (a nalgebra constructor: `Vector3::new(a, b, c)`).
    Call { path: TokenStream, args: Vec<Term> },
    /// `t[index]`.
    Index(Box<Term>, TokenStream),
    /// `t.field`.
    Field(Box<Term>, syn::Member),
    /// `t as ty`.
    Cast(Box<Term>, TokenStream),
    /// `(a, b, ..,)`: a tuple (a call's cotangent, shaped as its result).
    Tuple(Vec<Term>),
    /// `|a, b| body`: a closure a nalgebra method calls entry by entry (`zip_map`'s).
    Closure { params: Vec<syn::Ident>, body: Box<Term> },
    /// `{ let mut var = init; update; var }`: a value made from `init` by one update in place
    /// (a zero with one entry or its diagonal set).
    Updated { var: syn::Ident, init: Box<Term>, update: Box<Term> },
    /// `a = b`, as an update of [`Term::Updated`].
    Assign(Box<Term>, Box<Term>),
    /// A constant of the form, passed through as written.
    Verbatim(TokenStream),
}

/// The operator of a [`Term::Binary`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl Term {
    pub fn neg(self) -> Term {
        Term::Neg(Box::new(self))
    }

    pub fn by_ref(self) -> Term {
        Term::Ref(Box::new(self))
    }

    pub fn by_mut(self) -> Term {
        Term::MutRef(Box::new(self))
    }

    pub fn deref(self) -> Term {
        Term::Deref(Box::new(self))
    }

    pub fn paren(self) -> Term {
        Term::Paren(Box::new(self))
    }

    pub fn binary(op: BinOp, a: Term, b: Term) -> Term {
        Term::Binary(op, Box::new(a), Box::new(b))
    }

    pub fn add(self, b: Term) -> Term {
        Term::binary(BinOp::Add, self, b)
    }

    pub fn sub(self, b: Term) -> Term {
        Term::binary(BinOp::Sub, self, b)
    }

    pub fn mul(self, b: Term) -> Term {
        Term::binary(BinOp::Mul, self, b)
    }

    pub fn div(self, b: Term) -> Term {
        Term::binary(BinOp::Div, self, b)
    }

    /// `self.method(args)`.
    pub fn method(self, method: &str, args: Vec<Term>) -> Term {
        let method = syn::Ident::new(method, proc_macro2::Span::call_site());
        Term::Method { receiver: Box::new(self), method, turbofish: None, args }
    }

    /// `::tapeless::__private::f(args)`.
    pub fn runtime(f: &str, args: Vec<Term>) -> Term {
        Term::Runtime { f: syn::Ident::new(f, proc_macro2::Span::call_site()), args }
    }

    pub fn index(self, index: TokenStream) -> Term {
        Term::Index(Box::new(self), index)
    }

    /// `self[i][j]..`: an element of an array at the index values `index`.
    pub fn at(self, index: &[Value]) -> Term {
        index.iter().fold(self, |t, i| {
            let i = i.ident();
            t.index(quote::quote!(#i))
        })
    }

    pub fn field(self, member: syn::Member) -> Term {
        Term::Field(Box::new(self), member)
    }

    /// The sum of `terms` (`None` is a symbolic zero and is dropped), added left to right;
    /// `None` if every term is zero.
    pub fn sum(terms: impl IntoIterator<Item = Option<Term>>) -> Option<Term> {
        terms.into_iter().flatten().reduce(Term::add)
    }

    /// The terms this term is made of, in order, for [`Term::values`] and for walks.
    fn children(&self) -> Vec<&Term> {
        match self {
            Term::Value(_)
            | Term::Tangent(_)
            | Term::Adjoint(_)
            | Term::Name(_)
            | Term::Zero { .. }
            | Term::Partial { .. }
            | Term::Verbatim(_) => Vec::new(),
            Term::Neg(t)
            | Term::Ref(t)
            | Term::MutRef(t)
            | Term::Deref(t)
            | Term::Paren(t)
            | Term::Index(t, _)
            | Term::Field(t, _)
            | Term::Cast(t, _) => {
                vec![t]
            }
            Term::Closure { body, .. } => vec![body],
            Term::Binary(_, a, b) | Term::Assign(a, b) => vec![a, b],
            Term::Method { receiver, args, .. } => std::iter::once(&**receiver).chain(args).collect(),
            Term::Runtime { args, .. } | Term::Call { args, .. } | Term::Tuple(args) => args.iter().collect(),
            Term::Updated { init, update, .. } => vec![init, update],
        }
    }

    /// The primal values the term reads (what the reverse sweep must have kept), in order of
    /// first appearance: its `Value` leaves, the values a zero takes its shape from and a
    /// partial's operands and result.
    pub fn values(&self) -> Vec<Value> {
        let mut out = Vec::new();
        self.collect_values(&mut out);
        out
    }

    fn collect_values(&self, out: &mut Vec<Value>) {
        let mut add = |v: Value| {
            if !out.contains(&v) {
                out.push(v);
            }
        };
        match self {
            Term::Value(v) | Term::Zero { of: v, .. } => add(*v),
            Term::Partial { args, y, .. } => {
                for v in args.iter().chain([y]) {
                    add(*v);
                }
            }
            _ => {
                for t in self.children() {
                    t.collect_values(out);
                }
            }
        }
    }
}
