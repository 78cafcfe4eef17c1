use tapeless::differentiable;

#[differentiable]
fn mean(w: &[f64]) -> f64 {
    w.iter().sum::<f64>() / w.len() as f64
}

// A window is read element by element (`w[0]`, `w.len()`, `w.iter()`); passed on as a slice it
// is not followed.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    x.windows(3).map(|w| mean(w)).sum::<f64>()
}

fn main() {}
