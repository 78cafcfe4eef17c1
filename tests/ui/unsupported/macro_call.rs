use tapeless::differentiable;

/// A user's macro: its expansion cannot be seen by an attribute on the function.
macro_rules! square {
    ($e:expr) => {
        $e * $e
    };
}

#[differentiable]
fn f(x: f64) -> f64 {
    let s = square!(x + 1.0);
    x * 2.0 + s
}

fn main() {}
