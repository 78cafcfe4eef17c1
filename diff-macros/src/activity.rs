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
//! Assumes the IR invariants (`ir/mod.rs`). The IR has no loops yet, so one forward and one
//! backward walk reach the fixed point.

use crate::ir::{Block, Function, Op, Value};
use crate::rules::Kind;

/// Activity of every value of a function.
pub struct Activity {
    varied: Vec<bool>,
    useful: Vec<bool>,
    tainted: Vec<bool>,
    reaches: Vec<bool>,
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
        Op::Prim { rule, args, .. } => match &rule.kind {
            Kind::Add | Kind::Sub | Kind::Neg | Kind::Identity | Kind::CastFloat => args.clone(),
            Kind::Smooth { partials } => {
                args.iter().zip(partials.iter()).filter(|(_, d)| **d).map(|(a, _)| *a).collect()
            }
            Kind::NonDifferentiable(_) | Kind::Predicate => Vec::new(),
        },
        Op::Call { .. } => op.operands(),
        Op::Param(_) | Op::Lit(_) | Op::Opaque { .. } | Op::NoGrad(_) | Op::Error | Op::If { .. } => {
            Vec::new()
        }
    }
}

/// Runs the analysis. `wrt[i]` says whether parameter `i` is differentiated.
pub fn analyse(f: &Function, wrt: &[bool]) -> Activity {
    let n = f.values.len();
    let mut a = Activity {
        varied: vec![false; n],
        useful: vec![false; n],
        tainted: vec![false; n],
        reaches: vec![false; n],
    };
    forward(&f.body, wrt, &mut a);
    for v in f.output.leaves() {
        a.useful[v.0 as usize] = true;
        a.reaches[v.0 as usize] = true;
    }
    backward(&f.body, &mut a);
    a
}

fn forward(block: &Block, wrt: &[bool], a: &mut Activity) {
    for inst in &block.insts {
        if let Op::If { cond, then_block, else_block, then_out, else_out, .. } = &inst.op {
            forward(then_block, wrt, a);
            forward(else_block, wrt, a);
            let cond_taint = a.tainted(*cond);
            for ((r, t), e) in inst.results.iter().zip(then_out).zip(else_out) {
                let varied = a.varied(*t) || a.varied(*e);
                a.varied[r.0 as usize] = varied;
                a.tainted[r.0 as usize] = varied || cond_taint || a.tainted(*t) || a.tainted(*e);
            }
            continue;
        }
        let varied = match &inst.op {
            Op::Param(i) => wrt.get(*i).copied().unwrap_or(false),
            op => differentiable_operands(op).iter().any(|v| a.varied(*v)),
        };
        // `no_grad` cuts taint too: a condition computed from it is a constant by declaration.
        let tainted =
            varied || (!matches!(inst.op, Op::NoGrad(_)) && inst.op.operands().iter().any(|v| a.tainted(*v)));
        for r in &inst.results {
            a.varied[r.0 as usize] = varied;
            a.tainted[r.0 as usize] = tainted;
        }
    }
}

fn backward(block: &Block, a: &mut Activity) {
    for inst in block.insts.iter().rev() {
        if let Op::If { then_block, else_block, then_out, else_out, .. } = &inst.op {
            for ((r, t), e) in inst.results.iter().zip(then_out).zip(else_out) {
                for v in [t, e] {
                    a.useful[v.0 as usize] |= a.useful(*r);
                    a.reaches[v.0 as usize] |= a.reaches(*r);
                }
            }
            backward(then_block, a);
            backward(else_block, a);
            continue;
        }
        if inst.results.iter().any(|r| a.useful(*r)) {
            for v in differentiable_operands(&inst.op) {
                a.useful[v.0 as usize] = true;
            }
        }
        if inst.results.iter().any(|r| a.reaches(*r)) && !matches!(inst.op, Op::NoGrad(_)) {
            for v in inst.op.operands() {
                a.reaches[v.0 as usize] = true;
            }
        }
    }
}
