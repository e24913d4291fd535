//! `route_table`: windows and bus ranges programmed through the register
//! interface route every TLP header (built by the testbench's own encoder)
//! as the Rust reference model does, and flag the same Type 1
//! configuration requests for conversion to Type 0.

use crate::support::{cases, Tb};
use linkforge_rtl::switch::route::{route_table, PortWindows, RouteTableConfig};
use linkforge_verif::tb::switch::model::RouteModel;
use linkforge_verif::tb::switch::tlp;
use proptest::prelude::*;

fn windows() -> impl Strategy<Value = PortWindows> {
    let range = |max: u64| (0..=max, 0..=max).prop_map(|(a, b)| (a.min(b), a.max(b)));
    (range(0xFFF), range((1 << 44) - 1), range(0xFF)).prop_map(|(mem, pref, bus)| PortWindows {
        mem,
        pref,
        bus: (bus.0 as u8, bus.1 as u8),
        id: 0,
    })
}

/// Headers (DW0..DW3) that often hit a window: addresses and buses near
/// the bounds, every routing kind, and random words.
fn headers(model: &RouteModel) -> impl Strategy<Value = [u32; 4]> {
    let edges: Vec<u64> = model
        .ports
        .iter()
        .flat_map(|p| [p.mem.0 << 20, p.mem.1 << 20, p.pref.0 << 20, p.pref.1 << 20])
        .collect();
    let buses: Vec<u16> = model
        .ports
        .iter()
        .flat_map(|p| [p.bus.0, p.bus.1])
        .map(u16::from)
        .collect();
    let addr = prop_oneof![
        any::<u64>(),
        prop::sample::select(edges),
        any::<u32>().prop_map(u64::from)
    ];
    let id = (prop::sample::select(buses), any::<u8>()).prop_map(|(b, f)| b << 8 | u16::from(f));
    let four = |t: Vec<u32>| [t[0], t[1], t[2], t.get(3).copied().unwrap_or(0)];
    prop_oneof![
        addr.clone()
            .prop_map(move |a| four(tlp::mem_write(a, 1, 2, &[3]))),
        addr.clone()
            .prop_map(move |a| four(tlp::mem_read(a, 1, 2, 4))),
        id.clone()
            .prop_map(move |r| four(tlp::completion(9, 0, 4, r, 1, 0, &[]))),
        (id.clone(), any::<bool>())
            .prop_map(move |(t, type1)| four(tlp::config(type1, t, 1, 0, 0, None))),
        (0u8..8, id, addr).prop_map(move |(r, t, a)| {
            let target = if r == 0b010 { u64::from(t) << 48 } else { a };
            four(tlp::message(r, 0, 0, 0, target, &[]))
        }),
        any::<[u32; 4]>(),
    ]
}

/// Pokes the fields of header `h` the table reads.
fn set_header(tb: &mut Tb, h: &[u32; 4]) {
    tb.set("hdr_fmt_type", u64::from(h[0] >> 24));
    tb.set("hdr_dw2", u64::from(h[2]));
    tb.set("hdr_dw3", u64::from(h[3]));
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
        set_header(&mut tb, &[0; 4]);
        prop_assert_eq!(tb.flag("dest_valid"), model.default_port.is_some());
        for (addr, data) in model.writes() {
            tb.set("cfg_we", 1);
            tb.set("cfg_addr", addr);
            tb.set("cfg_wdata", data);
            tb.step();
        }
        tb.set("cfg_we", 0);
        for h in hdrs {
            set_header(&mut tb, &h);
            let want = model.route(&h);
            prop_assert_eq!(tb.flag("dest_valid"), want.is_some(), "header {:08x?}", h);
            if let Some(o) = want {
                prop_assert_eq!(tb.get("dest"), o as u64, "header {:08x?}", h);
            }
            prop_assert_eq!(tb.flag("to_type0"), model.to_type0(&h), "header {:08x?}", h);
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
