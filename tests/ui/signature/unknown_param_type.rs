use tapeless::differentiable;

struct Config {
    scale: f64,
}

#[differentiable]
fn scaled(x: f64, config: &Config) -> f64 {
    x * config.scale
}

fn main() {}
