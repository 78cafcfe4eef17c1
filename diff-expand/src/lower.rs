//! lower: a syn function body to the IR.
//!
//! Assumes: the signature was analysed (`signature.rs`). Guarantees: the IR invariants listed in
//! `ir/mod.rs`; every construct it cannot model is either an [`Op::Opaque`] (fine on constants,
//! checked later) or reported here as unsupported, with its span.
//!
//! Mutable variables become SSA values on the fly, the structured special case of Braun et al.,
//! "Simple and Efficient Construction of Static Single Assignment Form" (CC 2013): a variable is
//! a slot holding its current value; an assignment replaces it; at the end of an `if` every slot
//! whose value differs between the branches gets a phi (a result of the `If` instruction).
//!
//! ```text
//! let mut y = x;            v1 = param 0
//! if c { y = y * 2.0; }     v4 = if v2 { v3 = mul v1, lit; yield v3 } else { yield v1 }
//! y + 1.0                   v6 = add v4, v5
//! ```
//!
//! `a && b` and `a || b` become `if a { b } else { false }` and `if a { true } else { b }`, so
//! short-circuiting is kept.

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Lit, Pat, Stmt, UnOp};

use crate::ctxt::Ctxt;
use crate::diagnostics::Diagnostic;
use crate::ir::{
    ArrayInit, ArrayKind, Block, Callee, Carried, Form, Function, Inst, Kind, Loc, Op, Opaque, Tree, Value,
    ValueInfo,
};
use crate::rules::{self, Kind as RuleKind};
use crate::signature::{Signature, kind_of};

/// A lowered function and the items (`use`, `const`, nested `fn`) its body declares, which the
/// emitters copy into every generated function.
pub struct Lowered {
    pub function: Function,
    pub items: Vec<syn::Item>,
}

/// Lowers `body` of a function with signature `sig`.
pub fn lower(body: &syn::Block, sig: &Signature, cx: &Ctxt) -> Lowered {
    let mut l = Lowerer {
        cx,
        values: Vec::new(),
        scopes: vec![Vec::new()],
        vars: Vec::new(),
        blocks: vec![Vec::new()],
        items: Vec::new(),
        iter_elements: std::collections::HashSet::new(),
        in_loop: 0,
        loop_flags: Vec::new(),
        while_condition: false,
        returns: false,
        fields: std::collections::HashMap::new(),
        element: element_type(sig),
        maps: 0,
        top_call_results: std::collections::HashSet::new(),
        params: sig.params.len(),
    };
    for (index, param) in sig.params.iter().enumerate() {
        let kind = match kind_of(&param.ty) {
            // A differentiated parameter of a type the macro cannot see into: a record.
            Kind::Unknown if param.wrt => Kind::Array(ArrayKind::Record),
            k => k,
        };
        let v = l.emit(Op::Param(index), Loc::of(&param.ident), kind);
        if crate::signature::by_copy(&param.ty) {
            // `x: &f64` is copied on entry: `*x` reads the copy.
            l.iter_elements.insert(v);
        }
        l.declare(&param.ident.to_string(), Some(Tree::Leaf(v)));
    }
    let output = l.body(&body.stmts, Loc::of(&body), &sig.output);
    if !shape_fits(&sig.output, &output) {
        l.unsupported(Loc::of(&body), "a result whose tuple shape differs from the declared result type", "");
    }
    let insts = l.blocks.pop().unwrap_or_default();
    Lowered { function: Function { body: Block { insts }, output, values: l.values }, items: l.items }
}

struct Lowerer<'a> {
    cx: &'a Ctxt,
    values: Vec<ValueInfo>,
    /// Name to variable slot, innermost scope last.
    scopes: Vec<Vec<(String, usize)>>,
    /// Current value of each variable slot (`None`: declared, not yet assigned).
    vars: Vec<Option<Tree>>,
    /// Instructions of the blocks being built, innermost last.
    blocks: Vec<Vec<Inst>>,
    items: Vec<syn::Item>,
    /// Values the user reaches through a reference but the IR holds by value (elements bound
    /// by `for x in v.iter()`, parameters `x: &f64`): `*x` is `x`.
    iter_elements: std::collections::HashSet<Value>,
    /// Depth of loop nesting at the current point.
    in_loop: usize,
    /// `break`/`continue` flags of the loops being lowered, innermost last.
    loop_flags: Vec<Flags>,
    /// The next `branch` is the condition of a `while` (for the wording of diagnostics).
    while_condition: bool,
    /// The body has a `return` before its end: the return flag and value slots exist.
    returns: bool,
    /// Fields of record parameters already read: (record, member, kind read as) to value.
    fields: std::collections::HashMap<(Value, String, String), Value>,
    /// The float type of the function's matrices, for the functions made of `map` closures.
    element: syn::Type,
    /// Closures of `map` made functions so far.
    maps: usize,
    /// Results of calls at the top level of the body: a field read makes one a record.
    top_call_results: std::collections::HashSet<Value>,
    /// The parameters are the first values.
    params: usize,
}

/// The float type the signature mentions first (`f32` for `DVector<f32>`); `f64` if none.
fn element_type(sig: &Signature) -> syn::Type {
    let names: Vec<String> = sig
        .params
        .iter()
        .map(|p| &p.ty)
        .chain([&sig.output])
        .map(|t| t.to_token_stream().to_string())
        .collect();
    let f32_first = names.iter().find_map(|n| match (n.find("f32"), n.find("f64")) {
        (Some(a), Some(b)) => Some(a < b),
        (a, b) => a.map(|_| true).or(b.map(|_| false)),
    });
    if f32_first == Some(true) { syn::parse_quote!(f32) } else { syn::parse_quote!(f64) }
}

/// Names of the flag variables (not identifiers, so no user name can meet them).
const BREAK_FLAG: &str = "<break>";
const CONTINUE_FLAG: &str = "<continue>";
const RETURN_FLAG: &str = "<return>";
const RETURN_VALUE: &str = "<return value>";

/// The `break` and `continue` flags of a loop (variable slots), if it uses them.
struct Flags {
    broke: Option<usize>,
    skip: Option<usize>,
    /// `for` loops skip the body once broken; `while`/`loop` stop instead.
    guard_on_break: bool,
}

/// What `loop_body` builds.
struct LoopParts {
    body: Block,
    carried: Vec<Carried>,
    exits: Vec<Value>,
    go: Option<Value>,
}

fn unit() -> Tree {
    Tree::Tuple(Vec::new())
}

impl Lowerer<'_> {
    // ---- values, instructions and variables -------------------------------------------------

    fn new_value(&mut self, _span: Loc, kind: Kind) -> Value {
        self.values.push(ValueInfo { kind });
        Value(self.values.len() as u32 - 1)
    }

    fn push(&mut self, results: Vec<Value>, op: Op, span: Loc) {
        if let Some(block) = self.blocks.last_mut() {
            block.push(Inst { results, op, span });
        }
    }

    /// Emits a one-result instruction.
    fn emit(&mut self, op: Op, span: Loc, kind: Kind) -> Value {
        let v = self.new_value(span, kind);
        self.push(vec![v], op, span);
        v
    }

    fn error(&mut self, span: Loc, diagnostic: Diagnostic) -> Tree {
        self.cx.error(span, diagnostic);
        Tree::Leaf(self.emit(Op::Error, span, Kind::Unknown))
    }

    fn unsupported(&mut self, span: Loc, what: &str, help: &'static str) -> Tree {
        self.error(span, Diagnostic::Unsupported { what: what.to_string(), help })
    }

    fn declare(&mut self, name: &str, value: Option<Tree>) {
        self.vars.push(value);
        let slot = self.vars.len() - 1;
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), slot));
        }
    }

    fn slot(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name).map(|(_, slot)| *slot)
    }

    /// The local variable an expression names, if it is one.
    fn local(&self, e: &Expr) -> Option<usize> {
        match e {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident().and_then(|i| self.slot(&i.to_string())),
            _ => None,
        }
    }

    /// The items of a tuple held in local variables (`t`, `t.1`, `(t.1).0`), without emitting
    /// code; `None` if `e` is not such a tuple.
    fn aggregate(&self, e: &Expr) -> Option<Vec<Tree>> {
        let tree = match e {
            Expr::Paren(p) => return self.aggregate(&p.expr),
            Expr::Group(g) => return self.aggregate(&g.expr),
            Expr::Field(f) => match (self.aggregate(&f.base)?, &f.member) {
                (items, syn::Member::Unnamed(index)) => items.get(index.index as usize)?.clone(),
                _ => return None,
            },
            _ => self.vars[self.local(e)?].clone()?,
        };
        match tree {
            Tree::Tuple(items) => Some(items),
            Tree::Leaf(_) => None,
        }
    }

    fn read_var(&mut self, slot: usize, name: &str, span: Loc) -> Tree {
        match self.vars[slot].clone() {
            Some(t) => t,
            None => self.error(span, Diagnostic::Uninitialized { name: name.to_string() }),
        }
    }

    /// A single value; a tuple here is an error.
    fn leaf(&mut self, t: Tree, span: Loc) -> Value {
        match t {
            Tree::Leaf(v) => v,
            Tree::Tuple(_) => {
                match self.unsupported(span, "a tuple in this position", "use its fields (`t.0`)") {
                    Tree::Leaf(v) => v,
                    Tree::Tuple(_) => Value(0),
                }
            }
        }
    }

    fn value(&mut self, e: &Expr) -> Value {
        let t = self.expr(e);
        self.leaf(t, Loc::of(&e))
    }

    fn kind(&self, v: Value) -> Kind {
        self.values[v.0 as usize].kind
    }

    // ---- statements ---------------------------------------------------------------------

    /// The function body: like a block, but a final `return e;` is its tail.
    fn body(&mut self, stmts: &[Stmt], span: Loc, output: &syn::Type) -> Tree {
        if let Some((Stmt::Expr(Expr::Return(r), _), init)) = stmts.split_last() {
            if let (true, Some(e)) = (early_returns(init), &r.expr) {
                // The final `return e;` is the tail `e`, guarded like the rest.
                let mut all = init.to_vec();
                all.push(Stmt::Expr((**e).clone(), None));
                return self.body(&all, span, output);
            }
            self.stmts(init, false);
            return match &r.expr {
                Some(e) => self.expr(e),
                None => self.unsupported(
                    Loc::of(&r),
                    "a function without a result",
                    "return the value to differentiate",
                ),
            };
        }
        if early_returns(stmts) {
            let Some(default) = self.default_of(output, span) else {
                let mut r = Returns::default();
                stmts.iter().for_each(|s| syn::visit::Visit::visit_stmt(&mut r, s));
                return self.unsupported(
                    r.first.unwrap_or(span),
                    "an early `return` in a function with this result type",
                    "return `f32`, `f64`, a tuple of them or a `Vec` (its default fills the untaken path)",
                );
            };
            let flag = self.boolean(false, span);
            self.declare(RETURN_FLAG, Some(flag));
            self.declare(RETURN_VALUE, Some(default));
            self.returns = true;
        }
        match self.stmts(stmts, true) {
            Some(t) => t,
            None => self.unsupported(
                span,
                "a function body without a final value",
                "end the body with the result expression",
            ),
        }
    }

    /// `Default::default()` of the result type, leaf by leaf for tuples: the value the early-return
    /// slot holds on paths that did not return (never read there). `None` for other types.
    fn default_of(&mut self, ty: &syn::Type, span: Loc) -> Option<Tree> {
        use crate::signature::{TypeClass, array_kind, classify};
        match ty {
            syn::Type::Paren(p) => self.default_of(&p.elem, span),
            syn::Type::Tuple(t) if !t.elems.is_empty() => {
                Some(Tree::Tuple(t.elems.iter().map(|e| self.default_of(e, span)).collect::<Option<_>>()?))
            }
            _ if classify(ty) == TypeClass::Differentiable
                && matches!(array_kind(ty), None | Some(ArrayKind::Vec)) =>
            {
                let tokens = quote!(<#ty as ::core::default::Default>::default());
                let op = Op::Opaque { tokens, reads: Vec::new(), what: Opaque::Form("a default") };
                Some(Tree::Leaf(self.emit(op, span, crate::signature::kind_of(ty))))
            }
            _ => None,
        }
    }

    /// `return e` before the end: records the value and the flag, and breaks every enclosing
    /// loop; what follows runs only if no `return` ran.
    fn early_return(&mut self, r: &syn::ExprReturn, span: Loc) -> Tree {
        if !self.returns {
            return self.unsupported(span, "this `return`", "");
        }
        let value = match &r.expr {
            Some(e) => self.expr(e),
            None => unit(),
        };
        if let Some(slot) = self.slot(RETURN_VALUE) {
            self.vars[slot] = Some(value);
        }
        if let Some(slot) = self.slot(RETURN_FLAG) {
            let t = self.boolean(true, span);
            self.vars[slot] = Some(t);
        }
        let brokes: Vec<usize> = self.loop_flags.iter().filter_map(|f| f.broke).collect();
        for slot in brokes {
            let t = self.boolean(true, span);
            self.vars[slot] = Some(t);
        }
        unit()
    }

    /// Lowers statements; returns the tail expression's value if `tail` and there is one.
    fn stmts(&mut self, stmts: &[Stmt], tail: bool) -> Option<Tree> {
        let mut result = None;
        for (i, stmt) in stmts.iter().enumerate() {
            let last = i + 1 == stmts.len();
            // After a statement that may `break`, `continue` or `return`, the rest runs only if it
            // did not.
            if i > 0 && (!self.loop_flags.is_empty() || self.returns) && jumps_in(&stmts[i - 1]) {
                let span = Loc::of(stmt);
                let clear = self.flags_clear(span, false);
                let rest = &stmts[i..];
                // Where the rest produces a value (the function's result), the path that skipped
                // it after a `return` yields the returned value.
                let produced = std::cell::Cell::new(false);
                let run = |l: &mut Self| {
                    let t = l.stmts(rest, tail).unwrap_or_else(unit);
                    produced.set(!matches!(&t, Tree::Tuple(items) if items.is_empty()));
                    t
                };
                let skipped = |l: &mut Self| match (produced.get(), l.slot(RETURN_VALUE)) {
                    (true, Some(slot)) => l.vars[slot].clone().unwrap_or_else(unit),
                    _ => unit(),
                };
                let t = self.branch(clear, span, true, span, run, skipped);
                return if tail { Some(t) } else { None };
            }
            match stmt {
                // A lone `;`.
                Stmt::Expr(Expr::Verbatim(tokens), _) if tokens.is_empty() => {}
                Stmt::Local(local) => self.local_stmt(local),
                Stmt::Item(item) => self.items.push(item.clone()),
                Stmt::Expr(e, None) if last && tail => result = Some(self.expr(e)),
                Stmt::Expr(e, _) => {
                    self.expr(e);
                }
                Stmt::Macro(m) => {
                    self.unsupported(
                        Loc::of(&m),
                        "a macro call",
                        "macros cannot be looked into; compute the value outside, or call a function",
                    );
                }
            }
        }
        result
    }

    fn block(&mut self, b: &syn::Block) -> Tree {
        self.scopes.push(Vec::new());
        let t = self.stmts(&b.stmts, true).unwrap_or_else(unit);
        self.scopes.pop();
        t
    }

    fn local_stmt(&mut self, local: &syn::Local) {
        let init = match &local.init {
            Some(init) => {
                if let Some((_, diverge)) = &init.diverge {
                    self.unsupported(Loc::of(&diverge), "`let ... else`", "");
                    return;
                }
                Some(match (&*init.expr, pattern_shape(&local.pat)) {
                    (Expr::Call(_) | Expr::MethodCall(_), shape @ Shape::Tuple(_)) => {
                        self.call_expr(&init.expr, &shape)
                    }
                    (e, _) => {
                        let t = self.expr(e);
                        self.copy_if_fixed_array(e, t)
                    }
                })
            }
            None => None,
        };
        self.bind(&local.pat, init);
    }

    /// Binds a pattern to a value (`None`: declared without a value).
    fn bind(&mut self, pat: &Pat, value: Option<Tree>) {
        match pat {
            Pat::Ident(pi) if pi.by_ref.is_none() && pi.subpat.is_none() => {
                self.declare(&pi.ident.to_string(), value);
            }
            Pat::Wild(_) => {}
            Pat::Paren(p) => self.bind(&p.pat, value),
            Pat::Type(pt) => {
                let value = match value {
                    Some(Tree::Leaf(v)) => {
                        let kind = match kind_of(&pt.ty) {
                            Kind::Unknown => self.kind(v),
                            k => k,
                        };
                        let form = Form::Typed(pt.ty.clone());
                        Some(Tree::Leaf(self.emit(
                            Op::Prim { rule: rules::operator("<typed>"), args: vec![v], form },
                            Loc::of(&pt),
                            kind,
                        )))
                    }
                    other => other,
                };
                self.bind(&pt.pat, value)
            }
            Pat::Tuple(pt) => match value {
                Some(Tree::Tuple(items)) if items.len() == pt.elems.len() => {
                    for (p, t) in pt.elems.iter().zip(items) {
                        self.bind(p, Some(t));
                    }
                }
                None => pt.elems.iter().for_each(|p| self.bind(p, None)),
                Some(Tree::Leaf(v)) => {
                    // A constant tuple value: project its fields.
                    for (i, p) in pt.elems.iter().enumerate() {
                        let index = syn::Index::from(i);
                        let ident = v.ident();
                        let tokens = quote!(#ident.#index);
                        let field = self.emit(
                            Op::Opaque { tokens, reads: vec![v], what: Opaque::Form("destructuring") },
                            Loc::of(&p),
                            Kind::Unknown,
                        );
                        self.bind(p, Some(Tree::Leaf(field)));
                    }
                }
                Some(Tree::Tuple(_)) => {
                    self.unsupported(
                        Loc::of(&pt),
                        "a tuple pattern of a different length than its value",
                        "",
                    );
                }
            },
            other => {
                self.unsupported(Loc::of(&other), "this pattern", "bind a name, `_` or a tuple of names");
            }
        }
    }

    // ---- expressions ----------------------------------------------------------------------

    fn expr(&mut self, e: &Expr) -> Tree {
        let span = Loc::of(&e);
        match e {
            Expr::Lit(l) => {
                let kind = match &l.lit {
                    Lit::Float(_) => Kind::Float,
                    Lit::Int(i) if matches!(i.suffix(), "f32" | "f64") => Kind::Float,
                    Lit::Int(_) | Lit::Bool(_) | Lit::Char(_) | Lit::Byte(_) => Kind::Discrete,
                    _ => Kind::Unknown,
                };
                Tree::Leaf(self.emit(Op::Lit(l.lit.clone()), span, kind))
            }
            Expr::Path(p) => match self.local(e) {
                Some(slot) => {
                    let name = p.path.get_ident().map(|i| i.to_string()).unwrap_or_default();
                    self.read_var(slot, &name, span)
                }
                None => self.opaque(e, "a path"),
            },
            Expr::Paren(p) => self.expr(&p.expr),
            Expr::Group(g) => self.expr(&g.expr),
            Expr::Binary(b) => self.binary(b),
            Expr::Unary(u) => match u.op {
                UnOp::Neg(_) => self.prim_op("neg", &u.op, &[&u.expr], span, None),
                UnOp::Not(_) => self.prim_op("not", &u.op, &[&u.expr], span, Some(Kind::Discrete)),
                // `*x` for an element bound by `for x in v.iter()` or a parameter `x: &f64`: a
                // value here.
                _ => match self.aggregate_or_leaf(&u.expr) {
                    Some(v) if self.iter_elements.contains(&v) => Tree::Leaf(v),
                    _ => self.opaque(e, "a dereference"),
                },
            },
            Expr::Cast(c) => self.cast(c),
            Expr::MethodCall(_) | Expr::Call(_) => self.call_expr(e, &Shape::Leaf),
            Expr::If(i) => self.if_expr(i),
            Expr::Block(b) if b.label.is_none() => self.block(&b.block),
            Expr::Tuple(t) => Tree::Tuple(t.elems.iter().map(|e| self.expr(e)).collect()),
            Expr::Assign(a) => {
                let value = self.expr(&a.right);
                self.assign(&a.left, value);
                unit()
            }
            Expr::Field(f) => match (self.aggregate(&f.base), &f.member) {
                (Some(items), syn::Member::Unnamed(index)) => match items.get(index.index as usize) {
                    Some(t) => t.clone(),
                    None => self.unsupported(span, "a tuple field out of range", ""),
                },
                _ => match self.record_field(e, Kind::Float) {
                    Some(v) => Tree::Leaf(v),
                    None => self.opaque(e, "a field access"),
                },
            },
            Expr::Index(i) => match self.array_place(i) {
                Some((array, index)) => {
                    let op = Op::Load { array, index };
                    Tree::Leaf(self.emit(op, span, Kind::Float))
                }
                None => match literal_index(&i.index) {
                    // `w[0]`, `m[(1, 2)]`: an entry of a nalgebra value.
                    Some(k) => {
                        let base = self.value(&i.expr);
                        self.prim(rules::operator("<index>"), vec![base], Form::Index(k), span, &Shape::Leaf)
                    }
                    // `v[i]`, `m[(i, j)]` of a nalgebra value held by a local.
                    None if self
                        .aggregate_or_leaf(&i.expr)
                        .is_some_and(|v| matches!(self.kind(v), Kind::Heap | Kind::Float)) =>
                    {
                        let base = self.value(&i.expr);
                        let parts: Vec<&Expr> = match &*i.index {
                            Expr::Tuple(t) if t.elems.len() == 2 => t.elems.iter().collect(),
                            Expr::Paren(p) => vec![&*p.expr],
                            index => vec![index],
                        };
                        let mut args = vec![base];
                        args.extend(parts.into_iter().map(|p| self.value(p)));
                        let (rule, form) = (rules::operator("<index>"), Form::Index(TokenStream::new()));
                        self.prim(rule, args, form, span, &Shape::Leaf)
                    }
                    None => self.opaque(e, "indexing"),
                },
            },
            Expr::Array(a) => {
                let elements = a.elems.iter().map(|e| self.value(e)).collect();
                self.new_array(ArrayInit::Elements { elements, vec: false }, span, ArrayKind::Fixed)
            }
            Expr::Repeat(r) => self.constant_array(&r.expr, &r.len, ArrayKind::Fixed, span),
            Expr::Range(_) => self.opaque(e, "a range"),
            // `&p.w` of a record parameter: a `DMatrix` field, read in place.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && let Some(v) = self.record_field(&r.expr, Kind::Heap) =>
            {
                Tree::Leaf(v)
            }
            // `&m` of a `DMatrix`: generated code holds it by reference already.
            Expr::Reference(r)
                if r.mutability.is_none()
                    && self.aggregate_or_leaf(&r.expr).is_some_and(|v| self.kind(v) == Kind::Heap) =>
            {
                self.expr(&r.expr)
            }
            // `&y` of `let y = g(..)`: the macro cannot see what `g` returns.
            Expr::Reference(r)
                if self
                    .aggregate_or_leaf(&r.expr)
                    .is_some_and(|v| self.kind(v) == Kind::Unknown && self.top_call_results.contains(&v)) =>
            {
                self.opaque_with(e, Opaque::UntypedCallResult, Kind::Unknown)
            }
            Expr::Reference(_) => self.opaque(e, "a reference"),
            // `Name { a: x, b: y }`: a derived struct built from values.
            Expr::Struct(st) if st.rest.is_none() && st.qself.is_none() && self.blocks.len() > 1 => self
                .unsupported(
                    span,
                    "building a struct inside a loop or branch",
                    "build it after the loop or branch from values computed there",
                ),
            Expr::Struct(st) if st.rest.is_none() && st.qself.is_none() => {
                let fields = st.fields.iter().map(|f| (f.member.clone(), self.value(&f.expr))).collect();
                let op = Op::Construct { path: st.path.clone(), fields };
                Tree::Leaf(self.emit(op, span, Kind::Array(ArrayKind::Record)))
            }
            Expr::Struct(st) if st.rest.is_some() => self.unsupported(
                Loc { start: st.dot2_token.map_or(span.start, |d| d.spans[0]), end: Loc::of(&st.rest).end },
                "a struct literal with `..base`",
                "write every field: `Name { a: x, b: base.b }`",
            ),
            Expr::Struct(_) => self.opaque(e, "a struct literal"),
            Expr::Return(r) => self.early_return(r, span),
            Expr::ForLoop(f) => self.for_loop(f),
            Expr::While(w) => self.while_loop(w.label.as_ref(), Some(&w.cond), &w.body, span),
            Expr::Loop(l) => self.while_loop(l.label.as_ref(), None, &l.body, span),
            Expr::Break(b) if b.label.is_none() && b.expr.is_none() => self.set_flag(true, span),
            Expr::Continue(c) if c.label.is_none() => self.set_flag(false, span),
            Expr::Break(_) | Expr::Continue(_) => {
                self.unsupported(span, "`break` with a label or a value", "use a plain `break`")
            }
            Expr::Closure(_) => self.unsupported(
                span,
                "a closure",
                "write the closure's body as a `#[differentiable]` function and call it",
            ),
            Expr::Match(_) => self.unsupported(span, "`match`", "write it as `if`/`else`"),
            Expr::Unsafe(_) => self.unsupported(span, "an `unsafe` block", ""),
            Expr::Async(_) | Expr::Await(_) => self.unsupported(span, "`async`/`.await`", ""),
            Expr::Macro(m) if m.mac.path.is_ident("vec") => self.vec_macro(m),
            Expr::Macro(_) => self.unsupported(
                span,
                "a macro call",
                "macros cannot be looked into; compute the value outside, or call a function",
            ),
            Expr::Let(_) => self.unsupported(span, "`let` in a condition", "bind the value before the `if`"),
            Expr::Try(_) => self.unsupported(span, "the `?` operator", ""),
            _ => self.unsupported(span, "this expression", ""),
        }
    }

    /// An expression kept as written, with local variables renamed to their current values.
    fn opaque(&mut self, e: &Expr, what: &'static str) -> Tree {
        self.opaque_with(e, Opaque::Form(what), Kind::Unknown)
    }

    fn opaque_with(&mut self, e: &Expr, what: Opaque, kind: Kind) -> Tree {
        let mut renamer = Renamer { lowerer: self, reads: Vec::new(), problem: None };
        let mut copy = e.clone();
        renamer.visit_expr_mut(&mut copy);
        let (reads, problem) = (renamer.reads, renamer.problem);
        if let Some((span, what)) = problem {
            return self.unsupported(span, what, "");
        }
        Tree::Leaf(self.emit(Op::Opaque { tokens: copy.into_token_stream(), reads, what }, Loc::of(&e), kind))
    }

    fn binary(&mut self, b: &syn::ExprBinary) -> Tree {
        let span = Loc::of(&b);
        let op = &b.op;
        let (name, kind) = match op {
            BinOp::Add(_) | BinOp::AddAssign(_) => ("add", None),
            BinOp::Sub(_) | BinOp::SubAssign(_) => ("sub", None),
            BinOp::Mul(_) | BinOp::MulAssign(_) => ("mul", None),
            BinOp::Div(_) | BinOp::DivAssign(_) => ("div", None),
            BinOp::Rem(_) | BinOp::RemAssign(_) => ("rem", None),
            BinOp::BitAnd(_) | BinOp::BitAndAssign(_) => ("bitand", Some(Kind::Discrete)),
            BinOp::BitOr(_) | BinOp::BitOrAssign(_) => ("bitor", Some(Kind::Discrete)),
            BinOp::BitXor(_) | BinOp::BitXorAssign(_) => ("bitxor", Some(Kind::Discrete)),
            BinOp::Shl(_) | BinOp::ShlAssign(_) => ("shl", Some(Kind::Discrete)),
            BinOp::Shr(_) | BinOp::ShrAssign(_) => ("shr", Some(Kind::Discrete)),
            BinOp::Eq(_) => ("eq", Some(Kind::Discrete)),
            BinOp::Ne(_) => ("ne", Some(Kind::Discrete)),
            BinOp::Lt(_) => ("lt", Some(Kind::Discrete)),
            BinOp::Le(_) => ("le", Some(Kind::Discrete)),
            BinOp::Gt(_) => ("gt", Some(Kind::Discrete)),
            BinOp::Ge(_) => ("ge", Some(Kind::Discrete)),
            BinOp::And(_) => return self.short_circuit(b, true),
            BinOp::Or(_) => return self.short_circuit(b, false),
            _ => return self.unsupported(span, "this operator", ""),
        };
        if is_compound(op) {
            // `a op= b` is `a = a op b`; the primal is emitted with the plain operator.
            let plain = plain_operator(op);
            let value = self.prim_op(name, &plain, &[&b.left, &b.right], span, kind);
            self.assign(&b.left, value);
            return unit();
        }
        self.prim_op(name, op, &[&b.left, &b.right], span, kind)
    }

    /// A primitive written as an operator.
    fn prim_op(
        &mut self,
        name: &str,
        op: &dyn ToTokens,
        operands: &[&Expr],
        span: Loc,
        kind: Option<Kind>,
    ) -> Tree {
        let args: Vec<Value> = operands.iter().map(|e| self.value(e)).collect();
        let kind = kind.unwrap_or_else(|| self.arith_kind(&args));
        let form = Form::Operator(op.to_token_stream());
        Tree::Leaf(self.emit(Op::Prim { rule: rules::operator(name), args, form }, span, kind))
    }

    /// A dynamically sized matrix if any operand is, else float if any operand is, discrete if
    /// all are.
    fn arith_kind(&self, args: &[Value]) -> Kind {
        if args.iter().any(|a| self.kind(*a) == Kind::Heap) {
            Kind::Heap
        } else if args.iter().any(|a| self.kind(*a) == Kind::Float) {
            Kind::Float
        } else if args.iter().all(|a| self.kind(*a) == Kind::Discrete) {
            Kind::Discrete
        } else {
            Kind::Unknown
        }
    }

    /// `a && b` as `if a { b } else { false }`; `a || b` as `if a { true } else { b }`.
    /// Exempt from the condition check (`piecewise`): only a `bool` leaves this `if`, and a
    /// branch on it is checked where it is used.
    fn short_circuit(&mut self, b: &syn::ExprBinary, and: bool) -> Tree {
        let span = Loc::of(&b);
        let cond = self.value(&b.left);
        let right = |l: &mut Self| l.expr(&b.right);
        let constant = |l: &mut Self| l.boolean(!and, span);
        if and {
            self.branch(cond, Loc::of(&b.left), true, span, right, constant)
        } else {
            self.branch(cond, Loc::of(&b.left), true, span, constant, right)
        }
    }

    fn boolean(&mut self, value: bool, span: Loc) -> Tree {
        Tree::Leaf(self.emit(Op::Lit(syn::LitBool::new(value, span.span()).into()), span, Kind::Discrete))
    }

    fn assign(&mut self, target: &Expr, value: Tree) {
        if let Expr::Index(i) = target {
            let Some((array, index)) = self.array_place(i) else {
                self.unsupported(
                    Loc::of(&target),
                    "this indexed assignment",
                    "write into a local array or `Vec`",
                );
                return;
            };
            let v = self.leaf(value, Loc::of(&target));
            self.push(Vec::new(), Op::Store { array, index, value: v }, Loc::of(&target));
            return;
        }
        match self.local(target) {
            Some(slot) if self.in_loop > 0 && self.is_array(&self.vars[slot]) => {
                self.unsupported(
                    Loc::of(&target),
                    "reassigning a whole array inside a loop",
                    "write its elements instead (`v[i] = ..`)",
                );
            }
            Some(slot) => self.vars[slot] = Some(value),
            None => {
                self.unsupported(
                    Loc::of(&target),
                    "assignment to anything but a local variable",
                    "compute the new value into a local variable (writes through fields and indices come in a later version)",
                );
            }
        }
    }

    fn cast(&mut self, c: &syn::ExprCast) -> Tree {
        use crate::signature::{TypeClass, classify};
        let span = Loc::of(&c);
        let (rule, kind) = match classify(&c.ty) {
            TypeClass::Differentiable => ("<as float>", Kind::Float),
            TypeClass::Constant => ("<as discrete>", Kind::Discrete),
            TypeClass::Unknown => {
                let ty = crate::signature::type_text(&c.ty);
                return self.opaque_with(&Expr::Cast(c.clone()), Opaque::Cast(ty), Kind::Unknown);
            }
        };
        let arg = self.value(&c.expr);
        let op = Op::Prim { rule: rules::operator(rule), args: vec![arg], form: Form::Cast(c.ty.clone()) };
        Tree::Leaf(self.emit(op, span, kind))
    }

    /// A call or method call, destructured into `results` values when more than one.
    fn call_expr(&mut self, e: &Expr, results: &Shape) -> Tree {
        let span = Loc::of(&e);
        match e {
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                if let Some(t) = self.array_method(m, span) {
                    return t;
                }
                // A derived struct's own method (`p.norm()`) is the user's, whatever its name:
                // it composes through its `_jvp`/`_vjp`, never through a rule of the table.
                let record = self
                    .aggregate_or_leaf(&m.receiver)
                    .is_some_and(|v| self.kind(v) == Kind::Array(ArrayKind::Record));
                // `x.sin_cos()`: the pair of two rules (std computes it as `(x.sin(), x.cos())`).
                if name == "sin_cos" && m.args.is_empty() && !record {
                    let x = self.value(&m.receiver);
                    let pair = ["sin", "cos"].map(|f| {
                        let form = Form::Method(quote::format_ident!("{}", f, span = m.method.span()));
                        let rule = rules::operator(f);
                        Tree::Leaf(self.emit(Op::Prim { rule, args: vec![x], form }, span, Kind::Float))
                    });
                    return Tree::Tuple(pair.into());
                }
                // `m.clone()` of a `DMatrix`: the same value (generated code reads it by reference).
                if name == "clone"
                    && m.args.is_empty()
                    && let Some(v) =
                        self.aggregate_or_leaf(&m.receiver).filter(|v| self.kind(*v) == Kind::Heap)
                {
                    return Tree::Leaf(v);
                }
                // `p.w.len()` of a record's array field reads the field in place.
                if name == "len"
                    && m.args.is_empty()
                    && let Some(array) = self.record_field(&m.receiver, Kind::Array(ArrayKind::Slice))
                {
                    let form = Form::Method(m.method.clone());
                    return self.prim(rules::operator("len"), vec![array], form, span, results);
                }
                if name == "map"
                    && !record
                    && let [Expr::Closure(closure)] = m.args.iter().collect::<Vec<_>>().as_slice()
                {
                    return self.map_closure(&m.receiver, closure, span);
                }
                // `m.column(j)`, `m.row(i)` of a nalgebra value: an owned copy of the part.
                if matches!(name.as_str(), "column" | "row")
                    && !record
                    && m.args.len() == 1
                    && self
                        .aggregate_or_leaf(&m.receiver)
                        .is_some_and(|v| matches!(self.kind(v), Kind::Heap | Kind::Float))
                {
                    let (x, j) = (self.value(&m.receiver), self.value(&m.args[0]));
                    let (xi, ji, method) = (x.ident(), j.ident(), &m.method);
                    let form = Form::Verbatim(quote!(#xi.#method(#ji).into_owned()));
                    let kind = self.kind(x);
                    let op = Op::Prim {
                        rule: rules::operator(if name == "row" { "row" } else { "column" }),
                        args: vec![x, j],
                        form,
                    };
                    return Tree::Leaf(self.emit(op, span, kind));
                }
                let rule = if record { None } else { rules::lookup(&name, m.args.len() + 1) };
                if let Some(rule) = rule {
                    let mut args = vec![self.value(&m.receiver)];
                    // `a.dot(&b)`: the value is `b`; the primal keeps the reference.
                    let by_ref = !m.args.is_empty()
                        && m.args.iter().all(|a| matches!(a, Expr::Reference(r) if r.mutability.is_none()));
                    for a in &m.args {
                        match a {
                            Expr::Reference(r) if by_ref => args.push(self.value(&r.expr)),
                            _ => args.push(self.value(a)),
                        }
                    }
                    let form = if by_ref {
                        Form::MethodRef(m.method.clone())
                    } else {
                        Form::Method(m.method.clone())
                    };
                    return self.prim(rule, args, form, span, results);
                }
                let receiver = self.value(&m.receiver);
                let (args, borrowed) = self.call_args(&m.args);
                let kind =
                    if matches!(name.as_str(), "len" | "count") { Kind::Discrete } else { Kind::Unknown };
                let callee =
                    Callee::Method { receiver, name: m.method.clone(), turbofish: m.turbofish.clone() };
                self.call(callee, args, borrowed, span, results, kind)
            }
            Expr::Call(c) => {
                let Expr::Path(path) = &*c.func else {
                    return self.unsupported(
                        Loc::of(&c.func),
                        "calling this expression",
                        "call a function by its path",
                    );
                };
                let segments: Vec<String> = path.path.segments.iter().map(|s| s.ident.to_string()).collect();
                let last = segments.last().map(String::as_str).unwrap_or("");
                if c.args.len() == 1 && path.qself.is_none() && (last == "no_grad" || last == "piecewise") {
                    let arg = self.value(&c.args[0]);
                    if last == "piecewise" {
                        return Tree::Leaf(arg);
                    }
                    let kind = self.kind(arg);
                    return Tree::Leaf(self.emit(Op::NoGrad(arg), span, kind));
                }
                // `Vector3::new(x, y, z)`, `Matrix2::new(a, b, c, d)`: assembled from floats, row by row.
                if last == "new"
                    && segments.len() >= 2
                    && crate::signature::alias_columns(&segments[segments.len() - 2]).is_some()
                {
                    let args = c.args.iter().map(|a| self.value(a)).collect();
                    return self.prim(
                        rules::operator("<new>"),
                        args,
                        Form::Path(path.path.clone()),
                        span,
                        results,
                    );
                }
                if segments.len() == 2 && matches!(segments[0].as_str(), "f32" | "f64") {
                    return match rules::lookup(last, c.args.len()) {
                        Some(rule) => {
                            let args = c.args.iter().map(|a| self.value(a)).collect();
                            self.prim(rule, args, Form::Path(path.path.clone()), span, results)
                        }
                        None => {
                            let what = Opaque::FloatFunction { name: last.to_string(), arity: c.args.len() };
                            self.opaque_with(e, what, Kind::Unknown)
                        }
                    };
                }
                // `DVector::from_element(n, x)`, `Vector3::from_element(x)`: every entry `x`.
                if last == "from_element" && segments.len() >= 2 && !c.args.is_empty() && {
                    let ty = &segments[segments.len() - 2];
                    crate::signature::dynamic_name(ty) || crate::signature::alias_columns(ty).is_some()
                } {
                    let args = c.args.iter().map(|a| self.value(a)).collect::<Vec<_>>();
                    let heap = crate::signature::dynamic_name(&segments[segments.len() - 2]);
                    let op = Op::Prim {
                        rule: rules::operator("<fill>"),
                        args,
                        form: Form::Path(path.path.clone()),
                    };
                    return Tree::Leaf(self.emit(op, span, if heap { Kind::Heap } else { Kind::Float }));
                }
                // `DVector::zeros(n)`, `DMatrix::from_row_slice(..)`: a new constant matrix.
                if segments.len() >= 2 && crate::signature::dynamic_name(&segments[segments.len() - 2]) {
                    let what = Opaque::Form("a `DVector`/`DMatrix` constructor");
                    return self.opaque_with(e, what, Kind::Heap);
                }
                let (args, borrowed) = self.call_args(&c.args);
                self.call(Callee::Path(path.clone()), args, borrowed, span, results, Kind::Unknown)
            }
            _ => self.expr(e),
        }
    }

    /// `m.map(|e| body)` on a nalgebra value: the closure becomes a scalar function
    /// `fn __tapeless_mapN(e: T) -> T { body }`, differentiated like any other (its items go
    /// into the generated functions), and the map a `<map>` primitive naming it.
    fn map_closure(&mut self, receiver: &Expr, closure: &syn::ExprClosure, span: Loc) -> Tree {
        let x = self.value(receiver);
        if !matches!(self.kind(x), Kind::Heap | Kind::Float) {
            return self.unsupported(span, "`map` on this value", "");
        }
        let param = match closure.inputs.iter().collect::<Vec<_>>().as_slice() {
            [Pat::Ident(p)] if p.by_ref.is_none() && p.subpat.is_none() => (p.ident.clone(), None),
            [Pat::Type(t)] => match &*t.pat {
                Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                    (p.ident.clone(), Some((*t.ty).clone()))
                }
                other => {
                    return self.unsupported(Loc::of(other), "this closure parameter", "name it: `|e| ..`");
                }
            },
            _ => {
                return self.unsupported(
                    Loc::of(&closure.inputs),
                    "a closure of `map` without exactly one named parameter",
                    "write `m.map(|e| ..)`",
                );
            }
        };
        // The closure becomes a function: it cannot read the enclosing function's locals.
        let mut captured = Captures { lowerer: self, param: param.0.to_string(), found: None };
        syn::visit::Visit::visit_expr(&mut captured, &closure.body);
        if let Some((at, name)) = captured.found {
            return self.unsupported(
                at,
                &format!("reading `{name}` inside the closure of `map`"),
                "the closure may use its parameter and constants only; compute with other values \
                 outside it, as in `(v * scale).map(|e| e.exp())`",
            );
        }
        let (ident, ty) = (param.0, param.1.unwrap_or_else(|| self.element.clone()));
        let helper =
            quote::format_ident!("__tapeless_map{}", self.maps, span = proc_macro2::Span::mixed_site());
        self.maps += 1;
        let body = &closure.body;
        let item: syn::ItemFn = match syn::parse2(quote!(fn #helper(#ident: #ty) -> #ty { #body })) {
            Ok(item) => item,
            Err(_) => return self.unsupported(Loc::of(&closure.body), "this closure body", ""),
        };
        let Some(sig) = crate::signature::analyse(&item.sig, &crate::args::Args::default(), self.cx) else {
            return Tree::Leaf(self.emit(Op::Error, span, Kind::Unknown));
        };
        let Some(generated) = crate::expand::generate(&item, &sig, self.cx) else {
            return Tree::Leaf(self.emit(Op::Error, span, Kind::Unknown));
        };
        self.items.push(syn::Item::Verbatim(quote!(#[allow(dead_code)] #[inline] #item #generated)));
        let kind = self.kind(x);
        let op = Op::Prim { rule: rules::operator("<map>"), args: vec![x], form: Form::Map(helper) };
        Tree::Leaf(self.emit(op, span, kind))
    }

    fn prim(
        &mut self,
        rule: &'static rules::Rule,
        args: Vec<Value>,
        form: Form,
        span: Loc,
        results: &Shape,
    ) -> Tree {
        if !matches!(results, Shape::Leaf) {
            return self.unsupported(span, "destructuring the result of a primitive", "");
        }
        let heap = args.iter().any(|a| self.kind(*a) == Kind::Heap);
        let kind = match rule.kind {
            RuleKind::Predicate | RuleKind::NonDifferentiable(rules::Why::Discrete) | RuleKind::Shape => {
                Kind::Discrete
            }
            _ if heap && rule.kind.keeps_shape() => Kind::Heap,
            _ => Kind::Float,
        };
        Tree::Leaf(self.emit(Op::Prim { rule, args, form }, span, kind))
    }

    #[allow(clippy::too_many_arguments)]
    fn call(
        &mut self,
        callee: Callee,
        args: Vec<Value>,
        borrowed: Vec<bool>,
        span: Loc,
        results: &Shape,
        kind: Kind,
    ) -> Tree {
        let shape = self.results(results, span, kind);
        if let (Tree::Leaf(v), 1) = (&shape, self.blocks.len()) {
            self.top_call_results.insert(*v);
        }
        self.push(shape.leaves(), Op::Call { callee, args, shape: shape.clone(), borrowed }, span);
        shape
    }

    /// The arguments of a composed call; `&v` of a local array passes the array by reference.
    fn call_args(
        &mut self,
        args: &syn::punctuated::Punctuated<Expr, syn::Token![,]>,
    ) -> (Vec<Value>, Vec<bool>) {
        args.iter()
            .map(|a| match a {
                Expr::Reference(r) if r.mutability.is_none() => match self.local_array(&r.expr) {
                    Some(array) => (array, true),
                    None => {
                        // `&m` of a `DVector`/`DMatrix`: passed by reference, like an array.
                        let v = self.value(a);
                        (v, self.kind(v) == Kind::Heap)
                    }
                },
                _ => (self.value(a), false),
            })
            .unzip()
    }

    /// Fresh values in the given shape.
    fn results(&mut self, shape: &Shape, span: Loc, kind: Kind) -> Tree {
        match shape {
            Shape::Leaf => Tree::Leaf(self.new_value(span, kind)),
            Shape::Tuple(items) => Tree::Tuple(items.iter().map(|s| self.results(s, span, kind)).collect()),
        }
    }

    // ---- arrays -----------------------------------------------------------------------------

    fn is_array(&self, t: &Option<Tree>) -> bool {
        matches!(t, Some(Tree::Leaf(v)) if matches!(self.kind(*v), Kind::Array(_)))
    }

    /// The value of a local holding a single value, without emitting code.
    fn aggregate_or_leaf(&self, e: &Expr) -> Option<Value> {
        match e {
            Expr::Paren(p) => self.aggregate_or_leaf(&p.expr),
            _ => match self.vars[self.local(e)?].clone()? {
                Tree::Leaf(v) => Some(v),
                Tree::Tuple(_) => None,
            },
        }
    }

    /// The local array a place like `v[i][j]` indexes, and the index values; `None` if the base
    /// is not a local array (a constant table, say).
    fn array_place(&mut self, i: &syn::ExprIndex) -> Option<(Value, Vec<Value>)> {
        let mut indices = vec![&*i.index];
        let mut base = &*i.expr;
        while let Expr::Index(inner) = base {
            indices.push(&*inner.index);
            base = &*inner.expr;
        }
        let array = self.local_array(base)?;
        let index = indices.into_iter().rev().map(|e| self.value(e)).collect();
        Some((array, index))
    }

    /// `p.member` of a record parameter (a `#[derive(Differentiable)]` struct listed in `wrt`):
    /// read once, at the top of the function (the parameter never changes), as a float or as an
    /// array read in place.
    /// `kind`: `Float` for a float field, `Array(Slice)` for an array field, `Heap` for a
    /// `DMatrix` field (`&p.w`); the last two are read in place, by reference.
    fn record_field(&mut self, e: &Expr, kind: Kind) -> Option<Value> {
        let Expr::Field(f) = e else { return None };
        // `p.inner.c`: the field of a derived struct held in a field, itself a record.
        let base = match self.aggregate_or_leaf(&f.base) {
            Some(base) => base,
            None => self.record_field(&f.base, Kind::Array(ArrayKind::Record))?,
        };
        // The result of a top-level call whose field is read: a derived struct returned by a
        // differentiable function (its adjoint is declared up front, like an array's).
        if self.kind(base) == Kind::Unknown && self.top_call_results.contains(&base) {
            self.values[base.0 as usize].kind = Kind::Array(ArrayKind::Record);
        }
        if self.kind(base) != Kind::Array(ArrayKind::Record) {
            return None;
        }
        let array = kind != Kind::Float;
        let span = Loc::of(e);
        let op = Op::Field { base, member: f.member.clone(), array };
        // A parameter's fields (and their fields) never change: read once, at the top. A struct
        // built or returned by a call in the body is read where it is written.
        let hoisted = (base.0 as usize) < self.params || self.fields.values().any(|v| *v == base);
        if !hoisted {
            return Some(self.emit(op, span, kind));
        }
        let key = (base, f.member.to_token_stream().to_string(), format!("{kind:?}"));
        if let Some(v) = self.fields.get(&key) {
            return Some(*v);
        }
        let v = self.new_value(span, kind);
        let inst = Inst { results: vec![v], op, span };
        if let Some(top) = self.blocks.first_mut() {
            top.push(inst);
        }
        self.fields.insert(key, v);
        Some(v)
    }

    /// A new array. Arrays live at the function's top level: their adjoints are declared once,
    /// up front, and updated in place.
    fn new_array(&mut self, init: ArrayInit, span: Loc, kind: ArrayKind) -> Tree {
        if self.blocks.len() > 1 {
            return self.unsupported(
                span,
                "creating an array inside a loop or branch",
                "create it before the loop or branch and write its elements there",
            );
        }
        Tree::Leaf(self.emit(Op::NewArray(init), span, Kind::Array(kind)))
    }

    /// `vec![c; n]` / `[c; N]`: a new array filled with a constant `c`.
    fn constant_array(&mut self, value: &Expr, count: &Expr, kind: ArrayKind, span: Loc) -> Tree {
        let element = self.value(value);
        let e = element.ident();
        let (tokens, reads) = match kind {
            ArrayKind::Vec => {
                let count = self.value(count);
                let n = count.ident();
                (quote!(::std::vec![#e; #n]), vec![element, count])
            }
            // The length of `[c; N]` is a constant expression: kept as written.
            _ => (quote!([#e; #count]), vec![element]),
        };
        self.new_array(ArrayInit::Constant { tokens, reads }, span, kind)
    }

    /// `vec![c; n]` or `vec![a, b, c]`.
    fn vec_macro(&mut self, m: &syn::ExprMacro) -> Tree {
        let span = Loc::of(&m);
        if let Ok(RepeatBody(value, count)) = m.mac.parse_body::<RepeatBody>() {
            return self.constant_array(&value, &count, ArrayKind::Vec, span);
        }
        match m.mac.parse_body_with(syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated) {
            Ok(items) => {
                let elements = items.iter().map(|e| self.value(e)).collect();
                self.new_array(ArrayInit::Elements { elements, vec: true }, span, ArrayKind::Vec)
            }
            Err(_) => self.unsupported(span, "this `vec!`", "write `vec![value; n]` or `vec![a, b, ..]`"),
        }
    }

    /// `v.iter().sum()`, `v.to_vec()`, `v.clone()` on a local array.
    fn array_method(&mut self, m: &syn::ExprMethodCall, span: Loc) -> Option<Tree> {
        let name = m.method.to_string();
        let array_of =
            |l: &Self, e: &Expr| l.aggregate_or_leaf(e).filter(|v| matches!(l.kind(*v), Kind::Array(_)));
        match name.as_str() {
            "sum" if m.args.is_empty() => {
                let Expr::MethodCall(iter) = &*m.receiver else { return None };
                if iter.method != "iter" || !iter.args.is_empty() {
                    return None;
                }
                let array = array_of(self, &iter.receiver)?;
                let tokens = self.renamed(&Expr::MethodCall(m.clone()))?;
                let op = Op::Prim {
                    rule: rules::operator("<iter sum>"),
                    args: vec![array],
                    form: Form::Verbatim(tokens),
                };
                Some(Tree::Leaf(self.emit(op, span, Kind::Float)))
            }
            "to_vec" | "clone" if m.args.is_empty() => {
                let source = array_of(self, &m.receiver)?;
                let kind = match (name.as_str(), self.kind(source)) {
                    ("clone", Kind::Array(ArrayKind::Fixed)) => ArrayKind::Fixed,
                    _ => ArrayKind::Vec,
                };
                let tokens = self.renamed(&Expr::MethodCall(m.clone()))?;
                Some(self.new_array(ArrayInit::Copy { source, tokens }, span, kind))
            }
            _ => None,
        }
    }

    /// `let b = a;` copies a `[T; N]` (Rust copies it; a `Vec` moves and a slice is shared, so
    /// those keep the same slot).
    fn copy_if_fixed_array(&mut self, e: &Expr, t: Tree) -> Tree {
        match (&t, self.local(e)) {
            (Tree::Leaf(v), Some(_)) if self.kind(*v) == Kind::Array(ArrayKind::Fixed) => {
                let source = *v;
                let tokens = source.ident().into_token_stream();
                self.new_array(ArrayInit::Copy { source, tokens }, Loc::of(&e), ArrayKind::Fixed)
            }
            _ => t,
        }
    }

    /// An expression's tokens with locals renamed (`None` after reporting a problem).
    fn renamed(&mut self, e: &Expr) -> Option<TokenStream> {
        let mut renamer = Renamer { lowerer: self, reads: Vec::new(), problem: None };
        let mut copy = e.clone();
        renamer.visit_expr_mut(&mut copy);
        if let Some((span, what)) = renamer.problem {
            self.unsupported(span, what, "");
            return None;
        }
        Some(copy.into_token_stream())
    }

    // ---- loops ------------------------------------------------------------------------------

    /// `for pattern in source { body }` over a range, or over the elements of local arrays
    /// (`v.iter()`, `&v`, `.enumerate()`, `.zip(..)`), which becomes a loop over indices.
    fn for_loop(&mut self, f: &syn::ExprForLoop) -> Tree {
        let span = Loc::of(&f);
        if let Some(label) = &f.label {
            return self.unsupported(Loc::of(label), "a loop label", "");
        }
        let Some(source) = self.loop_source(&f.expr) else {
            return self.unsupported(
                Loc::of(&f.expr),
                "this loop source",
                "loop over a range `a..b`, or `v.iter()`, `&v`, `v.iter().enumerate()`, `a.iter().zip(b.iter())` of local arrays",
            );
        };
        let (start, end, inclusive) = match &source {
            LoopSource::Range { start, end, inclusive, .. } => {
                let start = self.value(start);
                let end = self.value(end);
                (start, end, *inclusive)
            }
            LoopSource::Arrays { arrays, .. } => {
                let zero = syn::LitInt::new("0usize", span.span());
                let start = self.emit(Op::Lit(zero.into()), span, Kind::Discrete);
                let mut end: Option<Value> = None;
                for a in arrays {
                    let len = self.emit(
                        Op::Prim {
                            rule: rules::operator("len"),
                            args: vec![*a],
                            form: Form::Method(syn::Ident::new("len", span.span())),
                        },
                        span,
                        Kind::Discrete,
                    );
                    end = Some(match end {
                        None => len,
                        Some(prev) => {
                            let rule = rules::lookup("min", 2).unwrap_or(rules::operator("len"));
                            self.emit(
                                Op::Prim {
                                    rule,
                                    args: vec![prev, len],
                                    form: Form::Method(syn::Ident::new("min", span.span())),
                                },
                                span,
                                Kind::Discrete,
                            )
                        }
                    });
                }
                (start, end.unwrap_or(start), false)
            }
        };

        let var = self.new_value(span, Kind::Discrete);
        let Some(parts) = self.loop_body(span, &f.body, true, |l| {
            match &source {
                LoopSource::Range { reversed: false, .. } => l.bind_index(&f.pat, var),
                // `(a..b).rev()` runs the index forward and binds `b - 1 - (k - a)`
                // (`b - (k - a)` for `a..=b`): computed inside the body, so an empty range
                // never evaluates it.
                LoopSource::Range { reversed: true, .. } => {
                    let op = |l: &mut Self, a: Value, b: Value| {
                        let prim = Op::Prim {
                            rule: rules::operator("sub"),
                            args: vec![a, b],
                            form: Form::Operator(quote!(-)),
                        };
                        l.emit(prim, span, Kind::Discrete)
                    };
                    let offset = op(l, var, start);
                    let last = if inclusive {
                        end
                    } else {
                        let one =
                            l.emit(Op::Lit(syn::LitInt::new("1", span.span()).into()), span, Kind::Discrete);
                        op(l, end, one)
                    };
                    let index = op(l, last, offset);
                    l.bind_index(&f.pat, index)
                }
                LoopSource::Arrays { arrays, enumerate } => l.bind_elements(&f.pat, var, arrays, *enumerate),
            }
            l.guarded_block(&f.body);
            None
        }) else {
            return unit();
        };
        let LoopParts { body, carried, exits, .. } = parts;
        self.push(exits, Op::For { var, start, end, inclusive, body, carried }, span);
        unit()
    }

    /// `while cond { body }` and `loop { body }`: run until the condition fails or a `break`.
    fn while_loop(
        &mut self,
        label: Option<&syn::Label>,
        cond: Option<&Expr>,
        body: &syn::Block,
        span: Loc,
    ) -> Tree {
        if let Some(label) = label {
            return self.unsupported(Loc::of(label), "a loop label", "");
        }
        let stripped = cond.map(strip_piecewise);
        if let Some((Expr::Let(l), _)) = stripped {
            return self.unsupported(Loc::of(&l), "`while let`", "");
        }
        let Some(parts) = self.loop_body(span, body, false, |l| {
            match (stripped, cond) {
                (Some((cond_expr, piecewise)), Some(whole)) => {
                    let c = l.value(cond_expr);
                    l.while_condition = true;
                    l.branch(
                        c,
                        Loc::of(whole),
                        piecewise,
                        span,
                        |l| {
                            l.guarded_block(body);
                            unit()
                        },
                        |l| {
                            l.set_flag(true, span);
                            unit()
                        },
                    );
                }
                _ => {
                    l.guarded_block(body);
                }
            }
            Some(l.flags_clear(span, true))
        }) else {
            return unit();
        };
        let LoopParts { body, carried, exits, go } = parts;
        let count = self.new_value(span, Kind::Discrete);
        let go = go.unwrap_or(count);
        self.push(exits, Op::Loop { body, carried, go, count }, span);
        unit()
    }

    /// The body of a loop: finds the variables it reassigns (they are carried from one iteration
    /// to the next), sets up `break`/`continue` flags, lowers the body with `lower`, and returns
    /// the parts of the loop instruction. `None` after reporting a problem.
    fn loop_body(
        &mut self,
        span: Loc,
        syntax: &syn::Block,
        guard_on_break: bool,
        lower: impl FnOnce(&mut Self) -> Option<Value>,
    ) -> Option<LoopParts> {
        let mut assigned = AssignedNames::default();
        syn::visit::Visit::visit_block(&mut assigned, syntax);
        let mut jumps = Jumps::default();
        syn::visit::Visit::visit_block(&mut jumps, syntax);
        jumps.breaks |= contains_return(syntax);
        // `while` and `loop` stop through the break flag; `for` needs it only to skip the
        // iterations after a `break`.
        let broke = if jumps.breaks || !guard_on_break {
            let f = self.boolean(false, span);
            self.declare(BREAK_FLAG, Some(f));
            self.slot(BREAK_FLAG)
        } else {
            None
        };
        let mut carried_slots = Vec::new();
        let returns: &[&str] =
            if self.returns && contains_return(syntax) { &[RETURN_FLAG, RETURN_VALUE] } else { &[] };
        let names = assigned
            .names
            .iter()
            .map(String::as_str)
            .chain(broke.map(|_| BREAK_FLAG))
            .chain(returns.iter().copied());
        for name in names {
            let Some(slot) = self.slot(name) else { continue };
            if carried_slots.iter().any(|(s, _)| *s == slot) || self.is_array(&self.vars[slot]) {
                continue;
            }
            match self.vars[slot].clone() {
                Some(init) => carried_slots.push((slot, init)),
                None => {
                    self.unsupported(
                        span,
                        "assigning a variable first inside a loop",
                        "give it a value before the loop",
                    );
                    return None;
                }
            }
        }

        // Every leaf of a carried variable gets a header value.
        let outer_len = self.vars.len();
        self.blocks.push(Vec::new());
        self.scopes.push(Vec::new());
        self.in_loop += 1;
        let mut headers = Vec::new();
        for (slot, init) in &carried_slots {
            let header = self.fresh_like(init, span);
            self.vars[*slot] = Some(header.clone());
            headers.push(header);
        }
        let skip = if jumps.continues {
            let f = self.boolean(false, span);
            self.declare(CONTINUE_FLAG, Some(f));
            self.slot(CONTINUE_FLAG)
        } else {
            None
        };
        self.loop_flags.push(Flags { broke, skip, guard_on_break });
        let outer: Vec<usize> = carried_slots.iter().map(|(s, _)| *s).collect();
        let before: Vec<Option<Tree>> = self.vars[..outer_len].to_vec();
        let go = lower(self);
        // Every outer variable the body changed must be carried; anything else would read a
        // value of one iteration after the loop. (The pre-scan finds them all; this guards it.)
        let changed = (0..outer_len).any(|slot| {
            !outer.contains(&slot) && format!("{:?}", self.vars[slot]) != format!("{:?}", before[slot])
        });
        if changed {
            self.unsupported(span, "this loop (a variable it changes could not be tracked)", "");
        }
        self.loop_flags.pop();
        self.in_loop -= 1;
        self.scopes.pop();
        let body = Block { insts: self.blocks.pop().unwrap_or_default() };

        let mut carried = Vec::new();
        let mut exits = Vec::new();
        for ((slot, init), header) in carried_slots.iter().zip(headers) {
            let next = self.vars[*slot].clone().unwrap_or_else(unit);
            let (inits, heads, nexts) = (init.leaves(), header.leaves(), next.leaves());
            if nexts.len() != heads.len() {
                self.unsupported(span, "a loop that changes a variable's shape", "");
                continue;
            }
            let exit = self.fresh_like(init, span);
            for (((i, h), n), e) in inits.into_iter().zip(heads).zip(nexts).zip(exit.leaves()) {
                carried.push(Carried { header: h, init: i, next: n });
                exits.push(e);
            }
            self.vars[*slot] = Some(exit);
        }
        Some(LoopParts { body, carried, exits, go })
    }

    /// New values in the shape of `t`, of the same kinds (not yet defined by any instruction).
    fn fresh_like(&mut self, t: &Tree, span: Loc) -> Tree {
        match t {
            Tree::Leaf(v) => {
                let kind = self.kind(*v);
                Tree::Leaf(self.new_value(span, kind))
            }
            Tree::Tuple(items) => Tree::Tuple(items.iter().map(|t| self.fresh_like(t, span)).collect()),
        }
    }

    /// A loop body: in a `for` loop with a `break`, nothing runs once the flag is set.
    fn guarded_block(&mut self, body: &syn::Block) {
        let guard = self.loop_flags.last().is_some_and(|f| f.guard_on_break && f.broke.is_some());
        if guard {
            let span = Loc::of(body);
            let clear = self.flags_clear(span, false);
            self.branch(clear, span, true, span, |l| l.block(body), |_| unit());
        } else {
            self.block(body);
        }
    }

    /// `!(broke || skipped)` (only `!broke` when `break_only`) from the current flags.
    fn flags_clear(&mut self, span: Loc, break_only: bool) -> Value {
        let mut flags: Vec<usize> = match self.loop_flags.last() {
            Some(f) => f.broke.into_iter().chain(if break_only { None } else { f.skip }).collect(),
            None => Vec::new(),
        };
        if self.returns && !break_only {
            flags.extend(self.slot(RETURN_FLAG));
        }
        let mut any: Option<Value> = None;
        for slot in flags {
            let Some(Tree::Leaf(v)) = self.vars[slot].clone() else { continue };
            any = Some(match any {
                None => v,
                Some(prev) => {
                    let op = Op::Prim {
                        rule: rules::operator("or"),
                        args: vec![prev, v],
                        form: Form::Operator(quote!(||)),
                    };
                    self.emit(op, span, Kind::Discrete)
                }
            });
        }
        match any {
            Some(v) => {
                let op =
                    Op::Prim { rule: rules::operator("not"), args: vec![v], form: Form::Operator(quote!(!)) };
                self.emit(op, span, Kind::Discrete)
            }
            None => match self.boolean(true, span) {
                Tree::Leaf(v) => v,
                Tree::Tuple(_) => Value(0),
            },
        }
    }

    /// `break` (`true`) or `continue` (`false`): sets the flag of the innermost loop.
    fn set_flag(&mut self, brk: bool, span: Loc) -> Tree {
        let slot = self.loop_flags.last().and_then(|f| if brk { f.broke } else { f.skip });
        match slot {
            Some(slot) => {
                let t = self.boolean(true, span);
                self.vars[slot] = Some(t);
                unit()
            }
            None => self.unsupported(span, "`break`/`continue` outside a loop", ""),
        }
    }

    fn loop_source<'e>(&mut self, e: &'e Expr) -> Option<LoopSource<'e>> {
        match e {
            Expr::Paren(p) => self.loop_source(&p.expr),
            Expr::Range(r) => Some(LoopSource::Range {
                start: r.start.as_deref()?,
                end: r.end.as_deref()?,
                inclusive: matches!(r.limits, syn::RangeLimits::Closed(_)),
                reversed: false,
            }),
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "rev" => {
                match self.loop_source(&m.receiver)? {
                    LoopSource::Range { start, end, inclusive, reversed: false } => {
                        Some(LoopSource::Range { start, end, inclusive, reversed: true })
                    }
                    _ => None,
                }
            }
            Expr::Reference(r) if r.mutability.is_none() => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(&r.expr)?], enumerate: false })
            }
            Expr::Path(_) => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(e)?], enumerate: false })
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "iter" => {
                Some(LoopSource::Arrays { arrays: vec![self.local_array(&m.receiver)?], enumerate: false })
            }
            Expr::MethodCall(m) if m.args.is_empty() && m.method == "enumerate" => {
                match self.loop_source(&m.receiver)? {
                    LoopSource::Arrays { arrays, enumerate: false } if arrays.len() == 1 => {
                        Some(LoopSource::Arrays { arrays, enumerate: true })
                    }
                    _ => None,
                }
            }
            Expr::MethodCall(m) if m.args.len() == 1 && m.method == "zip" => {
                let LoopSource::Arrays { arrays: mut left, enumerate: false } =
                    self.loop_source(&m.receiver)?
                else {
                    return None;
                };
                let right = match &m.args[0] {
                    Expr::Reference(r) => self.local_array(&r.expr)?,
                    Expr::MethodCall(i) if i.method == "iter" && i.args.is_empty() => {
                        self.local_array(&i.receiver)?
                    }
                    other => self.local_array(other)?,
                };
                if left.len() != 1 {
                    return None;
                }
                left.push(right);
                Some(LoopSource::Arrays { arrays: left, enumerate: false })
            }
            _ => None,
        }
    }

    fn local_array(&mut self, e: &Expr) -> Option<Value> {
        let local = self.aggregate_or_leaf(e).filter(|v| matches!(self.kind(*v), Kind::Array(_)));
        local.or_else(|| self.record_field(e, Kind::Array(ArrayKind::Slice)))
    }

    /// `for i in a..b`: binds the index.
    fn bind_index(&mut self, pat: &Pat, var: Value) {
        match pat {
            Pat::Ident(p) if p.by_ref.is_none() && p.subpat.is_none() => {
                self.declare(&p.ident.to_string(), Some(Tree::Leaf(var)))
            }
            Pat::Wild(_) => {}
            other => {
                self.unsupported(Loc::of(other), "this loop pattern", "bind the index to a name");
            }
        }
    }

    /// `for x in v.iter()`, `for (i, x) in v.iter().enumerate()`, `for (a, b) in a.iter().zip(..)`:
    /// loads the elements at index `var` and binds them.
    fn bind_elements(&mut self, pat: &Pat, var: Value, arrays: &[Value], enumerate: bool) {
        let span = Loc::of(pat);
        let mut elements: Vec<Value> = Vec::new();
        for a in arrays {
            let v = self.emit(Op::Load { array: *a, index: vec![var] }, span, Kind::Float);
            self.iter_elements.insert(v);
            elements.push(v);
        }
        let pats: Vec<&Pat> = match (pat, enumerate, arrays.len()) {
            (Pat::Tuple(t), true, 1) if t.elems.len() == 2 => {
                self.bind_index(&t.elems[0], var);
                vec![&t.elems[1]]
            }
            (Pat::Tuple(t), false, n) if n > 1 && t.elems.len() == n => t.elems.iter().collect(),
            (p, false, 1) => vec![p],
            (other, _, _) => {
                self.unsupported(Loc::of(other), "this loop pattern", "");
                return;
            }
        };
        for (p, v) in pats.into_iter().zip(elements) {
            let p = match p {
                Pat::Reference(r) => &*r.pat,
                p => p,
            };
            self.bind(p, Some(Tree::Leaf(v)));
        }
    }

    fn if_expr(&mut self, i: &syn::ExprIf) -> Tree {
        let span = Loc::of(&i);
        let (cond_expr, piecewise) = strip_piecewise(&i.cond);
        if let Expr::Let(l) = cond_expr {
            return self.unsupported(Loc::of(&l), "`if let`", "bind the value before the `if`");
        }
        let cond = self.value(cond_expr);
        self.branch(
            cond,
            Loc::of(&i.cond),
            piecewise,
            span,
            |l| l.block(&i.then_branch),
            |l| match &i.else_branch {
                Some((_, e)) => l.expr(e),
                None => unit(),
            },
        )
    }

    /// An `If` instruction: lowers both branches, then merges every variable (and the result)
    /// that differs between them into phis.
    fn branch(
        &mut self,
        cond: Value,
        cond_span: Loc,
        piecewise: bool,
        span: Loc,
        then_f: impl FnOnce(&mut Self) -> Tree,
        else_f: impl FnOnce(&mut Self) -> Tree,
    ) -> Tree {
        let keyword = if std::mem::take(&mut self.while_condition) { "while" } else { "if" };
        let before: Vec<Option<Tree>> = self.vars.clone();

        self.blocks.push(Vec::new());
        let then_tree = then_f(self);
        let then_block = Block { insts: self.blocks.pop().unwrap_or_default() };
        let then_vars: Vec<Option<Tree>> = self.vars[..before.len()].to_vec();
        self.vars.clone_from(&before);

        self.blocks.push(Vec::new());
        let else_tree = else_f(self);
        let else_block = Block { insts: self.blocks.pop().unwrap_or_default() };
        let else_vars: Vec<Option<Tree>> = self.vars[..before.len()].to_vec();
        self.vars.truncate(before.len());

        let mut merge =
            Merge { then_out: Vec::new(), else_out: Vec::new(), results: Vec::new(), bad_shape: false };
        for (slot, (t, e)) in then_vars.into_iter().zip(else_vars).enumerate() {
            self.vars[slot] = match (t, e) {
                (Some(t), Some(e)) => Some(merge.tree(self, t, e, span)),
                _ => None,
            };
        }
        let result = merge.tree(self, then_tree, else_tree, span);
        if merge.bad_shape {
            self.cx.error(span, Diagnostic::BranchShape);
        }
        let trace = self.new_value(span, Kind::Unknown);
        let op = Op::If {
            cond,
            cond_span,
            keyword,
            piecewise,
            then_block,
            else_block,
            then_out: merge.then_out,
            else_out: merge.else_out,
            trace,
        };
        self.push(merge.results, op, span);
        result
    }
}

/// Builds the phis of an `if`: one per leaf that differs between the branches.
struct Merge {
    then_out: Vec<Value>,
    else_out: Vec<Value>,
    results: Vec<Value>,
    bad_shape: bool,
}

impl Merge {
    fn tree(&mut self, l: &mut Lowerer, t: Tree, e: Tree, span: Loc) -> Tree {
        match (t, e) {
            (Tree::Leaf(a), Tree::Leaf(b)) if a == b => Tree::Leaf(a),
            (Tree::Leaf(a), Tree::Leaf(b)) => {
                let kind = if l.kind(a) == l.kind(b) { l.kind(a) } else { Kind::Unknown };
                let phi = l.new_value(span, kind);
                self.then_out.push(a);
                self.else_out.push(b);
                self.results.push(phi);
                Tree::Leaf(phi)
            }
            (Tree::Tuple(xs), Tree::Tuple(ys)) if xs.len() == ys.len() => {
                Tree::Tuple(xs.into_iter().zip(ys).map(|(x, y)| self.tree(l, x, y, span)).collect())
            }
            (t, _) => {
                self.bad_shape = true;
                t
            }
        }
    }
}

/// `piecewise(cond)` (any path ending in `piecewise`) as a condition: the inner condition, and
/// `true`.
fn strip_piecewise(cond: &Expr) -> (&Expr, bool) {
    match cond {
        Expr::Paren(p) => strip_piecewise(&p.expr),
        Expr::Group(g) => strip_piecewise(&g.expr),
        Expr::Call(c) if c.args.len() == 1 => match &*c.func {
            Expr::Path(p) if p.path.segments.last().is_some_and(|s| s.ident == "piecewise") => {
                (&c.args[0], true)
            }
            _ => (cond, false),
        },
        _ => (cond, false),
    }
}

/// The tuple structure of a pattern (`let ((a, b), c) = ...`): a call bound to it is
/// destructured into one value per leaf.
#[derive(Clone)]
enum Shape {
    Leaf,
    Tuple(Vec<Shape>),
}

fn pattern_shape(pat: &Pat) -> Shape {
    match pat {
        Pat::Tuple(t) => Shape::Tuple(t.elems.iter().map(pattern_shape).collect()),
        Pat::Type(t) => pattern_shape(&t.pat),
        Pat::Paren(p) => pattern_shape(&p.pat),
        _ => Shape::Leaf,
    }
}

fn is_compound(op: &BinOp) -> bool {
    matches!(
        op,
        BinOp::AddAssign(_)
            | BinOp::SubAssign(_)
            | BinOp::MulAssign(_)
            | BinOp::DivAssign(_)
            | BinOp::RemAssign(_)
            | BinOp::BitAndAssign(_)
            | BinOp::BitOrAssign(_)
            | BinOp::BitXorAssign(_)
            | BinOp::ShlAssign(_)
            | BinOp::ShrAssign(_)
    )
}

/// `+=` to `+` (keeping the span), for emitting the primal of a compound assignment.
fn plain_operator(op: &BinOp) -> TokenStream {
    let span = op.span();
    let text = match op {
        BinOp::AddAssign(_) => "+",
        BinOp::SubAssign(_) => "-",
        BinOp::MulAssign(_) => "*",
        BinOp::DivAssign(_) => "/",
        BinOp::RemAssign(_) => "%",
        BinOp::BitAndAssign(_) => "&",
        BinOp::BitOrAssign(_) => "|",
        BinOp::BitXorAssign(_) => "^",
        BinOp::ShlAssign(_) => "<<",
        _ => ">>",
    };
    let mut tokens: TokenStream = text.parse().unwrap_or_default();
    tokens = tokens
        .into_iter()
        .map(|mut t| {
            t.set_span(span);
            t
        })
        .collect();
    tokens
}

/// Renames local variables in an opaque expression to the SSA values they hold, and rejects
/// forms that would bind or assign (they cannot be renamed safely).
struct Renamer<'a, 'b> {
    lowerer: &'a mut Lowerer<'b>,
    reads: Vec<Value>,
    problem: Option<(Loc, &'static str)>,
}

impl VisitMut for Renamer<'_, '_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        let what = match e {
            Expr::Path(_) => {
                if let Some(slot) = self.lowerer.local(e) {
                    match self.lowerer.vars[slot].clone() {
                        Some(t) => {
                            self.reads.extend(t.leaves());
                            *e = tree_expr(&t);
                        }
                        None => self.problem = Some((Loc::of(&e), "a read of an unassigned variable")),
                    }
                }
                return;
            }
            Expr::Closure(_) => "a closure",
            Expr::Block(_) | Expr::Unsafe(_) | Expr::Match(_) | Expr::If(_) => {
                "a block inside this expression"
            }
            Expr::Loop(_) | Expr::While(_) | Expr::ForLoop(_) => "a loop",
            Expr::Macro(_) => "a macro call",
            Expr::Assign(_) | Expr::Let(_) => "an assignment inside this expression",
            Expr::Return(_) | Expr::Break(_) | Expr::Continue(_) | Expr::Try(_) => {
                "control flow inside this expression"
            }
            _ => {
                syn::visit_mut::visit_expr_mut(self, e);
                return;
            }
        };
        self.problem.get_or_insert((Loc::of(&e), what));
    }
}

/// The expression reading a tree of SSA values: `__v3` or `(__v3, __v4)`.
fn tree_expr(t: &Tree) -> Expr {
    let tokens = match t {
        Tree::Leaf(v) => v.ident().into_token_stream(),
        Tree::Tuple(items) => {
            let items = items.iter().map(tree_expr);
            quote!((#(#items,)*))
        }
    };
    syn::parse2(tokens).unwrap_or_else(|_| Expr::Verbatim(TokenStream::new()))
}

/// Whether a result tree can have the declared type: tuples must match in length; a single float
/// cannot be a tuple. (Other types may be aliases of tuples, so they fit anything.)
fn shape_fits(ty: &syn::Type, t: &Tree) -> bool {
    match (ty, t) {
        (syn::Type::Paren(p), t) => shape_fits(&p.elem, t),
        (syn::Type::Tuple(tt), Tree::Tuple(items)) => {
            tt.elems.len() == items.len() && tt.elems.iter().zip(items).all(|(ty, t)| shape_fits(ty, t))
        }
        (syn::Type::Tuple(tt), Tree::Leaf(_)) => !tt.elems.is_empty(),
        (ty, Tree::Tuple(_)) => crate::signature::classify(ty) == crate::signature::TypeClass::Unknown,
        _ => true,
    }
}

/// `vec![value; count]`.
struct RepeatBody(Expr, Expr);

impl syn::parse::Parse for RepeatBody {
    fn parse(input: syn::parse::ParseStream) -> syn::Result<Self> {
        let value = input.parse::<Expr>()?;
        input.parse::<syn::Token![;]>()?;
        let count = input.parse::<Expr>()?;
        Ok(RepeatBody(value, count))
    }
}

/// What a `for` loop iterates over.
enum LoopSource<'e> {
    Range { start: &'e Expr, end: &'e Expr, inclusive: bool, reversed: bool },
    Arrays { arrays: Vec<Value>, enumerate: bool },
}

/// The names a block assigns to (`x = ..`, `x += ..`), in order of first appearance.
#[derive(Default)]
struct AssignedNames {
    names: Vec<String>,
}

impl AssignedNames {
    fn add(&mut self, target: &Expr) {
        if let Expr::Path(p) = target
            && let Some(ident) = p.path.get_ident()
        {
            let name = ident.to_string();
            if !self.names.contains(&name) {
                self.names.push(name);
            }
        }
    }
}

impl<'ast> syn::visit::Visit<'ast> for AssignedNames {
    fn visit_expr_assign(&mut self, e: &'ast syn::ExprAssign) {
        self.add(&e.left);
        syn::visit::visit_expr_assign(self, e);
    }
    fn visit_expr_binary(&mut self, e: &'ast syn::ExprBinary) {
        if is_compound(&e.op) {
            self.add(&e.left);
        }
        syn::visit::visit_expr_binary(self, e);
    }
}

/// Whether a statement contains a `break` or `continue` of the enclosing loop, or a `return`.
fn jumps_in(stmt: &Stmt) -> bool {
    let mut j = Jumps::default();
    syn::visit::Visit::visit_stmt(&mut j, stmt);
    let mut r = Returns::default();
    syn::visit::Visit::visit_stmt(&mut r, stmt);
    j.breaks || j.continues || r.found
}

/// Whether statements hold a `return` (not counting the final statement's own tail position).
fn early_returns(stmts: &[Stmt]) -> bool {
    let mut r = Returns::default();
    for stmt in stmts {
        syn::visit::Visit::visit_stmt(&mut r, stmt);
    }
    r.found
}

fn contains_return(block: &syn::Block) -> bool {
    let mut r = Returns::default();
    syn::visit::Visit::visit_block(&mut r, block);
    r.found
}

/// Finds `return` anywhere but in closures and nested items.
#[derive(Default)]
struct Returns {
    found: bool,
    first: Option<Loc>,
}

impl<'ast> syn::visit::Visit<'ast> for Returns {
    fn visit_expr_return(&mut self, r: &'ast syn::ExprReturn) {
        self.found = true;
        self.first.get_or_insert(Loc::of(r));
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}

/// Finds `break` and `continue` of the loop being looked at (not of loops nested in it).
#[derive(Default)]
struct Jumps {
    breaks: bool,
    continues: bool,
}

impl<'ast> syn::visit::Visit<'ast> for Jumps {
    fn visit_expr_break(&mut self, _: &'ast syn::ExprBreak) {
        self.breaks = true;
    }
    fn visit_expr_continue(&mut self, _: &'ast syn::ExprContinue) {
        self.continues = true;
    }
    fn visit_expr_for_loop(&mut self, _: &'ast syn::ExprForLoop) {}
    fn visit_expr_while(&mut self, _: &'ast syn::ExprWhile) {}
    fn visit_expr_loop(&mut self, _: &'ast syn::ExprLoop) {}
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
}

/// The tokens of an index made of integer literals only: `0`, `(1, 2)`.
/// Finds a local of the enclosing function read inside a `map` closure.
struct Captures<'l, 'a> {
    lowerer: &'l Lowerer<'a>,
    param: String,
    found: Option<(Loc, String)>,
}

impl<'ast> syn::visit::Visit<'ast> for Captures<'_, '_> {
    fn visit_expr_path(&mut self, p: &'ast syn::ExprPath) {
        if let (None, Some(ident)) = (&self.found, p.path.get_ident()) {
            let name = ident.to_string();
            if name != self.param && self.lowerer.slot(&name).is_some() {
                self.found = Some((Loc::of(p), name));
            }
        }
    }
}

fn literal_index(e: &Expr) -> Option<TokenStream> {
    let literal = |e: &Expr| matches!(e, Expr::Lit(syn::ExprLit { lit: syn::Lit::Int(_), .. }));
    let ok = match e {
        Expr::Tuple(t) => t.elems.len() == 2 && t.elems.iter().all(literal),
        e => literal(e),
    };
    ok.then(|| e.to_token_stream())
}
