//! The pipeline: parse, lower, analyse, check, emit. Parsing never emits code; emitting never
//! reports user errors.

use std::collections::{HashMap, HashSet};

use proc_macro2::TokenStream;
use quote::quote;

use crate::analysis::{self, activity};
use crate::ctxt::Ctxt;
use crate::emit::{self, Input};
use crate::{args, check, fallback, lower, signature};

/// Expands `#[differentiable(attr)] item`. Never panics: bad input gives spanned errors.
pub fn differentiable(attr: TokenStream, item: TokenStream) -> TokenStream {
    let item_fn: syn::ItemFn = match syn::parse2(item.clone()) {
        Ok(f) => f,
        Err(e) => {
            if let Ok(block) = syn::parse2::<syn::ItemImpl>(item.clone()) {
                return crate::impls::expand(attr, block);
            }
            let msg = syn::Error::new(
                e.span(),
                "`#[differentiable]` applies to a function, a method or an `impl` block",
            )
            .to_compile_error();
            return quote!(#item #msg);
        }
    };
    // `#[differentiable]` twice: each would generate the same items (rustc's E0428 in generated
    // code). The second is reported, and the function kept as written.
    if let Some(i) = crate::impls::own_attribute(&item_fn.attrs) {
        let mut item_fn = item_fn;
        let twice = item_fn.attrs.remove(i);
        let message = crate::diagnostics::Diagnostic::AttributeTwice.message();
        let msg = crate::diagnostics::error_at(crate::ir::Loc::of(&twice), message).to_compile_error();
        return quote!(#item_fn #msg);
    }
    // A method of a trait impl whose block has no attribute: its items cannot go into the trait
    // impl (rustc's E0407 in generated code). Reported, the method kept as written.
    if signature::registry::in_trait_impl(&item_fn.sig.ident.to_string(), item_fn.sig.inputs.len()) {
        let name = item_fn.sig.ident.to_string();
        let message = crate::diagnostics::Diagnostic::TraitImplMethod { name }.message();
        let msg =
            crate::diagnostics::error_at(crate::ir::Loc::of(&item_fn.sig.ident), message).to_compile_error();
        return quote!(#item_fn #msg);
    }
    // A helper that takes a closure is inlined where a differentiated function calls it with
    // one (`signature::higher_order`); its own items are generated as any function's (a
    // closure it calls on constants only is a constant).
    if signature::higher_order::takes_closure(&item_fn.sig) {
        signature::higher_order::record(&item_fn);
    }
    // A function writing its results through `&mut` slices: kept as written, and its twin
    // `NAME_out` (old contents to new ones, `signature::outputs`) differentiated instead.
    if let Some(twin) = signature::outputs::twin(&item_fn) {
        signature::outputs::record(&item_fn);
        let generated = differentiable(attr, quote!(#twin));
        let mut item_fn = item_fn;
        item_fn.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
        return quote!(#item_fn #generated);
    }
    let mut floats = signature::float_params(&item_fn.sig.generics);
    // A method of `impl<T: Float> Model<T>` whose block has no attribute: the block's float
    // type parameters, as the prescan read them (the method's own tokens do not show them).
    for t in signature::registry::impl_floats(&item_fn.sig.ident.to_string(), item_fn.sig.inputs.len()) {
        if !floats.contains(&t) {
            floats.push(t);
        }
    }
    // A function without `self`: what it differentiates is recorded for the calls expanded
    // after it, with a marker constant they name (`signature::registry`).
    // Its result type, where a caller's untyped `let` of a call needs it (`signature::results`).
    if item_fn.sig.receiver().is_none() {
        signature::results::record(&item_fn.sig);
    }
    let marker = if let Some(wrt) = signature::registry::of_function(&item_fn, &attr) {
        signature::registry::record_with_marker(&item_fn.vis, &item_fn.sig.ident, &wrt)
    } else {
        // A method with `self` and a `wrt(..)` list: its marker method, beside it in its `impl`.
        match signature::siblings::of_method(&item_fn.sig, &attr, None) {
            Some(wrt) if item_fn.sig.receiver().is_some() => crate::impls::method_marker(&item_fn, &wrt),
            _ => TokenStream::new(),
        }
    };
    let generated = signature::with_float_params(&floats, || expand(&item_fn, attr, &floats));
    // The generated items use the function (they compute it), but rustc cannot see that: one
    // called only through `f_grad` would be reported as never used.
    let mut item_fn = item_fn;
    item_fn.attrs.push(syn::parse_quote!(#[allow(dead_code)]));
    quote!(#item_fn #marker #generated)
}

/// `item_fn` as the generated items (and the stubs on error) are written: with what the runtime
/// needs of each float type parameter added to its `where` clause (the user's function stays as
/// written).
fn bounded(item_fn: &syn::ItemFn, floats: &[syn::Ident]) -> syn::ItemFn {
    let mut bounded = item_fn.clone();
    if !floats.is_empty() {
        let where_clause = bounded.sig.generics.make_where_clause();
        for t in floats {
            where_clause.predicates.push(syn::parse_quote!(#t: ::tapeless::__private::Floating));
        }
    }
    bounded
}

/// The generated items of a helper `fn` declared in a differentiated body, as if it had the
/// attribute with `hessian` as given; `None`, with nothing reported, if it cannot be
/// differentiated (a helper of integers).
pub(crate) fn nested(item_fn: &syn::ItemFn, hessian: bool) -> Option<TokenStream> {
    let floats = signature::float_params(&item_fn.sig.generics);
    signature::with_float_params(&floats, || {
        let cx = Ctxt::default();
        let args = args::Args { hessian, ..Default::default() };
        let generated = signature::analyse(&item_fn.sig, &args, &cx)
            .and_then(|sig| generate(&bounded(item_fn, &floats), &sig, (hessian, false), &cx));
        // Errors of a helper that is not differentiated are not the user's: dropped.
        cx.take().is_none().then_some(generated)?
    })
}

/// [`differentiable`] once the item is parsed, with its float type parameters known: the
/// generated items (or, on error, the errors and stubs), without the function itself.
pub(crate) fn expand(item_fn: &syn::ItemFn, attr: TokenStream, floats: &[syn::Ident]) -> TokenStream {
    // `fn f(&[x, y]: &[f64; 2])`: the generated items name the parameter (`signature::patterns`).
    let (unnamed, named) = (item_fn, signature::patterns::named(item_fn));
    let item_fn = named.as_ref().unwrap_or(item_fn);
    let bounded = bounded(item_fn, floats);
    let cx = Ctxt::default();
    let mut args = args::parse(attr).unwrap_or_else(|e| {
        cx.syn_error(e);
        args::Args::default()
    });
    // `wrt(x, y)` of `&[x, y]: ..`, by the name the pattern's parameter has now.
    if let (Some(_), Some(wrt)) = (&named, &mut args.wrt) {
        *wrt = signature::pattern_wrt(&unnamed.sig, wrt, &cx);
    }
    let analysed =
        signature::patterns::with_written(&unnamed.sig, || signature::analyse(&item_fn.sig, &args, &cx));
    let Some(sig) = analysed else {
        return fallback::emit(
            item_fn,
            &bounded.sig.generics,
            None,
            (false, false),
            cx.take().unwrap_or_else(|| syn::Error::new(item_fn.sig.ident.span(), "unsupported function")),
        );
    };
    let generated = if args.jvp.is_some() || args.vjp.is_some() {
        use crate::diagnostics::Diagnostic;
        let declared = "declared derivatives (`jvp = ..`, `vjp = ..`)".to_string();
        let asked = [
            (
                args.hessian,
                Diagnostic::SecondOrder {
                    what: declared.clone(),
                    help: crate::diagnostics::unsupported::DECLARED_SECOND_ORDER_HELP,
                },
            ),
            (
                args.jacobian,
                Diagnostic::Jacobian {
                    what: declared + " yet",
                    help: crate::diagnostics::unsupported::DECLARED_JACOBIAN_HELP,
                },
            ),
        ];
        for (_, diagnostic) in asked.into_iter().filter(|(asked, _)| *asked) {
            cx.error(crate::ir::Loc::of(&item_fn.sig.ident), diagnostic);
        }
        crate::custom::generate(&bounded, &sig, &args, &cx)
    } else {
        generate(&bounded, &sig, (args.hessian, args.jacobian), &cx)
    };
    match (cx.take(), generated) {
        (None, Some(generated)) => generated,
        (error, _) => fallback::emit(
            item_fn,
            &bounded.sig.generics,
            Some(&sig),
            (args.hessian, args.jacobian),
            error.unwrap_or_else(|| syn::Error::new(item_fn.sig.ident.span(), "unsupported function")),
        ),
    }
}

/// How many rounds of writing out functions without the attribute (one called from the body of
/// another written out is found in the next round).
const PLAIN_ROUNDS: usize = 8;

/// The lowering of `item_fn` and its activity, with every call of a function of this file
/// without the attribute on a differentiable value (`check::plain_calls`) written out where it
/// is called, as a helper that takes a closure is (`lower::higher_order`), if that lowers
/// without a problem; otherwise the lowering as it is, whose check then reports the call ("put
/// `#[differentiable]` on it"). A lowering that fails (a row of a nested array passed to such
/// a function) is tried again with every such function it calls written out. A body using an
/// operator or method of the crate's own types (`lower::typed`) is lowered with those written
/// out too, the same way.
fn lower_body(
    item_fn: &syn::ItemFn,
    sig: &signature::Signature,
    wrt: &[bool],
    cx: &Ctxt,
) -> (lower::Lowered, activity::Activity) {
    // Its module's functions without the attribute are the ones it may write out.
    signature::higher_order::set_caller(&item_fn.sig.ident.to_string());
    let first_cx = Ctxt::default();
    let lowered = lower::lower(&item_fn.block, sig, &first_cx);
    let activity = activity::analyse(&lowered.function, wrt);
    let unknown = check::unknown_calls(&lowered.function, &activity);
    // A lowering with `names` written out, if it has no problem and calls no function of
    // another crate the first does not.
    let written_out = |names: &HashSet<String>| {
        let scratch = Ctxt::default();
        let lowered = lower::lower_writing_out(&item_fn.block, sig, names, &scratch);
        let activity = activity::analyse(&lowered.function, wrt);
        let clean =
            !scratch.has_errors() && check::unknown_calls(&lowered.function, &activity).is_subset(&unknown);
        clean.then(|| {
            cx.adopt_notes(&scratch);
            (lowered, activity)
        })
    };
    let mut current = (lowered, activity);
    let mut names = HashSet::new();
    // Operators and methods of the crate's own types on values whose type the syntax shows
    // (`lower::typed`): written out wherever the body uses one (on a differentiable value the
    // operator is not otherwise followed).
    let typed = lower::uses_typed(&item_fn.block, sig);
    if first_cx.has_errors() {
        names = lower::plain_called(&item_fn.block);
        if typed {
            names.insert(lower::TYPED.to_string());
        }
        match (!names.is_empty()).then(|| written_out(&names)).flatten() {
            Some(lowered) => current = lowered,
            _ => {
                cx.absorb(first_cx);
                return current;
            }
        }
    } else {
        cx.absorb(first_cx);
        if typed {
            names.insert(lower::TYPED.to_string());
            match written_out(&names) {
                Some(lowered) => current = lowered,
                None => names.clear(),
            }
        }
    }
    for _ in 0..PLAIN_ROUNDS {
        let more: Vec<String> = check::plain_calls(&current.0.function, &current.1)
            .into_iter()
            .filter(|n| !names.contains(n))
            .collect();
        if more.is_empty() {
            break;
        }
        names.extend(more);
        match written_out(&names) {
            Some(lowered) => current = lowered,
            None => break,
        }
    }
    current
}

/// The generated items of `item_fn` (`_jvp`, `_vjp`, `_grad`, with `hessian` `_hvp` and
/// `_hessian`, with `jacobian` `_jacobian`), or `None` with the problems
/// reported into `cx`. Also used for the scalar function of a closure given to `map`.
pub fn generate(
    item_fn: &syn::ItemFn,
    sig: &signature::Signature,
    (hessian, jacobian): (bool, bool),
    cx: &Ctxt,
) -> Option<TokenStream> {
    let errors_before = cx.has_errors();
    // `rng: &mut R` with `hessian` or `jacobian`: those items evaluate the function once per
    // direction (or per block of directions), each time drawing from `rng` anew, so their
    // columns would come from different samples.
    if let Some(p) = sig.params.iter().find(|p| signature::mutable_ref(&p.ty)) {
        use crate::diagnostics::Diagnostic;
        let what = format!("a `&mut` parameter (`{}`)", p.ident);
        let help = crate::diagnostics::unsupported::MUT_PARAMETER_PER_DIRECTION_HELP;
        if hessian {
            cx.error(crate::ir::Loc::of(&p.ident), Diagnostic::SecondOrder { what: what.clone(), help });
        }
        if jacobian {
            cx.error(crate::ir::Loc::of(&p.ident), Diagnostic::Jacobian { what, help });
        }
    }
    // A signature the attribute cannot read (a parameter's type it cannot tell) leaves the body
    // unread: its errors would follow from that one.
    if errors_before {
        return None;
    }
    with_input(item_fn, sig, cx, |input| {
        // Its siblings called as `f_..` or `Self::f_..`: which one, the prescan (read by
        // `lower_body`) could not tell.
        let asked = [(hessian, "hessian"), (jacobian, "jacobian")];
        if let Some((_, item)) = asked.into_iter().find(|(asked, _)| *asked)
            && crate::emit::same_name_reported(sig, item, cx)
        {
            return None;
        }
        // Floats, their tangents and their adjoints.
        let floats = emit::tokens::ValueNames { values: &input.scalars, kinds: b"vta" };
        // The values whose float type is sure, and that type, for the declarations' annotations.
        let typed = analysis::float_type(item_fn, sig).map(|t| (analysis::typed_floats(input.f, sig, &t), t));
        let typed_names =
            |kinds| typed.as_ref().map(|(values, t)| (emit::tokens::ValueNames { values, kinds }, t));
        let forward = emit::scopes::flatten(emit::forward::emit(input), floats, typed_names(b"vta"), true);
        let grad_calls_vjp = emit::reverse::grad_calls_vjp(input, hessian);
        let reverse = emit::scopes::flatten(
            emit::reverse::emit(input, grad_calls_vjp),
            floats,
            typed_names(b"vta"),
            !hessian,
        );
        let second = if hessian {
            // `_hvp` printed as forward mode over the adjoint program where that covers the
            // function (`emit::reverse::tangent`), else the dual-number copy's.
            let printed = emit::reverse::tangent::hvp(input).map(|hvp| {
                let floats = emit::tokens::ValueNames { values: &input.scalars, kinds: b"vtah" };
                emit::scopes::flatten(hvp, floats, typed_names(b"vtah"), true)
            });
            crate::second::generate(input, &reverse, printed, cx)?
        } else {
            TokenStream::new()
        };
        let jacobian = if jacobian {
            // The lanes copy of `_jvp`: its tangents are not floats, so only the values (and
            // adjoints) are typed.
            let lanes = crate::jacobian::lanes::eligible(input).then(|| {
                let lanes = Input {
                    uses: input.uses.clone(),
                    summed: HashMap::new(),
                    summed_products: HashMap::new(),
                    scalars: input.scalars.clone(),
                    static_vectors: input.static_vectors.clone(),
                    lanes: true,
                    ..*input
                };
                emit::scopes::flatten(emit::forward::emit(&lanes), floats, typed_names(b"va"), false)
            });
            crate::jacobian::generate(input, lanes, cx)?
        } else {
            TokenStream::new()
        };
        Some(quote!(#forward #reverse #second #jacobian))
    })
}

/// Lowers, checks and analyses the body of `item_fn`, then calls `then` with what the emitters
/// read; `None` (the errors in `cx`) if the body has errors.
fn with_input<R>(
    item_fn: &syn::ItemFn,
    sig: &signature::Signature,
    cx: &Ctxt,
    then: impl FnOnce(&Input) -> Option<R>,
) -> Option<R> {
    let wrt: Vec<bool> = sig.params.iter().map(|p| p.wrt).collect();
    let (lowered, activity) = lower_body(item_fn, sig, &wrt, cx);
    let lowering_failed = cx.has_errors();
    check::check(&lowered.function, sig, &activity, !lowering_failed, cx);
    if cx.has_errors() {
        return None;
    }
    let uses = lowered.function.uses();
    let mut input = Input {
        item: item_fn,
        sig,
        f: &lowered.function,
        act: &activity,
        items: &lowered.items,
        uses,
        summed: HashMap::new(),
        summed_products: HashMap::new(),
        scalars: analysis::scalars(&lowered.function, sig),
        static_vectors: analysis::static_vectors(&lowered.function),
        lanes: false,
    };
    // A float a `map` closure reads is passed to its scalar function as the element type: a
    // static vector (also `Kind::Float`) cannot be.
    if let Some((_, at, name)) = lowered.map_captures.iter().find(|(v, ..)| !input.scalars.contains(v)) {
        let what = format!("reading `{name}` inside the closure of `map`");
        let help = crate::diagnostics::unsupported::MAP_CAPTURE_HELP;
        cx.error(*at, crate::diagnostics::Diagnostic::Unsupported { what, help });
        return None;
    }
    input.summed = analysis::summed_arrays(&input).into_iter().collect();
    input.summed_products = analysis::summed_products(&input);
    then(&input)
}

/// The plan of the reverse sweep of `item` (a function; `attr`: the attribute's arguments),
/// printed one line per branch and loop (`emit::reverse::plan`), or the first error's text. For
/// the tests and the `expand` example's `--plan`.
///
/// ```
/// use std::str::FromStr;
/// let f = "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i] * x[i]; } s }";
/// let plan = diff_expand::reverse_plan(Default::default(), proc_macro2::TokenStream::from_str(f).unwrap());
/// // Each backward iteration only adds into `x̄`, so it runs forward and reads `x[i]` again.
/// assert_eq!(plan, "loop v4: forward; pops nothing; recomputes v6, v7\n");
/// ```
pub fn reverse_plan(attr: TokenStream, item: TokenStream) -> String {
    reverse_dump(attr, item, emit::reverse::plan)
}

/// The adjoint program of the reverse sweep of `#[differentiable(attr)] item` once planned,
/// one statement per line (`emit::reverse::program`): each `match` on a branch's trace with
/// what its arms saved, each backward loop with the values it pops and recomputes. Or the
/// first error's text. For the tests and the `expand` example's `--adjoint`.
///
/// ```
/// use std::str::FromStr;
/// let f = "fn f(x: &[f64]) -> f64 { let mut s = 0.0; for i in 0..x.len() { s += x[i] * x[i]; } s }";
/// let program = diff_expand::reverse_program(Default::default(), proc_macro2::TokenStream::from_str(f).unwrap());
/// // The backward loop recomputes `x[i]` (`__v6`) and its square before adding into `x̄`.
/// assert!(program.contains("loop __v4 forward\n  recompute __v6, __v7\n"), "{program}");
/// ```
pub fn reverse_program(attr: TokenStream, item: TokenStream) -> String {
    reverse_dump(attr, item, emit::reverse::program)
}

/// What `dump` prints of the reverse sweep of `#[differentiable(attr)] item`, or the first
/// error's text.
fn reverse_dump(attr: TokenStream, item: TokenStream, dump: fn(&emit::Input) -> String) -> String {
    let item_fn: syn::ItemFn = match syn::parse2(item) {
        Ok(f) => f,
        Err(e) => return format!("error: {e}"),
    };
    let args = match args::parse(attr) {
        Ok(args) => args,
        Err(e) => return format!("error: {e}"),
    };
    let floats = signature::float_params(&item_fn.sig.generics);
    signature::with_float_params(&floats, || {
        let cx = Ctxt::default();
        let out = signature::analyse(&item_fn.sig, &args, &cx)
            .and_then(|sig| with_input(&bounded(&item_fn, &floats), &sig, &cx, |input| Some(dump(input))));
        match (out, cx.take()) {
            (Some(out), None) => out,
            (_, e) => format!(
                "error: {}",
                e.map(|e| e.to_string()).unwrap_or_default().lines().next().unwrap_or("")
            ),
        }
    })
}
