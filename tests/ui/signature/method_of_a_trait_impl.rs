// The attribute on a method of a trait impl alone: its generated methods cannot go there.
use tapeless::differentiable;

pub trait Cost {
    fn cost(&self, p: &[f64]) -> f64;
}

struct Quad {
    c: f64,
}

impl Cost for Quad {
    #[differentiable(wrt(p))]
    fn cost(&self, p: &[f64]) -> f64 {
        self.c * p.iter().map(|v| v * v).sum::<f64>()
    }
}

fn main() {}
