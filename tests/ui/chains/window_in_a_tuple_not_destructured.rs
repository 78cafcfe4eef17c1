use tapeless::differentiable;

// The element of a `zip` of windows is read as a tuple, not bound by name.
#[differentiable(wrt(y))]
fn steps(x: &[f64], y: &[f64]) -> f64 {
    x.windows(2).zip(y.windows(2)).map(|pair| pair.1[1] - pair.0[0]).sum()
}

fn main() {
    let _ = steps(&[1.0, 2.0], &[3.0, 4.0]);
}
