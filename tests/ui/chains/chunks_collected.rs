use tapeless::differentiable;

// Chunks collected into a `Vec<&[f64]>` to be indexed later: the pieces are not followed once
// kept; looping over the chunks directly is.
#[differentiable]
fn pair_energy(pos: &[f64]) -> f64 {
    let points: Vec<&[f64]> = pos.chunks_exact(3).collect();
    let mut e = 0.0;
    for i in 0..points.len() {
        for j in i + 1..points.len() {
            let r2 = (0..3).map(|k| (points[i][k] - points[j][k]).powi(2)).sum::<f64>();
            e += 1.0 / r2;
        }
    }
    e
}

fn main() {}
