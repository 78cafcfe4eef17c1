//! The attribute's output must not depend on names the user can shadow: std prelude types,
//! `core`, runtime item names, local bindings named like `f64` methods, or our own generated
//! names.
#![allow(dead_code, non_camel_case_types, clippy::all)]

mod common;

mod shadowed {
    // Shadow the prelude and crate names generated code might lean on.
    pub struct Result;
    pub struct Option;
    pub struct Vec;
    pub struct Box;
    pub struct FnOnce;
    pub struct f32;
    pub mod core {}
    pub mod std {}
    pub fn zero_tangent() {}
    pub fn accumulate() {}
    pub fn seed_one() {}

    use tapeless::differentiable;

    #[differentiable]
    pub fn f(x: ::core::primitive::f64, dx: ::core::primitive::f64) -> ::core::primitive::f64 {
        // Locals named like methods, runtime helpers and generated names.
        let sin = x.sin();
        let exp = 2.0;
        let cos = dx * exp;
        let __v0 = sin * cos;
        let __t1 = __v0 + x;
        let __a2 = __t1 * __t1;
        let __ct = if tapeless::piecewise(__a2 > 100.0) { 1.0 } else { 2.0 };
        let tapeless = __a2 * __ct;
        tapeless + sin.cos()
    }
}

use shadowed as f_mod;
mod wrapped {
    pub use super::shadowed::{f, f_grad, f_jvp, f_vjp};
}

#[test]
fn generated_code_survives_shadowing() {
    check_fn!(wrapped, 2, &[&[0.5, 1.0], &[-1.5, 0.3], &[2.0, -2.0]]);
    let _ = f_mod::f(1.0, 2.0);
}
