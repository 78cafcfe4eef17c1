//! Forward mode printed over the adjoint program: `NAME_hvp` as source, not as the dual-number
//! copy of `NAME_grad` (`second/`).
//!
//! The Hessian-vector product `H v` is the tangent of the gradient along `v`. The primal sweep
//! is `_jvp`'s: each value followed by its tangent (`__t3`), zeros symbolic. The adjoint
//! program ([`Program`]) is then printed statement by statement, each followed by its tangent:
//! the tangent of a [`Term`] by the sum, product and quotient rules, a rule's partial
//! (`exp_d0(x, y)`) evaluated at dual numbers and its `eps` taken (the rules are generic over
//! `Real`), an adjoint's tangent `__h3` beside `__a3`. An adjoint whose contributions all have
//! zero tangents (the seed's, a constant's) has no tangent variable at all: its tangent is a
//! symbolic zero, where the dual copy multiplies by a zero it does not know of.
//!
//! This covers straight-line functions of floats and float slices or arrays: programs with no
//! branch, loop or call, whose terms are arithmetic, partials and accumulations into elements.
//! [`hvp`] returns `None` for anything else, and the dual copy is emitted as before.

use super::assembly::{array_adjoints, call_site, cotangent_name, print, wrt_values};
use super::*;
use crate::ir::BinOp;

/// Why a program is not printed here: the dual copy takes it.
struct Unsupported;

/// The tangent of a term: `None` for a symbolic zero.
type Tangent = Result<Option<Term>, Unsupported>;

/// `__h3`: the tangent of the adjoint `__a3`.
pub fn adjoint_tangent(v: Value) -> syn::Ident {
    format_ident!("__h{}", v.0, span = proc_macro2::Span::mixed_site())
}

/// `NAME_hvp` printed as forward mode over the adjoint program, or `None` where the program
/// holds what is not printed here yet (a branch, a loop, a call, a nalgebra value).
pub fn hvp(input: &Input) -> Option<TokenStream> {
    if !eligible(input) {
        return None;
    }
    let mut r = Reverse::new(input);
    let AdjointSweep { program, seed_pattern, seed_leaves, arrays } = r.adjoint_sweep();
    let value = crate::emit::tree_term(&input.f.output, &mut Term::Value);
    // The straight-line sweep: the seed, the arrays' adjoints, then the program's statements.
    let mut sweep: Vec<(Statement, proc_macro2::Span)> = vec![
        (
            Statement::bind(
                Pattern::Name(cotangent_name()),
                Term::runtime("seed_one", vec![value.clone().by_ref()]),
            ),
            call_site(),
        ),
        (Statement::bind(seed_pattern, Term::Name(cotangent_name())), call_site()),
    ];
    let declared = array_adjoints(input, &arrays, &r.plan.lent, false, None);
    sweep.extend(declared.into_iter().map(|s| (s, call_site())));
    for item in program.items {
        match item {
            Item::Do(statement, span) => sweep.push((statement, span)),
            Item::Add(add) => sweep.push((add.statement(), add.span)),
            Item::Branch(_) | Item::Loop(_) | Item::Pop { .. } | Item::Recompute(_) => return None,
        }
    }
    let mut t = Tangents {
        input,
        nonzero: HashSet::new(),
        zero_names: seed_leaves
            .iter()
            .map(|(_, c)| c.to_string())
            .chain([cotangent_name().to_string()])
            .collect(),
    };
    // Which adjoints have a tangent: a contribution with a nonzero tangent reaches them. One
    // pass would do for straight-line code (an adjoint is read after its contributions); the
    // fixpoint keeps it right wherever that order does not hold.
    loop {
        let before = t.nonzero.len();
        for (s, _) in &sweep {
            if let Some((v, Some(_))) = t.contribution(s).ok()? {
                t.nonzero.insert(v);
            }
        }
        if t.nonzero.len() == before {
            break;
        }
    }
    let mut code = TokenStream::new();
    for (s, span) in &sweep {
        code.extend(crate::emit::term::statement(s, *span));
        for tangent in t.statement(s).ok()? {
            code.extend(crate::emit::term::statement(&tangent, *span));
        }
    }
    let wrt = wrt_values(input);
    let gradient: Vec<Term> = wrt
        .iter()
        .map(|v| if r.live.contains(v) { Term::Adjoint(*v) } else { Term::Zero { of: *v, lanes: false } })
        .collect();
    let hv: Vec<Term> = wrt
        .iter()
        .map(|v| {
            if t.nonzero.contains(v) {
                Term::Name(adjoint_tangent(*v))
            } else if r.live.contains(v) {
                t.zero_like(*v)
            } else {
                Term::Zero { of: *v, lanes: false }
            }
        })
        .collect();
    let (value, gradient, hv) = (
        print(&value),
        print(&crate::emit::tuple_or_single(gradient)),
        print(&crate::emit::tuple_or_single(hv)),
    );
    let primal = crate::emit::forward::block(input, &input.f.body);
    let sig = input.sig;
    let item = input.item;
    let (vis, attrs, items) = (&item.vis, crate::emit::attributes(), input.items);
    let name = crate::emit::sibling(&item.sig.ident, "hvp");
    let params = crate::emit::primal_params(sig);
    let directions = crate::emit::tangent_params(sig);
    let gradient_type = sig.gradient_type();
    let output = &sig.output;
    let doc = format!(
        " Value, gradient and Hessian-vector product `H v` of [`{0}`] (generated by `#[differentiable(hessian)]`):\n \
         forward mode over the generated reverse mode, exact. `v` has one entry per differentiated input,\n \
         like the tangents of `{0}_jvp`.",
        sig.name
    );
    Some(quote! {
        #[doc = #doc]
        #attrs
        #vis fn #name (#(#params,)* #(#directions),*) -> (#output, #gradient_type, #gradient_type) {
            #(#items)*
            #primal
            #code
            (#value, #gradient, #hv)
        }
    })
}

/// Whether `input` is a function this printing covers: of `f64` (no generics, receiver or
/// `Result`), returning a float, whose values are floats, integers and float arrays, computed
/// by arithmetic, rules and loads only.
fn eligible(input: &Input) -> bool {
    let sig = input.sig;
    let plain = !input.lanes
        && sig.wrapper.is_none()
        && sig.receiver.is_none()
        && sig.floats.is_empty()
        && input.item.sig.generics.params.is_empty()
        && sig.scalar_output()
        && crate::second::check::block_float(sig).is_none()
        && input.summed.is_empty()
        && input.summed_products.is_empty();
    if !plain || !matches!(&sig.output, syn::Type::Path(p) if p.path.is_ident("f64")) {
        return false;
    }
    let kinds = (0..input.f.values.len()).map(|i| Value(i as u32)).all(|v| {
        use crate::ir::{ArrayKind, Kind};
        match input.f.info(v).kind {
            Kind::Float | Kind::Discrete => true,
            Kind::Array(ArrayKind::Slice | ArrayKind::Vec | ArrayKind::Fixed) => true,
            _ => !input.act.active(v),
        }
    });
    kinds
        && input.f.body.walk().iter().all(|inst| {
            matches!(
                inst.op,
                Op::Param(_)
                    | Op::Lit(_)
                    | Op::Opaque { .. }
                    | Op::Prim { .. }
                    | Op::Load { .. }
                    | Op::NoGrad(_)
            )
        })
}

/// The tangents of the adjoint program's terms and statements.
struct Tangents<'i> {
    input: &'i Input<'i>,
    /// The adjoints with a tangent variable: some contribution to them has a nonzero tangent.
    nonzero: HashSet<Value>,
    /// Names bound to values of zero tangent: the seed and its parts.
    zero_names: HashSet<String>,
}

impl Tangents<'_> {
    /// The tangent of `t`.
    fn of(&self, t: &Term) -> Tangent {
        Ok(match t {
            Term::Value(v) => match self.input.f.info(*v).kind {
                crate::ir::Kind::Float => self.input.act.active(*v).then_some(Term::Tangent(*v)),
                crate::ir::Kind::Discrete => None,
                _ => return Err(Unsupported),
            },
            Term::Adjoint(v) => self.nonzero.contains(v).then(|| Term::Name(adjoint_tangent(*v))),
            Term::Name(n) if self.zero_names.contains(&n.to_string()) => None,
            Term::Zero { lanes: false, .. } => None,
            Term::Partial { rule, i, args, y } => self.partial(rule, *i, args, *y)?,
            Term::Neg(a) => self.of(a)?.map(Term::neg),
            Term::Paren(a) => self.of(a)?.map(Term::paren),
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
            Term::Runtime { f, .. } if f == "zero_tangent" || f == "seed_one" => None,
            _ => return Err(Unsupported),
        })
    }

    /// The tangent of the partial `rule_d{i}(args.., y)`: the partial at dual numbers, each
    /// float carrying its tangent, its `eps`. A symbolic zero where no float it reads has one.
    fn partial(&self, rule: &str, i: usize, args: &[Value], y: Value) -> Tangent {
        let (act, p) = (self.input.act, private());
        let mut any = false;
        let mut duals = Vec::new();
        for v in args.iter().chain([&y]) {
            let value = v.ident();
            duals.push(match self.input.f.info(*v).kind {
                crate::ir::Kind::Float if act.active(*v) => {
                    any = true;
                    let t = crate::emit::tangent(*v);
                    quote!(#p::Dual::new(#value, #t))
                }
                crate::ir::Kind::Float => quote!(#p::Dual::constant(#value)),
                crate::ir::Kind::Discrete => quote!(#value),
                _ => return Err(Unsupported),
            });
        }
        let (f, rules) = (format_ident!("{}_d{}", rule, i), format_ident!("{}", crate::emit::RULES));
        Ok(any.then(|| Term::Verbatim(quote!(#rules::#f(#(#duals),*).eps))))
    }

    /// The place a statement writes and its tangent's place: `__a3` and `__h3`, `__a0[i]` and
    /// `__h0[i]`.
    fn place(t: &Term) -> Result<(Value, Term), Unsupported> {
        match t {
            Term::Adjoint(v) => Ok((*v, Term::Name(adjoint_tangent(*v)))),
            Term::Index(inner, index) => {
                let (v, place) = Self::place(inner)?;
                Ok((v, place.index(index.clone())))
            }
            _ => Err(Unsupported),
        }
    }

    /// The adjoint `s` declares or adds to, with the tangent of what it adds; `None` for a
    /// statement binding a name of zero tangent.
    fn contribution(&self, s: &Statement) -> Result<Option<(Value, Option<Term>)>, Unsupported> {
        match s {
            Statement::Let { pattern: Pattern::Adjoint(v), value, .. } => Ok(Some((*v, self.of(value)?))),
            Statement::Let { pattern, value, .. } if names_zero(pattern, &self.zero_names) => {
                self.of(value)?.map_or(Ok(None), |_| Err(Unsupported))
            }
            Statement::Set { place, value } | Statement::AddTo { place, value } => {
                Ok(Some((Self::place(place)?.0, self.of(value)?)))
            }
            Statement::Effect(Term::Runtime { f, args }) if f == "accumulate" => match &args[..] {
                [Term::MutRef(place), value] => Ok(Some((Self::place(place)?.0, self.of(value)?))),
                _ => Err(Unsupported),
            },
            _ => Err(Unsupported),
        }
    }

    /// The statements that follow `s` with its tangent.
    fn statement(&self, s: &Statement) -> Result<Vec<Statement>, Unsupported> {
        let Some((v, tangent)) = self.contribution(s)? else { return Ok(Vec::new()) };
        if !self.nonzero.contains(&v) {
            // The fixpoint saw every contribution: one with a tangent made `v` nonzero.
            return if tangent.is_none() { Ok(Vec::new()) } else { Err(Unsupported) };
        }
        Ok(match s {
            Statement::Let { .. } => {
                let value = tangent.unwrap_or_else(|| self.zero_like(v));
                vec![Statement::bind_mut(Pattern::Name(adjoint_tangent(v)), value)]
            }
            Statement::Set { place, .. } => {
                let place = Self::place(place)?.1;
                let value =
                    tangent.unwrap_or_else(|| Term::runtime("zero_tangent", vec![place.clone().by_ref()]));
                vec![Statement::Set { place, value }]
            }
            Statement::AddTo { place, .. } => {
                let place = Self::place(place)?.1;
                tangent.map(|value| Statement::AddTo { place, value }).into_iter().collect()
            }
            Statement::Effect(Term::Runtime { args, .. }) => match &args[..] {
                [Term::MutRef(place), _] => {
                    let place = Self::place(place)?.1;
                    tangent.map(|value| Statement::accumulate(place, value)).into_iter().collect()
                }
                _ => return Err(Unsupported),
            },
            _ => return Err(Unsupported),
        })
    }

    /// A zero of the shape of `v`'s adjoint: `zero_tangent(&__a3)`.
    fn zero_like(&self, v: Value) -> Term {
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

/// Whether `pattern` binds only names of zero tangent (the seed's), recording none.
fn names_zero(pattern: &Pattern, zero: &HashSet<String>) -> bool {
    match pattern {
        Pattern::Name(n) => zero.contains(&n.to_string()),
        Pattern::Adjoint(_) => false,
        Pattern::Tuple(items) => items.iter().all(|p| names_zero(p, zero)),
    }
}
