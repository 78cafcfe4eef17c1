//! Derivative rules evaluated at run time.
//!
//! The macro's rule table (`diff-expand/src/rules.rs`) says, for each primitive, how its tangent
//! and adjoint are formed; where that needs a partial derivative, generated code calls the
//! function here named `<primitive>_d<argument index>`.

pub mod elementary;
pub mod products;
