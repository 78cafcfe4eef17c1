//! activity: which values carry derivatives.
//!
//! The classic analysis of Hascoët & Pascual (Tapenade) and Swift's
//! `DifferentiableActivityAnalysis`:
//! - *varied*: depends differentiably on a differentiated parameter (forward data flow);
//! - *useful*: the result depends differentiably on it (backward data flow);
//! - *active* = varied and useful: only active values get tangents and adjoints; everything else
//!   is constant code, emitted once as the user wrote it.
//!
//! A separate forward flag, *tainted*, records any dependence on a varied value, differentiable
//! or not (`x > 0.0` is tainted but not varied): a branch on a tainted condition is what the
//! `piecewise` check is about. A separate backward flag, *reaches*, records that a value
//! influences the result by any data flow except through `no_grad(..)` and branch conditions:
//! `floor` of a varied value is an error only if its result reaches the result (so
//! `no_grad(x.floor())` is the way to say a constant is intended).
//!
//! Assumes the IR invariants (`ir/mod.rs`). Loops and mutable arrays make the data flow cyclic,
//! so each walk repeats until it reaches its fixed point.

use crate::ir::{ArrayInit, Block, Function, Op, Value};
use crate::rules::Family;

/// Activity of every value of a function.
pub struct Activity {
    varied: Vec<bool>,
    useful: Vec<bool>,
    tainted: Vec<bool>,
    reaches: Vec<bool>,
    /// The function's inputs as they come in: parameters and elements loaded from them. A
    /// finiteness test of one of them switches only where an input is not a number.
    inputs: std::collections::HashSet<Value>,
}

impl Activity {
    pub fn varied(&self, v: Value) -> bool {
        self.varied[v.0 as usize]
    }
    pub fn useful(&self, v: Value) -> bool {
        self.useful[v.0 as usize]
    }
    pub fn active(&self, v: Value) -> bool {
        self.varied(v) && self.useful(v)
    }
    pub fn tainted(&self, v: Value) -> bool {
        self.tainted[v.0 as usize]
    }
    pub fn reaches(&self, v: Value) -> bool {
        self.reaches[v.0 as usize]
    }

    /// `active`, `varied`, `tainted` or empty: for dumps.
    #[cfg(test)]
    pub fn tag(&self, v: Value) -> &'static str {
        match (self.varied(v), self.useful(v), self.tainted(v)) {
            (true, true, _) => "active",
            (true, false, _) => "varied",
            (false, _, true) => "tainted",
            _ => "",
        }
    }
}

/// The operands through which a derivative flows (a subset of `Op::operands`).
pub fn differentiable_operands(op: &Op) -> Vec<Value> {
    match op {
        Op::Prim { rule, args, .. } => {
            args.iter().enumerate().filter(|(i, _)| rule.kind.differentiable(*i)).map(|(_, a)| *a).collect()
        }
        Op::Call { .. } => op.operands(),
        Op::Load { array, .. } => vec![*array],
        Op::Field { base, .. } => vec![*base],
        Op::Construct { .. } => op.operands(),
        Op::NewArray(ArrayInit::Elements { elements, .. }) => elements.clone(),
        Op::NewArray(ArrayInit::Copy { source, .. }) => vec![*source],
        Op::NewArray(ArrayInit::Constant { .. })
        | Op::Refill { .. }
        | Op::Store { .. }
        | Op::For { .. }
        | Op::Loop { .. }
        | Op::Param(_)
        | Op::Lit(_)
        | Op::Opaque { .. }
        | Op::NoGrad(_)
        | Op::Error
        | Op::If { .. } => Vec::new(),
    }
}

/// Runs the analysis. `wrt[i]` says whether parameter `i` is differentiated.
///
/// Arrays are mutable, so a store can make an array varied after an earlier load in a loop has
/// read it: both walks repeat until nothing changes (every flag only ever turns on, so this
/// terminates; in practice in two or three rounds).
pub fn analyse(f: &Function, wrt: &[bool]) -> Activity {
    let n = f.values.len();
    let mut a = Activity {
        varied: vec![false; n],
        useful: vec![false; n],
        tainted: vec![false; n],
        reaches: vec![false; n],
        inputs: std::collections::HashSet::new(),
    };
    for inst in f.body.walk() {
        let input = match &inst.op {
            Op::Param(_) => true,
            Op::Load { array, .. } => a.inputs.contains(array),
            _ => false,
        };
        if input {
            a.inputs.extend(inst.results.iter().copied());
        }
    }
    while forward(&f.body, wrt, &mut a) {}
    for v in f.output.leaves() {
        a.raise(Useful, v, true);
        a.raise(Reaches, v, true);
    }
    while backward(&f.body, &mut a) {}
    a
}

#[derive(Copy, Clone)]
enum Flag {
    Varied,
    Useful,
    Tainted,
    Reaches,
}
use Flag::*;

impl Activity {
    /// Turns the flag of `v` on if `on`; whether it changed.
    fn raise(&mut self, flag: Flag, v: Value, on: bool) -> bool {
        let flags = match flag {
            Varied => &mut self.varied,
            Useful => &mut self.useful,
            Tainted => &mut self.tainted,
            Reaches => &mut self.reaches,
        };
        let slot = &mut flags[v.0 as usize];
        let changed = on && !*slot;
        *slot |= on;
        changed
    }
}

/// One forward walk; whether any flag changed.
fn forward(block: &Block, wrt: &[bool], a: &mut Activity) -> bool {
    let mut changed = false;
    for inst in &block.insts {
        match &inst.op {
            Op::If { cond, piecewise, then_block, else_block, then_out, else_out, .. } => {
                changed |= forward(then_block, wrt, a);
                changed |= forward(else_block, wrt, a);
                // What a `piecewise(..)` branch selects switches only where its condition flips,
                // which the user accepted there: a later branch on it (the flag of a `return`
                // inside, `while !done && i < n`) adds no kink of its own.
                let cond_taint = !piecewise && a.tainted(*cond);
                for ((r, t), e) in inst.results.iter().zip(then_out).zip(else_out) {
                    let varied = a.varied(*t) || a.varied(*e);
                    changed |= a.raise(Varied, *r, varied);
                    changed |= a.raise(Tainted, *r, varied || cond_taint || a.tainted(*t) || a.tainted(*e));
                }
            }
            Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => {
                if let Op::For { var, start, end, .. } = &inst.op {
                    changed |= a.raise(Tainted, *var, a.tainted(*start) || a.tainted(*end));
                }
                for c in carried {
                    let (varied, tainted) = (a.varied(c.init), a.tainted(c.init));
                    changed |= a.raise(Varied, c.header, varied);
                    changed |= a.raise(Tainted, c.header, tainted);
                }
                changed |= forward(body, wrt, a);
                for (c, exit) in carried.iter().zip(&inst.results) {
                    let (varied, tainted) = (a.varied(c.next), a.tainted(c.next));
                    changed |= a.raise(Varied, c.header, varied);
                    changed |= a.raise(Tainted, c.header, tainted);
                    let (varied, tainted) = (a.varied(c.header), a.tainted(c.header));
                    changed |= a.raise(Varied, *exit, varied);
                    changed |= a.raise(Tainted, *exit, tainted);
                }
            }
            Op::Store { array, index, value } => {
                changed |= a.raise(Varied, *array, a.varied(*value));
                let taint = a.tainted(*value) || index.iter().any(|i| a.tainted(*i));
                changed |= a.raise(Tainted, *array, taint);
            }
            op => {
                let varied = match op {
                    Op::Param(i) => wrt.get(*i).copied().unwrap_or(false),
                    op => differentiable_operands(op).iter().any(|v| a.varied(*v)),
                };
                // `no_grad` cuts taint too: a condition computed from it is a constant by
                // declaration. The shape of an array does not depend on its values. Whether an
                // input is finite or NaN changes only where it is not a real number, so a guard
                // `if x.is_nan() { return .. }` on an input switches at no point where a
                // derivative exists (of a computed value, `(1.0 / x).is_finite()`, it switches at
                // a real input, `x = 0`, and taints like any comparison).
                let shape = matches!(op, Op::Prim { rule, .. } if matches!(rule.kind, Family::Shape));
                let finiteness = matches!(op, Op::Prim { rule, args, .. }
                    if matches!(rule.name, "is_nan" | "is_finite" | "is_infinite")
                        && args.iter().all(|v| a.inputs.contains(v)));
                let permutation = matches!(op, Op::Opaque { what: crate::ir::Opaque::Permutation, .. });
                let cut = matches!(op, Op::NoGrad(_)) || shape || finiteness || permutation;
                let tainted = varied || (!cut && op.operands().iter().any(|v| a.tainted(*v)));
                for r in &inst.results {
                    changed |= a.raise(Varied, *r, varied);
                    changed |= a.raise(Tainted, *r, tainted);
                }
            }
        }
    }
    changed
}

/// One backward walk; whether any flag changed.
fn backward(block: &Block, a: &mut Activity) -> bool {
    let mut changed = false;
    for inst in block.insts.iter().rev() {
        match &inst.op {
            Op::If { then_block, else_block, then_out, else_out, .. } => {
                for ((r, t), e) in inst.results.iter().zip(then_out).zip(else_out) {
                    for v in [t, e] {
                        changed |= a.raise(Useful, *v, a.useful(*r));
                        changed |= a.raise(Reaches, *v, a.reaches(*r));
                    }
                }
                changed |= backward(then_block, a);
                changed |= backward(else_block, a);
            }
            Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => {
                for (c, exit) in carried.iter().zip(&inst.results) {
                    for v in [c.next, c.header, c.init] {
                        changed |= a.raise(Useful, v, a.useful(*exit));
                        changed |= a.raise(Reaches, v, a.reaches(*exit));
                    }
                }
                changed |= backward(body, a);
                for c in carried {
                    // The header of one iteration is the `next` of the previous one.
                    for v in [c.next, c.init] {
                        changed |= a.raise(Useful, v, a.useful(c.header));
                        changed |= a.raise(Reaches, v, a.reaches(c.header));
                    }
                }
                // The bounds (or the condition) decide how often the body runs.
                let decides: Vec<Value> = match &inst.op {
                    Op::For { start, end, .. } => vec![*start, *end],
                    Op::Loop { go, .. } => vec![*go],
                    _ => Vec::new(),
                };
                for v in decides {
                    changed |= a.raise(Reaches, v, true);
                }
            }
            Op::Store { array, index, value } => {
                changed |= a.raise(Useful, *value, a.useful(*array));
                for v in index.iter().chain([value]) {
                    changed |= a.raise(Reaches, *v, a.reaches(*array));
                }
            }
            op => {
                let useful = inst.results.iter().any(|r| a.useful(*r));
                for v in differentiable_operands(op) {
                    changed |= a.raise(Useful, v, useful);
                }
                let reaches = inst.results.iter().any(|r| a.reaches(*r)) && !matches!(op, Op::NoGrad(_));
                for v in op.operands() {
                    changed |= a.raise(Reaches, v, reaches);
                }
            }
        }
    }
    changed
}
