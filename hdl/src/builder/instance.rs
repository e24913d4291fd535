//! Sub-module instances. Each port of the sub-module becomes a signal in the
//! parent named `<instance>_<port>`: drive its inputs with `assign`, read its
//! outputs like any signal.

use super::ModuleBuilder;
use crate::error::{ErrorKind, HdlError};
use crate::expr::Signal;
use crate::ir::{Module, SignalKind};
use crate::loc::SourceLoc;
use crate::suggest::hint;
use std::sync::Arc;

#[derive(Debug)]
pub(crate) struct InstanceDecl {
    pub name: String,
    pub module: Arc<Module>,
    pub connections: Vec<Signal>,
    pub loc: SourceLoc,
}

/// The parent's view of an instance: one signal per sub-module port.
#[derive(Clone, Debug)]
pub struct InstanceHandle {
    name: String,
    module: String,
    /// The module the instance is in, where an error is reported.
    parent: String,
    ports: Vec<(String, Signal)>,
}

impl InstanceHandle {
    /// The parent-side signal of port `port`. An unknown name is an error
    /// in the parent module, at the caller's line, naming the instance and
    /// the closest port names.
    #[track_caller]
    pub fn io(&self, port: &str) -> Result<Signal, HdlError> {
        let loc = SourceLoc::caller();
        self.ports
            .iter()
            .find(|(n, _)| n == port)
            .map(|(_, s)| *s)
            .ok_or_else(|| {
                HdlError::single(
                    ErrorKind::UnknownPort {
                        instance: Some(self.name.clone()),
                        module: self.module.clone(),
                        port: port.to_string(),
                        help: hint(port, self.ports.iter().map(|(n, _)| n.as_str())),
                    },
                    self.parent.clone(),
                    loc,
                )
            })
    }

    /// The name of the instantiated module.
    pub(crate) fn module_name(&self) -> &str {
        &self.module
    }

    /// The module the instance is in.
    pub(crate) fn parent_name(&self) -> &str {
        &self.parent
    }

    /// The instance name.
    pub fn name(&self) -> &str {
        &self.name
    }
}

impl ModuleBuilder {
    /// Instantiates `module` as `name`.
    #[track_caller]
    pub fn instance(
        &mut self,
        name: impl Into<String>,
        module: impl Into<Arc<Module>>,
    ) -> InstanceHandle {
        let loc = SourceLoc::caller();
        let name = name.into();
        let module: Arc<Module> = module.into();
        let index = self.instances.len() as u32;
        let mut ports = Vec::new();
        for (i, &p) in module.ports.iter().enumerate() {
            let decl = module.signal(p);
            let kind = if module.is_input(p) {
                SignalKind::InstanceInput {
                    instance: index,
                    port: i as u32,
                }
            } else {
                SignalKind::InstanceOutput {
                    instance: index,
                    port: i as u32,
                }
            };
            let s = self.declare(format!("{name}_{}", decl.name), decl.width, kind, None, loc);
            ports.push((decl.name.clone(), s));
        }
        self.instances.push(InstanceDecl {
            name: name.clone(),
            module: module.clone(),
            connections: ports.iter().map(|(_, s)| *s).collect(),
            loc,
        });
        InstanceHandle {
            name,
            module: module.name.clone(),
            parent: self.name.clone(),
            ports,
        }
    }
}
