//! Textual form of the IR, for tests and debugging. One instruction per line:
//! `v3 = mul v1, v2`, `v5 = sin v3`, `v7 = call g(v1, v5)`, nested blocks indented, activity
//! annotations (`[active]`, ...) appended when an analysis is given.

use std::fmt::Write;

use super::{ArrayInit, Block, Callee, Function, Op, Tree, Value};
use crate::analysis::activity::Activity;

fn list(values: &[Value]) -> String {
    values.iter().map(|v| format!("v{}", v.0)).collect::<Vec<_>>().join(", ")
}

fn tree(t: &Tree) -> String {
    match t {
        Tree::Leaf(v) => format!("v{}", v.0),
        Tree::Tuple(items) => format!("({})", items.iter().map(tree).collect::<Vec<_>>().join(", ")),
    }
}

/// Prints `function`, annotating values with `activity` when given.
pub fn dump(function: &Function, activity: Option<&Activity>) -> String {
    let mut out = String::new();
    block(&mut out, &function.body, activity, 0);
    let _ = writeln!(out, "return {}", tree(&function.output));
    out
}

fn block(out: &mut String, b: &Block, activity: Option<&Activity>, depth: usize) {
    let pad = "  ".repeat(depth);
    for inst in &b.insts {
        let lhs = list(&inst.results);
        let rhs = match &inst.op {
            Op::Param(i) => format!("param {i}"),
            Op::Lit(_) => "lit".to_string(),
            Op::Opaque { reads, .. } => format!("opaque({})", list(reads)),
            Op::Prim { rule, args, .. } => format!("{} {}", rule.name, list(args)),
            Op::Call { callee, args, .. } => match callee {
                Callee::Path(p) => {
                    let name = p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                    format!("call {name}({})", list(args))
                }
                Callee::Method { receiver, name, .. } => {
                    format!("call v{}.{name}({})", receiver.0, list(args))
                }
            },
            Op::NoGrad(v) => format!("no_grad v{}", v.0),
            Op::Field { base, member, .. } => {
                format!("field v{}.{}", base.0, quote::ToTokens::to_token_stream(member))
            }
            Op::Construct { fields, .. } => {
                let fields: Vec<String> = fields
                    .iter()
                    .map(|(m, v)| format!("{}: v{}", quote::ToTokens::to_token_stream(m), v.0))
                    .collect();
                format!("construct {{ {} }}", fields.join(", "))
            }
            Op::Load { array, index } => format!("load v{}[{}]", array.0, list(index)),
            Op::Store { array, index, value } => {
                format!("store v{}[{}] = v{}", array.0, list(index), value.0)
            }
            Op::NewArray(ArrayInit::Constant { reads, .. }) => format!("array const({})", list(reads)),
            Op::NewArray(ArrayInit::Elements { elements, .. }) => format!("array [{}]", list(elements)),
            Op::NewArray(ArrayInit::Copy { source, .. }) => format!("array copy v{}", source.0),
            Op::Refill { array, init: ArrayInit::Constant { reads, .. }, before } => {
                let before = before.map(|b| format!(" from length v{}", b.0)).unwrap_or_default();
                format!("refill v{} const({}){before}", array.0, list(reads))
            }
            Op::Refill { array, .. } => format!("refill v{}", array.0),
            Op::Loop { carried, go, .. } => {
                let carried: Vec<String> = carried
                    .iter()
                    .map(|c| format!("v{} = v{} then v{}", c.header.0, c.init.0, c.next.0))
                    .collect();
                format!("loop while v{} carry [{}]", go.0, carried.join(", "))
            }
            Op::For { var, start, end, inclusive, carried, .. } => {
                let carried: Vec<String> = carried
                    .iter()
                    .map(|c| format!("v{} = v{} then v{}", c.header.0, c.init.0, c.next.0))
                    .collect();
                format!(
                    "for v{} in v{}..{}v{} carry [{}]",
                    var.0,
                    start.0,
                    if *inclusive { "=" } else { "" },
                    end.0,
                    carried.join(", ")
                )
            }
            Op::Error => "error".to_string(),
            Op::If { cond, piecewise, .. } => {
                format!("if{} v{}", if *piecewise { " piecewise" } else { "" }, cond.0)
            }
        };
        let mut note = String::new();
        if let Some(a) = activity {
            let tags: Vec<&str> = inst.results.iter().map(|v| a.tag(*v)).collect();
            if tags.iter().any(|t| !t.is_empty()) {
                note = format!("  [{}]", tags.join(", "));
            }
        }
        if lhs.is_empty() {
            let _ = writeln!(out, "{pad}{rhs}{note}");
        } else {
            let _ = writeln!(out, "{pad}{lhs} = {rhs}{note}");
        }
        if let Op::For { body, .. } | Op::Loop { body, .. } = &inst.op {
            block(out, body, activity, depth + 1);
        }
        if let Op::If { then_block, else_block, then_out, else_out, .. } = &inst.op {
            let _ = writeln!(out, "{pad}then:");
            block(out, then_block, activity, depth + 1);
            let _ = writeln!(out, "{pad}  yield {}", list(then_out));
            let _ = writeln!(out, "{pad}else:");
            block(out, else_block, activity, depth + 1);
            let _ = writeln!(out, "{pad}  yield {}", list(else_out));
        }
    }
}
