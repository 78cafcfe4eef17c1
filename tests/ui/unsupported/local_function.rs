// A function held in a local (a boxed closure chosen at run time) called on a differentiable
// value: its derivative is unknown, so it is our error, saying to call differentiable functions
// by name or to write the closure itself in the local.
use tapeless::differentiable;

#[differentiable(wrt(x))]
fn chosen(x: f64, square: bool) -> f64 {
    let g: Box<dyn Fn(f64) -> f64> = if square { Box::new(|t| t * t) } else { Box::new(|t| t.sin()) };
    g(x) + 1.0
}

fn main() {}
