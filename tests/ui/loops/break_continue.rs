use tapeless::differentiable;

#[differentiable]
fn first_terms(x: &[f64], limit: usize) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() {
        if i == limit {
            break;
        }
        s += x[i];
    }
    s
}

fn main() {}
