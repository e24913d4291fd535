//! Protocol rule sets: the properties every interface of one protocol must
//! keep, bound to an interface's signals by their common name prefix
//! (`top.u0.in0_`, `tb.dut.s_axil_`). `linkforge wave check --rules
//! SET:PREFIX[:ARG]` and the live checks of `linkforge sim` use them.

use super::{Cond, Keyed, Property};
use linkforge_hdl::{Interface, Protocol};

/// The rule sets by name, each with what it checks.
pub const RULE_SETS: [(&str, &str); 4] = [
    (
        "valid_ready",
        "PREFIXvalid is held until PREFIXready; PREFIXdata is stable while stalled",
    ),
    (
        "credit",
        "PCIe credits PREFIXlimit_T and PREFIXconsumed_T (T: ph pd nph npd cplh cpld): \
         consumed never passes the limit; with ARG `HDR/DATA`, no more credits \
         available than advertised",
    ),
    (
        "cxl_mem",
        "CXL.mem channels PREFIXm2s_req_, m2s_rwd_, s2m_ndr_, s2m_drs_: valid/ready on \
         each; every response answers one outstanding request with its ld_id and tag; \
         MemSpecRd gets none",
    ),
    (
        "axi4_lite",
        "AXI4-Lite channels PREFIXaw, w, b, ar, r: valid held until ready with a stable \
         payload; no write response before its address and data, no read data before \
         its address",
    ),
];

/// Why a rule set could not be made.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RuleSetError {
    /// No rule set has the name.
    #[error("no rule set `{0}` (known: {known})", known = known_sets())]
    Unknown(String),
    /// The rule is not written `SET:PREFIX[:ARG]`.
    #[error("`{0}` is not written SET:PREFIX[:ARG], e.g. valid_ready:tb.dut.in0_")]
    Malformed(String),
    /// The set's argument is malformed, or given to a set that takes none.
    #[error("rule set `{set}`: {why}")]
    Argument {
        /// The rule set.
        set: String,
        /// What is wrong.
        why: String,
    },
}

/// The names of the rule sets, comma-separated.
fn known_sets() -> String {
    RULE_SETS.map(|(name, _)| name).join(", ")
}

/// The properties of rule set `set` for the interface whose signals start
/// with `prefix`, with the set's optional argument `arg` (see
/// [`RULE_SETS`]).
pub fn rule_set(set: &str, prefix: &str, arg: Option<&str>) -> Result<Vec<Property>, RuleSetError> {
    let no_arg = || match arg {
        None => Ok(()),
        Some(a) => Err(RuleSetError::Argument {
            set: set.to_string(),
            why: format!("takes no argument, got `{a}`"),
        }),
    };
    let name = |s: &str| format!("{prefix}{s}");
    match set {
        "valid_ready" => {
            no_arg()?;
            Ok(stream(&name("valid"), &name("ready"), &[name("data")]))
        }
        "credit" => credit(prefix, arg),
        "cxl_mem" => {
            no_arg()?;
            Ok(cxl_mem(prefix))
        }
        "axi4_lite" => {
            no_arg()?;
            Ok(axi4_lite(prefix))
        }
        _ => Err(RuleSetError::Unknown(set.to_string())),
    }
}

/// The properties of an interface a design declares: its protocol's rule
/// set on its prefix, with a valid/ready interface's own payload ports.
pub fn interface_rules(interface: &Interface) -> Result<Vec<Property>, RuleSetError> {
    let prefix = &interface.prefix;
    match (interface.protocol, interface.payload.is_empty()) {
        (Protocol::ValidReady, false) => Ok(stream(
            &format!("{prefix}valid"),
            &format!("{prefix}ready"),
            &interface.payload,
        )),
        (protocol, _) => rule_set(protocol.rule_set(), prefix, None),
    }
}

/// The properties of a rule written `SET:PREFIX[:ARG]` (as `linkforge wave
/// check --rules` and a variant's `rules` take it).
pub fn parse_rule(spec: &str) -> Result<Vec<Property>, RuleSetError> {
    let mut parts = spec.splitn(3, ':');
    match (parts.next(), parts.next()) {
        (Some(set), Some(prefix)) => rule_set(set, prefix, parts.next()),
        _ => Err(RuleSetError::Malformed(spec.to_string())),
    }
}

/// A transfer on a valid/ready channel.
fn handshake(valid: &str, ready: &str) -> Cond {
    Cond::High(valid.into()).and(Cond::High(ready.into()))
}

/// A valid/ready channel: once `valid` is high without `ready` it stays
/// high into the next cycle, and each of `payload` keeps its value until
/// the transfer.
fn stream(valid: &str, ready: &str, payload: &[String]) -> Vec<Property> {
    let stalled = || Cond::High(valid.into()).and(Cond::Low(ready.into()));
    let mut rules = vec![Property::implies_within(
        format!("{valid} is held until ready"),
        stalled(),
        Cond::High(valid.into()),
        1,
    )];
    rules.extend(payload.iter().map(|p| {
        Property::stable_while(format!("{p} is stable while stalled"), p.clone(), stalled())
    }));
    rules
}

/// Widths of PCIe credit counters (2.6.1): header, then data.
const CREDIT_BITS: (u32, u32) = (8, 12);
/// The credit types, header and data of each class.
const CREDIT_TYPES: [(&str, &str); 3] = [("ph", "pd"), ("nph", "npd"), ("cplh", "cpld")];

/// PCIe credit counters seen at a transmitter: per type, the partner's
/// `limit_T` and the transmitter's `consumed_T`, both modulo their width.
fn credit(prefix: &str, arg: Option<&str>) -> Result<Vec<Property>, RuleSetError> {
    let advertised = arg
        .map(|a| {
            let parsed = a
                .split_once('/')
                .and_then(|(h, d)| Some((h.trim().parse().ok()?, d.trim().parse().ok()?)));
            parsed.ok_or_else(|| RuleSetError::Argument {
                set: "credit".into(),
                why: format!("expected advertised credits `HDR/DATA` such as `32/256`, got `{a}`"),
            })
        })
        .transpose()?;
    let mut rules = Vec::new();
    for (hdr, data) in CREDIT_TYPES {
        for (t, bits, adv) in [
            (hdr, CREDIT_BITS.0, advertised.map(|a: (u64, u64)| a.0)),
            (data, CREDIT_BITS.1, advertised.map(|a| a.1)),
        ] {
            let (limit, consumed) = (
                format!("{prefix}limit_{t}"),
                format!("{prefix}consumed_{t}"),
            );
            let ahead = |max| Cond::AheadAtMost {
                a: limit.clone(),
                b: consumed.clone(),
                bits,
                max,
            };
            rules.push(Property::always(
                format!("{consumed} never passes {limit}"),
                ahead(1 << (bits - 1)),
            ));
            if let Some(adv) = adv {
                rules.push(Property::always(
                    format!("{limit} is never more than {adv} credits ahead of {consumed}"),
                    ahead(adv),
                ));
            }
        }
    }
    Ok(rules)
}

/// `MemSpecRd`, the M2S Req opcode that gets no response.
const MEM_SPEC_RD: u64 = 0b1000;

/// The four CXL.mem channels of a device port.
fn cxl_mem(prefix: &str) -> Vec<Property> {
    let channel = |ch: &str, fields: &[&str]| {
        let name = |f: &str| format!("{prefix}{ch}_{f}");
        let payload: Vec<String> = fields.iter().map(|f| name(f)).collect();
        let rules = stream(&name("valid"), &name("ready"), &payload);
        let done = handshake(&name("valid"), &name("ready"));
        (rules, done, vec![name("ld_id"), name("tag")])
    };
    let (mut rules, req, req_key) = channel("m2s_req", &["opcode", "tag", "addr", "ld_id"]);
    let (rwd_rules, rwd, rwd_key) = channel(
        "m2s_rwd",
        &[
            "opcode", "tag", "addr", "ld_id", "data", "byte_en", "poison",
        ],
    );
    let (ndr_rules, ndr, ndr_key) = channel("s2m_ndr", &["opcode", "tag", "ld_id", "devload"]);
    let (drs_rules, drs, drs_key) = channel(
        "s2m_drs",
        &["opcode", "tag", "ld_id", "data", "poison", "devload"],
    );
    rules.extend(rwd_rules);
    rules.extend(ndr_rules);
    rules.extend(drs_rules);
    let answered = !Cond::Equals(format!("{prefix}m2s_req_opcode"), MEM_SPEC_RD);
    rules.push(Property::one_response_per_request(
        format!("{prefix}: every response answers one outstanding request by ld_id and tag"),
        vec![
            Keyed {
                when: req.and(answered),
                key: req_key,
            },
            Keyed {
                when: rwd,
                key: rwd_key,
            },
        ],
        vec![
            Keyed {
                when: ndr,
                key: ndr_key,
            },
            Keyed {
                when: drs,
                key: drs_key,
            },
        ],
    ));
    rules
}

/// The five channels of an AXI4-Lite slave port.
fn axi4_lite(prefix: &str) -> Vec<Property> {
    let name = |s: &str| format!("{prefix}{s}");
    let mut rules = Vec::new();
    for (ch, payload) in [
        ("aw", &["awaddr"][..]),
        ("w", &["wdata", "wstrb"]),
        ("b", &["bresp"]),
        ("ar", &["araddr"]),
        ("r", &["rdata", "rresp"]),
    ] {
        let payload: Vec<String> = payload.iter().map(|p| name(p)).collect();
        rules.extend(stream(
            &name(&format!("{ch}valid")),
            &name(&format!("{ch}ready")),
            &payload,
        ));
    }
    let done = |ch: &str| handshake(&name(&format!("{ch}valid")), &name(&format!("{ch}ready")));
    for (request, response) in [("aw", "b"), ("w", "b"), ("ar", "r")] {
        rules.push(Property::count_within(
            format!("{prefix}{response} never answers more {request} transfers than were made"),
            done(request),
            done(response),
            u64::MAX,
        ));
    }
    rules
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::props::Trace;
    use crate::wave::Waves;

    /// A trace on `t.clk` of the given signals, one value per cycle.
    fn trace(signals: &[(&str, &[u64])]) -> Trace {
        let cycles = signals[0].1.len() as u64;
        let mut w = Waves::default();
        for c in 0..cycles {
            w.push("t.clk", c * 10, "0".into());
            w.push("t.clk", c * 10 + 5, "1".into());
        }
        for (name, values) in signals {
            for (c, v) in values.iter().enumerate() {
                w.push(&format!("t.{name}"), c as u64 * 10 + 1, format!("{v:b}"));
            }
        }
        Trace::sample(&w, "t.clk").expect("a clock")
    }

    /// The first failing property's name and cycle.
    fn first_failure(t: &Trace, rules: &[Property]) -> Option<(String, usize)> {
        t.first_violation(rules)
            .expect("signals exist")
            .map(|v| (v.property, v.cycle))
    }

    #[test]
    fn credits_never_pass_the_limit_or_the_advertised_amount() {
        let zeros: &[u64] = &[0, 0, 0, 0];
        let mut signals: Vec<(String, Vec<u64>)> = Vec::new();
        for (h, d) in CREDIT_TYPES {
            for t in [h, d] {
                signals.push((format!("limit_{t}"), zeros.to_vec()));
                signals.push((format!("consumed_{t}"), zeros.to_vec()));
            }
        }
        // PH: the partner advertises 2, the transmitter consumes 1, 2, then 3.
        signals[0].1 = vec![2, 2, 2, 2];
        signals[1].1 = vec![0, 1, 2, 3];
        let as_refs: Vec<(&str, &[u64])> = signals
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let t = trace(&as_refs);
        let rules = rule_set("credit", "t.", None).unwrap();
        assert_eq!(
            first_failure(&t, &rules),
            Some(("t.consumed_ph never passes t.limit_ph".into(), 3))
        );
        let rules = rule_set("credit", "t.", Some("1/8")).unwrap();
        assert_eq!(
            first_failure(&t, &rules),
            Some((
                "t.limit_ph is never more than 1 credits ahead of t.consumed_ph".into(),
                0
            ))
        );
        assert!(matches!(
            rule_set("credit", "t.", Some("many")),
            Err(RuleSetError::Argument { .. })
        ));
    }

    #[test]
    fn a_cxl_response_must_answer_an_outstanding_tag() {
        let ch = |c: &str, f: &str| format!("s_{c}_{f}");
        let names = [
            ("m2s_req", &["opcode", "tag", "addr", "ld_id"][..]),
            (
                "m2s_rwd",
                &[
                    "opcode", "tag", "addr", "ld_id", "data", "byte_en", "poison",
                ],
            ),
            ("s2m_ndr", &["opcode", "tag", "ld_id", "devload"]),
            (
                "s2m_drs",
                &["opcode", "tag", "ld_id", "data", "poison", "devload"],
            ),
        ];
        // A MemRd with tag 5, answered by DRS two cycles later; then a
        // MemSpecRd with tag 6 (no answer) and a second DRS with tag 5.
        let run = |second_drs_tag: u64| {
            let mut sig: Vec<(String, Vec<u64>)> = Vec::new();
            for (c, fields) in names {
                for f in fields.iter().chain(&["valid", "ready"]) {
                    sig.push((ch(c, f), vec![0; 8]));
                }
            }
            let mut set = |n: String, v: Vec<u64>| {
                sig.iter_mut().find(|s| s.0 == n).unwrap().1 = v;
            };
            set(ch("m2s_req", "valid"), vec![1, 0, 0, 1, 0, 0, 0, 0]);
            set(ch("m2s_req", "ready"), vec![1; 8]);
            set(ch("m2s_req", "opcode"), vec![1, 1, 1, 8, 8, 8, 8, 8]);
            set(ch("m2s_req", "tag"), vec![5, 5, 5, 6, 6, 6, 6, 6]);
            set(ch("s2m_drs", "valid"), vec![0, 0, 1, 0, 0, 1, 0, 0]);
            set(ch("s2m_drs", "ready"), vec![1; 8]);
            set(
                ch("s2m_drs", "tag"),
                vec![0, 0, 5, 5, 5, second_drs_tag, 0, 0],
            );
            let refs: Vec<(&str, &[u64])> = sig
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_slice()))
                .collect();
            first_failure(&trace(&refs), &rule_set("cxl_mem", "t.s_", None).unwrap())
        };
        // Tag 5 answered twice: the second DRS fails; MemSpecRd's tag 6 is
        // not a request, so answering it fails as well.
        let failure = run(5).expect("a second answer");
        assert_eq!(failure.1, 5);
        assert!(
            failure.0.contains("answers one outstanding request"),
            "{failure:?}"
        );
        assert_eq!(run(6).map(|f| f.1), Some(5));
    }

    #[test]
    fn axi_lite_responses_never_outnumber_requests() {
        let mut sig: Vec<(String, Vec<u64>)> = [
            "awvalid", "awready", "awaddr", "wvalid", "wready", "wdata", "wstrb", "bvalid",
            "bready", "bresp", "arvalid", "arready", "araddr", "rvalid", "rready", "rdata",
            "rresp",
        ]
        .iter()
        .map(|s| (format!("a_{s}"), vec![0; 6]))
        .collect();
        let mut set = |n: &str, v: Vec<u64>| {
            sig.iter_mut().find(|s| s.0 == format!("a_{n}")).unwrap().1 = v;
        };
        // One write (AW and W in cycle 1), answered in cycle 2 and again in 4.
        set("awvalid", vec![0, 1, 0, 0, 0, 0]);
        set("awready", vec![1; 6]);
        set("wvalid", vec![0, 1, 0, 0, 0, 0]);
        set("wready", vec![1; 6]);
        set("bvalid", vec![0, 0, 1, 0, 1, 0]);
        set("bready", vec![1; 6]);
        let refs: Vec<(&str, &[u64])> = sig
            .iter()
            .map(|(n, v)| (n.as_str(), v.as_slice()))
            .collect();
        let failure = first_failure(&trace(&refs), &rule_set("axi4_lite", "t.a_", None).unwrap());
        let (name, cycle) = failure.expect("the second B answers nothing");
        assert_eq!(cycle, 4);
        assert!(name.starts_with("t.a_b never answers more"), "{name}");
    }

    #[test]
    fn every_protocol_the_hdl_declares_has_its_rule_set() {
        for p in linkforge_hdl::Protocol::ALL {
            assert!(rule_set(p.rule_set(), "x_", None).is_ok(), "{p:?}");
        }
    }

    #[test]
    fn unknown_sets_and_stray_arguments_are_errors() {
        assert_eq!(
            rule_set("nope", "x", None).unwrap_err().to_string(),
            "no rule set `nope` (known: valid_ready, credit, cxl_mem, axi4_lite)"
        );
        assert!(rule_set("valid_ready", "x", Some("3")).is_err());
        // Per channel: valid held, each payload stable; then three counts.
        assert_eq!(rule_set("axi4_lite", "x", None).unwrap().len(), 12 + 3);
    }
}
