//! The scan of the dual copy: each name's type, the data flow between names, and which float
//! names are dual numbers (varied and needed).

use std::collections::{HashMap, HashSet};

use quote::ToTokens;
use syn::{Expr, Pat, Stmt};

use super::{
    Flow, Ty, callee, dual_math, element, float_function, ident_of, idents, is_dual, is_f64, is_int, literal,
    scalar_path,
};

/// What the scan learns: each name's type, the flows, the names whose type is fixed, the sources
/// of variation and the roots of need.
#[derive(Default)]
pub(super) struct Scan {
    pub(super) types: HashMap<String, Ty>,
    pub(super) fixed_dual: HashSet<String>,
    flows: Vec<Flow>,
    varied: HashSet<String>,
    needed: HashSet<String>,
    /// Per stack, the names pushed at each position, and the names popped there.
    pushed: HashMap<String, Vec<Vec<String>>>,
    popped: HashMap<String, Vec<Vec<String>>>,
    /// Per trace variant (`__If21::Then`), the names it is made of and the names its `match`
    /// arms bind, position by position.
    variants: HashMap<String, Vec<Vec<String>>>,
}

impl Scan {
    pub(super) fn signature(&mut self, sig: &syn::Signature) -> Option<()> {
        for arg in &sig.inputs {
            let syn::FnArg::Typed(t) = arg else { return None };
            let Pat::Ident(p) = &*t.pat else { return None };
            let name = p.ident.to_string();
            let ty = &*t.ty;
            let found = if is_dual(ty) {
                self.fixed_dual.insert(name.clone());
                self.varied.insert(name.clone());
                Ty::Float
            } else if is_int(ty) {
                Ty::Int
            } else if let Some(e) = element(ty) {
                if is_dual(e) {
                    self.varied.insert(name.clone());
                    Ty::Array { dual: true }
                } else if is_f64(e) || is_int(e) {
                    Ty::Array { dual: false }
                } else {
                    return None;
                }
            } else {
                return None;
            };
            self.types.insert(name, found);
        }
        Some(())
    }

    /// The function's body: statements, then `(value, gradient)`.
    pub(super) fn body(&mut self, stmts: &[Stmt]) -> Option<()> {
        let (Some(Stmt::Expr(tail, None)), Some(rest)) = (stmts.last(), stmts.len().checked_sub(1)) else {
            return None;
        };
        self.block(&stmts[..rest])?;
        self.tail(tail)
    }

    pub(super) fn block(&mut self, stmts: &[Stmt]) -> Option<()> {
        for stmt in stmts {
            match stmt {
                Stmt::Item(syn::Item::Use(_)) => {}
                Stmt::Item(syn::Item::Enum(e)) if e.ident.to_string().starts_with("__If") => {}
                Stmt::Local(l) => self.local(l)?,
                Stmt::Expr(e, Some(_)) => self.statement(e)?,
                Stmt::Expr(e @ (Expr::ForLoop(_) | Expr::Loop(_) | Expr::If(_) | Expr::Match(_)), None) => {
                    self.statement(e)?
                }
                _ => return None,
            }
        }
        Some(())
    }

    fn local(&mut self, l: &syn::Local) -> Option<()> {
        match (&l.pat, &l.init) {
            // `let [a, mut b]: [Dual<f64>; 2];`
            (Pat::Type(t), None) => {
                let (Pat::Slice(s), syn::Type::Array(a)) = (&*t.pat, &*t.ty) else { return None };
                if !is_dual(&a.elem) {
                    return None;
                }
                for p in &s.elems {
                    let Pat::Ident(i) = p else { return None };
                    self.types.insert(i.ident.to_string(), Ty::Float);
                }
                Some(())
            }
            // `let v: Dual<f64> = e;` (a closure's parameter bound where it is written out).
            (Pat::Type(t), Some(init)) if init.diverge.is_none() && is_dual(&t.ty) => {
                let Pat::Ident(i) = &*t.pat else { return None };
                if self.ty(&init.expr)? != Ty::Float {
                    return None;
                }
                let name = i.ident.to_string();
                self.types.insert(name.clone(), Ty::Float);
                let reads = self.reads(&init.expr);
                self.flows.push(Flow { writes: vec![name], reads });
                Some(())
            }
            // `let (a, mut b);`: typed by what is assigned.
            (Pat::Tuple(t), None) => t.elems.iter().all(|p| matches!(p, Pat::Ident(_))).then_some(()),
            // `let (v, trace) = if c { ..; (a, __If3::Then(x)) } else { ..; (b, __If3::Else()) };`
            (Pat::Tuple(t), Some(init)) if init.diverge.is_none() => {
                let Expr::If(i) = &*init.expr else { return None };
                let names = idents(t.elems.iter())?;
                if self.ty(&i.cond)? != Ty::Bool {
                    return None;
                }
                let Some((_, else_branch)) = &i.else_branch else { return None };
                let Expr::Block(else_block) = &**else_branch else { return None };
                for arm in [&i.then_branch.stmts, &else_block.block.stmts] {
                    let (Some(Stmt::Expr(Expr::Tuple(tail), None)), Some(rest)) =
                        (arm.last(), arm.len().checked_sub(1).map(|n| &arm[..n]))
                    else {
                        return None;
                    };
                    self.block(rest)?;
                    if tail.elems.len() != names.len() {
                        return None;
                    }
                    for (name, e) in names.iter().zip(&tail.elems) {
                        let ty = match self.trace(e) {
                            Some(_) => Ty::Trace,
                            None => {
                                let ty = self.ty(e)?;
                                let reads = self.reads(e);
                                self.flows.push(Flow { writes: vec![name.clone()], reads });
                                ty
                            }
                        };
                        match self.types.insert(name.clone(), ty) {
                            Some(before) if before != ty => return None,
                            _ => {}
                        }
                    }
                }
                Some(())
            }
            // `let Some((a, b)) = stack.pop() else { break };`
            (Pat::TupleStruct(ts), Some(init)) if init.diverge.is_some() => {
                let Expr::MethodCall(m) = &*init.expr else { return None };
                let stack = ident_of(&m.receiver)?;
                if m.method != "pop" || self.types.get(&stack) != Some(&Ty::Stack) || ts.elems.len() != 1 {
                    return None;
                }
                let Some(Pat::Tuple(t)) = ts.elems.first() else { return None };
                let names = idents(t.elems.iter())?;
                // Typed as what was pushed at each position.
                let pushed = self.pushed.get(&stack)?.first()?.clone();
                self.bind_positions(&names, &pushed, &stack)?;
                self.popped.entry(stack).or_default().push(names);
                Some(())
            }
            _ => None,
        }
    }

    fn statement(&mut self, e: &Expr) -> Option<()> {
        match e {
            Expr::Assign(a) => {
                let ty = self.ty(&a.right)?;
                let reads = self.reads(&a.right);
                match &*a.left {
                    // `(v, pb) = dual_math::erf_vjp(x)`.
                    Expr::Tuple(t) if t.elems.len() == 2 => {
                        let Expr::Call(c) = &*a.right else { return None };
                        let (_, path) = callee(c)?;
                        if !dual_math(path) {
                            return None;
                        }
                        let (v, pb) = (ident_of(&t.elems[0])?, ident_of(&t.elems[1])?);
                        self.types.insert(v.clone(), Ty::Float);
                        self.types.insert(pb.clone(), Ty::Pullback);
                        self.fixed_dual.insert(v.clone());
                        self.flows.push(Flow { writes: vec![v, pb], reads });
                        Some(())
                    }
                    // `x[i] = e` of an array of dual numbers.
                    Expr::Index(ix) => {
                        let array = ident_of(&ix.expr)?;
                        if self.types.get(&array) != Some(&Ty::Array { dual: true })
                            || self.ty(&ix.index)? != Ty::Int
                            || ty != Ty::Float
                        {
                            return None;
                        }
                        self.flows.push(Flow { writes: vec![array], reads });
                        Some(())
                    }
                    left => {
                        let name = ident_of(left)?;
                        match (self.types.get(&name), ty) {
                            (None, ty) => {
                                self.types.insert(name.clone(), ty);
                            }
                            (Some(Ty::Float), Ty::Float) => {}
                            (Some(t), ty) if *t == ty => {}
                            _ => return None,
                        }
                        if self.fixed(&a.right) {
                            self.fixed_dual.insert(name.clone());
                        }
                        self.flows.push(Flow { writes: vec![name], reads });
                        Some(())
                    }
                }
            }
            // `loop { .. if !go { break; } .. }`: a `while` loop as lowered.
            Expr::Loop(l) if l.label.is_none() => self.block(&l.body.stmts),
            Expr::ForLoop(f) => {
                if self.ty(&f.expr)? != Ty::Int {
                    return None;
                }
                match &*f.pat {
                    Pat::Ident(var) => {
                        self.types.insert(var.ident.to_string(), Ty::Int);
                    }
                    Pat::Wild(_) => {}
                    _ => return None,
                }
                self.block(&f.body.stmts)
            }
            Expr::If(i) => {
                self.ty(&i.cond)?;
                self.block(&i.then_branch.stmts)?;
                match &i.else_branch {
                    None => Some(()),
                    Some((_, e)) => match &**e {
                        Expr::Block(b) => self.block(&b.block.stmts),
                        e @ Expr::If(_) => self.statement(e),
                        _ => None,
                    },
                }
            }
            // `match trace { __If3::Then(x) => { .. } __If3::Else() => { .. } }`
            Expr::Match(m) => {
                let trace = ident_of(&m.expr)?;
                if self.types.get(&trace) != Some(&Ty::Trace) {
                    return None;
                }
                for arm in &m.arms {
                    let Pat::TupleStruct(ts) = &arm.pat else { return None };
                    if arm.guard.is_some() {
                        return None;
                    }
                    let variant = ts.path.to_token_stream().to_string();
                    let names = idents(ts.elems.iter())?;
                    let made = self.variants.get(&variant)?.first()?.clone();
                    self.bind_positions(&names, &made, &variant)?;
                    self.variants.entry(variant).or_default().push(names);
                    let Expr::Block(body) = &*arm.body else { return None };
                    self.block(&body.block.stmts)?;
                }
                Some(())
            }
            // `i += 1` of an integer.
            Expr::Binary(b)
                if matches!(
                    b.op,
                    syn::BinOp::AddAssign(_) | syn::BinOp::SubAssign(_) | syn::BinOp::MulAssign(_)
                ) =>
            {
                (self.ty(&b.left)? == Ty::Int && self.ty(&b.right)? == Ty::Int).then_some(())
            }
            Expr::Break(b) if b.expr.is_none() && b.label.is_none() => Some(()),
            Expr::Continue(c) if c.label.is_none() => Some(()),
            // `accumulate(&mut target, contribution);`
            Expr::Call(c) if callee(c)?.0 == "accumulate" && c.args.len() == 2 => {
                let Expr::Reference(r) = &c.args[0] else { return None };
                let (target, float) = self.place(&r.expr)?;
                match (float, self.ty(&c.args[1])?) {
                    (true, Ty::Float) | (false, Ty::Array { .. }) => {}
                    _ => return None,
                }
                let reads = self.reads(&c.args[1]);
                self.flows.push(Flow { writes: vec![target], reads });
                Some(())
            }
            // `stack.push((a, b));`
            Expr::MethodCall(m) if m.method == "push" => {
                let stack = ident_of(&m.receiver)?;
                if self.types.get(&stack) != Some(&Ty::Stack) {
                    return None;
                }
                let [Expr::Tuple(t)] = &m.args.iter().collect::<Vec<_>>()[..] else { return None };
                let names: Vec<String> = t.elems.iter().map(ident_of).collect::<Option<_>>()?;
                for n in &names {
                    self.types.get(n)?;
                }
                for (k, n) in names.iter().enumerate() {
                    self.flows.push(Flow { writes: vec![format!("{stack}#{k}")], reads: vec![n.clone()] });
                }
                self.pushed.entry(stack).or_default().push(names);
                Some(())
            }
            _ => None,
        }
    }

    /// `(value, gradient)`: the gradient's names are the roots of need.
    fn tail(&mut self, e: &Expr) -> Option<()> {
        let Expr::Tuple(t) = e else { return None };
        let [value, gradient] = &t.elems.iter().collect::<Vec<_>>()[..] else { return None };
        if self.ty(value)? != Ty::Float {
            return None;
        }
        self.gradient(gradient)?;
        self.needed.extend(self.reads(gradient));
        Some(())
    }

    /// A gradient: a float, an array, or a tuple of those.
    fn gradient(&self, e: &Expr) -> Option<()> {
        match e {
            Expr::Tuple(t) => t.elems.iter().try_for_each(|p| self.gradient(p)),
            e => matches!(self.ty(e)?, Ty::Float | Ty::Array { .. }).then_some(()),
        }
    }

    /// Binds `names`, taken from the positions of `node` (a stack, a trace's variant), with the
    /// types of the names `like` put there.
    fn bind_positions(&mut self, names: &[String], like: &[String], node: &str) -> Option<()> {
        if like.len() != names.len() {
            return None;
        }
        for (k, (n, l)) in names.iter().zip(like).enumerate() {
            let ty = *self.types.get(l)?;
            self.types.insert(n.clone(), ty);
            self.flows.push(Flow { writes: vec![n.clone()], reads: vec![format!("{node}#{k}")] });
        }
        Some(())
    }

    /// `__If3::Then(x, y)`: the names a trace is made of, recorded by variant.
    fn trace(&mut self, e: &Expr) -> Option<Vec<String>> {
        let Expr::Call(c) = e else { return None };
        let Expr::Path(p) = &*c.func else { return None };
        let first = p.path.segments.first()?;
        if p.path.segments.len() != 2 || !first.ident.to_string().starts_with("__If") {
            return None;
        }
        let fields: Vec<String> = c.args.iter().map(ident_of).collect::<Option<_>>()?;
        for f in &fields {
            self.types.get(f)?;
        }
        let variant = p.path.to_token_stream().to_string();
        for (k, f) in fields.iter().enumerate() {
            self.flows.push(Flow { writes: vec![format!("{variant}#{k}")], reads: vec![f.clone()] });
        }
        self.variants.entry(variant).or_default().push(fields.clone());
        Some(fields)
    }

    /// The name an `accumulate` writes: `x̄[i]` of an array, a float, or a whole array.
    /// And whether the place is a float (an entry, or a float local) or a whole array.
    fn place(&mut self, e: &Expr) -> Option<(String, bool)> {
        match e {
            Expr::Index(ix) => {
                let array = ident_of(&ix.expr)?;
                matches!(self.types.get(&array), Some(Ty::Array { .. })).then_some(())?;
                (self.ty(&ix.index)? == Ty::Int).then_some((array, true))
            }
            e => {
                let name = ident_of(e)?;
                match self.types.get(&name)? {
                    Ty::Float => Some((name, true)),
                    Ty::Array { .. } => Some((name, false)),
                    _ => None,
                }
            }
        }
    }

    /// Whether `e` is a dual number whatever its operands: a result of `dual_math` or of a
    /// pullback.
    fn fixed(&self, e: &Expr) -> bool {
        match e {
            Expr::Call(c) => match &*c.func {
                Expr::Path(p) if dual_math(p) => true,
                // `take(&mut x̄[i])`: an entry of an array of dual numbers.
                _ if taken(c).is_some() => {
                    taken(c).and_then(|a| self.types.get(&a)) == Some(&Ty::Array { dual: true })
                }
                f => ident_of(f).is_some_and(|n| self.types.get(&n) == Some(&Ty::Pullback)),
            },
            Expr::Paren(p) => self.fixed(&p.expr),
            _ => false,
        }
    }

    /// The names whose tangents `e`'s tangent may read: not the seed's value, a zero's shape, a
    /// length or what a comparison looks at.
    fn reads(&self, e: &Expr) -> Vec<String> {
        let mut out = Vec::new();
        self.tangent_reads(e, &mut out);
        out
    }

    fn tangent_reads(&self, e: &Expr, out: &mut Vec<String>) {
        match e {
            Expr::Call(c)
                if callee(c).is_some_and(|(n, _)| {
                    matches!(n.as_str(), "seed_one" | "zero_tangent" | "zero_real" | "is_nonzero")
                }) => {}
            Expr::MethodCall(m) if m.method == "len" => {}
            Expr::Binary(b) if super::comparison(&b.op) => {}
            // A call's or a method's own name is not a local; a pullback's is.
            Expr::Call(c) => {
                c.args.iter().for_each(|a| self.tangent_reads(a, out));
                out.extend(ident_of(&c.func));
            }
            Expr::MethodCall(m) => {
                std::iter::once(&*m.receiver).chain(&m.args).for_each(|a| self.tangent_reads(a, out));
            }
            Expr::Binary(b) => {
                self.tangent_reads(&b.left, out);
                self.tangent_reads(&b.right, out);
            }
            e => {
                let mut all = Vec::new();
                names(e.to_token_stream(), &mut all);
                out.extend(all.into_iter().filter(|n| self.types.contains_key(n)));
            }
        }
    }

    /// The type of `e`, or `None` for a form this does not read.
    fn ty(&self, e: &Expr) -> Option<Ty> {
        Some(match e {
            Expr::Lit(l) => match &l.lit {
                syn::Lit::Int(_) => Ty::Int,
                syn::Lit::Bool(_) => Ty::Bool,
                _ => return None,
            },
            Expr::Path(_) => *self.types.get(&ident_of(e)?)?,
            Expr::Paren(p) => self.ty(&p.expr)?,
            Expr::Unary(u) => match u.op {
                syn::UnOp::Neg(_) | syn::UnOp::Not(_) => self.ty(&u.expr)?,
                // `*p` of an array parameter `p: &[f64; N]`: the array.
                syn::UnOp::Deref(_) => match self.ty(&u.expr)? {
                    a @ Ty::Array { .. } => a,
                    _ => return None,
                },
                _ => return None,
            },
            Expr::Binary(b) => {
                let (l, r) = (self.ty(&b.left)?, self.ty(&b.right)?);
                use syn::BinOp::*;
                match b.op {
                    op if super::comparison(&op) => Ty::Bool,
                    And(_) | Or(_) => Ty::Bool,
                    Add(_) | Sub(_) | Mul(_) | Div(_) | Rem(_) => match (l, r) {
                        (Ty::Int, Ty::Int) => Ty::Int,
                        (Ty::Float, Ty::Float) => Ty::Float,
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            Expr::Index(ix) => match (self.ty(&ix.expr)?, self.ty(&ix.index)?) {
                (Ty::Array { .. }, Ty::Int) => Ty::Float,
                _ => return None,
            },
            Expr::Range(r) => {
                for bound in [&r.start, &r.end].into_iter().flatten() {
                    (self.ty(bound)? == Ty::Int).then_some(())?;
                }
                Ty::Int
            }
            Expr::Cast(c) if is_int(&c.ty) => {
                self.ty(&c.expr)?;
                Ty::Int
            }
            Expr::Reference(r) if r.mutability.is_none() => self.ty(&r.expr)?,
            // A local array, of dual numbers: `vec![c; n]` of a constant `c`, `vec![a, b]`, `[a, b]`.
            Expr::Macro(m) if m.mac.path.segments.last().is_some_and(|s| s.ident == "vec") => {
                let elements = vec_elements(&m.mac)?;
                match elements {
                    VecElements::Repeat(c, n) => {
                        // The constant: a literal of the copy, or a path through `f64`.
                        if !self.reads(&c).is_empty() || self.ty(&n)? != Ty::Int {
                            return None;
                        }
                    }
                    VecElements::List(items) => {
                        for e in &items {
                            (self.ty(e)? == Ty::Float).then_some(())?;
                        }
                    }
                }
                Ty::Array { dual: true }
            }
            Expr::Array(a) => {
                for e in &a.elems {
                    (self.ty(e)? == Ty::Float).then_some(())?;
                }
                Ty::Array { dual: true }
            }
            // `matches!(k, 0 | 1)` of an integer (or a `bool`): a test, which reads no tangent.
            Expr::Macro(m)
                if m.mac.path.is_ident("matches")
                    || m.mac.path.segments.last().is_some_and(|s| s.ident == "matches") =>
            {
                let first = m.mac.tokens.clone().into_iter().next();
                let Some(proc_macro2::TokenTree::Ident(i)) = first else { return None };
                match self.types.get(&i.to_string())? {
                    Ty::Int | Ty::Bool => Ty::Bool,
                    _ => return None,
                }
            }
            Expr::MethodCall(m) => {
                let receiver = self.ty(&m.receiver)?;
                let name = m.method.to_string();
                let args: Vec<Ty> = m.args.iter().map(|a| self.ty(a)).collect::<Option<_>>()?;
                match (receiver, name.as_str()) {
                    (Ty::Array { .. }, "len") if args.is_empty() => Ty::Int,
                    (a @ Ty::Array { .. }, "clone" | "to_vec") if args.is_empty() => a,
                    (Ty::Int, "rev") if args.is_empty() => Ty::Int,
                    (
                        Ty::Int,
                        "saturating_sub" | "saturating_add" | "wrapping_sub" | "wrapping_add" | "abs_diff"
                        | "min" | "max" | "pow" | "rem_euclid" | "div_euclid" | "div_ceil"
                        | "next_multiple_of",
                    ) if args.iter().all(|a| *a == Ty::Int) => Ty::Int,
                    (Ty::Float, n) if crate::rules::float_method(n) && m.turbofish.is_none() => {
                        if n.starts_with("is_") { Ty::Bool } else { Ty::Float }
                    }
                    _ => return None,
                }
            }
            Expr::Call(c) => {
                if literal(c).is_some() {
                    return Some(Ty::Float);
                }
                if let Some(array) = taken(c) {
                    return matches!(self.types.get(&array)?, Ty::Array { .. }).then_some(Ty::Float);
                }
                let args: Vec<Ty> = c.args.iter().map(|a| self.ty(a)).collect::<Option<_>>()?;
                if let Some(f) = ident_of(&c.func) {
                    // A pullback of `dual_math`.
                    return (self.types.get(&f) == Some(&Ty::Pullback) && args == [Ty::Float])
                        .then_some(Ty::Float);
                }
                let (name, path) = callee(c)?;
                if dual_math(path) || scalar_path(path) || float_function(&name, path) {
                    return Some(Ty::Float);
                }
                match (name.as_str(), &args[..]) {
                    // A value from outside the function that the copy promoted, an integer.
                    ("promote", [Ty::Int]) => Ty::Int,
                    ("promote", [Ty::Float]) | ("seed_one", [Ty::Float]) | ("is_nonzero", [Ty::Float]) => {
                        if name == "is_nonzero" {
                            Ty::Bool
                        } else {
                            Ty::Float
                        }
                    }
                    ("zero_real", []) => Ty::Float,
                    // `core::cmp::min(a, b)` of integers (a chain's length).
                    ("min" | "max", [Ty::Int, Ty::Int])
                        if path.path.segments.iter().any(|s| s.ident == "cmp") =>
                    {
                        Ty::Int
                    }
                    ("cast", [Ty::Int | Ty::Float]) => Ty::Float,
                    ("zero_tangent", [Ty::Array { dual }]) => Ty::Array { dual: *dual },
                    ("zero_tangent", [Ty::Float]) => Ty::Float,
                    ("new", []) if path.path.segments.iter().any(|s| s.ident == "Vec") => Ty::Stack,
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    /// Which float names are dual numbers: varied and needed, or fixed; a stack's positions as
    /// one.
    pub(super) fn decide(&mut self) -> HashSet<String> {
        // Edges read -> written, walked forward from the sources of variation and backward from
        // the roots of need (each name once: linear in the flows, for functions of thousands of
        // statements).
        let mut forward: HashMap<&str, Vec<&str>> = HashMap::new();
        let mut backward: HashMap<&str, Vec<&str>> = HashMap::new();
        for f in &self.flows {
            for r in &f.reads {
                for w in &f.writes {
                    forward.entry(r).or_default().push(w);
                    backward.entry(w).or_default().push(r);
                }
            }
        }
        let varied = reach(&self.varied, &forward);
        let needed = reach(&self.needed, &backward);
        let mut dual: HashSet<String> = self
            .types
            .iter()
            .filter(|(n, t)| {
                **t == Ty::Float
                    && (self.fixed_dual.contains(*n) || varied.contains(*n) && needed.contains(*n))
            })
            .map(|(n, _)| n.clone())
            .collect();
        // What is pushed at a position and what is popped there have one type, and so have a
        // trace's fields and the names its `match` binds.
        let groups = self
            .popped
            .iter()
            .map(|(stack, pops)| pops.iter().chain(self.pushed.get(stack).into_iter().flatten()).collect())
            .chain(self.variants.values().map(|v| v.iter().collect()));
        let groups: Vec<Vec<&Vec<String>>> = groups.collect();
        loop {
            let mut changed = false;
            for all in &groups {
                let width = all.iter().map(|n| n.len()).max().unwrap_or(0);
                for k in 0..width {
                    let at: Vec<&String> = all.iter().filter_map(|n| n.get(k)).collect();
                    if at.iter().any(|n| dual.contains(*n)) {
                        for n in at.into_iter().filter(|n| self.types.get(*n) == Some(&Ty::Float)) {
                            changed |= dual.insert(n.clone());
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        dual
    }
}

/// The names reachable from `start` along `edges`, `start` included.
fn reach(start: &HashSet<String>, edges: &HashMap<&str, Vec<&str>>) -> HashSet<String> {
    let mut seen: HashSet<String> = start.clone();
    let mut work: Vec<String> = start.iter().cloned().collect();
    while let Some(n) = work.pop() {
        for next in edges.get(n.as_str()).into_iter().flatten() {
            if seen.insert((*next).to_string()) {
                work.push((*next).to_string());
            }
        }
    }
    seen
}

/// The identifiers in `tokens`, in order.
fn names(tokens: proc_macro2::TokenStream, out: &mut Vec<String>) {
    for t in tokens {
        match t {
            proc_macro2::TokenTree::Ident(i) => out.push(i.to_string()),
            proc_macro2::TokenTree::Group(g) => names(g.stream(), out),
            _ => {}
        }
    }
}

/// What `vec![..]` holds: `c; n`, or a list.
pub(super) enum VecElements {
    Repeat(Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
}

/// The elements of a `vec!` macro's tokens, parsed.
pub(super) fn vec_elements(mac: &syn::Macro) -> Option<VecElements> {
    use syn::parse::Parser;
    let repeat = |input: syn::parse::ParseStream| -> syn::Result<(Expr, Expr)> {
        let c: Expr = input.parse()?;
        input.parse::<syn::Token![;]>()?;
        let n: Expr = input.parse()?;
        Ok((c, n))
    };
    if let Ok((c, n)) = repeat.parse2(mac.tokens.clone()) {
        return Some(VecElements::Repeat(Box::new(c), Box::new(n)));
    }
    let list = syn::punctuated::Punctuated::<Expr, syn::Token![,]>::parse_terminated;
    list.parse2(mac.tokens.clone()).ok().map(|items| VecElements::List(items.into_iter().collect()))
}

/// `take(&mut x̄[i])` (an adjoint read and zeroed where its value is overwritten): the array.
pub(super) fn taken(c: &syn::ExprCall) -> Option<String> {
    if callee(c)?.0 != "take" || c.args.len() != 1 {
        return None;
    }
    let Expr::Reference(r) = &c.args[0] else { return None };
    let Expr::Index(ix) = &*r.expr else { return None };
    r.mutability.and(ident_of(&ix.expr))
}
