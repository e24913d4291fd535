//! The blocks of an FST file. Every block is a type byte, then a 64-bit
//! big-endian length that counts itself and the rest of the block.
//!
//! This writer lays a file out as: the header (its times and block count
//! filled in when the file is finished), the hierarchy (scopes and
//! variables, LZ4-compressed), the geometry (each signal's width), then the
//! value-change blocks in time order. Putting the hierarchy and geometry
//! first is what makes a file readable before it is finished.
//!
//! A value-change block (type 8, "dynamic alias 2") holds:
//!
//! - its first and last time and the bytes a reader needs to hold all of
//!   its decompressed chains;
//! - a frame: every signal's value when the block starts, as ASCII digits
//!   (readers use it when they start reading at this block);
//! - the chains of changes of each signal ([`super::chain`]), each stored
//!   as is or LZ4-compressed, whichever is smaller;
//! - an index giving where each signal's chain starts (as differences from
//!   the previous one) or how many signals in a row have none;
//! - the time table: the block's times as LEB128 differences.
//!
//! The frame and the time table may be stored zlib-compressed; this writer
//! stores them as they are, which costs a few bytes per time step.

use super::chain::{put_signed_varint, put_varint, Chain};
use lz4_flex::block::{compress_into_with_table, get_maximum_output_size, CompressTable};

/// Block types.
const HEADER: u8 = 0;
const GEOMETRY: u8 = 3;
const HIERARCHY_LZ4: u8 = 6;
const VALUE_CHANGES: u8 = 8;

/// Length of the header block after its type byte.
const HEADER_LENGTH: u64 = 329;
/// Where the header's start time, end time and count of value-change
/// blocks are, from the start of the file.
const HEADER_START_TIME: u64 = 9;
const HEADER_BLOCK_COUNT: u64 = 65;

/// Chains shorter than this are stored as they are: LZ4 gains nothing.
const MIN_COMPRESSED: usize = 32;

/// What the header declares.
pub(super) struct Summary {
    pub scopes: u64,
    pub vars: u64,
    pub handles: u64,
    pub version: &'static str,
}

fn put_u64(out: &mut Vec<u8>, value: u64) {
    out.extend_from_slice(&value.to_be_bytes());
}

/// Overwrites the 64-bit number at `at` in `out`.
fn set_u64(out: &mut [u8], at: usize, value: u64) {
    out[at..at + 8].copy_from_slice(&value.to_be_bytes());
}

/// Appends a fixed-size field holding `text`, zero-padded (and cut short
/// so one zero always ends it).
fn put_fixed_str(out: &mut Vec<u8>, text: &str, size: usize) {
    let bytes = &text.as_bytes()[..text.len().min(size - 1)];
    out.extend_from_slice(bytes);
    out.resize(out.len() + size - bytes.len(), 0);
}

/// The header block with times 0 and no value-change blocks, as it stands
/// until [`finished_header`] fills them in.
pub(super) fn header(out: &mut Vec<u8>, summary: &Summary) {
    out.push(HEADER);
    put_u64(out, HEADER_LENGTH);
    put_u64(out, 0); // start time
    put_u64(out, 0); // end time
                     // A readers detects the byte order of reals from e.
    out.extend_from_slice(&std::f64::consts::E.to_le_bytes());
    put_u64(out, 0); // memory the writer used: not tracked
    put_u64(out, summary.scopes);
    put_u64(out, summary.vars);
    put_u64(out, summary.handles);
    put_u64(out, 0); // value-change blocks
    out.push(-12i8 as u8); // timescale: 1 ps
    put_fixed_str(out, summary.version, 128);
    put_fixed_str(out, "", 119); // date
    out.push(0); // file type: Verilog
    put_u64(out, 0); // time zero
    debug_assert_eq!(out.len() as u64, 1 + HEADER_LENGTH);
}

/// The header fields a finished file fills in, as `(offset in the file,
/// value)`: the first and last time and the number of value-change blocks.
pub(super) fn finished_header(start: u64, end: u64, blocks: u64) -> [(u64, u64); 3] {
    [
        (HEADER_START_TIME, start),
        (HEADER_START_TIME + 8, end),
        (HEADER_BLOCK_COUNT, blocks),
    ]
}

/// The hierarchy entries: scopes, their ends and variables.
#[derive(Default)]
pub(super) struct Hierarchy {
    bytes: Vec<u8>,
}

impl Hierarchy {
    /// Opens module scope `name`.
    pub fn scope(&mut self, name: &str) {
        self.bytes.extend_from_slice(&[254, 0]); // scope, of a module
        self.put_str(name);
        self.put_str(""); // component
    }

    /// Closes the current scope.
    pub fn upscope(&mut self) {
        self.bytes.push(255);
    }

    /// A wire `name` of `width` bits: a new signal when `alias` is `None`,
    /// else another name for signal `alias` (1-based handle).
    pub fn var(&mut self, name: &str, width: u32, alias: Option<u32>) {
        self.bytes.extend_from_slice(&[16, 0]); // a wire, direction implicit
        self.put_str(name);
        put_varint(&mut self.bytes, width.into());
        put_varint(&mut self.bytes, alias.unwrap_or(0).into());
    }

    /// Appends `text` zero-terminated (names never hold a zero byte).
    fn put_str(&mut self, text: &str) {
        self.bytes
            .extend(text.bytes().map(|b| if b == 0 { b'_' } else { b }));
        self.bytes.push(0);
    }

    /// Appends the hierarchy block.
    pub fn write(&self, out: &mut Vec<u8>) {
        let compressed = lz4_flex::block::compress(&self.bytes);
        out.push(HIERARCHY_LZ4);
        put_u64(out, 16 + compressed.len() as u64);
        put_u64(out, self.bytes.len() as u64);
        out.extend_from_slice(&compressed);
    }
}

/// Appends the geometry block: the width of every signal, by handle.
pub(super) fn geometry(out: &mut Vec<u8>, widths: impl ExactSizeIterator<Item = u32>) {
    let handles = widths.len() as u64;
    let mut list = Vec::new();
    for width in widths {
        put_varint(&mut list, width.into());
    }
    out.push(GEOMETRY);
    put_u64(out, 24 + list.len() as u64);
    // Equal lengths: stored uncompressed.
    put_u64(out, list.len() as u64);
    put_u64(out, handles);
    out.extend_from_slice(&list);
}

/// Encodes value-change blocks, reusing its buffers from one to the next.
#[derive(Default)]
pub(super) struct BlockWriter {
    index: Vec<u8>,
    table: CompressTable,
    /// Room for LZ4's output, never shrunk (so never zeroed again).
    compressed: Vec<u8>,
    /// Per handle: LZ4 did not shrink its chain in the last block it was
    /// tried on, so it is not tried again until `blocks` is a multiple of
    /// [`RETRY_LZ4`] (random data never compresses; trying costs time).
    incompressible: Vec<bool>,
    blocks: u64,
}

/// How often (in blocks) LZ4 is tried again on a signal it did not shrink.
const RETRY_LZ4: u64 = 8;

impl BlockWriter {
    /// Appends the value-change block of `times` (not empty), with signal
    /// values `frame` (ASCII digits, by handle) at its start, and each
    /// handle's `chains`.
    pub fn write(&mut self, out: &mut Vec<u8>, frame: &[u8], chains: &[Chain], times: &[u64]) {
        let handles = chains.len() as u64;
        out.push(VALUE_CHANGES);
        let start = out.len();
        put_u64(out, 0); // length, set below
        put_u64(out, times[0]);
        put_u64(out, times[times.len() - 1]);
        let memory_at = out.len();
        put_u64(out, 0); // bytes of decompressed chains, set below

        // Equal lengths: stored uncompressed.
        put_varint(out, frame.len() as u64);
        put_varint(out, frame.len() as u64);
        put_varint(out, handles);
        out.extend_from_slice(frame);

        put_varint(out, handles);
        // Chain offsets count from the pack type (so the first is 1).
        let mut previous = out.len();
        out.push(b'4'); // chains that are compressed use LZ4
        self.index.clear();
        let (mut without, mut memory) = (0u64, 0u64);
        self.incompressible.resize(chains.len(), false);
        let retry = self.blocks % RETRY_LZ4 == 0;
        self.blocks += 1;
        for (handle, chain) in chains.iter().enumerate() {
            let data = &chain.data;
            if data.is_empty() {
                without += 1;
                continue;
            }
            if without > 0 {
                put_varint(&mut self.index, without << 1);
                without = 0;
            }
            let at = out.len();
            put_signed_varint(&mut self.index, ((at - previous) as i64) << 1 | 1);
            previous = at;
            memory += data.len() as u64;
            let try_lz4 = retry || !self.incompressible[handle];
            if let Some(shrunk) = self.chain(out, data, try_lz4) {
                self.incompressible[handle] = !shrunk;
            }
        }
        if without > 0 {
            put_varint(&mut self.index, without << 1);
        }
        out.extend_from_slice(&self.index);
        put_u64(out, self.index.len() as u64);

        let table_at = out.len();
        let mut last = 0;
        for &time in times {
            put_varint(out, time - last);
            last = time;
        }
        let table = (out.len() - table_at) as u64;
        // Equal lengths: stored uncompressed.
        put_u64(out, table);
        put_u64(out, table);
        put_u64(out, times.len() as u64);

        let length = (out.len() - start) as u64;
        set_u64(out, start, length);
        set_u64(out, memory_at, memory);
    }

    /// Appends one chain: its decompressed length and LZ4 data when
    /// `try_lz4` and that is shorter, else 0 and the data as it is. Whether
    /// LZ4 shrank it, when it was tried.
    fn chain(&mut self, out: &mut Vec<u8>, data: &[u8], try_lz4: bool) -> Option<bool> {
        let tried = try_lz4 && data.len() >= MIN_COMPRESSED;
        if tried {
            let room = get_maximum_output_size(data.len());
            if self.compressed.len() < room {
                self.compressed.resize(room, 0);
            }
            if let Ok(n) = compress_into_with_table(data, &mut self.compressed, &mut self.table) {
                let at = out.len();
                put_varint(out, data.len() as u64);
                if out.len() - at + n < 1 + data.len() {
                    out.extend_from_slice(&self.compressed[..n]);
                    return Some(true);
                }
                out.truncate(at);
            }
        }
        out.push(0);
        out.extend_from_slice(data);
        tried.then_some(false)
    }
}
