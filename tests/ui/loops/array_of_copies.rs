// `vec![x; n]` of a differentiated value in a function generic over its float type: the copies
// would be collected into a `Vec` of a type the macro cannot name here (the value may be a
// nalgebra vector). (In a function of `f64`, `vec![x; n]` is a `Vec` of copies, each carrying
// its derivative: tests/idioms.rs.)
use num_traits::Float;
use tapeless::differentiable;

#[differentiable]
fn broadcast<T: Float>(x: T, n: usize) -> T {
    let v = vec![x; n];
    v.iter().fold(T::zero(), |a, &b| a + b)
}

fn main() {}
