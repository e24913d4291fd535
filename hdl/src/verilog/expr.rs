//! Expressions to Verilog text. Every compound sub-expression is
//! parenthesised; widths are exact, so Verilog's context-determined sizing
//! never changes a value. A node that must be indexed (slices, sign
//! extension) or that is used more than once becomes a named temporary wire.

use crate::bits::Bits;
use crate::ir::{ExprId, Module, Op};
use std::collections::HashMap;

use super::names::Namer;

/// A temporary wire: name, width and the text it is assigned.
pub struct Temp {
    pub name: String,
    pub width: u32,
    pub value: String,
}

/// A wire array holding the arms of N-way selections, read with the index
/// (`name[index]`): what Verilator runs fastest. Entry `i` is assigned
/// `entries[i]`; entries past the last arm are zero.
pub struct Array {
    pub name: String,
    pub width: u32,
    pub entries: Vec<String>,
}

/// The widest index whose selection array is padded to every index value;
/// a wider one is compared with the arm count first.
const PADDED_INDEX_BITS: u32 = 8;

/// Prints the expressions of one module.
pub struct ExprPrinter<'m> {
    m: &'m Module,
    /// Legal names of the module's signals, by signal index.
    signal_names: &'m [String],
    /// Legal names of FSM states, by FSM then state.
    state_names: &'m [Vec<String>],
    uses: Vec<u32>,
    named: HashMap<ExprId, String>,
    /// Temporaries created so far, in creation order.
    pub temps: Vec<Temp>,
    /// Selection arrays by arms and entry count, so selections among the
    /// same values (a crossbar's outputs) share one array.
    array_names: HashMap<(Vec<ExprId>, usize), String>,
    /// Selection arrays created so far, in creation order.
    pub arrays: Vec<Array>,
}

/// A Verilog literal of exactly `value.width()` bits.
pub fn literal(value: &Bits) -> String {
    let w = value.width();
    if w == 1 {
        format!("1'b{}", value.low_u64())
    } else if w <= 64 {
        format!("{w}'d{}", value.low_u64())
    } else {
        format!("{w}'h{}", value.to_hex())
    }
}

impl<'m> ExprPrinter<'m> {
    /// A printer for `m`; `roots` are the expressions that will be printed (to
    /// find shared sub-expressions).
    pub fn new(
        m: &'m Module,
        signal_names: &'m [String],
        state_names: &'m [Vec<String>],
        roots: &[ExprId],
    ) -> Self {
        let mut uses = vec![0u32; m.nodes.len()];
        let mut visited = vec![false; m.nodes.len()];
        let mut stack: Vec<ExprId> = roots.to_vec();
        for r in roots {
            uses[r.0 as usize] += 1;
        }
        while let Some(id) = stack.pop() {
            if std::mem::replace(&mut visited[id.0 as usize], true) {
                continue;
            }
            for a in &m.node(id).args {
                uses[a.0 as usize] += 1;
                stack.push(*a);
            }
        }
        ExprPrinter {
            m,
            signal_names,
            state_names,
            uses,
            named: HashMap::new(),
            temps: Vec::new(),
            array_names: HashMap::new(),
            arrays: Vec::new(),
        }
    }

    /// The text of expression `id` at the root of a statement.
    pub fn root(&mut self, id: ExprId, namer: &mut Namer) -> String {
        self.inline(id, namer)
    }

    /// The text of an index (a memory address, a selection): a signal, a
    /// literal or a temporary of the index's own width, never a compound
    /// expression, whose width a simulator may widen (Icarus reads `m[(a - b) - 4'd1]` at `a == b` as
    /// index -1, past the end, not 15).
    pub fn index(&mut self, id: ExprId, namer: &mut Namer) -> String {
        match self.m.node(id).op {
            Op::Signal(_) | Op::Const(_) => self.inline(id, namer),
            _ => self.named(id, namer),
        }
    }

    /// The text of an operand: a temporary's name when the node is shared.
    fn operand(&mut self, id: ExprId, namer: &mut Namer) -> String {
        let simple = matches!(
            self.m.node(id).op,
            Op::Signal(_) | Op::Const(_) | Op::StateConst { .. }
        );
        if !simple && self.uses[id.0 as usize] > 1 {
            self.named(id, namer)
        } else {
            self.inline(id, namer)
        }
    }

    /// A plain identifier for `id` (a signal, or a temporary holding it), so it
    /// can be indexed.
    fn named(&mut self, id: ExprId, namer: &mut Namer) -> String {
        if let Op::Signal(s) = self.m.node(id).op {
            return self.signal_names[s.0 as usize].clone();
        }
        if let Some(n) = self.named.get(&id) {
            return n.clone();
        }
        let value = self.inline(id, namer);
        let name = self.temp(self.m.node(id).width, value, namer);
        self.named.insert(id, name.clone());
        name
    }

    fn temp(&mut self, width: u32, value: String, namer: &mut Namer) -> String {
        let name = namer.name(&format!("_t{}", self.temps.len()));
        self.temps.push(Temp {
            name: name.clone(),
            width,
            value,
        });
        name
    }

    /// The name of the array of `arms` padded with zeros to `entries`.
    fn array(&mut self, arms: &[ExprId], entries: usize, namer: &mut Namer) -> String {
        let key = (arms.to_vec(), entries);
        if let Some(name) = self.array_names.get(&key) {
            return name.clone();
        }
        let width = self.m.node(arms[0]).width;
        let zero = literal(&Bits::zero(width));
        let values = (0..entries)
            .map(|i| match arms.get(i) {
                Some(a) => self.operand(*a, namer),
                None => zero.clone(),
            })
            .collect();
        let name = namer.name(&format!("_a{}", self.arrays.len()));
        self.arrays.push(Array {
            name: name.clone(),
            width,
            entries: values,
        });
        self.array_names.insert(key, name.clone());
        name
    }

    /// `[hi:lo]` of a named value of width `w` (a 1-bit value is not indexed).
    fn select(base: &str, w: u32, hi: u32, lo: u32) -> String {
        if lo == 0 && hi + 1 == w {
            base.to_string()
        } else if hi == lo {
            format!("{base}[{hi}]")
        } else {
            format!("{base}[{hi}:{lo}]")
        }
    }

    fn inline(&mut self, id: ExprId, namer: &mut Namer) -> String {
        let n = self.m.node(id);
        let w = n.width;
        let args = n.args.clone();
        let width_of = |i: usize| self.m.node(args[i]).width;
        macro_rules! arg {
            ($i:expr) => {
                self.operand(args[$i], namer)
            };
        }
        macro_rules! bin {
            ($op:expr) => {{
                let a = arg!(0);
                let b = arg!(1);
                format!("({a} {} {b})", $op)
            }};
        }
        macro_rules! signed_cmp {
            ($op:expr) => {{
                let a = arg!(0);
                let b = arg!(1);
                format!("($signed({a}) {} $signed({b}))", $op)
            }};
        }
        match &n.op {
            Op::Const(b) => literal(b),
            Op::StateConst { fsm, state } => {
                self.state_names[*fsm as usize][*state as usize].clone()
            }
            Op::Signal(s) => self.signal_names[s.0 as usize].clone(),
            Op::Not => format!("(~{})", arg!(0)),
            Op::ReduceAnd => format!("(&{})", arg!(0)),
            Op::ReduceOr => format!("(|{})", arg!(0)),
            Op::ReduceXor => format!("(^{})", arg!(0)),
            Op::Add => bin!("+"),
            Op::Sub => bin!("-"),
            Op::Mul => bin!("*"),
            Op::And => bin!("&"),
            Op::Or => bin!("|"),
            Op::Xor => bin!("^"),
            Op::Eq => bin!("=="),
            Op::Ne => bin!("!="),
            Op::Lt => bin!("<"),
            Op::Le => bin!("<="),
            Op::Gt => bin!(">"),
            Op::Ge => bin!(">="),
            Op::SignedLt => signed_cmp!("<"),
            Op::SignedLe => signed_cmp!("<="),
            Op::SignedGt => signed_cmp!(">"),
            Op::SignedGe => signed_cmp!(">="),
            Op::Shl => bin!("<<"),
            Op::Shr => bin!(">>"),
            Op::Sra => {
                let a = arg!(0);
                let b = arg!(1);
                format!("$unsigned(($signed({a}) >>> {b}))")
            }
            Op::ShlConst(k) | Op::ShrConst(k) if *k >= w => literal(&Bits::zero(w)),
            Op::ShlConst(k) => format!("({} << {k})", arg!(0)),
            Op::ShrConst(k) => format!("({} >> {k})", arg!(0)),
            Op::SraConst(k) => format!("$unsigned(($signed({}) >>> {k}))", arg!(0)),
            Op::Mux => {
                let c = arg!(0);
                let a = arg!(1);
                let b = arg!(2);
                format!("({c} ? {a} : {b})")
            }
            Op::Select => {
                // The array has exactly one entry per value of the index it
                // is read with, so no read is out of range.
                let index_w = width_of(0);
                let arms = &args[1..];
                if index_w <= PADDED_INDEX_BITS {
                    let array = self.array(arms, 1 << index_w, namer);
                    format!("{array}[{}]", self.index(args[0], namer))
                } else {
                    let bits = crate::bits::bits_for(arms.len());
                    let array = self.array(arms, 1 << bits, namer);
                    let index = self.named(args[0], namer);
                    let low = Self::select(&index, index_w, bits - 1, 0);
                    let count = Bits::from_u64_wrapping(arms.len() as u64, index_w);
                    let zero = literal(&Bits::zero(w));
                    format!(
                        "(({index} < {}) ? {array}[{low}] : {zero})",
                        literal(&count)
                    )
                }
            }
            Op::Concat => {
                let parts: Vec<String> = (0..args.len()).map(|i| arg!(i)).collect();
                format!("{{{}}}", parts.join(", "))
            }
            Op::Slice { hi, lo } => {
                let src_w = width_of(0);
                if *lo == 0 && hi + 1 == src_w {
                    arg!(0)
                } else {
                    let base = self.named(args[0], namer);
                    Self::select(&base, src_w, *hi, *lo)
                }
            }
            Op::DynSlice { width } => {
                let src_w = width_of(0);
                let a = arg!(0);
                let i = arg!(1);
                let shifted = format!("({a} >> {i})");
                if *width == src_w {
                    shifted
                } else {
                    let t = self.temp(src_w, shifted, namer);
                    Self::select(&t, src_w, width - 1, 0)
                }
            }
            Op::Zext(to) => {
                let src_w = width_of(0);
                if *to == src_w {
                    arg!(0)
                } else {
                    format!("{{{}, {}}}", literal(&Bits::zero(to - src_w)), arg!(0))
                }
            }
            Op::Sext(to) => {
                let src_w = width_of(0);
                if *to == src_w {
                    arg!(0)
                } else {
                    let base = self.named(args[0], namer);
                    let sign = Self::select(&base, src_w, src_w - 1, src_w - 1);
                    format!("{{{{{}{{{sign}}}}}, {base}}}", to - src_w)
                }
            }
            Op::Repeat(k) => {
                if *k == 1 {
                    arg!(0)
                } else {
                    format!("{{{k}{{{}}}}}", arg!(0))
                }
            }
        }
    }
}
