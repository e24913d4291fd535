//! A design: a top module and every distinct module below it, ready for the
//! back-ends.

use crate::error::{ErrorKind, HdlError};
use crate::ir::Module;
use std::collections::HashMap;
use std::sync::Arc;

/// A checked top module with its sub-modules, each distinct module once and
/// under a unique name. Two designs are equal when their modules and names
/// are.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Design {
    /// Distinct modules, children before parents; the last is the top.
    modules: Vec<Arc<Module>>,
    /// Final (unique) name of each entry of `modules`.
    names: Vec<String>,
}

impl Design {
    /// Collects the hierarchy under `top`. Two sub-modules that share a name
    /// but differ in content (a generator that forgot a parameter in its
    /// name) get predictable suffixes `_2`, `_3`, ... in elaboration order.
    pub fn new(top: Module) -> Result<Design, HdlError> {
        let top = Arc::new(top);
        let mut d = Design {
            modules: Vec::new(),
            names: Vec::new(),
        };
        let mut by_name: HashMap<String, Vec<usize>> = HashMap::new();
        d.visit(&top, &mut by_name, 0)?;
        Ok(d)
    }

    fn visit(
        &mut self,
        m: &Arc<Module>,
        by_name: &mut HashMap<String, Vec<usize>>,
        depth: usize,
    ) -> Result<usize, HdlError> {
        const MAX_DEPTH: usize = 256;
        if depth > MAX_DEPTH {
            return Err(HdlError::single(
                ErrorKind::Invalid(format!("hierarchy deeper than {MAX_DEPTH} levels")),
                m.name.clone(),
                m.loc,
            ));
        }
        let same = by_name.get(&m.name).and_then(|ids| {
            ids.iter()
                .copied()
                .find(|&i| Arc::ptr_eq(&self.modules[i], m) || *self.modules[i] == **m)
        });
        if let Some(i) = same {
            return Ok(i);
        }
        for inst in &m.instances {
            self.visit(&inst.module, by_name, depth + 1)?;
        }
        let variants = by_name.entry(m.name.clone()).or_default();
        let mut name = if variants.is_empty() {
            m.name.clone()
        } else {
            format!("{}_{}", m.name, variants.len() + 1)
        };
        while self.names.contains(&name) {
            name.push('_');
        }
        if let Some(&p) = m
            .ports
            .iter()
            .find(|p| crate::verilog::names::legalize(&m.signal(**p).name) == name)
        {
            return Err(HdlError::single(
                ErrorKind::Name(format!(
                    "module `{name}` has a port of the same name; Verilog tools reject that (rename the module or the port)"
                )),
                name,
                m.signal(p).loc,
            ));
        }
        let index = self.modules.len();
        variants.push(index);
        self.modules.push(m.clone());
        self.names.push(name);
        Ok(index)
    }

    /// The top module.
    pub fn top(&self) -> &Module {
        self.modules
            .last()
            .expect("a design always has its top module")
    }

    /// The top module's interfaces ([`crate::ModuleBuilder::interface`]),
    /// each with the name of the clock port it is sampled on.
    pub fn interfaces(&self) -> impl Iterator<Item = (&crate::Interface, &str)> {
        let top = self.top();
        top.interfaces
            .iter()
            .map(move |i| (i, top.signals[i.clock.0 as usize].name.as_str()))
    }

    /// The top module's name.
    pub fn top_name(&self) -> &str {
        self.names
            .last()
            .expect("a design always has its top module")
    }

    /// Distinct modules with their unique names, children before parents.
    pub fn modules(&self) -> impl Iterator<Item = (&str, &Module)> {
        self.names
            .iter()
            .map(String::as_str)
            .zip(self.modules.iter().map(|m| &**m))
    }

    /// The unique name given to `module` (a sub-module of this design).
    pub fn name_of(&self, module: &Module) -> &str {
        let i = self
            .modules
            .iter()
            .position(|m| std::ptr::eq(&**m, module) || **m == *module)
            .expect("every instantiated module is part of its design");
        &self.names[i]
    }
}

#[cfg(test)]
mod tests {
    use crate::prelude::*;

    fn inverter(width: u32) -> Module {
        // Deliberately leaves the width out of the name.
        let mut m = ModuleBuilder::new("inv");
        let a = m.input("a", width);
        let y = m.output("y", width);
        m.assign(y, !a);
        m.finish().unwrap()
    }

    #[test]
    fn same_name_different_content_gets_a_predictable_suffix() {
        let mut m = ModuleBuilder::new("top");
        let a = m.input("a", 4);
        let y = m.output("y", 12);
        let u1 = m.instance("u1", inverter(4));
        let u2 = m.instance("u2", inverter(8));
        let u3 = m.instance("u3", inverter(4));
        m.assign(u1.io("a").unwrap(), a);
        m.assign(u2.io("a").unwrap(), cat![a, a]);
        m.assign(u3.io("a").unwrap(), u1.io("y").unwrap());
        m.assign(
            y,
            cat![
                u2.io("y").unwrap(),
                u3.io("y").unwrap() ^ u1.io("y").unwrap()
            ],
        );
        let d = Design::new(m.finish().unwrap()).unwrap();
        let names: Vec<&str> = d.modules().map(|(n, _)| n).collect();
        assert_eq!(names, ["inv", "inv_2", "top"]);
        let v = crate::verilog::emit(&d);
        assert!(v.contains("inv u1 (") && v.contains("inv_2 u2 (") && v.contains("inv u3 ("));
    }
}
