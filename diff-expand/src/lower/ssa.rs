//! Values, instructions and variables: SSA on the fly (the module documentation of `lower`),
//! and the phis of a branch.

use super::*;

impl Lowerer<'_> {
    pub(super) fn new_value(&mut self, _span: Loc, kind: Kind) -> Value {
        self.values.push(ValueInfo { kind, name: None });
        Value(self.values.len() as u32 - 1)
    }

    pub(super) fn push(&mut self, results: Vec<Value>, op: Op, span: Loc) {
        if let Some(block) = self.blocks.last_mut() {
            block.push(Inst { results, op, span });
        }
    }

    /// Emits a one-result instruction.
    pub(super) fn emit(&mut self, op: Op, span: Loc, kind: Kind) -> Value {
        let v = self.new_value(span, kind);
        self.push(vec![v], op, span);
        v
    }

    pub(super) fn error(&mut self, span: Loc, diagnostic: Diagnostic) -> Tree {
        self.cx.error(span, diagnostic);
        let v = self.emit(Op::Error, span, Kind::Unknown);
        self.errors.insert(v);
        Tree::Leaf(v)
    }

    /// A placeholder for a value whose problem was already reported (at `span`): reading it
    /// reports nothing more.
    pub(super) fn quiet_error(&mut self, span: Loc) -> Tree {
        let v = self.emit(Op::Error, span, Kind::Unknown);
        self.errors.insert(v);
        Tree::Leaf(v)
    }

    /// The instruction made so far that defines `v`, and the depth of its block (`0` the
    /// function's top level); `None` for a value no instruction defines (a loop's carried
    /// value, a branch's result).
    /// The level in `blocks` where `v` is made: its instruction's block, else (a loop's index
    /// or carried variable) the body of the innermost loop made after it began, else the top.
    pub(super) fn level_of(&self, v: Value) -> usize {
        if let Some((level, _)) = self.made_by(v) {
            return level;
        }
        self.loop_starts
            .iter()
            .zip(&self.loop_levels)
            .rev()
            .find(|(start, _)| **start <= v.0 as usize)
            .map_or(0, |(_, level)| *level)
    }

    pub(super) fn made_by(&self, v: Value) -> Option<(usize, &Inst)> {
        self.blocks
            .iter()
            .enumerate()
            .find_map(|(level, b)| b.iter().find(|i| i.results.contains(&v)).map(|i| (level, i)))
    }

    pub(super) fn unsupported(&mut self, span: Loc, message: Unsupported) -> Tree {
        let Unsupported { what, help } = message;
        self.error(span, Diagnostic::Unsupported { what: what.to_string(), help })
    }

    /// Records that the user's variable `name` holds `value` (the first name a value gets).
    pub(super) fn name_value(&mut self, name: &str, value: &Tree) {
        let user = name.chars().next().is_some_and(|c| c.is_alphabetic() || c == '_')
            && !name.starts_with("__tapeless");
        if let (true, Tree::Leaf(v)) = (user, value)
            && let Some(info) = self.values.get_mut(v.0 as usize)
        {
            info.name.get_or_insert_with(|| name.to_string());
        }
    }

    pub(super) fn declare(&mut self, name: &str, value: Option<Tree>) {
        if let Some(t) = &value {
            self.name_value(name, t);
        }
        self.vars.push(value);
        let slot = self.vars.len() - 1;
        // A slot freed by a branch or loop and taken again is no longer the closure it held.
        self.closures.remove(&slot);
        self.borrows.remove(&slot);
        if let Some(scope) = self.scopes.last_mut() {
            scope.push((name.to_string(), slot));
        }
    }

    pub(super) fn slot(&self, name: &str) -> Option<usize> {
        self.scopes.iter().rev().flat_map(|s| s.iter().rev()).find(|(n, _)| n == name).map(|(_, slot)| *slot)
    }

    /// The local variable an expression names, if it is one.
    pub(super) fn local(&self, e: &Expr) -> Option<usize> {
        match e {
            Expr::Path(p) if p.qself.is_none() => p.path.get_ident().and_then(|i| self.slot(&i.to_string())),
            _ => None,
        }
    }

    /// The items of a tuple held in local variables (`t`, `t.1`, `(t.1).0`), without emitting
    /// code; `None` if `e` is not such a tuple.
    pub(super) fn aggregate(&self, e: &Expr) -> Option<Vec<Tree>> {
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

    /// The float held at `t.1` (or `(t.1).0`) of a tuple in local variables, without emitting
    /// code; `None` if `e` is not such a field or holds no float.
    pub(super) fn tuple_field_float(&self, e: &Expr) -> Option<Value> {
        let Expr::Field(f) = super::strip_parens(e) else { return None };
        let syn::Member::Unnamed(index) = &f.member else { return None };
        match self.aggregate(&f.base)?.get(index.index as usize)? {
            Tree::Leaf(v) if self.kind(*v) == Kind::Float => Some(*v),
            _ => None,
        }
    }

    pub(super) fn read_var(&mut self, slot: usize, name: &str, span: Loc) -> Tree {
        let error = match self.vars[slot].clone() {
            Some(t) => return t,
            None if self.assigned_in_loop.contains(&slot) => {
                self.unsupported(span, unsupported::READ_AFTER_FIRST_ASSIGNED_IN_LOOP)
            }
            None => self.error(span, Diagnostic::Uninitialized { name: name.to_string() }),
        };
        // One report per variable: later reads see the error's placeholder.
        self.vars[slot] = Some(error.clone());
        error
    }

    /// A single value; a tuple here is an error.
    pub(super) fn leaf(&mut self, t: Tree, span: Loc) -> Value {
        match t {
            Tree::Leaf(v) => v,
            Tree::Tuple(_) => match self.unsupported(span, unsupported::TUPLE_POSITION) {
                Tree::Leaf(v) => v,
                Tree::Tuple(_) => Value(0),
            },
        }
    }

    pub(super) fn value(&mut self, e: &Expr) -> Value {
        let t = self.expr(e);
        self.leaf(t, Loc::of_expr(e))
    }

    pub(super) fn kind(&self, v: Value) -> Kind {
        self.values[v.0 as usize].kind
    }
}

/// Builds the phis of an `if`: one per leaf that differs between the branches.
pub(super) struct Merge {
    pub(super) then_out: Vec<Value>,
    pub(super) else_out: Vec<Value>,
    pub(super) results: Vec<Value>,
    pub(super) bad_shape: bool,
}

impl Merge {
    pub(super) fn tree(&mut self, l: &mut Lowerer, t: Tree, e: Tree, span: Loc) -> Tree {
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
