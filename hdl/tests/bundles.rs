//! Port bundles: declared as flat ports, registered as interfaces, found on
//! instances with their widths checked, connected in one call with
//! direction mistakes reported at the `connect` line.

use linkforge_hdl::bundle::{Axi4Lite, Flow, Stream, TlpStream};
use linkforge_hdl::prelude::*;
use linkforge_hdl::{verilog, Protocol};

/// A stream pass-through: `in_` to `out_`.
fn wire(width: u32) -> Module {
    let mut m = ModuleBuilder::new("wire").param("w", width);
    m.clock("clk");
    let input = m.sink("in_", TlpStream::new(width));
    let output = m.source("out_", TlpStream::new(width));
    m.connect(&input, &output);
    m.finish().unwrap()
}

#[test]
fn a_bundle_is_flat_ports_and_an_interface_with_its_payload() {
    let module = wire(64);
    let names: Vec<&str> = module
        .ports
        .iter()
        .map(|p| module.signal(*p).name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "clk",
            "in_valid",
            "in_ready",
            "in_sop",
            "in_eop",
            "in_data",
            "in_keep",
            "out_valid",
            "out_ready",
            "out_sop",
            "out_eop",
            "out_data",
            "out_keep"
        ]
    );
    assert!(module.is_input(module.ports[1]) && !module.is_input(module.ports[2]));
    let sink = &module.interfaces[0];
    assert_eq!(sink.protocol, Protocol::ValidReady);
    assert_eq!(sink.prefix, "in_");
    assert_eq!(sink.payload, ["in_sop", "in_eop", "in_data", "in_keep"]);
    let v = verilog::emit(&Design::new(module).unwrap());
    assert!(v.contains("input wire [1:0] in_keep"), "{v}");
    assert!(v.contains("assign out_data = in_data;"), "{v}");
}

#[test]
fn connecting_instances_wires_every_field_in_its_direction() {
    let mut top = ModuleBuilder::new("pair");
    let clk = top.clock("clk");
    let a = top.instance("u_a", wire(64));
    let b = top.instance("u_b", wire(64));
    top.assign(a.io("clk").unwrap(), clk);
    top.assign(b.io("clk").unwrap(), clk);
    let input = top.sink("in_", TlpStream::new(64));
    let output = top.source("out_", TlpStream::new(64));
    top.connect(&input, &a.bundle("in_", TlpStream::new(64)).unwrap());
    let a_out = a.bundle("out_", TlpStream::new(64)).unwrap();
    top.connect(&a_out, &b.bundle("in_", TlpStream::new(64)).unwrap());
    top.connect(&b.bundle("out_", TlpStream::new(64)).unwrap(), &output);
    let v = verilog::emit(&Design::new(top.finish().unwrap()).unwrap());
    assert!(v.contains("assign u_a_out_ready = u_b_in_ready;"), "{v}");
    assert!(v.contains("assign u_b_in_keep = u_a_out_keep;"), "{v}");
    assert!(v.contains("assign in_ready = u_a_in_ready;"), "{v}");
    assert_eq!(a_out.valid(), a_out.field("valid").unwrap());
    assert!(a_out.field("vaild").is_err());
}

#[test]
fn connecting_two_sources_is_an_error_at_the_connect_line() {
    let mut m = ModuleBuilder::new("two_sources");
    m.clock("clk");
    let a = m.source("a_", Stream::new(8));
    let b = m.source("b_", Stream::new(8));
    let line = line!() + 1;
    m.connect(&a, &b);
    let err = m
        .finish()
        .expect_err("b's ready is an input: it cannot be driven");
    assert!(
        err.diagnostics.iter().any(|d| d.loc.line == line),
        "not at line {line}:\n{err}"
    );
}

#[test]
fn an_instance_bundle_of_the_wrong_width_names_the_port() {
    let mut top = ModuleBuilder::new("wrong");
    let a = top.instance("u_a", wire(64));
    let err = a.bundle("in_", TlpStream::new(128)).unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("port `in_data` of instance `u_a` is 64 bits"),
        "{text}"
    );
}

#[test]
fn an_axi4_lite_bundle_has_the_five_channels() {
    let fields = Axi4Lite::new(12, 32).fields();
    let forward: Vec<&str> = fields
        .iter()
        .filter(|f| f.flow == Flow::Forward)
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(
        forward,
        [
            "awaddr", "awvalid", "wdata", "wstrb", "wvalid", "bready", "araddr", "arvalid",
            "rready"
        ]
    );
    assert_eq!(fields.iter().find(|f| f.name == "wstrb").unwrap().width, 4);
}
