//! Which outputs a four-state simulator may show as unknown (x) for good
//! reason: those fed, through any logic, registers and hierarchy, by state
//! that no reset initialises (registers without a reset, memory read
//! data). Every other output is driven from reset, and an x on it after
//! reset is a disagreement.

use linkforge_hdl::check::signals_read;
use linkforge_hdl::ir::{SignalId, SignalKind};
use linkforge_hdl::{Design, Module};
use std::collections::HashMap;

/// For each output of the top module, in port order: may it be unknown
/// because of state without a reset?
pub fn fed_by_unreset_state(design: &Design) -> Vec<bool> {
    let top = design.top();
    let inputs = vec![false; top.ports.len()];
    let taint = Taint::default().of(top, &inputs);
    top.ports
        .iter()
        .filter(|p| top.signal(**p).kind == SignalKind::Output)
        .map(|p| taint[p.0 as usize])
        .collect()
}

/// Per-signal taint of modules, memoised by module name and which of its
/// ports are fed unknowns.
#[derive(Default)]
struct Taint {
    memo: HashMap<(String, Vec<bool>), Vec<bool>>,
}

impl Taint {
    /// Which signals of `module` may be unknown when the ports flagged in
    /// `inputs` (by port position; outputs ignored) may be.
    fn of(&mut self, module: &Module, inputs: &[bool]) -> Vec<bool> {
        let key = (module.name.clone(), inputs.to_vec());
        if let Some(known) = self.memo.get(&key) {
            return known.clone();
        }
        let mut taint: Vec<bool> = module
            .signals
            .iter()
            .map(|s| match &s.kind {
                SignalKind::Reg { reset, .. } => reset.is_none(),
                SignalKind::MemoryRead { .. } => true,
                _ => false,
            })
            .collect();
        for (position, port) in module.ports.iter().enumerate() {
            taint[port.0 as usize] |= inputs[position];
        }
        // What each driven signal reads, walked once.
        let reads: Vec<Vec<SignalId>> = module
            .drivers
            .iter()
            .map(|d| {
                d.as_ref()
                    .map_or_else(Vec::new, |d| signals_read(module, d.expr))
            })
            .collect();
        // Taint only grows, so this reaches a fixed point.
        let mut changed = true;
        while changed {
            changed = false;
            for (i, decl) in module.signals.iter().enumerate() {
                if taint[i] {
                    continue;
                }
                let now = match decl.kind {
                    SignalKind::InstanceOutput { instance, port } => {
                        let inst = &module.instances[instance as usize];
                        let fed: Vec<bool> = inst
                            .connections
                            .iter()
                            .map(|c| taint[c.0 as usize])
                            .collect();
                        let inner = self.of(&inst.module, &fed);
                        inner[inst.module.ports[port as usize].0 as usize]
                    }
                    _ => reads[i].iter().any(|s| taint[s.0 as usize]),
                };
                if now {
                    taint[i] = true;
                    changed = true;
                }
            }
        }
        self.memo.insert(key, taint.clone());
        taint
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use linkforge_hdl::prelude::*;

    #[test]
    fn only_outputs_fed_by_unreset_state_may_be_unknown() {
        let mut child = ModuleBuilder::new("child");
        child.clock("clk");
        child.reset("rst");
        let d = child.input("d", 4);
        let q = child.output("q", 4);
        let held = child.reg("held", 4).reset(0);
        child.next(held, d);
        child.assign(q, held);
        let child = child.finish().unwrap();

        let mut m = ModuleBuilder::new("top");
        let clk = m.clock("clk");
        let rst = m.reset("rst");
        let a = m.input("a", 4);
        let from_reset = m.output("from_reset", 4);
        let from_unreset = m.output("from_unreset", 4);
        let through_child = m.output("through_child", 4);
        let free = m.reg("free", 4).no_reset();
        m.next(free, a);
        let reset_reg = m.reg("reset_reg", 4).reset(0);
        m.next(reset_reg, a);
        m.assign(from_reset, reset_reg);
        m.assign(from_unreset, free ^ reset_reg);
        let u = m.instance("u", child);
        m.assign(u.io("clk").unwrap(), clk);
        m.assign(u.io("rst").unwrap(), rst);
        m.assign(u.io("d").unwrap(), free);
        m.assign(through_child, u.io("q").unwrap());
        let design = Design::new(m.finish().unwrap()).unwrap();
        assert_eq!(fed_by_unreset_state(&design), [false, true, true]);
    }
}
