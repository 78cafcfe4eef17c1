// A tuple struct derives `Differentiable` (tests/tuple_structs.rs), but not yet with a
// `#[no_grad]` field: its tangent type would number only the differentiable fields.
use tapeless::Differentiable;

#[derive(Clone, Differentiable)]
struct Scaled(Vec<f64>, #[no_grad] usize);

fn main() {}
