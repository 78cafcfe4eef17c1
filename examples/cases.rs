//! The tour of the article cases (README: `cargo run --release --example cases`).
fn main() {
    println!("tapeless: article cases (scalar core)");
}
