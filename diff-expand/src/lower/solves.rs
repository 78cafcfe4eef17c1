//! A matrix's inverse and linear solves, as the user writes them with nalgebra:
//! `m.try_inverse().unwrap()` (`Custom::Inverse`), `a.lu().solve(&b).unwrap()` (also `qr`,
//! `full_piv_lu`) and `a.cholesky().unwrap().solve(&b)` (`Custom::Solve`, which for `cholesky`
//! reads the lower triangle only, as nalgebra's does), each with `expect("..")` in place of
//! `unwrap()`. The primal is the user's own decomposition, panicking where theirs
//! does; the derivatives are the runtime's.
//!
//! A decomposition kept in a variable (`let lu = a.lu();`, `let chol = a.cholesky().unwrap();`)
//! is held as the matrix (`Lowerer::decompositions`), and each `solve` of it decomposes that
//! matrix as written; so does a Cholesky decomposition's `l()` (`Custom::CholeskyFactor`), and
//! its `ln_determinant()` and `determinant()` are read from that factor's diagonal as nalgebra reads them. Any other
//! use of a kept decomposition is our error.

use super::*;

/// The arguments of `expect(..)`.
type Arguments = syn::punctuated::Punctuated<Expr, syn::Token![,]>;

/// The decompositions whose `solve` gives `Option` (unwrapped after it).
pub(super) const SOLVERS: [&str; 3] = ["lu", "full_piv_lu", "qr"];

/// How a matrix kept in a variable was decomposed: the method, and for `cholesky` (whose
/// `Option` is unwrapped before the solve) the `unwrap()` or `expect(..)` after it.
#[derive(Clone)]
pub(super) struct Decomposition {
    method: syn::Ident,
    unwrap: Option<(syn::Ident, Arguments)>,
}

/// `e.unwrap()` or `e.expect("..")` (its message a literal: the forms below copy it as written):
/// `e`.
fn unwrapped(m: &syn::ExprMethodCall) -> Option<&Expr> {
    let literal = m.args.iter().all(|a| matches!(a, Expr::Lit(_)));
    (unwraps(m) && literal).then_some(&*m.receiver)
}

/// `a.name()` (no arguments), `name` one of `names`: `a` and the name.
fn receiver_of<'e>(e: &'e Expr, names: &[&str]) -> Option<(&'e Expr, &'e syn::Ident)> {
    match strip_parens(e) {
        Expr::MethodCall(c) if c.args.is_empty() && names.iter().any(|n| c.method == n) => {
            Some((&c.receiver, &c.method))
        }
        _ => None,
    }
}

/// The one argument `b` of `solve(&b)` (or `solve(b)`).
fn right_hand_side(m: &syn::ExprMethodCall) -> Option<&Expr> {
    match &m.args.iter().collect::<Vec<_>>()[..] {
        [Expr::Reference(r)] if r.mutability.is_none() => Some(&r.expr),
        [b] => Some(b),
        _ => None,
    }
}

impl Lowerer<'_> {
    /// Whether `v` can be a matrix (a static one is a `Float`, a dynamic one `Heap`, or an array
    /// when built by `DMatrix::from_fn` and written by index: no `Vec` has these methods).
    fn matrix(&self, v: Value) -> bool {
        matches!(self.kind(v), Kind::Float | Kind::Heap | Kind::Unknown | Kind::Array(ArrayKind::Vec))
    }

    /// The decomposition kept in the variable `e`, and the matrix it holds.
    fn kept_decomposition(&self, e: &Expr) -> Option<(Value, Decomposition)> {
        let v = self.aggregate_or_leaf(strip_parens(e))?;
        self.decompositions.get(&v).map(|d| (v, d.clone()))
    }

    /// The matrix a Cholesky decomposition `e` decomposes, with the `unwrap()` or `expect(..)`
    /// after it: `a.cholesky().unwrap()` or a variable keeping one.
    fn cholesky_of(&mut self, e: &Expr) -> Option<(Value, syn::Ident, Arguments)> {
        if let Some((a, Decomposition { method, unwrap: Some((unwrap, expect)) })) =
            self.kept_decomposition(e)
        {
            return (method == "cholesky").then_some((a, unwrap, expect));
        }
        let Expr::MethodCall(u) = strip_parens(e) else { return None };
        let (a, _) = unwrapped(u).and_then(|c| receiver_of(c, &["cholesky"]))?;
        Some((self.value(a), u.method.clone(), u.args.clone()))
    }

    /// `m.try_inverse().unwrap()`, `a.lu().solve(&b).unwrap()`, `a.cholesky().unwrap().solve(&b)`
    /// (or with `expect`), a decomposition kept in a variable and its `solve`, if `m` is one of
    /// them on matrices.
    pub(super) fn inverse_or_solve(
        &mut self,
        m: &syn::ExprMethodCall,
        span: Loc,
        results: &TupleShape,
    ) -> Option<Tree> {
        let (outer, args) = (&m.method, &m.args);
        // `m.try_inverse().unwrap()`: its inverse.
        if let Some((a, _)) = unwrapped(m).and_then(|r| receiver_of(r, &["try_inverse"])) {
            let x = self.value(a);
            if !self.matrix(x) {
                return None;
            }
            let xi = x.ident();
            let form = Form::Verbatim(quote!(#xi.clone_owned().try_inverse().#outer(#args)));
            return Some(self.prim(rules::operator("<inverse>"), vec![x], form, span, results));
        }
        // `a.lu().solve(&b).unwrap()`, `lu.solve(&b).unwrap()`.
        if let Some(Expr::MethodCall(solve)) = unwrapped(m).map(strip_parens)
            && solve.method == "solve"
            && let Some(b) = right_hand_side(solve)
        {
            let (a, method) = match receiver_of(&solve.receiver, &SOLVERS) {
                Some((a, method)) => (self.value(a), method.clone()),
                None => match self.kept_decomposition(&solve.receiver) {
                    Some((a, Decomposition { method, unwrap: None })) => (a, method),
                    _ => return None,
                },
            };
            if !self.matrix(a) {
                return None;
            }
            let y = self.value(b);
            let (ai, bi) = (a.ident(), y.ident());
            let form = Form::Verbatim(quote!(#ai.clone_owned().#method().solve(&#bi).#outer(#args)));
            return Some(self.prim(rules::operator("<solve>"), vec![a, y], form, span, results));
        }
        // `a.cholesky().unwrap().solve(&b)`, `chol.solve(&b)`.
        if m.method == "solve"
            && let Some(b) = right_hand_side(m)
        {
            let kept = self.kept_decomposition(&m.receiver);
            let (a, method, unwrap, expect) = match (strip_parens(&m.receiver), kept) {
                (_, Some((a, Decomposition { method, unwrap: Some((unwrap, expect)) }))) => {
                    (a, method, unwrap, expect)
                }
                (Expr::MethodCall(u), None) => match unwrapped(u).and_then(|c| receiver_of(c, &["cholesky"]))
                {
                    Some((a, method)) => (self.value(a), method.clone(), u.method.clone(), u.args.clone()),
                    // `a.lu().solve(&b)` whose `Option` is read another way (`.is_some()`,
                    // `if let`): the decomposition would be held as its matrix, which has no
                    // `solve`.
                    None if receiver_of(&m.receiver, &SOLVERS).is_some() => {
                        return Some(self.unsupported(span, unsupported::SOLVE_OPTION_READ));
                    }
                    None => return None,
                },
                // `lu.solve(&b)` not unwrapped.
                (_, Some(_)) => return Some(self.unsupported(span, unsupported::DECOMPOSITION_READ)),
                _ => return None,
            };
            if !self.matrix(a) {
                return None;
            }
            let y = self.value(b);
            let (ai, bi) = (a.ident(), y.ident());
            let form = Form::Verbatim(quote!(#ai.clone_owned().#method().#unwrap(#expect).solve(&#bi)));
            return Some(self.prim(rules::operator("<solve lower>"), vec![a, y], form, span, results));
        }
        // `chol.l()`, `a.cholesky().unwrap().l()`: the factor.
        if m.method == "l"
            && m.args.is_empty()
            && let Some((a, unwrap, expect)) = self.cholesky_of(&m.receiver)
        {
            if !self.matrix(a) {
                return None;
            }
            let ai = a.ident();
            let form = Form::Verbatim(quote!(#ai.clone_owned().cholesky().#unwrap(#expect).l()));
            return Some(self.prim(rules::operator("<cholesky l>"), vec![a], form, span, results));
        }
        // `chol.ln_determinant()`, `chol.determinant()`: from the factor's diagonal, as nalgebra
        // computes them, `Σ ln lᵢᵢ²` and `(Π lᵢᵢ)²` (literals `0.0` and `1.0`, so not in a
        // function generic over its float type).
        if matches!(m.method.to_string().as_str(), "ln_determinant" | "determinant")
            && m.args.is_empty()
            && self.floats.is_empty()
            && self.cholesky_of(&m.receiver).is_some()
        {
            let (recv, s) = (&m.receiver, span.span());
            let h = |name: &str| super::iterators::hidden(name, s);
            let (acc, e, p) = (h("__tapeless_acc"), h("__tapeless_e"), h("__tapeless_p"));
            let diagonal: Expr = syn::parse_quote_spanned!(s=> (#recv).l().diagonal());
            let e: Expr = match m.method == "ln_determinant" {
                true => {
                    syn::parse_quote_spanned!(s=> #diagonal.iter().fold(0.0, |#acc, #e| #acc + (#e * #e).ln()))
                }
                false => syn::parse_quote_spanned!(s=> {
                    let #p = #diagonal.iter().fold(1.0, |#acc, #e| #acc * #e);
                    #p * #p
                }),
            };
            return Some(self.expr(&e));
        }
        // `a.lu()`, `a.cholesky().unwrap()` kept in a variable: the matrix, recorded.
        let (a, decomposition) = if m.args.is_empty() && SOLVERS.iter().any(|s| m.method == s) {
            (&*m.receiver, Decomposition { method: m.method.clone(), unwrap: None })
        } else if let Some((a, method)) = unwrapped(m).and_then(|c| receiver_of(c, &["cholesky"])) {
            let unwrap = Some((m.method.clone(), m.args.clone()));
            (a, Decomposition { method: method.clone(), unwrap })
        } else {
            // Another method of a decomposition kept in a variable.
            return self
                .kept_decomposition(&m.receiver)
                .map(|_| self.unsupported(span, unsupported::DECOMPOSITION_READ));
        };
        let x = self.value(a);
        if !self.matrix(x) {
            return None;
        }
        let xi = x.ident();
        let form = Form::Verbatim(quote!(#xi.clone_owned()));
        let t = self.prim(rules::operator("<typed>"), vec![x], form, span, results);
        if let Tree::Leaf(v) = t {
            self.decompositions.insert(v, decomposition);
        }
        Some(t)
    }
}
