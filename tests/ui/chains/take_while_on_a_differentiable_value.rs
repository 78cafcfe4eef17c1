use tapeless::differentiable;

// Where `take_while` stops depends on the values themselves: the sum jumps where an element
// crosses the threshold. Our error, at the predicate, with the fixes.
#[differentiable]
fn head_sum(x: &[f64]) -> f64 {
    x.iter().take_while(|&&v| v < 5.0).sum::<f64>()
}

fn main() {}
