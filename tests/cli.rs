//! End-to-end tests of the `linkforge` command line on the shipped examples.

mod cli_support;
mod common;

use cli_support::{linkforge, text};
use std::path::Path;

#[test]
fn gen_over_the_catalogue_writes_lint_clean_verilog_and_a_complete_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = linkforge(&["gen", "examples/catalog.lf", "-o", out]);
    assert!(o.status.success(), "{}", text(&o));

    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("manifest.json")).unwrap())
            .unwrap();
    let variants = manifest["variants"].as_array().unwrap();
    let catalog = linkforge_rtl::catalog::catalog();
    assert_eq!(variants.len(), catalog.len(), "one variant per block kind");
    let mut errors = Vec::new();
    for v in variants {
        let name = v["name"].as_str().unwrap();
        assert_eq!(v["kind"].as_str().unwrap(), name);
        let verilog = dir.path().join(v["verilog"].as_str().unwrap());
        let file_list =
            std::fs::read_to_string(dir.path().join(v["filelist"].as_str().unwrap())).unwrap();
        assert_eq!(file_list.trim(), format!("{name}.v"));
        // The manifest lists every port of the top module.
        let src = std::fs::read_to_string(&verilog).unwrap();
        let top = src.split("endmodule").next().unwrap();
        let declared =
            top.matches("    input wire ").count() + top.matches("    output wire ").count();
        assert_eq!(v["ports"].as_array().unwrap().len(), declared, "{name}");
        for p in v["ports"].as_array().unwrap() {
            assert!(p["width"].as_u64().unwrap() >= 1);
            assert!(top.contains(&format!(" {}", p["name"].as_str().unwrap())));
        }
        if common::have("verilator") {
            errors.extend(common::verilator_lint(&verilog, name).err());
        }
    }
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn lint_reports_errors_with_exit_1_and_unreadable_input_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.lf");
    std::fs::write(&bad, "crossbar x { portz = 4; }\n").unwrap();
    let o = linkforge(&["lint", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    assert!(text(&o).contains("portz"), "{}", text(&o));
    assert!(text(&o).contains("ports"), "a did-you-mean: {}", text(&o));

    let o = linkforge(&["lint", "no/such/file.lf"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("cannot read no/such/file.lf"));

    std::fs::write(&bad, [0xff, 0xfe, 0x00]).unwrap();
    let o = linkforge(&["lint", bad.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("is not UTF-8"));

    let o = linkforge(&["lint", "examples/fabric.lf"]);
    assert!(o.status.success(), "{}", text(&o));
}

#[test]
fn sim_prints_its_summary_and_writes_the_waveform() {
    let dir = tempfile::tempdir().unwrap();
    let wave = dir.path().join("x.vcd");
    let o = linkforge(&[
        "sim",
        "examples/fabric.lf",
        "--variant",
        "xbar_p8",
        "--cycles",
        "500",
        "--wave",
        wave.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in ["cycles: 500", "checks_failed: 0", "beats_checked: 3992"] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    assert!(t.contains("cycles_per_second: "));
    assert!(wave.exists() && dir.path().join("x.gtkw").exists());

    let o = linkforge(&["sim", "examples/fabric.lf", "--variant", "nope"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("no variant `nope`"));
}

#[test]
fn check_runs_the_properties_of_every_variant() {
    let o = linkforge(&[
        "check",
        "examples/fabric.lf",
        "--cases",
        "4",
        "--variant",
        "xbar_p4",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("xbar_p4: 4 cases passed"), "{t}");
}

#[test]
fn run_is_the_main_job_and_ends_in_a_summary() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = linkforge(&[
        "run",
        "examples/fabric.lf",
        "-o",
        out,
        "--cycles",
        "200",
        "--cases",
        "2",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains("variants: ") && t.contains(" passed, 0 failed"),
        "{t}"
    );
    for f in [
        "xbar_p16.v",
        "xbar_p16.vcd",
        "xbar_p16.gtkw",
        "manifest.json",
    ] {
        assert!(Path::new(out).join(f).exists(), "{f} missing");
    }
}

#[test]
fn sim_of_a_retimer_reports_the_link_and_draws_its_pictures() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("link.lf");
    std::fs::write(&config, "retimer x2 { lanes = 2; }\n").unwrap();
    let wave = dir.path().join("x2.vcd");
    let o = linkforge(&[
        "sim",
        config.to_str().unwrap(),
        "--variant",
        "x2",
        "--cycles",
        "16000",
        "--wave",
        wave.to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in [
        "lock_time_ui: ",
        "bit_errors: 0",
        "ber: 0 (<",
        "eb_adds: ",
        "eb_drops: ",
        "deskew_ui_per_lane: ",
    ] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    assert!(!t.contains("lock_time_ui: not locked"), "{t}");
    for picture in ["x2.eye.png", "x2.cdr.png"] {
        let path = dir.path().join(picture);
        assert!(t.contains(&format!("picture: {}", path.display())), "{t}");
        let png = std::fs::read(&path).expect("picture written");
        assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n", "{picture}");
    }
}

#[test]
fn prove_proves_a_property_of_each_ip_family() {
    if !(common::have("yosys") && common::have("yosys-smtbmc") && common::have("z3")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Common blocks: one grant at most, to requesters only; FIFO occupancy
    // within its depth. Retimer: blocks only with block lock; no lane
    // delayed beyond max_skew. Switch: the scheduler's grants form a
    // matching within the requests.
    for (variant, depth) in [
        ("arbiter", "20"),
        ("sync_fifo", "16"),
        ("block_align", "12"),
        ("deskew", "12"),
        ("switch_scheduler", "8"),
    ] {
        let o = linkforge(&[
            "prove",
            "examples/catalog.lf",
            "--variant",
            variant,
            "--depth",
            depth,
            "-o",
            out,
        ]);
        let t = text(&o);
        assert!(o.status.success(), "{t}");
        assert!(
            t.contains(&format!("{variant}: proven to depth {depth}")),
            "{t}"
        );
    }
    let o = linkforge(&[
        "prove",
        "examples/catalog.lf",
        "--variant",
        "crc",
        "-o",
        out,
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("declares no assertion"), "{}", text(&o));
}

#[test]
fn synth_prints_the_fpga_table_and_writes_it_as_json() {
    if !(common::have("yosys") && common::have("nextpnr-ice40")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("synth.json");
    let o = linkforge(&[
        "synth",
        "examples/catalog.lf",
        "--variant",
        "arbiter",
        "--variant",
        "pam4_tx",
        "--target",
        "ice40",
        "--json",
        json.to_str().unwrap(),
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("LUTs") && t.contains("fmax MHz"), "{t}");
    assert!(t.contains("2 variants: 2 fit, 0 do not"), "{t}");
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 2);
    for r in rows {
        assert_eq!(r["target"], "ice40");
        assert!(r["logic"].as_u64().unwrap() > 0, "{r}");
        assert!(r["fmax_mhz"].as_f64().unwrap() > 10.0, "{r}");
        assert!(r["does_not_fit"].is_null(), "{r}");
    }
}

#[test]
fn prove_and_synth_do_not_overwrite_files_they_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    for (cmd, sub) in [("prove", "prove/arbiter"), ("synth", "synth/arbiter")] {
        let foreign = dir.path().join(sub).join("arbiter.v");
        std::fs::create_dir_all(foreign.parent().unwrap()).unwrap();
        std::fs::write(&foreign, "// mine\n").unwrap();
        let o = linkforge(&[
            cmd,
            "examples/catalog.lf",
            "--variant",
            "arbiter",
            "-o",
            out,
        ]);
        let t = text(&o);
        assert_eq!(o.status.code(), Some(2), "{t}");
        assert!(t.contains("was not written by linkforge"), "{t}");
        assert_eq!(std::fs::read_to_string(&foreign).unwrap(), "// mine\n");
    }
}

/// A VCD as another simulator writes it: `tb.clk` with period 10, and a
/// valid/ready stream `tb.dut.s_` whose data changes at `data_change`
/// while `valid` waits for `ready` (cycles 1 to 3).
fn stream_vcd(data_change: u32) -> String {
    let mut v = String::from(
        "$timescale 1ns $end\n$scope module tb $end\n$var reg 1 ! clk $end\n\
         $scope module dut $end\n$var wire 1 \" s_valid $end\n$var wire 1 # s_ready $end\n\
         $var wire 8 $ s_data $end\n$upscope $end\n$upscope $end\n$enddefinitions $end\n\
         #0\n0!\n0\"\n0#\nb0 $\n",
    );
    for c in 0..8u32 {
        v.push_str(&format!("#{}\n1!\n", c * 10 + 5));
        let mut after = String::new();
        match c {
            0 => after.push_str("1\"\n"),
            2 => after.push_str("1#\n"),
            3 => after.push_str("0\"\n0#\n"),
            _ => {}
        }
        if c == data_change {
            after.push_str("b10100101 $\n");
        }
        if !after.is_empty() {
            v.push_str(&format!("#{}\n{after}", c * 10 + 6));
        }
        v.push_str(&format!("#{}\n0!\n", c * 10 + 10));
    }
    v
}

#[test]
fn wave_check_finds_the_first_protocol_violation_in_a_foreign_vcd() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.vcd");
    let bad = dir.path().join("bad.vcd");
    std::fs::write(&good, stream_vcd(5)).unwrap();
    std::fs::write(&bad, stream_vcd(1)).unwrap();
    let check = |f: &Path| {
        linkforge(&[
            "wave",
            "check",
            f.to_str().unwrap(),
            "--clock",
            "tb.clk",
            "--rules",
            "valid_ready:tb.dut.s_",
        ])
    };
    let o = check(&good);
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        text(&o).contains("no violations in 8 cycles (2 properties)"),
        "{}",
        text(&o)
    );

    let o = check(&bad);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(
        t.contains("`tb.dut.s_data is stable while stalled` fails at cycle 1 (time 15)"),
        "{t}"
    );
    let save = std::fs::read_to_string(dir.path().join("bad.violation.gtkw")).unwrap();
    assert!(
        save.contains("[markertime] 15") && save.contains("tb.dut.s_data[7:0]"),
        "{save}"
    );

    let o = linkforge(&[
        "wave",
        "check",
        good.to_str().unwrap(),
        "--clock",
        "tb.clk",
        "--rules",
        "axi:tb.x",
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("no rule set `axi`"), "{}", text(&o));
}

#[test]
fn sim_of_the_pooled_cxl_controller_scores_memory_and_isolation() {
    let o = linkforge(&[
        "sim",
        "examples/fabric.lf",
        "--variant",
        "pool2",
        "--cycles",
        "3000",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for metric in [
        "requests: ",
        "read_latency_cycles_mean: ",
        "bandwidth_bytes_per_cycle: ",
    ] {
        assert!(t.contains(metric), "{metric} missing: {t}");
    }
    assert!(t.contains("mismatches: 0\n"), "{t}");
    assert!(t.contains("isolation_violations: 0\n"), "{t}");
    let o = linkforge(&[
        "check",
        "examples/fabric.lf",
        "--cases",
        "3",
        "--variant",
        "pool2",
    ]);
    assert!(o.status.success(), "{}", text(&o));
    assert!(text(&o).contains("pool2: 3 cases passed"), "{}", text(&o));
}

#[test]
fn prove_proves_the_cxl_tracker_and_decoder_registers() {
    if !(common::have("yosys") && common::have("yosys-smtbmc") && common::have("z3")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Tracker: never more outstanding than entries, the count equals the
    // entries in use, responses only for entries waiting to respond.
    // Decoder registers: never both committed and in commit error.
    for (variant, depth) in [("cxl_tracker", "8"), ("hdm_decoder_regs", "6")] {
        let o = linkforge(&[
            "prove",
            "examples/catalog.lf",
            "--variant",
            variant,
            "--depth",
            depth,
            "-o",
            out,
        ]);
        let t = text(&o);
        assert!(o.status.success(), "{t}");
        assert!(
            t.contains(&format!("{variant}: proven to depth {depth}")),
            "{t}"
        );
    }
}
