//! The derivative of every rule of the differentiable families, as [`Term`]s: the one place a
//! rule's tangent and adjoint are written. One printer (`emit::term`) writes the terms of both
//! modes as Rust.
//!
//! The emitters keep the bookkeeping (which values are active, where an adjoint is declared and
//! accumulated, what the reverse sweep saves) and ask here for the terms:
//! - forward mode for a tangent, from the operands and the result (`value`) and the tangents of
//!   the active operands (`tangent`, `None` for an inactive one: a symbolic zero, whose terms
//!   are dropped); `None` back means the tangent is zero;
//! - reverse mode for the term `ā_i += ..` of one active operand, from `ȳ` and the primal values
//!   it reads, each asked for through `read` (the reverse emitter saves exactly what is asked).
//!
//! The `Linear` rules other than the five below and `Map` keep their special forms in the
//! emitters (an index, a part written in place, a sibling function, a fill); their math is
//! stated in the variants' docs.

use proc_macro2::Span;
use quote::{format_ident, quote};

use super::{Bilinear, Custom, Family, Linear};
use crate::ir::Term;

/// A primal value a term reads: an operand of the rule, or its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Read {
    Arg(usize),
    Result,
}

/// What an adjoint term is formed from: `ȳ`, the primal values it reads (each asked for
/// through `read`, so that the reverse emitter saves exactly those), and whether the operands
/// are both known floats (a product or quotient of floats is written as arithmetic rather than
/// through the runtime's `Product` and `Quotient` traits, which a long function type-checks
/// faster).
pub struct Cotangent<'a> {
    pub ybar: Term,
    pub read: &'a mut dyn FnMut(Read) -> Term,
    pub floats: bool,
    /// For a product, what the operands surely are when not both floats: a `DVector`/`DMatrix`
    /// times a known float (either way round) has its adjoints written so each reads only the
    /// operand it needs (`m̄ = ȳ s` of `m * s` reads `s`, not `m`). (Two matrices keep the
    /// runtime's `Product`, whose bound reports a product of shapes without a derivative.)
    pub operands: [Operand; 2],
    /// `ȳ` may be exactly zero at run time where the rule's partials are not finite (a branch
    /// that did not run, an overwritten value): the adjoints of a quotient, `component_div`,
    /// `norm` and `normalize` are then written with a strong zero (`div_adjoint`, the runtime's
    /// `quotient_*_strong`, `component_div_adjoint*` and `normalize_adjoint`: `0` whenever `ȳ`
    /// is `0`, entry by entry for `component_div`).
    pub strong: bool,
    /// Products too (`mul_adjoint`, `product_*_strong`): `ȳ` may be zero because the result may
    /// have been computed only for a path that did not run, where an operand may be infinite. (A
    /// zero taken from an overwritten element keeps products plain: their operands ran.)
    pub strong_products: bool,
}

/// What an operand of a product surely is, for [`Cotangent::operands`].
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Operand {
    /// A known float (`analysis::scalars`).
    Float,
    /// A `DVector`, `DMatrix` or `RowDVector` (`Family::Heap`).
    Matrix,
    /// Anything else (a static matrix: its algebra is left to the runtime's `Product`).
    Other,
}

/// What a tangent is formed from: the operands and the result (`value`), and the tangents of the
/// active operands (`tangent`; `None` for an inactive one, a symbolic zero whose terms are
/// dropped).
#[derive(Clone, Copy)]
pub struct Tangents<'a> {
    pub value: &'a dyn Fn(Read) -> Term,
    pub tangent: &'a dyn Fn(usize) -> Option<Term>,
}

impl Family {
    /// The tangent of a bilinear or custom rule (`None`: zero, or another family).
    pub fn tangent(&self, cx: &Tangents) -> Option<Term> {
        match self {
            Family::Bilinear(b) => b.tangent(cx),
            Family::Custom(c) => c.tangent(cx),
            _ => None,
        }
    }

    /// The term `ā_i += ..` of a bilinear or custom rule (`None` for another family).
    pub fn adjoint(&self, i: usize, cx: &mut Cotangent) -> Option<Term> {
        match self {
            Family::Bilinear(b) => Some(b.transpose(i, cx)),
            Family::Custom(c) => c.adjoint(i, cx),
            _ => None,
        }
    }
}

impl Linear {
    /// The tangent of `Add`, `Sub`, `Neg`, `Identity`, `Transpose`: the same map of the tangents
    /// (`None` for the linear maps whose forms the forward emitter writes itself).
    pub fn tangent(self, tangent: &dyn Fn(usize) -> Option<Term>) -> Option<Term> {
        match self {
            Linear::Add => Term::sum([tangent(0), tangent(1)]),
            Linear::Sub => match (tangent(0), tangent(1)) {
                (Some(a), Some(b)) => Some(a.sub(b)),
                (a, None) => a,
                (None, Some(b)) => Some(b.neg()),
            },
            Linear::Neg => tangent(0).map(Term::neg),
            Linear::Identity => tangent(0),
            Linear::Transpose => tangent(0).map(|a| a.method("transpose", vec![])),
            _ => None,
        }
    }
}

impl Bilinear {
    /// `B(a, b)`.
    fn apply(self, a: Term, b: Term) -> Term {
        match self {
            Bilinear::Product => a.mul(b),
            Bilinear::Dot => a.method("dot", vec![b.by_ref()]),
            Bilinear::ComponentMul => a.method("component_mul", vec![b.by_ref()]),
            Bilinear::Cross => a.method("cross", vec![b.by_ref()]),
        }
    }

    /// `B(ta, b) + B(a, tb)`.
    fn tangent(self, cx: &Tangents) -> Option<Term> {
        let Tangents { value, tangent } = *cx;
        let lhs = tangent(0).map(|ta| self.apply(ta, value(Read::Arg(1))));
        let rhs = tangent(1).map(|tb| self.apply(value(Read::Arg(0)), tb));
        Term::sum([lhs, rhs])
    }

    /// The transpose for operand `i` applied to `ȳ`: the term `ā_i += ..`. For `Product`, the
    /// runtime's `Product` trait decides by the operand types, unless both are known floats.
    fn transpose(self, i: usize, cx: &mut Cotangent) -> Term {
        use Operand::{Float, Matrix};
        let ybar = cx.ybar.clone();
        match (self, i, cx.operands) {
            // `m * s` and `s * m`: the matrix's adjoint `ȳ s`, the float's `⟨ȳ, m⟩`.
            (Bilinear::Product, _, [Matrix, Float] | [Float, Matrix]) => {
                let scalar = usize::from(cx.operands[1] == Float);
                if i == scalar {
                    ybar.method("dot", vec![(cx.read)(Read::Arg(1 - i)).by_ref()])
                } else {
                    ybar.mul((cx.read)(Read::Arg(scalar)))
                }
            }
            _ => self.transpose_generic(i, ybar, cx.read, cx.floats, cx.strong_products),
        }
    }

    /// [`Self::transpose`] of operands whose kinds are not sure: the runtime's `Product`, or
    /// arithmetic for two known floats.
    fn transpose_generic(
        self,
        i: usize,
        ybar: Term,
        read: &mut dyn FnMut(Read) -> Term,
        floats: bool,
        strong: bool,
    ) -> Term {
        match (self, i) {
            (Bilinear::Product, _) if !floats => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                let f = match (i, strong) {
                    (0, false) => "product_lhs",
                    (0, true) => "product_lhs_strong",
                    (_, false) => "product_rhs",
                    (_, true) => "product_rhs_strong",
                };
                Term::runtime(f, vec![ybar, a, b])
            }
            // The other operand may be infinite where `ȳ` is a strong zero.
            (Bilinear::Product, _) if strong => {
                Term::runtime("mul_adjoint", vec![read(Read::Arg(1 - i)), ybar])
            }
            (Bilinear::Product, 0) => ybar.mul(read(Read::Arg(1))),
            (Bilinear::Product, _) => read(Read::Arg(0)).mul(ybar),
            (Bilinear::Dot, _) => read(Read::Arg(1 - i.min(1))).mul(ybar),
            (Bilinear::ComponentMul, _) => {
                ybar.method("component_mul", vec![read(Read::Arg(1 - i.min(1))).by_ref()])
            }
            (Bilinear::Cross, 0) => read(Read::Arg(1)).method("cross", vec![ybar.by_ref()]),
            (Bilinear::Cross, _) => ybar.method("cross", vec![read(Read::Arg(0)).by_ref()]),
        }
    }
}

impl Custom {
    /// The tangent of every custom rule but `Map` (written by the forward emitter).
    fn tangent(self, cx: &Tangents) -> Option<Term> {
        let Tangents { value, tangent } = *cx;
        let (a, y) = (|| value(Read::Arg(0)), || value(Read::Result));
        let ta = || tangent(0);
        match self {
            Custom::Quotient => {
                let b = value(Read::Arg(1));
                // `tb / b` scaled by `y`: `y * (tb / b)`.
                let along_b = |tb: Term| y().mul(tb.div(b.clone()));
                match (tangent(0), tangent(1)) {
                    (Some(ta), Some(tb)) => Some(ta.div(b.clone()).sub(along_b(tb))),
                    (Some(ta), None) => Some(ta.div(b)),
                    (None, Some(tb)) => Some(along_b(tb).neg()),
                    (None, None) => None,
                }
            }
            Custom::ComponentDiv => {
                let b = value(Read::Arg(1));
                let along_b = |tb: Term| y().method("component_mul", vec![tb.by_ref()]);
                match (tangent(0), tangent(1)) {
                    (Some(ta), Some(tb)) => {
                        Some(ta.sub(along_b(tb)).method("component_div", vec![b.by_ref()]))
                    }
                    (Some(ta), None) => Some(ta.method("component_div", vec![b.by_ref()])),
                    (None, Some(tb)) => Some(along_b(tb).method("component_div", vec![b.by_ref()]).neg()),
                    (None, None) => None,
                }
            }
            Custom::NormSquared => ta().map(|ta| {
                let lhs = a().method("dot", vec![ta.clone().by_ref()]);
                lhs.add(ta.method("dot", vec![a().by_ref()]))
            }),
            Custom::Norm => ta().map(|ta| a().method("dot", vec![ta.by_ref()]).div(y())),
            Custom::Normalize => ta().map(|tv| {
                let along = y().mul(y().method("dot", vec![tv.clone().by_ref()]));
                tv.sub(along).div(a().method("norm", vec![]))
            }),
            Custom::Trace => ta().map(|ta| ta.method("trace", vec![])),
            Custom::Diagonal => ta().map(|ta| ta.method("diagonal", vec![])),
            Custom::Inverse => ta().map(|ta| y().mul(ta).mul(y()).neg()),
            Custom::Solve { lower } => {
                let rhs = match (tangent(0).map(|ta| lower_symmetric(ta, lower)), tangent(1)) {
                    (Some(ta), Some(tb)) => tb.sub(ta.mul(y())),
                    (Some(ta), None) => ta.mul(y()).neg(),
                    (None, Some(tb)) => tb,
                    (None, None) => return None,
                };
                let a = lower_symmetric(a(), lower);
                Some(Term::runtime("solve", vec![a.by_ref(), rhs.paren().by_ref(), constant(quote!(false))]))
            }
            Custom::Determinant => ta().map(|ta| {
                let cofactors = Term::runtime("cofactors", vec![a().by_ref()]);
                cofactors.method("component_mul", vec![ta.by_ref()]).method("sum", vec![])
            }),
            Custom::CholeskyFactor => ta().map(|ta| {
                let ta = lower_symmetric(ta, true);
                Term::runtime("cholesky_factor_tangent", vec![y().by_ref(), ta.by_ref()])
            }),
            Custom::Extremum(which) => ta().map(|ta| {
                Term::runtime("extremum_tangent", vec![a().by_ref(), ta.by_ref(), extremum(which)])
            }),
            Custom::LinearMethod(method) => ta().map(|ta| ta.method(method, vec![])),
            Custom::Mean => ta().map(|ta| ta.method("mean", vec![])),
            Custom::Variance => {
                ta().map(|ta| Term::runtime("variance_tangent", vec![a().by_ref(), ta.by_ref()]))
            }
            Custom::Angle => {
                let b = || value(Read::Arg(1));
                let gradient = |own: Term, other: Term| {
                    Term::runtime("angle_gradient", vec![own.by_ref(), other.by_ref()])
                };
                let along_a = tangent(0).map(|ta| gradient(a(), b()).method("dot", vec![ta.by_ref()]));
                let along_b = tangent(1).map(|tb| gradient(b(), a()).method("dot", vec![tb.by_ref()]));
                Term::sum([along_a, along_b])
            }
            Custom::Map => None,
        }
    }

    /// The term `ā_i += ..` of every custom rule but `Map` (written by the reverse emitter).
    fn adjoint(self, i: usize, cx: &mut Cotangent) -> Option<Term> {
        let (ybar, floats, strong) = (cx.ybar.clone(), cx.floats, cx.strong);
        let read = &mut *cx.read;
        Some(match (self, i) {
            (Custom::Quotient, 0) if floats && strong => {
                Term::runtime("div_adjoint", vec![ybar, read(Read::Arg(1))])
            }
            (Custom::Quotient, 0) if floats => ybar.div(read(Read::Arg(1))),
            (Custom::Quotient, _) if floats => {
                let (b, y) = (read(Read::Arg(1)), read(Read::Result));
                match strong {
                    true => Term::runtime("div_adjoint_rhs", vec![ybar, y, b]),
                    false => ybar.mul(y).neg().div(b),
                }
            }
            (Custom::Quotient, 0) => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                let f = if strong { "quotient_lhs_strong" } else { "quotient_lhs" };
                Term::runtime(f, vec![ybar, a.by_ref(), b])
            }
            (Custom::Quotient, _) => {
                let (a, y, b) = (read(Read::Arg(0)), read(Read::Result), read(Read::Arg(1)));
                let f = if strong { "quotient_rhs_strong" } else { "quotient_rhs" };
                Term::runtime(f, vec![ybar, a.by_ref(), y, b])
            }
            (Custom::ComponentDiv, 0) => {
                let b = read(Read::Arg(1));
                match strong {
                    true => Term::runtime("component_div_adjoint", vec![ybar.by_ref(), b.by_ref()]),
                    false => ybar.method("component_div", vec![b.by_ref()]),
                }
            }
            (Custom::ComponentDiv, _) => {
                let (b, y) = (read(Read::Arg(1)), read(Read::Result));
                match strong {
                    true => Term::runtime(
                        "component_div_adjoint_rhs",
                        vec![ybar.by_ref(), y.by_ref(), b.by_ref()],
                    ),
                    false => ybar
                        .method("component_mul", vec![y.by_ref()])
                        .method("component_div", vec![b.by_ref()])
                        .neg(),
                }
            }
            (Custom::NormSquared, _) => read(Read::Arg(0)).mul(ybar.clone().add(ybar)),
            (Custom::Norm, _) => {
                let (a, y) = (read(Read::Arg(0)), read(Read::Result));
                match strong {
                    true => a.mul(Term::runtime("div_adjoint", vec![ybar, y])),
                    false => a.mul(ybar.div(y)),
                }
            }
            (Custom::Normalize, _) => {
                let (v, y) = (read(Read::Arg(0)), read(Read::Result));
                match strong {
                    true => Term::runtime("normalize_adjoint", vec![ybar.by_ref(), y.by_ref(), v.by_ref()]),
                    false => {
                        let along = y.clone().mul(y.method("dot", vec![ybar.clone().by_ref()]));
                        ybar.sub(along).div(v.method("norm", vec![]))
                    }
                }
            }
            (Custom::Trace, _) => on_diagonal(read(Read::Arg(0)), "fill_diagonal", ybar),
            (Custom::Determinant, _) => {
                Term::runtime("cofactors", vec![read(Read::Arg(0)).by_ref()]).mul(ybar)
            }
            (Custom::Inverse, _) => {
                let y = read(Read::Result);
                let yt = || y.clone().method("transpose", vec![]);
                yt().mul(ybar).mul(yt()).neg()
            }
            (Custom::Solve { lower }, 0) => {
                let (a, y) = (lower_symmetric(read(Read::Arg(0)), lower), read(Read::Result));
                let solved = Term::runtime("solve", vec![a.by_ref(), ybar.by_ref(), constant(quote!(true))]);
                let g = solved.mul(y.method("transpose", vec![])).neg();
                match lower {
                    true => Term::runtime("folded_to_lower", vec![g]),
                    false => g,
                }
            }
            (Custom::Solve { lower }, _) => {
                let a = lower_symmetric(read(Read::Arg(0)), lower);
                Term::runtime("solve", vec![a.by_ref(), ybar.by_ref(), constant(quote!(true))])
            }
            (Custom::CholeskyFactor, _) => {
                let y = read(Read::Result);
                let adjoint = Term::runtime("cholesky_factor_adjoint", vec![y.by_ref(), ybar.by_ref()]);
                Term::runtime("folded_to_lower", vec![adjoint])
            }
            (Custom::Diagonal, _) => on_diagonal(read(Read::Arg(0)), "set_diagonal", ybar.by_ref()),
            (Custom::Extremum(which), _) => {
                Term::runtime("extremum_adjoint", vec![read(Read::Arg(0)).by_ref(), ybar, extremum(which)])
            }
            (Custom::LinearMethod(method), _) => {
                let a = read(Read::Arg(0));
                Term::runtime(&format!("{method}_adjoint"), vec![a.by_ref(), ybar.by_ref()])
            }
            (Custom::Mean, _) => Term::runtime("mean_adjoint", vec![read(Read::Arg(0)).by_ref(), ybar]),
            (Custom::Variance, _) => {
                Term::runtime("variance_adjoint", vec![read(Read::Arg(0)).by_ref(), ybar])
            }
            (Custom::Angle, i) => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                let (own, other) = if i == 0 { (a, b) } else { (b, a) };
                Term::runtime("angle_gradient", vec![own.by_ref(), other.by_ref()]).mul(ybar)
            }
            (Custom::Map, _) => return None,
        })
    }
}

/// `m`, or with `lower` the symmetric matrix made from its lower triangle (what `cholesky`
/// reads).
fn lower_symmetric(m: Term, lower: bool) -> Term {
    match lower {
        true => Term::runtime("symmetric_from_lower", vec![m.by_ref()]),
        false => m,
    }
}

/// A constant argument of a runtime function (`false`, a variant).
fn constant(tokens: proc_macro2::TokenStream) -> Term {
    Term::Verbatim(tokens)
}

/// The runtime's `Extremum::Max` (or the variant named).
fn extremum(which: &str) -> Term {
    let variant = format_ident!("{}", which);
    constant(quote!(::tapeless::__private::Extremum::#variant))
}

/// A zero tangent of the matrix `a` with `ȳ` put on its diagonal by `set` (`fill_diagonal(ȳ)` for
/// `trace`, `set_diagonal(&ȳ)` for `diagonal`): their adjoint.
fn on_diagonal(a: Term, set: &str, ybar: Term) -> Term {
    let var = format_ident!("__diagonal", span = Span::mixed_site());
    Term::Updated {
        var: var.clone(),
        init: Box::new(Term::runtime("zero_tangent", vec![a.by_ref()])),
        update: Box::new(Term::Name(var).method(set, vec![ybar])),
    }
}
