use tapeless::differentiable;

#[differentiable]
fn mean(w: &[f64]) -> f64 {
    w.iter().sum::<f64>() / w.len() as f64
}

// A `for` loop over windows reads each window like a `map` closure does: by `w[j]`, `w.len()`
// and `w.iter()`. Passed on as a slice, it is not followed.
#[differentiable]
fn smoothed(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for w in x.windows(3) {
        s += mean(w);
    }
    s
}

fn main() {}
