//! What Linux's /proc says about a process and its descendants (the browser's renderers
//! and helpers are children of its main process).

/// (pid, parent pid) of every process.
fn processes() -> Vec<(u32, u32)> {
    std::fs::read_dir("/proc")
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let pid: u32 = e.file_name().to_string_lossy().parse().ok()?;
                    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
                    let rest = &stat[stat.rfind(')')? + 2..];
                    Some((pid, rest.split_whitespace().nth(1)?.parse().ok()?))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `root` and all its descendants.
fn tree(root: u32) -> Vec<u32> {
    let all = processes();
    let mut tree = vec![root];
    let mut i = 0;
    while i < tree.len() {
        let p = tree[i];
        tree.extend(all.iter().filter(|(_, parent)| *parent == p).map(|(pid, _)| *pid));
        i += 1;
    }
    tree
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

/// The resident set size of one process, in bytes (`VmRSS`), or `None` once it is gone.
pub fn rss_bytes(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let kib: u64 = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}
