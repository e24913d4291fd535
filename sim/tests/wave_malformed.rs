//! The strict waveform reader on a corpus of malformed files
//! (`malformed_waves/`): each is rejected with the message in its `.err`
//! file beside it, which names the file, the line (VCD) or the byte (FST) and the
//! reason. `LINKFORGE_BLESS=1` rewrites the `.err` files from the reader (and
//! fails, so a blessing run cannot pass).

use linkforge_sim::wave::Waves;
use std::path::Path;

#[test]
fn every_malformed_waveform_is_rejected_with_its_message() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/malformed_waves");
    let bless = linkforge_verif::testenv::bless();
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("the corpus is there")
        .map(|e| e.expect("a directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "vcd" || e == "fst"))
        .collect();
    files.sort();
    assert!(files.len() >= 12, "{} files in the corpus", files.len());
    let mut wrong = Vec::new();
    let mut rewritten = Vec::new();
    for file in &files {
        let message = match Waves::open(file) {
            Ok(_) => "(accepted)".to_string(),
            // The error names the file: shown relative to the corpus.
            Err(e) => e.to_string().replace(&format!("{}/", dir.display()), ""),
        };
        let golden = file.with_extension(format!(
            "{}.err",
            file.extension().unwrap().to_string_lossy()
        ));
        if bless {
            std::fs::write(&golden, format!("{message}\n")).unwrap();
            rewritten.push(golden);
            continue;
        }
        let expected = std::fs::read_to_string(&golden).unwrap_or_default();
        if expected.trim_end() != message {
            wrong.push(format!(
                "{}:\n  expected: {}\n  got:      {message}",
                file.display(),
                expected.trim_end()
            ));
        }
    }
    if bless {
        linkforge_verif::testenv::blessed(&rewritten);
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
