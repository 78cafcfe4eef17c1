use tapeless::Differentiable;

#[derive(Clone, Differentiable)]
struct Pair<T> {
    a: T,
    b: T,
}

fn main() {}
