//! `deskew`: lanes with random skews up to the maximum come out aligned on
//! the marker with their data unchanged and the skew reported; a skew above
//! the maximum raises `error` and never `aligned`; Verilog tools.

use crate::support::{cases, check_verilog, Tb};
use linkforge_rtl::catalog::Params;
use linkforge_rtl::retimer::deskew::{deskew, kind, DeskewConfig};
use proptest::prelude::*;

/// The lanes' symbols as sent: `(data, marker)` per lane per index, with a
/// marker on every lane at each multiple of `period`.
fn logical(cfg: &DeskewConfig, len: usize, period: usize, seed: u64) -> Vec<Vec<(u64, bool)>> {
    let mask = u64::MAX >> (64 - cfg.width);
    let mut x = seed | 1;
    (0..cfg.lanes)
        .map(|_| {
            (0..len)
                .map(|k| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    (x & mask, k % period == period / 2)
                })
                .collect()
        })
        .collect()
}

/// What the simulation saw: `aligned`, `error` and the lanes' output per
/// cycle, and the final `skew` port.
struct Trace {
    aligned: Vec<bool>,
    error: Vec<bool>,
    out: Vec<Vec<(u64, bool)>>,
    skew: Vec<u64>,
}

/// Runs the lanes through the block, lane `l` arriving `skews[l]` cycles late.
fn simulate(cfg: &DeskewConfig, lanes: &[Vec<(u64, bool)>], skews: &[usize]) -> Trace {
    let (n, w) = (cfg.lanes as usize, cfg.width);
    let mask = u64::MAX >> (64 - w);
    let mut tb = Tb::new(deskew("dsk", cfg));
    tb.reset();
    let len = lanes[0].len();
    let mut t = Trace {
        aligned: Vec::new(),
        error: Vec::new(),
        out: Vec::new(),
        skew: Vec::new(),
    };
    for c in 0..len {
        let (mut data, mut marker) = (0u64, 0u64);
        for l in 0..n {
            // Before a lane's first symbol arrives it carries idle zeros.
            let (d, mk) = c.checked_sub(skews[l]).map_or((0, false), |k| lanes[l][k]);
            data |= d << (l as u32 * w);
            marker |= u64::from(mk) << l;
        }
        tb.set("in_data", data);
        tb.set("in_marker", marker);
        t.aligned.push(tb.flag("aligned"));
        t.error.push(tb.flag("error"));
        let (od, om) = (tb.get("out_data"), tb.get("out_marker"));
        t.out.push(
            (0..n)
                .map(|l| ((od >> (l as u32 * w)) & mask, om >> l & 1 == 1))
                .collect(),
        );
        tb.step();
    }
    let sw = cfg.skew_width();
    let skew = tb.get("skew");
    t.skew = (0..n as u32)
        .map(|l| (skew >> (l * sw)) & ((1 << sw) - 1))
        .collect();
    t
}

/// Lane count, width (`lanes * width <= 64`), maximum skew, marker period.
fn setup() -> impl Strategy<Value = (DeskewConfig, usize)> {
    (1u32..=8, 1u32..=8, 1u32..=16, 0usize..20).prop_map(|(lanes, width, max_skew, extra)| {
        let cfg = DeskewConfig {
            lanes,
            width,
            max_skew,
        };
        (cfg, 2 * max_skew as usize + 12 + extra)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(32), ..ProptestConfig::default() })]

    /// Skews within the maximum: aligned after the first marker, every
    /// aligned cycle shows all lanes at the same index with their data.
    #[test]
    fn aligns_lanes_within_max_skew(
        (cfg, period) in setup(),
        raw in prop::collection::vec(0usize..=1024, 8),
        seed in any::<u64>(),
    ) {
        let n = cfg.lanes as usize;
        let skews: Vec<usize> = raw[..n].iter().map(|s| s % (cfg.max_skew as usize + 1)).collect();
        let late = *skews.iter().max().unwrap_or(&0);
        let lanes = logical(&cfg, 5 * period, period, seed);
        let t = simulate(&cfg, &lanes, &skews);
        prop_assert!(t.error.iter().all(|e| !e), "error raised");
        prop_assert!(*t.aligned.last().unwrap_or(&false), "never aligned");
        // Aligned by the end of the second marker period.
        let first = t.aligned.iter().position(|&a| a).unwrap_or(usize::MAX);
        prop_assert!(first <= period / 2 + late + 4, "aligned only at {first}");
        for (c, out) in t.out.iter().enumerate().filter(|(c, _)| t.aligned[*c]) {
            let k = c - 2 - late;
            for (l, &word) in out.iter().enumerate() {
                prop_assert_eq!(word, lanes[l][k], "lane {} at cycle {}", l, c);
            }
        }
        let want: Vec<u64> = skews.iter().map(|&s| (late - s) as u64).collect();
        prop_assert_eq!(t.skew, want);
    }

    /// A skew just above the maximum is an error and is never reported aligned.
    #[test]
    fn flags_skew_above_max(
        (cfg, period) in setup(),
        excess in 1usize..=4,
        raw in prop::collection::vec(0usize..=1024, 8),
        seed in any::<u64>(),
    ) {
        let cfg = DeskewConfig { lanes: cfg.lanes.max(2), ..cfg };
        let n = cfg.lanes as usize;
        let late = cfg.max_skew as usize + excess;
        // Lane 0 is on time, some other lane the latest.
        let mut skews: Vec<usize> = raw[..n].iter().map(|s| s % (late + 1)).collect();
        skews[0] = 0;
        skews[1 + raw[0] % (n - 1)] = late;
        let lanes = logical(&cfg, 4 * period, period, seed);
        let t = simulate(&cfg, &lanes, &skews);
        prop_assert!(t.aligned.iter().all(|a| !a), "aligned despite the skew");
        prop_assert!(*t.error.last().unwrap_or(&false), "no error");
    }
}

#[test]
fn rejects_bad_configs() {
    for (lanes, width, max_skew) in [(0, 8, 4), (17, 8, 4), (4, 0, 4), (4, 8, 0)] {
        let cfg = DeskewConfig {
            lanes,
            width,
            max_skew,
        };
        assert!(deskew("d", &cfg).is_err(), "{cfg:?}");
    }
}

#[test]
fn verilog_tools_accept_deskew() {
    for (lanes, width, max_skew) in [(4, 8, 16), (1, 1, 1), (16, 10, 40)] {
        check_verilog(deskew(
            &format!("deskew_l{lanes}_w{width}_k{max_skew}"),
            &DeskewConfig {
                lanes,
                width,
                max_skew,
            },
        ));
    }
}

#[test]
fn catalogue_entry_builds_from_defaults() {
    let k = kind();
    (k.build)("deskew", &Params::defaults(&k.params)).expect("defaults build");
}
