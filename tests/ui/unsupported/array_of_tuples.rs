// A local array of tuples of differentiable values: the IR holds a tuple as its parts and has no
// array of them. Our error at the tuple; one array per part works, and so does a tuple passed
// whole to a `#[differentiable]` function (`tests/tuple_arguments.rs`).
use tapeless::differentiable;

#[differentiable]
fn first_of_pairs(x: f64, y: f64) -> f64 {
    let pairs = [(x, y), (y, x)];
    pairs[0].0 * pairs[1].1
}

fn main() {}
