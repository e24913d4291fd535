//! Sampling chosen signals at one clock's rising edges while the simulator
//! runs, so temporal properties can judge a live run without a waveform
//! file.

/// The samples of one recording: the time of each sampled rising edge and,
/// per signal (under the name the caller gave), its low 64 bits at each.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recording {
    /// The clock's cycle (counted from 0, as [`crate::AssertionFailure`]
    /// counts) of the first sampled edge.
    pub first_cycle: u64,
    /// The time of each sampled edge, in ps.
    pub times: Vec<u64>,
    /// Each signal's name and its values at the edges.
    pub columns: Vec<(String, Vec<u64>)>,
}

/// The signals sampled before each rising edge of one clock domain.
pub(crate) struct Recorder {
    /// The domain (index into the simulator's clocks) whose edges sample.
    domain: usize,
    /// The domain's cycle of the first sampled edge.
    first_cycle: u64,
    /// Each signal's name (as the caller gave it), state offset and width.
    signals: Vec<(String, u32, u32)>,
    /// The time of each sampled edge.
    times: Vec<u64>,
    /// Per signal, its low 64 bits at each sampled edge.
    columns: Vec<Vec<u64>>,
    /// Edges to sample at most.
    max_cycles: usize,
}

impl Recorder {
    /// A recorder of `signals` (name, state offset, width) on `domain`,
    /// whose next edge is cycle `first_cycle`.
    pub fn new(
        domain: usize,
        signals: Vec<(String, u32, u32)>,
        first_cycle: u64,
        max_cycles: usize,
    ) -> Recorder {
        let columns = vec![Vec::new(); signals.len()];
        Recorder {
            domain,
            first_cycle,
            signals,
            times: Vec::new(),
            columns,
            max_cycles,
        }
    }

    /// Whether the edges of the `rising` domains are sampled.
    pub fn samples_at(&self, rising: &[usize]) -> bool {
        self.times.len() < self.max_cycles && rising.contains(&self.domain)
    }

    /// Samples every signal from the settled `state` at `time`.
    pub fn sample(&mut self, time: u64, state: &[u64]) {
        self.times.push(time);
        for ((_, off, width), column) in self.signals.iter().zip(&mut self.columns) {
            let mask = u64::MAX >> (64 - (*width).min(64));
            column.push(state[*off as usize] & mask);
        }
    }

    /// The samples, each signal under its given name.
    pub fn into_recording(self) -> Recording {
        let columns = self
            .signals
            .into_iter()
            .map(|(name, ..)| name)
            .zip(self.columns)
            .collect();
        Recording {
            first_cycle: self.first_cycle,
            times: self.times,
            columns,
        }
    }
}
