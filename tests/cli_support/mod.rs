//! Running the built `linkforge` binary, for the end-to-end tests.

#![allow(dead_code)]

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs `linkforge args` in the repository's root and waits for it.
pub fn linkforge(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_linkforge"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("run linkforge")
}

/// Writes into `dir` a Yosys that answers `--version`, then starts the
/// statistics file its script names, writes its process id to
/// `dir/yosys.pid` and never finishes; returns its path.
pub fn slow_yosys(dir: &Path) -> PathBuf {
    let yosys = dir.join("slow-yosys");
    std::fs::write(
        &yosys,
        format!(
            "#!/bin/sh\n\
             if [ \"$1\" = --version ]; then echo 'Yosys (slow)'; exit 0; fi\n\
             for f in $(echo \"$3\" | grep -o '[^ ]*stat.json'); do echo '{{\"half' > \"$f\"; done\n\
             echo $$ > {}\n\
             exec sleep 60\n",
            dir.join("yosys.pid").display()
        ),
    )
    .expect("write the slow Yosys");
    std::fs::set_permissions(&yosys, std::fs::Permissions::from_mode(0o755))
        .expect("make the slow Yosys executable");
    yosys
}

/// Standard output then standard error, as text.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}
