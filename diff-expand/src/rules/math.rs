//! The derivative of every rule of the differentiable families, as the tokens generated code
//! computes: the one place a rule's tangent and adjoint are written.
//!
//! The emitters keep the bookkeeping (which values are active, where an adjoint is declared and
//! accumulated, what the reverse sweep saves) and ask here for the terms:
//! - forward mode for a tangent, from the operands' and the result's names (`value`) and the
//!   tangents of the active operands (`tangent`, `None` for an inactive one: a symbolic zero,
//!   whose terms are dropped); `None` back means the tangent is zero;
//! - reverse mode for the term `ā_i += ..` of one active operand, from `ȳ` and the primal values
//!   it reads, each asked for through `read` (the reverse emitter saves exactly what is asked).
//!
//! The `Linear` rules other than the five below and `Map` keep their special forms in the
//! emitters (an index, a part written in place, a sibling function, a fill); their math is
//! stated in the variants' docs.

use proc_macro2::{Span, TokenStream};
use quote::{quote, quote_spanned};

use super::{Bilinear, Custom, Family, Linear};

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
    pub ybar: TokenStream,
    pub read: &'a mut dyn FnMut(Read) -> TokenStream,
    pub floats: bool,
    /// For a product, what the operands surely are when not both floats: a `DVector`/`DMatrix`
    /// times a known float (either way round) has its adjoints written so each reads only the
    /// operand it needs (`m̄ = ȳ s` of `m * s` reads `s`, not `m`). (Two matrices keep the
    /// runtime's `Product`, whose bound reports a product of shapes without a derivative.)
    pub operands: [Operand; 2],
    pub span: Span,
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

/// What a tangent is formed from: the names of the operands and the result (`value`), and the
/// tangents of the active operands (`tangent`; `None` for an inactive one, a symbolic zero whose
/// terms are dropped).
#[derive(Clone, Copy)]
pub struct Tangents<'a> {
    pub value: &'a dyn Fn(Read) -> TokenStream,
    pub tangent: &'a dyn Fn(usize) -> Option<TokenStream>,
    pub span: Span,
}

impl Family {
    /// The tangent of a bilinear or custom rule (`None`: zero, or another family).
    pub fn tangent(&self, cx: &Tangents) -> Option<TokenStream> {
        match self {
            Family::Bilinear(b) => b.tangent(cx),
            Family::Custom(c) => c.tangent(cx),
            _ => None,
        }
    }

    /// The term `ā_i += ..` of a bilinear or custom rule (empty for another family).
    pub fn adjoint(&self, i: usize, cx: &mut Cotangent) -> TokenStream {
        match self {
            Family::Bilinear(b) => b.transpose(i, cx),
            Family::Custom(c) => c.adjoint(i, cx),
            _ => TokenStream::new(),
        }
    }
}

/// The sum of `terms` (`None` is a zero and is dropped); `None` if all are zero.
pub fn sum(terms: impl IntoIterator<Item = Option<TokenStream>>, span: Span) -> Option<TokenStream> {
    terms.into_iter().flatten().reduce(|a, b| quote_spanned!(span=> #a + #b))
}

impl Linear {
    /// The tangent of `Add`, `Sub`, `Neg`, `Identity`, `Transpose`: the same map of the tangents
    /// (`None` for the linear maps whose forms the forward emitter writes itself).
    pub fn tangent(self, tangent: &dyn Fn(usize) -> Option<TokenStream>, span: Span) -> Option<TokenStream> {
        match self {
            Linear::Add => sum([tangent(0), tangent(1)], span),
            Linear::Sub => match (tangent(0), tangent(1)) {
                (Some(a), Some(b)) => Some(quote_spanned!(span=> #a - #b)),
                (a, None) => a,
                (None, Some(b)) => Some(quote_spanned!(span=> -#b)),
            },
            Linear::Neg => tangent(0).map(|a| quote_spanned!(span=> -#a)),
            Linear::Identity => tangent(0),
            Linear::Transpose => tangent(0).map(|a| quote_spanned!(span=> #a.transpose())),
            _ => None,
        }
    }
}

impl Bilinear {
    /// `B(a, b)` as written.
    fn apply(self, a: &TokenStream, b: &TokenStream, span: Span) -> TokenStream {
        match self {
            Bilinear::Product => quote_spanned!(span=> #a * #b),
            Bilinear::Dot => quote_spanned!(span=> #a.dot(&#b)),
            Bilinear::ComponentMul => quote_spanned!(span=> #a.component_mul(&#b)),
            Bilinear::Cross => quote_spanned!(span=> #a.cross(&#b)),
        }
    }

    /// `B(ta, b) + B(a, tb)`.
    fn tangent(self, cx: &Tangents) -> Option<TokenStream> {
        let Tangents { value, tangent, span } = *cx;
        let (a, b) = (value(Read::Arg(0)), value(Read::Arg(1)));
        let lhs = tangent(0).map(|ta| self.apply(&ta, &b, span));
        let rhs = tangent(1).map(|tb| self.apply(&a, &tb, span));
        sum([lhs, rhs], span)
    }

    /// The transpose for operand `i` applied to `ȳ`: the term `ā_i += ..`. For `Product`, the
    /// runtime's `Product` trait decides by the operand types, unless both are known floats.
    fn transpose(self, i: usize, cx: &mut Cotangent) -> TokenStream {
        let Cotangent { ybar, read, floats, operands, span } = cx;
        let (floats, span) = (*floats, *span);
        use Operand::{Float, Matrix};
        match (self, i, *operands) {
            // `m * s` and `s * m`: the matrix's adjoint `ȳ s`, the float's `⟨ȳ, m⟩`.
            (Bilinear::Product, _, [Matrix, Float] | [Float, Matrix]) => {
                let scalar = usize::from(operands[1] == Float);
                if i == scalar {
                    let m = read(Read::Arg(1 - i));
                    quote_spanned!(span=> #ybar.dot(&#m))
                } else {
                    let s = read(Read::Arg(scalar));
                    quote_spanned!(span=> #ybar * #s)
                }
            }
            _ => self.transpose_generic(i, ybar, read, floats, span),
        }
    }

    /// [`Self::transpose`] of operands whose kinds are not sure: the runtime's `Product`, or
    /// arithmetic for two known floats.
    fn transpose_generic(
        self,
        i: usize,
        ybar: &TokenStream,
        read: &mut dyn FnMut(Read) -> TokenStream,
        floats: bool,
        span: Span,
    ) -> TokenStream {
        match (self, i) {
            (Bilinear::Product, _) if !floats => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                if i == 0 {
                    quote_spanned!(span=> ::tapeless::__private::product_lhs(#ybar, #a, #b))
                } else {
                    quote_spanned!(span=> ::tapeless::__private::product_rhs(#ybar, #a, #b))
                }
            }
            (Bilinear::Product, 0) => {
                let b = read(Read::Arg(1));
                quote_spanned!(span=> #ybar * #b)
            }
            (Bilinear::Product, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> #a * #ybar)
            }
            (Bilinear::Dot, _) => {
                let other = read(Read::Arg(1 - i.min(1)));
                quote_spanned!(span=> #other * #ybar)
            }
            (Bilinear::ComponentMul, _) => {
                let other = read(Read::Arg(1 - i.min(1)));
                quote_spanned!(span=> #ybar.component_mul(&#other))
            }
            (Bilinear::Cross, 0) => {
                let b = read(Read::Arg(1));
                quote_spanned!(span=> #b.cross(&#ybar))
            }
            (Bilinear::Cross, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> #ybar.cross(&#a))
            }
        }
    }
}

impl Custom {
    /// The tangent of every custom rule but `Map` (written by the forward emitter).
    fn tangent(self, cx: &Tangents) -> Option<TokenStream> {
        let Tangents { value, tangent, span } = *cx;
        let y = || value(Read::Result);
        match self {
            Custom::Quotient => {
                let b = value(Read::Arg(1));
                let y = y();
                match (tangent(0), tangent(1)) {
                    (Some(ta), Some(tb)) => Some(quote_spanned!(span=> #ta / #b - #y * (#tb / #b))),
                    (Some(ta), None) => Some(quote_spanned!(span=> #ta / #b)),
                    (None, Some(tb)) => Some(quote_spanned!(span=> -(#y * (#tb / #b)))),
                    (None, None) => None,
                }
            }
            Custom::ComponentDiv => {
                let b = value(Read::Arg(1));
                let y = y();
                match (tangent(0), tangent(1)) {
                    (Some(ta), Some(tb)) => {
                        Some(quote_spanned!(span=> (#ta - #y.component_mul(&#tb)).component_div(&#b)))
                    }
                    (Some(ta), None) => Some(quote_spanned!(span=> #ta.component_div(&#b))),
                    (None, Some(tb)) => {
                        Some(quote_spanned!(span=> -#y.component_mul(&#tb).component_div(&#b)))
                    }
                    (None, None) => None,
                }
            }
            Custom::NormSquared => {
                let a = value(Read::Arg(0));
                tangent(0).map(|ta| quote_spanned!(span=> #a.dot(&#ta) + #ta.dot(&#a)))
            }
            Custom::Norm => {
                let (a, y) = (value(Read::Arg(0)), y());
                tangent(0).map(|ta| quote_spanned!(span=> #a.dot(&#ta) / #y))
            }
            Custom::Normalize => {
                let (v, y) = (value(Read::Arg(0)), y());
                tangent(0).map(|tv| quote_spanned!(span=> (#tv - #y * #y.dot(&#tv)) / #v.norm()))
            }
            Custom::Trace => tangent(0).map(|ta| quote_spanned!(span=> #ta.trace())),
            Custom::Diagonal => tangent(0).map(|ta| quote_spanned!(span=> #ta.diagonal())),
            Custom::Inverse => {
                let y = y();
                tangent(0).map(|ta| quote_spanned!(span=> -(#y * #ta * #y)))
            }
            Custom::Solve { lower } => {
                let (a, y) = (value(Read::Arg(0)), y());
                let a = lower_symmetric(a, lower, span);
                let rhs = match (tangent(0).map(|ta| lower_symmetric(ta, lower, span)), tangent(1)) {
                    (Some(ta), Some(tb)) => quote_spanned!(span=> #tb - #ta * #y),
                    (Some(ta), None) => quote_spanned!(span=> -(#ta * #y)),
                    (None, Some(tb)) => tb,
                    (None, None) => return None,
                };
                Some(quote_spanned!(span=> ::tapeless::__private::solve(&#a, &(#rhs), false)))
            }
            Custom::Determinant => {
                let a = value(Read::Arg(0));
                tangent(0).map(|ta| quote_spanned!(span=> ::tapeless::__private::cofactors(&#a).component_mul(&#ta).sum()))
            }
            Custom::CholeskyFactor => {
                let y = y();
                tangent(0).map(|ta| {
                    let ta = lower_symmetric(ta, true, span);
                    quote_spanned!(span=> ::tapeless::__private::cholesky_factor_tangent(&#y, &#ta))
                })
            }
            Custom::Extremum(which) => {
                let (a, which) = (value(Read::Arg(0)), extremum(which, span));
                tangent(0).map(
                    |ta| quote_spanned!(span=> ::tapeless::__private::extremum_tangent(&#a, &#ta, #which)),
                )
            }
            Custom::LinearMethod(method) => {
                let method = syn::Ident::new(method, span);
                tangent(0).map(|ta| quote_spanned!(span=> #ta.#method()))
            }
            Custom::Mean => tangent(0).map(|ta| quote_spanned!(span=> #ta.mean())),
            Custom::Variance => {
                let a = value(Read::Arg(0));
                tangent(0).map(|ta| quote_spanned!(span=> ::tapeless::__private::variance_tangent(&#a, &#ta)))
            }
            Custom::Angle => {
                let (a, b) = (value(Read::Arg(0)), value(Read::Arg(1)));
                let p = quote_spanned!(span=> ::tapeless::__private);
                let along_a =
                    tangent(0).map(|ta| quote_spanned!(span=> #p::angle_gradient(&#a, &#b).dot(&#ta)));
                let along_b =
                    tangent(1).map(|tb| quote_spanned!(span=> #p::angle_gradient(&#b, &#a).dot(&#tb)));
                match (along_a, along_b) {
                    (Some(x), Some(y)) => Some(quote_spanned!(span=> #x + #y)),
                    (x, y) => x.or(y),
                }
            }
            Custom::Map => None,
        }
    }

    /// The term `ā_i += ..` of every custom rule but `Map` (written by the reverse emitter).
    fn adjoint(self, i: usize, cx: &mut Cotangent) -> TokenStream {
        let Cotangent { ybar, read, floats, span, .. } = cx;
        let (floats, span) = (*floats, *span);
        match (self, i) {
            (Custom::Quotient, 0) if floats => {
                let b = read(Read::Arg(1));
                quote_spanned!(span=> #ybar / #b)
            }
            (Custom::Quotient, _) if floats => {
                let (b, y) = (read(Read::Arg(1)), read(Read::Result));
                quote_spanned!(span=> -(#ybar * #y) / #b)
            }
            (Custom::Quotient, 0) => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                quote_spanned!(span=> ::tapeless::__private::quotient_lhs(#ybar, &#a, #b))
            }
            (Custom::Quotient, _) => {
                let (a, y, b) = (read(Read::Arg(0)), read(Read::Result), read(Read::Arg(1)));
                quote_spanned!(span=> ::tapeless::__private::quotient_rhs(#ybar, &#a, #y, #b))
            }
            (Custom::ComponentDiv, 0) => {
                let b = read(Read::Arg(1));
                quote_spanned!(span=> #ybar.component_div(&#b))
            }
            (Custom::ComponentDiv, _) => {
                let (b, y) = (read(Read::Arg(1)), read(Read::Result));
                quote_spanned!(span=> -#ybar.component_mul(&#y).component_div(&#b))
            }
            (Custom::NormSquared, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> #a * (#ybar + #ybar))
            }
            (Custom::Norm, _) => {
                let (a, y) = (read(Read::Arg(0)), read(Read::Result));
                quote_spanned!(span=> #a * (#ybar / #y))
            }
            (Custom::Normalize, _) => {
                let (v, y) = (read(Read::Arg(0)), read(Read::Result));
                quote_spanned!(span=> (#ybar - #y * #y.dot(&#ybar)) / #v.norm())
            }
            (Custom::Trace, _) => on_diagonal(read(Read::Arg(0)), quote!(fill_diagonal(#ybar)), span),
            (Custom::Determinant, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> ::tapeless::__private::cofactors(&#a) * #ybar)
            }
            (Custom::Inverse, _) => {
                let y = read(Read::Result);
                quote_spanned!(span=> -(#y.transpose() * #ybar * #y.transpose()))
            }
            (Custom::Solve { lower }, 0) => {
                let (a, y) = (lower_symmetric(read(Read::Arg(0)), lower, span), read(Read::Result));
                let g = quote_spanned!(span=> -(::tapeless::__private::solve(&#a, &#ybar, true) * #y.transpose()));
                match lower {
                    true => quote_spanned!(span=> ::tapeless::__private::folded_to_lower(#g)),
                    false => g,
                }
            }
            (Custom::Solve { lower }, _) => {
                let a = lower_symmetric(read(Read::Arg(0)), lower, span);
                quote_spanned!(span=> ::tapeless::__private::solve(&#a, &#ybar, true))
            }
            (Custom::CholeskyFactor, _) => {
                let y = read(Read::Result);
                quote_spanned!(span=> ::tapeless::__private::folded_to_lower(
                    ::tapeless::__private::cholesky_factor_adjoint(&#y, &#ybar)
                ))
            }
            (Custom::Diagonal, _) => on_diagonal(read(Read::Arg(0)), quote!(set_diagonal(&#ybar)), span),
            (Custom::Extremum(which), _) => {
                let (a, which) = (read(Read::Arg(0)), extremum(which, span));
                quote_spanned!(span=> ::tapeless::__private::extremum_adjoint(&#a, #ybar, #which))
            }
            (Custom::LinearMethod(method), _) => {
                let (a, adjoint) =
                    (read(Read::Arg(0)), quote::format_ident!("{}_adjoint", method, span = span));
                quote_spanned!(span=> ::tapeless::__private::#adjoint(&#a, &#ybar))
            }
            (Custom::Mean, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> ::tapeless::__private::mean_adjoint(&#a, #ybar))
            }
            (Custom::Variance, _) => {
                let a = read(Read::Arg(0));
                quote_spanned!(span=> ::tapeless::__private::variance_adjoint(&#a, #ybar))
            }
            (Custom::Angle, i) => {
                let (a, b) = (read(Read::Arg(0)), read(Read::Arg(1)));
                let (own, other) = if i == 0 { (a, b) } else { (b, a) };
                quote_spanned!(span=> ::tapeless::__private::angle_gradient(&#own, &#other) * #ybar)
            }
            (Custom::Map, _) => TokenStream::new(),
        }
    }
}

/// `m`, or with `lower` the symmetric matrix made from its lower triangle (what `cholesky`
/// reads).
fn lower_symmetric(m: TokenStream, lower: bool, span: Span) -> TokenStream {
    match lower {
        true => quote_spanned!(span=> ::tapeless::__private::symmetric_from_lower(&#m)),
        false => m,
    }
}

/// The runtime's `Extremum::Max` (or the variant named).
fn extremum(which: &str, span: Span) -> TokenStream {
    let variant = syn::Ident::new(which, span);
    quote_spanned!(span=> ::tapeless::__private::Extremum::#variant)
}

/// A zero tangent of the matrix `a` with `ȳ` put on its diagonal by `set` (`fill_diagonal(ȳ)` for
/// `trace`, `set_diagonal(&ȳ)` for `diagonal`): their adjoint.
fn on_diagonal(a: TokenStream, set: TokenStream, span: Span) -> TokenStream {
    let d = quote::format_ident!("__diagonal", span = Span::mixed_site());
    quote_spanned!(span=> {
        let mut #d = ::tapeless::__private::zero_tangent(&#a);
        #d.#set;
        #d
    })
}
