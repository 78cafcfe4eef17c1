// `collect::<Vec<_>>()` is read with the element type left to rustc, from a `Default` start;
// a function generic over its float type has no `Default` bound on `T`: write the type.
use tapeless::differentiable;

#[differentiable]
fn doubled_sum<T: num_traits::Float>(x: &[T]) -> T {
    let d = x.iter().map(|&v| v + v).collect::<Vec<_>>();
    d[0] + d[1]
}

fn main() {}
