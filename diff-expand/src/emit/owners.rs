//! How generated code holds values that are not `Copy`: the owner a `DVector`/`DMatrix` value's
//! name borrows (`let __o3 = ..; let __v3 = &__o3;`), and where such values cross the edges of
//! loops and branches (a loop's carry owns its value, an `if` yields owned values to owners of
//! its own), which an owner made inside would not outlive.

use proc_macro2::{Span, TokenStream};
use quote::{ToTokens, format_ident, quote, quote_spanned};

use super::{Input, is_heap, private};
use crate::ir::{Block, Carried, Form, Inst, Kind, Op, Value};

/// What a constant's field read in place by reference (`&self.w`) is, as an opaque value
/// (`lower::calls::method_operand`): held as the reference it is, with no owner.
pub const CONSTANT_FIELD: &str = "a constant's field read by reference";

/// The local that owns a dynamically sized matrix `__v3` refers to: `__o3`.
pub fn owner(v: Value) -> syn::Ident {
    format_ident!("__o{}", v.0, span = Span::mixed_site())
}

/// The owned local a dynamically sized matrix's reference borrows, if the function holds one:
/// `__o3` for a computed value, the parameter for one taken by value, none for one taken by
/// reference. A pullback moves it in and borrows it again (`let __v3 = &__o3;`).
pub fn heap_owner(input: &Input, inst: &Inst) -> Option<TokenStream> {
    let y = *inst.results.first()?;
    if !is_heap(input, y) {
        return None;
    }
    match &inst.op {
        Op::Param(i) => {
            let p = input.sig.params.get(*i)?;
            let ident = &p.ident;
            (!matches!(p.ty, syn::Type::Reference(_))).then(|| quote!(#ident))
        }
        _ if owns_itself(inst) => Some(owner(y).into_token_stream()),
        _ => None,
    }
}

/// Whether the emitted code holds a heap result of `inst` in an owner of its own (`__o3`): a
/// computed value, not a typed call result, a constant's field read in place or a parameter.
fn owns_itself(inst: &Inst) -> bool {
    match &inst.op {
        Op::Prim { form: Form::Typed(_), .. } => false,
        Op::Opaque { what: crate::ir::Opaque::Form(CONSTANT_FIELD), .. } => false,
        Op::Prim { .. } | Op::Opaque { .. } | Op::NoGrad(_) => true,
        _ => false,
    }
}

/// The lines that carry a loop variable from one iteration to the next (`__carry3`): before the
/// loop, at an iteration's start, at its end and after the loop.
#[derive(Default)]
pub struct CarryLines {
    pub init: TokenStream,
    pub enter: TokenStream,
    pub advance: TokenStream,
    pub exit: TokenStream,
}

impl CarryLines {
    /// One carried variable: `first` before the loop, `header` its name in an iteration, `next`
    /// its value at the iteration's end, `exit` its name after the loop. A `DVector`/`DMatrix`
    /// is read through references to an owner, and an owner made in an iteration ends with it:
    /// with `heap_next` (the new value owned, [`owned_next`]) the carry owns its value, and each
    /// iteration and the code after the loop read it by reference.
    pub fn add(
        &mut self,
        carry: &syn::Ident,
        (first, header): (TokenStream, &syn::Ident),
        (next, exit): (TokenStream, &syn::Ident),
        heap_next: Option<TokenStream>,
    ) {
        match heap_next {
            None => {
                self.init.extend(quote!(let mut #carry = #first;));
                self.enter.extend(quote!(let #header = #carry;));
                self.advance.extend(quote!(#carry = #next;));
                self.exit.extend(quote!(let #exit = #carry;));
            }
            Some(owned) => {
                let p = private();
                self.init.extend(quote!(let mut #carry = #p::owned(#first);));
                self.enter.extend(quote!(let #header = &#carry;));
                self.advance.extend(quote!(#carry = #owned;));
                self.exit.extend(quote!(let #exit = &#carry;));
            }
        }
    }
}

impl CarryLines {
    /// The value of the carried variable `c` of a loop (`body`, all its `carried` variables),
    /// `result` its name after the loop; as the forward and reverse emitters both write it.
    pub fn add_value(
        &mut self,
        input: &Input,
        body: &Block,
        carried: &[Carried],
        c: &Carried,
        result: Value,
    ) {
        let (header, next, exit) = (c.header.ident(), c.next.ident(), result.ident());
        let owned = is_heap(input, c.header)
            .then(|| owned_next(carried, c.next, owns_in(body, c.next), owner(c.next), quote!(#next)));
        let carry = super::forward::carry(c.header);
        self.add(&carry, (c.init.ident().into_token_stream(), &header), (quote!(#next), &exit), owned);
    }
}

/// The new value of a carried `DVector`/`DMatrix` at an iteration's end, owned: `held`, its
/// owner, moved when the loop's body `made_here` and no other carried variable takes the same
/// value; else a copy of `read` (`owned`).
pub fn owned_next(
    carried: &[Carried],
    next: Value,
    made_here: bool,
    held: syn::Ident,
    read: TokenStream,
) -> TokenStream {
    if made_here && carried.iter().filter(|c| c.next == next).count() == 1 {
        held.into_token_stream()
    } else {
        let p = private();
        quote!(#p::owned(#read))
    }
}

/// Whether `body` computes `v` with an owner of its own at its top level (`__o3`, which
/// [`owned_next`] may move).
fn owns_in(body: &Block, v: Value) -> bool {
    body.insts.iter().any(|i| {
        (i.results.first() == Some(&v) && owns_itself(i))
            || (matches!(i.op, Op::If { .. }) && i.results.contains(&v))
    })
}

/// A result of the function as returned: a dynamically sized matrix is cloned out of its
/// reference.
pub fn returned(input: &Input, v: Value, tokens: TokenStream) -> TokenStream {
    if is_heap(input, v) { quote!(::core::clone::Clone::clone(#tokens)) } else { tokens }
}

/// What a branch yields for `out`: its names, an owned array (`Vec`, `[T; N]`, one made anew in
/// place by `Op::Refill`) as a copy, since it stays readable after the branch (the top-level
/// array whose adjoint and tangent are declared from it, a zero tangent made from it).
pub fn branch_yields(input: &Input, out: &[Value]) -> Vec<TokenStream> {
    out.iter()
        .map(|v| {
            let i = v.ident();
            if owned_array(input, *v) {
                quote!(::core::clone::Clone::clone(&#i))
            } else if is_heap(input, *v) {
                let p = private();
                quote!(#p::owned(#i))
            } else {
                quote!(#i)
            }
        })
        .collect()
}

/// The names an `if` binds `results` to (`name`), and the lines after it. A `DVector`/`DMatrix`
/// is read through references to an owner, and an owner made in a branch ends with it: each
/// branch yields it owned ([`branch_yields`]), the `if` binds it to an owner of its own (`owner`),
/// and its name borrows that.
pub fn merged_names(
    input: &Input,
    results: &[Value],
    name: fn(Value) -> syn::Ident,
    owner: fn(Value) -> syn::Ident,
) -> (Vec<TokenStream>, TokenStream) {
    let mut after = TokenStream::new();
    let pattern = results
        .iter()
        .map(|v| {
            let n = name(*v);
            if is_heap(input, *v) {
                let o = owner(*v);
                after.extend(quote!(let #n = &#o;));
                o.into_token_stream()
            } else {
                n.into_token_stream()
            }
        })
        .collect();
    (pattern, after)
}

/// An array held by value (not a slice, which is a copied reference, nor a record).
pub fn owned_array(input: &Input, v: Value) -> bool {
    matches!(input.f.info(v).kind, Kind::Array(crate::ir::ArrayKind::Vec | crate::ir::ArrayKind::Fixed))
}

/// `let (pattern..) = if cond { then_code (then_items..) } else { else_code (else_items..) };`:
/// the shape both emitters give an `if`, whose branches yield their merged values (and, per
/// mode, tangents or the trace).
pub struct IfLet {
    pub pattern: Vec<TokenStream>,
    pub then_code: TokenStream,
    pub then_items: Vec<TokenStream>,
    pub else_code: TokenStream,
    pub else_items: Vec<TokenStream>,
    /// Lines after the `if`: names borrowing the owners the pattern binds ([`merged_names`]).
    pub after: TokenStream,
}

impl IfLet {
    pub fn emit(self, cond: Value, span: Span) -> TokenStream {
        let IfLet { pattern, then_code, then_items, else_code, else_items, after } = self;
        let cond = cond.ident();
        quote_spanned!(span=>
            let (#(#pattern,)*) = if #cond { #then_code (#(#then_items,)*) } else { #else_code (#(#else_items,)*) };
            #after
        )
    }
}
