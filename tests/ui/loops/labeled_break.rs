use tapeless::differentiable;

#[differentiable]
fn first_terms(x: &[f64], limit: usize) -> f64 {
    let mut s = 0.0;
    'rows: for i in 0..x.len() {
        for j in 0..i {
            if j == limit {
                break 'rows;
            }
            s += x[j];
        }
    }
    s
}

fn main() {}
