//! The methods of the `impl` block being expanded whose attribute lists `wrt(..)`: a call of
//! one (`self.nll(x)`) passes tangents, and takes cotangents back, for exactly the parameters
//! it differentiates. Without this table a call passes one for every argument that may be a
//! float (`emit::call_slots`), which a callee differentiating fewer rejects with rustc's arity
//! error in generated code.
//!
//! A proc macro expands one item at a time on one thread, so, like the float type parameters
//! (`with_float_params`), the table is the context of the methods of one block
//! (`impls::expand`).

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};

/// What a method differentiates: its receiver, and each of its other parameters, in order
/// (with their names, for the error when a call would lose a derivative).
#[derive(Clone, Debug, PartialEq)]
pub struct Wrt {
    pub receiver: bool,
    /// Whether the method takes `self` by value (its pullback then borrows nothing of the
    /// receiver).
    pub by_value: bool,
    pub params: Vec<bool>,
    pub names: Vec<String>,
    /// Whether the attribute asks for `hessian`, which generates the dual copy of `_vjp` that
    /// a second-order caller composes through.
    pub hessian: bool,
    /// Whether the method returns `Self` (`fn step(&self, dt: f64) -> Self`, or the block's type
    /// by name, `-> State` in `impl State`): its result is a
    /// record of the receiver's type, whose methods compose in turn (`s.step(dt).step(dt)`).
    pub returns_self: bool,
}

thread_local! {
    static SIBLINGS: RefCell<HashMap<String, Wrt>> = RefCell::new(HashMap::new());
    /// The block's differentiated methods without a `wrt(..)` list.
    static UNLISTED: RefCell<HashSet<String>> = RefCell::new(HashSet::new());
    /// The name of the block's type (`Spring` of `impl Spring`).
    static SELF_TYPE: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// The name of the type of the `impl` block being expanded, if one is.
pub fn self_type() -> Option<String> {
    SELF_TYPE.with(|s| s.borrow().clone())
}

/// Runs `f` with `siblings` as the methods whose differentiated parameters are known,
/// `unlisted` as the block's other differentiated methods (every float parameter
/// differentiated, no `wrt(..)`), and `self_type` as the name of the block's type.
pub fn with_siblings<R>(
    siblings: HashMap<String, Wrt>,
    unlisted: HashSet<String>,
    self_type: Option<String>,
    f: impl FnOnce() -> R,
) -> R {
    let previous = SIBLINGS.with(|s| std::mem::replace(&mut *s.borrow_mut(), siblings));
    let previous_unlisted = UNLISTED.with(|s| std::mem::replace(&mut *s.borrow_mut(), unlisted));
    let previous_type = SELF_TYPE.with(|s| std::mem::replace(&mut *s.borrow_mut(), self_type));
    let result = f();
    SIBLINGS.with(|s| *s.borrow_mut() = previous);
    UNLISTED.with(|s| *s.borrow_mut() = previous_unlisted);
    SELF_TYPE.with(|s| *s.borrow_mut() = previous_type);
    result
}

/// Whether `name` is a differentiated method of the block being expanded without a `wrt(..)`
/// list. A call `self.name(..)` is its: the record of another type's method of that name
/// (`signature::registry`, with its marker) is not (rustc's "no method named
/// `__tapeless_wrt_energy_0_1`" where a crate had both).
pub fn unlisted(name: &str) -> bool {
    UNLISTED.with(|s| s.borrow().contains(name))
}

/// What the method `name` of the block being expanded differentiates, if its attribute says.
pub fn sibling(name: &str) -> Option<Wrt> {
    SIBLINGS.with(|s| s.borrow().get(name).cloned())
}

/// The entry of a method whose attribute arguments (`args`) list `wrt(..)`; `None` otherwise
/// (every float parameter is differentiated: what a call assumes anyway) or if they do not parse
/// (the method's own expansion reports that).
pub fn of_method(
    sig: &syn::Signature,
    args: &proc_macro2::TokenStream,
    self_ty: Option<&syn::Type>,
) -> Option<Wrt> {
    let args: crate::args::Args = syn::parse2(args.clone()).ok()?;
    let wrt = args.wrt?;
    let listed = |name: &str| wrt.iter().any(|w| w == name);
    let (mut receiver, mut by_value) = (false, false);
    let (mut params, mut names) = (Vec::new(), Vec::new());
    for input in &sig.inputs {
        match input {
            syn::FnArg::Receiver(r) => {
                receiver = listed("self");
                by_value = r.reference.is_none();
            }
            syn::FnArg::Typed(t) => {
                let name = match &*t.pat {
                    syn::Pat::Ident(p) => p.ident.to_string(),
                    _ => String::new(),
                };
                params.push(!name.is_empty() && listed(&name));
                names.push(name);
            }
        }
    }
    // `-> Self`, or the block's type by name (`-> State` in `impl State`).
    let returns_self = match &sig.output {
        syn::ReturnType::Type(_, ty) => {
            matches!(&**ty, syn::Type::Path(p) if p.qself.is_none() && p.path.is_ident("Self"))
                || self_ty.is_some_and(|s| quote::quote!(#s).to_string() == quote::quote!(#ty).to_string())
        }
        syn::ReturnType::Default => false,
    };
    Some(Wrt { receiver, by_value, params, names, hessian: args.hessian, returns_self })
}

/// `self.name(..)` in a method of the block, calling a method of the block whose attribute
/// lists `wrt(..)`: the receiver's value and what the callee differentiates.
pub fn call(
    f: &crate::ir::Function,
    sig: &super::Signature,
    callee: &crate::ir::Callee,
) -> Option<(crate::ir::Value, Wrt)> {
    use crate::ir::{Callee, Op};
    let Callee::Method { receiver, name, .. } = callee else { return None };
    // The table first: it is empty outside an `impl` block, and the walks below are not free.
    let wrt = sibling(&name.to_string())?;
    // `self`: parameter 0 when differentiated (`wrt(self, ..)`), else a constant kept as written.
    let differentiated = sig.params.first().is_some_and(|p| p.receiver)
        && f.body.insts.iter().any(|i| matches!(i.op, Op::Param(0)) && i.results.first() == Some(receiver));
    let constant = || {
        f.body.walk().iter().any(|i| {
            i.results.first() == Some(receiver)
                && matches!(&i.op, Op::Opaque { tokens, .. } if tokens.to_string() == "self")
        })
    };
    (sig.receiver.is_some() && (differentiated || constant())).then_some((*receiver, wrt))
}
