//! Statements of derivative code. Each is made of [`Term`]s and names, and
//! `emit::term::statement` prints it.
//!
//! The reverse sweep builds its straight-line code from these: declarations of adjoints (`let
//! mut ā = 0`), additions into them, updates in place of an element, a field or a part of an
//! adjoint (`accumulate(&mut ā[i], ȳ)`, `ā.view_mut(..) += ȳ`), the adjoint of an overwrite taken
//! out (`let t = take(&mut ā[i])`), a callee's reverse mode called again in the sweep, and a
//! backward iteration's pop. The primal sweep's pushes onto a loop's stack, and the seed, the
//! arrays' adjoints and the gradient around the sweeps, are statements too.

use proc_macro2::TokenStream;

use super::{Term, Value};

/// One statement of the adjoint sweep.
#[derive(Clone, Debug)]
pub enum Statement {
    /// `let pattern = value;`, `let mut ..` when `mutable`, `let pattern: ty = ..` when typed.
    Let { pattern: Pattern, mutable: bool, ty: Option<Box<syn::Type>>, value: Term },
    /// `place = value;`
    Set { place: Term, value: Term },
    /// `place += value;` (a `DVector`'s entry, a view of a part).
    AddTo { place: Term, value: Term },
    /// An expression evaluated for its effect: a runtime call that updates an adjoint in place
    /// (`accumulate(&mut ā[i], ȳ)`, `add_to_each(&mut ā, ȳ)`).
    Effect(Term),
    /// `{ .. }`: statements whose names end with the block.
    Scope(Vec<Statement>),
    /// `if cond { .. }`.
    When { cond: Term, then: Vec<Statement> },
    /// Every element of an array's adjoint set to zero in place (the array is made anew).
    ZeroEach { array: Term, element: syn::Ident },
    /// `let (_, pullback) = call;`: a callee's reverse mode run in the sweep, `call` being the
    /// primal call's callee (with its `_vjp` suffix), arguments and unwrapping as the primal
    /// sweep wrote them.
    Rerun { pullback: syn::Ident, call: TokenStream },
    /// `let Some((names,)) = stack.pop() else { break };`: at the head of a backward iteration,
    /// what the primal iteration pushed on the loop's stack (the loop ends when it is empty).
    Pop { stack: syn::Ident, names: Vec<syn::Ident> },
}

/// What a `let` binds.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// A name the emitter owns.
    Name(syn::Ident),
    /// A value's adjoint (`__a3`).
    Adjoint(Value),
    /// `(a, b, ..,)`: several names at once (a tuple of one is `(a,)`, as [`Term::Tuple`]
    /// writes it).
    Tuple(Vec<Pattern>),
}

impl Statement {
    /// `let pattern = value;`.
    pub fn bind(pattern: Pattern, value: Term) -> Statement {
        Statement::Let { pattern, mutable: false, ty: None, value }
    }

    /// `let pattern: ty = value;`.
    pub fn bind_typed(pattern: Pattern, ty: syn::Type, value: Term) -> Statement {
        Statement::Let { pattern, mutable: false, ty: Some(Box::new(ty)), value }
    }

    /// `let mut pattern = value;`.
    pub fn bind_mut(pattern: Pattern, value: Term) -> Statement {
        Statement::Let { pattern, mutable: true, ty: None, value }
    }

    /// `accumulate(&mut place, value);`: `value` added into `place`, whatever the adjoint's type.
    pub fn accumulate(place: Term, value: Term) -> Statement {
        Statement::Effect(Term::runtime("accumulate", vec![place.by_mut(), value]))
    }
}
