//! Calls of helpers that take a closure (`signature::higher_order`), inlined before lowering.
//!
//! ```text
//! simpson(|t| (k * t).sin(), 0.0, 1.0, n)
//!   =>  { let __tapeless_arg_1 = 0.0; let __tapeless_arg_2 = 1.0; let __tapeless_arg_3 = n;
//!         let f = |t| (k * t).sin();
//!         let a = __tapeless_arg_1; let b = __tapeless_arg_2; let n = __tapeless_arg_3;
//!         <simpson's body> }
//! ```
//!
//! The arguments are evaluated first, under names no user writes, so a parameter never hides a
//! name an argument reads; the closure is bound next, so it sees the caller's values, as a local
//! closure does (`lower::closures`). A function or local closure passed by name (`simpson(g, ..)`)
//! is called through a closure of the bound's arity. A helper's early `return v` becomes the
//! `else` of its `if`, one inside a loop a flag and a `break` ([`returns_as_else`]). A method's
//! `self` is the receiver and `Self` its type ([`SelfAs`]); a parameter given `&mut v` is `v`
//! ([`Renamed`]). Its float type parameters become the caller's float type (`num_traits` calls
//! of them written for it, [`Concrete`]). Its tokens, read from the source as text, all point at
//! the callee's name in the call, and errors there say they are in the helper.

use std::collections::HashSet;

use proc_macro2::Span;
use quote::{ToTokens, quote, quote_spanned};
use syn::visit_mut::VisitMut;
use syn::{Expr, Pat};

use super::helper_body::{AllBound, Concrete, Mode, Renamed, SelfAs, in_macros, mentions, place_names};
use super::*;
use crate::signature::higher_order;

/// How deep inlined helpers may nest (a helper passing its closure to another).
const MAX_DEPTH: usize = 16;

/// Among the names to write out: the operators and methods of the crate's own types, on values
/// whose type the syntax shows (`lower::typed`).
pub const TYPED: &str = "@typed";

/// `body` with every call of a helper that takes a closure inlined (`None` if it has none).
/// Problems go to `cx`, each call with one replaced by a float (so nothing else is reported of
/// it).
pub(super) fn inline_helpers(
    body: &syn::Block,
    sig: &Signature,
    element: &syn::Type,
    plain: &HashSet<String>,
    cx: &Ctxt,
) -> Option<syn::Block> {
    let mut names: HashSet<String> = sig.params.iter().map(|p| p.ident.to_string()).collect();
    let mut all = AllBound::default();
    syn::visit::Visit::visit_block(&mut all, body);
    names.extend(all.0);
    let param_types = sig.params.iter().map(|p| (p.ident.to_string(), p.ty.clone())).collect();
    let types = plain.contains(TYPED).then(|| super::typed::Types::of(sig, body));
    let mut inliner = Inliner {
        cx,
        param_types,
        element: element.clone(),
        generic_caller: !sig.floats.is_empty(),
        caller_names: names,
        plain,
        types,
        stack: Vec::new(),
        changed: false,
    };
    let mut body = body.clone();
    inliner.visit_block_mut(&mut body);
    inliner.changed.then_some(body)
}

struct Inliner<'a> {
    cx: &'a Ctxt,
    /// The caller's parameters' types, by name (a method's receiver must be of its type).
    param_types: std::collections::HashMap<String, syn::Type>,
    /// The caller's float type (`f64`, `f32`, or its float type parameter).
    element: syn::Type,
    generic_caller: bool,
    /// Every name the caller binds anywhere (parameters, `let`s, closure parameters).
    caller_names: HashSet<String>,
    /// Functions without the attribute to write out too (called on a differentiable value).
    plain: &'a HashSet<String>,
    /// With [`TYPED`] among them: the types of the caller's names, whose operators and methods
    /// are written out (`lower::typed`).
    types: Option<super::typed::Types>,
    /// The helpers being inlined, outermost first.
    stack: Vec<String>,
    changed: bool,
}

/// `mean` of `map(mean)`: a function without the attribute passed by name, whose text the
/// prescan kept (of up to four parameters), its name and number of parameters.
pub(super) fn passed_by_name(arg: &Expr) -> Option<(String, usize)> {
    let Expr::Path(p) = arg else { return None };
    let name = p.path.get_ident()?.to_string();
    let arity = (0..=4).find(|&n| higher_order::lookup_plain(&name, n).is_some())?;
    Some((name, arity))
}

impl VisitMut for Inliner<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        // `a - b` of a type with its own `Sub`: `a.sub(b)`, written out below.
        if let Some(call) = self.types.as_ref().and_then(|t| t.operator_call(e)) {
            *e = call;
        }
        // `x.windows(3).map(mean)`: a function to write out, passed by name to an adaptor, is
        // called from a closure of its arity, whose call is written out below.
        if let Expr::MethodCall(m) = e {
            for arg in &mut m.args {
                if let Some((name, arity)) = passed_by_name(arg)
                    && self.plain.contains(&name)
                {
                    let at = arg.span();
                    let items: Vec<syn::Ident> =
                        (0..arity).map(|i| syn::Ident::new(&format!("__tapeless_item_{i}"), at)).collect();
                    let f = arg.clone();
                    *arg = syn::parse_quote_spanned!(at=> |#(#items),*| #f(#(#items),*));
                }
            }
        }
        syn::visit_mut::visit_expr_mut(self, e);
        let Some(Call { name, at, helper, args, receiver, self_ty }) = self.call(e) else { return };
        let closures = higher_order::closure_params(&helper.sig);
        let closures = &closures[usize::from(receiver.is_some())..];
        let Some(passed) = closures
            .iter()
            .zip(&args)
            .map(|(arity, arg)| match arity {
                Some(arity) => passed_closure(arg, *arity).map(Some),
                None => Some(None),
            })
            .collect::<Option<Vec<_>>>()
        else {
            return;
        };
        self.changed = true;
        let note = match closures.iter().any(Option::is_some) {
            true => format!(
                "this is in the body of `{name}`, which takes a closure and is written out at this call"
            ),
            false => format!(
                "this is in the body of `{name}`, which has no `#[differentiable]` and is written out at this call"
            ),
        };
        self.cx.note_at(at, &note);
        if self.stack.contains(&name) || self.stack.len() >= MAX_DEPTH {
            let problem = unsupported::RECURSIVE_HELPER_WITH_CLOSURE;
            *e = self.fail(at, problem);
            return;
        }
        let args: Vec<&Expr> = args.iter().collect();
        // A receiver that is not a place (`(a - b).norm()`) is evaluated once, into a name.
        let (receiver, bound_receiver) = match receiver {
            Some(r) if !is_place(&r) => {
                let name = syn::Ident::new(&format!("__tapeless_self_{}", self.stack.len()), at);
                // Of the method's type, for the calls on `self` in its body.
                if let (Some(types), Some(ty)) =
                    (&mut self.types, self_ty.as_ref().and_then(higher_order::type_name))
                {
                    types.bind(&name.to_string(), ty);
                }
                (Some(syn::parse_quote!(#name)), Some((name, r)))
            }
            r => (r, None),
        };
        match self.inlined(&helper, &args, passed, (receiver.as_ref(), self_ty.as_ref()), at) {
            Ok(block) => {
                let mut block = match bound_receiver {
                    Some((name, r)) => syn::parse_quote_spanned!(at=> { let #name = #r; #block }),
                    None => block,
                };
                // A helper called from this one's body must not read this one's names either.
                let mut bound = AllBound::default();
                syn::visit::Visit::visit_expr(&mut bound, &block);
                self.caller_names.extend(bound.0);
                self.stack.push(name);
                self.visit_expr_mut(&mut block);
                self.stack.pop();
                *e = block;
            }
            Err(Problem::Unsupported(problem)) => *e = self.fail(at, problem),
            Err(Problem::Shadowed(read)) => {
                let what = format!(
                    "calling a helper that takes a closure whose body reads `{read}`, which a variable of this function shadows"
                );
                *e = self.fail(
                    at,
                    Unsupported { what: &what, help: unsupported::HELPER_WITH_CLOSURE_SHADOWED_HELP },
                );
            }
        }
    }
}

/// Whether `e` names a place (`d`, `pos[i + 1]`, `s.v`), which may be written again.
fn is_place(e: &Expr) -> bool {
    match e {
        Expr::Path(_) => true,
        Expr::Paren(p) => is_place(&p.expr),
        Expr::Field(f) => is_place(&f.base),
        Expr::Index(i) => {
            is_place(&i.expr) && matches!(&*i.index, Expr::Path(_) | Expr::Lit(_) | Expr::Binary(_))
        }
        _ => false,
    }
}

/// A call of a helper that takes a closure.
struct Call {
    name: String,
    /// The callee's name in the call, where every token of the helper is placed.
    at: Span,
    helper: syn::ItemFn,
    /// The arguments, the receiver apart.
    args: Vec<Expr>,
    /// For a method, the receiver (the name of `self` or of a parameter of the method's type).
    receiver: Option<Expr>,
    /// For a method or associated function, the type it belongs to.
    self_ty: Option<syn::Type>,
}

/// The last segment of a path type's name, behind references: `Quad` of `&geometry::Quad`.
fn last_segment(ty: &syn::Type) -> Option<String> {
    let mut ty = ty;
    while let syn::Type::Reference(r) = ty {
        ty = &r.elem;
    }
    let syn::Type::Path(p) = ty else { return None };
    p.path.segments.last().map(|s| s.ident.to_string())
}

impl Inliner<'_> {
    /// `e` as a call of a helper that takes a closure: a function called by its path, or a
    /// method of a type of this crate called on `self` or on a parameter of that type.
    fn call(&self, e: &Expr) -> Option<Call> {
        match e {
            Expr::Call(call) => {
                let Expr::Path(path) = &*call.func else { return None };
                let segments = &path.path.segments;
                let last = segments.last().filter(|_| path.qself.is_none())?;
                let name = last.ident.to_string();
                let args = call.args.iter().cloned().collect();
                let at = last.ident.span();
                if let Some(helper) = higher_order::lookup(&name, call.args.len()) {
                    return Some(Call { name, at, helper, args, receiver: None, self_ty: None });
                }
                if self.plain.contains(&name)
                    && let Some(helper) = higher_order::lookup_plain(&name, call.args.len())
                {
                    return Some(Call { name, at, helper, args, receiver: None, self_ty: None });
                }
                // `Quad::integrate(f, ..)`, `Self::integrate(f, ..)`: an associated function of a
                // type of this crate, named by its type (one without the attribute and without a
                // closure, `Self::sq(x)`, where it is called on a differentiable value).
                let ty = segments.iter().nth_back(1)?;
                let (helper, self_ty) =
                    higher_order::lookup_method(&name, call.args.len(), false).or_else(|| {
                        let (key, helper, self_ty) = higher_order::plain_associated(path, call.args.len())?;
                        self.plain.contains(&key).then_some((helper, self_ty))
                    })?;
                (ty.ident == "Self" || Some(ty.ident.to_string()) == last_segment(&self_ty)).then_some(())?;
                Some(Call { name, at, helper, args, receiver: None, self_ty: Some(self_ty) })
            }
            // `d.norm()` of a value whose type the syntax shows, with a method to write out.
            Expr::MethodCall(m)
                if let Some(types) = &self.types
                    && let Some(ty) = types.ty_of(&m.receiver)
                    && let Some((helper, self_ty)) = higher_order::lookup_plain_typed(
                        &m.method.to_string(),
                        &ty,
                        m.args.len() + 1,
                        true,
                    ) =>
            {
                let (name, at) = (m.method.to_string(), m.method.span());
                let args = m.args.iter().cloned().collect();
                let receiver = strip_parens(&m.receiver);
                Some(Call {
                    name,
                    at,
                    helper,
                    args,
                    receiver: Some(receiver.clone()),
                    self_ty: Some(self_ty),
                })
            }
            Expr::MethodCall(m) => {
                let name = m.method.to_string();
                let arity = m.args.len() + 1;
                let (helper, self_ty) = higher_order::lookup_method(&name, arity, true).or_else(|| {
                    self.plain
                        .contains(&format!(".{name}"))
                        .then(|| higher_order::lookup_plain_method(&name, arity, true))
                        .flatten()
                })?;
                let receiver = strip_parens(&m.receiver);
                let Expr::Path(p) = receiver else { return None };
                let ident = p.path.get_ident()?;
                // `self` (a method of the same type, or of another for which the crate has one
                // of that name), or a parameter whose type is the method's.
                let own_type = ident == "self"
                    || self
                        .param_types
                        .get(&ident.to_string())
                        .is_some_and(|ty| last_segment(ty) == last_segment(&self_ty));
                if !own_type {
                    return None;
                }
                let args = m.args.iter().cloned().collect();
                let (at, receiver) = (m.method.span(), Some(receiver.clone()));
                Some(Call { name, at, helper, args, receiver, self_ty: Some(self_ty) })
            }
            _ => None,
        }
    }

    /// Reports `problem` at `at`: the call becomes a float, so no further error follows from it.
    fn fail(&self, at: Span, problem: Unsupported<'_>) -> Expr {
        let Unsupported { what, help } = problem;
        self.cx.error(Loc { start: at, end: at }, Diagnostic::Unsupported { what: what.to_string(), help });
        syn::parse_quote_spanned!(at=> 0.0)
    }

    /// The block the call of `helper` with `args` becomes (`passed`: the closures given, by
    /// parameter).
    fn inlined(
        &self,
        helper: &syn::ItemFn,
        args: &[&Expr],
        passed: Vec<Option<Expr>>,
        (receiver, self_ty): (Option<&Expr>, Option<&syn::Type>),
        at: Span,
    ) -> Result<Expr, Problem> {
        let tokens = super::respan(helper.to_token_stream(), &|_| at);
        let body_problem = || Problem::Unsupported(unsupported::HELPER_WITH_CLOSURE_BODY);
        let mut helper: syn::ItemFn = syn::parse2(tokens).map_err(|_| body_problem())?;
        if helper.sig.asyncness.is_some()
            || helper.sig.variadic.is_some()
            || helper.sig.unsafety.is_some()
            || helper.sig.abi.is_some()
        {
            return Err(body_problem());
        }
        // A method's `self` is the receiver as the caller names it, and `Self` its type.
        if helper.sig.receiver().is_some() != receiver.is_some() {
            return Err(body_problem());
        }
        if let Some(ty) = self_ty {
            helper.sig.inputs =
                helper.sig.inputs.into_iter().filter(|i| matches!(i, syn::FnArg::Typed(_))).collect();
            SelfAs { receiver, ty }.visit_block_mut(&mut helper.block);
        }
        // The helper's float type parameters are the caller's float type.
        let floats = crate::signature::float_params(&helper.sig.generics);
        let mut concrete = Concrete { floats: &floats, element: &self.element, generic: self.generic_caller };
        concrete.visit_block_mut(&mut helper.block);
        // `x.iter().map(..).collect()` as the result of `-> Vec<f64>`: typed, as the caller's.
        if let syn::ReturnType::Type(_, ty) = &mut helper.sig.output {
            concrete.visit_type_mut(ty);
            if let Some(typed) = super::typed_collects(&helper.block, ty) {
                *helper.block = typed;
            }
        }
        let others: Vec<String> = helper
            .sig
            .generics
            .params
            .iter()
            .filter_map(|p| match p {
                syn::GenericParam::Type(t) if !floats.contains(&t.ident) => Some(t.ident.to_string()),
                syn::GenericParam::Const(c) => Some(c.ident.to_string()),
                _ => None,
            })
            // A generic caller's float type takes the place of the helper's (the same name if
            // they agree); for `f64` or `f32` what is left of them is reported.
            .chain(floats.iter().map(ToString::to_string).filter(|_| !self.generic_caller))
            .collect();
        if mentions(&helper.block, &others) {
            return Err(unsupported::HELPER_WITH_CLOSURE_GENERIC.into());
        }
        let params: Vec<Pat> = helper
            .sig
            .inputs
            .iter()
            .map(|input| match input {
                syn::FnArg::Typed(t) => Ok((*t.pat).clone()),
                syn::FnArg::Receiver(_) => Err(body_problem()),
            })
            .collect::<Result<_, _>>()?;
        // `fill(f, &mut v)`: the parameter written through is the caller's `v` itself (a `&mut`
        // borrow would be our error), unless the body binds a `v` of its own.
        let mut bound = AllBound::default();
        syn::visit::Visit::visit_block(&mut bound, &helper.block);
        // So is a parameter given a variable by name (`g(x)`, the parameter not `mut`): it reads
        // the same value, and a row of a nested array or a sub-slice passed so need not be
        // copied. A parameter given a shared borrow of a place (`g(&pts[j])`, `g(&s.w)`) reads
        // that place (the index written again: only names, literals and arithmetic).
        let free = |e: &Expr| place_names(e, &bound.0, false);
        let places: Vec<Option<(Expr, Vec<String>, Mode)>> = params
            .iter()
            .zip(args)
            .zip(&passed)
            .map(|((pat, arg), closure)| {
                let Pat::Ident(p) = pat else { return None };
                if closure.is_some()
                    || p.subpat.is_some()
                    || p.by_ref.is_some()
                    || in_macros(&helper.block, &p.ident)
                {
                    return None;
                }
                match arg {
                    Expr::Reference(r) if r.mutability.is_some() => free(&r.expr)
                        .filter(|_| matches!(&*r.expr, Expr::Path(_)))
                        .map(|n| ((*r.expr).clone(), n, Mode::Through)),
                    Expr::Reference(r) if p.mutability.is_none() => {
                        place_names(&r.expr, &bound.0, true).map(|n| ((*r.expr).clone(), n, Mode::Borrowed))
                    }
                    Expr::Path(_) if p.mutability.is_none() => {
                        free(arg).map(|n| ((*arg).clone(), n, Mode::Value))
                    }
                    _ => None,
                }
            })
            .collect();
        for (pat, place) in params.iter().zip(&places) {
            if let (Pat::Ident(p), Some((place, _, mode))) = (pat, place) {
                // Placed where the helper's tokens are, so errors there get its note.
                let to = super::respan(place.to_token_stream(), &|_| at);
                let to: Expr = syn::parse2(to).map_err(|_| body_problem())?;
                Renamed { from: &p.ident, to: &to, mode: *mode }.visit_block_mut(&mut helper.block);
            }
        }
        let mut caller_names: Vec<String> =
            places.iter().flatten().flat_map(|(_, names, _)| names.clone()).collect();
        // The names the receiver reads (`pos` and `i` of `pos[i + 1]`) are the caller's.
        if let Some(r) = receiver {
            super::scan::tokens_idents(r.to_token_stream(), &mut caller_names);
        }
        self.check_free_names(&helper.block, &params, &caller_names)?;
        let body = leave_by_break(&helper.block).map_err(Problem::Unsupported)?;
        let temporaries: Vec<syn::Ident> =
            (0..args.len()).map(|i| syn::Ident::new(&format!("__tapeless_arg_{i}"), at)).collect();
        let mut first = Vec::new();
        let mut closures = Vec::new();
        let mut bindings = Vec::new();
        for ((((pat, arg), closure), temporary), place) in
            params.iter().zip(args).zip(passed).zip(&temporaries).zip(&places)
        {
            match closure {
                Some(closure) => closures.push(quote!(let #pat = #closure;)),
                None if place.is_some() => {}
                None => {
                    first.push(quote!(let #temporary = #arg;));
                    bindings.push(quote_spanned!(at=> let #pat = #temporary;));
                }
            }
        }
        Ok(syn::parse_quote_spanned!(at=> { #(#first)* #(#closures)* #(#bindings)* #body }))
    }

    /// `Err` if the helper's body reads a name it does not bind (a constant, a function) that
    /// the caller binds: inlined, it would read the caller's.
    fn check_free_names(&self, body: &syn::Block, params: &[Pat], meant: &[String]) -> Result<(), Problem> {
        let mut free = super::closures::FreeNames::default();
        syn::visit::Visit::visit_block(&mut free, body);
        let mut bound = AllBound::default();
        syn::visit::Visit::visit_block(&mut bound, body);
        for p in params {
            syn::visit::Visit::visit_pat(&mut bound, p);
        }
        // (`meant`: the caller's names the body was given to read, a receiver or a place.)
        let shadowed =
            |n: &&String| !bound.0.contains(*n) && self.caller_names.contains(*n) && !meant.contains(*n);
        match free.0.iter().find(shadowed) {
            Some(read) => Err(Problem::Shadowed(read.clone())),
            None => Ok(()),
        }
    }
}

/// Why a call is not inlined.
enum Problem {
    Unsupported(Unsupported<'static>),
    /// The helper's body reads this name, which the caller binds.
    Shadowed(String),
}

impl From<Unsupported<'static>> for Problem {
    fn from(u: Unsupported<'static>) -> Problem {
        Problem::Unsupported(u)
    }
}

/// The closure an argument passes for a parameter that takes one of `arity` arguments: a closure
/// as written (`|t| ..`, `&|t| ..`), or one calling a function or closure passed by name (`g`,
/// `&g`, `f64::sin`); `None` for anything else.
fn passed_closure(arg: &Expr, arity: usize) -> Option<Expr> {
    match arg {
        Expr::Closure(_) => Some(arg.clone()),
        Expr::Reference(r) if r.mutability.is_none() => passed_closure(&r.expr, arity),
        Expr::Paren(p) => passed_closure(&p.expr, arity),
        Expr::Path(p) if p.qself.is_none() => {
            let span = p.path.segments.last().map_or_else(Span::call_site, |s| s.ident.span());
            let names: Vec<syn::Ident> =
                (0..arity).map(|i| syn::Ident::new(&format!("__tapeless_x{i}"), span)).collect();
            Some(syn::parse_quote_spanned!(span=> |#(#names),*| #p(#(#names),*)))
        }
        _ => None,
    }
}

/// The statements of a helper's body with its early returns written as the `else` of their
/// `if` (`if n == 0 { return 0.0; } rest` as `if n == 0 { 0.0 } else { rest }`), and a loop's
/// `return v` (in the loop's own body, not a loop inside it) as a flag, the value and a `break`,
/// the statements after the loop running only if it did not return:
///
/// ```text
/// for .. { ..; if done { return x; } }; rest
///   =>  let mut __tapeless_returned0 = false; let mut __tapeless_return0 = placeholder();
///       for .. { ..; if done { __tapeless_return0 = x; __tapeless_returned0 = true; break; } }
///       if __tapeless_returned0 { __tapeless_return0 } else { rest }
/// ```
///
/// `None` if a `return` is left elsewhere. `depth` numbers the flags of nested rewrites.
fn returns_as_else(stmts: &[syn::Stmt], depth: usize, at: Span) -> Option<Vec<syn::Stmt>> {
    let returns = |s: &syn::Stmt| {
        let mut r = super::scan::Returns::default();
        syn::visit::Visit::visit_stmt(&mut r, s);
        r.found
    };
    for (i, stmt) in stmts.iter().enumerate() {
        if !returns(stmt) {
            continue;
        }
        let rest = returns_as_else(&stmts[i + 1..], depth + 1, at)?;
        let mut out = stmts[..i].to_vec();
        match stmt {
            // `if c { ..; return v; }` with no other `return` in it, and no `else`.
            syn::Stmt::Expr(Expr::If(guard), _) => {
                if guard.else_branch.is_some() {
                    return None;
                }
                let mut then = guard.then_branch.stmts.clone();
                let value = match then.pop()? {
                    syn::Stmt::Expr(Expr::Return(r), _) => r.expr.map_or_else(|| quote!(()), |v| quote!(#v)),
                    _ => return None,
                };
                if then.iter().any(returns) {
                    return None;
                }
                let cond = &guard.cond;
                out.push(syn::parse_quote_spanned!(at=> if #cond { #(#then)* #value } else { #(#rest)* }));
            }
            syn::Stmt::Expr(e @ (Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_)), _) => {
                let returned = quote::format_ident!("__tapeless_returned{}", depth, span = at);
                let value = quote::format_ident!("__tapeless_return{}", depth, span = at);
                let mut the_loop = e.clone();
                let write = |v: Option<Box<Expr>>, span: Span| -> Expr {
                    let v = v.map_or_else(|| quote!(()), |v| quote!(#v));
                    syn::parse_quote_spanned!(span=> { #value = #v; #returned = true; break; })
                };
                let mut flags = ReturnsAt::new(1, &write);
                flags.visit_expr_mut(&mut the_loop);
                if flags.stray {
                    return None;
                }
                out.push(syn::parse_quote_spanned!(at=> let mut #returned = false;));
                out.push(
                    syn::parse_quote_spanned!(at=> let mut #value = ::tapeless::__private::placeholder();),
                );
                out.push(syn::Stmt::Expr(the_loop, Some(Default::default())));
                // The loop's own condition for leaving was the user's (marked or constant); which
                // way it went is a flag, taken as written.
                out.push(syn::parse_quote_spanned!(at=> if ::tapeless::piecewise(#returned) { #value } else { #(#rest)* }));
            }
            _ => return None,
        }
        return Some(out);
    }
    Some(stmts.to_vec())
}

/// Each `return v` at `depth` loops (outside closures and nested items) written by `write`;
/// `stray` if one is at another depth, or a `?` is met.
struct ReturnsAt<'a> {
    depth: usize,
    write: &'a dyn Fn(Option<Box<Expr>>, Span) -> Expr,
    loops: usize,
    written: usize,
    stray: bool,
}

impl ReturnsAt<'_> {
    fn new(depth: usize, write: &dyn Fn(Option<Box<Expr>>, Span) -> Expr) -> ReturnsAt<'_> {
        ReturnsAt { depth, write, loops: 0, written: 0, stray: false }
    }
}

impl VisitMut for ReturnsAt<'_> {
    fn visit_expr_mut(&mut self, e: &mut Expr) {
        match e {
            Expr::Closure(_) => {}
            Expr::ForLoop(_) | Expr::While(_) | Expr::Loop(_) => {
                self.loops += 1;
                syn::visit_mut::visit_expr_mut(self, e);
                self.loops -= 1;
            }
            Expr::Try(_) => self.stray = true,
            Expr::Return(r) if self.loops == self.depth => {
                self.written += 1;
                *e = (self.write)(r.expr.take(), r.return_token.span);
            }
            Expr::Return(_) => self.stray = true,
            _ => syn::visit_mut::visit_expr_mut(self, e),
        }
    }
    fn visit_item_mut(&mut self, _: &mut syn::Item) {}
}

/// `block` with each `return v` (outside closures and nested items) written as the `else` of
/// its `if` or as a loop's flag ([`returns_as_else`]), or else as `break v` of a `loop` around the
/// body; the block as it is if it has none. `Err` for a `return` inside a loop within a loop of
/// the body (`break` would leave only the inner one) and for `?`.
fn leave_by_break(block: &syn::Block) -> Result<TokenStream, Unsupported<'static>> {
    let at = block.brace_token.span.join();
    if let Some(stmts) = returns_as_else(&block.stmts, 0, at) {
        let mut tries = Tries(false);
        syn::visit::Visit::visit_block(&mut tries, block);
        if !tries.0 {
            return Ok(quote!(#(#stmts)*));
        }
    }
    let mut block = block.clone();
    let write = |v: Option<Box<Expr>>, span: Span| -> Expr { syn::parse_quote_spanned!(span=> break #v) };
    let mut leaves = ReturnsAt::new(0, &write);
    leaves.visit_block_mut(&mut block);
    if leaves.stray {
        return Err(unsupported::HELPER_WITH_CLOSURE_LEAVES);
    }
    if leaves.written == 0 {
        let stmts = &block.stmts;
        return Ok(quote!(#(#stmts)*));
    }
    // The body's value is the `loop`'s, left by the last `break`.
    let Some(syn::Stmt::Expr(tail, None)) = block.stmts.pop() else {
        let stmts = &block.stmts;
        return Ok(quote!(loop { #(#stmts)* break; }));
    };
    let stmts = &block.stmts;
    Ok(quote!(loop { #(#stmts)* break #tail; }))
}

/// Whether `e` holds a `?` (outside closures and nested items).
pub(super) fn tries(e: &syn::Expr) -> bool {
    let mut tries = Tries(false);
    syn::visit::Visit::visit_expr(&mut tries, e);
    tries.0
}

/// Whether a `?` is visited (outside closures and nested items).
struct Tries(bool);

impl<'ast> syn::visit::Visit<'ast> for Tries {
    fn visit_expr_try(&mut self, _: &'ast syn::ExprTry) {
        self.0 = true;
    }
    fn visit_expr_closure(&mut self, _: &'ast syn::ExprClosure) {}
    fn visit_item(&mut self, _: &'ast syn::Item) {}
}
