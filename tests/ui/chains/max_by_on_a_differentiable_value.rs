use tapeless::differentiable;

// Ranked by a key (`sin`), not by the value: which element wins changes with `x`, and the result
// jumps where it does. (`max_by(|a, b| a.partial_cmp(b).unwrap())` is the largest value: accepted.)
#[differentiable]
fn largest_sine(x: &[f64]) -> f64 {
    x.iter().copied().max_by(|a, b| a.sin().partial_cmp(&b.sin()).unwrap()).unwrap()
}

fn main() {}
