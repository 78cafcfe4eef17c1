//! checks: every construct whose derivative would be silently wrong, zero or missing.
//!
//! Assumes activity has run. Reports every problem (not the first only) into the context; the
//! emitters run only if nothing was reported. Each `check_*` says why its rule exists.

use crate::analysis::activity::Activity;
use crate::ctxt::Ctxt;
use crate::diagnostics::{Diagnostic, unsupported};
use crate::ir::{ArrayInit, Block, Callee, Form, Function, Loc, Op, Opaque};
use crate::rules::{Family, Why};
use crate::signature::Signature;

/// Methods of an `Option` or `Result` that give a fallback where it holds no value.
const FALLBACKS: [&str; 2] = ["unwrap_or", "unwrap_or_default"];

/// The same with a closure: kept opaque by the lowering, `Opaque::FallbackOfCall` where the
/// receiver is a call of a function with the attribute (`lower::calls`), with the same error.
pub(crate) const CLOSURE_FALLBACKS: [&str; 3] = ["unwrap_or_else", "map_or", "map_or_else"];

/// The name of the function whose call made `v` (`safe_log` of `safe_log(x)`), if a call did.
fn called(f: &Function, v: crate::ir::Value) -> Option<String> {
    f.body.walk().into_iter().find_map(|inst| match &inst.op {
        Op::Call { callee, .. } if inst.results.contains(&v) => Some(match callee {
            Callee::Path(p) => p.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default(),
            Callee::Method { name, .. } => name.to_string(),
        }),
        _ => None,
    })
}

/// Runs every check.
/// `reachability` is off when lowering failed: a parameter used only inside a rejected construct
/// would be reported as unreachable too.
pub fn check(f: &Function, sig: &Signature, activity: &Activity, reachability: bool, cx: &Ctxt) {
    let deps = crate::explain::LazyDependencies::new(f, sig);
    let used = f.uses();
    check_block(f, &f.body, activity, cx, &mut std::collections::HashSet::new(), &deps, &used);
    check_borrowed_arguments(f, cx);
    // `self.term(x)` of a method of this file without the attribute that could not be written
    // out: rustc would report the missing `term_vjp` inside generated code.
    if !cx.has_errors() {
        for (name, at) in plain_method_calls(f, activity) {
            let call = format!("self.{name}");
            cx.error(at, Diagnostic::PlainFunction { name, call, method: true });
        }
    }
    check_sibling_calls(f, sig, activity, cx);
    if reachability {
        check_reachable(f, sig, activity, cx, &deps);
    }
}

/// The functions of this file without the attribute that `f` calls on a differentiable value,
/// the result reaching the function's (the "no derivative" error below), and whose text the
/// prescan kept: `expand::generate` tries writing them out where they are called.
/// A method is named `.name`.
pub fn plain_calls(f: &Function, a: &Activity) -> std::collections::HashSet<String> {
    use crate::signature::higher_order::plain_associated;
    let mut names = called_functions(f, a, |name, arity| {
        crate::signature::registry::without_derivative(name, arity)
            && crate::signature::higher_order::lookup_plain(name, arity).is_some()
    });
    names.extend(plain_method_calls(f, a).into_iter().map(|(name, _)| format!(".{name}")));
    names.extend(differentiable_calls(f, a).filter_map(|(callee, arity, _)| match callee {
        Callee::Path(path) => plain_associated(path, arity).map(|(key, ..)| key),
        _ => None,
    }));
    names
}

/// The methods without the attribute (`signature::higher_order::lookup_plain_method`) that `f`
/// calls with a differentiable argument, the result reaching the function's, with where.
fn plain_method_calls(f: &Function, a: &Activity) -> Vec<(String, Loc)> {
    differentiable_calls(f, a)
        .filter_map(|(callee, arity, at)| {
            let Callee::Method { name, .. } = callee else { return None };
            let name = name.to_string();
            (!crate::signature::registry::is_method(&name, arity)
                && crate::signature::higher_order::lookup_plain_method(&name, arity + 1, true).is_some())
            .then_some((name, at))
        })
        .collect()
}

/// The functions `f` calls on a differentiable value that the prescan knows nothing of (another
/// crate's): their `_jvp`/`_vjp` are assumed to exist. Writing out a function without the
/// attribute must add none (`expand::lower_body`), or rustc would report the missing items where
/// the call's own error was.
pub fn unknown_calls(f: &Function, a: &Activity) -> std::collections::HashSet<String> {
    use crate::signature::registry;
    called_functions(f, a, |name, arity| {
        !registry::derivative_known(name, arity) && !registry::without_derivative(name, arity)
    })
}

/// The names of the functions called by path in [`differentiable_calls`] for which
/// `keep(name, arity)` holds.
fn called_functions(
    f: &Function,
    a: &Activity,
    keep: impl Fn(&str, usize) -> bool,
) -> std::collections::HashSet<String> {
    differentiable_calls(f, a)
        .filter_map(|(callee, arity, _)| {
            let Callee::Path(path) = callee else { return None };
            let name = path.path.segments.last()?.ident.to_string();
            keep(&name, arity).then_some(name)
        })
        .collect()
}

/// The calls of `f` with an argument that is differentiable (or computed from one without a
/// derivative, `&pts[j]`), whose result reaches the function's: the callee, the number of
/// arguments (a method's receiver apart) and where.
fn differentiable_calls<'f>(
    f: &'f Function,
    a: &'f Activity,
) -> impl Iterator<Item = (&'f Callee, usize, Loc)> {
    f.body.walk().into_iter().filter_map(move |inst| match &inst.op {
        Op::Call { callee, args, .. }
            if inst.results.iter().any(|r| a.reaches(*r))
                && args.iter().any(|v| a.varied(*v) || a.tainted(*v)) =>
        {
            Some((callee, args.len(), inst.span))
        }
        _ => None,
    })
}

/// `blamed` holds the values computed by a rejected construct, or from one: a construct reading
/// them is not reported again (the first construct to leave the float world is the culprit).
fn check_block(
    f: &Function,
    block: &Block,
    a: &Activity,
    cx: &Ctxt,
    blamed: &mut std::collections::HashSet<crate::ir::Value>,
    deps: &crate::explain::LazyDependencies,
    used: &std::collections::HashMap<crate::ir::Value, usize>,
) {
    // The results of the branches reported in this block.
    let mut reported_tests = std::collections::HashSet::new();
    for inst in &block.insts {
        let span = inst.span;
        let follow_on = inst.op.operands().iter().any(|v| blamed.contains(v));
        let errors_before = cx.count();
        if follow_on && !matches!(inst.op, Op::If { .. } | Op::For { .. } | Op::Loop { .. }) {
            blamed.extend(inst.results.iter().copied());
            continue;
        }
        // A value that does not reach the result (unused, or only under `no_grad`) cannot make
        // a derivative wrong; only branch conditions are checked regardless.
        let reaches = inst.results.iter().any(|r| a.reaches(*r));
        let varied_read = inst.op.operands().iter().any(|v| a.varied(*v));
        match &inst.op {
            Op::Prim { rule, form, args } if reaches && varied_read => {
                if let Family::NonDifferentiable(why) = rule.kind {
                    check_non_differentiable(rule.name, why, form, span, cx);
                }
                // `v.abs()` of a `DVector`: the scalar rule does not apply to a matrix (for a
                // static matrix, whose type the macro cannot see, rustc reports it through the
                // runtime's `Real` bound).
                // (A `DMatrix` built by index is an array, `ArrayKind::Vec`: no `Vec` has `abs`.)
                if matches!(rule.kind, Family::Smooth { .. })
                    && args.iter().any(|v| {
                        matches!(
                            f.info(*v).kind,
                            crate::ir::Kind::Heap | crate::ir::Kind::Array(crate::ir::ArrayKind::Vec)
                        )
                    })
                {
                    cx.error(
                        span,
                        Diagnostic::Unsupported {
                            what: format!("`{}` of a `DVector` or `DMatrix`", rule.name),
                            help: unsupported::ELEMENTWISE_OF_MATRIX_HELP,
                        },
                    );
                }
            }
            Op::Opaque { what, .. } if reaches && varied_read => check_opaque(what, span, cx),
            // `g(x)` (or `Self::g(x)`) of a function of this file without the attribute: rustc
            // would report the missing `g_jvp` inside generated code. (After an error of the lowering, such as a
            // closure passed to `g`, this would only repeat it.)
            Op::Call { callee: Callee::Path(path), args, .. }
                if reaches
                    && varied_read
                    && !cx.has_errors()
                    && let Some(last) = path.path.segments.last()
                    && (crate::signature::registry::without_derivative(
                        &last.ident.to_string(),
                        args.len(),
                    ) || crate::signature::higher_order::names_plain_associated(path, args.len())) =>
            {
                let segments = path.path.segments.iter().map(|s| s.ident.to_string());
                let call = segments.collect::<Vec<_>>().join("::");
                cx.error(
                    span,
                    Diagnostic::PlainFunction { name: last.ident.to_string(), call, method: false },
                )
            }
            // `vec![x; n]` with a differentiable `x`: not supported yet; never a silent zero.
            Op::NewArray(ArrayInit::Constant { .. }) if reaches && varied_read => {
                cx.error(span, Diagnostic::ActiveOpaque { what: "an array filled with copies" })
            }
            // A method called for its effect on or with a differentiable value (`v.push(x)`).
            Op::Call { callee: Callee::Method { receiver, name, .. }, args, .. }
                if (a.varied(*receiver) || args.iter().any(|v| a.varied(*v)))
                    && !inst.results.iter().any(|r| used.contains_key(r)) =>
            {
                cx.error(span, called_for_effect(&name.to_string()))
            }
            // `idx.push(i)` of constants onto a local the rewrites of `lower::pushes` left: the
            // local's binding holds one value, which generated code would have to change in place
            // under the values the reverse sweep reads back (rustc's "cannot borrow as mutable"
            // inside generated code before). A `&mut` parameter stores in place as written.
            Op::Call { callee: Callee::Method { receiver, name, .. }, .. }
                if STORING.iter().any(|s| name == s)
                    && !inst.results.iter().any(|r| used.contains_key(r))
                    && !is_parameter(f, *receiver) =>
            {
                let what = format!("`{name}` onto a local collection");
                cx.error(span, Diagnostic::Unsupported { what, help: unsupported::STORED_INTO_LOCAL_HELP })
            }
            // `stack.pop()`, `v.remove(i)`, `v.clear()` of a local collection (also of
            // constants): the local's binding holds one value, which generated code would have
            // to change in place, and a loop's reverse sweep may run the call again (rustc's
            // "cannot borrow as mutable" inside generated code before). A `&mut` parameter
            // changes in place as written.
            Op::Call { callee: Callee::Method { receiver, name, .. }, .. }
                if REMOVING.iter().any(|s| name == s) && !is_parameter(f, *receiver) =>
            {
                let what = format!("`{name}` on a local collection");
                cx.error(span, Diagnostic::Unsupported { what, help: unsupported::REMOVED_FROM_LOCAL_HELP })
            }
            // The same with a closure argument (`v.retain(|&e| e > 0.0)`, `v.fill_with(..)`,
            // `v.select_nth_unstable_by(..)`), kept as written: on a differentiable receiver it
            // would rearrange or overwrite entries unseen (the sorts are followed,
            // `lower::mutations`).
            Op::Opaque { what: Opaque::ClosureMethod(name), reads, .. }
                if reads.iter().any(|v| a.varied(*v))
                    && !inst.results.iter().any(|r| used.contains_key(r)) =>
            {
                cx.error(span, called_for_effect(name))
            }
            // A method of a differentiable value with no rule: its derivative is unknown. A tape
            // would silently treat the result as a constant (or give `None`).
            // (A record receiver, `self` in `wrt`, composes through the method's `_jvp`/`_vjp`.)
            Op::Call { callee: Callee::Method { receiver, name, .. }, args, .. }
                if reaches
                    && a.varied(*receiver)
                    && f.info(*receiver).kind != crate::ir::Kind::Array(crate::ir::ArrayKind::Record) =>
            {
                let name = name.to_string();
                let diagnostic = if let Some(callee) =
                    FALLBACKS.contains(&name.as_str()).then(|| called(f, *receiver)).flatten()
                {
                    Diagnostic::FallbackOfCall { name, callee }
                } else if args.is_empty() && CONVERSIONS_TO_OPTION.contains(&name.as_str()) {
                    Diagnostic::ConversionToOption { name }
                } else if args.is_empty() && name == "clone" {
                    // A float's or a matrix's clone is the value itself (`lower::calls`); what is
                    // left is a struct's field, of a type unseen.
                    Diagnostic::UnknownClone
                } else {
                    Diagnostic::UnknownMethod { name, arity: args.len() + 1 }
                };
                cx.error(span, diagnostic);
            }
            Op::If { cond, cond_span, keyword, piecewise, then_block, else_block, .. } => {
                // A branch on a differentiable value makes the derivative piecewise: wrong at the
                // switching point, and a value set only in the untaken branch has derivative
                // zero (a tape's `None`). Accepted only when marked `piecewise(..)`.
                // A guard after a pattern's test already reported (`match t > 1.0 { true if
                // t > 4.0 => .. }`) is not reported again: `piecewise` on the `match` accepts both.
                let follows_test = *keyword == "match guard" && reported_tests.contains(cond);
                if !piecewise && a.tainted(*cond) && !follows_test {
                    cx.error(*cond_span, Diagnostic::ActiveCondition { keyword });
                    if let Some(note) = deps.get().chain(f, *cond) {
                        cx.note_since(errors_before, &note);
                    }
                    reported_tests.extend(inst.results.iter().copied());
                }
                check_block(f, then_block, a, cx, blamed, deps, used);
                check_block(f, else_block, a, cx, blamed, deps, used);
            }
            op => {
                for inner in op.blocks() {
                    check_block(f, inner, a, cx, blamed, deps, used);
                }
            }
        }
        if cx.count() > errors_before && !matches!(inst.op, Op::If { .. } | Op::For { .. } | Op::Loop { .. })
        {
            // Why the construct sees a differentiable value: the chain from a parameter.
            if let Some(v) = inst.op.operands().into_iter().find(|v| a.varied(*v) || a.tainted(*v))
                && let Some(note) = deps.get().chain(f, v)
            {
                cx.note_since(errors_before, &note);
            }
            blamed.extend(inst.results.iter().copied());
        }
    }
}

/// `self.g(x)` of a method `g` of the same `impl` block, or `g(x)` of a helper expanded before
/// (`signature::registry`), whose `wrt(..)` omits a parameter (or the receiver) that gets a
/// differentiable value here: the call passes no tangent for it (`emit::call_slots`), so its
/// derivative would be lost.
fn check_sibling_calls(f: &Function, sig: &crate::signature::Signature, a: &Activity, cx: &Ctxt) {
    for inst in f.body.walk() {
        let Op::Call { callee, args, .. } = &inst.op else { continue };
        if !inst.results.iter().any(|r| a.reaches(*r)) {
            continue;
        }
        let lost = |v: &crate::ir::Value| a.varied(*v) || a.tainted(*v);
        // A method of the same block, or a helper with a `wrt(..)` expanded before
        // (`signature::registry`) where the call uses its entry; the receiver only for the first.
        let (name, wrt, receiver) = match callee {
            Callee::Path(path) => {
                let Some((wrt, _)) = crate::signature::registry::call(path, args, |v| f.info(v).kind) else {
                    continue;
                };
                let name = path.path.segments.last().map(|s| s.ident.to_string()).unwrap_or_default();
                (name, wrt, None)
            }
            Callee::Method { name, receiver: r, .. } => {
                let Some((receiver, wrt)) = crate::signature::siblings::call(f, sig, callee).or_else(|| {
                    let ty = crate::signature::registry::receiver_type(f, sig, *r);
                    crate::signature::registry::method_call(name, args, ty).map(|(w, _)| (*r, w))
                }) else {
                    continue;
                };
                (name.to_string(), wrt, Some(receiver))
            }
        };
        let mut missing: Vec<String> = Vec::new();
        if !wrt.receiver && receiver.is_some_and(|r| lost(&r)) {
            missing.push("self".to_string());
        }
        for ((arg, listed), param) in args.iter().zip(&wrt.params).zip(&wrt.names) {
            if !listed && lost(arg) {
                missing.push(param.clone());
            }
        }
        for param in missing {
            cx.error(inst.span, Diagnostic::SiblingWrt { method: name.clone(), param });
        }
    }
}

/// Conversions that give an `Option` (`x.to_f64()`, `T::from_f64(x)`): followed by `.unwrap()`
/// they carry the derivative (`lower::calls::conversion_parts`); kept as an option, they lose it.
const CONVERSIONS_TO_OPTION: [&str; 5] = ["to_f64", "to_f32", "from_f64", "from_f32", "from"];

/// The rules that wrap around, slope 1 between their jumps: (rule, as written, how to keep the
/// slope, how to take the result as a constant).
const WRAPS: [(&str, &str, &str, &str); 3] = [
    ("rem", "%", "x - m * tapeless::no_grad((x / m).trunc())", "no_grad(x) % m"),
    ("rem_euclid", "rem_euclid", "x - m * tapeless::no_grad(x.div_euclid(m))", "no_grad(x).rem_euclid(m)"),
    ("fract", "fract", "x - tapeless::no_grad(x.trunc())", "no_grad(x).fract()"),
];

/// `floor`, `round`, `%`, casts to integers: the derivative is zero almost everywhere (or the
/// value is no longer a float), which a tape reports as `None` or zero without a word.
fn check_non_differentiable(name: &str, why: Why, form: &Form, span: Loc, cx: &Ctxt) {
    let diagnostic = match (why, form) {
        (Why::Discrete, Form::Cast(ty)) => {
            Diagnostic::Discrete { what: format!("`as {}`", crate::signature::type_text(ty)) }
        }
        (Why::Discrete, Form::Operator(op)) => Diagnostic::Discrete { what: format!("the operator `{op}`") },
        (Why::Discrete, _) => Diagnostic::Discrete { what: format!("`{name}`") },
        (Why::PiecewiseConstant, _)
            if let Some(&(_, shown, keep, constant)) = WRAPS.iter().find(|w| w.0 == name) =>
        {
            Diagnostic::Wraps {
                name: shown.to_string(),
                keep: keep.to_string(),
                constant: constant.to_string(),
            }
        }
        (Why::PiecewiseConstant, Form::Operator(op)) => {
            Diagnostic::PiecewiseConstant { name: op.to_string(), example: format!("no_grad(a) {op} b") }
        }
        (Why::PiecewiseConstant, _) if name == "div_euclid" => Diagnostic::PiecewiseConstant {
            name: name.to_string(),
            example: "no_grad(x).div_euclid(m)".to_string(),
        },
        (Why::PiecewiseConstant, _) => {
            Diagnostic::PiecewiseConstant { name: name.to_string(), example: format!("no_grad(x).{name}()") }
        }
    };
    cx.error(span, diagnostic);
}

/// An expression the IR does not model reads a differentiable value: its derivative cannot be
/// formed, and treating it as a constant would be silently wrong.
fn check_opaque(what: &Opaque, span: Loc, cx: &Ctxt) {
    let diagnostic = match what {
        // A method's marker reads its receiver and computes nothing.
        Opaque::Marker => return,
        Opaque::Form("indexing") => Diagnostic::ActiveIndex,
        Opaque::Form("a value bound by a pattern") => Diagnostic::PatternPart,
        Opaque::Form("the `?` operator") => Diagnostic::ActiveTry,
        Opaque::Form(crate::lower::PASSED_FUNCTION) => Diagnostic::Unsupported {
            what: format!("{} on a differentiable value", crate::lower::PASSED_FUNCTION),
            help: unsupported::PASSED_FUNCTION_HELP,
        },
        Opaque::Form(crate::lower::LOCAL_FUNCTION) => Diagnostic::Unsupported {
            what: format!("{} on a differentiable value", crate::lower::LOCAL_FUNCTION),
            help: unsupported::LOCAL_FUNCTION_HELP,
        },
        Opaque::Form(form) => Diagnostic::ActiveOpaque { what: form },
        Opaque::FloatFunction { name, arity }
            if *arity == 1 && CONVERSIONS_TO_OPTION.contains(&name.as_str()) =>
        {
            Diagnostic::ConversionToOption { name: name.clone() }
        }
        Opaque::FloatFunction { name, arity } => {
            Diagnostic::UnknownMethod { name: name.clone(), arity: *arity }
        }
        Opaque::Cast(ty) => Diagnostic::UnknownCast { ty: ty.clone() },
        Opaque::Adaptor(name) => Diagnostic::Unsupported {
            what: format!("the iterator adaptor `{name}` over differentiable values"),
            help: unsupported::ITERATOR_ADAPTOR.help,
        },
        Opaque::Search { accepted: true, .. } | Opaque::Permutation => return,
        Opaque::ClosureMethod(_) => Diagnostic::ActiveOpaque { what: "a method call with a closure" },
        Opaque::FallbackOfCall { name, callee } => {
            Diagnostic::FallbackOfCall { name: name.clone(), callee: callee.clone() }
        }
        Opaque::Search { method, .. } => Diagnostic::ActiveSearch { method: method.clone() },
        Opaque::NalgebraFunction(name) if crate::signature::motion_name(name) => Diagnostic::Unsupported {
            what: format!("`{name}` of a differentiable value"),
            help: unsupported::MOTION_FUNCTION_HELP,
        },
        Opaque::NalgebraFunction(name) => Diagnostic::Unsupported {
            what: format!("`{name}` of a differentiable value"),
            help: unsupported::NALGEBRA_FUNCTION_HELP,
        },
        Opaque::LibmFunction(name) => Diagnostic::Unsupported {
            what: format!("`libm::{name}` of a differentiable value"),
            help: unsupported::LIBM_FUNCTION_HELP,
        },
        Opaque::UntypedCallResult => unsupported::UNTYPED_CALL_RESULT.into(),
        Opaque::UntypedCallEntry => unsupported::UNTYPED_CALL_ENTRY.into(),
    };
    cx.error(span, diagnostic);
}

/// A differentiated parameter that does not reach the result through differentiable operations
/// has derivative identically zero: the tape's silent `None` ("computed outside the tape").
fn check_reachable(
    f: &Function,
    sig: &Signature,
    a: &Activity,
    cx: &Ctxt,
    deps: &crate::explain::LazyDependencies,
) {
    let mut read = std::collections::HashSet::new();
    collect_reads(&f.body, &mut read);
    read.extend(f.output.leaves());
    let earlier_errors = cx.has_errors();
    for inst in &f.body.insts {
        if let Op::Param(i) = inst.op {
            let (Some(param), Some(v)) = (sig.params.get(i), inst.results.first()) else {
                continue;
            };
            let cut = read.contains(v);
            // A parameter cut by a construct already reported is a follow-on error: skip it.
            // `_x` never read is declared unused: its zero derivative is the true one.
            let declared_unused = !cut && param.ident.to_string().starts_with('_');
            let excused = (cut && earlier_errors) || declared_unused;
            if param.wrt && !a.useful(*v) && !excused {
                let before = cx.count();
                cx.error(param.ident.span(), Diagnostic::Unreachable { param: param.ident.to_string(), cut });
                if cut && let Some(note) = deps.get().cut(*v, &param.ident.to_string()) {
                    cx.note_since(before, &note);
                }
            }
        }
    }
}

fn collect_reads(block: &Block, out: &mut std::collections::HashSet<crate::ir::Value>) {
    for inst in &block.insts {
        out.extend(inst.op.operands());
        if let Op::If { then_block, else_block, then_out, else_out, .. } = &inst.op {
            out.extend(then_out.iter().chain(else_out));
            collect_reads(then_block, out);
            collect_reads(else_block, out);
        }
        if let Op::For { body, carried, .. } | Op::Loop { body, carried, .. } = &inst.op {
            out.extend(carried.iter().map(|c| c.next));
            collect_reads(body, out);
        }
    }
}

/// `g(&w)` of a differentiated `g`: the reverse sweep runs `g`'s reverse mode on `w` again (its
/// pullback cannot be kept beside the array it borrows), so `w` must not change after the call;
/// otherwise the derivative would silently use its later contents. Writes before the call in a
/// loop around it are fine: each backward iteration gets that iteration's `w` from the loop's
/// stack (`emit::reverse::loops`, which reports a write after the read in the same iteration).
fn check_borrowed_arguments(f: &Function, cx: &Ctxt) {
    // In program order, nested blocks in place.
    let insts = f.body.walk();
    for (at, inst) in insts.iter().enumerate() {
        let Op::Call { args, borrowed, .. } = &inst.op else { continue };
        for (array, _) in args.iter().zip(borrowed).filter(|(_, b)| **b) {
            let written_after = insts[at + 1..]
                .iter()
                .any(|later| matches!(&later.op, Op::Store { array: a, .. } if a == array));
            if written_after {
                cx.error(inst.span, unsupported::ARRAY_WRITTEN_AFTER_CALL.into());
            }
        }
    }
}

/// Methods that store their arguments into their receiver (`Vec`, `VecDeque`, `String`).
const STORING: &[&str] = &[
    "push",
    "insert",
    "extend",
    "extend_from_slice",
    "append",
    "resize",
    "push_str",
    "push_back",
    "push_front",
];

/// Whether `v` is a parameter's value.
fn is_parameter(f: &Function, v: crate::ir::Value) -> bool {
    f.body.insts.iter().any(|i| matches!(i.op, Op::Param(_)) && i.results.contains(&v))
}

/// Methods that take elements out of their receiver (`Vec`, `VecDeque`, `String`).
const REMOVING: &[&str] = &[
    "pop",
    "pop_front",
    "pop_back",
    "remove",
    "swap_remove",
    "truncate",
    "clear",
    "drain",
    "split_off",
    "dedup",
];

/// A method called for its effect (its result unused) on or with a differentiable value:
/// `v.push(x)`, `v.rotate_left(1)`, `v.retain(..)`. It may store its argument or rearrange its
/// receiver where the derivative is not followed, and what is read back would carry the
/// derivative of the old contents (silently wrong). A call whose result is used composes (its
/// `_jvp`/`_vjp`).
fn called_for_effect(name: &str) -> Diagnostic {
    Diagnostic::Unsupported {
        what: format!("`{name}` called for its effect on a differentiable value"),
        help: unsupported::CALLED_FOR_EFFECT_HELP,
    }
}
