//! The reverse sweep's plan, per branch and loop: what the primal sweep keeps for the adjoint
//! sweep (a branch's trace, a loop's stack), what a backward iteration recomputes instead, which
//! way it runs and which reads it sums in a scalar (Swift's `LinearMapInfo` holds the first of
//! these), and which arrays lend their storage to their adjoints in `_grad`. It is computed from
//! the adjoint program (`program.rs`: each block's reads, its branches and loops) before any of
//! it is printed, by `Reverse::plan_block` and, per loop, `Reverse::plan_loop`. The printing,
//! the primal sweep and the adjoints' declarations are written from it, and `Plan::dump`
//! prints it for the tests and the `expand` example (`--plan`).

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write;

use super::Slot;
use crate::ir::Value;

#[derive(Default)]
pub(super) struct Plan {
    /// Per `if` whose adjoint is needed, by its trace value: the slots its then and else
    /// branches save in the trace.
    pub(super) branches: BTreeMap<Value, [Vec<Slot>; 2]>,
    /// Per loop whose adjoint is needed, by its key (the index variable of a `for`, the
    /// iteration count of a `while` or `loop`).
    pub(super) loops: BTreeMap<Value, LoopPlan>,
    /// Matrix products whose only use is `.sum()`: the adjoint is the sum's cotangent in every
    /// entry, kept as that scalar (`emit::fill`, `__fill3`) rather than a filled matrix
    /// (`Reverse::fills`).
    pub(super) fused_sums: BTreeSet<Value>,
    /// Every slot of the primal sweep the adjoint sweep reads (what the pullback captures).
    pub(super) read: BTreeSet<Slot>,
    /// Arrays whose storage `_grad` lends to their adjoints (`zero_tangent_reusing`): built by
    /// the function as a `Vec`, not returned, and never read by the adjoint sweep
    /// ([`Plan::lend`], from `read` and the IR).
    pub(super) lent: BTreeSet<Value>,
}

/// How a loop runs backward.
#[derive(Default)]
pub(super) struct LoopPlan {
    /// Pushed on the loop's stack by each iteration, popped by the backward one.
    pub(super) pushed: Vec<Slot>,
    /// Recomputed by each backward iteration from what it popped and what the loop does not
    /// change.
    pub(super) recomputed: Vec<Value>,
    /// The backward iterations run in the primal's order: they only add into adjoints, and
    /// streaming forward through the arrays is faster.
    pub(super) forward: bool,
    /// Loads at an index the loop does not change (`x[i]` in a loop over `j`), by array and
    /// index: their contributions are summed in a scalar added once after the loop.
    pub(super) hoisted: Vec<(Value, Vec<Value>)>,
    /// Where the body reads an array it stores into, whole, before its last store: the copy
    /// pushed at the iteration's end is not what that read saw, so the sweep writes our
    /// error there (`WHOLE_ARRAY_READ_BEFORE_WRITTEN`).
    pub(super) read_before_written_at: Vec<proc_macro2::Span>,
}

fn value(v: &Value) -> String {
    format!("v{}", v.0)
}

fn slot(s: &Slot) -> String {
    match s {
        Slot::Value(v) => value(v),
        Slot::Pullback(v) => format!("pb{}", v.0),
        Slot::Tangent(v) => format!("t{}", v.0),
    }
}

/// The names, joined by commas, or `nothing`.
pub(super) fn list(names: impl Iterator<Item = String>) -> String {
    let names: Vec<String> = names.collect();
    if names.is_empty() { "nothing".to_string() } else { names.join(", ") }
}

impl Plan {
    /// The plan before the sweep is built: the sums it fuses, read off the IR. A matrix product
    /// only summed (`analysis::summed_products`: both at the top level, the product used once)
    /// that is active keeps its adjoint as the sum's cotangent: the sum is the product's one
    /// use, so the backward sweep reaches it first, with nothing yet added to the product's
    /// adjoint. (If the sum's result gets no adjoint, neither does the product, and the entry
    /// is not read.)
    pub(super) fn of_sums(input: &crate::emit::Input) -> Plan {
        let fused_sums = input.summed_products.keys().copied().filter(|m| input.act.active(*m)).collect();
        Plan { fused_sums, ..Plan::default() }
    }

    /// One line per branch and loop, in the order of their values:
    /// `if v9: then saves v4, v5; else saves nothing`,
    /// `loop v3: backward; pops v7; recomputes v8, v9; hoists v1[v2]`, then
    /// `sums kept as one scalar: v12`.
    pub(super) fn dump(&self) -> String {
        let mut out = String::new();
        for (trace, [then, otherwise]) in &self.branches {
            let (then, otherwise) = (list(then.iter().map(slot)), list(otherwise.iter().map(slot)));
            let _ = writeln!(out, "if {}: then saves {then}; else saves {otherwise}", value(trace));
        }
        for (key, l) in &self.loops {
            let direction = if l.forward { "forward" } else { "backward" };
            let _ = write!(out, "loop {}: {direction}; pops {}", value(key), list(l.pushed.iter().map(slot)));
            if !l.recomputed.is_empty() {
                let _ = write!(out, "; recomputes {}", list(l.recomputed.iter().map(value)));
            }
            for (array, index) in &l.hoisted {
                let _ = write!(out, "; hoists {}[{}]", value(array), list(index.iter().map(value)));
            }
            out.push('\n');
        }
        if !self.fused_sums.is_empty() {
            let _ = writeln!(out, "sums kept as one scalar: {}", list(self.fused_sums.iter().map(value)));
        }
        if !self.lent.is_empty() {
            let _ = writeln!(out, "storage lent to adjoints in _grad: {}", list(self.lent.iter().map(value)));
        }
        out
    }

    /// Fills `lent` once `read` is known: of the active `arrays`, those `input` builds as a
    /// `Vec` (`vec![0.0; n]`, `v.to_vec()`), does not return, and whose values the adjoint sweep
    /// never reads (a copy a loop pushed and pops under the same name is not the array).
    pub(super) fn lend(&mut self, input: &crate::emit::Input, arrays: &[Value]) {
        use crate::ir::{ArrayKind, Kind, Op};
        let returned = input.f.output.leaves();
        let built = |v: Value| {
            input.f.info(v).kind == Kind::Array(ArrayKind::Vec)
                && input
                    .f
                    .body
                    .insts
                    .iter()
                    .any(|inst| inst.results.contains(&v) && matches!(inst.op, Op::NewArray(_)))
        };
        self.lent = arrays
            .iter()
            .copied()
            .filter(|v| built(*v) && !returned.contains(v) && !self.read.contains(&Slot::Value(*v)))
            .collect();
    }
}
