// `wrt(x)` of a parameter written `&[x, y]: &[f64; 2]`: the parameter is one value, differentiated
// whole. Our error at the name, saying which names to list.
use tapeless::differentiable;

#[differentiable(wrt(x))]
fn distance(&[x, y]: &[f64; 2], k: f64) -> f64 {
    k * (x * x + y * y).sqrt()
}

fn main() {}
