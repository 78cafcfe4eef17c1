use num_traits::Float;
use tapeless::differentiable;

pub struct Problem<T> {
    pub data: Vec<T>,
}

impl<T: Float> Problem<T> {
    #[differentiable]
    pub fn cost(&self, p: &[T]) -> T {
        let mut s = T::zero();
        for (i, &d) in self.data.iter().enumerate() {
            s = s + (p[i % p.len()] - d).powi(2);
        }
        s
    }
}

fn main() {}
