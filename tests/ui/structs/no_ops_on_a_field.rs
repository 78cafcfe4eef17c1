// `#[no_ops]` leaves out the struct's `+`, `-` and `f64 *`: it belongs on the struct.
use tapeless::Differentiable;

#[derive(Clone, Differentiable)]
struct Point {
    #[no_ops]
    x: f64,
    y: f64,
}

#[derive(Clone, Differentiable)]
#[no_ops(all)]
struct Pair {
    a: f64,
    b: f64,
}

fn main() {}
