// A parameter written as a pattern, of a type the macro cannot see into (a struct of another
// crate, or one without `#[derive(Differentiable)]`): the error names the parameter as written,
// `&Pt { x, y }`, not the name the generated items give it.
use tapeless::differentiable;

pub struct Pt {
    pub x: f64,
    pub y: f64,
    pub label: String,
}

#[differentiable]
fn spread(&Pt { x, y, .. }: &Pt, k: f64) -> f64 {
    k * x * y
}

fn main() {}
