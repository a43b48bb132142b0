//! What Linux's /proc says about processes: who is whose parent, what state each is in,
//! the CPU and memory they use. The browser's renderers and helpers are descendants of
//! its main process, so most questions are about a process tree.
//!
//! Everything here answers for the moment it is asked: a process may end at any time, and
//! one that is gone is left out (or `None`), never an error.

/// One line of `/proc/<pid>/stat`, the fields callers use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stat {
    pub pid: u32,
    /// The kernel's short name of the program (at most 15 bytes; any bytes, spaces and
    /// parentheses included).
    pub comm: String,
    /// `R` running, `S` sleeping, `Z` zombie, …
    pub state: char,
    pub parent: u32,
    /// Clock ticks (USER_HZ) of CPU used, user and system.
    pub cpu_ticks: u64,
    /// Clock ticks of CPU used by children that have ended and been reaped.
    pub reaped_children_ticks: u64,
}

impl Stat {
    /// Parses `/proc/<pid>/stat`: `pid (comm) state ppid … utime stime cutime cstime …`.
    /// The name may hold spaces and `)`, so the fields after it start at the last `)`.
    pub fn parse(text: &str) -> Option<Stat> {
        let (head, rest) = text.rsplit_once(')')?;
        let (pid, comm) = head.split_once(" (")?;
        let fields: Vec<&str> = rest.split_whitespace().collect();
        let number = |i: usize| fields.get(i)?.parse::<u64>().ok();
        Some(Stat {
            pid: pid.trim().parse().ok()?,
            comm: comm.to_string(),
            state: fields.first()?.chars().next()?,
            parent: fields.get(1)?.parse().ok()?,
            cpu_ticks: number(11)? + number(12)?,
            reaped_children_ticks: number(13)? + number(14)?,
        })
    }
}

/// A process's stat, or `None` once it is gone.
pub fn stat(pid: u32) -> Option<Stat> {
    Stat::parse(&std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?)
}

pub fn parent_of(pid: u32) -> Option<u32> {
    stat(pid).map(|s| s.parent)
}

/// The state letter of a process (`R`, `S`, `Z`, …), or `None` once it is gone (reaped).
pub fn state_of(pid: u32) -> Option<char> {
    stat(pid).map(|s| s.state)
}

/// CPU clock ticks (user and system) a process has used, its ended threads included.
pub fn cpu_ticks(pid: u32) -> Option<u64> {
    stat(pid).map(|s| s.cpu_ticks)
}

/// Whether a process with this id exists (a zombie does).
pub fn exists(pid: u32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
}

/// A process's command line, its arguments joined by spaces; empty once it is gone.
pub fn cmdline(pid: u32) -> String {
    String::from_utf8_lossy(&std::fs::read(format!("/proc/{pid}/cmdline")).unwrap_or_default()).replace('\0', " ")
}

/// A field of `/proc/<pid>/status` (`Uid`, `Seccomp`, `VmRSS`, …), its value trimmed.
pub fn status_field(pid: u32, name: &str) -> Option<String> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status.lines().find_map(|l| l.strip_prefix(name)?.strip_prefix(':').map(|v| v.trim().to_string()))
}

/// The resident set size of one process, in bytes (`VmRSS`), or `None` once it is gone.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let kib: u64 = status_field(pid, "VmRSS")?.split_whitespace().next()?.parse().ok()?;
    Some(kib * 1024)
}

/// The proportional set size of a process tree, in bytes (shared pages split among the
/// processes sharing them, so the sum is what the tree really costs).
pub fn tree_pss_bytes(root: u32) -> u64 {
    tree(root)
        .into_iter()
        .filter_map(|p| std::fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .filter_map(|s| s.lines().find(|l| l.starts_with("Pss:")).and_then(|l| l.split_whitespace().nth(1)).and_then(|v| v.parse::<u64>().ok()))
        .sum::<u64>()
        * 1024
}

/// Every process at one moment, read once so that a tree is walked on one picture.
pub struct Processes(Vec<Stat>);

impl Processes {
    pub fn now() -> Processes {
        let Ok(entries) = std::fs::read_dir("/proc") else { return Processes(Vec::new()) };
        Processes(entries.flatten().filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok()).filter_map(stat).collect())
    }

    pub fn get(&self, pid: u32) -> Option<&Stat> {
        self.0.iter().find(|s| s.pid == pid)
    }

    /// The processes whose parent is `pid` (a child of any of its threads).
    pub fn children(&self, pid: u32) -> impl Iterator<Item = &Stat> {
        self.0.iter().filter(move |s| s.parent == pid)
    }

    /// `root`, then its descendants generation by generation.
    pub fn tree(&self, root: u32) -> Vec<u32> {
        let mut tree = vec![root];
        let mut i = 0;
        while i < tree.len() {
            let p = tree[i];
            tree.extend(self.children(p).map(|s| s.pid));
            i += 1;
        }
        tree
    }
}

pub fn children(pid: u32) -> Vec<u32> {
    Processes::now().children(pid).map(|s| s.pid).collect()
}

/// `root` and its descendants, `root` first, then generation by generation.
pub fn tree(root: u32) -> Vec<u32> {
    Processes::now().tree(root)
}

/// The processes descended from `root`, generation by generation.
pub fn descendants(root: u32) -> Vec<u32> {
    tree(root).split_off(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real line (a Chromium renderer), its fields as the kernel writes them.
    const RENDERER: &str = "4242 (chromium) S 4200 4200 1 0 -1 4194560 9081 0 3 0 120 35 7 2 20 0 12 0 513 1232896000 30000 18446744073709551615 1 1 0 0 0 0 0 4096 1073760510 0 0 0 17 1 0 0 0 0 0 0 0 0 0 0 0 0 0\n";

    #[test]
    fn a_stat_line_gives_the_name_state_parent_and_cpu() {
        let s = Stat::parse(RENDERER).unwrap();
        assert_eq!(s, Stat { pid: 4242, comm: "chromium".into(), state: 'S', parent: 4200, cpu_ticks: 120 + 35, reaped_children_ticks: 7 + 2 });
    }

    #[test]
    fn a_name_with_spaces_and_parentheses_does_not_shift_the_fields() {
        // A program may call itself anything: the fields start after the last `)`.
        let line = RENDERER.replace("(chromium)", "(a) (Z 1 b))");
        let s = Stat::parse(&line).unwrap();
        assert_eq!((s.pid, s.comm.as_str(), s.state, s.parent, s.cpu_ticks), (4242, "a) (Z 1 b)", 'S', 4200, 155));
        assert_eq!(Stat::parse("4242 (no closing parenthesis S 1"), None);
        assert_eq!(Stat::parse("4242 (short) S 1 2"), None, "a line cut short is no stat");
    }

    #[test]
    fn this_process_is_seen_with_its_parent_and_a_child_in_its_tree() {
        let me = std::process::id();
        let mine = stat(me).unwrap();
        assert_eq!(Some(mine.parent), parent_of(me));
        assert!(matches!(state_of(me), Some('R' | 'S')));
        assert!(exists(me) && cpu_ticks(me).is_some());
        let mut child = std::process::Command::new("sleep").arg("30").spawn().unwrap();
        let pid = child.id();
        assert_eq!(parent_of(pid), Some(me));
        assert!(children(me).contains(&pid));
        assert!(descendants(me).contains(&pid) && !descendants(me).contains(&me));
        assert_eq!(tree(me)[0], me);
        assert!(cmdline(pid).starts_with("sleep 30"), "{}", cmdline(pid));
        assert!(rss_bytes(me).unwrap() > 0 && tree_pss_bytes(me) > 0);
        child.kill().unwrap();
        child.wait().unwrap();
        assert_eq!(state_of(pid), None, "a reaped child is gone");
        assert_eq!(cmdline(pid), "");
    }
}
