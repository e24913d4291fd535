//! The choice of how a [`super::Sim`] runs its compiled logic.

use super::compile::Program;
use super::SimError;

/// How a [`super::Sim`] runs the compiled logic. Both engines run the same
/// instruction tapes with the same semantics; the interpreter is the
/// reference the native engine is tested against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The instruction-tape interpreter: no start-up cost.
    Interpreter,
    /// Machine code generated with Cranelift, each tape the first time a
    /// simulator of the compilation runs it.
    #[default]
    Native,
}

impl Engine {
    /// Every engine, the reference first.
    pub const ALL: [Engine; 2] = [Engine::Interpreter, Engine::Native];

    /// The engine's name, as `--engine` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Native => "native",
        }
    }

    /// Compiles `program`'s tapes into the form this engine runs.
    pub(crate) fn prepare(self, program: &mut Program) -> Result<(), SimError> {
        match self {
            Engine::Interpreter => Ok(()),
            Engine::Native => Ok(super::native::compile(program)?),
        }
    }

    /// The engine called `name`.
    pub fn parse(name: &str) -> Result<Engine, SimError> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| SimError::UnknownEngine(name.to_string()))
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
