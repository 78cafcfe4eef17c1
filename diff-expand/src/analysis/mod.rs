//! What is known of the IR before anything is emitted, computed once per function in
//! `expand.rs`: activity (which values carry derivatives, [`activity`]) and the side tables the
//! emitters read: the values known to be floats ([`scalars`]), the static nalgebra vectors built
//! by index ([`static_vectors`]), and the arrays and matrix
//! products only summed ([`summed_arrays`], [`summed_products`]). Every table is read off the
//! IR, never off emitted tokens.

pub mod activity;
mod scalars;
mod summed;

pub use scalars::{float_type, scalars, static_vectors, typed_floats};
pub use summed::{summed_arrays, summed_products};
