//! Starting Chromium: tied to this process, never as root, sandboxed, and, where the OS
//! allows, walled off from every network.
//!
//! The judge's own server is the first wall: Chromium uses it as its HTTP proxy for every
//! address, loopback included, and it answers only what the judge serves. The second is a
//! network namespace of the browser's own that holds nothing but a loopback interface, so
//! a request that somehow escaped the proxy (a browser bug, a new kind of request) has no
//! route out of the machine nor to the services on its loopback. The judge drives the
//! browser over a pair of pipes (`--remote-debugging-pipe`), so no socket is open for
//! another process to take. A judge running as root creates the namespace, then drops to
//! an unprivileged user before Chromium starts, so Chromium's own sandbox (seccomp and
//! namespaces around each renderer) is on, and a renderer that escaped it still would not
//! be root.

use crate::cdp::Connection;
use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::unix::pipe;
use tokio::process::{Child, ChildStderr, Command};

/// Whether Chromium runs in a network namespace of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkWall {
    /// Use one when the OS allows it (root, or CAP_SYS_ADMIN); warn and go on without it otherwise.
    #[default]
    Auto,
    /// Refuse to launch without it.
    Required,
    /// Never (the judge's proxy and the page's Content-Security-Policy stay the walls).
    Off,
}

impl std::str::FromStr for NetworkWall {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(NetworkWall::Auto),
            "required" => Ok(NetworkWall::Required),
            "off" => Ok(NetworkWall::Off),
            other => Err(format!("`{other}` is not a network wall setting: use auto, required or off")),
        }
    }
}

/// Whether Chromium runs with its own sandbox (seccomp and namespaces around every renderer).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BrowserSandbox {
    /// On; where the OS refuses it (no user namespaces), warn loudly and go on without.
    #[default]
    Auto,
    /// Refuse to launch without it.
    Required,
    /// Never (`--no-sandbox`): the process boundary, the unprivileged user and the network
    /// walls are what is left.
    Off,
}

impl std::str::FromStr for BrowserSandbox {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s {
            "auto" => Ok(BrowserSandbox::Auto),
            "required" => Ok(BrowserSandbox::Required),
            "off" => Ok(BrowserSandbox::Off),
            other => Err(format!("`{other}` is not a browser sandbox setting: use auto, required or off")),
        }
    }
}

/// How to start the browser.
pub struct LaunchOptions<'a> {
    pub chromium: &'a Path,
    /// Its profile folder (made writable for the browser's user here).
    pub profile: &'a Path,
    pub args: &'a [String],
    pub wall: NetworkWall,
    pub sandbox: BrowserSandbox,
    /// How long it may take to answer its first command.
    pub timeout: Duration,
}

/// A running Chromium and the judge's connection to it.
pub struct Launched {
    /// Killed when dropped.
    pub child: Child,
    /// Over `--remote-debugging-pipe`: the browser listens on no socket.
    pub conn: Connection,
    /// It runs in its own network namespace.
    pub walled: bool,
    /// It runs with its own sandbox on.
    pub sandboxed: bool,
    /// The unprivileged user it runs as (when the judge runs as root).
    pub user: Option<String>,
    /// The browser's proxy (in its namespace when walled): for the judge's server.
    pub server_listener: TcpListener,
    /// Its address, for the browser contexts the judge creates (they take no proxy from
    /// the command line).
    pub proxy: String,
}

/// Why Chromium could not be started.
#[derive(Debug, thiserror::Error)]
pub enum LaunchError {
    #[error("no such file")]
    Missing,
    #[error("cannot make its profile folder: {0}")]
    Profile(#[source] io::Error),
    #[error("cannot give the profile folder {} to the browser's user {user}: {source}", .path.display())]
    ProfileOwner { path: PathBuf, user: String, source: io::Error },
    #[error("REACTLAB_BROWSER_USER: there is no user `{0}`")]
    NoSuchUser(String),
    #[error("no unprivileged user to run the browser as: create `reactlab-browser` (scripts/setup does) or set REACTLAB_BROWSER_USER")]
    NoUnprivilegedUser,
    #[error("cannot listen for the browser's requests: {0}")]
    Listen(#[source] io::Error),
    #[error("cannot serve the pages: {0}")]
    Serve(#[source] io::Error),
    #[error("cannot start Chromium in a network namespace of its own: {0}")]
    Namespace(#[source] io::Error),
    #[error("cannot start Chromium: {0}")]
    Spawn(#[source] io::Error),
    #[error("Chromium did not answer within {} s: {said}", .within.as_secs())]
    NoAnswer { within: Duration, said: String },
    #[error("Chromium exited before it was ready: {said}")]
    Exited { said: String },
    #[error("Chromium did not start with its sandbox, which is required: {0}")]
    SandboxRequired(#[source] Box<LaunchError>),
    #[error("the launch was cut short: {0}")]
    Interrupted(#[from] tokio::task::JoinError),
}

/// Starts Chromium and waits until it answers (at most `timeout`). Every request of the
/// browser goes to the returned listener, as its proxy; no host name resolves. A judge
/// running as root starts it as an unprivileged user ([`BrowserUser`]), never as root.
pub async fn launch(options: LaunchOptions<'_>) -> Result<Launched, LaunchError> {
    let host_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(LaunchError::Listen)?;
    let server_port = host_listener.local_addr().map_err(LaunchError::Listen)?.port();
    let mut args = options.args.to_vec();
    // Every address through the judge's server, loopback too (`<-loopback>` removes the
    // implicit bypass); nothing resolves by DNS.
    let proxy = format!("http://127.0.0.1:{server_port}");
    args.push(format!("--proxy-server={proxy}"));
    args.push("--proxy-bypass-list=<-loopback>".into());
    args.push("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".into());
    args.push("--remote-debugging-pipe".into());
    args.push(format!("--user-data-dir={}", options.profile.display()));
    let user = if unsafe { libc::geteuid() } == 0 { Some(BrowserUser::find()?) } else { None };
    if let Some(user) = &user {
        std::os::unix::fs::chown(options.profile, Some(user.uid), Some(user.gid)).map_err(|source| LaunchError::ProfileOwner {
            path: options.profile.to_path_buf(),
            user: user.name.clone(),
            source,
        })?;
    }
    let attempt = |sandboxed: bool| Attempt { options: &options, args: &args, user: user.as_ref(), sandboxed };
    let (started, sandboxed) = match attempt(options.sandbox != BrowserSandbox::Off).start().await {
        Ok(started) => (started, options.sandbox != BrowserSandbox::Off),
        Err(e) if options.sandbox == BrowserSandbox::Auto => {
            tracing::error!(
                "CHROMIUM RUNS WITHOUT ITS SANDBOX: it did not start with it ({e}). A renderer exploit would run with the browser user's rights on this host. Allow unprivileged user namespaces (kernel.unprivileged_userns_clone=1, or a container with them), or set the browser sandbox to `off` to accept this."
            );
            (attempt(false).start().await?, false)
        }
        Err(e) if options.sandbox == BrowserSandbox::Required => return Err(LaunchError::SandboxRequired(Box::new(e))),
        Err(e) => return Err(e),
    };
    let Started { child, conn, walled } = started;
    let server_listener = if walled {
        let pid = child.id().ok_or_else(|| LaunchError::Exited { said: "it exited at once".into() })?;
        // The same port inside the namespace, which is empty: free there.
        drop(host_listener);
        in_namespace_of(pid, move || TcpListener::bind((Ipv4Addr::LOCALHOST, server_port))).map_err(LaunchError::Listen)?
    } else {
        host_listener
    };
    Ok(Launched { child, conn, walled, sandboxed, user: user.map(|u| u.name), server_listener, proxy })
}

struct Attempt<'a> {
    options: &'a LaunchOptions<'a>,
    args: &'a [String],
    user: Option<&'a BrowserUser>,
    sandboxed: bool,
}

struct Started {
    child: Child,
    conn: Connection,
    walled: bool,
}

impl Attempt<'_> {
    /// One start: spawned, and answering its first command.
    async fn start(&self) -> Result<Started, LaunchError> {
        let wall = self.options.wall;
        let mut walled = wall != NetworkWall::Off;
        let mut spawned = match self.spawn(walled) {
            Ok(spawned) => spawned,
            Err(e) if walled && wall == NetworkWall::Auto && e.raw_os_error() == Some(libc::EPERM) => {
                tracing::warn!(
                    "Chromium runs without its network namespace: this process may not create one ({e}); the judge's proxy and the page's Content-Security-Policy are the walls. Run the judge as root or with CAP_SYS_ADMIN, or set the network wall to `off` to silence this."
                );
                walled = false;
                self.spawn(false).map_err(LaunchError::Spawn)?
            }
            Err(e) if walled => return Err(LaunchError::Namespace(e)),
            Err(e) => return Err(LaunchError::Spawn(e)),
        };
        let stderr = spawned.child.stderr.take().map(keep_last_lines).unwrap_or_default();
        let conn = Connection::over_pipe(spawned.to_browser, spawned.from_browser);
        let version = conn.call_raw(None, "Browser.getVersion", serde_json::json!({}));
        match tokio::time::timeout(self.options.timeout, version).await {
            Ok(Ok(_)) => Ok(Started { child: spawned.child, conn, walled }),
            outcome => {
                let _ = spawned.child.kill().await;
                // What it said before it died (its stderr ends with it).
                tokio::time::sleep(Duration::from_millis(50)).await;
                let said = stderr.lock().unwrap_or_else(|e| e.into_inner()).join(" / ");
                Err(match outcome {
                    Err(_) => LaunchError::NoAnswer { within: self.options.timeout, said },
                    _ => LaunchError::Exited { said },
                })
            }
        }
    }

    fn spawn(&self, walled: bool) -> io::Result<Spawned> {
        // Its ends of the two pipes become its file descriptors 3 (commands in) and 4
        // (replies out). Moved above 4 first, so that placing one cannot close the other.
        let (to_browser, browser_in) = pipe::pipe()?;
        let (browser_out, from_browser) = pipe::pipe()?;
        let browser_in = above_four(browser_in.into_blocking_fd()?)?;
        let browser_out = above_four(browser_out.into_blocking_fd()?)?;
        let (fd_in, fd_out) = (browser_in.as_raw_fd(), browser_out.as_raw_fd());

        let mut command = Command::new(self.options.chromium);
        command.args(self.args);
        if !self.sandboxed {
            command.arg("--no-sandbox");
        }
        command.stdin(Stdio::null()).stdout(Stdio::null()).stderr(Stdio::piped()).kill_on_drop(true);
        let user = self.user.map(|u| (u.uid, u.gid));
        if user.is_some() {
            // Its caches and settings go to its profile, not to the judge's home.
            for var in ["HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME"] {
                command.env(var, self.options.profile);
            }
        }
        let parent = std::process::id() as libc::pid_t;
        // SAFETY: between fork and exec the closure makes only async-signal-safe system calls
        // (unshare, socket, ioctl, close, setgroups, setgid, setuid, prctl, getppid, dup2)
        // and allocates nothing.
        unsafe {
            command.pre_exec(move || {
                // The namespace first: creating it takes root's rights, which go next.
                if walled {
                    if libc::unshare(libc::CLONE_NEWNET) != 0 {
                        return Err(io::Error::last_os_error());
                    }
                    loopback_up()?;
                }
                if let Some((uid, gid)) = user
                    && (libc::setgroups(0, std::ptr::null()) != 0 || libc::setgid(gid) != 0 || libc::setuid(uid) != 0)
                {
                    return Err(io::Error::last_os_error());
                }
                // The kernel kills the browser when the judge exits, however it exits (a
                // crash, SIGKILL, a test binary that never drops its judge). Set after the
                // change of user, which clears it. It is tied to the thread that spawns; the
                // pool spawns from runtime threads, which live as long as the runtime.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 || libc::getppid() != parent {
                    // No allocation between fork and exec: a bare OS error (ECHILD: no parent).
                    return Err(io::Error::from_raw_os_error(libc::ECHILD));
                }
                if libc::dup2(fd_in, 3) != 3 || libc::dup2(fd_out, 4) != 4 {
                    return Err(io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = command.spawn()?;
        // The browser's ends are its own now.
        drop((browser_in, browser_out));
        Ok(Spawned { child, to_browser, from_browser })
    }
}

struct Spawned {
    child: Child,
    to_browser: pipe::Sender,
    from_browser: pipe::Receiver,
}

/// A copy of `fd` numbered above 4 (close-on-exec, like the original, which is closed).
fn above_four(fd: OwnedFd) -> io::Result<OwnedFd> {
    // SAFETY: fcntl on a descriptor this function owns; the new one is owned by the result.
    let copy = unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_DUPFD_CLOEXEC, 5) };
    if copy < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(copy) })
}

/// Drains the browser's stderr into the debug log (a full pipe would block it), keeping
/// its last lines for an error message.
fn keep_last_lines(stderr: ChildStderr) -> Arc<Mutex<Vec<String>>> {
    let last = Arc::new(Mutex::new(Vec::new()));
    let kept = last.clone();
    tokio::spawn(async move {
        let mut lines = BufReader::new(stderr).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            tracing::debug!(target: "chromium", "{line}");
            let mut last = kept.lock().unwrap_or_else(|e| e.into_inner());
            if last.len() == 5 {
                last.remove(0);
            }
            last.push(line);
        }
    });
    last
}

/// The unprivileged user the browser runs as when the judge is root:
/// `REACTLAB_BROWSER_USER`, else `reactlab-browser` (which `scripts/setup` creates), else
/// `nobody`.
pub struct BrowserUser {
    pub name: String,
    pub uid: libc::uid_t,
    pub gid: libc::gid_t,
}

impl BrowserUser {
    pub fn find() -> Result<BrowserUser, LaunchError> {
        if let Ok(name) = std::env::var("REACTLAB_BROWSER_USER") {
            return BrowserUser::named(&name).ok_or(LaunchError::NoSuchUser(name));
        }
        ["reactlab-browser", "nobody"].iter().find_map(|name| BrowserUser::named(name)).ok_or(LaunchError::NoUnprivilegedUser)
    }

    fn named(name: &str) -> Option<BrowserUser> {
        let c_name = std::ffi::CString::new(name).ok()?;
        let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
        let mut buffer = vec![0 as libc::c_char; 4096];
        let mut found: *mut libc::passwd = std::ptr::null_mut();
        // SAFETY: getpwnam_r writes into `entry` and `buffer`, both ours and large enough
        // (it reports ERANGE otherwise, and then nothing is read).
        let status = unsafe { libc::getpwnam_r(c_name.as_ptr(), &mut entry, buffer.as_mut_ptr(), buffer.len(), &mut found) };
        (status == 0 && !found.is_null() && entry.pw_uid != 0).then(|| BrowserUser { name: name.to_string(), uid: entry.pw_uid, gid: entry.pw_gid })
    }
}

/// A new network namespace has a loopback interface that is down; the judge's proxy listens on it.
fn loopback_up() -> io::Result<()> {
    // SAFETY: plain system calls on a socket this function owns; `ifreq` is plain data.
    unsafe {
        let sock = libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0);
        if sock < 0 {
            return Err(io::Error::last_os_error());
        }
        let mut req: libc::ifreq = std::mem::zeroed();
        for (dst, src) in req.ifr_name.iter_mut().zip(b"lo\0") {
            *dst = *src as libc::c_char;
        }
        let mut result = libc::ioctl(sock, libc::SIOCGIFFLAGS, &mut req);
        if result == 0 {
            req.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
            result = libc::ioctl(sock, libc::SIOCSIFFLAGS, &req);
        }
        let error = io::Error::last_os_error();
        libc::close(sock);
        if result != 0 { Err(error) } else { Ok(()) }
    }
}

/// Opens a TCP connection to `target` from inside the network namespace of process `pid`.
pub fn connect_in_namespace_of(pid: u32, target: SocketAddr) -> io::Result<TcpStream> {
    in_namespace_of(pid, move || TcpStream::connect_timeout(&target, Duration::from_secs(5)))
}

/// Runs `make` (which opens a socket) inside the network namespace of process `pid`.
/// Namespaces belong to threads, so this runs on a thread of its own that ends afterwards;
/// a socket stays in the namespace it was made in.
fn in_namespace_of<T: Send + 'static>(pid: u32, make: impl FnOnce() -> io::Result<T> + Send + 'static) -> io::Result<T> {
    let namespace = std::fs::File::open(format!("/proc/{pid}/ns/net"))?;
    std::thread::spawn(move || {
        // SAFETY: setns on a valid descriptor, on this short-lived thread only.
        if unsafe { libc::setns(namespace.as_raw_fd(), libc::CLONE_NEWNET) } != 0 {
            return Err(io::Error::last_os_error());
        }
        make()
    })
    .join()
    .map_err(|_| io::Error::other("the namespace thread panicked"))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wall_settings_parse_and_name_the_choices() {
        assert_eq!("auto".parse::<NetworkWall>(), Ok(NetworkWall::Auto));
        assert_eq!("off".parse::<NetworkWall>(), Ok(NetworkWall::Off));
        assert!("maybe".parse::<NetworkWall>().unwrap_err().contains("auto, required or off"));
    }
}
