// `break v` out of a `loop` in a function generic over its float type (whose type need not be
// `Default`, which the variable carrying `v` out of the loop starts from): our error, with the
// variable and plain `break` that say the same. The `let` of the loop's value is not reported
// a second time. Without the type parameter it is accepted (tests/loop_values.rs).
use num_traits::Float;
use tapeless::differentiable;

#[differentiable]
fn fixed_point<T: Float>(x: T) -> T {
    let mut y = x;
    let mut k = 0;
    let r = loop {
        let next = (y * T::from(0.5).unwrap()).cos() + x;
        k += 1;
        if k == 20 {
            break next;
        }
        y = next;
    };
    r * r
}

fn main() {}
