//! The register map: registers of 32 bits at byte offsets, each made of
//! fields with an access type, a reset value and a description. A 1-bit
//! `w1c` field can be an alert: set while another field (`source`) is at
//! or above a third (`threshold`).
//!
//! [`RegMap::parse`] reads a map from catalogue parameters (as the config
//! language produces them), assigns the offsets and bit positions left to
//! it, and reports every rule a map breaks as a [`ParamIssue`] located by
//! its path, so the config language can point at the line.

use crate::catalog::{ParamIssue, ParamKind, ParamSpec, Params, PathStep, Value};
use crate::params::{BoolParam, IntParam};
use std::collections::HashMap;

/// Bits in a register (the AXI4-Lite data width).
pub const REG_BITS: u32 = 32;
/// Bytes in a register.
pub const REG_BYTES: u32 = REG_BITS / 8;
/// Parameter `addr_width` (the default map's width; a map's spec defaults to its own).
pub const ADDR_WIDTH: IntParam = IntParam::new(
    "addr_width",
    "aw",
    4..=16,
    8,
    "width of the AXI4-Lite byte address",
);
/// Member `offset` of a `reg` row.
pub const OFFSET: IntParam = IntParam::new(
    "offset",
    "",
    -1..=0xFFFC,
    -1,
    "byte offset, a multiple of 4; -1 puts it at the word after the register before",
);
/// Member `lsb` of a `field` row.
pub const LSB: IntParam = IntParam::new(
    "lsb",
    "",
    -1..=31,
    -1,
    "lowest bit; -1 puts it just above the field before",
);
/// Member `width` of a `field` row.
pub const FIELD_WIDTH: IntParam = IntParam::new("width", "", 1..=32, 1, "width in bits");
/// Member `reset` of a `field` row.
pub const RESET: IntParam = IntParam::new("reset", "", 0..=u32::MAX as i64, 0, "value after reset");
/// Member `irq` of a `field` row.
pub const IRQ: BoolParam = BoolParam::new("irq", "", false, "(w1c) a set bit raises `irq`");
/// Most registers in a map.
pub const MAX_REGS: usize = 256;
/// Most fields in a register.
pub const MAX_FIELDS: usize = 32;
/// Entries of a register's history FIFO (its `fifo` fields).
pub const FIFO_DEPTH: u32 = 16;
/// Bits a `fifo_count` field needs to hold `0..=FIFO_DEPTH`.
pub const FIFO_COUNT_BITS: u32 = 5;

/// How software and hardware see a field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Access {
    /// Read-only: reads return the hardware input `REG_FIELD`.
    Ro,
    /// Read-write: software writes it, hardware reads output `REG_FIELD`.
    Rw,
    /// Write-one-to-clear status: hardware sets bits through input
    /// `REG_FIELD_set` (a bit set there wins over a clear in the same cycle).
    W1c,
    /// Clear-on-read counter: input `REG_FIELD_inc` adds one per cycle,
    /// saturating; a read returns the count and restarts it from zero.
    Rc,
    /// Write-only: like `rw`, but reads return zero.
    Wo,
    /// An entry of the register's history FIFO ([`FIFO_DEPTH`] entries):
    /// input `REG_FIELD` is the field's value in the entry input `REG_push`
    /// appends (dropped, setting `fifo_ovf`, when the FIFO is full and not
    /// read at that edge); a read returns the oldest entry and removes it
    /// (zero when the FIFO is empty).
    Fifo,
    /// In a register with `fifo` fields: the entries held before this read.
    FifoCount,
    /// In a register with `fifo` fields: set when an entry was dropped
    /// because the FIFO was full; cleared by a read of the register (a
    /// drop at the same edge wins).
    FifoOvf,
}

impl Access {
    /// Every access type, in the order the config language lists them.
    pub const ALL: [Access; 8] = [
        Access::Ro,
        Access::Rw,
        Access::W1c,
        Access::Rc,
        Access::Wo,
        Access::Fifo,
        Access::FifoCount,
        Access::FifoOvf,
    ];

    /// The name configs use (`rw`).
    pub fn name(self) -> &'static str {
        match self {
            Access::Ro => "ro",
            Access::Rw => "rw",
            Access::W1c => "w1c",
            Access::Rc => "rc",
            Access::Wo => "wo",
            Access::Fifo => "fifo",
            Access::FifoCount => "fifo_count",
            Access::FifoOvf => "fifo_ovf",
        }
    }

    fn from_name(name: &str) -> Option<Access> {
        Access::ALL.into_iter().find(|a| a.name() == name)
    }

    /// Whether the field keeps its value in a register of its own (`rw`,
    /// `w1c`, `rc`, `wo`; `ro` reads its input and the `fifo` kinds read
    /// their register's FIFO).
    pub fn stored(self) -> bool {
        !matches!(
            self,
            Access::Ro | Access::Fifo | Access::FifoCount | Access::FifoOvf
        )
    }

    /// Whether the field belongs to its register's history FIFO.
    pub fn in_fifo(self) -> bool {
        matches!(self, Access::Fifo | Access::FifoCount | Access::FifoOvf)
    }
}

/// One field of a register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Field {
    /// Its name, unique in the register.
    pub name: String,
    /// Lowest bit.
    pub lsb: u32,
    /// Width in bits.
    pub width: u32,
    /// Access type.
    pub access: Access,
    /// Value after reset (zero for `ro`).
    pub reset: u32,
    /// A set bit of this `w1c` field raises `irq`.
    pub irq: bool,
    /// One line for the documentation.
    pub desc: String,
}

impl Field {
    /// The field's bits in its register.
    pub fn mask(&self) -> u32 {
        field_mask(self.width) << self.lsb
    }

    /// Highest bit.
    pub fn msb(&self) -> u32 {
        self.lsb + self.width - 1
    }
}

/// The mask of a `width`-bit value (1..=32).
pub fn field_mask(width: u32) -> u32 {
    u32::MAX >> (REG_BITS - width.clamp(1, REG_BITS))
}

/// One 32-bit register.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Register {
    /// Its name, unique in the map.
    pub name: String,
    /// Byte offset, a multiple of 4.
    pub offset: u32,
    /// One line for the documentation.
    pub desc: String,
    /// Its fields, in the order written.
    pub fields: Vec<Field>,
}

impl Register {
    /// Whether the register is a history FIFO: it has a `fifo` field.
    pub fn is_fifo(&self) -> bool {
        self.fields.iter().any(|f| f.access == Access::Fifo)
    }

    /// The register's value after reset.
    pub fn reset(&self) -> u32 {
        self.fields
            .iter()
            .map(|f| f.reset << f.lsb)
            .fold(0, |a, b| a | b)
    }
}

/// A field of the map: register and field index.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct FieldRef {
    /// Index into [`RegMap::regs`].
    pub reg: usize,
    /// Index into that register's fields.
    pub field: usize,
}

/// An alert: while `source >= threshold` (unsigned), the 1-bit `w1c`
/// field `status` is set every cycle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Alert {
    /// The value watched.
    pub source: FieldRef,
    /// The level it is compared with.
    pub threshold: FieldRef,
    /// The status bit it sets.
    pub status: FieldRef,
}

/// A complete, checked register map.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RegMap {
    /// Width of the byte address.
    pub addr_width: u32,
    /// The registers, in the order written.
    pub regs: Vec<Register>,
    /// The alerts, at most one per status field.
    pub alerts: Vec<Alert>,
}

impl RegMap {
    /// The field `r`.
    pub fn field(&self, r: FieldRef) -> &Field {
        &self.regs[r.reg].fields[r.field]
    }

    /// `REG.FIELD` of `r`.
    pub fn field_path(&self, r: FieldRef) -> String {
        format!("{}.{}", self.regs[r.reg].name, self.field(r).name)
    }

    /// The register at byte address `addr` (bits above the address width
    /// ignored); `None` for an address that is not a multiple of 4.
    pub fn decode(&self, addr: u32) -> Option<usize> {
        let addr = addr & addr_mask(self.addr_width);
        self.regs.iter().position(|r| r.offset == addr)
    }

    /// Whether any field raises `irq`.
    pub fn has_irq(&self) -> bool {
        self.regs.iter().flat_map(|r| &r.fields).any(|f| f.irq)
    }

    /// The map in catalogue form, with every offset and position explicit.
    pub fn to_params(&self) -> Params {
        let text = |s: &str| Value::Str(s.to_string());
        let regs = self
            .regs
            .iter()
            .enumerate()
            .map(|(reg, r)| {
                let fields = r
                    .fields
                    .iter()
                    .enumerate()
                    .map(|(field, f)| {
                        let alert = self
                            .alerts
                            .iter()
                            .find(|a| a.status == FieldRef { reg, field });
                        let path = |p: Option<FieldRef>| {
                            text(&p.map(|p| self.field_path(p)).unwrap_or_default())
                        };
                        row(&[
                            ("name", text(&f.name)),
                            ("lsb", Value::Int(f.lsb.into())),
                            ("width", Value::Int(f.width.into())),
                            ("access", text(f.access.name())),
                            ("reset", Value::Int(f.reset.into())),
                            ("irq", Value::Bool(f.irq)),
                            ("source", path(alert.map(|a| a.source))),
                            ("threshold", path(alert.map(|a| a.threshold))),
                            ("desc", text(&f.desc)),
                        ])
                    })
                    .collect();
                row(&[
                    ("name", text(&r.name)),
                    ("offset", Value::Int(r.offset.into())),
                    ("desc", text(&r.desc)),
                    ("field", Value::List(fields)),
                ])
            })
            .collect();
        Params(
            [
                ("addr_width".to_string(), Value::Int(self.addr_width.into())),
                ("reg".to_string(), Value::List(regs)),
            ]
            .into_iter()
            .collect(),
        )
    }

    /// Reads the map from catalogue parameters, placing registers and
    /// fields left to auto placement, and returns it with every problem
    /// found (the map is `None` when there was one).
    pub fn parse(p: &Params) -> (Option<RegMap>, Vec<ParamIssue>) {
        let mut issues = Issues::default();
        let addr_width = match ADDR_WIDTH.read(p) {
            Ok(w) => w,
            Err(_) => {
                issues.push(
                    vec![PathStep::Param(ADDR_WIDTH.name)],
                    format!(
                        "the address width must be an integer in {}..={}",
                        ADDR_WIDTH.min, ADDR_WIDTH.max
                    ),
                    None,
                );
                ADDR_WIDTH.max as u32
            }
        };
        let mut wanted = Vec::new();
        let regs = parse_regs(p, addr_width, &mut wanted, &mut issues);
        check_names(&regs, &mut issues);
        let alerts = resolve_alerts(&regs, wanted, &mut issues);
        if issues.0.is_empty() {
            let map = RegMap {
                addr_width,
                regs,
                alerts,
            };
            (Some(map), Vec::new())
        } else {
            (None, issues.0)
        }
    }
}

/// The mask of an `addr_width`-bit address.
pub fn addr_mask(addr_width: u32) -> u32 {
    field_mask(addr_width)
}

fn row(members: &[(&str, Value)]) -> Value {
    Value::Group(Params(
        members
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect(),
    ))
}

#[derive(Default)]
struct Issues(Vec<ParamIssue>);

impl Issues {
    fn push(&mut self, path: Vec<PathStep>, message: String, help: Option<String>) {
        self.0.push(ParamIssue {
            path,
            message,
            help,
        });
    }
}

/// The rows of table `name` in `p`, each with its `name` member.
fn rows<'p>(p: &'p Params, name: &'static str) -> Vec<(&'p str, &'p Params)> {
    let Ok(list) = p.list(name) else {
        return Vec::new();
    };
    list.iter()
        .filter_map(|v| match v {
            Value::Group(g) => Some((g.str("name").unwrap_or(""), g)),
            _ => None,
        })
        .collect()
}

/// An alert as written: the status field's path and place, and the source
/// and threshold as text.
struct WantedAlert {
    path: Vec<PathStep>,
    status: FieldRef,
    source: String,
    threshold: String,
}

fn parse_regs(
    p: &Params,
    addr_width: u32,
    wanted: &mut Vec<WantedAlert>,
    issues: &mut Issues,
) -> Vec<Register> {
    let mut regs: Vec<Register> = Vec::new();
    let mut at: HashMap<u32, String> = HashMap::new();
    let mut next = 0i64;
    for (i, (name, g)) in rows(p, "reg").into_iter().enumerate() {
        let here = |step: &'static str| {
            let mut path = vec![PathStep::Param("reg"), PathStep::Row(i)];
            if !step.is_empty() {
                path.push(PathStep::Param(step));
            }
            path
        };
        let written = g.int(OFFSET.name).unwrap_or(OFFSET.default);
        let offset = if written < 0 { next } else { written };
        let top = 1i64 << addr_width;
        let mut placed = true;
        if offset % i64::from(REG_BYTES) != 0 {
            issues.push(
                here("offset"),
                format!("register `{name}` is at {offset:#x}, which is not a multiple of 4"),
                Some("registers are 32-bit words: use an offset that is a multiple of 4".into()),
            );
            placed = false;
        } else if offset + i64::from(REG_BYTES) > top {
            issues.push(
                here(if written < 0 { "" } else { "offset" }),
                format!(
                    "register `{name}` at {offset:#x} is outside the {addr_width}-bit address space"
                ),
                Some(format!("raise `addr_width` or place it below {top:#x}")),
            );
            placed = false;
        }
        let offset32 = offset as u32;
        if placed {
            if let Some(first) = at.get(&offset32) {
                issues.push(
                    here(if written < 0 { "" } else { "offset" }),
                    format!("register `{name}` is at {offset:#x}, where `{first}` already is"),
                    Some("give each register its own address".into()),
                );
            } else {
                at.insert(offset32, name.to_string());
            }
        }
        next = offset + i64::from(REG_BYTES);
        let fields = parse_fields(name, g, &here, issues);
        for (field, f, path) in fields.1 {
            let (source, threshold) = (
                f.str("source").unwrap_or(""),
                f.str("threshold").unwrap_or(""),
            );
            if !source.is_empty() || !threshold.is_empty() {
                wanted.push(WantedAlert {
                    path,
                    status: FieldRef { reg: i, field },
                    source: source.to_string(),
                    threshold: threshold.to_string(),
                });
            }
        }
        let fields = fields.0;
        if !fields.iter().any(|f| f.access == Access::Fifo) {
            if let Some(f) = fields.iter().find(|f| f.access.in_fifo()) {
                issues.push(
                    here(""),
                    format!(
                        "`{name}.{}` is `{}`, but `{name}` has no `fifo` field",
                        f.name,
                        f.access.name()
                    ),
                    Some("give the register the FIFO's entry as `fifo` fields".into()),
                );
            }
        }
        regs.push(Register {
            name: name.to_string(),
            offset: offset32,
            desc: g.str("desc").unwrap_or("").to_string(),
            fields,
        });
    }
    regs
}

/// The fields of register `reg` (row `g`), and for each kept field its
/// index, row and path (for its alert).
type ParsedFields<'p> = (Vec<Field>, Vec<(usize, &'p Params, Vec<PathStep>)>);

fn parse_fields<'p>(
    reg: &str,
    g: &'p Params,
    here: &dyn Fn(&'static str) -> Vec<PathStep>,
    issues: &mut Issues,
) -> ParsedFields<'p> {
    let rows = rows(g, "field");
    if rows.is_empty() {
        issues.push(
            here(""),
            format!("register `{reg}` has no fields"),
            Some(format!(
                "describe its bits: `field NAME {{ width = 32; access = rw; }}` inside `reg {reg}`"
            )),
        );
    }
    let mut fields: Vec<Field> = Vec::new();
    let mut rows_kept = Vec::new();
    let mut next = 0i64;
    for (j, (name, f)) in rows.into_iter().enumerate() {
        let at = |step: &'static str| {
            let mut path = here("field");
            path.push(PathStep::Row(j));
            if !step.is_empty() {
                path.push(PathStep::Param(step));
            }
            path
        };
        let written = f.int(LSB.name).unwrap_or(LSB.default);
        let lsb = if written < 0 { next } else { written };
        let width = f
            .int(FIELD_WIDTH.name)
            .unwrap_or(FIELD_WIDTH.default)
            .clamp(1, REG_BITS.into());
        next = lsb + width;
        let access = f.str("access").ok().and_then(Access::from_name);
        let Some(access) = access else {
            issues.push(
                at("access"),
                format!("field `{reg}.{name}` has no valid access type"),
                None,
            );
            continue;
        };
        if lsb + width > i64::from(REG_BITS) {
            issues.push(
                at(if written < 0 { "width" } else { "lsb" }),
                format!(
                    "field `{reg}.{name}` (bits {}..={}) does not fit in the 32-bit register",
                    lsb,
                    lsb + width - 1
                ),
                Some("a register has bits 0..=31: narrow the field or move it down".into()),
            );
            continue;
        }
        let reset = f.int(RESET.name).unwrap_or(RESET.default);
        if reset < 0 || reset > i64::from(field_mask(width as u32)) {
            issues.push(
                at("reset"),
                format!(
                    "reset value {reset:#x} does not fit in the {width}-bit field `{reg}.{name}`"
                ),
                Some(format!(
                    "a {width}-bit field holds 0..={:#x}",
                    field_mask(width as u32)
                )),
            );
        } else if reset != 0 && !access.stored() {
            issues.push(
                at("reset"),
                format!(
                    "the `{}` field `{reg}.{name}` reads {} and has no reset value",
                    access.name(),
                    if access == Access::Ro {
                        "its input"
                    } else {
                        "its register's FIFO"
                    }
                ),
                Some("remove the reset value, or make the field `rw`".into()),
            );
        }
        if access == Access::FifoCount && width < i64::from(FIFO_COUNT_BITS) {
            issues.push(
                at("width"),
                format!(
                    "the `fifo_count` field `{reg}.{name}` needs {FIFO_COUNT_BITS} bits to count up to {FIFO_DEPTH} entries"
                ),
                Some(format!("make it {FIFO_COUNT_BITS} bits wide")),
            );
        }
        let irq = f.bool(IRQ.name).unwrap_or(IRQ.default);
        if irq && access != Access::W1c {
            issues.push(
                at("irq"),
                format!(
                    "only `w1c` fields raise `irq`; `{reg}.{name}` is `{}`",
                    access.name()
                ),
                Some("make the field `w1c`, or remove `irq`".into()),
            );
        }
        let field = Field {
            name: name.to_string(),
            lsb: lsb as u32,
            width: width as u32,
            access,
            reset: reset.clamp(0, u32::MAX.into()) as u32,
            irq,
            desc: f.str("desc").unwrap_or("").to_string(),
        };
        if let Some(other) = fields.iter().find(|o| o.mask() & field.mask() != 0) {
            issues.push(
                at(if written < 0 { "" } else { "lsb" }),
                format!(
                    "field `{reg}.{name}` (bits {}..={}) overlaps `{}` (bits {}..={})",
                    field.lsb,
                    field.msb(),
                    other.name,
                    other.lsb,
                    other.msb()
                ),
                Some("fields of a register must not share bits".into()),
            );
            continue;
        }
        rows_kept.push((fields.len(), f, at("")));
        fields.push(field);
    }
    (fields, rows_kept)
}

/// Names that clash once they become ports (`REG_FIELD`), C macros (upper
/// case) or duplicates.
fn check_names(regs: &[Register], issues: &mut Issues) {
    let mut seen: HashMap<String, String> = HashMap::new();
    for name in ["clk", "rst", "irq"] {
        seen.insert(name.to_string(), format!("the port `{name}`"));
    }
    let mut reg_names: HashMap<String, &str> = HashMap::new();
    for (i, r) in regs.iter().enumerate() {
        let at = vec![PathStep::Param("reg"), PathStep::Row(i)];
        if !is_c_name(&r.name) {
            issues.push(
                at.clone(),
                format!("`{}` is not a valid register name", r.name),
                None,
            );
        }
        if let Some(first) = reg_names.insert(r.name.to_ascii_lowercase(), &r.name) {
            issues.push(
                at.clone(),
                format!(
                    "register `{}` clashes with `{first}` (names are compared ignoring case)",
                    r.name
                ),
                Some("give each register a distinct name".into()),
            );
        }
        if r.is_fifo() {
            let port = format!("{}_push", r.name).to_ascii_lowercase();
            let what = format!("the push input of `{}`", r.name);
            if let Some(first) = seen.insert(port.clone(), what.clone()) {
                issues.push(
                    at.clone(),
                    format!("{what} and {first} both become the port `{port}`"),
                    Some("rename one of them".into()),
                );
            }
        }
        let mut field_names: HashMap<String, &str> = HashMap::new();
        for (j, f) in r.fields.iter().enumerate() {
            let mut at = at.clone();
            at.extend([PathStep::Param("field"), PathStep::Row(j)]);
            if !is_c_name(&f.name) {
                issues.push(
                    at.clone(),
                    format!("`{}` is not a valid field name", f.name),
                    None,
                );
            }
            if let Some(first) = field_names.insert(f.name.to_ascii_lowercase(), &f.name) {
                issues.push(
                    at,
                    format!(
                        "field `{}.{}` clashes with `{first}` (names are compared ignoring case)",
                        r.name, f.name
                    ),
                    Some("give each field of a register a distinct name".into()),
                );
                continue;
            }
            let port = format!("{}_{}", r.name, f.name).to_ascii_lowercase();
            let what = format!("`{}.{}`", r.name, f.name);
            if let Some(first) = seen.insert(port.clone(), what.clone()) {
                issues.push(
                    at,
                    format!("{what} and {first} both become the port and macro name `{port}`"),
                    Some("rename one of them".into()),
                );
            }
        }
    }
}

fn is_c_name(s: &str) -> bool {
    let mut chars = s.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

fn resolve_alerts(regs: &[Register], wanted: Vec<WantedAlert>, issues: &mut Issues) -> Vec<Alert> {
    let find = |text: &str| {
        let (r, f) = text.split_once('.')?;
        let reg = regs.iter().position(|x| x.name == r)?;
        let field = regs[reg].fields.iter().position(|x| x.name == f)?;
        Some(FieldRef { reg, field })
    };
    let mut alerts = Vec::new();
    for w in wanted {
        let name = format!(
            "{}.{}",
            regs[w.status.reg].name, regs[w.status.reg].fields[w.status.field].name
        );
        let mut resolve = |member: &'static str, text: &str| {
            let found = find(text);
            if found.is_none() {
                let mut path = w.path.clone();
                path.push(PathStep::Param(member));
                let message = if text.is_empty() {
                    format!("the alert `{name}` needs a `{member}` too")
                } else {
                    format!("`{text}` (the `{member}` of `{name}`) is no field of the map")
                };
                issues.push(path, message, Some("name a field as \"REG.FIELD\"".into()));
            }
            found
        };
        let (source, threshold) = (
            resolve("source", &w.source),
            resolve("threshold", &w.threshold),
        );
        let (Some(source), Some(threshold)) = (source, threshold) else {
            continue;
        };
        let s = &regs[w.status.reg].fields[w.status.field];
        if s.access != Access::W1c || s.width != 1 {
            let mut path = w.path.clone();
            path.push(PathStep::Param("source"));
            issues.push(
                path,
                format!("only a 1-bit `w1c` field can be an alert; `{name}` is not"),
                Some(
                    "make the field `w1c` with width 1, or remove `source` and `threshold`".into(),
                ),
            );
            continue;
        }
        alerts.push(Alert {
            source,
            threshold,
            status: w.status,
        });
    }
    alerts
}

/// The catalogue specs of a map's parameters; `default` is the map a
/// variant gets when it writes no `reg`.
pub fn specs(default: &RegMap) -> Vec<ParamSpec> {
    let p = default.to_params();
    let get = |k: &str| p.0.get(k).cloned().unwrap_or(Value::List(Vec::new()));
    let text = |name, doc| ParamSpec {
        name,
        short: "",
        kind: ParamKind::Text,
        default: Value::Str(String::new()),
        doc,
    };
    let field = vec![
        LSB.spec(),
        FIELD_WIDTH.spec(),
        ParamSpec {
            name: "access",
            short: "",
            kind: ParamKind::Choice(Access::ALL.iter().map(|a| a.name()).collect()),
            default: Value::Str("ro".into()),
            doc: "ro, rw, w1c (write one to clear), rc (counter, clear on read), wo, or a history FIFO's fifo (entry, popped by a read), fifo_count, fifo_ovf",
        },
        RESET.spec(),
        IRQ.spec(),
        text(
            "source",
            "(1-bit w1c) set while this field, \"REG.FIELD\", is at or above `threshold`",
        ),
        text(
            "threshold",
            "(1-bit w1c) the level `source` is compared with, \"REG.FIELD\"",
        ),
        text("desc", "one line for the documentation"),
    ];
    let reg = vec![
        OFFSET.spec(),
        text("desc", "one line for the documentation"),
        ParamSpec {
            name: "field",
            short: "",
            kind: ParamKind::Table {
                row: field,
                max_len: MAX_FIELDS,
            },
            default: Value::List(Vec::new()),
            doc: "the register's fields: `field NAME { ... }`",
        },
    ];
    vec![
        IntParam {
            default: default.addr_width.into(),
            ..ADDR_WIDTH
        }
        .spec(),
        ParamSpec {
            name: "reg",
            short: "",
            kind: ParamKind::Table {
                row: reg,
                max_len: MAX_REGS,
            },
            default: get("reg"),
            doc: "the registers: `reg NAME { offset = 0x10; field NAME { ... } }`",
        },
    ]
}
