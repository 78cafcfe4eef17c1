// A `vec![a, b]` of floats inside a loop is made once before the loop and written in each
// iteration (tests/vec_state.rs), with zeros of the float type written as a literal; in a
// function generic over its float type there is no such literal, so it stays our error.
use num_traits::Float;
use tapeless::differentiable;

#[differentiable]
fn pairs<T: Float>(x: &[T]) -> T {
    let mut s = T::zero();
    for i in 0..x.len() {
        let pair = vec![x[i], x[i] + x[i]];
        s = s + pair[0] * pair[1];
    }
    s
}

fn main() {}
