// Integer data changed in place (`idx.retain(..)`) takes the changed copy; a closure reading a
// differentiated value (`x[i]`) makes that copy depend on it: our error at the call. Comparing
// `tapeless::no_grad(x[i])` instead, or only the length (`i < x.len()`), works.
use tapeless::differentiable;

#[differentiable]
fn kept(x: &[f64], order: &[usize]) -> f64 {
    let mut idx = order.to_vec();
    idx.retain(|&i| x[i] > 0.0);
    idx.iter().map(|&i| x[i]).sum()
}

fn main() {}
