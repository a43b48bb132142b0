//! Starting Chromium: tied to this process, and, where the OS allows, walled off from every
//! network.
//!
//! The judge's own server is the first wall: Chromium uses it as its HTTP proxy for every
//! address, loopback included, and it answers only what the judge serves. The second is a
//! network namespace of the browser's own that holds nothing but a
//! loopback interface, so a request that somehow escaped the proxy (a browser bug, a new
//! kind of request) has no route out of the machine nor to the services on its loopback.
//! The judge reaches the DevTools endpoint inside that namespace through a relay that takes
//! exactly one connection, the judge's own.

use std::io;
use std::net::{Ipv4Addr, SocketAddr, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

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

/// A running Chromium and where the judge reaches its DevTools endpoint.
pub struct Launched {
    /// Killed when dropped.
    pub child: Child,
    pub ws_url: String,
    /// It runs in its own network namespace.
    pub walled: bool,
    /// The browser's proxy (in its namespace when walled): for the judge's server.
    pub server_listener: TcpListener,
    /// Its address, for the browser contexts the judge creates (they take no proxy from
    /// the command line).
    pub proxy: String,
}

/// Starts `chromium` with `args` and its profile in `profile`, and waits until it listens for
/// DevTools (at most `timeout`). Every request of the browser goes to the returned
/// listener, as its proxy; no host name resolves.
pub async fn launch(chromium: &Path, profile: &Path, args: &[String], wall: NetworkWall, timeout: Duration) -> Result<Launched, String> {
    let listen_error = |e: io::Error| format!("cannot listen for the browser's requests: {e}");
    let host_listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).map_err(listen_error)?;
    let server_port = host_listener.local_addr().map_err(listen_error)?.port();
    let mut args = args.to_vec();
    // Every address through the judge's server, loopback too (`<-loopback>` removes the
    // implicit bypass); nothing resolves by DNS.
    let proxy = format!("http://127.0.0.1:{server_port}");
    args.push(format!("--proxy-server={proxy}"));
    args.push("--proxy-bypass-list=<-loopback>".into());
    args.push("--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1".into());
    let args = &args;
    let mut walled = wall != NetworkWall::Off;
    let mut child = match spawn(chromium, profile, args, walled) {
        Ok(child) => child,
        Err(e) if walled && wall == NetworkWall::Auto && e.raw_os_error() == Some(libc::EPERM) => {
            tracing::warn!("Chromium runs without its network namespace: this process may not create one ({e}); the judge's proxy and the page's Content-Security-Policy are the walls. Run the judge as root or with CAP_SYS_ADMIN, or set the network wall to `off` to silence this.");
            walled = false;
            spawn(chromium, profile, args, false).map_err(|e| e.to_string())?
        }
        Err(e) if walled => return Err(format!("cannot start Chromium in a network namespace of its own: {e}")),
        Err(e) => return Err(e.to_string()),
    };
    let endpoint = tokio::time::timeout(timeout, devtools_endpoint(&mut child))
        .await
        .unwrap_or_else(|_| Err(format!("Chromium did not open its DevTools endpoint within {} s", timeout.as_secs())))?;
    let (host, server_listener) = if walled {
        let pid = child.id().ok_or("Chromium exited at once")?;
        let relay = relay_into_namespace(pid, endpoint.port).await.map_err(|e| format!("cannot reach DevTools inside the browser's namespace: {e}"))?;
        // The same port inside the namespace, which is empty: free there.
        drop(host_listener);
        let inside = in_namespace_of(pid, move || TcpListener::bind((Ipv4Addr::LOCALHOST, server_port))).map_err(listen_error)?;
        (relay, inside)
    } else {
        (SocketAddr::from((Ipv4Addr::LOCALHOST, endpoint.port)), host_listener)
    };
    Ok(Launched { child, ws_url: format!("ws://{host}{}", endpoint.path), walled, server_listener, proxy })
}

fn spawn(chromium: &Path, profile: &Path, args: &[String], walled: bool) -> io::Result<Child> {
    let mut command = Command::new(chromium);
    command
        .args(args)
        .arg("--remote-debugging-port=0")
        .arg(format!("--user-data-dir={}", profile.display()))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: between fork and exec the closure makes only async-signal-safe system calls
    // (prctl, getppid, unshare, socket, ioctl, close) and allocates nothing.
    unsafe {
        command.pre_exec(move || {
            // The kernel kills the browser when the judge exits, however it exits (a crash,
            // SIGKILL, a test binary that never drops its judge). It is tied to the thread
            // that spawns; the pool spawns from runtime threads, which live as long as the runtime.
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 || libc::getppid() != parent {
                // No allocation between fork and exec: a bare OS error (ECHILD: no parent).
                return Err(io::Error::from_raw_os_error(libc::ECHILD));
            }
            if walled {
                if libc::unshare(libc::CLONE_NEWNET) != 0 {
                    return Err(io::Error::last_os_error());
                }
                loopback_up()?;
            }
            Ok(())
        });
    }
    command.spawn()
}

/// A new network namespace has a loopback interface that is down; DevTools listens on it.
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

struct Endpoint {
    port: u16,
    path: String,
}

/// Reads Chromium's stderr up to "DevTools listening on ws://127.0.0.1:<port>/devtools/browser/<id>",
/// then drains the rest into the debug log (a full pipe would block the browser).
async fn devtools_endpoint(child: &mut Child) -> Result<Endpoint, String> {
    let stderr = child.stderr.take().ok_or("Chromium's stderr is not captured")?;
    let mut lines = BufReader::new(stderr).lines();
    let mut last = Vec::new();
    while let Some(line) = lines.next_line().await.map_err(|e| e.to_string())? {
        if let Some(url) = line.strip_prefix("DevTools listening on ") {
            let url = url.trim();
            let rest = url.strip_prefix("ws://").ok_or_else(|| format!("unexpected DevTools address {url}"))?;
            let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
            let port = host.rsplit(':').next().and_then(|p| p.parse().ok()).ok_or_else(|| format!("no port in {url}"))?;
            let path = path.to_string();
            tokio::spawn(async move {
                while let Ok(Some(line)) = lines.next_line().await {
                    tracing::debug!(target: "chromium", "{line}");
                }
            });
            return Ok(Endpoint { port, path });
        }
        if last.len() == 5 {
            last.remove(0);
        }
        last.push(line);
    }
    Err(format!("Chromium exited before it was ready: {}", last.join(" / ")))
}

/// Listens on the judge's loopback and forwards the first connection to `port` inside the
/// namespace of process `pid`; then stops listening, so nobody else can drive the browser.
async fn relay_into_namespace(pid: u32, port: u16) -> io::Result<SocketAddr> {
    let listener = tokio::net::TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await?;
    let address = listener.local_addr()?;
    tokio::spawn(async move {
        let Ok((mut outside, _)) = listener.accept().await else { return };
        drop(listener);
        let target = SocketAddr::from((Ipv4Addr::LOCALHOST, port));
        let inside = tokio::task::spawn_blocking(move || connect_in_namespace_of(pid, target)).await;
        let inside = match inside {
            Ok(Ok(stream)) => stream,
            Ok(Err(e)) => return tracing::warn!("cannot reach DevTools inside the browser's namespace: {e}"),
            Err(e) => return tracing::warn!("cannot reach DevTools inside the browser's namespace: {e}"),
        };
        let Ok(mut inside) = inside.set_nonblocking(true).and_then(|_| tokio::net::TcpStream::from_std(inside)) else { return };
        // CDP is small messages answered one by one: with Nagle's algorithm on the relay's
        // two sockets each would wait for the peer's delayed ACK (~40 ms on Linux), which
        // more than doubled a document's latency at the same CPU (docs/benchmarks.md).
        let _ = outside.set_nodelay(true).and(inside.set_nodelay(true));
        let _ = tokio::io::copy_bidirectional(&mut outside, &mut inside).await;
    });
    Ok(address)
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
