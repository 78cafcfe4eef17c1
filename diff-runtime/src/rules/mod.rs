//! Derivative rules evaluated at run time.
//!
//! The macro's rule table (`diff-expand/src/rules/mod.rs`) says, for each primitive, how its
//! tangent and adjoint are formed. Where that needs a partial derivative of a smooth rule,
//! generated code calls the function in [`elementary`] named `<primitive>_d<argument index>`;
//! the adjoints of products and quotients, which depend on the operand types, are the traits of
//! [`products`]; `linear` (private) has the runtime half of sums, casts and overwrites.

pub mod elementary;
pub(crate) mod linear;
pub mod products;
