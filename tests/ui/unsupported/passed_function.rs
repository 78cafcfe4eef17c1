// A function passed as a parameter (`impl Fn`, `&dyn Fn`, `fn(..)`) is a constant: called on
// constants it is kept as written; called on a differentiable value its derivative is unknown.
// (Before, the call was taken for a `#[differentiable]` sibling: rustc's "cannot find `f_vjp`".)
use tapeless::differentiable;

#[differentiable]
fn scaled(x: f64, f: impl Fn(f64) -> f64) -> f64 {
    f(x) * 2.0
}

fn main() {}
