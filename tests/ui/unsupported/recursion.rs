use tapeless::differentiable;

struct Series;

#[differentiable]
impl Series {
    // A free function may call itself (tests/recursion.rs); an associated function's call
    // through `Self::` may not yet.
    fn power(x: f64, n: u32) -> f64 {
        if n == 0 { 1.0 } else { x * Self::power(x, n - 1) }
    }
}

fn main() {}
