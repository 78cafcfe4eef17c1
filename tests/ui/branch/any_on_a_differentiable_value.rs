use tapeless::differentiable;

#[differentiable]
fn positive_energy(x: &[f64]) -> f64 {
    if x.iter().any(|&v| v < 0.0) {
        return 0.0;
    }
    x.iter().map(|v| v * v).sum()
}

fn main() {}
