use tapeless::differentiable;

#[derive(Clone, Copy)]
struct Obs {
    t: f64,
    y: f64,
}

// Every parameter is differentiated, so the structs would hold differentiable floats.
#[differentiable]
fn fit(k: f64, ts: &[f64], ys: &[f64]) -> f64 {
    let obs: Vec<Obs> = ts.iter().zip(ys).map(|(&t, &y)| Obs { t, y }).collect();
    obs.iter().map(|o| (o.y - (-k * o.t).exp()).powi(2)).sum()
}

fn main() {
    let _ = fit_grad(0.5, &[0.0, 1.0], &[1.0, 0.6]);
}
