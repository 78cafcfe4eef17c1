use tapeless::differentiable;

#[differentiable]
fn pairs(v: &[f64]) -> f64 {
    v.chunks(2)
        .map(|c| {
            if c.len() < 2 {
                return c[0];
            }
            c[0] * c[1]
        })
        .sum::<f64>()
}

fn main() {}
