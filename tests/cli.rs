//! End-to-end tests of the `linkforge` command line on the shipped examples.

mod cli_support;
mod common;

use cli_support::{linkforge, slow_yosys, text};
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
        assert_proven(variant, depth, out);
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
    // In config order, however the two synthesized side by side finish.
    let names: Vec<&str> = rows
        .iter()
        .map(|r| r["variant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["arbiter", "pam4_tx"]);
    for r in rows {
        assert_eq!(r["target"], "ice40");
        assert_eq!(r["resources"][0]["name"], "LUTs", "{r}");
        assert!(r["resources"][0]["used"].as_u64().unwrap() > 0, "{r}");
        assert!(r["fmax_mhz"].as_f64().unwrap() > 10.0, "{r}");
        assert!(r["does_not_fit"].is_null(), "{r}");
    }
}

#[test]
fn synth_stops_a_variant_at_the_time_limit_and_reports_it_unfinished() {
    let dir = tempfile::tempdir().unwrap();
    let yosys = slow_yosys(dir.path());
    let json = dir.path().join("synth.json");
    let started = std::time::Instant::now();
    let o = linkforge(&[
        "synth",
        "examples/catalog.lf",
        "--variant",
        "arbiter",
        "--variant",
        "crc",
        "--yosys",
        yosys.to_str().unwrap(),
        "--time-limit",
        "1s",
        "--json",
        json.to_str().unwrap(),
        "-o",
        dir.path().join("out").to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(30),
        "the slow Yosys was not stopped: {t}"
    );
    assert!(
        t.contains("2 variants: 0 fit, 0 do not, 2 unfinished"),
        "{t}"
    );
    assert_eq!(
        t.matches("unfinished: yosys was still running after the 1s limit")
            .count(),
        2,
        "{t}"
    );
    // What the stopped Yosys had started writing is gone.
    for variant in ["arbiter", "crc"] {
        let synth_dir = dir.path().join("out/synth").join(variant);
        let left: Vec<_> = std::fs::read_dir(&synth_dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(!left.iter().any(|f| f.ends_with("stat.json")), "{left:?}");
        assert!(left.iter().any(|f| f.ends_with(".v")), "{left:?}");
    }
    let rows: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    for r in rows.as_array().unwrap() {
        assert!(r["unfinished"].as_str().unwrap().contains("yosys"), "{r}");
        assert_eq!(r["resources"], serde_json::json!([]), "{r}");
    }

    for (limit, why) in [("0s", "longer than zero"), ("soon", "such as 90s")] {
        let o = linkforge(&["synth", "examples/catalog.lf", "--time-limit", limit]);
        assert_eq!(o.status.code(), Some(2), "{}", text(&o));
        assert!(text(&o).contains(why), "{limit}: {}", text(&o));
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
fn the_switch_checks_its_stream_rules_live_and_on_its_fst() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("s.lf");
    std::fs::write(
        &config,
        "switch sw { ports = 4; data_width = 64; }\n\
         switch sw_bad : sw { rules = [\"valid_ready:rx0_:3\"]; }\n\
         switch sw_extra : sw { rules = [\"valid_ready:tx0_@clk\"]; }\n",
    )
    .unwrap();
    let fst = dir.path().join("sw.fst");
    let sim = |variant: &str, wave: Option<&Path>| {
        let mut args = vec![
            "sim",
            config.to_str().unwrap(),
            "--variant",
            variant,
            "--cycles",
            "3000",
        ];
        if let Some(w) = wave {
            args.extend(["--wave", w.to_str().unwrap()]);
        }
        linkforge(&args)
    };
    // Four receive and four transmit TLP streams, five properties each
    // (valid held; sop, eop, data and keep stable while stalled), every
    // cycle.
    let o = sim("sw", Some(&fst));
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("protocol_properties: 40"), "{t}");
    // Setup, the 3000 cycles of traffic and the drain, every one checked.
    let cycles = t
        .lines()
        .find_map(|l| l.strip_prefix("cycles: "))
        .unwrap_or_else(|| panic!("no cycles line: {t}"))
        .to_string();
    assert!(
        t.contains(&format!("protocol_cycles_checked: {cycles}")),
        "{t}"
    );
    // A rule the config adds joins the declared ones.
    let t = text(&sim("sw_extra", None));
    assert!(t.contains("protocol_properties: 42"), "{t}");
    // A malformed rule in the config is a usage error naming the variant.
    let o = sim("sw_bad", None);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(
        text(&o).contains("sw_bad: rules: \"valid_ready:rx0_:3\": rule set `valid_ready`"),
        "{}",
        text(&o)
    );

    // The FST the run wrote passes the same rules in `wave check`.
    let o = linkforge(&[
        "wave",
        "check",
        fst.to_str().unwrap(),
        "--clock",
        "sw.clk",
        "--rules",
        "valid_ready:sw.rx0_",
        "--rules",
        "valid_ready:sw.tx3_",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(
        t.contains(&format!("no violations in {cycles} cycles")),
        "{t}"
    );
    assert!(t.contains("(4 properties)"), "{t}");
}

#[test]
fn rules_a_config_names_run_live_and_a_missing_signal_fails_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("eb.lf");
    // The testbench drives `out_ready` at random; the elastic buffer must
    // still hold `out_valid` and `out_data` while stalled, and it does.
    // Its receive side has no `rx_ready`, so a rule set that needs one
    // fails the run naming the signal.
    std::fs::write(
        &config,
        "elastic_buffer eb { rules = [\"valid_ready:out_@clk\"]; }\n\
         elastic_buffer eb_rx { rules = [\"valid_ready:rx_@rx_clk\"]; }\n",
    )
    .unwrap();
    let o = linkforge(&["sim", config.to_str().unwrap(), "--variant", "eb"]);
    assert!(o.status.success(), "{}", text(&o));
    // The buffer declares its output stream; the config names it again.
    assert!(text(&o).contains("protocol_properties: 4"), "{}", text(&o));
    let o = linkforge(&["sim", config.to_str().unwrap(), "--variant", "eb_rx"]);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("no signal named `rx_ready`"), "{t}");
}

/// `gen` writes a register block's map next to its Verilog: Markdown, JSON
/// that agrees with the config, and a C header that `gcc -Wall -Werror -c`
/// compiles alone and whose macros hold the JSON's offsets and masks.
#[test]
fn gen_writes_register_docs_json_and_a_c_header_that_gcc_compiles() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    let o = linkforge(&[
        "gen",
        "examples/fabric.lf",
        "--variant",
        "retimer_regs",
        "-o",
        out,
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let read = |ext: &str| {
        std::fs::read_to_string(dir.path().join(format!("retimer_regs.{ext}")))
            .unwrap_or_else(|e| panic!("retimer_regs.{ext}: {e}"))
    };
    let ledger = std::fs::read_to_string(dir.path().join(".linkforge-files")).unwrap();
    for ext in ["v", "md", "json", "h"] {
        assert!(
            ledger.lines().any(|l| l == format!("retimer_regs.{ext}")),
            "{ext} claimed in the ledger:\n{ledger}"
        );
    }
    let md = read("md");
    assert!(
        md.contains("| `0x0040` | [`hdr_errors`](#hdr_errors)"),
        "{md}"
    );
    assert!(md.contains("| `[31]` | `resync` | WO |"), "{md}");

    let json: serde_json::Value = serde_json::from_str(&read("json")).unwrap();
    assert_eq!(json["prefix"], "s_axil_");
    assert_eq!(json["unmapped_response"], "SLVERR");
    let regs = json["registers"].as_array().unwrap();
    let names: Vec<&str> = regs.iter().map(|r| r["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "id",
            "control",
            "temperature",
            "temp_high",
            "temp_crit",
            "irq_status",
            "lane_status",
            "hdr_errors",
            "lock_losses",
            "prbs_errors",
            "ltssm_history"
        ]
    );
    let offsets: Vec<u64> = regs.iter().map(|r| r["offset"].as_u64().unwrap()).collect();
    assert_eq!(
        offsets,
        [0x0, 0x4, 0x10, 0x14, 0x18, 0x1c, 0x20, 0x40, 0x44, 0x48, 0x4c]
    );
    assert_eq!(regs[10]["fields"][2]["access"], "fifo_count");
    assert_eq!(regs[10]["fifo"]["push"], "ltssm_history_push");
    assert!(
        md.contains("| `[3:0]` | `state` | FIFO |") && md.contains("history FIFO (16 entries)"),
        "{md}"
    );
    assert!(read("h").contains("#define RETIMER_REGS_LTSSM_HISTORY_FIFO_DEPTH 16u"));
    assert_eq!(json["alerts"].as_array().unwrap().len(), 2);

    if !common::have("gcc") {
        return;
    }
    let gcc = |args: &[&str]| {
        let o = std::process::Command::new("gcc")
            .args(args)
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(o.status.success(), "gcc {args:?}:\n{}", text(&o));
    };
    gcc(&[
        "-Wall",
        "-Werror",
        "-c",
        "-x",
        "c",
        "retimer_regs.h",
        "-o",
        "header.o",
    ]);
    let mut c = String::from("#include \"retimer_regs.h\"\n");
    for r in regs {
        let reg = r["name"].as_str().unwrap().to_ascii_uppercase();
        c.push_str(&format!(
            "_Static_assert(RETIMER_REGS_{reg}_OFFSET == {}u, \"{reg}\");\n",
            r["offset"]
        ));
        c.push_str(&format!(
            "_Static_assert(RETIMER_REGS_{reg}_RESET == {}u, \"{reg}\");\n",
            r["reset"]
        ));
        for f in r["fields"].as_array().unwrap() {
            let field = f["name"].as_str().unwrap().to_ascii_uppercase();
            let (lsb, width) = (f["lsb"].as_u64().unwrap(), f["width"].as_u64().unwrap());
            let mask = ((1u64 << width) - 1) << lsb;
            let n = format!("RETIMER_REGS_{reg}_{field}");
            c.push_str(&format!(
                "_Static_assert({n}_SHIFT == {lsb}u && {n}_WIDTH == {width}u && {n}_MASK == {mask}u, \"{n}\");\n\
                 _Static_assert({n}_GET({n}_SET(0xFFFFFFFFu)) == {}u, \"{n} get/set\");\n",
                (1u64 << width) - 1
            ));
        }
    }
    c.push_str("unsigned int first_offset(void) { return RETIMER_REGS_ID_OFFSET; }\n");
    std::fs::write(dir.path().join("use.c"), c).unwrap();
    gcc(&[
        "-std=c11",
        "-Wall",
        "-Wextra",
        "-Werror",
        "-pedantic",
        "-c",
        "use.c",
        "-o",
        "use.o",
    ]);
}

/// `sim` on a register block drives random AXI4-Lite traffic against the
/// model and prints the bus metrics.
#[test]
fn sim_of_a_register_block_prints_bus_metrics() {
    let o = linkforge(&[
        "sim",
        "examples/fabric.lf",
        "--variant",
        "retimer_regs",
        "--cycles",
        "3000",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let metric = |name: &str| -> u64 {
        t.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no `{name}` in:\n{t}"))
            .trim()
            .parse()
            .unwrap()
    };
    assert_eq!(metric("mismatches"), 0);
    assert!(
        metric("bus_reads") > 100 && metric("bus_writes") > 100,
        "{t}"
    );
    assert!(metric("slverr") > 0, "{t}");
}

/// A retimer and a switch with `telemetry` get their register maps written
/// too, each naming the clock its bus is synchronous to.
#[test]
fn gen_writes_the_register_maps_of_blocks_with_telemetry() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tm.lf");
    std::fs::write(
        &config,
        "retimer rt { lanes = 2; telemetry = true; }\nswitch sw { ports = 2; telemetry = true; }\n\
         cxl_controller mc { data_width = 64; lines = 64; telemetry = true; }\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = linkforge(&["gen", config.to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", text(&o));
    for (name, clock, first) in [
        ("rt", "rx_clk", "pi_code"),
        ("sw", "clk", "rx0_drops"),
        ("mc", "clk", "outstanding"),
    ] {
        let json: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(out.join(format!("{name}.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(json["clock"], clock);
        assert_eq!(json["registers"][0]["name"], first);
        assert_eq!(json["registers"][0]["fields"][0]["access"], "ro");
        let header = std::fs::read_to_string(out.join(format!("{name}.h"))).unwrap();
        assert!(header.contains(&format!(
            "#define {}_{}_OFFSET 0x0000u",
            name.to_uppercase(),
            first.to_uppercase()
        )));
    }
}

#[test]
fn sim_of_the_ethernet_pcs_checks_every_frame_and_prints_its_metrics() {
    let o = linkforge(&[
        "sim",
        "examples/fabric.lf",
        "--variant",
        "xge_pcs",
        "--cycles",
        "3000",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    for line in [
        "checks_failed: 0",
        "frames_good: ",
        "frames_bad: ",
        "lock_time_blocks: ",
        "relock_time_blocks: ",
        "rx_bad_headers: ",
        "rx_fcs_errors: ",
        "frames_fcs_corrupted_caught: ",
        "tx_error_blocks: ",
        "rx_error_blocks: ",
        "rx_ordered_sets: ",
        "header_errors_injected: 32",
        "slips_injected: 1",
    ] {
        assert!(t.contains(line), "missing `{line}` in:\n{t}");
    }
    assert!(!t.contains("lock_time_blocks: n/a"), "{t}");
    assert!(
        !t.contains("rx_hi_ber_events: 0\n"),
        "hi_ber never rose:\n{t}"
    );
    assert!(!t.contains("frames_good: 0\n"), "{t}");

    let dir = tempfile::tempdir().unwrap();
    let o = linkforge(&[
        "check",
        "examples/fabric.lf",
        "--variant",
        "xge_pcs",
        "--cases",
        "3",
        "--max-cycles",
        "2000",
        "-o",
        dir.path().to_str().unwrap(),
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("xge_pcs: 3 cases passed"), "{t}");
}

#[test]
fn prove_proves_the_ethernet_block_lock_and_gearbox_invariants() {
    if !(common::have("yosys") && common::have("yosys-smtbmc") && common::have("z3")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().to_str().unwrap();
    // Block lock: fewer than 64 headers and 16 invalid ones in a window, no
    // invalid header counted without lock, no slip with lock. Gearboxes:
    // their bit counts stay in range.
    for variant in ["eth_block_lock", "eth_gearbox_tx", "eth_gearbox_rx"] {
        assert_proven(variant, "12", out);
    }
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
        assert_proven(variant, depth, out);
    }
}

/// `run` on a card writes its Verilog, waveform and register docs (with
/// each component's base address; the C header compiles), and its testbench
/// brings the retimer's link up, carries Ethernet frames from the uplink
/// PCS across the switch and back out, reads every component's registers
/// over the shared bus and passes.
#[test]
fn card_run_writes_verilog_register_docs_and_passes() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("card.lf");
    std::fs::write(
        &config,
        "card board {\n    retimer rx { lanes = 1; }\n    \
         switch fabric { ports = 2; max_packet_beats = 16; queue_depth = 128; upstream_port = -1; }\n    \
         eth_pcs uplink { switch = \"fabric\"; port = 1; }\n    \
         cxl_controller mem { hosts = 2; data_width = 64; lines = 256; depth = 16; }\n}\n",
    )
    .unwrap();
    let out = dir.path().join("out");
    let o = linkforge(&[
        "run",
        config.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--cycles",
        "1500",
        "--cases",
        "2",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    assert!(t.contains("1 variants: 1 passed, 0 failed"), "{t}");
    for ext in ["v", "vcd", "md", "json", "h"] {
        assert!(out.join(format!("board.{ext}")).is_file(), "no board.{ext}");
    }
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("board.json")).unwrap()).unwrap();
    assert_eq!(json["clock"], "clk");
    let windows: Vec<(String, u64)> = json["windows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| {
            (
                w["name"].as_str().unwrap().to_string(),
                w["base"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        windows,
        [
            ("rx".to_string(), 0),
            ("fabric".into(), 0x1000),
            ("uplink".into(), 0x2000),
            ("mem".into(), 0x3000)
        ]
    );
    assert_eq!(json["registers"][0]["name"], "rx_pi_code");
    let header = std::fs::read_to_string(out.join("board.h")).unwrap();
    assert!(
        header.contains("#define BOARD_FABRIC_BASE 0x1000u"),
        "{header}"
    );
    assert!(
        header.contains("#define BOARD_UPLINK_RX_FRAMES_OFFSET 0x2014u"),
        "{header}"
    );
    if common::have("gcc") {
        std::fs::write(
            dir.path().join("use.c"),
            "#include \"out/board.h\"\n_Static_assert(BOARD_UPLINK_BASE == 0x2000u, \"base\");\n\
             unsigned int rx_frames(void) { return BOARD_UPLINK_BASE + 0x14u; }\n",
        )
        .unwrap();
        let g = std::process::Command::new("gcc")
            .current_dir(dir.path())
            .args(["-Wall", "-Werror", "-c", "use.c", "-o", "use.o"])
            .output()
            .unwrap();
        assert!(g.status.success(), "gcc:\n{}", text(&g));
    }

    let o = linkforge(&[
        "sim",
        config.to_str().unwrap(),
        "--variant",
        "board",
        "--cycles",
        "1500",
    ]);
    let t = text(&o);
    assert!(o.status.success(), "{t}");
    let metric = |name: &str| -> String {
        t.lines()
            .find_map(|l| l.strip_prefix(&format!("{name}: ")))
            .unwrap_or_else(|| panic!("no `{name}` in:\n{t}"))
            .trim()
            .to_string()
    };
    assert_eq!(metric("mismatches"), "0");
    // Every register of the four windows, the switch's again after the
    // Ethernet traffic, plus one unmapped read (four windows fill the
    // 14-bit address space, so none past the last).
    let registers = json["registers"].as_array().unwrap();
    let fabric = registers
        .iter()
        .filter(|r| r["name"].as_str().unwrap().starts_with("fabric_"))
        .count();
    assert_eq!(
        metric("bus_reads"),
        (registers.len() + fabric + 1).to_string(),
        "{t}"
    );
    // The switch bench on port 0, the Ethernet frames through port 1.
    assert_eq!(metric("fabric.bus_packets"), metric("fabric.delivered"));
    assert_ne!(metric("fabric.delivered"), "0");
    let e2e = |name: &str| -> u64 { metric(&format!("e2e.{name}")).parse().unwrap() };
    assert!(e2e("frames_out") > 0, "{t}");
    assert_eq!(
        e2e("frames_out"),
        e2e("frames_in") - e2e("frames_bad_fcs_in"),
        "{t}"
    );
    assert!(metric("e2e.mean_latency_ns").parse::<f64>().unwrap() > 0.0);
    assert_eq!(metric("mem.mismatches"), "0");
    assert_ne!(metric("mem.bus_host_reads_writes"), "0");
    // The retimer's link came up (its run is stretched to bring-up) and
    // forwarded blocks without an error.
    let lock: u64 = metric("rx.lock_time_ui")
        .parse()
        .expect("the retimer locked");
    assert!(lock < 40_000, "{t}");
    assert_ne!(metric("rx.bits_compared"), "0");
    assert_eq!(metric("rx.bit_errors"), "0");
}

/// A PCS attached to something that is not a switch port is an error on
/// the row's `switch` member, and a port attached twice on its `port`.
#[test]
fn bad_card_attachments_are_errors_on_the_member() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("card.lf");
    std::fs::write(
        &config,
        "card board {\n    switch fabric { ports = 2; max_packet_beats = 16; queue_depth = 128; }\n    \
         cxl_controller mem { }\n    eth_pcs a { switch = \"mem\"; port = 0; }\n    \
         eth_pcs b { switch = \"fabric\"; port = 1; }\n    \
         eth_pcs c { switch = \"fabric\"; port = 1; }\n}\n",
    )
    .unwrap();
    let o = linkforge(&["lint", config.to_str().unwrap()]);
    let t = text(&o);
    assert!(!o.status.success(), "{t}");
    assert!(
        t.contains("`mem` is a cxl_controller; a PCS attaches to a switch port"),
        "{t}"
    );
    assert!(t.contains("card.lf:4:26"), "{t}");
    assert!(
        t.contains("port 1 of switch `fabric` is already attached to `b`"),
        "{t}"
    );
    assert!(t.contains("card.lf:6:43"), "{t}");
}

/// `linkforge prove` proves `variant` of `examples/catalog.lf` to `depth`,
/// writing into `out`.
fn assert_proven(variant: &str, depth: &str, out: &str) {
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

#[test]
fn wave_check_writes_a_test_case_per_property_with_the_violation() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.vcd");
    std::fs::write(&bad, stream_vcd(1)).unwrap();
    let (json, xml) = (dir.path().join("w.json"), dir.path().join("w.xml"));
    let o = linkforge(&[
        "wave",
        "check",
        bad.to_str().unwrap(),
        "--clock",
        "tb.clk",
        "--rules",
        "valid_ready:tb.dut.s_",
        "--json",
        json.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let r = &v["records"][0];
    assert_eq!(r["verdict"], "failed");
    assert_eq!(r["cycles"], 8);
    assert_eq!(r["checks"].as_array().unwrap().len(), 2);
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(junit.contains("tests=\"2\" failures=\"1\""), "{junit}");
    assert!(junit.contains("<failure message="), "{junit}");
    assert!(
        junit.contains(&format!("waveform: {}", bad.display())),
        "{junit}"
    );
}

#[test]
fn gen_writes_a_fusesoc_core_that_fusesoc_lints_with_verilator() {
    if !(common::have("fusesoc") && common::have("verilator")) {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("ip");
    let o = linkforge(&[
        "gen",
        "examples/catalog.lf",
        "--variant",
        "crossbar",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let core = std::fs::read_to_string(out.join("crossbar.core")).unwrap();
    assert!(core.contains("name: linkforge:ip:crossbar:"), "{core}");
    // FuseSoC builds in `build/` under its working directory.
    let o = std::process::Command::new("fusesoc")
        .arg("--cores-root")
        .arg(&out)
        .args(["run", "--target", "lint", "linkforge:ip:crossbar"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", text(&o));
    assert!(
        dir.path().join("build").is_dir(),
        "FuseSoC ran in its build directory: {}",
        text(&o)
    );
}
