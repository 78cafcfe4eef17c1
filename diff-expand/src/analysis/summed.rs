//! Arrays and matrix products whose only use is to be summed: neither mode needs their tangent
//! or adjoint as an array or matrix (the emitters keep one scalar instead). Side tables of the
//! IR, computed once per function.

use std::collections::HashMap;

use crate::emit::{Input, is_heap};
use crate::ir::{ArrayInit, ArrayKind, Block, Kind, Op, Value};

/// Every product only summed ([`summed_product`]), keyed by the product: one pass over the top
/// level, so that the emitters' per-instruction queries cost O(1) (a scan per query made long
/// functions expand in quadratic time).
pub fn summed_products(input: &Input) -> HashMap<Value, (Value, Value)> {
    let top = &input.f.body.insts;
    let summed: std::collections::HashSet<Value> = top
        .iter()
        .filter_map(|i| match &i.op {
            Op::Prim { rule, args, .. }
                if matches!(rule.kind, crate::rules::Family::Linear(crate::rules::Linear::SumEntries)) =>
            {
                args.first().copied()
            }
            _ => None,
        })
        .collect();
    top.iter()
        .filter_map(|def| match (&def.op, def.results.first()) {
            (Op::Prim { rule, args, .. }, Some(&m))
                if matches!(rule.kind, crate::rules::Family::Bilinear(crate::rules::Bilinear::Product))
                    && args.len() == 2 =>
            {
                let (a, b) = (args[0], args[1]);
                let heap = [m, a, b].iter().all(|v| is_heap(input, *v));
                (heap && summed.contains(&m) && input.uses.get(&m) == Some(&1)).then_some((m, (a, b)))
            }
            _ => None,
        })
        .collect()
}

/// An array written at most once per element and read only by one loop that adds up all its
/// elements, as F4 written with loops does:
///
/// ```text
/// let mut m = vec![0.0; n * k];
/// for i in a..b { for j in 0..k { m[i * k + j] = ..; } }
/// let mut s = 0.0;
/// for v in m.iter() { s += v; }  // or `let s = m.iter().sum::<f64>();`
/// ```
///
/// The sum's cotangent reaches every element unchanged and each store takes its element's
/// adjoint once, so reverse mode keeps that cotangent as one scalar (`__fill3`) instead of an
/// adjoint array it would zero, fill and take back element by element. The store's index must
/// be `i * k + j` with `j` running over `0..k` inside the loop over `i` at the top of the
/// function and `k` defined before that loop or an integer literal: distinct for every
/// iteration, which is what makes
/// "at most once" true. Forward mode likewise adds up the stored tangents instead of keeping a
/// tangent array. Returns each array with its sum loop's result.
pub fn summed_arrays(input: &Input) -> Vec<(Value, Value)> {
    let top = &input.f.body.insts;
    fn def(b: &Block, v: Value) -> Option<&Op> {
        b.insts.iter().find(|i| i.results.contains(&v)).map(|i| &i.op)
    }
    let is_zero = |op: Option<&Op>| matches!(op, Some(Op::Lit(syn::Lit::Int(i))) if i.base10_digits() == "0");
    let prim = |op: Option<&Op>, name: &str| match op {
        Some(Op::Prim { rule, args, .. }) if rule.name == name && args.len() == 2 => Some((args[0], args[1])),
        _ => None,
    };
    let mut out = Vec::new();
    for (at, inst) in top.iter().enumerate() {
        let (Op::NewArray(ArrayInit::Constant { .. }), Some(&m)) = (&inst.op, inst.results.first()) else {
            continue;
        };
        if input.f.info(m).kind != Kind::Array(ArrayKind::Vec) || !input.act.active(m) {
            continue;
        }
        // Made anew inside a branch (`Op::Refill`): its stores are not the top level's.
        if input.f.body.any(&mut |i| matches!(&i.op, Op::Refill { array, .. } if *array == m)) {
            continue;
        }
        // The sum: `for k in 0..m.len()` carrying `s`, whose body is `s = s + m[k]` and nothing else.
        let sum = top.iter().enumerate().skip(at + 1).find_map(|(pos, i)| {
            // Or `m.iter().sum()`.
            if let Op::Prim { rule, args, .. } = &i.op
                && rule.name == "<iter sum>"
                && args.as_slice() == [m]
            {
                return Some((pos, i.results.first().copied()));
            }
            let Op::For { var, start, end, inclusive: false, body, carried } = &i.op else { return None };
            let [c] = carried.as_slice() else { return None };
            let [load, add] = body.insts.as_slice() else { return None };
            let loaded = load.results.first()?;
            let reads_all = matches!(&load.op, Op::Load { array, index } if *array == m && index.as_slice() == [*var])
                && is_zero(def(&input.f.body, *start))
                && matches!(def(&input.f.body, *end), Some(Op::Prim { rule, args, .. }) if rule.name == "len" && args.as_slice() == [m]);
            let adds = add.results.first() == Some(&c.next)
                && prim(Some(&add.op), "add").is_some_and(|(a, b)| (a, b) == (c.header, *loaded) || (a, b) == (*loaded, c.header));
            (reads_all && adds).then(|| (pos, i.results.first().copied()))
        });
        let Some((sum_at, Some(total))) = sum else { continue };
        // The one store, in `for j in 0..k` directly inside a top-level `for i`, at `i * k + j`.
        let stored_once = top[at + 1..sum_at].iter().any(|outer| {
            let Op::For { var: i, body: outer_body, carried: outer_carried, .. } = &outer.op else {
                return false;
            };
            outer_body.insts.iter().any(|inner| {
                let Op::For { var: j, start, end: k, inclusive: false, body, .. } = &inner.op else {
                    return false;
                };
                let defined = |v: Value| def(body, v).or_else(|| def(outer_body, v));
                let literal = |v: Value| match defined(v).or_else(|| def(&input.f.body, v)) {
                    Some(Op::Lit(syn::Lit::Int(l))) => Some(l.base10_digits().to_owned()),
                    _ => None,
                };
                // `k` the same for every `i` (else rows of different lengths may overlap): defined
                // before the loop over `i`, or an integer literal (`0..4` and `i * 4` are then
                // two literals of the same value).
                let k_literal = literal(*k);
                if (defined(*k).is_some() && k_literal.is_none())
                    || outer_carried.iter().any(|c| c.header == *k)
                {
                    return false;
                }
                let same_k = |x: Value| x == *k || (k_literal.is_some() && literal(x) == k_literal);
                body.insts.iter().any(|st| match &st.op {
                    Op::Store { array, index, .. } if *array == m => {
                        let [idx] = index.as_slice() else { return false };
                        let Some((a, b)) = prim(defined(*idx), "add") else { return false };
                        let p = if b == *j {
                            a
                        } else if a == *j {
                            b
                        } else {
                            return false;
                        };
                        is_zero(defined(*start).or_else(|| def(&input.f.body, *start)))
                            && prim(defined(p), "mul")
                                .is_some_and(|(x, y)| (x == *i && same_k(y)) || (y == *i && same_k(x)))
                    }
                    _ => false,
                })
            })
        });
        // Nothing else reads or writes the array (its length aside).
        let mut other = 0usize;
        count_uses(&input.f.body, m, &mut other);
        let returned = input.f.output.leaves().contains(&m);
        if stored_once && other == 2 && !returned {
            out.push((m, total));
        }
    }
    out
}

/// Counts the instructions that read or write `m`, its length aside.
fn count_uses(b: &Block, m: Value, n: &mut usize) {
    for inst in b.walk() {
        let len = matches!(&inst.op, Op::Prim { rule, .. } if rule.name == "len");
        if !len && inst.op.operands().contains(&m) {
            *n += 1;
        }
        if let Op::If { then_out, else_out, .. } = &inst.op {
            *n += then_out.iter().chain(else_out).filter(|v| **v == m).count();
        }
    }
}
