use tapeless::differentiable;

#[differentiable]
fn clipped(x: [f64; 3], limit: usize) -> [f64; 3] {
    let mut y = x;
    for i in 0..3 {
        if i == limit {
            return y;
        }
        y[i] = 2.0 * x[i];
    }
    y
}

fn main() {}
