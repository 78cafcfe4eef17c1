use tapeless::differentiable;

#[differentiable]
fn broadcast(x: f64, n: usize) -> f64 {
    let v = vec![x; n];
    v.iter().sum::<f64>()
}

fn main() {}
