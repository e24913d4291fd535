//! Rust reference models of the CXL blocks: the HDM decoder's address math
//! and register block, the request tracker's DevLoad, and the memory a
//! pooled controller serves.

use linkforge_rtl::cxl::hdm::{REG_BASE, REG_CTRL, REG_DPA_BASE, REG_SIZE};

// Facts of the CXL 2.0 specification, written here rather than taken from
// the generators; the register indexes above are only the block's layout.

/// DevLoad values (CXL 2.0 QoS telemetry, the DevLoad field of memory
/// responses): light load,
/// optimal load, moderate overload, severe overload.
const DEVLOAD_LIGHT: u64 = 0b00;
const DEVLOAD_OPTIMAL: u64 = 0b01;
const DEVLOAD_MODERATE: u64 = 0b10;
const DEVLOAD_SEVERE: u64 = 0b11;

/// HDM decoder bases and sizes are in units of 256 MB (CXL 2.0 8.2.5.12).
const ALIGN_BITS: u32 = 28;

/// HDM Decoder Control register bits (CXL 2.0 8.2.5.12.7): IG in [3:0],
/// IW in [7:4], Lock On Commit, Commit, Committed, Error Not Committed;
/// this block puts the decoder's interleave position in [19:16].
const CTRL_LOCK: u64 = 1 << 8;
const CTRL_COMMIT: u64 = 1 << 9;
const CTRL_COMMITTED: u64 = 1 << 10;
const CTRL_COMMIT_ERROR: u64 = 1 << 11;

/// The interleave ways an IW encoding means (CXL 2.0 8.2.5.12.7): 0-4 are
/// 1, 2, 4, 8, 16 ways; 8, 9, 10 are 3, 6, 12 ways; others are reserved.
fn ways(iw: u64) -> Option<u64> {
    const WAYS: [(u64, u64); 8] = [
        (0, 1),
        (1, 2),
        (2, 4),
        (3, 8),
        (4, 16),
        (8, 3),
        (9, 6),
        (10, 12),
    ];
    WAYS.iter().find(|w| w.0 == iw).map(|w| w.1)
}

/// DevLoad for `n` outstanding entries of `depth` (the thresholds of
/// `cxl_tracker`'s documentation).
pub fn devload(n: u64, depth: u64) -> u64 {
    if 4 * n < depth {
        DEVLOAD_LIGHT
    } else if 4 * n < 3 * depth {
        DEVLOAD_OPTIMAL
    } else if n < depth {
        DEVLOAD_MODERATE
    } else {
        DEVLOAD_SEVERE
    }
}

/// Mask of the low `bits` bits.
fn mask(bits: u32) -> u64 {
    if bits >= 64 {
        u64::MAX
    } else {
        (1 << bits) - 1
    }
}

/// 52-bit addresses.
const ADDR_MASK: u64 = (1 << 52) - 1;

/// The settings of one HDM decoder.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Decoder {
    /// First host physical address.
    pub base: u64,
    /// Bytes of host physical address space.
    pub size: u64,
    /// Granularity encoding: 256 B << ig.
    pub ig: u64,
    /// Interleave-ways encoding (CXL 2.0 8.2.5.12.7: 0-4 for 1, 2, 4, 8, 16
    /// ways; 8-10 for 3, 6, 12).
    pub iw: u64,
    /// The way this device serves.
    pub position: u64,
    /// Where the decoder's DPA range starts in device memory.
    pub dpa_base: u64,
}

impl Decoder {
    /// Whether `hpa` lies in the decoder's range.
    pub fn hit(&self, hpa: u64) -> bool {
        self.base <= hpa && u128::from(hpa) < u128::from(self.base) + u128::from(self.size)
    }

    /// The way and the DPA of `hpa` (within the range; reserved `iw`
    /// encodings decode as one way).
    pub fn translate(&self, hpa: u64) -> (u64, u64) {
        let ways = ways(self.iw).unwrap_or(1);
        let g = 8 + self.ig as u32;
        let offset = hpa.wrapping_sub(self.base) & ADDR_MASK;
        let chunk = offset >> g;
        (
            chunk % ways,
            ((chunk / ways) << g | offset & mask(g)) & ADDR_MASK,
        )
    }

    /// The host physical address whose way is `way` and DPA is `dpa`.
    pub fn hpa_of(&self, way: u64, dpa: u64) -> u64 {
        let ways = ways(self.iw).unwrap_or(1);
        let g = 8 + self.ig as u32;
        let chunk = (dpa >> g) * ways + way;
        (self.base + (chunk << g | dpa & mask(g))) & ADDR_MASK
    }

    /// Whether the register block commits these settings (see
    /// [`hdm`](linkforge_rtl::cxl::hdm)).
    pub fn commit_ok(&self) -> bool {
        let Some(ways) = ways(self.iw) else {
            return false;
        };
        let align = mask(ALIGN_BITS);
        self.ig <= 6
            && self.position < ways
            && self.base & align == 0
            && self.size & align == 0
            && self.size != 0
            && (self.size >> ALIGN_BITS) % ways == 0
            && self.base + self.size <= 1 << 52
    }
}

/// The register block of one decoder, as software sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DecoderRegs {
    /// The settings.
    pub decoder: Decoder,
    /// LOCK.
    pub lock: bool,
    /// COMMIT.
    pub commit: bool,
    /// COMMITTED.
    pub committed: bool,
    /// COMMIT_ERROR.
    pub commit_error: bool,
}

impl DecoderRegs {
    /// Register `reg` as read back.
    pub fn read(&self, reg: u64) -> u64 {
        let d = &self.decoder;
        let flag = |b: bool, v: u64| if b { v } else { 0 };
        match reg {
            REG_BASE => d.base,
            REG_SIZE => d.size,
            REG_CTRL => {
                (d.ig & 0xF)
                    | (d.iw & 0xF) << 4
                    | (d.position & 0xF) << 16
                    | flag(self.lock, CTRL_LOCK)
                    | flag(self.commit, CTRL_COMMIT)
                    | flag(self.committed, CTRL_COMMITTED)
                    | flag(self.commit_error, CTRL_COMMIT_ERROR)
            }
            _ => d.dpa_base,
        }
    }

    /// A write of `value` (52 bits) to register `reg`.
    pub fn write(&mut self, reg: u64, value: u64) {
        if self.lock && self.committed {
            return;
        }
        let value = value & ADDR_MASK;
        match reg {
            REG_BASE | REG_SIZE | REG_DPA_BASE if !self.committed => match reg {
                REG_BASE => self.decoder.base = value,
                REG_SIZE => self.decoder.size = value,
                _ => self.decoder.dpa_base = value,
            },
            REG_CTRL if value & CTRL_COMMIT == 0 => {
                self.commit = false;
                self.committed = false;
                self.commit_error = false;
            }
            REG_CTRL if !self.committed => {
                self.decoder.ig = value & 0xF;
                self.decoder.iw = value >> 4 & 0xF;
                self.decoder.position = value >> 16 & 0xF;
                self.lock = value & CTRL_LOCK != 0;
                self.commit = true;
                self.committed = self.decoder.commit_ok();
                self.commit_error = !self.committed;
            }
            _ => {}
        }
    }
}

/// One dynamic capacity extent: lines `start..start + count` of device
/// memory, owned by host `owner` while `valid`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Extent {
    /// First line.
    pub start: u64,
    /// Lines.
    pub count: u64,
    /// The owning host's LD-ID.
    pub owner: u64,
    /// Whether the host may use it.
    pub valid: bool,
}

/// The memory a pooled controller serves: decoders per host, extents and
/// line contents (absent lines read as zero, unpoisoned).
#[derive(Clone, Debug, Default)]
pub struct Pool {
    /// Each host's decoder (committed), by LD-ID.
    pub decoders: Vec<Decoder>,
    /// The extents.
    pub extents: Vec<Extent>,
    /// Lines of device memory.
    pub lines: u64,
    /// Bytes per line.
    pub bytes: usize,
    memory: std::collections::HashMap<u64, (Vec<u8>, bool)>,
}

impl Pool {
    /// An empty pool: memory all zero.
    pub fn new(decoders: Vec<Decoder>, extents: Vec<Extent>, lines: u64, bytes: usize) -> Pool {
        Pool {
            decoders,
            extents,
            lines,
            bytes,
            memory: Default::default(),
        }
    }

    /// The device line host `ld` reaches at `hpa`, or `None` when the
    /// access must be refused (no decoder hit, another way, outside the
    /// memory or outside the host's extents).
    pub fn line_of(&self, ld: u64, hpa: u64) -> Option<u64> {
        let d = self.decoders.get(ld as usize)?;
        if !d.hit(hpa) {
            return None;
        }
        let (way, dpa) = d.translate(hpa);
        let line = ((dpa + d.dpa_base) & ADDR_MASK) >> 6;
        let owned = self
            .extents
            .iter()
            .any(|x| x.valid && x.owner == ld && x.start <= line && line < x.start + x.count);
        (way == d.position && line < self.lines && owned).then_some(line)
    }

    /// The data and poison of `line`.
    pub fn read(&self, line: u64) -> (Vec<u8>, bool) {
        self.memory
            .get(&line)
            .cloned()
            .unwrap_or_else(|| (vec![0; self.bytes], false))
    }

    /// A write of `data` to `line`: every byte when `enables` is `None`
    /// (a full write, which also sets or clears poison), else the bytes
    /// enabled (a partial write, which only ever sets poison).
    pub fn write(&mut self, line: u64, data: &[u8], enables: Option<&[bool]>, poison: bool) {
        let (mut old, old_poison) = self.read(line);
        for (i, b) in old.iter_mut().enumerate() {
            if enables.is_none_or(|e| e[i]) {
                *b = data[i];
            }
        }
        let poison = poison || (enables.is_some() && old_poison);
        self.memory.insert(line, (old, poison));
    }

    /// Adds extent `e` for host `owner`: its lines are zeroed first.
    pub fn add_extent(&mut self, e: usize, owner: u64) {
        let x = &mut self.extents[e];
        x.owner = owner;
        x.valid = true;
        let (start, count) = (x.start, x.count);
        for line in start..start + count {
            self.memory.remove(&line);
        }
    }

    /// Releases extent `e`.
    pub fn release_extent(&mut self, e: usize) {
        self.extents[e].valid = false;
    }
}
