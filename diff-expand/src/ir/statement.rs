//! Statements of derivative code: what the adjoint sweep does besides adding a term to an
//! adjoint. Each is made of [`Term`]s and names, and `emit::term::statement` prints it.
//!
//! The reverse sweep builds its straight-line code from these: declarations of adjoints (`let
//! mut ā = 0`), updates in place of an element, a field or a part of an adjoint
//! (`accumulate(&mut ā[i], ȳ)`, `ā.view_mut(..) += ȳ`), the adjoint of an overwrite taken out
//! (`let t = take(&mut ā[i])`), and a callee's reverse mode called again in the sweep.

use proc_macro2::TokenStream;

use super::{Term, Value};

/// One statement of the adjoint sweep.
#[derive(Clone, Debug)]
pub enum Statement {
    /// `let pattern = value;`, `let mut ..` when `mutable`.
    Let { pattern: Pattern, mutable: bool, value: Term },
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
}

/// What a `let` binds.
#[derive(Clone, Debug)]
pub enum Pattern {
    /// A name the emitter owns.
    Name(syn::Ident),
    /// A value's adjoint (`__a3`).
    Adjoint(Value),
    /// `(a, b, ..)`: several names at once.
    Tuple(Vec<Pattern>),
}

impl Statement {
    /// `let pattern = value;`.
    pub fn bind(pattern: Pattern, value: Term) -> Statement {
        Statement::Let { pattern, mutable: false, value }
    }

    /// `let mut pattern = value;`.
    pub fn bind_mut(pattern: Pattern, value: Term) -> Statement {
        Statement::Let { pattern, mutable: true, value }
    }

    /// `accumulate(&mut place, value);`: `value` added into `place`, whatever the adjoint's type.
    pub fn accumulate(place: Term, value: Term) -> Statement {
        Statement::Effect(Term::runtime("accumulate", vec![place.by_mut(), value]))
    }
}
