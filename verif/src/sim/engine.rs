//! The choice of how a [`super::Sim`] runs its compiled logic.

use super::SimError;

/// How a [`super::Sim`] runs the compiled logic. Both engines run the same
/// instruction tapes with the same semantics; the interpreter is the
/// reference the native engine is tested against.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Engine {
    /// The instruction-tape interpreter: no start-up cost.
    Interpreter,
    /// Machine code generated with Cranelift when the simulator is built.
    #[default]
    Native,
}

/// The environment variable that picks the engine of [`super::Sim::new`].
pub const ENGINE_VAR: &str = "LINKFORGE_ENGINE";

impl Engine {
    /// Every engine, the reference first.
    pub const ALL: [Engine; 2] = [Engine::Interpreter, Engine::Native];

    /// The engine's name, as `--engine` and [`ENGINE_VAR`] take it.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Interpreter => "interpreter",
            Engine::Native => "native",
        }
    }

    /// The engine called `name`.
    pub fn parse(name: &str) -> Result<Engine, SimError> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name() == name)
            .ok_or_else(|| SimError::UnknownEngine(name.to_string()))
    }

    /// The engine [`ENGINE_VAR`] names, or the default when it is unset.
    pub fn from_env() -> Result<Engine, SimError> {
        match std::env::var(ENGINE_VAR) {
            Ok(name) => Engine::parse(&name),
            Err(_) => Ok(Engine::default()),
        }
    }
}

impl std::fmt::Display for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
