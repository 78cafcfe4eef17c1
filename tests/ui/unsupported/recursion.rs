use tapeless::differentiable;

struct Decay {
    rate: f64,
}

#[differentiable]
impl Decay {
    // A function may call itself (`f(..)`, `Self::f(..)`: tests/recursion.rs); a method's call
    // of itself through `self` may not yet.
    fn after(&self, x: f64, n: u32) -> f64 {
        if n == 0 { x } else { self.after(x * self.rate, n - 1) }
    }
}

fn main() {}
