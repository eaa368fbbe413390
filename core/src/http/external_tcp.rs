//! TCP for requests stepped by an event loop ([`crate::external`]): non-blocking sockets that
//! no runtime watches. An operation that would block registers the socket with the task being
//! stepped (the event loop watches it until the next step) and returns `Pending`; the next
//! step tries it again. TLS goes over them as over tokio's (`client.rs`).

use std::future::Future;
use std::io;
use std::io::Read;
use std::net::{IpAddr, SocketAddr, ToSocketAddrs};
use std::os::fd::AsRawFd;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use hyper::rt::ReadBufCursor;
use hyper_util::client::legacy::connect::{Connected, Connection};
use socket2::{Domain, Protocol, Socket, TcpKeepalive, Type};

use crate::external::{self, Interest};

/// Connects to a URI's host and port (see [`connect`]).
#[derive(Clone)]
pub(super) struct Connector {
    pub(super) connect_timeout: Duration,
    pub(super) keepalive: Duration,
}

impl tower_service::Service<http::Uri> for Connector {
    type Response = Stream;
    type Error = io::Error;
    type Future = Pin<Box<dyn Future<Output = io::Result<Stream>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, uri: http::Uri) -> Self::Future {
        Box::pin(connect(uri, self.clone()))
    }
}

/// A TCP connection to `uri`'s host: each of its addresses tried in turn, each for at most the
/// connect timeout. An IP address is used as it is; a name is resolved off the thread.
async fn connect(uri: http::Uri, options: Connector) -> io::Result<Stream> {
    let invalid = || io::Error::new(io::ErrorKind::InvalidInput, "no host in the URL");
    let host = uri.host().ok_or_else(invalid)?;
    let host = host.trim_start_matches('[').trim_end_matches(']');
    let https = uri.scheme() == Some(&http::uri::Scheme::HTTPS);
    let port = uri.port_u16().unwrap_or(if https { 443 } else { 80 });
    let addresses = match host.parse::<IpAddr>() {
        Ok(ip) => vec![SocketAddr::new(ip, port)],
        Err(_) => resolve(host.to_owned(), port).await?,
    };
    let mut last = None;
    for address in addresses {
        match connect_to(address, &options).await {
            Ok(stream) => return Ok(stream),
            Err(e) => last = Some(e),
        }
    }
    Err(last
        .unwrap_or_else(|| io::Error::new(io::ErrorKind::NotFound, "the host name has no address")))
}

/// `host`'s addresses, from the system resolver (which blocks) off the thread.
async fn resolve(host: String, port: u16) -> io::Result<Vec<SocketAddr>> {
    external::off_thread(move || {
        (host.as_str(), port)
            .to_socket_addrs()
            .map(|addresses| addresses.collect())
    })
    .await
}

/// A non-blocking TCP connection to `address`, no delay, with keep-alive probes.
async fn connect_to(address: SocketAddr, options: &Connector) -> io::Result<Stream> {
    let socket = Socket::new(
        Domain::for_address(address),
        Type::STREAM,
        Some(Protocol::TCP),
    )?;
    socket.set_nonblocking(true)?;
    socket.set_tcp_nodelay(true)?;
    let keepalive = TcpKeepalive::new()
        .with_time(options.keepalive)
        .with_interval(options.keepalive);
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    let keepalive = keepalive.with_retries(3);
    socket.set_tcp_keepalive(&keepalive)?;
    #[cfg(target_vendor = "apple")]
    socket.set_nosigpipe(true)?;
    match socket.connect(&address.into()) {
        Ok(()) => {}
        Err(e) if in_progress(&e) => {
            let deadline = Instant::now() + options.connect_timeout;
            std::future::poll_fn(|cx| connected(&socket, deadline, cx)).await?;
        }
        Err(e) => return Err(e),
    }
    Ok(Stream {
        socket,
        chunk: vec![0; READ_CHUNK].into_boxed_slice(),
        drained_in: 0,
    })
}

fn in_progress(e: &io::Error) -> bool {
    e.raw_os_error() == Some(libc::EINPROGRESS)
        || e.kind() == io::ErrorKind::WouldBlock
        || e.kind() == io::ErrorKind::Interrupted
}

/// Whether `socket`'s connection is set up (`Ok`), failed, or is still being set up (then it
/// waits until the socket is writable, or `deadline`).
fn connected(socket: &Socket, deadline: Instant, cx: &Context<'_>) -> Poll<io::Result<()>> {
    if let Some(e) = socket.take_error()? {
        return Poll::Ready(Err(e));
    }
    match socket.peer_addr() {
        Ok(_) => Poll::Ready(Ok(())),
        Err(e) if e.raw_os_error() == Some(libc::ENOTCONN) => {
            if Instant::now() >= deadline {
                return Poll::Ready(Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the connection was not set up within the connect timeout",
                )));
            }
            external::wait_until(deadline, cx.waker());
            wait(socket, Interest::Write, cx)
        }
        Err(e) => Poll::Ready(Err(e)),
    }
}

/// Registers `socket` with the task being stepped; an error if none is (the socket is only
/// ever polled in a step: its connections are kept per thread, for such tasks).
fn wait<T>(socket: &Socket, interest: Interest, cx: &Context<'_>) -> Poll<io::Result<T>> {
    if external::wait_for(socket.as_raw_fd(), interest, cx.waker()) {
        Poll::Pending
    } else {
        Poll::Ready(Err(io::Error::other(
            "a connection of an external event loop used outside of it",
        )))
    }
}

/// A connected, non-blocking TCP socket.
pub(super) struct Stream {
    socket: Socket,
    /// What a read reads into (made once: the crate reads only into initialized memory), then
    /// copies to hyper's buffer.
    chunk: Box<[u8]>,
    /// The step ([`external::step_number`]) in which a read found nothing more to read: a read
    /// that would block, or one that took less than it had room for (the socket's buffer
    /// emptied, as tokio reads it too). Later reads in that step wait for the socket without
    /// asking the kernel (hyper polls a connection's reading several times in a step: after an
    /// answer, and before a request on a kept-alive connection); the next step reads it again.
    /// Waiting is always safe: the event loop hears at once of data that arrived meanwhile.
    drained_in: u64,
}

/// How much one read takes at most (an answer of a login is well under it; a longer one is read
/// in several).
const READ_CHUNK: usize = 8 * 1024;

#[cfg(any(target_os = "linux", target_os = "android"))]
const SEND_FLAGS: libc::c_int = libc::MSG_NOSIGNAL;
#[cfg(not(any(target_os = "linux", target_os = "android")))]
const SEND_FLAGS: libc::c_int = 0;

impl hyper::rt::Read for Stream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        mut buf: ReadBufCursor<'_>,
    ) -> Poll<io::Result<()>> {
        let room = buf.remaining().min(READ_CHUNK);
        let Stream {
            socket,
            chunk,
            drained_in,
        } = &mut *self;
        let step = external::step_number();
        if *drained_in == step && room > 0 {
            return wait(socket, Interest::Read, cx);
        }
        loop {
            match (&*socket).read(&mut chunk[..room]) {
                Ok(n) => {
                    if n > 0 && n < room {
                        *drained_in = step;
                    }
                    buf.put_slice(&chunk[..n]);
                    return Poll::Ready(Ok(()));
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    *drained_in = step;
                    return wait(socket, Interest::Read, cx);
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }
}

impl hyper::rt::Write for Stream {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        loop {
            match self.socket.send_with_flags(buf, SEND_FLAGS) {
                Ok(n) => return Poll::Ready(Ok(n)),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) if e.kind() == io::ErrorKind::WouldBlock => {
                    return wait(&self.socket, Interest::Write, cx)
                }
                Err(e) => return Poll::Ready(Err(e)),
            }
        }
    }

    fn poll_flush(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        Poll::Ready(Ok(()))
    }

    fn poll_shutdown(self: Pin<&mut Self>, _: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.socket.shutdown(std::net::Shutdown::Write) {
            Err(e) if e.kind() != io::ErrorKind::NotConnected => Poll::Ready(Err(e)),
            _ => Poll::Ready(Ok(())),
        }
    }
}

impl Connection for Stream {
    fn connected(&self) -> Connected {
        Connected::new()
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use hyper::rt::Read as _;
    use std::net::{TcpListener, TcpStream};

    use super::*;
    use crate::external::{Step, Task};

    /// Blocks until `socket` has something to read (at most a few seconds).
    fn until_readable(socket: &Socket) {
        for _ in 0..5_000 {
            if let Ok(1..) = socket.peek(&mut [std::mem::MaybeUninit::uninit(); 1]) {
                return;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        panic!("nothing to read");
    }

    /// A read that empties the socket's buffer makes the rest of the step wait for the socket
    /// instead of reading it again (no system call), even if data arrived meanwhile: the step
    /// ends waiting for it, and the next step reads it.
    #[test]
    fn a_socket_emptied_in_a_step_is_read_again_only_in_the_next_step() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (mut peer, _) = listener.accept().unwrap();
        client.set_nonblocking(true).unwrap();
        let fd = client.as_raw_fd();
        let mut stream = Stream {
            socket: Socket::from(client),
            chunk: vec![0; READ_CHUNK].into_boxed_slice(),
            drained_in: 0,
        };
        peer.write_all(b"a").unwrap();
        until_readable(&stream.socket);
        let mut got = Vec::new();
        let mut task = Task::new(std::future::poll_fn(move |cx| loop {
            let mut storage = [0u8; 16];
            let mut buf = hyper::rt::ReadBuf::new(&mut storage);
            match Pin::new(&mut stream).poll_read(cx, buf.unfilled()) {
                Poll::Ready(Ok(())) => got.extend_from_slice(buf.filled()),
                Poll::Ready(Err(e)) => panic!("{e}"),
                Poll::Pending => return Poll::Pending,
            }
            if got == b"a" {
                // More arrives while the step goes on.
                peer.write_all(b"b").unwrap();
                until_readable(&stream.socket);
            } else {
                return Poll::Ready(std::mem::take(&mut got));
            }
        }));
        match task.step() {
            Step::Wait(wait) => assert!(wait.fds().contains(&(fd, Interest::Read))),
            Step::Ready => panic!("read twice in one step"),
        }
        assert!(matches!(task.step(), Step::Ready));
        assert_eq!(task.take_output().as_deref(), Some(&b"ab"[..]));
    }
}
