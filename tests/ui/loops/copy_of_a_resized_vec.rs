// A `Vec` replaced inside a loop by one of another length (the activations of layers of
// different widths) is resized in the generated items (tests/resized_vecs.rs), and so is a copy
// of it made in the loop, collected anew, except in a function generic over its float type,
// whose element has no `Default` to start from: our error at the copy. The help's typed
// `collect()` is accepted (tests/resized_vecs.rs).
use num_traits::Float;
use tapeless::differentiable;

#[differentiable(wrt(x))]
fn network<T: Float>(widths: &[usize], x: &[T]) -> T {
    let mut h = x.to_vec();
    for &n in widths {
        let prev = h.clone();
        h = (0..n).map(|i| (prev[0] * T::from(i + 1).unwrap()).tanh()).collect();
    }
    h[0]
}

fn main() {}
