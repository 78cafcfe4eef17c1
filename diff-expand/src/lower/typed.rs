//! Values of the crate's own types, as far as the syntax shows them, and their operators and
//! methods written out where they are used (`expand::lower_body` asks for it when a body uses
//! them on differentiable values):
//!
//! ```text
//! let d = pos[i + 1] - pos[i];      (pos: &[Vec2], impl Sub for Vec2)
//!     let d = pos[i + 1].sub(pos[i]);   then `sub`'s body, `self` the receiver
//! e += 0.5 * k * (d.norm() - 1.0);  (impl Vec2 { fn norm(self) -> f64 })
//!     `norm`'s body, `self` as `d`
//! f[i] += d;                         f[i] = f[i].add(d)
//! ```
//!
//! A name's type is known from a parameter (`p: Vec2`, `&Vec2`; the elements of `&[Vec2]`,
//! `Vec<Vec2>`, `[Vec2; N]`), a `let` with a type, a struct literal, an operator or method of a
//! known type that returns `Self`, and a `for` over a known collection, for names bound once in
//! the body or bound again only with the same type (`let s = s.step(dt);`). An assigning operator (`+=`) is written with its operator (`a = a + b`), as a type's
//! `AddAssign` agrees with its `Add`.

use std::collections::HashMap;

use syn::visit::Visit;
use syn::{BinOp, Expr, Pat, Type};

use crate::signature::Signature;
use crate::signature::higher_order::{lookup_plain_typed, type_name};

/// What the syntax tells of the types of a body's names.
#[derive(Default)]
pub(super) struct Types {
    /// A name's type (its last path segment).
    names: HashMap<String, String>,
    /// A collection's element type.
    elements: HashMap<String, String>,
}

/// The method an operator calls, and whether it assigns (`+=` calls `add`).
fn operator(op: &BinOp) -> Option<(&'static str, bool)> {
    Some(match op {
        BinOp::Add(_) => ("add", false),
        BinOp::Sub(_) => ("sub", false),
        BinOp::Mul(_) => ("mul", false),
        BinOp::Div(_) => ("div", false),
        BinOp::AddAssign(_) => ("add", true),
        BinOp::SubAssign(_) => ("sub", true),
        BinOp::MulAssign(_) => ("mul", true),
        BinOp::DivAssign(_) => ("div", true),
        _ => return None,
    })
}

/// The element type of a collection type: `&[T]`, `Vec<T>`, `[T; N]`, behind references.
fn element_type(ty: &Type) -> Option<String> {
    match ty {
        Type::Reference(r) => element_type(&r.elem),
        Type::Slice(s) => named(&s.elem),
        Type::Array(a) => named(&a.elem),
        Type::Path(p) => crate::signature::vec_element(p).and_then(named),
        _ => None,
    }
}

/// The name of a type that may have operators of the crate's own (capitalised, as Rust's
/// convention names types: not `f64` or `usize`).
fn named(ty: &Type) -> Option<String> {
    type_name(ty).filter(|n| n.starts_with(|c: char| c.is_ascii_uppercase()))
}

/// The type `item`, a method of `ty`, returns, if a named one (`Self` is `ty`).
fn output_type(item: &syn::ItemFn, ty: &str) -> Option<String> {
    match &item.sig.output {
        syn::ReturnType::Type(_, t) => type_name(t).map(|n| if n == "Self" { ty.to_string() } else { n }),
        syn::ReturnType::Default => None,
    }
}

/// The named type of `item`'s parameter `i` (the receiver counted).
fn param_type(item: &syn::ItemFn, i: usize) -> Option<String> {
    match item.sig.inputs.iter().nth(i)? {
        syn::FnArg::Typed(t) => type_name(&t.ty),
        syn::FnArg::Receiver(_) => None,
    }
}

/// The floats an operator of the crate's may take on its left (`impl Mul<Vec2> for f64`).
const SCALARS: [&str; 2] = ["f64", "f32"];

impl Types {
    /// The types of `sig`'s parameters and of the names `body` binds once.
    pub(super) fn of(sig: &Signature, body: &syn::Block) -> Types {
        let mut types = Types::default();
        for p in &sig.params {
            let name = p.ident.to_string();
            match element_type(&p.ty) {
                Some(e) => {
                    types.elements.insert(name, e);
                }
                None => {
                    if let Some(t) = named(&p.ty) {
                        types.names.insert(name, t);
                    }
                }
            }
        }
        let mut counts = Counts::default();
        counts.visit_block(body);
        let mut scan = Scan { types: &mut types, counts: &counts.0, seen: HashMap::new() };
        scan.visit_block(body);
        // A name bound several times keeps its type only if every binding gave it the same one.
        let seen = std::mem::take(&mut scan.seen);
        types.names.retain(|name, _| match counts.0.get(name) {
            Some(&n) if n > 1 => seen.get(name).is_some_and(|(typed, _)| *typed == n),
            _ => true,
        });
        types
    }

    /// The type of `e`, if the syntax shows it.
    pub(super) fn ty_of(&self, e: &Expr) -> Option<String> {
        match e {
            Expr::Path(p) => self.names.get(&p.path.get_ident()?.to_string()).cloned(),
            Expr::Index(i) => match &*i.expr {
                Expr::Path(p) => self.elements.get(&p.path.get_ident()?.to_string()).cloned(),
                _ => None,
            },
            Expr::Paren(p) => self.ty_of(&p.expr),
            Expr::Group(g) => self.ty_of(&g.expr),
            Expr::Reference(r) => self.ty_of(&r.expr),
            Expr::Unary(u) if matches!(u.op, syn::UnOp::Deref(_)) => self.ty_of(&u.expr),
            Expr::Struct(s) => s.path.segments.last().map(|s| s.ident.to_string()),
            Expr::Binary(b) => {
                let (method, false) = operator(&b.op)? else { return None };
                let (ty, item) = self.operator_of(method, &b.left, &b.right)?;
                output_type(&item, &ty)
            }
            Expr::Cast(c) => type_name(&c.ty),
            Expr::MethodCall(m) => {
                let ty = self.ty_of(&m.receiver)?;
                let (item, _) = lookup_plain_typed(&m.method.to_string(), &ty, m.args.len() + 1, true)?;
                output_type(&item, &ty)
            }
            Expr::Call(c) => {
                let Expr::Path(p) = &*c.func else { return None };
                let segments: Vec<&syn::PathSegment> = p.path.segments.iter().collect();
                let [.., ty, f] = segments[..] else { return None };
                let ty = ty.ident.to_string();
                let (item, _) = lookup_plain_typed(&f.ident.to_string(), &ty, c.args.len(), false)?;
                output_type(&item, &ty).filter(|t| *t == ty)
            }
            Expr::Block(b) => match b.block.stmts.last()? {
                syn::Stmt::Expr(e, None) => self.ty_of(e),
                _ => None,
            },
            _ => None,
        }
    }

    /// The type whose operator `method` `left` and `right` call, and that method: the left
    /// operand's, or for a float on the left (`0.5 * d`) the float's operator taking the right
    /// operand's type (`impl Mul<Vec2> for f64`).
    fn operator_of(&self, method: &str, left: &Expr, right: &Expr) -> Option<(String, syn::ItemFn)> {
        if let Some(ty) = self.ty_of(left) {
            let (item, _) = lookup_plain_typed(method, &ty, 2, true)?;
            // An operand of the crate's type must be seen to be one (`(x as f64) * v.x` inside
            // `Mul<Vec2> for f64` is the float's own product).
            let takes = param_type(&item, 1).filter(|t| t.starts_with(|c: char| c.is_ascii_uppercase()));
            return match takes {
                Some(t) if self.ty_of(right).as_ref() != Some(&t) => None,
                _ => Some((ty, item)),
            };
        }
        let right = self.ty_of(right)?;
        SCALARS.iter().find_map(|scalar| {
            let (item, _) = lookup_plain_typed(method, scalar, 2, true)?;
            (param_type(&item, 1)? == right).then(|| (scalar.to_string(), item))
        })
    }

    /// `a - b` of a known type with an operator to write out, as `a.sub(b)`; `a += b` as
    /// `a = a.add(b)`; `0.5 * d` as `(0.5 as f64).mul(d)`.
    pub(super) fn operator_call(&self, e: &Expr) -> Option<Expr> {
        let Expr::Binary(b) = e else { return None };
        let (method, assigns) = operator(&b.op)?;
        let (ty, _) = self.operator_of(method, &b.left, &b.right)?;
        let (left, right) = (super::strip_parens(&b.left), &b.right);
        let at = syn::spanned::Spanned::span(&b.op);
        let method = syn::Ident::new(method, at);
        // A place receives the call as it is (`pos[i].sub(..)`, whose fields the body reads as
        // `pos[i].x`); a float whose type the syntax does not show is cast to the operator's;
        // another expression in parentheses.
        let receiver: Expr = match left {
            _ if SCALARS.contains(&ty.as_str()) && self.ty_of(left).is_none() => {
                let scalar = syn::Ident::new(&ty, at);
                syn::parse_quote_spanned!(at=> ((#left) as #scalar))
            }
            Expr::Path(_) | Expr::Index(_) | Expr::Field(_) => left.clone(),
            _ => syn::parse_quote_spanned!(at=> (#left)),
        };
        Some(match assigns {
            true => syn::parse_quote_spanned!(at=> #left = #receiver.#method(#right)),
            false => syn::parse_quote_spanned!(at=> #receiver.#method(#right)),
        })
    }

    /// Records that `name` (a receiver evaluated into a name) holds a value of type `ty`.
    pub(super) fn bind(&mut self, name: &str, ty: String) {
        self.names.insert(name.to_string(), ty);
    }

    /// Whether `body` uses an operator or method of a known type that can be written out.
    pub(super) fn any_use(&self, body: &syn::Block) -> bool {
        struct Uses<'a>(&'a Types, bool);
        impl<'ast> Visit<'ast> for Uses<'_> {
            fn visit_expr(&mut self, e: &'ast Expr) {
                let method = match e {
                    Expr::MethodCall(m) => self.0.ty_of(&m.receiver).is_some_and(|ty| {
                        lookup_plain_typed(&m.method.to_string(), &ty, m.args.len() + 1, true).is_some()
                    }),
                    e => self.0.operator_call(e).is_some(),
                };
                self.1 |= method;
                syn::visit::visit_expr(self, e);
            }
        }
        let mut uses = Uses(self, false);
        uses.visit_block(body);
        uses.1
    }
}

/// How many times each name is bound in a body.
#[derive(Default)]
struct Counts(HashMap<String, usize>);

impl<'ast> Visit<'ast> for Counts {
    fn visit_pat_ident(&mut self, p: &'ast syn::PatIdent) {
        *self.0.entry(p.ident.to_string()).or_default() += 1;
        syn::visit::visit_pat_ident(self, p);
    }
}

/// Reads the types of the names bound, in the order of the source: a name bound once, or bound
/// again with the same type (`let s = s.step(dt);` of a `State`), each binding's type read with
/// the bindings before it known.
struct Scan<'a> {
    types: &'a mut Types,
    counts: &'a HashMap<String, usize>,
    /// For a name bound more than once: how many of its bindings so far had its first binding's
    /// type (`usize::MAX` once one had another or none).
    seen: HashMap<String, (usize, String)>,
}

impl Scan<'_> {
    fn bind(&mut self, pat: &Pat, ty: Option<String>) {
        let pat = match pat {
            Pat::Reference(r) => &*r.pat,
            p => p,
        };
        let Pat::Ident(p) = pat else { return };
        let name = p.ident.to_string();
        match (self.counts.get(&name), ty) {
            (Some(1), Some(ty)) => {
                self.types.names.insert(name, ty);
            }
            (None, Some(_)) => {}
            (Some(_), Some(ty)) => {
                let entry = self.seen.entry(name.clone()).or_insert((0, ty.clone()));
                if entry.0 != usize::MAX && entry.1 == ty {
                    entry.0 += 1;
                    self.types.names.insert(name, ty);
                } else {
                    entry.0 = usize::MAX;
                    self.types.names.remove(&name);
                }
            }
            (_, None) => {
                self.seen.insert(name.clone(), (usize::MAX, String::new()));
                self.types.names.remove(&name);
            }
        }
    }
}

impl<'ast> Visit<'ast> for Scan<'_> {
    fn visit_local(&mut self, local: &'ast syn::Local) {
        syn::visit::visit_local(self, local);
        let (pat, ty) = match &local.pat {
            Pat::Type(t) => (&*t.pat, named(&t.ty)),
            p => (p, local.init.as_ref().and_then(|i| self.types.ty_of(&i.expr))),
        };
        self.bind(pat, ty);
    }

    fn visit_expr_for_loop(&mut self, f: &'ast syn::ExprForLoop) {
        // `for p in pos`, `&pos`, `pos.iter()`: an element.
        let mut source = &*f.expr;
        loop {
            source = match source {
                Expr::Reference(r) => &r.expr,
                Expr::MethodCall(m)
                    if m.args.is_empty() && (m.method == "iter" || m.method == "into_iter") =>
                {
                    &m.receiver
                }
                Expr::Paren(p) => &p.expr,
                _ => break,
            };
        }
        let element = match source {
            Expr::Path(p) => {
                p.path.get_ident().and_then(|n| self.types.elements.get(&n.to_string()).cloned())
            }
            _ => None,
        };
        self.bind(&f.pat, element);
        syn::visit::visit_expr_for_loop(self, f);
    }
}
