//! The memory of the processes named by `--watch name=pid` (the server's, or the api's and
//! a worker's), to tell a leak from a working set: sampled once the run is warm (Chromium
//! started, tabs open, caches filled), every few seconds for the peak, and at the end, after
//! the last result. Growth is end minus start.

use reactlab_judge::procfs::{rss_bytes, tree_pss_bytes};
use serde::Serialize;

#[derive(Debug, Clone)]
pub struct Watched {
    pub name: String,
    pub pid: u32,
}

/// `name=pid`, of a process that exists now.
pub fn parse_watch(s: &str) -> Result<Watched, String> {
    let (name, pid) = s.split_once('=').ok_or_else(|| format!("expected name=pid (e.g. serve=1234), got {s:?}"))?;
    let pid: u32 = pid.trim().parse().map_err(|_| format!("{pid:?} is not a process id"))?;
    if name.is_empty() {
        return Err(format!("{s:?} names no process"));
    }
    if rss_bytes(pid).is_none() {
        return Err(format!("no process {pid} (or its memory cannot be read)"));
    }
    Ok(Watched { name: name.to_string(), pid })
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Sample {
    /// `VmRSS` of the process itself.
    pub rss_bytes: u64,
    /// PSS of the process and all its descendants (the browser is a child of `serve` and
    /// `worker`), shared pages split among the processes sharing them.
    pub pss_bytes: u64,
}

fn sample(pid: u32) -> Option<Sample> {
    Some(Sample { rss_bytes: rss_bytes(pid)?, pss_bytes: tree_pss_bytes(pid) })
}

#[derive(Debug, Serialize)]
pub struct Track {
    pub name: String,
    pub pid: u32,
    /// After warm-up; `None` when the run ended before it was warm.
    pub start: Option<Sample>,
    /// After the last result; `None` when the process was gone.
    pub end: Option<Sample>,
    /// The highest RSS and the highest PSS seen (not necessarily at the same moment).
    pub peak: Option<Sample>,
    pub samples: u32,
    pub rss_growth_bytes: Option<i64>,
    pub pss_growth_bytes: Option<i64>,
}

impl Track {
    fn observe(&mut self) -> Option<Sample> {
        let now = sample(self.pid)?;
        self.samples += 1;
        let peak = self.peak.get_or_insert(now);
        peak.rss_bytes = peak.rss_bytes.max(now.rss_bytes);
        peak.pss_bytes = peak.pss_bytes.max(now.pss_bytes);
        Some(now)
    }

    pub fn to_text(&self) -> String {
        let growth = |start: u64, end: u64| format!("{} → {} ({:+.1} MiB)", mib(start), mib(end), (end as f64 - start as f64) / 1048576.0);
        match (self.start, self.end) {
            (Some(s), Some(e)) => format!(
                "{} (pid {}): RSS {}; PSS {}, peak {}; {} samples",
                self.name,
                self.pid,
                growth(s.rss_bytes, e.rss_bytes),
                growth(s.pss_bytes, e.pss_bytes),
                mib(self.peak.map_or(0, |p| p.pss_bytes)),
                self.samples
            ),
            (None, Some(e)) => {
                format!("{} (pid {}): RSS {}, PSS {} at the end (the run ended before it was warm)", self.name, self.pid, mib(e.rss_bytes), mib(e.pss_bytes))
            }
            (_, None) => format!("{} (pid {}): the process is gone", self.name, self.pid),
        }
    }
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / 1048576.0)
}

pub struct Memory {
    tracks: Vec<Track>,
}

impl Memory {
    pub fn new(watched: &[Watched]) -> Memory {
        let tracks = watched
            .iter()
            .map(|w| Track { name: w.name.clone(), pid: w.pid, start: None, end: None, peak: None, samples: 0, rss_growth_bytes: None, pss_growth_bytes: None })
            .collect();
        Memory { tracks }
    }

    /// The baseline, once warm. The peak counts from here: warm-up is not growth.
    pub fn start(&mut self) {
        for t in &mut self.tracks {
            t.peak = None;
            t.start = t.observe();
        }
    }

    pub fn tick(&mut self) {
        for t in &mut self.tracks {
            t.observe();
        }
    }

    pub fn finish(mut self) -> Vec<Track> {
        for t in &mut self.tracks {
            t.end = t.observe();
            if let (Some(s), Some(e)) = (t.start, t.end) {
                t.rss_growth_bytes = Some(e.rss_bytes as i64 - s.rss_bytes as i64);
                t.pss_growth_bytes = Some(e.pss_bytes as i64 - s.pss_bytes as i64);
            }
        }
        self.tracks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_watched_process_is_sampled_from_start_to_end() {
        let me = parse_watch(&format!("self={}", std::process::id())).unwrap();
        let mut memory = Memory::new(&[me]);
        memory.start();
        memory.tick();
        let tracks = memory.finish();
        let t = &tracks[0];
        assert_eq!(t.samples, 3);
        let (start, end, peak) = (t.start.unwrap(), t.end.unwrap(), t.peak.unwrap());
        assert!(start.rss_bytes > 0 && start.pss_bytes > 0);
        assert!(peak.rss_bytes >= start.rss_bytes.max(end.rss_bytes));
        assert_eq!(t.rss_growth_bytes, Some(end.rss_bytes as i64 - start.rss_bytes as i64));
        assert!(t.to_text().starts_with("self (pid"), "{}", t.to_text());
    }

    #[test]
    fn watch_flags_name_a_live_process() {
        assert!(parse_watch("serve").is_err());
        assert!(parse_watch("serve=abc").is_err());
        assert!(parse_watch(&format!("={}", std::process::id())).is_err());
        // Above the kernel's pid_max: never a live process.
        assert!(parse_watch("serve=4194305").unwrap_err().contains("no process"));
    }
}
