//! Article 001, "Why does TensorFlow's gradient tape return None for all variables?", as tapeless code: `cargo run --example watching_and_scope`.
//!
//! The functions are in examples/article/watching_and_scope.rs, each with a comment saying what TensorFlow 2.21
//! really does for that case (shared/tape-cases/TRUTH.md); the rows printed here compute what
//! tapeless does. Cases tapeless rejects show the compiler's message from tests/ui/.

mod article;

fn main() {
    println!("Article 001: Why does TensorFlow's gradient tape return None for all variables?\n");
    article::print(&article::watching_and_scope::rows(), "001");
}
