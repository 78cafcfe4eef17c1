// Every problem of a function is reported in one build.
use tapeless::differentiable;

#[differentiable]
fn messy(x: f64, y: f64, unused: f64) -> f64 {
    let a = x.floor();
    let b = y as i64;
    let c = if x > y { 1.0 } else { 2.0 };
    a + (b as f64) + c * x
}

fn main() {}
