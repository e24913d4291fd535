//! The benchmark's own reference design: a seeded random netlist, by
//! default the issue's 10,000 registers. The other reference designs come
//! from the IP library (see `linkforge bench`).

use super::SEED;
use linkforge_hdl::prelude::*;

/// The shape of a [`random_netlist`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandomNetlist {
    /// Seed of the generator: the same seed gives the same netlist.
    pub seed: u64,
    /// Number of registers (each 1..=64 bits wide).
    pub registers: usize,
    /// Number of 64-bit data inputs.
    pub inputs: usize,
    /// Number of 64-bit outputs, each the XOR of a share of the registers.
    pub outputs: usize,
    /// Depth of each register's next-state expression tree.
    pub depth: u32,
}

impl Default for RandomNetlist {
    fn default() -> Self {
        RandomNetlist {
            seed: 1,
            registers: 10_000,
            inputs: 4,
            outputs: 4,
            depth: 3,
        }
    }
}

/// A deterministic random netlist: registers of random widths whose next
/// state is a random expression over other registers and the inputs; every
/// register feeds one output (an XOR fold), so nothing is dead.
pub fn random_netlist(shape: &RandomNetlist) -> Result<Design, HdlError> {
    let mut m = ModuleBuilder::new("random")
        .param("r", shape.registers)
        .param("s", shape.seed);
    m.clock("clk");
    m.reset("rst");
    let mut rng = Rng(shape.seed.max(1) ^ SEED);
    let mut sources: Vec<Signal> = (0..shape.inputs)
        .map(|i| m.input(format!("in{i}"), 64))
        .collect();
    let inputs = sources.len();
    let widths: Vec<u32> = (0..shape.registers)
        .map(|_| 1 + rng.below(64) as u32)
        .collect();
    for (i, w) in widths.iter().enumerate() {
        let reset = rng.next() & mask(*w);
        sources.push(m.reg(format!("r{i}"), *w).reset(reset));
    }
    let mut gen = ExprGen {
        rng,
        sources: &sources,
    };
    for (i, w) in widths.iter().enumerate() {
        let next = gen.expr(*w, shape.depth);
        m.next(sources[inputs + i], next);
    }
    let outputs = shape.outputs.max(1);
    for o in 0..outputs {
        let out = m.output(format!("out{o}"), 64);
        let share: Vec<Expr> = sources[inputs..]
            .iter()
            .skip(o)
            .step_by(outputs)
            .map(|r| r.zext(64))
            .collect();
        m.assign(out, xor_tree(&share));
    }
    Design::new(m.finish()?)
}

/// The XOR of `terms` as a balanced tree (zero when there are none).
fn xor_tree(terms: &[Expr]) -> Expr {
    match terms {
        [] => lit(0, 64),
        [one] => one.clone(),
        _ => {
            let (a, b) = terms.split_at(terms.len() / 2);
            xor_tree(a) ^ xor_tree(b)
        }
    }
}

/// The low `width` bits set.
fn mask(width: u32) -> u64 {
    if width >= 64 {
        u64::MAX
    } else {
        (1 << width) - 1
    }
}

/// The generator's own xorshift64 (no dependency on a random crate).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = super::xorshift64(self.0);
        self.0
    }

    /// Uniform enough in `0..n` for a netlist generator (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Builds random expressions of a requested width over `sources`.
struct ExprGen<'a> {
    rng: Rng,
    sources: &'a [Signal],
}

impl ExprGen<'_> {
    /// A random expression of exactly `width` bits, at most `depth` operators deep.
    fn expr(&mut self, width: u32, depth: u32) -> Expr {
        if depth == 0 || self.rng.below(5) == 0 {
            return self.leaf(width);
        }
        let d = depth - 1;
        match self.rng.below(10) {
            0 => self.expr(width, d) + self.expr(width, d),
            1 => self.expr(width, d) - self.expr(width, d),
            2 => self.expr(width, d) & self.expr(width, d),
            3 => self.expr(width, d) | self.expr(width, d),
            4 => self.expr(width, d) ^ self.expr(width, d),
            5 => !self.expr(width, d),
            6 => {
                let c = self.condition(d);
                mux(c, self.expr(width, d), self.expr(width, d))
            }
            7 if width > 1 => {
                let k = 1 + self.rng.below(u64::from(width - 1)) as u32;
                if self.rng.below(2) == 0 {
                    self.expr(width, d) << k
                } else {
                    self.expr(width, d) >> k
                }
            }
            8 if width > 1 => {
                let hi = 1 + self.rng.below(u64::from(width - 1)) as u32;
                cat![self.expr(hi, d), self.expr(width - hi, d)]
            }
            9 if width > 1 => {
                // A full-width product of two halves is exactly `width` bits.
                let a = width / 2;
                self.expr(a, d) * self.expr(width - a, d)
            }
            _ => self.expr(width, d) ^ self.leaf(width),
        }
    }

    /// A random one-bit condition.
    fn condition(&mut self, depth: u32) -> Expr {
        let w = 1 + self.rng.below(64) as u32;
        match self.rng.below(4) {
            0 => self.expr(w, depth).eq(self.source(w)),
            1 => self.expr(w, depth).lt(self.source(w)),
            2 => self.source(w).parity(),
            _ => self.source(w).any(),
        }
    }

    /// A [`ExprGen::source`], or now and then a constant.
    fn leaf(&mut self, width: u32) -> Expr {
        if self.rng.below(12) == 0 {
            lit(self.rng.next() & mask(width), width)
        } else {
            self.source(width)
        }
    }

    /// A source (register or input) fitted to `width` bits by slicing a
    /// random window or zero-extending. Conditions compare against sources
    /// only, so none is constant (which Verilator would warn about).
    fn source(&mut self, width: u32) -> Expr {
        let s = self.sources[self.rng.below(self.sources.len() as u64) as usize];
        let sw = s.width();
        if sw == width {
            s.into()
        } else if sw > width {
            let lo = self.rng.below(u64::from(sw - width + 1)) as u32;
            s.slice(lo + width - 1, lo)
        } else {
            s.zext(width)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_netlist_is_deterministic_and_sized() {
        let shape = RandomNetlist {
            registers: 50,
            ..RandomNetlist::default()
        };
        let a = linkforge_hdl::verilog::emit(&random_netlist(&shape).expect("netlist"));
        let b = linkforge_hdl::verilog::emit(&random_netlist(&shape).expect("netlist"));
        assert_eq!(a, b);
        assert_eq!(a.matches("    reg ").count(), 50);
        let other = RandomNetlist { seed: 2, ..shape };
        assert_ne!(
            a,
            linkforge_hdl::verilog::emit(&random_netlist(&other).expect("netlist"))
        );
    }
}
