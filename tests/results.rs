//! Machine-readable results end to end: `run` as three shards joined by
//! `merge` gives the unsharded run's summary, verdict, records and JUnit
//! file (apart from durations), with one seed per variant or a sweep of
//! seeds; `check` writes the same forms.

mod cli_support;

use cli_support::{linkforge, text};
use std::path::Path;

/// A sweep of six small variants.
const SWEEP: &str = "crossbar xbar { ports = sweep [2, 3, 4, 5]; data_width = 8; }\n\
                     arbiter rr4 { requesters = 4; policy = rr; }\n\
                     crc crc8 { preset = crc8; bytes = 1; }\n";

/// `run` on `config` into `out` with `extra` arguments; its output.
fn run(config: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "run",
        config.to_str().unwrap(),
        "-o",
        out.to_str().unwrap(),
        "--cycles",
        "100",
        "--cases",
        "2",
    ];
    args.extend(extra);
    linkforge(&args)
}

/// `text` without its `time="..."` attributes.
fn without_times(text: &str) -> String {
    text.split(" time=\"")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once('"').map_or(part, |(_, rest)| rest)
            }
        })
        .collect()
}

/// The records of a results file, without their durations.
fn records(path: &Path) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    for r in v["records"].as_array_mut().unwrap() {
        r["duration_s"] = 0.into();
    }
    v["records"].take()
}

#[test]
fn three_shards_merge_into_the_unsharded_runs_summary_verdict_and_junit() {
    shards_merge(1);
}

#[test]
fn a_sweep_of_seeds_splits_and_merges_the_same_way() {
    shards_merge(2);
}

/// The sweep with `seeds` seeds per variant, whole and as three shards.
fn shards_merge(seeds: usize) {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("sweep.lf");
    std::fs::write(&config, SWEEP).unwrap();
    let seeds_arg = seeds.to_string();
    let jobs = 6 * seeds;
    let unit = if seeds > 1 { "jobs" } else { "variants" };

    let whole = run(
        &config,
        &d.join("whole"),
        &[
            "--seeds",
            &seeds_arg,
            "--json",
            d.join("whole.json").to_str().unwrap(),
            "--junit",
            d.join("whole.xml").to_str().unwrap(),
        ],
    );
    assert!(whole.status.success(), "{}", text(&whole));
    let summary = String::from_utf8(whole.stdout).unwrap();
    assert!(
        summary.ends_with(&format!("{jobs} {unit}: {jobs} passed, 0 failed\n")),
        "{summary}"
    );
    if seeds > 1 {
        // Each job has its row and its waveform, named with its seed.
        assert!(summary.contains("xbar_p3.seed2 "), "{summary}");
        assert!(d.join("whole/xbar_p3.seed2.vcd").exists());
    }

    let mut parts = Vec::new();
    for i in 1..=3 {
        let json = d.join(format!("shard{i}.json"));
        let shard = format!("{i}/3");
        let o = run(
            &config,
            &d.join(format!("shard{i}")),
            &[
                "--seeds",
                &seeds_arg,
                "--shard",
                &shard,
                "--json",
                json.to_str().unwrap(),
            ],
        );
        assert!(o.status.success(), "{}", text(&o));
        let each = jobs / 3;
        assert!(
            text(&o).contains(&format!("{each} {unit}: {each} passed")),
            "{}",
            text(&o)
        );
        parts.push(json.to_str().unwrap().to_string());
    }
    // Any order of the files gives the same result.
    parts.reverse();
    let merged_json = d.join("merged.json");
    let merged_xml = d.join("merged.xml");
    let mut args = vec!["merge"];
    args.extend(parts.iter().map(String::as_str));
    args.extend([
        "--json",
        merged_json.to_str().unwrap(),
        "--junit",
        merged_xml.to_str().unwrap(),
    ]);
    let o = linkforge(&args);
    assert!(o.status.success(), "{}", text(&o));
    assert_eq!(String::from_utf8(o.stdout).unwrap(), summary);
    assert_eq!(records(&merged_json), records(&d.join("whole.json")));
    let junit = std::fs::read_to_string(&merged_xml).unwrap();
    assert_eq!(
        without_times(&junit),
        without_times(&std::fs::read_to_string(d.join("whole.xml")).unwrap())
    );
    assert_eq!(junit.matches("<testcase ").count(), 2 * jobs, "{junit}");

    // A shard missing is an error, not a smaller summary.
    let o = linkforge(&["merge", &parts[0], &parts[1]]);
    assert_eq!(o.status.code(), Some(2), "{}", text(&o));
    assert!(text(&o).contains("a shard is missing"), "{}", text(&o));
}

#[test]
fn check_writes_a_record_per_variant_and_junit() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let config = d.join("sweep.lf");
    std::fs::write(&config, SWEEP).unwrap();
    let (json, xml) = (d.join("c.json"), d.join("c.xml"));
    let o = linkforge(&[
        "check",
        config.to_str().unwrap(),
        "--cases",
        "2",
        "--seed",
        "7",
        "--shard",
        "2/2",
        "-o",
        d.to_str().unwrap(),
        "--json",
        json.to_str().unwrap(),
        "--junit",
        xml.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", text(&o));
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    assert_eq!(v["command"], "check");
    assert_eq!(v["shard"], "2/2");
    let names: Vec<&str> = v["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["variant"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["xbar_p3", "xbar_p5", "crc8"]);
    for r in v["records"].as_array().unwrap() {
        assert_eq!(r["verdict"], "passed");
        assert_eq!(r["seed"], 7);
        assert_eq!(r["checks"][0]["summary"], "2/2 ok");
        assert_eq!(r["tools"]["engine"], "native");
    }
    let junit = std::fs::read_to_string(&xml).unwrap();
    assert!(junit.contains("tests=\"3\" failures=\"0\""), "{junit}");
}
