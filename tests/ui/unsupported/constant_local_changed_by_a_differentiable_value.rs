// Integer data changed in place (`idx.retain(..)`) takes the changed copy; a closure reading a
// differentiated value (`x`, through `x.len()`) makes that copy depend on it: our error at the
// call. Reading `let n = x.len();` outside the closure works.
use tapeless::differentiable;

#[differentiable]
fn kept(x: &[f64], order: &[usize]) -> f64 {
    let mut idx = order.to_vec();
    idx.retain(|&i| i < x.len());
    idx.iter().map(|&i| x[i]).sum()
}

fn main() {}
