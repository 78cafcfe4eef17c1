// A slice rebound inside a loop to another array: the loop's arrays are places written element
// by element, and a reference cannot be one. (A `Vec` or fixed-size array replaced whole is
// written element by element: tests/vec_state.rs.)
use tapeless::differentiable;

#[differentiable]
fn alternate(x: &[f64], y: &[f64]) -> f64 {
    let mut s = x;
    let mut total = 0.0;
    for k in 0..4 {
        total += s[0] * s[1];
        if k % 2 == 0 {
            s = y;
        } else {
            s = x;
        }
    }
    total
}

fn main() {}
