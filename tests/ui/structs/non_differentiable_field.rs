use tapeless::Differentiable;

#[derive(Clone, Differentiable)]
struct Model {
    weight: f64,
    label: String,
}

fn main() {}
