//! `manifest.json`: what `linkforge gen` produced, for scripts and flows:
//! each variant's block kind, resolved parameters, files, module names and
//! top-level ports.

use linkforge_hdl::ir::SignalKind;
use linkforge_hdl::Design;
use linkforge_rtl::catalog::{Params, Value};
use serde::Serialize;
use std::collections::BTreeMap;

/// The whole manifest.
#[derive(Serialize)]
pub struct Manifest {
    /// The linkforge version that wrote it.
    pub linkforge: &'static str,
    /// The config file the variants came from.
    pub source: String,
    /// One entry per generated variant, in config order.
    pub variants: Vec<VariantEntry>,
}

/// One generated variant.
#[derive(Serialize)]
pub struct VariantEntry {
    /// Variant name (also the top module's name).
    pub name: String,
    /// Block kind from the catalogue.
    pub kind: String,
    /// Every parameter, defaults included.
    pub params: BTreeMap<String, serde_json::Value>,
    /// The Verilog file, relative to the output directory.
    pub verilog: String,
    /// The file list, relative to the output directory.
    pub filelist: String,
    /// The FuseSoC core, relative to the output directory.
    pub core: String,
    /// The core's VLNV.
    pub vlnv: String,
    /// The top module.
    pub top: String,
    /// Every module in the file, children first.
    pub modules: Vec<String>,
    /// The top module's ports.
    pub ports: Vec<PortEntry>,
}

/// A top-level port.
#[derive(Serialize)]
pub struct PortEntry {
    /// Port name.
    pub name: String,
    /// `input` or `output`.
    pub direction: &'static str,
    /// Width in bits.
    pub width: u32,
    /// True for clock inputs.
    pub clock: bool,
}

fn json_value(v: &Value) -> serde_json::Value {
    match v {
        Value::Int(i) => (*i).into(),
        Value::Float(f) => serde_json::Number::from_f64(*f)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Bool(b) => (*b).into(),
        Value::Str(s) => s.clone().into(),
        Value::List(items) => items.iter().map(json_value).collect(),
        Value::Group(p) => serde_json::Value::Object(params_json(p).into_iter().collect()),
    }
}

/// Parameters as JSON values.
pub fn params_json(p: &Params) -> BTreeMap<String, serde_json::Value> {
    p.0.iter()
        .map(|(k, v)| (k.clone(), json_value(v)))
        .collect()
}

/// The manifest entry of one generated design.
pub fn entry(kind: &str, params: &Params, design: &Design) -> VariantEntry {
    let top = design.top();
    let name = design.top_name().to_string();
    VariantEntry {
        verilog: format!("{name}.v"),
        filelist: format!("{name}.f"),
        core: format!("{name}.core"),
        vlnv: crate::fusesoc::vlnv(&name),
        kind: kind.to_string(),
        params: params_json(params),
        top: name.clone(),
        modules: design.modules().map(|(n, _)| n.to_string()).collect(),
        ports: top
            .ports
            .iter()
            .map(|&p| {
                let s = top.signal(p);
                PortEntry {
                    name: s.name.clone(),
                    direction: if top.is_input(p) { "input" } else { "output" },
                    width: s.width,
                    clock: matches!(s.kind, SignalKind::Input { clock: true }),
                }
            })
            .collect(),
        name,
    }
}
