//! No rustc error may point into generated code (issue 16): every compile error of the ui corpus
//! (`tests/ui/**/*.stderr`) is ours (`error: ..` from the macro), or one of the listed cases
//! where rustc reports it by design, each with the reason. A new rustc error in any snapshot
//! fails this test until it is made ours or listed here with its reason.

use std::path::Path;

/// (case, rustc error code, why rustc reports it).
const RUSTC_BY_DESIGN: &[(&str, &str, &str)] = &[
    (
        "declared/wrong_signature",
        "E0308",
        "a declared derivative of the wrong type: at the attribute's path, naming the expected fn type",
    ),
    (
        "nalgebra/elementwise_function",
        "E0277",
        "the runtime's `Real` bound with its own message: the macro cannot see a static matrix's type",
    ),
    (
        "nalgebra/product_without_derivative",
        "E0277",
        "the runtime's `Product` bound with its own message (`&DVector * &DVector`)",
    ),
    (
        "signature/non_scalar_gradient",
        "E0277",
        "`_grad` of a tuple result: the runtime's `ScalarOutput` message at the call",
    ),
    (
        "structs/non_differentiable_field",
        "E0277",
        "`#[derive(Differentiable)]` on a field type with no tangent: the runtime's message",
    ),
    (
        "second_order/struct_with_constant",
        "E0277",
        "hessian with a struct that has no dual twin: the function's macro cannot see its fields, so the runtime's Lift message (errors page)",
    ),
];

fn stderr_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read tests/ui") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            stderr_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "stderr") {
            out.push(path);
        }
    }
}

#[test]
fn every_rustc_error_in_the_ui_corpus_is_by_design() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("ui");
    let mut files = Vec::new();
    stderr_files(&root, &mut files);
    assert!(files.len() > 60, "the ui corpus: {} snapshots", files.len());
    let mut unexpected = Vec::new();
    for file in &files {
        let case = file.strip_prefix(&root).expect("under tests/ui").with_extension("");
        let case = case.to_string_lossy().replace('\\', "/");
        let text = std::fs::read_to_string(file).expect("read a snapshot");
        for line in text.lines().filter(|l| l.starts_with("error[E")) {
            let code = &line[6..11];
            if !RUSTC_BY_DESIGN.iter().any(|(c, e, _)| *c == case && *e == code) {
                unexpected.push(format!("{case}: {line}"));
            }
        }
        // Every error, ours or rustc's, points at the case's own file (not the runtime's).
        for line in text.lines().filter(|l| l.trim_start().starts_with("--> ")) {
            let at = line.trim_start().trim_start_matches("--> ");
            if !at.starts_with("tests/ui/") && !at.starts_with("$RUST") {
                let by_design = RUSTC_BY_DESIGN.iter().any(|(c, _, _)| *c == case);
                if !by_design {
                    unexpected.push(format!("{case}: an error points outside the case: {at}"));
                }
            }
        }
    }
    assert!(unexpected.is_empty(), "rustc errors that are not ours:\n{}", unexpected.join("\n"));
}

#[test]
fn every_listed_case_still_exists() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests").join("ui");
    for (case, code, _) in RUSTC_BY_DESIGN {
        let text = std::fs::read_to_string(root.join(format!("{case}.stderr"))).expect("a listed case");
        assert!(
            text.contains(&format!("error[{code}]")),
            "{case} no longer reports {code}: remove it from the list"
        );
    }
}
