//! Article 003, "Why does tf.tape.gradient() return None for my numerical function?", as tapeless code: `cargo run --example numerical_functions`.
//!
//! The functions are in examples/article/numerical_functions.rs, each with a comment saying what TensorFlow 2.21
//! really does for that case (shared/tape-cases/TRUTH.md); the rows printed here compute what
//! tapeless does. Cases tapeless rejects show the compiler's message from tests/ui/.

mod article;

fn main() {
    println!("Article 003: Why does tf.tape.gradient() return None for my numerical function?\n");
    article::print(&article::numerical_functions::rows(), "003");
}
