//! `route_table`: windows and bus ranges programmed through the register
//! interface route every header as the Rust reference model does.

use crate::support::{cases, Tb};
use linkforge_rtl::switch::route::{route_table, PortWindows, RouteTableConfig};
use linkforge_rtl::switch::tlp;
use linkforge_verif::tb::switch::model::RouteModel;
use proptest::prelude::*;

fn windows() -> impl Strategy<Value = PortWindows> {
    let range = |max: u64| (0..=max, 0..=max).prop_map(|(a, b)| (a.min(b), a.max(b)));
    (range(0xFFF), range((1 << 44) - 1), range(0xFF)).prop_map(|(mem, pref, bus)| PortWindows {
        mem,
        pref,
        bus: (bus.0 as u8, bus.1 as u8),
    })
}

/// Headers that often hit a window: addresses and buses near the bounds.
fn headers(model: &RouteModel) -> impl Strategy<Value = u64> {
    let edges: Vec<u64> = model
        .ports
        .iter()
        .flat_map(|p| [p.mem.0 << 20, p.mem.1 << 20, p.pref.0 << 20, p.pref.1 << 20])
        .collect();
    let buses: Vec<u64> = model
        .ports
        .iter()
        .flat_map(|p| [p.bus.0, p.bus.1])
        .map(u64::from)
        .collect();
    let addr = prop_oneof![
        any::<u64>(),
        prop::sample::select(edges),
        any::<u32>().prop_map(u64::from)
    ];
    prop_oneof![
        addr.clone().prop_map(|a| tlp::mem_write(a, 3)),
        addr.prop_map(tlp::mem_read),
        (prop::sample::select(buses), any::<u8>()).prop_map(|(b, f)| tlp::completion(
            (b << 8) as u16 | u16::from(f),
            1,
            0
        )),
        any::<u64>(),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn the_table_routes_like_the_model(
        (model, hdrs) in (2usize..=6, prop::option::of(0usize..6))
            .prop_flat_map(|(n, d)| (prop::collection::vec(windows(), n), Just(d.filter(|&d| d < n))))
            .prop_map(|(ports, default_port)| RouteModel { ports, default_port })
            .prop_flat_map(|m| { let h = prop::collection::vec(headers(&m), 1..40); (Just(m), h) }),
    ) {
        let n = model.ports.len();
        let cfg = RouteTableConfig { ports: n, default_port: model.default_port };
        let mut tb = Tb::new(route_table("rt", &cfg));
        tb.reset();
        // Before programming every window is empty.
        tb.set("hdr_type", tlp::TYPE_MEM);
        tb.set("hdr_addr", 0);
        prop_assert_eq!(tb.flag("dest_valid"), model.default_port.is_some());
        for (addr, data) in model.writes() {
            tb.set("cfg_we", 1);
            tb.set("cfg_addr", addr);
            tb.set("cfg_wdata", data);
            tb.step();
        }
        tb.set("cfg_we", 0);
        for w in hdrs {
            tb.set("hdr_type", w & 0x1F);
            tb.set("hdr_addr", w >> 20);
            let want = model.route(w);
            prop_assert_eq!(tb.flag("dest_valid"), want.is_some(), "header {:#x}", w);
            if let Some(o) = want {
                prop_assert_eq!(tb.get("dest"), o as u64, "header {:#x}", w);
            }
        }
    }
}

#[test]
fn a_default_port_must_exist() {
    let cfg = RouteTableConfig {
        ports: 4,
        default_port: Some(4),
    };
    assert!(route_table("rt", &cfg).is_err());
}
