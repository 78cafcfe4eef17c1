use tapeless::differentiable;

// A window is read element by element (`w[0]`, `w.len()`); as a whole slice it is not followed.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    x.windows(3).map(|w| w.iter().sum::<f64>() / 3.0).sum::<f64>()
}

fn main() {}
