//! Value Change Dump output through the `vcd` crate: `$scope module` per
//! level of the hierarchy, 1 ps timescale, buffered writes pushed to the file
//! at every flush.

use super::{declare, Changes, Declare, Traced, Waveform};
use ::vcd::{IdCode, TimescaleUnit, Value, VarType, Writer};
use std::fs::File;
use std::io::{self, BufWriter};
use std::path::Path;

/// An open VCD file.
pub(super) struct Body(Writer<BufWriter<File>>);

impl Declare for Body {
    type Id = IdCode;

    fn scope(&mut self, name: &str) -> io::Result<()> {
        self.0.add_module(name)
    }

    fn upscope(&mut self) -> io::Result<()> {
        self.0.upscope()
    }

    fn var(&mut self, name: &str, signal: &Traced<'_>) -> io::Result<IdCode> {
        self.0.add_wire(signal.width, name)
    }

    fn alias(&mut self, name: &str, width: u32, of: IdCode) -> io::Result<()> {
        self.0.var_def(VarType::Wire, width, of, name, None)
    }
}

impl Changes for Body {
    type Id = IdCode;

    fn time(&mut self, time: u64, _last: &[u64]) -> io::Result<()> {
        self.0.timestamp(time)
    }

    fn change(&mut self, id: IdCode, width: u32, value: &[u64]) -> io::Result<()> {
        if width == 1 {
            self.0.change_scalar(id, value[0] == 1)
        } else {
            let bit = |i: u32| Value::from((value[(i / 64) as usize] >> (i % 64)) & 1 == 1);
            self.0.change_vector(id, (0..width).rev().map(bit))
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }

    fn finish(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

/// Creates `path` and writes the header declaring `signals`.
pub(super) fn create(path: &Path, signals: &[Traced<'_>]) -> io::Result<Waveform<Body>> {
    let mut out = Body(Writer::new(BufWriter::new(File::create(path)?)));
    out.0.version("linkforge simulator")?;
    out.0.timescale(1, TimescaleUnit::PS)?;
    let ids = declare(&mut out, signals)?;
    out.0.enddefinitions()?;
    Waveform::new(out, signals, ids, false)
}
