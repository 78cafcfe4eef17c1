//! lower: a syn function body to the IR.
//!
//! Assumes: the signature was analysed (`signature.rs`). Guarantees: the IR invariants listed in
//! `ir/mod.rs`; every construct it cannot model is either an [`Op::Opaque`] (fine on constants,
//! checked later) or reported here as unsupported, with its span.
//!
//! Mutable variables become SSA values on the fly, the structured special case of Braun et al.,
//! "Simple and Efficient Construction of Static Single Assignment Form" (CC 2013): a variable is
//! a slot holding its current value; an assignment replaces it; at the end of an `if` every slot
//! whose value differs between the branches gets a phi (a result of the `If` instruction).
//!
//! ```text
//! let mut y = x;            v1 = param 0
//! if c { y = y * 2.0; }     v4 = if v2 { v3 = mul v1, lit; yield v3 } else { yield v1 }
//! y + 1.0                   v6 = add v4, v5
//! ```
//!
//! `a && b` and `a || b` become `if a { b } else { false }` and `if a { true } else { b }`, so
//! short-circuiting is kept.
//!
//! One `Lowerer` walks the body; its methods are split by job: `ssa.rs` (values, instructions,
//! variables and the phis of a branch), `statements.rs` (the body, `let` and patterns, early
//! `return`), `expressions.rs` (operators, casts, opaque expressions), `assignments.rs` (assignments to variables, elements, tuple parts and struct fields), `calls.rs`
//! (methods, functions), `maps.rs` (nalgebra's `map` closures), `options.rs` (elements looked up through `Option`), `patterns.rs`
//! (patterns taking apart constants), `pushes.rs` (a `Vec` filled by `push` in a loop), `arrays.rs` (elements, places, array constructors,
//! record fields), `control.rs` (loops and `if`), and `scan.rs` (what a piece of syntax assigns,
//! breaks or returns, asked before lowering it).

use proc_macro2::TokenStream;
use quote::{ToTokens, quote};
use syn::spanned::Spanned;
use syn::visit_mut::VisitMut;
use syn::{BinOp, Expr, Lit, Pat, Stmt, UnOp};

use crate::ctxt::Ctxt;
use crate::diagnostics::{Diagnostic, Unsupported, unsupported};
use crate::ir::{
    ArrayInit, ArrayKind, Block, Callee, Carried, Form, Function, Inst, Kind, Loc, Op, Opaque, Tree, Value,
    ValueInfo,
};
use crate::rules::{self, Family as RuleFamily};
use crate::signature::{Signature, kind_of};

mod adaptors;
mod arrays;
mod assignments;
mod calls;
mod checked;
pub(crate) use calls::{LOCAL_FUNCTION, PASSED_FUNCTION};
mod closures;
mod collects;
mod composition;
mod constructors;
mod control;
mod conversions;
mod coordinates;
mod copies;
mod elements;
mod expressions;
mod fallible_calls;
mod flattened;
mod formats;
mod geometry;
mod helper_body;
mod higher_order;
mod iterators;
mod labels;
mod libm;
mod macros;
mod maps;
mod matches;
mod mutations;
mod opaque;
mod options;
mod outputs;
mod patterns;
mod places;
mod pushed_values;
mod pushes;
mod records;
mod reductions;
mod renamer;
mod results;
mod rotations;
mod rows;
mod scan;
mod slices;
mod solves;
mod sources;
mod ssa;
mod statements;
mod struct_patterns;
mod typed;
mod windows;

use expressions::is_compound;
use renamer::Renamer;
use scan::{Jumps, Returns, contains_return, early_returns, jumps_in};
use ssa::Merge;
use statements::TupleShape;

/// A lowered function and the items (`use`, `const`, nested `fn`) its body declares, which the
/// emitters copy into every generated function.
pub struct Lowered {
    pub function: Function,
    pub items: Vec<syn::Item>,
    /// The floats `map` closures read (value, where, name): each becomes a parameter of the
    /// element type, so it must be a scalar (`expand::generate` checks).
    pub map_captures: Vec<(Value, Loc, String)>,
}

/// Lowers `body` of a function with signature `sig`.
pub fn lower(body: &syn::Block, sig: &Signature, cx: &Ctxt) -> Lowered {
    lower_writing_out(body, sig, &std::collections::HashSet::new(), cx)
}

/// The names `use` and `fn` items anywhere inside `body` bring into scope.
fn declared_inside(body: &syn::Block) -> std::collections::HashSet<String> {
    struct Items(std::collections::HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Items {
        fn visit_item_fn(&mut self, f: &'ast syn::ItemFn) {
            self.0.insert(f.sig.ident.to_string());
            syn::visit::visit_item_fn(self, f);
        }
        fn visit_use_name(&mut self, n: &'ast syn::UseName) {
            self.0.insert(n.ident.to_string());
        }
        fn visit_use_rename(&mut self, r: &'ast syn::UseRename) {
            self.0.insert(r.rename.to_string());
        }
        // A glob inside the body could bring in any name.
        fn visit_use_glob(&mut self, _: &'ast syn::UseGlob) {
            self.0.insert("*".to_string());
        }
    }
    let mut items = Items(std::collections::HashSet::new());
    syn::visit::Visit::visit_block(&mut items, body);
    items.0
}

/// The names the `use` statements of `body` itself bring in, and the paths they come from.
fn body_imports(body: &syn::Block) -> std::collections::HashMap<String, Vec<syn::Path>> {
    let mut out: std::collections::HashMap<String, Vec<syn::Path>> = std::collections::HashMap::new();
    for stmt in &body.stmts {
        if let Stmt::Item(syn::Item::Use(u)) = stmt {
            for (name, path) in crate::signature::prescan::use_bindings(u) {
                out.entry(name.to_string()).or_default().push(path);
            }
        }
    }
    out
}

/// The functions of this file without the attribute whose text the prescan kept, called by name
/// in `body` (`expand::lower_body`).
pub fn plain_called(body: &syn::Block) -> std::collections::HashSet<String> {
    struct Calls(std::collections::HashSet<String>);
    impl<'ast> syn::visit::Visit<'ast> for Calls {
        fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
            syn::visit::visit_expr_method_call(self, m);
            self.by_name(m);
            // `self.term(x)`: a method without the attribute, named `.term`.
            let name = m.method.to_string();
            if crate::signature::higher_order::lookup_plain_method(&name, m.args.len() + 1, true).is_some()
                && !crate::signature::registry::is_method(&name, m.args.len())
            {
                self.0.insert(format!(".{name}"));
            }
        }
        fn visit_expr_call(&mut self, call: &'ast syn::ExprCall) {
            syn::visit::visit_expr_call(self, call);
            if let Expr::Path(p) = &*call.func
                && let Some(last) = p.path.segments.last()
            {
                let (name, arity) = (last.ident.to_string(), call.args.len());
                if crate::signature::registry::without_derivative(&name, arity)
                    && crate::signature::higher_order::lookup_plain(&name, arity).is_some()
                {
                    self.0.insert(name);
                }
                // `Self::sq(x)`: an associated function without the attribute.
                if let Some((key, ..)) = crate::signature::higher_order::plain_associated(p, arity) {
                    self.0.insert(key);
                }
            }
        }
    }
    impl Calls {
        /// `map(mean)`: a function passed by name to an adaptor.
        fn by_name(&mut self, m: &syn::ExprMethodCall) {
            for arg in &m.args {
                if let Some((name, arity)) = higher_order::passed_by_name(arg)
                    && crate::signature::registry::without_derivative(&name, arity)
                {
                    self.0.insert(name);
                }
            }
        }
    }
    let mut calls = Calls(std::collections::HashSet::new());
    syn::visit::Visit::visit_block(&mut calls, body);
    calls.0
}

pub use higher_order::TYPED;

/// Whether `body` uses an operator or method of the crate's own types on a value whose type the
/// syntax shows, which [`TYPED`] writes out (`lower::typed`).
pub fn uses_typed(body: &syn::Block, sig: &Signature) -> bool {
    typed::Types::of(sig, body).any_use(body)
}

/// [`lower`], with the calls of the functions without the attribute named in `plain` written out
/// where they are called (`expand::generate`).
pub fn lower_writing_out(
    body: &syn::Block,
    sig: &Signature,
    plain: &std::collections::HashSet<String>,
    cx: &Ctxt,
) -> Lowered {
    // Helpers that take a closure, written out where they are called.
    let element = element_type(sig);
    let inlined = higher_order::inline_helpers(body, sig, &element, plain, cx);
    let body = inlined.as_ref().unwrap_or(body);
    // `if let Some(inv) = m.try_inverse()`, `.unwrap_or(..)`: a constant test and the unwrap.
    let checked = checked::checked_options(body);
    let body = checked.as_ref().unwrap_or(body);
    // `continue 'rows` from a nested loop: a flag, a plain `break` and the jump after it.
    let unlabelled = labels::unlabel(body, !sig.floats.is_empty());
    let body = unlabelled.as_ref().unwrap_or(body);
    // `std::iter::zip(a, b)`, `repeat(e).take(n)`, `while let Some(v) = it.next()`: as chains.
    let sourced = sources::rewrite(body);
    let body = sourced.as_ref().unwrap_or(body);
    // `a.flat_map(f).sum()`, `for e in a.flat_map(f)`: the end or loop over each inner chain.
    let flattened = flattened::rewrite(body);
    let body = flattened.as_ref().unwrap_or(body);
    let mut l = Lowerer {
        cx,
        values: Vec::new(),
        scopes: vec![Vec::new()],
        vars: Vec::new(),
        blocks: vec![Vec::new()],
        items: Vec::new(),
        iter_elements: std::collections::HashSet::new(),
        struct_elements: std::collections::HashSet::new(),
        record_elements: std::collections::HashSet::new(),
        in_loop: 0,
        assigned_in_loop: std::collections::HashSet::new(),
        errors: std::collections::HashSet::new(),
        field_assigned: scan::field_assigned_names(body),
        whole_assigned: scan::assigned_names(body).into_iter().collect(),
        struct_locals: std::collections::HashMap::new(),
        loop_flags: Vec::new(),
        condition_keyword: None,
        returns: false,
        fields: std::collections::HashMap::new(),
        element_fields: std::collections::HashMap::new(),
        element,
        maps: 0,
        map_captures: Vec::new(),
        chains: 0,
        closures: std::collections::HashMap::new(),
        borrows: std::collections::HashSet::new(),
        slice_copies: std::collections::HashSet::new(),
        copied_from: std::collections::HashMap::new(),
        declared_inside: declared_inside(body),
        body_imports: body_imports(body),
        constructed: std::collections::HashMap::new(),
        unit_values: std::collections::HashSet::new(),
        rotation_values: std::collections::HashSet::new(),
        decompositions: std::collections::HashMap::new(),
        loop_starts: Vec::new(),
        loop_levels: Vec::new(),
        element_loads: std::collections::HashMap::new(),
        field_rows: std::collections::HashSet::new(),
        loop_copies: Vec::new(),
        next_loop_start: None,
        call_results: std::collections::HashSet::new(),
        params: sig.params.len(),
        wrt: sig.params.iter().map(|p| p.wrt).collect(),
        fallible: false,
        name: sig.name.to_string(),
        param_types: std::collections::HashMap::new(),
        generics: sig.generics.clone(),
        floats: sig.floats.clone(),
        second_order: sig.second_order,
        indexed: scan::indexed_names(body),
        self_by_reference: sig.receiver.as_ref().is_some_and(|r| r.reference.is_some()),
    };
    for (index, param) in sig.params.iter().enumerate() {
        let kind = match kind_of(&param.ty) {
            // A differentiated parameter of a type the macro cannot see into: a record.
            Kind::Unknown if param.wrt => Kind::Array(ArrayKind::Record),
            k => k,
        };
        let v = l.emit(Op::Param(index), Loc::of(&param.ident), kind);
        l.param_types.insert(v, param.ty.clone());
        if crate::signature::by_copy(&param.ty) {
            // `x: &f64` is copied on entry: `*x` reads the copy.
            l.iter_elements.insert(v);
        }
        l.declare(&param.ident.to_string(), Some(Tree::Leaf(v)));
    }
    let unwrapped;
    let body = match &sig.wrapper {
        Some(w) => {
            l.fallible = true;
            unwrapped = results::unwrap_result(body, w.kind);
            &unwrapped
        }
        None => body,
    };
    let typed;
    let body = match typed_collects(body, &sig.output) {
        Some(b) => {
            typed = b;
            &typed
        }
        None => body,
    };
    // The braces, as `Loc::of(body)` finds them, without printing the whole body.
    let whole = Loc::from(body.brace_token.span.join());
    let output = l.body(&body.stmts, whole, &sig.output);
    if !shape_fits(&sig.output, &output) {
        l.unsupported(whole, unsupported::RESULT_WHOSE_TUPLE_SHAPE_DIFFERS);
    }
    let insts = l.blocks.pop().unwrap_or_default();
    let body = Block { insts };
    l.check_field_rows(&body);
    l.check_loop_copies(&body);
    l.check_rotations(&body, &output);
    Lowered {
        function: Function { body, output, values: l.values },
        items: l.items,
        map_captures: l.map_captures,
    }
}

struct Lowerer<'a> {
    cx: &'a Ctxt,
    values: Vec<ValueInfo>,
    /// Name to variable slot, innermost scope last.
    scopes: Vec<Vec<(String, usize)>>,
    /// Current value of each variable slot (`None`: declared, not yet assigned).
    vars: Vec<Option<Tree>>,
    /// Instructions of the blocks being built, innermost last.
    blocks: Vec<Vec<Inst>>,
    items: Vec<syn::Item>,
    /// Values the user reaches through a reference but the IR holds by value (elements bound
    /// by `for x in v.iter()`, parameters `x: &f64`): `*x` is `x`.
    iter_elements: std::collections::HashSet<Value>,
    /// Elements of constant collections of structs (`s` of `for s in data`, `data: &[Sample]`):
    /// places whose fields are read in place (`calls::constant_place`).
    struct_elements: std::collections::HashSet<Value>,
    /// Elements of differentiated collections of structs (`p` of `for p in ps`, `ps: &[Particle]`
    /// in `wrt`): struct values whose float fields are read (`lower::rows::load_element`).
    record_elements: std::collections::HashSet<Value>,
    /// Depth of loop nesting at the current point.
    in_loop: usize,
    /// Variables declared without a value and first assigned in a loop body: local to each
    /// iteration, so a read after the loop (possible after a `loop`) has no value to carry.
    assigned_in_loop: std::collections::HashSet<usize>,
    /// The values standing for a construct already reported (`Op::Error`): what reads or writes
    /// them is not reported again.
    errors: std::collections::HashSet<Value>,
    /// Names whose named fields the body assigns (`s.v -= ..`, `scan::field_assigned_names`).
    field_assigned: std::collections::HashSet<String>,
    /// Names the body assigns whole (`s = step(s, dt)`, `scan::assigned_names`).
    whole_assigned: std::collections::HashSet<String>,
    /// Locals bound to a struct literal whose fields the body assigns: held as a tuple of their
    /// fields (read and written one by one, carried by loops like any tuple), with the struct's
    /// path and field names to build it where it is used whole (`assignments::struct_local`).
    struct_locals: std::collections::HashMap<usize, (syn::Path, Vec<syn::Member>)>,
    /// `break`/`continue` flags of the loops being lowered, innermost last.
    loop_flags: Vec<Flags>,
    /// The keyword of the next `branch`'s condition when it is not `if` (`while`, `match`), for
    /// the wording of diagnostics.
    condition_keyword: Option<&'static str>,
    /// The body has a `return` before its end: the return flag and value slots exist.
    returns: bool,
    /// Fields of record parameters already read: (record, member, kind read as) to value.
    fields: std::collections::HashMap<(Value, String, String), Value>,
    /// Array fields of elements of a differentiated collection of structs already read:
    /// (element, member) to value, read where the element is loaded (`arrays::record_member`).
    element_fields: std::collections::HashMap<(Value, String), Value>,
    /// The float type of the function's matrices, for the functions made of `map` closures.
    element: syn::Type,
    /// Closures of `map` made functions so far.
    maps: usize,
    /// See [`Lowered::map_captures`].
    map_captures: Vec<(Value, Loc, String)>,
    /// Loops of desugared chains so far: each gets its own index name, since a window's start
    /// (`x[__tapeless_i3 + j]`) may be read inside a chain nested in its body.
    chains: usize,
    /// Local closures by variable slot (`lower::closures`), inlined where called.
    closures: std::collections::HashMap<usize, std::rc::Rc<closures::LocalClosure>>,
    /// The slots bound by `let w = &v;` to a local `Vec` or fixed array: the same array, which
    /// a call is passed by reference (`g(w)` passes `&v`).
    borrows: std::collections::HashSet<usize>,
    /// Copies of the rest of a slice split by `split_first()`/`split_last()` (`lower::options`):
    /// passed to calls by reference, as the sub-slice was.
    slice_copies: std::collections::HashSet<Value>,
    /// Local copies of a parameter's collection (`let rows = x.to_vec();`) and that parameter:
    /// their elements are of its element type (`lower::rows::collection_type`).
    copied_from: std::collections::HashMap<Value, Value>,
    /// The names the body's own items bring into scope (`use a::f;`, `fn f(..)` inside it),
    /// which shadow the module's: a bare call of one is not resolved by the module's imports.
    declared_inside: std::collections::HashSet<String>,
    /// The names the body's own `use` items (statements of the body itself) bring in, with the
    /// paths they come from (`use crate::physics::gravity;` inside the function).
    body_imports: std::collections::HashMap<String, Vec<syn::Path>>,
    /// Structs built in the body (`Op::Construct`) and their fields' values: a field read of
    /// one is that value (`arrays::record_member`), so a struct without `#[derive(Differentiable)]`
    /// that is only read by its fields (a plain method's `State { .. }` result) needs no tangent.
    constructed: std::collections::HashMap<Value, Vec<(syn::Member, Value)>>,
    /// Unit vectors made by `Unit::new_normalize(v)`, held as the normalized vector.
    unit_values: std::collections::HashSet<Value>,
    /// Rotations built from angles, held as their matrices (`lower::rotations`).
    rotation_values: std::collections::HashSet<Value>,
    /// Decompositions kept in a variable (`let lu = a.lu();`), held as the matrix, with how it
    /// was decomposed: only their `solve` is read (`lower::solves`).
    decompositions: std::collections::HashMap<Value, solves::Decomposition>,
    /// Elements of an array field of a differentiated struct (`net.w1[i]`): a float, or a row
    /// (`w1: Vec<Vec<f64>>`) the IR cannot hold by value (`rows::check_field_rows`).
    field_rows: std::collections::HashSet<Value>,
    /// Copies of arrays made inside a loop (`let prev = h.clone();`), by source, each written
    /// into an array of the source's length at the top level (`arrays::check_loop_copies`).
    loop_copies: Vec<(Value, Loc)>,
    /// For each loop being lowered, the first value made in it (its index, headers and body):
    /// a value below is the same in every iteration (`arrays::refilled`).
    loop_starts: Vec<usize>,
    /// The level in `blocks` of each loop body being lowered, beside `loop_starts`.
    loop_levels: Vec<usize>,
    /// Elements of differentiated collections of structs already loaded: (collection, index)
    /// to the element, loaded where its index is made (`rows::load_element`).
    element_loads: std::collections::HashMap<(Value, Vec<Value>), Value>,
    /// The start `loop_body` takes for a `for` loop, whose index is made before its body.
    next_loop_start: Option<usize>,
    /// Results of calls (a single value each): a field read makes one a record
    /// (`arrays::is_record`).
    call_results: std::collections::HashSet<Value>,
    /// The parameters are the first values.
    params: usize,
    /// Which parameters are differentiated.
    wrt: Vec<bool>,
    /// The function returns a `Result` or `Option` (`lower::results`): `e?` of a constant is
    /// kept as written.
    fallible: bool,
    /// The function's name: a call of it is recursion.
    name: String,
    /// The declared type of each parameter's value.
    /// The receiver is `&self` (or `&mut self`): `let Self { a, .. } = self;` binds by reference.
    self_by_reference: bool,
    param_types: std::collections::HashMap<Value, syn::Type>,
    /// The function's generics and its float type parameters (for `map` closures' functions).
    generics: syn::Generics,
    floats: Vec<syn::Ident>,
    /// Whether `hessian` is asked for (`Signature::second_order`).
    second_order: bool,
    /// The names the body writes through an index (`scan::indexed_names`): a nalgebra vector
    /// made for one of them (`let mut r = DVector::zeros(n);`) is held as an array.
    indexed: std::collections::HashSet<String>,
}

/// The float type the signature mentions first (`f32` for `DVector<f32>`), or its first float
/// type parameter; `f64` if none.
fn element_type(sig: &Signature) -> syn::Type {
    if let Some(t) = sig.floats.first() {
        return syn::parse_quote!(#t);
    }
    let names: Vec<String> = sig
        .params
        .iter()
        .map(|p| &p.ty)
        .chain([&sig.output])
        .map(|t| t.to_token_stream().to_string())
        .collect();
    let f32_first = names.iter().find_map(|n| match (n.find("f32"), n.find("f64")) {
        (Some(a), Some(b)) => Some(a < b),
        (a, b) => a.map(|_| true).or(b.map(|_| false)),
    });
    if f32_first == Some(true) { syn::parse_quote!(f32) } else { syn::parse_quote!(f64) }
}

/// Names of the flag variables (not identifiers, so no user name can meet them).
const BREAK_FLAG: &str = "<break>";
const CONTINUE_FLAG: &str = "<continue>";
const RETURN_FLAG: &str = "<return>";
const RETURN_VALUE: &str = "<return value>";

/// The `break` and `continue` flags of a loop (variable slots), if it uses them.
struct Flags {
    broke: Option<usize>,
    skip: Option<usize>,
    /// `for` loops skip the body once broken; `while`/`loop` stop instead.
    guard_on_break: bool,
}

/// What `loop_body` builds.
struct LoopParts {
    body: Block,
    carried: Vec<Carried>,
    exits: Vec<Value>,
    go: Option<Value>,
}

/// `tokens` with the span of every token and group mapped by `to` (desugared syntax placed where
/// an error about it should point).
pub(crate) fn respan(
    tokens: TokenStream,
    to: &dyn Fn(proc_macro2::Span) -> proc_macro2::Span,
) -> TokenStream {
    tokens
        .into_iter()
        .map(|mut t| {
            if let proc_macro2::TokenTree::Group(g) = &t {
                let mut group = proc_macro2::Group::new(g.delimiter(), respan(g.stream(), to));
                group.set_span(to(g.span()));
                return proc_macro2::TokenTree::Group(group);
            }
            t.set_span(to(t.span()));
            t
        })
        .collect()
}

/// The innermost base of an index place: `m` of `m[i][j]`.
fn index_base(i: &syn::ExprIndex) -> &Expr {
    let mut base = &*i.expr;
    while let Expr::Index(inner) = base {
        base = &inner.expr;
    }
    base
}

/// `e` without the parentheses around it.
pub(crate) fn strip_parens(e: &Expr) -> &Expr {
    match e {
        Expr::Paren(p) => strip_parens(&p.expr),
        e => e,
    }
}

/// Whether `m` is `.unwrap()` or `.expect(..)` (of an `Option` or a `Result`).
fn unwraps(m: &syn::ExprMethodCall) -> bool {
    m.method == "unwrap" && m.args.is_empty() || m.method == "expect" && m.args.len() == 1
}

fn unit() -> Tree {
    Tree::Tuple(Vec::new())
}

/// Whether a result tree can have the declared type: tuples must match in length; a single float
/// cannot be a tuple. (Other types may be aliases of tuples, so they fit anything.)
fn shape_fits(ty: &syn::Type, t: &Tree) -> bool {
    match (ty, t) {
        (syn::Type::Paren(p), t) => shape_fits(&p.elem, t),
        (syn::Type::Tuple(tt), Tree::Tuple(items)) => {
            tt.elems.len() == items.len() && tt.elems.iter().zip(items).all(|(ty, t)| shape_fits(ty, t))
        }
        (syn::Type::Tuple(tt), Tree::Leaf(_)) => !tt.elems.is_empty(),
        (ty, Tree::Tuple(_)) => crate::signature::classify(ty) == crate::signature::TypeClass::Unknown,
        _ => true,
    }
}

/// `body` with each `.collect()` whose value is the function's result (its tail, through blocks,
/// `if` and `match`, and `return e`) given the result type, when that is a `Vec` of floats:
/// `x.iter().map(..).collect()` returned from `fn f(..) -> Vec<f64>` is `collect::<Vec<f64>>()`,
/// the form the chain lowering reads. `None` if the result type is another.
fn typed_collects(body: &syn::Block, output: &syn::Type) -> Option<syn::Block> {
    let syn::Type::Path(p) = output else { return None };
    crate::signature::vec_element(p).filter(|e| crate::signature::is_float(e))?;
    fn tail(e: &mut Expr, output: &syn::Type) {
        match e {
            Expr::MethodCall(m) if m.method == "collect" && m.args.is_empty() && m.turbofish.is_none() => {
                m.turbofish = Some(syn::parse_quote!(::<#output>));
            }
            Expr::Block(b) => block(&mut b.block, output),
            Expr::Paren(p) => tail(&mut p.expr, output),
            Expr::If(i) => {
                block(&mut i.then_branch, output);
                if let Some((_, e)) = &mut i.else_branch {
                    tail(e, output);
                }
            }
            Expr::Match(m) => m.arms.iter_mut().for_each(|a| tail(&mut a.body, output)),
            _ => {}
        }
    }
    fn block(b: &mut syn::Block, output: &syn::Type) {
        if let Some(Stmt::Expr(e, None)) = b.stmts.last_mut() {
            tail(e, output);
        }
    }
    struct Returns<'a>(&'a syn::Type);
    impl VisitMut for Returns<'_> {
        fn visit_expr_return_mut(&mut self, r: &mut syn::ExprReturn) {
            if let Some(e) = &mut r.expr {
                tail(e, self.0);
            }
            syn::visit_mut::visit_expr_return_mut(self, r);
        }
        // A closure's or nested function's `return` is not the function's.
        fn visit_expr_closure_mut(&mut self, _: &mut syn::ExprClosure) {}
        fn visit_item_fn_mut(&mut self, _: &mut syn::ItemFn) {}
    }
    let mut body = body.clone();
    Returns(output).visit_block_mut(&mut body);
    block(&mut body, output);
    Some(body)
}

/// Whether `expr` holds for an expression of `body` or `block` for a block of it (read only,
/// stopping at the first). A pass that rewrites bottom-up (`labels`, `sources`, `checked`)
/// changes the body only if one of its rewrites applies to the body as written (the first
/// rewrite is of a node whose insides are as written), so it asks this before it clones the
/// body: the clone and the mutable walk cost a 4 000-statement function's expansion a
/// twentieth of its time in a debug build of the macro.
fn any_node(body: &syn::Block, expr: &dyn Fn(&Expr) -> bool, block: &dyn Fn(&syn::Block) -> bool) -> bool {
    struct Any<'f> {
        expr: &'f dyn Fn(&Expr) -> bool,
        block: &'f dyn Fn(&syn::Block) -> bool,
        found: bool,
    }
    impl<'ast> syn::visit::Visit<'ast> for Any<'_> {
        fn visit_expr(&mut self, e: &'ast Expr) {
            self.found = self.found || (self.expr)(e);
            if !self.found {
                syn::visit::visit_expr(self, e);
            }
        }

        fn visit_block(&mut self, b: &'ast syn::Block) {
            self.found = self.found || (self.block)(b);
            if !self.found {
                syn::visit::visit_block(self, b);
            }
        }
    }
    let mut any = Any { expr, block, found: false };
    syn::visit::Visit::visit_block(&mut any, body);
    any.found
}
