//! A TCP relay on loopback in front of a server, that a test can close: new connections
//! are refused and open ones are cut, as when the server's machine drops off the network,
//! while the server itself keeps its state (moto, for one, keeps objects only in memory: a
//! restart would lose them, which is another fault).

use crate::free_port;
use std::collections::HashMap;
use std::io::ErrorKind;
use std::net::{Shutdown, TcpListener, TcpStream};
use std::os::fd::AsRawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub struct TcpGate {
    /// Where clients connect.
    pub port: u16,
    shared: Arc<Shared>,
    acceptor: Option<std::thread::JoinHandle<()>>,
}

struct Shared {
    target: u16,
    /// `None` while the gate is closed: the port refuses connections.
    listener: Mutex<Option<TcpListener>>,
    /// Both ends of every relayed connection, to cut them.
    open: Mutex<HashMap<u64, (TcpStream, TcpStream)>>,
    next_id: AtomicU64,
    stopping: AtomicBool,
}

impl TcpGate {
    /// An open gate to `127.0.0.1:target`.
    pub fn to(target: u16) -> TcpGate {
        let port = free_port();
        let shared = Arc::new(Shared {
            target,
            listener: Mutex::new(Some(listen(port))),
            open: Mutex::new(HashMap::new()),
            next_id: AtomicU64::new(0),
            stopping: AtomicBool::new(false),
        });
        let acceptor = std::thread::spawn({
            let shared = shared.clone();
            move || shared.accept_until_stopped()
        });
        TcpGate { port, shared, acceptor: Some(acceptor) }
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Refuses new connections and cuts the open ones.
    pub fn close(&self) {
        if let Some(listener) = self.shared.listener.lock().unwrap().take() {
            // Dropping the listener is not enough: a process forked at that moment by another
            // thread holds a copy of its descriptor until it execs, and the port would still
            // accept. Shutting the socket itself down stops it listening whoever holds it.
            // SAFETY: a valid descriptor, owned by `listener` until the end of this block.
            unsafe { libc::shutdown(listener.as_raw_fd(), libc::SHUT_RDWR) };
        }
        for (_, (client, server)) in self.shared.open.lock().unwrap().drain() {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
        }
    }

    /// Accepts connections again, on the same port.
    pub fn open(&self) {
        let mut listener = self.shared.listener.lock().unwrap();
        if listener.is_none() {
            *listener = Some(listen(self.port));
        }
    }
}

impl Drop for TcpGate {
    fn drop(&mut self) {
        self.shared.stopping.store(true, Ordering::Relaxed);
        self.close();
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

/// A non-blocking listener, so that the acceptor can notice the gate closing.
fn listen(port: u16) -> TcpListener {
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap_or_else(|e| panic!("the gate cannot listen on {port}: {e}"));
    listener.set_nonblocking(true).unwrap();
    listener
}

impl Shared {
    fn accept_until_stopped(self: Arc<Self>) {
        while !self.stopping.load(Ordering::Relaxed) {
            let accepted = match self.listener.lock().unwrap().as_ref() {
                Some(listener) => listener.accept(),
                None => Err(ErrorKind::WouldBlock.into()),
            };
            match accepted {
                Ok((client, _)) => self.relay(client),
                Err(_) => std::thread::sleep(Duration::from_millis(5)),
            }
        }
    }

    fn relay(self: &Arc<Self>, client: TcpStream) {
        let Ok(server) = TcpStream::connect(("127.0.0.1", self.target)) else { return };
        let _ = client.set_nonblocking(false);
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let (Ok(client_copy), Ok(server_copy)) = (client.try_clone(), server.try_clone()) else { return };
        self.open.lock().unwrap().insert(id, (client_copy, server_copy));
        // Accepted just before the gate closed, and recorded after it cut the open ones:
        // cut this one too.
        if self.listener.lock().unwrap().is_none() {
            let _ = client.shutdown(Shutdown::Both);
            let _ = server.shutdown(Shutdown::Both);
            return;
        }
        let pump = |mut from: TcpStream, mut to: TcpStream, shared: Option<Arc<Shared>>| {
            std::thread::spawn(move || {
                let _ = std::io::copy(&mut from, &mut to);
                let _ = to.shutdown(Shutdown::Write);
                // The answering direction ends last: the connection is over.
                if let Some(shared) = shared {
                    shared.open.lock().unwrap().remove(&id);
                }
            });
        };
        let (Ok(client_reader), Ok(server_reader)) = (client.try_clone(), server.try_clone()) else { return };
        pump(client_reader, server, None);
        pump(server_reader, client, Some(self.clone()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{Read, Write};

    /// A server that answers each connection's bytes with the same bytes.
    fn echo_server() -> u16 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = stream.try_clone().unwrap();
                    let _ = std::io::copy(&mut reader, &mut &stream);
                });
            }
        });
        port
    }

    fn echoes(stream: &mut TcpStream) -> bool {
        stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut answer = [0u8; 4];
        stream.write_all(b"ping").is_ok() && stream.read_exact(&mut answer).is_ok() && &answer == b"ping"
    }

    #[test]
    fn a_closed_gate_refuses_and_cuts_connections_and_an_open_one_relays() {
        let gate = TcpGate::to(echo_server());
        let mut before = TcpStream::connect(("127.0.0.1", gate.port)).unwrap();
        assert!(echoes(&mut before));

        gate.close();
        let refused = TcpStream::connect(("127.0.0.1", gate.port)).map_err(|e| e.kind());
        assert_eq!(refused.err(), Some(ErrorKind::ConnectionRefused));
        assert!(!echoes(&mut before), "an open connection is cut");

        gate.open();
        let mut after = TcpStream::connect(("127.0.0.1", gate.port)).unwrap();
        assert!(echoes(&mut after));
    }
}
