// A `Vec` of structs stepped through `iter_mut()`: its elements are not followed field by field.
use nalgebra::Vector2;
use tapeless::differentiable;

#[derive(Clone, Copy, Debug, tapeless::Differentiable)]
pub struct P { pub pos: Vector2<f64>, pub vel: Vector2<f64> }

#[differentiable(wrt(g))]
pub fn sim(g: f64) -> f64 {
    let mut ps = vec![P { pos: Vector2::new(0.0, 1.0), vel: Vector2::new(1.0, 0.0) }; 3];
    for _ in 0..10 {
        for p in ps.iter_mut() {
            p.vel.y -= g * 0.01;
            p.pos += p.vel * 0.01;
        }
    }
    ps.iter().map(|p| p.pos.y).sum()
}
fn main() {}
