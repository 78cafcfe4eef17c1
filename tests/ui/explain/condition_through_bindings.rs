use tapeless::differentiable;

// The note walks from `x` to the condition, one binding per step.
#[differentiable(wrt(x))]
fn shaped(x: f64, k: f64) -> f64 {
    let t = x * 2.0;
    let u = t + 1.0;
    let w = u.sin() * k;
    if w > 0.3 { w } else { -w }
}

fn main() {}
