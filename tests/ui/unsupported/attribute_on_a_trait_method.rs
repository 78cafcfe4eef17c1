use tapeless::differentiable;

pub trait Cost {
    fn cost(&self, x: f64) -> f64;
}

pub struct Problem;

// The attribute belongs on the `impl` block: a method cannot tell it is in a trait impl, and
// its generated siblings cannot live there. rustc reports E0407 for each.
impl Cost for Problem {
    #[differentiable]
    fn cost(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {}
