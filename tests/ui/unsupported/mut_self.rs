use tapeless::differentiable;

struct Counter {
    calls: u32,
}

impl Counter {
    #[differentiable]
    fn f(&mut self, x: f64) -> f64 {
        x * 2.0
    }
}

fn main() {}
