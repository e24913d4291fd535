//! docs/guide.md shows this crate's code: every source file of the crate
//! appears in it word for word, so the guide cannot drift from what CI
//! builds and tests.

use std::path::Path;

#[test]
fn the_guide_shows_this_crate_as_it_is() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let guide = std::fs::read_to_string(root.join("../../docs/guide.md")).expect("docs/guide.md");
    for file in [
        "src/lib.rs",
        "tests/skid.rs",
        "tests/gray.rs",
        "tests/catalogue.rs",
    ] {
        let code = std::fs::read_to_string(root.join(file)).expect(file);
        let block = format!("```rust\n{code}```\n");
        assert!(
            guide.contains(&block),
            "docs/guide.md does not show {file} as it is: copy the file into its code block"
        );
    }
}
