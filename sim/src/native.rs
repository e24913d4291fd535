//! The native engine: the instruction tapes of a [`Program`] compiled to
//! machine code at run time with Cranelift, each the first time it runs, so
//! a simulation pays only for the tapes it uses (an untraced run never
//! needs the whole logic settled, a design with one clock never runs its
//! domains' separate tapes).
//!
//! Each tape becomes straight-line code, cut into functions of at most
//! [`CHUNK`] instructions so compile time stays linear. Within a function a
//! value computed by one instruction stays in a register for the ones that
//! read it, and a result is written back to the state only when something
//! outside the function can read it ([`Readers`]): the edge machinery
//! (commits, memory ports, assertions, asynchronous resets), a lookup
//! table, a call to [`super::wide::exec`] or another function that loads
//! it; and for the whole logic every signal (peeks, traces, recordings), for
//! the outputs' logic the outputs.
//!
//! Multi-word instructions whose result words are each a few word
//! operations (bitwise operators, multiplexers, extensions, constant shifts,
//! part selects, concatenations, replications: [`inlined`]) are generated
//! inline; the rest (arithmetic, comparisons, dynamic shifts) call
//! [`super::wide::exec`], the interpreter's own code. The differential test
//! `tests/engines.rs` holds the two to the same results.
//!
//! The tapes compiled are those the simulator can run ([`compiled_tapes`]):
//! the fused edges of [`super::compile::FusedEdge`] replace a domain's
//! separate cone, latch and commit tapes unless it can rise together with
//! some but not all other domains.

use super::compile::{Fused, FusedEdge, Program};
use super::tape::{Code, Insn, Tape};
use super::wide::{self, Operand, WideInsn};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types::I64, AbiParam, InstBuilder, MemFlagsData, Signature, UserFuncName, Value,
};
use cranelift_codegen::isa::OwnedTargetIsa;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Module};
use linkforge_hdl::ir::Op;
use linkforge_hdl::words_for;
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::sync::{Arc, OnceLock};

/// Most instructions in one generated function.
const CHUNK: usize = 2048;

/// A generated function: `(state, state_len, scratch, scratch_len)`.
type NativeFn = unsafe extern "C" fn(*mut u64, usize, *mut u64, usize);

/// The native code of one tape, generated the first time it runs and
/// shared by every simulator of the program.
#[derive(Clone)]
pub(crate) struct NativeTape {
    code: Arc<OnceLock<Option<Generated>>>,
    shared: Arc<Shared>,
    readers: Readers,
}

/// A tape's generated functions, run in order.
struct Generated {
    funcs: Vec<NativeFn>,
    /// Keeps the code, the tables and the wide instructions alive.
    _memory: Arc<CodeMemory>,
}

/// What generating any tape of one program needs.
struct Shared {
    words: usize,
    keep: Kept,
    tables: Arc<[u32]>,
    wide: Arc<[WideInsn]>,
}

impl fmt::Debug for NativeTape {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.code.get() {
            Some(Some(g)) => write!(f, "NativeTape({} functions)", g.funcs.len()),
            Some(None) => f.write_str("NativeTape(interpreted: generation failed)"),
            None => f.write_str("NativeTape(not generated yet)"),
        }
    }
}

impl NativeTape {
    /// Runs the tape's instructions `insns` over `s`, generating their
    /// code on the first call; `scratch` is the interpreter's scratch.
    /// Returns false, having run nothing, when Cranelift rejected the code
    /// (a bug in linkforge, which debug builds report by panicking): the
    /// caller interprets the tape instead.
    ///
    /// The caller has checked that `s` is at least as long as the state the
    /// tape was compiled for.
    #[inline]
    pub fn run(&self, insns: &[Insn], s: &mut [u64], scratch: &mut [u64]) -> bool {
        let Some(generated) = self.code.get_or_init(|| self.generate(insns)) else {
            return false;
        };
        for f in &generated.funcs {
            // SAFETY: the code only touches words the compiler checked
            // against the tape's state size (which `s` covers), the lookup
            // tables and wide instructions `_memory` keeps alive, and
            // `scratch` through `wide_exec` with its length.
            unsafe { f(s.as_mut_ptr(), s.len(), scratch.as_mut_ptr(), scratch.len()) }
        }
        true
    }

    #[cold]
    fn generate(&self, insns: &[Insn]) -> Option<Generated> {
        let generated = generate(insns, &self.shared, self.readers);
        debug_assert!(generated.is_ok(), "{:?}", generated.err());
        generated.ok()
    }
}

/// Generates the functions of one tape's `insns`, whose results `readers`
/// read, in an executable memory of their own.
fn generate(insns: &[Insn], p: &Shared, readers: Readers) -> Result<Generated, NativeError> {
    let mut jit = Jit::new(p.tables.clone(), p.wide.clone())?;
    let ids = insns
        .chunks(CHUNK)
        .map(|chunk| jit.function(chunk, p.words, p.keep.for_readers(readers)))
        .collect::<Result<Vec<_>, _>>()?;
    jit.module
        .finalize_definitions()
        .map_err(|e| NativeError::Codegen(e.to_string()))?;
    let module = jit.module;
    let funcs = ids
        .iter()
        .map(|&id| {
            let ptr = module.get_finalized_function(id);
            // SAFETY: the function was declared with `NativeFn`'s signature
            // in the host's default calling convention.
            unsafe { std::mem::transmute::<*const u8, NativeFn>(ptr) }
        })
        .collect();
    Ok(Generated {
        funcs,
        _memory: Arc::new(CodeMemory {
            module: Some(module),
            _tables: p.tables.clone(),
            _wide: p.wide.clone(),
        }),
    })
}

/// The executable memory of one tape and the data its code points at.
struct CodeMemory {
    module: Option<JITModule>,
    _tables: Arc<[u32]>,
    _wide: Arc<[WideInsn]>,
}

// SAFETY: after finalization the module is only read (its code executed),
// and it is freed once, in `drop`, when no function pointer can be used.
unsafe impl Send for CodeMemory {}
// SAFETY: as above; the code keeps no state of its own between calls.
unsafe impl Sync for CodeMemory {}

impl Drop for CodeMemory {
    fn drop(&mut self) {
        if let Some(module) = self.module.take() {
            // SAFETY: every `NativeTape` holding a pointer into this module
            // holds an `Arc` to it, so none is left.
            unsafe { module.free_memory() }
        }
    }
}

/// Why native compilation failed.
#[derive(Debug, thiserror::Error)]
pub enum NativeError {
    /// The host has no Cranelift back-end.
    #[error("native code generation does not support this machine: {0}")]
    UnsupportedHost(String),
    /// The state is too large for the generated code's 32-bit offsets.
    #[error("the design's state of {0} words is too large for native code; use the interpreter")]
    TooLarge(usize),
    /// Cranelift rejected the generated code (a bug in linkforge).
    #[error("native code generation failed: {0}")]
    Codegen(String),
}

/// Who reads a tape's results, besides other generated functions and the
/// edge machinery (commits, memory ports, assertions, asynchronous resets).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Readers {
    /// Anyone: after the whole logic settles any signal may be peeked,
    /// traced or recorded.
    Everyone,
    /// Peeks of the top module's outputs.
    Outputs,
    /// Only the edge: nothing peeks a value an edge's logic computed, since
    /// the edge invalidates it.
    Edge,
}

/// Prepares every tape of `program` for native code, generated when the
/// tape first runs, so that [`super::tape::run`] runs native code from then
/// on. Fails at once when the host has no code generator or the state is
/// too large for native code.
pub(crate) fn compile(program: &mut Program) -> Result<(), NativeError> {
    let words = program.state.len();
    if words.saturating_mul(8) > i32::MAX as usize {
        return Err(NativeError::TooLarge(words));
    }
    isa()?;
    let compiled = compiled_tapes(program);
    let shared = Arc::new(Shared {
        words,
        keep: Kept::of(program, words, &compiled),
        tables: program.tables.clone().into(),
        wide: program.wide.clone().into(),
    });
    for (tape, readers) in compiled {
        tape.get_mut(program).set_code(Code::Native(NativeTape {
            code: Arc::new(OnceLock::new()),
            shared: shared.clone(),
            readers,
        }));
    }
    Ok(())
}

/// One tape of a [`Program`].
#[derive(Clone, Copy, Debug)]
enum TapeOf {
    Full,
    ClockFanout,
    Outputs,
    Cone(usize),
    Latch(usize),
    Commit(usize),
    Sample(Fused),
    Latched(Fused),
    Finish(Fused),
}

impl TapeOf {
    fn get(self, p: &Program) -> &Tape {
        match self {
            TapeOf::Full => &p.full,
            TapeOf::ClockFanout => &p.clock_fanout,
            TapeOf::Outputs => &p.outputs,
            TapeOf::Cone(d) => &p.domains[d].cone,
            TapeOf::Latch(d) => &p.domains[d].latch,
            TapeOf::Commit(d) => &p.domains[d].commit,
            TapeOf::Sample(f) => &fused(p, f).sample,
            TapeOf::Latched(f) => &fused(p, f).latched,
            TapeOf::Finish(f) => &fused(p, f).finish,
        }
    }

    fn get_mut(self, p: &mut Program) -> &mut Tape {
        match self {
            TapeOf::Full => &mut p.full,
            TapeOf::ClockFanout => &mut p.clock_fanout,
            TapeOf::Outputs => &mut p.outputs,
            TapeOf::Cone(d) => &mut p.domains[d].cone,
            TapeOf::Latch(d) => &mut p.domains[d].latch,
            TapeOf::Commit(d) => &mut p.domains[d].commit,
            TapeOf::Sample(f) => &mut fused_mut(p, f).sample,
            TapeOf::Latched(f) => &mut fused_mut(p, f).latched,
            TapeOf::Finish(f) => &mut fused_mut(p, f).finish,
        }
    }
}

fn fused(p: &Program, which: Fused) -> &FusedEdge {
    p.fused(which).expect("listed only when present")
}

fn fused_mut(p: &mut Program, which: Fused) -> &mut FusedEdge {
    p.fused_mut(which).expect("listed only when present")
}

/// The tapes the simulator can run, with who reads their results. A
/// domain's separate tapes run only when it rises with some but not all
/// other domains, or the design has no fused edges (asynchronous resets).
fn compiled_tapes(p: &Program) -> Vec<(TapeOf, Readers)> {
    let mut tapes = vec![
        (TapeOf::Full, Readers::Everyone),
        (TapeOf::ClockFanout, Readers::Everyone),
        (TapeOf::Outputs, Readers::Outputs),
    ];
    let n = p.domains.len();
    let fused = (0..n).map(Fused::Alone).chain([Fused::Together]);
    for which in fused {
        let Some(edge) = p.fused(which) else { continue };
        // The outputs' logic ends `finish`, or `sample` when that holds
        // the whole edge.
        let outputs = match edge.settles_outputs {
            true => Readers::Outputs,
            false => Readers::Edge,
        };
        let sample = match edge.ports {
            true => Readers::Edge,
            false => outputs,
        };
        tapes.extend([
            (TapeOf::Sample(which), sample),
            (TapeOf::Latched(which), sample),
            (TapeOf::Finish(which), outputs),
        ]);
    }
    let partial = n > 2;
    for (d, dom) in p.domains.iter().enumerate() {
        if dom.alone.is_none() || partial {
            tapes.extend([
                (TapeOf::Cone(d), Readers::Edge),
                (TapeOf::Latch(d), Readers::Edge),
                (TapeOf::Commit(d), Readers::Edge),
            ]);
        }
    }
    tapes
}

/// The state words whose computed values must be stored, per kind of
/// reader: everything else is a temporary that one function both computes
/// and consumes, kept in a register.
struct Kept {
    /// For [`Readers::Edge`].
    edge: Vec<bool>,
    /// For [`Readers::Outputs`].
    outputs: Vec<bool>,
    /// For [`Readers::Everyone`].
    everyone: Vec<bool>,
}

impl Kept {
    fn of(p: &Program, words: usize, compiled: &[(TapeOf, Readers)]) -> Kept {
        let mut edge = vec![false; words];
        let mark = |keep: &mut Vec<bool>, off: u32, n: usize| {
            for w in &mut keep[off as usize..off as usize + n] {
                *w = true;
            }
        };
        for d in &p.domains {
            for w in d.port_words(|m| p.memories[m as usize].words as usize) {
                edge[w as usize] = true;
            }
        }
        for a in &p.async_resets {
            mark(&mut edge, a.cond, 1);
        }
        for a in &p.assertions {
            mark(&mut edge, a.cond, 1);
        }
        for &t in &p.tables {
            mark(&mut edge, t, 1);
        }
        // `wide::exec` reads its operands from the state.
        for w in p.wide.iter().filter(|w| !inlined(w)) {
            for a in &w.args {
                mark(&mut edge, a.off, words_for(a.width));
            }
        }
        for d in &p.domains {
            // Commits write the registers, and a fused edge the clock
            // input: the state itself.
            for insn in d.commit.insns() {
                if let (Some(dst), _) = insn.operands() {
                    mark(&mut edge, dst, 1);
                }
            }
            mark(&mut edge, p.signals[d.clock.0 as usize].off, 1);
        }
        // Values a function reads before computing them come from elsewhere.
        for &(tape, _) in compiled {
            for chunk in tape.get(p).insns().chunks(CHUNK) {
                let mut written = HashSet::new();
                let mut read = |r: u32, written: &HashSet<u32>| {
                    if !written.contains(&r) {
                        edge[r as usize] = true;
                    }
                };
                for insn in chunk {
                    if let Insn::Wide(k) = *insn {
                        let w = &p.wide[k as usize];
                        if inlined(w) {
                            for a in &w.args {
                                let n = words_for(a.width) as u32;
                                (a.off..a.off + n).for_each(|r| read(r, &written));
                            }
                        }
                        written.extend(w.dst..w.dst + words_for(w.width) as u32);
                        continue;
                    }
                    let (dst, reads) = insn.operands();
                    reads.into_iter().flatten().for_each(|r| read(r, &written));
                    written.extend(dst);
                }
            }
        }
        let mut outputs = edge.clone();
        for o in &p.output_values {
            mark(&mut outputs, o.off, words_for(o.width));
        }
        let mut everyone = outputs.clone();
        for s in &p.signals {
            mark(&mut everyone, s.off, words_for(s.width));
        }
        Kept {
            edge,
            outputs,
            everyone,
        }
    }

    fn for_readers(&self, readers: Readers) -> &[bool] {
        match readers {
            Readers::Everyone => &self.everyone,
            Readers::Outputs => &self.outputs,
            Readers::Edge => &self.edge,
        }
    }
}

/// The code generator for one program.
struct Jit {
    /// Compiles with the backtracking register allocator, whose code runs
    /// faster than the single-pass allocator's; [`CHUNK`] bounds its
    /// superlinear compile time (measurements in docs/performance.md).
    module: JITModule,
    ctx: Context,
    fctx: FunctionBuilderContext,
    sig: Signature,
    tables: Arc<[u32]>,
    wide: Arc<[WideInsn]>,
}

impl Jit {
    fn new(tables: Arc<[u32]>, wide: Arc<[WideInsn]>) -> Result<Jit, NativeError> {
        let module = JITModule::new(JITBuilder::with_isa(isa()?, default_libcall_names()));
        let mut sig = module.make_signature();
        for _ in 0..4 {
            sig.params.push(AbiParam::new(I64));
        }
        Ok(Jit {
            ctx: module.make_context(),
            module,
            fctx: FunctionBuilderContext::new(),
            sig,
            tables,
            wide,
        })
    }

    /// Generates one function running `insns` over a state of `words`
    /// words that stores the results marked in `keep`.
    fn function(
        &mut self,
        insns: &[Insn],
        words: usize,
        keep: &[bool],
    ) -> Result<FuncId, NativeError> {
        let id = self
            .module
            .declare_anonymous_function(&self.sig)
            .map_err(|e| NativeError::Codegen(e.to_string()))?;
        self.ctx.func.signature = self.sig.clone();
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let mut wide_sig = self.sig.clone();
        wide_sig.params.insert(0, AbiParam::new(I64));
        {
            let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
            let block = b.create_block();
            b.append_block_params_for_function_params(block);
            b.switch_to_block(block);
            let params = b.block_params(block).to_vec();
            let wide_sig = b.import_signature(wide_sig);
            let mut gen = Gen {
                b,
                state: params[0],
                params,
                wide_sig,
                known: HashMap::new(),
                keep,
                tables: &self.tables,
                wide: &self.wide,
                words,
            };
            for insn in insns {
                gen.insn(insn);
            }
            gen.b.ins().return_(&[]);
            gen.b.seal_all_blocks();
            gen.b.finalize(self.module.target_config());
        }
        self.module
            .define_function(id, &mut self.ctx)
            .map_err(|e| NativeError::Codegen(format!("{e:?}")))?;
        self.module.clear_context(&mut self.ctx);
        Ok(id)
    }
}

/// Builds the host's code generator, optimising for speed.
fn isa() -> Result<OwnedTargetIsa, NativeError> {
    let mut flags = settings::builder();
    let codegen = |e: settings::SetError| NativeError::Codegen(e.to_string());
    flags.set("opt_level", "speed").map_err(codegen)?;
    flags
        .set("regalloc_algorithm", "backtracking")
        .map_err(codegen)?;
    flags.set("is_pic", "false").map_err(codegen)?;
    flags
        .set("use_colocated_libcalls", "false")
        .map_err(codegen)?;
    flags.set("enable_verifier", "false").map_err(codegen)?;
    cranelift_native::builder()
        .map_err(|e| NativeError::UnsupportedHost(e.to_string()))?
        .finish(settings::Flags::new(flags))
        .map_err(|e| NativeError::Codegen(e.to_string()))
}

/// Emits the code of one function, tracking which state words are in registers.
struct Gen<'a> {
    b: FunctionBuilder<'a>,
    state: Value,
    /// The function's parameters, passed on to `wide_exec`.
    params: Vec<Value>,
    wide_sig: cranelift_codegen::ir::SigRef,
    /// State words whose current value is a value in this function.
    known: HashMap<u32, Value>,
    keep: &'a [bool],
    tables: &'a [u32],
    wide: &'a [WideInsn],
    words: usize,
}

/// The loads and stores of generated code: aligned, in bounds, never trapping.
fn flags() -> MemFlagsData {
    MemFlagsData::trusted()
}

impl Gen<'_> {
    fn ld(&mut self, word: u32) -> Value {
        if let Some(&v) = self.known.get(&word) {
            return v;
        }
        let v = self
            .b
            .ins()
            .load(I64, flags(), self.state, byte_offset(word));
        self.known.insert(word, v);
        v
    }

    fn st(&mut self, word: u32, v: Value) {
        if self.keep[word as usize] {
            self.b
                .ins()
                .store(flags(), v, self.state, byte_offset(word));
        }
        self.known.insert(word, v);
    }

    fn mask(&mut self, v: Value, sh: u8) -> Value {
        if sh == 0 {
            v
        } else {
            self.b.ins().band_imm_u(v, (u64::MAX >> sh) as i64)
        }
    }

    fn flag(&mut self, cc: IntCC, a: Value, b: Value) -> Value {
        let c = self.b.ins().icmp(cc, a, b);
        self.b.ins().uextend(I64, c)
    }

    /// Sign-extends the low `64 - sh` bits of `v`.
    fn signed(&mut self, v: Value, sh: u8) -> Value {
        if sh == 0 {
            v
        } else {
            let up = self.b.ins().ishl_imm_u(v, i64::from(sh));
            self.b.ins().sshr_imm_u(up, i64::from(sh))
        }
    }

    fn binary(&mut self, a: u32, b: u32) -> (Value, Value) {
        (self.ld(a), self.ld(b))
    }

    fn insn(&mut self, insn: &Insn) {
        match *insn {
            Insn::Mov { dst, a } => {
                let v = self.ld(a);
                self.st(dst, v)
            }
            Insn::Not { dst, a, sh } => {
                let v = self.ld(a);
                let n = self.b.ins().bnot(v);
                let r = self.mask(n, sh);
                self.st(dst, r)
            }
            Insn::And { dst, a, b } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().band(x, y);
                self.st(dst, r)
            }
            Insn::Or { dst, a, b } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().bor(x, y);
                self.st(dst, r)
            }
            Insn::Xor { dst, a, b } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().bxor(x, y);
                self.st(dst, r)
            }
            Insn::Add { dst, a, b, sh } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().iadd(x, y);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::Sub { dst, a, b, sh } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().isub(x, y);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::Mul { dst, a, b, sh } => {
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().imul(x, y);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::Eq { dst, a, b } => self.compare(IntCC::Equal, dst, a, b, 0),
            Insn::Ne { dst, a, b } => self.compare(IntCC::NotEqual, dst, a, b, 0),
            Insn::Lt { dst, a, b } => self.compare(IntCC::UnsignedLessThan, dst, a, b, 0),
            Insn::Le { dst, a, b } => self.compare(IntCC::UnsignedLessThanOrEqual, dst, a, b, 0),
            Insn::SignedLt { dst, a, b, sh } => self.compare(IntCC::SignedLessThan, dst, a, b, sh),
            Insn::SignedLe { dst, a, b, sh } => {
                self.compare(IntCC::SignedLessThanOrEqual, dst, a, b, sh)
            }
            Insn::ReduceAnd { dst, a, sh } => {
                let v = self.ld(a);
                let c = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::Equal, v, (u64::MAX >> sh) as i64);
                let r = self.b.ins().uextend(I64, c);
                self.st(dst, r)
            }
            Insn::ReduceOr { dst, a } => {
                let v = self.ld(a);
                let c = self.b.ins().icmp_imm_u(IntCC::NotEqual, v, 0);
                let r = self.b.ins().uextend(I64, c);
                self.st(dst, r)
            }
            Insn::ReduceXor { dst, a } => {
                let v = self.ld(a);
                let p = self.b.ins().popcnt(v);
                let r = self.b.ins().band_imm_u(p, 1);
                self.st(dst, r)
            }
            Insn::Shl { dst, a, b, sh } | Insn::Shr { dst, a, b, sh } => {
                let (x, n) = self.binary(a, b);
                let shifted = if matches!(insn, Insn::Shl { .. }) {
                    self.b.ins().ishl(x, n)
                } else {
                    self.b.ins().ushr(x, n)
                };
                // Cranelift takes the amount modulo 64; the tape defines 0.
                let out = self
                    .b
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, n, 64);
                let zero = self.b.ins().iconst(I64, 0);
                let r = self.b.ins().select(out, zero, shifted);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::Sra { dst, a, b, sh } => {
                let (x, n) = self.binary(a, b);
                let max = self.b.ins().iconst(I64, 63);
                let n = self.b.ins().umin(n, max);
                let x = self.signed(x, sh);
                let r = self.b.ins().sshr(x, n);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::ShlConst { dst, a, n, sh } => {
                let v = self.ld(a);
                let r = self.b.ins().ishl_imm_u(v, i64::from(n));
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::ShrConst { dst, a, n, sh } => {
                let v = self.ld(a);
                let r = self.b.ins().ushr_imm_u(v, i64::from(n));
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::ShrPair { dst, a, n, sh } => {
                let (lo, hi) = self.binary(a, a + 1);
                let lo = self.b.ins().ushr_imm_u(lo, i64::from(n));
                let hi = self.b.ins().ishl_imm_u(hi, 64 - i64::from(n));
                let r = self.b.ins().bor(lo, hi);
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::SraConst {
                dst,
                a,
                n,
                from,
                sh,
            } => {
                let v = self.ld(a);
                let v = self.signed(v, from);
                let r = self.b.ins().sshr_imm_u(v, i64::from(n));
                let r = self.mask(r, sh);
                self.st(dst, r)
            }
            Insn::Mux { dst, c, a, b } => {
                let c = self.ld(c);
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().select(c, x, y);
                self.st(dst, r)
            }
            Insn::MuxBit { dst, c, n, a, b } => {
                let c = self.ld(c);
                let c = self.b.ins().ushr_imm_u(c, i64::from(n));
                let c = self.b.ins().band_imm_u(c, 1);
                let (x, y) = self.binary(a, b);
                let r = self.b.ins().select(c, x, y);
                self.st(dst, r)
            }
            Insn::ShlOr { dst, a, n } => {
                let (d, x) = self.binary(dst, a);
                let d = self.b.ins().ishl_imm_u(d, i64::from(n));
                let r = self.b.ins().bor(d, x);
                self.st(dst, r)
            }
            Insn::Lookup {
                dst,
                c,
                lo,
                bits,
                table,
            } => {
                let entries = 1usize << bits;
                let range = table as usize..table as usize + entries;
                assert!(
                    range.end <= self.tables.len()
                        && self.tables[range.clone()]
                            .iter()
                            .all(|&w| (w as usize) < self.words),
                    "lookup table {range:?} reaches past the tables or the state"
                );
                let c = self.ld(c);
                let i = self.b.ins().ushr_imm_u(c, i64::from(lo));
                let i = self.b.ins().band_imm_u(i, (entries - 1) as i64);
                let i = self.b.ins().ishl_imm_u(i, 2);
                let base = self.tables[table as usize..].as_ptr() as i64;
                let base = self.b.ins().iconst(I64, base);
                let entry = self.b.ins().iadd(base, i);
                let slot = self.b.ins().uload32(flags(), entry, 0);
                let byte = self.b.ins().ishl_imm_u(slot, 3);
                let addr = self.b.ins().iadd(self.state, byte);
                let r = self.b.ins().load(I64, flags(), addr, 0);
                self.st(dst, r)
            }
            Insn::Wide(i) => {
                let w = &self.wide[i as usize];
                if let Some(words) = self.inline_words(w) {
                    // All words are computed before any is stored, so a
                    // result may overlap its operands as in `wide::exec`.
                    for (k, v) in (0..).zip(words) {
                        self.st(w.dst + k, v);
                    }
                    return;
                }
                let insn = self.b.ins().iconst(I64, w as *const WideInsn as i64);
                let helper = self.b.ins().iconst(I64, wide_exec as *const () as i64);
                let mut args = vec![insn];
                args.extend_from_slice(&self.params);
                self.b.ins().call_indirect(self.wide_sig, helper, &args);
                for k in 0..words_for(w.width) as u32 {
                    self.known.remove(&(w.dst + k));
                }
            }
        }
    }

    /// The result words of a multi-word instruction that [`inlined`]
    /// accepts, computed inline with the same semantics as [`wide::exec`]:
    /// words past an operand's width read as zeros and the top word is
    /// masked to the width. `None` for the other operators, which call it.
    fn inline_words(&mut self, w: &WideInsn) -> Option<Vec<Value>> {
        if !inlined(w) {
            return None;
        }
        let n = words_for(w.width) as u32;
        let a = |k: usize| w.args[k];
        let mut words = match w.op {
            Op::Shl => self.shifted(a(0), a(1), Direction::Left, n),
            Op::Shr | Op::DynSlice { .. } => self.shifted(a(0), a(1), Direction::Right, n),
            Op::Add => self.sum(a(0), a(1), false),
            Op::Sub => self.sum(a(0), a(1), true),
            Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => vec![self.wide_flag(w)],
            Op::SignedLt | Op::SignedLe | Op::SignedGt | Op::SignedGe => vec![self.wide_flag(w)],
            Op::ReduceAnd | Op::ReduceOr | Op::ReduceXor => vec![self.wide_flag(w)],
            _ => Vec::with_capacity(n as usize),
        };
        for i in words.len() as u32..n {
            let lo = 64 * u64::from(i);
            let v = match w.op {
                Op::And | Op::Or | Op::Xor => {
                    let (x, y) = (self.word_of(a(0), i), self.word_of(a(1), i));
                    match w.op {
                        Op::And => self.b.ins().band(x, y),
                        Op::Or => self.b.ins().bor(x, y),
                        _ => self.b.ins().bxor(x, y),
                    }
                }
                Op::Not => {
                    let x = self.word_of(a(0), i);
                    self.b.ins().bnot(x)
                }
                Op::Mux => {
                    let c = self.ld(a(0).off);
                    let c = self.b.ins().band_imm_u(c, 1);
                    let (x, y) = (self.word_of(a(1), i), self.word_of(a(2), i));
                    self.b.ins().select(c, x, y)
                }
                Op::Zext(_) => self.word_of(a(0), i),
                Op::Sext(_) => {
                    let x = self.word_of(a(0), i);
                    let from = u64::from(a(0).width);
                    let sign = self.bits_at(a(0), from - 1);
                    let sign = self.b.ins().band_imm_u(sign, 1);
                    let ones = self.b.ins().ineg(sign);
                    let fill = ones_in(lo, from, u64::from(w.width));
                    let fill = self.b.ins().band_imm_u(ones, fill as i64);
                    self.b.ins().bor(x, fill)
                }
                Op::ShrConst(k) => self.bits_at(a(0), lo + u64::from(k)),
                Op::Slice { lo: from, .. } => self.bits_at(a(0), lo + u64::from(from)),
                Op::ShlConst(k) => self.placed(a(0), u64::from(k), lo),
                Op::Concat => {
                    let mut pos = u64::from(w.width);
                    let mut v = self.b.ins().iconst(I64, 0);
                    for &arg in &w.args {
                        pos -= u64::from(arg.width);
                        if pos < lo + 64 && pos + u64::from(arg.width) > lo {
                            let part = self.placed(arg, pos, lo);
                            v = self.b.ins().bor(v, part);
                        }
                    }
                    v
                }
                Op::Repeat(copies) => {
                    let each = u64::from(a(0).width);
                    let mut v = self.b.ins().iconst(I64, 0);
                    for k in 0..u64::from(copies) {
                        let pos = k * each;
                        if pos < lo + 64 && pos + each > lo {
                            let part = self.placed(a(0), pos, lo);
                            v = self.b.ins().bor(v, part);
                        }
                    }
                    v
                }
                _ => unreachable!("`inlined` accepts only the operators above"),
            };
            words.push(v);
        }
        let top = w.width % 64;
        if top != 0 {
            let last = words.last_mut().expect("a value has a word");
            *last = self.mask(*last, (64 - top) as u8);
        }
        Some(words)
    }

    /// `x + y`, or `x - y` as `x + !y + 1`, word by word with the carry
    /// rippling up (operands as many words as the result).
    fn sum(&mut self, x: Operand, y: Operand, subtract: bool) -> Vec<Value> {
        let mut carry = self.b.ins().iconst(I64, i64::from(subtract));
        let mut words = Vec::new();
        for i in 0..words_for(x.width) as u32 {
            let (a, b) = self.binary(x.off + i, y.off + i);
            let b = match subtract {
                true => self.b.ins().bnot(b),
                false => b,
            };
            let partial = self.b.ins().iadd(a, b);
            let out = self.b.ins().iadd(partial, carry);
            let c1 = self.b.ins().icmp(IntCC::UnsignedLessThan, partial, a);
            let c2 = self.b.ins().icmp(IntCC::UnsignedLessThan, out, partial);
            let c = self.b.ins().bor(c1, c2);
            carry = self.b.ins().uextend(I64, c);
            words.push(out);
        }
        words
    }

    /// The one-bit result of a comparison (operands of as many words) or a
    /// reduction of multi-word operands.
    fn wide_flag(&mut self, w: &WideInsn) -> Value {
        let x = w.args[0];
        let n = words_for(x.width) as u32;
        let zero = self.b.ins().iconst(I64, 0);
        // Folds `f` of each word (and of `w.args[1]`'s) into one value.
        let fold = |g: &mut Self, f: &dyn Fn(&mut Self, u32, Value) -> Value| {
            let mut acc = zero;
            for i in 0..n {
                let v = g.ld(x.off + i);
                let v = f(g, i, v);
                acc = match w.op {
                    Op::ReduceXor => g.b.ins().bxor(acc, v),
                    _ => g.b.ins().bor(acc, v),
                };
            }
            acc
        };
        match w.op {
            Op::Eq | Op::Ne => {
                let y = w.args[1];
                let diff = fold(self, &|g, i, v| {
                    let u = g.ld(y.off + i);
                    g.b.ins().bxor(v, u)
                });
                let cc = match w.op {
                    Op::Eq => IntCC::Equal,
                    _ => IntCC::NotEqual,
                };
                self.flag(cc, diff, zero)
            }
            Op::ReduceOr => {
                let any = fold(self, &|_, _, v| v);
                self.flag(IntCC::NotEqual, any, zero)
            }
            // Every word equals the mask of its bits in the width.
            Op::ReduceAnd => {
                let missing = fold(self, &|g, i, v| {
                    let ones = match i + 1 == n {
                        true => wide::top_mask(x.width),
                        false => u64::MAX,
                    };
                    g.b.ins().bxor_imm_u(v, ones as i64)
                });
                self.flag(IntCC::Equal, missing, zero)
            }
            Op::ReduceXor => {
                let all = fold(self, &|_, _, v| v);
                let ones = self.b.ins().popcnt(all);
                self.b.ins().band_imm_u(ones, 1)
            }
            _ => self.wide_compare(w),
        }
    }

    /// An ordering comparison of two operands of as many words: the highest
    /// word that differs decides (signed operands: their top words compared
    /// sign-extended), equal operands give `Le`/`Ge` true.
    fn wide_compare(&mut self, w: &WideInsn) -> Value {
        let (x, y) = (w.args[0], w.args[1]);
        let (cc, signed_cc, tie) = match w.op {
            Op::Lt => (IntCC::UnsignedLessThan, None, false),
            Op::Le => (IntCC::UnsignedLessThan, None, true),
            Op::Gt => (IntCC::UnsignedGreaterThan, None, false),
            Op::Ge => (IntCC::UnsignedGreaterThan, None, true),
            Op::SignedLt => (IntCC::UnsignedLessThan, Some(IntCC::SignedLessThan), false),
            Op::SignedLe => (IntCC::UnsignedLessThan, Some(IntCC::SignedLessThan), true),
            Op::SignedGt => (
                IntCC::UnsignedGreaterThan,
                Some(IntCC::SignedGreaterThan),
                false,
            ),
            Op::SignedGe => (
                IntCC::UnsignedGreaterThan,
                Some(IntCC::SignedGreaterThan),
                true,
            ),
            _ => unreachable!("`wide_flag` passes on only ordering comparisons"),
        };
        let n = words_for(x.width) as u32;
        let mut result = self.b.ins().iconst(I64, i64::from(tie));
        for i in 0..n {
            let (mut a, mut b) = self.binary(x.off + i, y.off + i);
            let mut cc = cc;
            if let (Some(signed), true) = (signed_cc, i + 1 == n) {
                let sh = ((64 - x.width % 64) % 64) as u8;
                (a, b) = (self.signed(a, sh), self.signed(b, sh));
                cc = signed;
            }
            let decided = self.flag(cc, a, b);
            let same = self.b.ins().icmp(IntCC::Equal, a, b);
            result = self.b.ins().select(same, result, decided);
        }
        result
    }

    /// The `n` low words of `arg` shifted by the one-word amount `by`
    /// (zeros shifted in; an amount past the words gives zeros), without
    /// branches: the words shifted by `by % 64` bits are computed once,
    /// and each result word selects among them by `by / 64`.
    fn shifted(&mut self, arg: Operand, by: Operand, direction: Direction, n: u32) -> Vec<Value> {
        let amount = self.ld(by.off);
        let q = self.b.ins().ushr_imm_u(amount, 6);
        let r = self.b.ins().band_imm_u(amount, 63);
        // `64 - r` as two shifts, `1` and `63 - r`, so `r == 0` brings in
        // nothing from the neighbouring word.
        let back = self.b.ins().bxor_imm_u(r, 63);
        let parts = match direction {
            // Result word `i` is part `i + q`.
            Direction::Right => (0..words_for(arg.width) as u32)
                .map(|j| {
                    let x = self.word_of(arg, j);
                    let low = self.b.ins().ushr(x, r);
                    let next = self.word_of(arg, j + 1);
                    let next = self.b.ins().ishl_imm_u(next, 1);
                    let high = self.b.ins().ishl(next, back);
                    self.b.ins().bor(low, high)
                })
                .collect::<Vec<_>>(),
            // Result word `i` is part `i - q`.
            Direction::Left => (0..n)
                .map(|j| {
                    let x = self.word_of(arg, j);
                    let high = self.b.ins().ishl(x, r);
                    let prev = match j {
                        0 => self.b.ins().iconst(I64, 0),
                        _ => self.word_of(arg, j - 1),
                    };
                    let prev = self.b.ins().ushr_imm_u(prev, 1);
                    let low = self.b.ins().ushr(prev, back);
                    self.b.ins().bor(high, low)
                })
                .collect(),
        };
        (0..n as usize)
            .map(|i| {
                let sources: Vec<usize> = match direction {
                    Direction::Right => (i..parts.len()).collect(),
                    Direction::Left => (0..=i).rev().collect(),
                };
                let mut v = self.b.ins().iconst(I64, 0);
                for (k, j) in (0i64..).zip(sources) {
                    let hit = self.b.ins().icmp_imm_u(IntCC::Equal, q, k);
                    v = self.b.ins().select(hit, parts[j], v);
                }
                v
            })
            .collect()
    }

    /// Word `i` of `arg`: zero past its width.
    fn word_of(&mut self, arg: Operand, i: u32) -> Value {
        match i < words_for(arg.width) as u32 {
            true => self.ld(arg.off + i),
            false => self.b.ins().iconst(I64, 0),
        }
    }

    /// The 64 bits of `arg` from bit `bit` up: zeros past its width.
    fn bits_at(&mut self, arg: Operand, bit: u64) -> Value {
        let (i, r) = ((bit / 64) as u32, (bit % 64) as i64);
        let low = self.word_of(arg, i);
        if r == 0 {
            return low;
        }
        let low = self.b.ins().ushr_imm_u(low, r);
        if i + 1 >= words_for(arg.width) as u32 {
            return low;
        }
        let high = self.ld(arg.off + i + 1);
        let high = self.b.ins().ishl_imm_u(high, 64 - r);
        self.b.ins().bor(low, high)
    }

    /// The word at bit `lo` of a value holding `arg` at bit `pos` and zeros
    /// elsewhere.
    fn placed(&mut self, arg: Operand, pos: u64, lo: u64) -> Value {
        if lo >= pos {
            return self.bits_at(arg, lo - pos);
        }
        let shift = pos - lo;
        if shift >= 64 {
            return self.b.ins().iconst(I64, 0);
        }
        let v = self.bits_at(arg, 0);
        self.b.ins().ishl_imm_u(v, shift as i64)
    }

    fn compare(&mut self, cc: IntCC, dst: u32, a: u32, b: u32, sh: u8) {
        let (x, y) = self.binary(a, b);
        let (x, y) = (self.signed(x, sh), self.signed(y, sh));
        let r = self.flag(cc, x, y);
        self.st(dst, r)
    }
}

/// Whether the native code computes multi-word instruction `w` inline
/// instead of calling [`wide::exec`]: the operators whose result words are
/// each a few word operations (bitwise operators, multiplexers, extensions,
/// constant shifts, part selects, concatenations, replications, shifts and
/// part selects of a few words by a one-word amount, sums, differences,
/// comparisons and reductions); products and arithmetic shifts call it.
fn inlined(w: &WideInsn) -> bool {
    match w.op {
        Op::And | Op::Or | Op::Xor | Op::Not | Op::Zext(_) | Op::Sext(_) => true,
        Op::ShrConst(_) | Op::ShlConst(_) | Op::Slice { .. } | Op::Concat => true,
        // Past a few dozen copies the words are cheaper in a loop.
        Op::Repeat(n) => n <= 64,
        // The condition is one bit of a one-word operand.
        Op::Mux => w.args[0].width <= 64,
        // A one-word amount; each result word selects among the shifted
        // words, so the work grows with the square of the words.
        Op::Shl | Op::Shr | Op::DynSlice { .. } => {
            w.args[1].width <= 64 && words_for(w.args[0].width.max(w.width)) <= SHIFTED_WORDS
        }
        // Word by word over operands of as many words (as the result).
        Op::Add | Op::Sub => w
            .args
            .iter()
            .all(|a| words_for(a.width) == words_for(w.width)),
        Op::Eq | Op::Ne | Op::Lt | Op::Le | Op::Gt | Op::Ge => same_words(w),
        Op::SignedLt | Op::SignedLe | Op::SignedGt | Op::SignedGe => same_words(w),
        Op::ReduceAnd | Op::ReduceOr | Op::ReduceXor => true,
        _ => false,
    }
}

/// Whether the operands of `w` are as many words.
fn same_words(w: &WideInsn) -> bool {
    w.args
        .iter()
        .all(|a| words_for(a.width) == words_for(w.args[0].width))
}

/// The most words of a dynamic shift's operand or result computed inline.
const SHIFTED_WORDS: usize = 4;

/// Which way [`Gen::shifted`] shifts.
#[derive(Clone, Copy)]
enum Direction {
    Left,
    Right,
}

/// The mask of the bits of the word at bit `lo` that lie in `from..to`.
fn ones_in(lo: u64, from: u64, to: u64) -> u64 {
    let start = from.clamp(lo, lo + 64) - lo;
    let end = to.clamp(lo, lo + 64) - lo;
    match end - start {
        0 => 0,
        64 => u64::MAX,
        len => ((1u64 << len) - 1) << start,
    }
}

/// The byte offset of a state word.
fn byte_offset(word: u32) -> i32 {
    i32::try_from(u64::from(word) * 8).expect("state offsets fit in 2 GiB")
}

/// Runs one multi-word instruction for native code.
///
/// # Safety
///
/// `insn` points at a live instruction; `state` and `scratch` are valid for
/// `state_len` and `scratch_len` words and not otherwise borrowed.
unsafe extern "C" fn wide_exec(
    insn: *const WideInsn,
    state: *mut u64,
    state_len: usize,
    scratch: *mut u64,
    scratch_len: usize,
) {
    // SAFETY: guaranteed by the caller, the generated code, which passes on
    // the slices `NativeTape::run` received.
    let (insn, state, scratch) = unsafe {
        (
            &*insn,
            std::slice::from_raw_parts_mut(state, state_len),
            std::slice::from_raw_parts_mut(scratch, scratch_len),
        )
    };
    wide::exec(insn, state, scratch);
}
