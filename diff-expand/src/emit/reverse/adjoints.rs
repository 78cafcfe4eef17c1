//! Adjoint bookkeeping: reading primal values into the sweep, declaring adjoints, adding
//! contributions (symbolic zeros until the first), and the scalar that stands for a filled adjoint.

use super::*;

impl Reverse<'_> {
    pub(super) fn read(&mut self, slot: Slot) -> syn::Ident {
        if let Some(set) = self.reads.last_mut() {
            set.insert(slot);
        }
        slot.ident()
    }

    /// A zero of `v`'s shape (read from the primal sweep).
    pub(super) fn zero(&mut self, v: Value) -> Term {
        self.read(Slot::Value(v));
        Term::Zero { of: v, lanes: false }
    }

    /// `v̄` if the sweep has contributed to it, else a zero of `v`'s shape.
    pub(super) fn adjoint_or_zero(&mut self, v: Value) -> Term {
        if self.live.contains(&v) { Term::Adjoint(v) } else { self.zero(v) }
    }

    /// A call's cotangent, shaped as its result: each result's adjoint, or a zero where none
    /// reached it.
    pub(super) fn cotangent(&mut self, shape: &crate::ir::Tree) -> Term {
        match shape {
            crate::ir::Tree::Leaf(r) => self.adjoint_or_zero(*r),
            crate::ir::Tree::Tuple(items) => Term::Tuple(items.iter().map(|t| self.cotangent(t)).collect()),
        }
    }

    /// `let mut v̄ = 0;`.
    pub(super) fn declare_zero(&mut self, v: Value) -> Statement {
        Statement::bind_mut(Pattern::Adjoint(v), self.zero(v))
    }

    /// `statement`, the adjoint of the instruction the sweep is at.
    pub(super) fn stmt(&self, statement: Statement) -> Stmts {
        let mut out = Stmts::default();
        out.push(statement, self.span);
        out
    }

    /// `ā += expr`, declaring `ā` at the first contribution (an [`Add`] whose form says
    /// which, and how the adjoint's type adds).
    /// The primal values the term reads are read from the primal sweep ([`Term::values`]).
    pub(super) fn contribute(&mut self, v: Value, expr: Term) -> Add {
        for read in expr.values() {
            self.read(Slot::Value(read));
        }
        if let Some(why) = self.from_maybe_zero {
            self.may_be_zero(v, why);
        }
        // A dynamically sized matrix's adjoint is owned; a contribution may be a reference
        // (`ȳ` of `a + b`), which `+=` and `owned` accept as well as an owned value.
        let heap = crate::emit::is_heap(self.input, v);
        let add = if heap {
            AddForm::Heap
        } else if self.input.scalars.contains(&v) {
            AddForm::Float
        } else {
            AddForm::Accumulate
        };
        let form = if self.live.contains(&v) {
            add
        } else {
            self.live.insert(v);
            match self.arm_defs.last() {
                Some(defs) if !defs.contains(&v) => {
                    if let Some(set) = self.predeclare.last_mut() {
                        set.insert(v);
                    }
                    add
                }
                _ if heap => AddForm::DeclareOwned,
                _ => AddForm::Declare,
            }
        };
        Add { to: v, expr, form, span: self.span }
    }

    /// Makes `v̄` exist, zero, without contributing to it, for an update in place
    /// (`v̄[i] += ȳ`): declared here, or before the enclosing branch or loop if `v` is defined
    /// outside it.
    pub(super) fn declare(&mut self, v: Value) -> Stmts {
        if !self.live.insert(v) {
            return Stmts::default();
        }
        match self.arm_defs.last() {
            Some(defs) if !defs.contains(&v) => {
                if let Some(set) = self.predeclare.last_mut() {
                    set.insert(v);
                }
                Stmts::default()
            }
            _ => {
                let declared = self.declare_zero(v);
                self.stmt(declared)
            }
        }
    }

    /// `let __fillM = s̄;` for an array `m` only summed into `total` (zero if `total` received
    /// no cotangent): the adjoint of every element, which the array's stores read.
    pub(super) fn declare_fill(&mut self, m: Value, total: Value) -> Stmts {
        let value = self.adjoint_or_zero(total);
        self.stmt(Statement::bind(Pattern::Name(crate::emit::fill(m)), value))
    }
}
