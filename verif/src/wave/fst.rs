//! Fast Signal Trace output through the `fst-writer` crate: a module scope
//! per level of the hierarchy, 1 ps timescale.
//!
//! # When the data reaches the file
//!
//! `fst-writer` keeps value changes in memory and writes them as one
//! value-change block at a flush; a block is readable (by GTKWave, `fst2vcd`
//! and `fst-reader`) as soon as it is written, before the file is finished.
//! A block must end at the last time it holds, and the simulator may still
//! write changes at the current time after a stepping call returns (pokes
//! before the next step), so a flush is only *requested* at the end of a
//! stepping call and carried out when the first later time starts. Every
//! block repeats the value of every signal, so blocks are not written more
//! often than every [`FLUSH_INTERVAL`] (a testbench that steps one edge at
//! a time would otherwise write one block per edge); a long call also
//! writes a block whenever 32 MiB of changes have piled up.
//!
//! So while the trace is open, the file is readable once its first block is
//! written (during the second stepping call after the trace starts) and then
//! lags the run by at most about [`FLUSH_INTERVAL`] of wall-clock time. The
//! rest, and the final header, are written when the trace is closed: when
//! the [`crate::Sim`] is dropped (also while a failing test unwinds) or a new
//! trace replaces this one. A process that is killed or aborts keeps only
//! the blocks written before; before the first, GTKWave cannot open the file.

use super::{declare, Changes, Declare, Traced, Waveform};
use fst_writer::{
    FstBodyWriter, FstFileType, FstHeaderWriter, FstInfo, FstScopeType, FstSignalId, FstSignalType,
    FstVarDirection, FstVarType, FstWriteError,
};
use std::fs::File;
use std::io::{self, BufWriter, Write as _};
use std::path::Path;
use std::time::{Duration, Instant};

/// The header of a FST file being declared.
struct Header(FstHeaderWriter<BufWriter<File>>);

impl Declare for Header {
    type Id = FstSignalId;

    fn scope(&mut self, name: &str) -> io::Result<()> {
        self.0
            .scope(name, "", FstScopeType::Module)
            .map_err(io_error)
    }

    fn upscope(&mut self) -> io::Result<()> {
        self.0.up_scope().map_err(io_error)
    }

    fn var(&mut self, name: &str, width: u32) -> io::Result<FstSignalId> {
        self.0
            .var(
                name,
                FstSignalType::bit_vec(width),
                FstVarType::Wire,
                FstVarDirection::Implicit,
                None,
            )
            .map_err(io_error)
    }
}

/// An open FST file; finished when dropped.
pub(super) struct Body {
    /// `None` only once finished.
    out: Option<FstBodyWriter<BufWriter<File>>>,
    /// A value as `fst-writer` takes it: one ASCII digit per bit, MSB first.
    digits: Vec<u8>,
    /// The in-memory block holds a time after its first one.
    open: bool,
    /// A flush was requested; the block is written when the next time starts.
    flush_due: bool,
    /// When the last block was written (`None` before the first).
    last_block: Option<Instant>,
}

/// Shortest wall-clock time between two requested blocks.
pub const FLUSH_INTERVAL: Duration = Duration::from_millis(500);

/// A block held in memory is written when it grows past this size, so a
/// long run neither holds its whole waveform in memory nor exceeds the
/// 32-bit offsets of `fst-writer`'s buffer. Writing a block walks each
/// signal's changes back through the buffer, which is fast only while the
/// buffer stays in cache: on the x16 retimer 8 MiB blocks took 4.9 s of CPU
/// for 30,000 UI where 32 MiB blocks took 7.2 s, for a 5% larger file.
const BLOCK_BYTES: usize = 8 << 20;

impl Changes for Body {
    type Id = FstSignalId;

    fn time(&mut self, time: u64) -> io::Result<()> {
        let Some(out) = &mut self.out else {
            return Ok(());
        };
        let due = self.flush_due
            && self
                .last_block
                .is_none_or(|at| at.elapsed() >= FLUSH_INTERVAL);
        if self.open && (due || out.size() > BLOCK_BYTES) {
            // `BufWriter` writes out its buffer at the seek that ends a block.
            out.flush().map_err(io_error)?;
            self.open = false;
            self.last_block = Some(Instant::now());
        }
        self.flush_due = false;
        out.time_change(time).map_err(io_error)?;
        // The first time of the file, 0, is the start of the first block.
        self.open |= time > 0;
        Ok(())
    }

    fn change(&mut self, id: FstSignalId, width: u32, value: &[u64]) -> io::Result<()> {
        let Some(out) = &mut self.out else {
            return Ok(());
        };
        binary_digits(&mut self.digits, width, value);
        out.signal_change(id, &self.digits).map_err(io_error)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.flush_due = true;
        Ok(())
    }
}

/// The eight ASCII digits of every byte, most significant bit first.
const BYTE_DIGITS: [[u8; 8]; 256] = {
    let mut table = [[b'0'; 8]; 256];
    let mut byte = 0;
    while byte < 256 {
        let mut bit = 0;
        while bit < 8 {
            table[byte][7 - bit] = b'0' + ((byte >> bit) & 1) as u8;
            bit += 1;
        }
        byte += 1;
    }
    table
};

/// Writes the `width` low bits of `value` into `digits` as ASCII binary,
/// most significant bit first: a byte at a time, the top odd bits first.
fn binary_digits(digits: &mut Vec<u8>, width: u32, value: &[u64]) {
    let bit = |i: u32| (value[(i / 64) as usize] >> (i % 64)) & 1;
    digits.clear();
    let mut i = width;
    while i % 8 != 0 {
        i -= 1;
        digits.push(b'0' + bit(i) as u8);
    }
    while i > 0 {
        i -= 8;
        let byte = (value[(i / 64) as usize] >> (i % 64)) & 0xff;
        digits.extend_from_slice(&BYTE_DIGITS[byte as usize]);
    }
}

impl Body {
    /// Writes the last block and the final header; later changes are ignored.
    pub(super) fn finish(&mut self) -> io::Result<()> {
        match self.out.take() {
            Some(out) => out.finish().map_err(io_error)?.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for Body {
    fn drop(&mut self) {
        // Nothing can report an error from a drop; the blocks written
        // before stay readable.
        let _ = self.finish();
    }
}

/// `fst-writer`'s errors as I/O errors.
fn io_error(e: FstWriteError) -> io::Error {
    match e {
        FstWriteError::Io(e) => e,
        other => io::Error::other(other),
    }
}

/// Creates `path` and writes the header declaring `signals`.
pub(super) fn create(path: &Path, signals: &[Traced<'_>]) -> io::Result<Waveform<Body>> {
    let info = FstInfo {
        start_time: 0,
        timescale_exponent: -12,
        version: "linkforge simulator".into(),
        date: String::new(),
        file_type: FstFileType::Verilog,
    };
    let mut header = Header(FstHeaderWriter::open(path, &info).map_err(io_error)?);
    let ids = declare(&mut header, signals)?;
    let mut out = header.0.finish().map_err(io_error)?;
    // `Waveform` passes on only values that changed.
    out.set_deduplicate(false);
    let body = Body {
        out: Some(out),
        digits: Vec::new(),
        open: false,
        flush_due: false,
        last_block: None,
    };
    Ok(Waveform::new(body, signals, ids))
}

#[cfg(test)]
mod tests {
    use super::binary_digits;

    #[test]
    fn binary_digits_are_msb_first_across_words() {
        let mut d = Vec::new();
        binary_digits(&mut d, 1, &[1]);
        assert_eq!(d, b"1");
        binary_digits(&mut d, 11, &[0b101_1000_0001]);
        assert_eq!(d, b"10110000001");
        let value = [0x8000_0000_0000_0001, 0b10];
        binary_digits(&mut d, 66, &value);
        let expected: String = (0..66)
            .rev()
            .map(|i| {
                if (value[i / 64] >> (i % 64)) & 1 == 1 {
                    '1'
                } else {
                    '0'
                }
            })
            .collect();
        assert_eq!(String::from_utf8(d).unwrap(), expected);
    }
}
