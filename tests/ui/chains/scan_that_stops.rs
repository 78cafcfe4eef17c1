use tapeless::differentiable;

// A `scan` that may stop early (`None`) is not followed: its length is not known before it runs.
#[differentiable]
fn capped(x: &[f64]) -> f64 {
    x.iter()
        .scan(0.0, |s, &v| {
            *s += v;
            if *s > 10.0 { None } else { Some(*s) }
        })
        .sum()
}

fn main() {}
