//! The one way to reach every instruction: [`Op::blocks`] lists the blocks an operation holds,
//! matching every variant (no catch-all, so an operation that holds a block cannot be skipped
//! by accident), and [`Block::walk`] / [`Block::any`] visit a block and everything nested in it
//! in program order (an instruction before the blocks it holds, an `if`'s arm `then` before
//! `else`).

use super::{Block, Inst, Op};

impl Op {
    /// The blocks this operation holds, in program order.
    pub fn blocks(&self) -> Vec<&Block> {
        match self {
            Op::If { then_block, else_block, .. } => vec![then_block, else_block],
            Op::For { body, .. } | Op::Loop { body, .. } => vec![body],
            Op::Param(_)
            | Op::Lit(_)
            | Op::Opaque { .. }
            | Op::Prim { .. }
            | Op::Load { .. }
            | Op::Store { .. }
            | Op::NewArray(_)
            | Op::Refill { .. }
            | Op::Field { .. }
            | Op::Construct { .. }
            | Op::Call { .. }
            | Op::NoGrad(_)
            | Op::Error => Vec::new(),
        }
    }
}

impl Block {
    /// Every instruction of this block and of the blocks nested in it, in program order.
    pub fn walk(&self) -> Vec<&Inst> {
        fn visit<'a>(b: &'a Block, out: &mut Vec<&'a Inst>) {
            for inst in &b.insts {
                out.push(inst);
                for inner in inst.op.blocks() {
                    visit(inner, out);
                }
            }
        }
        let mut out = Vec::new();
        visit(self, &mut out);
        out
    }

    /// Whether an instruction of this block, at any depth, satisfies `f` (stops at the first).
    pub fn any(&self, f: &mut dyn FnMut(&Inst) -> bool) -> bool {
        self.insts.iter().any(|inst| f(inst) || inst.op.blocks().into_iter().any(|b| b.any(f)))
    }
}
