//! The tangents of the adjoint program's terms and statements: sum, product and quotient rules,
//! a rule's partial at dual numbers, the runtime's adjoint helpers, and which adjoints have a
//! tangent at all.

use super::super::*;
use super::adjoint_tangent;
use super::calls::pullback_call;
use super::{Tangent, Unsupported, call_site};
use crate::ir::BinOp;

/// What the adjoint program writes: an adjoint, or a name of its own (a loop's carried
/// adjoint, a hoisted sum, a register of shifted loads, the seed).
#[derive(Clone, PartialEq, Eq, Hash)]
pub(super) enum Key {
    Adjoint(Value),
    Name(String),
}

/// `__x_h`: the tangent of the program's name `__x`.
pub(super) fn name_tangent(n: &syn::Ident) -> syn::Ident {
    format_ident!("{}_h", n, span = n.span())
}

/// The tangents of the adjoint program's terms and statements.
pub(crate) struct Tangents<'i> {
    pub(super) input: &'i Input<'i>,
    /// The adjoints and names with a tangent variable: some contribution to them has a nonzero
    /// tangent.
    pub(super) nonzero: HashSet<Key>,
    /// The names the program binds (by `let`).
    pub(super) names: HashSet<String>,
    /// A statement met while printing that has no tangent here: the `_hvp` is the copy's.
    pub(super) failed: std::cell::Cell<bool>,
}

impl Tangents<'_> {
    /// Finds which adjoints have a tangent: those a contribution with a nonzero tangent
    /// reaches, over `statements` until nothing changes (an adjoint read before a later
    /// contribution, as a branch's or loop's may be, is seen on the next pass).
    pub(super) fn settle(&mut self, statements: &[Statement]) -> Result<(), Unsupported> {
        for s in statements {
            if let Statement::Let { pattern, .. } = s {
                bound_names(pattern, &mut self.names);
            }
        }
        loop {
            let before = self.nonzero.len();
            self.reach(statements)?;
            if self.nonzero.len() == before {
                return Ok(());
            }
        }
    }

    /// One pass of [`Tangents::settle`]: marks what each of `statements` (and the statements
    /// of each `if` among them) adds a nonzero tangent to.
    fn reach(&mut self, statements: &[Statement]) -> Result<(), Unsupported> {
        for s in statements {
            if let Some((pattern, ..)) = pullback_call(s) {
                // The cotangents move with the point the pullback is taken at, whatever `ȳ'`.
                let mut names = HashSet::new();
                bound_names(pattern, &mut names);
                self.nonzero.extend(names.into_iter().map(Key::Name));
            } else if let Statement::When { then, .. } = s {
                self.reach(then)?;
            } else if let Some((key, _, Some(_))) = self.contribution(s)? {
                self.nonzero.insert(key);
            }
        }
        Ok(())
    }

    /// The statements that follow `s` with its tangent; none, and the printing marked failed,
    /// where it has none here.
    pub(crate) fn after(&self, s: &Statement) -> Vec<Statement> {
        self.statement(s).unwrap_or_else(|Unsupported| {
            self.failed.set(true);
            Vec::new()
        })
    }

    /// The tangent of `t`.
    pub(super) fn of(&self, t: &Term) -> Tangent {
        Ok(match t {
            // A float (also one whose kind the syntax did not show, `std::f64::consts::LN_2`).
            Term::Value(v) if self.input.scalars.contains(v) => {
                self.input.act.active(*v).then_some(Term::Tangent(*v))
            }
            Term::Value(v) => match self.input.f.info(*v).kind {
                crate::ir::Kind::Discrete => None,
                // An array of floats, read whole (a copy's adjoint added into its source's), or
                // a value of unknown shape (a call's result).
                crate::ir::Kind::Array(_) | crate::ir::Kind::Unknown | crate::ir::Kind::Float => {
                    self.input.act.active(*v).then_some(Term::Tangent(*v))
                }
                crate::ir::Kind::Heap => return Err(Unsupported),
            },
            Term::Adjoint(v) => {
                self.nonzero.contains(&Key::Adjoint(*v)).then(|| Term::Name(adjoint_tangent(*v)))
            }
            Term::Name(n) if self.names.contains(&n.to_string()) => {
                self.nonzero.contains(&Key::Name(n.to_string())).then(|| Term::Name(name_tangent(n)))
            }
            Term::Zero { lanes: false, .. } => None,
            Term::Partial { rule, i, args, y } => self.partial(rule, *i, args, *y)?,
            Term::Neg(a) => self.of(a)?.map(Term::neg),
            Term::Paren(a) => self.of(a)?.map(Term::paren),
            Term::Ref(a) => self.of(a)?.map(Term::by_ref),
            Term::Index(a, index) => self.of(a)?.map(|t| t.index(index.clone())),
            Term::Binary(op, a, b) => {
                let (ta, tb) = (self.of(a)?, self.of(b)?);
                let (a, b) = (a.as_ref().clone(), b.as_ref().clone());
                match op {
                    BinOp::Add => Term::sum([ta, tb]),
                    BinOp::Sub => difference(ta, tb),
                    // (a b)' = a' b + a b'
                    BinOp::Mul => Term::sum([ta.map(|ta| ta.mul(b.clone())), tb.map(|tb| a.mul(tb))]),
                    // (a / b)' = a' / b - a b' / b²
                    BinOp::Div => difference(
                        ta.map(|ta| ta.div(b.clone())),
                        tb.map(|tb| a.mul(tb).div(b.clone().mul(b))),
                    ),
                }
            }
            Term::Runtime { f, .. }
                if ["zero_tangent", "zero_real", "seed_one"].contains(&f.to_string().as_str()) =>
            {
                None
            }
            Term::Runtime { f, args } if f == "take" => match &args[..] {
                // The adjoint of an overwritten element moved out: its tangent too.
                [Term::MutRef(place)] => {
                    let (key, tangent) = Self::place(place)?;
                    self.nonzero.contains(&key).then(|| Term::runtime("take", vec![tangent.by_mut()]))
                }
                _ => return Err(Unsupported),
            },
            // `p ā` and `ā / b` with a strong zero where `ā` is zero: each part of the tangent
            // keeps it, on the factor that carries the adjoint.
            Term::Runtime { f, args } if f == "mul_adjoint" => match &args[..] {
                [p, a] => Term::sum([
                    self.of(p)?.map(|d| Term::runtime("mul_adjoint", vec![d, a.clone()])),
                    self.of(a)?.map(|d| Term::runtime("mul_adjoint", vec![p.clone(), d])),
                ]),
                _ => return Err(Unsupported),
            },
            Term::Runtime { f, args } if f == "div_adjoint" => match &args[..] {
                // (ā / b)' = ā' / b - (ā / b) b' / b
                [a, b] => difference(
                    self.of(a)?.map(|d| Term::runtime("div_adjoint", vec![d, b.clone()])),
                    self.of(b)?.map(|d| {
                        let quotient = Term::runtime("div_adjoint", args.to_vec());
                        Term::runtime("div_adjoint", vec![quotient.mul(d), b.clone()])
                    }),
                ),
                _ => return Err(Unsupported),
            },
            // The adjoints of a product and a quotient of operands of unknown shape (`Product`,
            // `Quotient`): linear in the cotangent and the other operand (the operand itself
            // read for its type only), and over the divisor.
            Term::Runtime { f, args } if f == "product_lhs" || f == "product_lhs_strong" => {
                self.linear_in(f, args, &[0, 2])?
            }
            Term::Runtime { f, args } if f == "product_rhs" || f == "product_rhs_strong" => {
                self.linear_in(f, args, &[0, 1])?
            }
            Term::Runtime { f, args } if f == "quotient_lhs" || f == "quotient_lhs_strong" => match &args[..]
            {
                // (ȳ / b)' = ȳ' / b - (ȳ / b) b' / b
                [_, a, b] => difference(
                    self.linear_in(f, args, &[0])?,
                    self.of(b)?.map(|tb| {
                        let q = Term::runtime(&f.to_string(), args.to_vec());
                        Term::runtime(&f.to_string(), vec![q.mul(tb), a.clone(), b.clone()])
                    }),
                ),
                _ => return Err(Unsupported),
            },
            // `-⟨ȳ, y⟩ / b` (`quotient_rhs(ȳ, &a, y, b)`, `div_adjoint_rhs(ȳ, y, b)`): linear
            // in `ȳ` and `y`, over `b`.
            Term::Runtime { f, args }
                if ["quotient_rhs", "quotient_rhs_strong", "div_adjoint_rhs"]
                    .contains(&f.to_string().as_str()) =>
            {
                let (linear, b) = if f == "div_adjoint_rhs" { (&[0, 1], 2) } else { (&[0, 2], 3) };
                let Some(b) = args.get(b) else { return Err(Unsupported) };
                difference(
                    self.linear_in(f, args, linear)?,
                    self.of(b)?.map(|tb| {
                        let q = Term::runtime(&f.to_string(), args.to_vec());
                        Term::runtime("div_adjoint", vec![q.mul(tb), b.clone()])
                    }),
                )
            }
            // A literal (a loop's first index, `0usize`).
            Term::Verbatim(tokens)
                if matches!(
                    &tokens.clone().into_iter().collect::<Vec<_>>()[..],
                    [proc_macro2::TokenTree::Literal(_)]
                ) =>
            {
                None
            }
            _ => return Err(Unsupported),
        })
    }

    /// The tangent of the runtime function `f(args)`, linear in each argument of `linear` and
    /// constant in the others: the sum over those of `f` with that argument's tangent.
    fn linear_in(&self, f: &syn::Ident, args: &[Term], linear: &[usize]) -> Tangent {
        let mut terms = Vec::new();
        for &k in linear {
            let Some(arg) = args.get(k) else { return Err(Unsupported) };
            terms.push(self.of(arg)?.map(|t| {
                let mut args = args.to_vec();
                args[k] = t;
                Term::runtime(&f.to_string(), args)
            }));
        }
        Ok(Term::sum(terms))
    }

    /// The tangent of the partial `rule_d{i}(args.., y)`: the partial at dual numbers, each
    /// float carrying its tangent, its `eps`. A symbolic zero where no float it reads has one.
    fn partial(&self, rule: &str, i: usize, args: &[Value], y: Value) -> Tangent {
        let (act, p) = (self.input.act, private());
        let mut any = false;
        let mut duals = Vec::new();
        for v in args.iter().chain([&y]) {
            let value = v.ident();
            let (scalar, kind) = (self.input.scalars.contains(v), self.input.f.info(*v).kind);
            // A known float, or an active value of unknown shape that a smooth scalar rule
            // reads (a call's result, `g(x).sin()`): a float. (An inactive one may be an
            // integer.)
            let varied_float = act.active(*v)
                && (scalar || matches!(kind, crate::ir::Kind::Unknown | crate::ir::Kind::Float));
            duals.push(match kind {
                _ if varied_float => {
                    any = true;
                    let t = crate::emit::tangent(*v);
                    quote!(#p::Dual::new(#value, #t))
                }
                _ if scalar => quote!(#p::Dual::constant(#value)),
                crate::ir::Kind::Discrete => quote!(#value),
                _ => return Err(Unsupported),
            });
        }
        let (f, rules) = (format_ident!("{}_d{}", rule, i), format_ident!("{}", crate::emit::RULES));
        Ok(any.then(|| Term::Verbatim(quote!(#rules::#f(#(#duals),*).eps))))
    }

    /// The place a statement writes and its tangent's place: `__a3` and `__h3`, `__a0[i]` and
    /// `__h0[i]`.
    fn place(t: &Term) -> Result<(Key, Term), Unsupported> {
        match t {
            Term::Adjoint(v) => Ok((Key::Adjoint(*v), Term::Name(adjoint_tangent(*v)))),
            Term::Name(n) => Ok((Key::Name(n.to_string()), Term::Name(name_tangent(n)))),
            Term::Index(inner, index) => {
                let (v, place) = Self::place(inner)?;
                Ok((v, place.index(index.clone())))
            }
            _ => Err(Unsupported),
        }
    }

    /// What `s` declares or adds to, its tangent's place, and the tangent of what it adds;
    /// `None` for a statement that writes nothing of the adjoint program's (a pop, a seed of
    /// several parts).
    fn contribution(&self, s: &Statement) -> Result<Option<(Key, Term, Option<Term>)>, Unsupported> {
        let place = |t: &Term| Self::place(t);
        Ok(match s {
            Statement::Let { pattern: Pattern::Adjoint(v), value, .. } => {
                Some((Key::Adjoint(*v), Term::Name(adjoint_tangent(*v)), self.of(value)?))
            }
            Statement::Let { pattern: Pattern::Name(n), value, .. } => {
                Some((Key::Name(n.to_string()), Term::Name(name_tangent(n)), self.of(value)?))
            }
            Statement::Let { pattern: Pattern::Tuple(_), value, .. } => match self.of(value)? {
                None => None,
                Some(_) => return Err(Unsupported),
            },
            Statement::Set { place: p, value } | Statement::AddTo { place: p, value } => {
                let (key, tangent_place) = place(p)?;
                Some((key, tangent_place, self.of(value)?))
            }
            Statement::Effect(Term::Runtime { f, args })
                if f == "accumulate" || f == "add_to_each" || f == "accumulate_elements" =>
            {
                match &args[..] {
                    [Term::MutRef(p), value] => {
                        let (key, tangent_place) = place(p)?;
                        Some((key, tangent_place, self.of(value)?))
                    }
                    _ => return Err(Unsupported),
                }
            }
            // (A pullback taken in the adjoint sweep is printed `instead`.)
            Statement::Pop { .. } | Statement::Rerun { .. } => None,
            _ => return Err(Unsupported),
        })
    }

    /// The statements that follow `s` with its tangent.
    fn statement(&self, s: &Statement) -> Result<Vec<Statement>, Unsupported> {
        if pullback_call(s).is_some() {
            // Printed with its tangent, in its place (`instead`).
            return Ok(Vec::new());
        }
        if let Statement::When { cond, then } = s {
            return self.when(cond, then);
        }
        let Some((key, place, tangent)) = self.contribution(s)? else { return Ok(Vec::new()) };
        if !self.nonzero.contains(&key) {
            // The fixpoint saw every contribution: one with a tangent made `key` nonzero.
            return if tangent.is_none() { Ok(Vec::new()) } else { Err(Unsupported) };
        }
        let zero = |of: Term| Term::runtime("zero_tangent", vec![of.by_ref()]);
        Ok(match s {
            Statement::Let { pattern, .. } => {
                let of = match pattern {
                    Pattern::Adjoint(v) => Term::Adjoint(*v),
                    Pattern::Name(n) => Term::Name(n.clone()),
                    Pattern::Tuple(_) => return Err(Unsupported),
                };
                let Term::Name(name) = place else { return Err(Unsupported) };
                vec![Statement::bind_mut(Pattern::Name(name), tangent.unwrap_or_else(|| zero(of)))]
            }
            Statement::Set { .. } => {
                let value = tangent.unwrap_or_else(|| zero(place.clone()));
                vec![Statement::Set { place, value }]
            }
            Statement::AddTo { .. } => {
                tangent.map(|value| Statement::AddTo { place, value }).into_iter().collect()
            }
            // `accumulate(&mut ā[i], c)`, `add_to_each(&mut ā, c)` (a sum's adjoint),
            // `accumulate_elements(&mut ā, c)` (a callee's cotangent of an array): the same into
            // the tangent.
            Statement::Effect(Term::Runtime { f, .. }) => tangent
                .map(|value| {
                    Statement::Effect(Term::Runtime { f: f.clone(), args: vec![place.by_mut(), value] })
                })
                .into_iter()
                .collect(),
            _ => return Err(Unsupported),
        })
    }

    /// The tangent of `if is_nonzero(c) { .. }` (a carried sum added into an element once, where
    /// anything was carried): the tangents of its statements where `c` or its tangent is
    /// nonzero, since a zero `c` may have a nonzero tangent.
    fn when(&self, cond: &Term, then: &[Statement]) -> Result<Vec<Statement>, Unsupported> {
        let mut tangents = Vec::new();
        for s in then {
            tangents.extend(self.statement(s)?);
        }
        if tangents.is_empty() {
            return Ok(tangents);
        }
        let cond = match cond {
            Term::Runtime { f, args } if f == "is_nonzero" => match &args[..] {
                [c] => match self.of(c)? {
                    Some(dc) => {
                        let p = private();
                        let (c, dc) = (
                            crate::emit::term::print(c, call_site()),
                            crate::emit::term::print(&dc, call_site()),
                        );
                        Term::Verbatim(quote!(#p::is_nonzero(#c) || #p::is_nonzero(#dc)))
                    }
                    None => cond.clone(),
                },
                _ => return Err(Unsupported),
            },
            _ => return Err(Unsupported),
        };
        Ok(vec![Statement::When { cond, then: tangents }])
    }

    /// A zero of the shape of `v`'s adjoint: `zero_tangent(&__a3)`.
    pub(super) fn zero_like(&self, v: Value) -> Term {
        Term::runtime("zero_tangent", vec![Term::Adjoint(v).by_ref()])
    }
}

/// `a - b` of two tangents, either a symbolic zero.
fn difference(a: Option<Term>, b: Option<Term>) -> Option<Term> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.sub(b)),
        (a, None) => a,
        (None, Some(b)) => Some(b.neg()),
    }
}

/// The names `pattern` binds, added to `names`.
fn bound_names(pattern: &Pattern, names: &mut HashSet<String>) {
    match pattern {
        Pattern::Name(n) => {
            names.insert(n.to_string());
        }
        Pattern::Adjoint(_) => {}
        Pattern::Tuple(items) => items.iter().for_each(|p| bound_names(p, names)),
    }
}
