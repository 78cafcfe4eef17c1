//! The rewrite of the dual copy from the scan's decisions: groups split into plain and dual
//! floats, each float expression made the type its name was given.

use std::collections::{HashMap, HashSet};

use proc_macro2::Span;
use quote::ToTokens;
use syn::{Expr, Pat, Stmt};

use super::{Ty, callee, dual_math, float_function, ident_of, literal, scalar_path};

/// The rewrite, from the decisions.
pub(super) struct Rewrite<'a> {
    pub(super) types: &'a HashMap<String, Ty>,
    /// The float names that are dual numbers (the fixed ones among them, `Scan::decide`).
    pub(super) dual: &'a HashSet<String>,
}

/// `b` with its operands replaced (built as syntax, not reparsed).
fn binary(b: &syn::ExprBinary, left: Expr, right: Expr) -> Expr {
    let mut b = b.clone();
    *b.left = left;
    *b.right = right;
    Expr::Binary(b)
}

/// A parenthesis, unary operator or reference `e` with its operand replaced.
fn with_inner(e: &Expr, inner: Expr) -> Expr {
    let mut e = e.clone();
    match &mut e {
        Expr::Paren(p) => *p.expr = inner,
        Expr::Unary(u) => *u.expr = inner,
        Expr::Reference(r) => *r.expr = inner,
        _ => {}
    }
    e
}

/// `<Dual<f64> as Scalar>::m(..)` as `<f64 as Scalar>::m(..)`, for plain arguments.
fn at_f64(c: &mut syn::ExprCall) {
    if let Expr::Path(p) = &mut *c.func
        && scalar_path(p)
        && let Some(q) = &mut p.qself
    {
        *q.ty = syn::parse_quote!(f64);
    }
}

/// An argument's value, behind the reference a call may take it by (`&x`).
fn operand(a: &Expr) -> &Expr {
    match a {
        Expr::Reference(r) => &r.expr,
        a => a,
    }
}

fn private(name: &str, args: Vec<Expr>) -> Expr {
    let f = syn::Ident::new(name, Span::call_site());
    syn::parse_quote!(::tapeless::__private::#f(#(#args),*))
}

impl Rewrite<'_> {
    fn ty(&self, name: &str) -> Option<Ty> {
        self.types.get(name).copied()
    }

    fn float_name(&self, name: &str) -> bool {
        self.ty(name) == Some(Ty::Float)
    }

    pub(super) fn stmts(&mut self, stmts: &mut Vec<Stmt>) {
        let mut out = Vec::with_capacity(stmts.len());
        for mut stmt in std::mem::take(stmts) {
            match &mut stmt {
                Stmt::Local(l) if l.init.is_none() => {
                    if let Pat::Type(t) = &l.pat
                        && let (Pat::Slice(s), syn::Type::Array(a)) = (&*t.pat, &*t.ty)
                    {
                        // The group split: plain floats, then dual numbers.
                        let (dual, plain): (Vec<&Pat>, Vec<&Pat>) = s.elems.iter().partition(
                            |p| matches!(p, Pat::Ident(i) if self.dual.contains(&i.ident.to_string())),
                        );
                        let elem = &a.elem;
                        for (group, ty) in [(plain, quote::quote!(f64)), (dual, elem.to_token_stream())] {
                            if !group.is_empty() {
                                let n = group.len();
                                out.push(syn::parse_quote!(let [#(#group,)*]: [#ty; #n];));
                            }
                        }
                        continue;
                    }
                }
                Stmt::Local(l) if matches!(&l.init, Some(init) if matches!(&*init.expr, Expr::If(_))) => {
                    self.value_if(l);
                }
                // `let v: Dual<f64> = e;`: typed by its decision.
                Stmt::Local(syn::Local { pat: Pat::Type(t), init: Some(init), .. }) => {
                    if let Pat::Ident(i) = &*t.pat {
                        let want = self.dual.contains(&i.ident.to_string());
                        if !want {
                            *t.ty = syn::parse_quote!(f64);
                        }
                        *init.expr = self.coerce(&init.expr, want);
                    }
                }
                Stmt::Expr(e, _) => self.statement(e),
                _ => {}
            }
            out.push(stmt);
        }
        *stmts = out;
    }

    /// `let (v, trace) = if c { ..; (a, t) } else { ..; (b, u) };`: each arm's value as its name
    /// is typed.
    fn value_if(&mut self, l: &mut syn::Local) {
        let Pat::Tuple(t) = &l.pat else { return };
        let Some(names) = super::idents(t.elems.iter()) else { return };
        let Some(init) = &mut l.init else { return };
        let Expr::If(i) = &mut *init.expr else { return };
        *i.cond = self.natural(&i.cond).0;
        let mut arms = vec![&mut i.then_branch];
        if let Some((_, e)) = &mut i.else_branch
            && let Expr::Block(b) = &mut **e
        {
            arms.push(&mut b.block);
        }
        for arm in arms {
            // The arm's statements, then its value (`Scan::local` checked it is a tuple).
            let Some(last) = arm.stmts.len().checked_sub(1) else { continue };
            let mut rest: Vec<Stmt> = arm.stmts.drain(..last).collect();
            self.stmts(&mut rest);
            if let Some(Stmt::Expr(Expr::Tuple(t), None)) = arm.stmts.first_mut() {
                for (e, n) in t.elems.iter_mut().zip(&names) {
                    if self.float_name(n) {
                        *e = self.coerce(e, self.dual.contains(n));
                    }
                }
            }
            rest.append(&mut arm.stmts);
            arm.stmts = rest;
        }
    }

    fn statement(&mut self, e: &mut Expr) {
        match e {
            Expr::Match(m) => {
                for arm in m.arms.iter_mut() {
                    if let Expr::Block(b) = &mut *arm.body {
                        self.stmts(&mut b.block.stmts);
                    }
                }
            }
            Expr::Assign(a) => {
                if let Some(name) = ident_of(&a.left)
                    && self.float_name(&name)
                {
                    let want = self.dual.contains(&name);
                    *a.right = self.coerce(&a.right, want);
                } else if let Expr::Index(_) = &*a.left {
                    // A store into an array of dual numbers.
                    *a.right = self.coerce(&a.right, true);
                } else if !matches!(&*a.left, Expr::Tuple(_)) {
                    *a.right = self.array(&a.right);
                } else if let (Expr::Tuple(_), Expr::Call(c)) = (&*a.left, &mut *a.right) {
                    // `(v, pb) = dual_math::erf_vjp(x)`: dual numbers in.
                    for arg in c.args.iter_mut() {
                        *arg = self.coerce(arg, true);
                    }
                }
            }
            Expr::ForLoop(f) => self.stmts(&mut f.body.stmts),
            Expr::Loop(l) => self.stmts(&mut l.body.stmts),
            Expr::If(i) => {
                *i.cond = self.natural(&i.cond).0;
                self.stmts(&mut i.then_branch.stmts);
                if let Some((_, e)) = &mut i.else_branch {
                    match &mut **e {
                        Expr::Block(b) => self.stmts(&mut b.block.stmts),
                        e => self.statement(e),
                    }
                }
            }
            // `accumulate(&mut place, contribution)`: the contribution as the place holds it.
            Expr::Call(c) if c.args.len() == 2 && callee(c).is_some_and(|(n, _)| n == "accumulate") => {
                let want = match &c.args[0] {
                    Expr::Reference(r) => match &*r.expr {
                        Expr::Index(ix) => {
                            ident_of(&ix.expr).is_some_and(|a| self.ty(&a) == Some(Ty::Array { dual: true }))
                        }
                        e => ident_of(e).is_some_and(|n| self.dual.contains(&n)),
                    },
                    _ => true,
                };
                c.args[1] = self.coerce(&c.args[1], want);
            }
            _ => {}
        }
    }

    /// An array's value: a list of floats made dual numbers (`vec![a, b]`, `[a, b]`); anything
    /// else at its own type.
    fn array(&self, e: &Expr) -> Expr {
        match e {
            Expr::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "vec") => {
                match super::scan::vec_elements(&m.mac) {
                    Some(super::scan::VecElements::List(items)) => {
                        let items: Vec<Expr> = items.iter().map(|i| self.coerce(i, true)).collect();
                        let mut m = m.clone();
                        m.mac.tokens = quote::quote!(#(#items),*);
                        Expr::Macro(m)
                    }
                    _ => e.clone(),
                }
            }
            Expr::Array(a) => {
                let mut a = a.clone();
                for item in a.elems.iter_mut() {
                    *item = self.coerce(item, true);
                }
                Expr::Array(a)
            }
            e => self.natural(e).0,
        }
    }

    /// `(value, gradient)`: as the signature says, dual numbers.
    pub(super) fn tail(&mut self, e: &mut Expr) {
        if let Expr::Tuple(t) = e {
            for part in t.elems.iter_mut() {
                self.returned(part);
            }
        }
    }

    fn returned(&mut self, e: &mut Expr) {
        match e {
            Expr::Tuple(t) => t.elems.iter_mut().for_each(|p| self.returned(p)),
            e if self.is_float(e) => *e = self.coerce(e, true),
            _ => {}
        }
    }

    /// Whether `e` names a float local or parameter.
    fn is_float(&self, e: &Expr) -> bool {
        match e {
            Expr::Path(_) => ident_of(e).is_some_and(|n| self.float_name(&n)),
            Expr::Paren(p) => self.is_float(&p.expr),
            Expr::Lit(_) => false,
            Expr::Index(ix) => {
                ident_of(&ix.expr).is_some_and(|a| matches!(self.ty(&a), Some(Ty::Array { .. })))
            }
            Expr::Unary(u) => matches!(u.op, syn::UnOp::Neg(_)) && self.is_float(&u.expr),
            Expr::Binary(b) => {
                use syn::BinOp::*;
                matches!(b.op, Add(_) | Sub(_) | Mul(_) | Div(_) | Rem(_)) && self.is_float(&b.left)
            }
            Expr::MethodCall(m) => {
                self.is_float(&m.receiver)
                    && crate::rules::float_method(&m.method.to_string())
                    && !m.method.to_string().starts_with("is_")
            }
            Expr::Call(c) => match callee(c) {
                _ if literal(c).is_some() => true,
                Some((n, _)) if n == "is_nonzero" => false,
                Some(_) => true,
                None => true,
            },
            _ => false,
        }
    }

    /// `e` as a float of the wanted kind.
    fn coerce(&self, e: &Expr, want_dual: bool) -> Expr {
        // `zero_real()` and the zero tangent of a float: a zero of the wanted type, written out (a
        // later `ā = ā + c` could not tell it, `Add` having impls for `f64` and `Dual<f64>`).
        if let Expr::Call(c) = e
            && let Some((n, _)) = callee(c)
            && (n == "zero_real"
                || n == "zero_tangent"
                    && c.args.iter().all(|a| matches!(a, Expr::Reference(r) if self.is_float(&r.expr))))
        {
            let zero: Expr = syn::parse_quote!(0.0f64);
            return if want_dual { private("promote", vec![zero]) } else { zero };
        }
        let (natural, dual) = self.natural(e);
        match (want_dual, dual) {
            (true, true) | (false, false) => natural,
            (true, false) => private("promote", vec![natural]),
            (false, true) => self.plain(e),
        }
    }

    /// Gives the float operands among `operands` (behind a reference too) one type: dual
    /// numbers if any of them is one, which is returned. A call's float arguments and a float
    /// method's receiver and arguments share one type parameter (`Scalar`, the rules' partials).
    fn one_type<'e>(&self, operands: impl Iterator<Item = &'e mut Expr>) -> bool {
        let floats: Vec<&mut Expr> = operands.filter(|a| self.is_float(operand(a))).collect();
        let any = floats.iter().any(|a| self.natural(operand(a)).1);
        for a in floats {
            let coerced = self.coerce(operand(a), any);
            *a = match a {
                Expr::Reference(_) => with_inner(a, coerced),
                _ => coerced,
            };
        }
        any
    }

    /// `e` with every dual operand read by its value part.
    fn plain(&self, e: &Expr) -> Expr {
        match e {
            Expr::Path(_) => match ident_of(e) {
                Some(n) if self.dual.contains(&n) => private("primal", vec![e.clone()]),
                _ => e.clone(),
            },
            Expr::Index(ix) => match ident_of(&ix.expr).and_then(|a| self.ty(&a)) {
                Some(Ty::Array { dual: true }) => private("primal", vec![e.clone()]),
                _ => e.clone(),
            },
            Expr::Paren(p) => with_inner(e, self.plain(&p.expr)),
            Expr::Unary(u) => with_inner(e, self.plain(&u.expr)),
            Expr::Binary(b) => binary(b, self.plain(&b.left), self.plain(&b.right)),
            Expr::MethodCall(m) if self.is_float(&m.receiver) => {
                let mut m = m.clone();
                *m.receiver = self.plain(&m.receiver);
                for a in m.args.iter_mut() {
                    *a = self.plain(a);
                }
                Expr::MethodCall(m)
            }
            Expr::Call(c) => {
                if let Some(lit) = literal(c) {
                    return plain_literal(lit);
                }
                match callee(c) {
                    Some((name, path))
                        if matches!(name.as_str(), "promote" | "cast")
                            && c.args.len() == 1
                            && !dual_math(path) =>
                    {
                        let arg = &c.args[0];
                        if name == "cast" && !self.is_float(arg) {
                            syn::parse_quote!((#arg as f64))
                        } else {
                            self.plain(arg)
                        }
                    }
                    Some((name, path))
                        if scalar_path(path) || float_function(&name, path) || name == "seed_one" =>
                    {
                        let mut c = c.clone();
                        at_f64(&mut c);
                        for a in c.args.iter_mut() {
                            *a = self.plain(a);
                        }
                        Expr::Call(c)
                    }
                    _ => private("primal", vec![e.clone()]),
                }
            }
            Expr::Reference(r) => with_inner(e, self.plain(&r.expr)),
            _ => private("primal", vec![e.clone()]),
        }
    }

    /// `e` at its own type: the expression, and whether it is a dual number.
    fn natural(&self, e: &Expr) -> (Expr, bool) {
        match e {
            Expr::Path(_) => {
                let dual = ident_of(e).is_some_and(|n| self.dual.contains(&n));
                (e.clone(), dual)
            }
            Expr::Index(ix) => {
                let dual = ident_of(&ix.expr).and_then(|a| self.ty(&a)) == Some(Ty::Array { dual: true });
                (e.clone(), dual)
            }
            Expr::Paren(syn::ExprParen { expr, .. })
            | Expr::Unary(syn::ExprUnary { expr, .. })
            | Expr::Reference(syn::ExprReference { expr, .. }) => {
                let (inner, dual) = self.natural(expr);
                (with_inner(e, inner), dual)
            }
            Expr::Binary(b) => {
                if super::comparison(&b.op) {
                    // Compared by value, as the dual number's own order does.
                    return (binary(b, self.plain(&b.left), self.plain(&b.right)), false);
                }
                let ((l, ld), (r, rd)) = (self.natural(&b.left), self.natural(&b.right));
                (binary(b, l, r), ld || rd)
            }
            Expr::MethodCall(m) if self.is_float(&m.receiver) => {
                let mut m = m.clone();
                let any = self.one_type(std::iter::once(&mut *m.receiver).chain(m.args.iter_mut()));
                let float = !m.method.to_string().starts_with("is_");
                (Expr::MethodCall(m), any && float)
            }
            Expr::Call(c) => {
                if let Some(lit) = literal(c) {
                    return (plain_literal(lit), false);
                }
                // A pullback of `dual_math`, and `dual_math` itself: dual numbers in and out.
                let (name, path) = match callee(c) {
                    Some((n, p)) => (n, Some(p)),
                    None => (String::new(), None),
                };
                let pullback = ident_of(&c.func).is_some_and(|f| self.ty(&f) == Some(Ty::Pullback));
                if pullback || path.is_some_and(dual_math) {
                    let mut c = c.clone();
                    for a in c.args.iter_mut() {
                        *a = self.coerce(a, true);
                    }
                    return (Expr::Call(c), true);
                }
                let Some(path) = path else { return (e.clone(), true) };
                match name.as_str() {
                    "promote" if c.args.len() == 1 => {
                        let (inner, dual) = self.natural(&c.args[0]);
                        return (inner, dual);
                    }
                    "seed_one" | "is_nonzero" if c.args.len() == 1 => {
                        let mut c = c.clone();
                        let (inner, dual) = self.natural(&c.args[0]);
                        c.args[0] = inner;
                        return (Expr::Call(c), dual && name == "seed_one");
                    }
                    "zero_real" | "zero_tangent" => return (e.clone(), false),
                    // An entry of an array, as the array holds it.
                    "take" => {
                        let array = super::scan::taken(c).and_then(|a| self.ty(&a));
                        return (e.clone(), array == Some(Ty::Array { dual: true }));
                    }
                    // `n as f64` of an integer.
                    "cast" if c.args.len() == 1 && !self.is_float(&c.args[0]) => {
                        let n = &c.args[0];
                        return (syn::parse_quote!((#n as f64)), false);
                    }
                    "cast" if c.args.len() == 1 => return self.natural(&c.args[0]),
                    _ => {}
                }
                let mut c = c.clone();
                let any = self.one_type(c.args.iter_mut());
                if !any && scalar_path(path) {
                    at_f64(&mut c);
                }
                (Expr::Call(c), any)
            }
            _ => (e.clone(), false),
        }
    }
}

/// A literal of the copy as an `f64`: `1.0` as `1.0f64`, `FRAC_1_SQRT_2` as itself.
fn plain_literal(lit: &Expr) -> Expr {
    match lit {
        Expr::Lit(syn::ExprLit { lit: syn::Lit::Float(f), .. }) if f.suffix().is_empty() => {
            let digits = f.base10_digits();
            let dot = if digits.ends_with('.') { "0" } else { "" };
            let l = syn::LitFloat::new(&format!("{digits}{dot}f64"), f.span());
            syn::parse_quote!(#l)
        }
        e => syn::parse_quote!((#e as f64)),
    }
}
