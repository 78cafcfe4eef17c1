use tapeless::differentiable;

pub trait Cost {
    fn cost(&self, x: f64) -> f64;
}

pub struct Problem;

// The attribute belongs on the `impl` block: a method's generated siblings cannot live in a
// trait impl. The prescan saw where it is, so this is our error (rustc's E0407 for each before).
impl Cost for Problem {
    #[differentiable]
    fn cost(&self, x: f64) -> f64 {
        x * x
    }
}

fn main() {}
