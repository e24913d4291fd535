//! `route_table`: windows and bus ranges programmed through the register
//! interface route every TLP header (built by the testbench's own encoder)
//! as the testbench's reference model does, and flag the same Type 1
//! configuration requests for conversion to Type 0.

use crate::support::{cases, run_model};
use linkforge_rtl::switch::route::{route_table, RouteTableConfig};
use linkforge_verif::tb::switch::blocks::RouteTableModel;
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(48), ..ProptestConfig::default() })]

    #[test]
    fn the_table_routes_like_the_model(
        (ports, default_port) in (2usize..=6, prop::option::of(0usize..6))
            .prop_map(|(n, d)| (n, d.filter(|&d| d < n))),
        words in prop::collection::vec(any::<u64>(), 1..700),
    ) {
        let cfg = RouteTableConfig { ports, default_port };
        let model = RouteTableModel::new(&cfg);
        let cycles = (words.len() as u64).max(linkforge_verif::tb::cycle::CycleModel::cycles_needed(&model));
        run_model(route_table("rt", &cfg), model, cycles, &words)?;
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
