use tapeless::differentiable;

// `collect` needs its element type written: `collect::<Vec<f64>>()` or `let v: Vec<f64> = ..`.
#[differentiable]
fn doubled_sum(x: &[f64]) -> f64 {
    let d = x.iter().map(|v| v * 2.0).collect::<Vec<_>>();
    d[0] + d[1]
}

fn main() {}
