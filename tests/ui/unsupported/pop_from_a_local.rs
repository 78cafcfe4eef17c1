// `stack.pop()` of a local collection of indices (a worklist): generated code holds the local in
// one binding it does not change in place, and a loop's reverse sweep may run the call again.
// Our error at the call (it was rustc's "cannot borrow as mutable" inside generated code).
use tapeless::differentiable;

#[differentiable]
fn weighted(x: &[f64]) -> f64 {
    let mut stack: Vec<usize> = (0..x.len()).collect();
    let mut s = 0.0;
    loop {
        match stack.pop() {
            Some(i) => s += x[i] * (i as f64 + 1.0),
            None => break,
        }
    }
    s
}

fn main() {}
