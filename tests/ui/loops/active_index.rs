use tapeless::differentiable;

#[differentiable]
fn lookup(table: &[f64], x: f64) -> f64 {
    table[x as usize] * x
}

fn main() {}
