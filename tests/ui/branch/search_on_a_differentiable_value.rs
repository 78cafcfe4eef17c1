use tapeless::differentiable;

// The interval of `t` in a table, found by testing `t` itself: which interval changes with `t`.
// (`|&k| tapeless::piecewise(k <= t)` accepts the derivative inside the interval found.)
#[differentiable(wrt(t))]
fn table(knots: &[f64], values: &[f64], t: f64) -> f64 {
    let i = knots.partition_point(|&k| k <= t).clamp(1, knots.len() - 1);
    let w = (t - knots[i - 1]) / (knots[i] - knots[i - 1]);
    values[i - 1] * (1.0 - w) + values[i] * w
}

fn main() {}
