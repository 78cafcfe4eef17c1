//! Why a value depends on a differentiated parameter: the chain of the user's bindings from the
//! parameter to the value, for the note of every error caused by activity ("`u` depends on `x`:
//! `t` (line 3), then `u` (line 4)"). No AD system we know of reports it; in a long loop body it
//! is the search the user would otherwise do by hand.

use std::collections::{HashMap, VecDeque};

use crate::ir::{Block, Function, Op, Value};
use crate::signature::Signature;

/// Every value's direct dependencies (all operands, not only differentiable ones: a condition
/// depends on what it compares), the line it is defined on, and the differentiated parameters.
pub struct Dependencies {
    deps: HashMap<Value, Vec<Value>>,
    lines: HashMap<Value, usize>,
    params: HashMap<Value, String>,
    /// Values whose operation lets no derivative through, and how to say so.
    cuts: HashMap<Value, &'static str>,
}

/// [`Dependencies`] of a function, computed when an error first asks for them: walking the
/// body reads every instruction's line, which inside rustc is a call into the compiler per
/// instruction (0.1 s of a 4 000-statement function's expansion), and most functions have no
/// error to explain.
pub struct LazyDependencies<'a> {
    f: &'a Function,
    sig: &'a Signature,
    cell: std::cell::OnceCell<Dependencies>,
}

impl<'a> LazyDependencies<'a> {
    pub fn new(f: &'a Function, sig: &'a Signature) -> Self {
        LazyDependencies { f, sig, cell: std::cell::OnceCell::new() }
    }

    /// The dependencies, computed on the first call.
    pub fn get(&self) -> &Dependencies {
        self.cell.get_or_init(|| Dependencies::of(self.f, self.sig))
    }
}

/// At most this many steps are listed; longer chains end with "...".
const MAX_STEPS: usize = 5;

impl Dependencies {
    pub fn of(f: &Function, sig: &Signature) -> Self {
        let mut d = Dependencies {
            deps: HashMap::new(),
            lines: HashMap::new(),
            params: HashMap::new(),
            cuts: HashMap::new(),
        };
        d.walk(&f.body, sig);
        d
    }

    fn add(&mut self, v: Value, on: impl IntoIterator<Item = Value>) {
        self.deps.entry(v).or_default().extend(on);
    }

    fn walk(&mut self, block: &Block, sig: &Signature) {
        for inst in &block.insts {
            let line = line_of(inst.span.start);
            for r in &inst.results {
                self.lines.entry(*r).or_insert(line);
            }
            match &inst.op {
                Op::Param(i) => {
                    if let (Some(p), Some(r)) = (sig.params.get(*i), inst.results.first())
                        && p.wrt
                    {
                        self.params.insert(*r, p.ident.to_string());
                    }
                }
                Op::If { cond, then_block, else_block, then_out, else_out, .. } => {
                    self.walk(then_block, sig);
                    self.walk(else_block, sig);
                    for ((r, t), e) in inst.results.iter().zip(then_out).zip(else_out) {
                        self.add(*r, [*t, *e, *cond]);
                    }
                }
                Op::For { body, carried, .. } | Op::Loop { body, carried, .. } => {
                    if let Op::For { var, start, end, .. } = &inst.op {
                        self.add(*var, [*start, *end]);
                    }
                    for c in carried {
                        self.add(c.header, [c.init, c.next]);
                    }
                    for (c, r) in carried.iter().zip(&inst.results) {
                        self.add(*r, [c.header]);
                    }
                    self.walk(body, sig);
                }
                Op::Store { array, index, value } => {
                    self.add(*array, index.iter().copied().chain([*value]));
                }
                op => {
                    let cut = match op {
                        Op::NoGrad(_) => Some("passed through `no_grad`"),
                        Op::Prim { rule, .. } => match rule.kind {
                            crate::rules::Family::Predicate => {
                                Some("compared (a comparison has no derivative)")
                            }
                            crate::rules::Family::NonDifferentiable(_) => {
                                Some("passed to a function whose derivative is zero or undefined")
                            }
                            crate::rules::Family::Shape => Some("only its length is read"),
                            _ => None,
                        },
                        _ => None,
                    };
                    if let Some(cut) = cut {
                        for r in &inst.results {
                            self.cuts.insert(*r, cut);
                        }
                    }
                    let operands = op.operands();
                    for r in &inst.results {
                        self.add(*r, operands.iter().copied());
                    }
                }
            }
        }
    }

    /// "`u` depends on `x`: `t` (line 3), then `u` (line 4)" for the value `target` (named by its
    /// user's variables), or `None` if no differentiated parameter reaches it.
    pub fn chain(&self, f: &Function, target: Value) -> Option<String> {
        // Breadth first from the target: the shortest chain.
        let mut parent: HashMap<Value, Value> = HashMap::new();
        let mut queue = VecDeque::from([target]);
        let mut seen = std::collections::HashSet::from([target]);
        let source = loop {
            let v = queue.pop_front()?;
            if self.params.contains_key(&v) {
                break v;
            }
            for d in self.deps.get(&v).into_iter().flatten() {
                if seen.insert(*d) {
                    parent.insert(*d, v);
                    queue.push_back(*d);
                }
            }
        };
        let param = self.params.get(&source)?;
        // From the parameter towards the target, the named values, each once.
        let mut steps: Vec<(String, usize)> = Vec::new();
        let mut v = source;
        while let Some(&next) = parent.get(&v) {
            v = next;
            if let Some(name) = &f.info(v).name
                && name != param
                && steps.last().is_none_or(|(last, _)| last != name)
            {
                steps.push((name.clone(), self.lines.get(&v).copied().unwrap_or(0)));
            }
        }
        // Read from the parameter itself: the error's own span says it all.
        let (subject, subject_line) = steps.last().cloned()?;
        let at = |line: usize| if line > 0 { format!(" (line {line})") } else { String::new() };
        if steps.len() == 1 {
            return Some(format!(
                "`{subject}`{} depends on the differentiated parameter `{param}`",
                at(subject_line)
            ));
        }
        let shown: Vec<String> =
            steps.iter().take(MAX_STEPS).map(|(name, line)| format!("`{name}`{}", at(*line))).collect();
        let more = if steps.len() > MAX_STEPS { ", then ..." } else { "" };
        Some(format!(
            "`{subject}` depends on the differentiated parameter `{param}`: {}{more}",
            shown.join(", then ")
        ))
    }
}

impl Dependencies {
    /// Where the parameter `param` (its value) stops reaching the result: the first use, breadth
    /// first, whose operation lets no derivative through ("`y` is passed through `no_grad`
    /// (line 3)").
    pub fn cut(&self, param_value: Value, param: &str) -> Option<String> {
        let mut users: HashMap<Value, Vec<Value>> = HashMap::new();
        for (v, ds) in &self.deps {
            for d in ds {
                users.entry(*d).or_default().push(*v);
            }
        }
        for list in users.values_mut() {
            list.sort();
        }
        let mut queue = VecDeque::from([param_value]);
        let mut seen = std::collections::HashSet::from([param_value]);
        while let Some(v) = queue.pop_front() {
            for u in users.get(&v).into_iter().flatten() {
                if let Some(how) = self.cuts.get(u) {
                    let line = self.lines.get(u).copied().unwrap_or(0);
                    let at = if line > 0 { format!(" (line {line})") } else { String::new() };
                    return Some(format!("`{param}` is {how}{at}"));
                }
                if seen.insert(*u) {
                    queue.push_back(*u);
                }
            }
        }
        None
    }
}

/// The line of a span (0 where the compiler does not tell it).
fn line_of(span: proc_macro2::Span) -> usize {
    span.start().line
}
