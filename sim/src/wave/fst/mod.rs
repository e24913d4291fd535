//! Fast Signal Trace output, written by this crate: a module scope per
//! level of the hierarchy, 1 ps timescale, one wire per signal (signals
//! stored in the same simulator words with the same width are one FST
//! signal with several names).
//!
//! Values go from the simulator's 64-bit words into each signal's chain of
//! changes bit-packed a word at a time ([`chain`]); a block of changes is
//! laid out as GTKWave's own writer lays it out ([`block`]), readable by
//! GTKWave, `fst2vcd` and the `fst-reader` crate.
//!
//! # Compression
//!
//! Chains of 32 bytes or more are LZ4-compressed when that makes them
//! smaller; a signal whose chain LZ4 did not shrink is stored as it is
//! without trying for the next seven blocks. The hierarchy is
//! LZ4-compressed; frames, time tables and the geometry are stored
//! uncompressed (the format allows only zlib there, which this writer
//! leaves out to keep writing fast). LZ4 gains much on signals that repeat
//! (clocks, counters, idle buses) and nothing on random data.
//!
//! Where little changes, the uncompressed time table dominates a block's
//! size: a few bytes per time step.
//!
//! # When the data reaches the file
//!
//! The file is written on a thread of its own: the simulating thread only
//! records which state words changed at each dump and hands them over in
//! batches through a bounded queue (see [`super`]), so packing, LZ4 and
//! the file writes run beside the simulation.
//!
//! Changes are kept in memory and written as one value-change block at a
//! flush; a block is readable as soon as it is written, before the file is
//! finished. A block must end at the last time it holds, and the simulator
//! may still write changes at the current time after a stepping call
//! returns (pokes before the next step), so a flush is only *requested* at
//! the end of a stepping call and carried out when the first later time
//! starts. Every block repeats the value of every signal (its frame), so
//! blocks are not requested more often than every [`FLUSH_INTERVAL`] (a
//! testbench that steps one edge at a time would otherwise write one block
//! per edge), and the first block holds at least one time after the one
//! the trace started at; the writer also writes a block whenever
//! [`BLOCK_BYTES`] of changes (or eight times the frame, if more) have
//! piled up, so memory stays bounded on long runs and the changes being
//! gathered stay in the processor's cache (with blocks of 8 MiB, writing
//! them to memory that was not cached cost the 8-port crossbar's trace
//! about half its speed).
//!
//! So while the trace is open, the file is readable once its first block is
//! written (just after the second stepping call after the trace starts
//! reaches its first edge) and then lags the run by at most about
//! [`FLUSH_INTERVAL`] of wall-clock time, plus what the writer thread has
//! not caught up with (the clock is read at a fraction of the stepping
//! calls, paced by how fast they came so far and at least every 64th, so
//! after calls suddenly slow down the lag can reach 64 of them). A stepping
//! call that stops early (an assertion, an interrupt) waits for the writer
//! to catch up. The rest, and the final header (first and last time, number
//! of blocks), are written when the trace is closed: when the
//! [`crate::Sim`] is dropped (also while a failing test unwinds) or a new
//! trace replaces this one. A process that is killed or aborts keeps only
//! the blocks written before; before the first, GTKWave cannot open the
//! file.

mod block;
mod chain;

use super::{declare, Changes, Declare, Traced, Waveform};
use block::{BlockWriter, Hierarchy, Summary};
use chain::Pending;
use linkforge_hdl::words_for;
use std::fs::File;
use std::io::{self, Seek, SeekFrom, Write};
use std::path::Path;
use std::time::Duration;

/// Shortest wall-clock time between two requested blocks.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// A block held in memory is written when its changes grow past this size
/// (or past eight times its frame, if that is larger).
pub const BLOCK_BYTES: usize = 1 << 20;

/// The version string in the header.
const VERSION: &str = "linkforge simulator";

/// The header of a FST file being declared.
#[derive(Default)]
struct Header {
    hierarchy: Hierarchy,
    /// State offset and width of every signal, by handle.
    handles: Vec<(u32, u32)>,
    scopes: u64,
    vars: u64,
}

impl Declare for Header {
    /// The signal's handle, from 0 (the file counts from 1).
    type Id = u32;

    fn scope(&mut self, name: &str) -> io::Result<()> {
        self.scopes += 1;
        self.hierarchy.scope(name);
        Ok(())
    }

    fn upscope(&mut self) -> io::Result<()> {
        self.hierarchy.upscope();
        Ok(())
    }

    fn var(&mut self, name: &str, signal: &Traced<'_>) -> io::Result<u32> {
        let handle = u32::try_from(self.handles.len())
            .ok()
            .filter(|h| *h < u32::MAX >> 2)
            .ok_or_else(|| io::Error::other("too many signals for an FST file"))?;
        self.vars += 1;
        self.hierarchy.var(name, signal.width, None);
        self.handles.push((signal.off, signal.width));
        Ok(handle)
    }

    fn alias(&mut self, name: &str, width: u32, of: u32) -> io::Result<()> {
        self.vars += 1;
        self.hierarchy.var(name, width, Some(of + 1));
        Ok(())
    }
}

/// An open FST file; finished when dropped.
pub(super) struct Body {
    /// `None` only once finished.
    file: Option<File>,
    /// State offset and width of every signal, by handle.
    handles: Vec<(u32, u32)>,
    /// The changes of the block being gathered.
    pending: Pending,
    /// The values at the start of that block, as ASCII digits.
    frame: Vec<u8>,
    /// A block is written when its changes grow past this size.
    block_bytes: usize,
    /// The encoded block, reused.
    out: Vec<u8>,
    writer: BlockWriter,
    /// Blocks written so far.
    blocks: u64,
    /// The first and the last time written.
    first: Option<u64>,
    last: u64,
    /// A flush was requested; the block is written when the next time
    /// starts.
    flush_due: bool,
}

impl Changes for Body {
    type Id = u32;

    fn time(&mut self, time: u64, last: &[u64]) -> io::Result<()> {
        if self.file.is_none() {
            return Ok(());
        }
        let times = self.pending.times().len();
        if (self.blocks > 0 || times > 1)
            && (self.flush_due || self.pending.size() > self.block_bytes)
        {
            self.write_block()?;
            self.flush_due = false;
        }
        if self.pending.times().is_empty() {
            self.start_frame(last);
        }
        self.pending.time(time);
        self.first.get_or_insert(time);
        self.last = time;
        Ok(())
    }

    #[inline(always)]
    fn change(&mut self, handle: u32, width: u32, value: &[u64]) -> io::Result<()> {
        if self.file.is_some() {
            self.pending.change(handle, width, value);
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_due = true;
        Ok(())
    }

    /// Writes the last block and the final header; later changes are ignored.
    fn finish(&mut self) -> io::Result<()> {
        if !self.pending.times().is_empty() {
            self.write_block()?;
        }
        let Some(mut file) = self.file.take() else {
            return Ok(());
        };
        let first = self.first.unwrap_or(0);
        for (at, value) in block::finished_header(first, self.last, self.blocks) {
            file.seek(SeekFrom::Start(at))?;
            file.write_all(&value.to_be_bytes())?;
        }
        file.flush()
    }
}

impl Body {
    /// Takes the values at the start of a block: unknown before the first
    /// block, else `last` (the values last written, at their state offsets).
    fn start_frame(&mut self, last: &[u64]) {
        self.frame.clear();
        for &(off, width) in &self.handles {
            if self.blocks == 0 {
                self.frame.resize(self.frame.len() + width as usize, b'x');
            } else {
                let off = off as usize;
                chain::digits(&mut self.frame, width, &last[off..off + words_for(width)]);
            }
        }
    }

    /// Writes the gathered changes as a block.
    fn write_block(&mut self) -> io::Result<()> {
        let Some(file) = &mut self.file else {
            return Ok(());
        };
        self.out.clear();
        self.writer.write(
            &mut self.out,
            &self.frame,
            self.pending.chains(),
            self.pending.times(),
        );
        file.write_all(&self.out)?;
        self.blocks += 1;
        self.pending.clear();
        Ok(())
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // Nothing can report an error from a drop; the blocks written
        // before stay readable.
        let _ = self.finish();
    }
}

/// Creates `path` and writes the header, hierarchy and geometry declaring
/// `signals`.
pub(super) fn create(path: &Path, signals: &[Traced<'_>]) -> io::Result<Waveform<Body>> {
    let mut header = Header::default();
    let ids = declare(&mut header, signals)?;
    let mut out = Vec::new();
    block::header(
        &mut out,
        &Summary {
            scopes: header.scopes,
            vars: header.vars,
            handles: header.handles.len() as u64,
            version: VERSION,
        },
    );
    header.hierarchy.write(&mut out);
    block::geometry(&mut out, header.handles.iter().map(|h| h.1));
    let mut file = File::create(path)?;
    file.write_all(&out)?;
    let frame_bytes: usize = header.handles.iter().map(|h| h.1 as usize).sum();
    let block_bytes = BLOCK_BYTES.max(8 * frame_bytes);
    let body = Body {
        file: Some(file),
        pending: Pending::new(header.handles.len()),
        handles: header.handles,
        frame: Vec::new(),
        block_bytes,
        out,
        writer: BlockWriter::default(),
        blocks: 0,
        first: None,
        last: 0,
        flush_due: false,
    };
    Waveform::new(body, signals, ids, true)
}
