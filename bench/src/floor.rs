//! The floor: the two requests of a 2FA login written by hand as HTTP/1.1 on one blocking,
//! kept-alive TCP connection per login. Nothing a client library could leave out: what it
//! costs is what the wire costs.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use docspace_auth::secrecy::{ExposeSecret, SecretString};
use docspace_auth::totp;

use crate::driver::{Bench, Config, Tally};

/// The emulator's address, parsed once: only `http://127.0.0.1:PORT` (or another loopback).
struct Target {
    addr: SocketAddr,
    host: String,
    user: String,
    password: String,
    secret: SecretString,
}

impl Target {
    fn new(config: &Config) -> Result<Target, String> {
        let host = config
            .url
            .strip_prefix("http://")
            .ok_or("the floor client speaks plain http:// only")?
            .trim_end_matches('/')
            .to_owned();
        let addr: SocketAddr = host.parse().map_err(|_| format!("not IP:port: {host}"))?;
        if !addr.ip().is_loopback() {
            return Err(format!("refusing a non-loopback address: {addr}"));
        }
        Ok(Target {
            addr,
            host,
            user: json_escape(&config.user),
            password: json_escape(&config.password),
            secret: SecretString::from(config.secret.clone()),
        })
    }

    /// One 2FA login; the length of the token on success.
    fn login(&self, buf: &mut Vec<u8>) -> Result<usize, String> {
        let mut stream = TcpStream::connect(self.addr).map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        stream
            .set_read_timeout(Some(Duration::from_secs(30)))
            .map_err(|e| e.to_string())?;
        let body = format!(
            r#"{{"userName":"{}","password":"{}"}}"#,
            self.user, self.password
        );
        let step1 = self.exchange(&mut stream, "/api/2.0/authentication", &body, buf)?;
        if !contains(step1, br#""tfa":true"#) {
            return Err("step 1 did not ask for an authenticator code".into());
        }
        let code = totp::now(&self.secret).map_err(|e| e.to_string())?;
        let code = code.expose_secret();
        let body = format!(
            r#"{{"userName":"{}","password":"{}","code":"{code}"}}"#,
            self.user, self.password
        );
        let path = format!("/api/2.0/authentication/{code}");
        let step2 = self.exchange(&mut stream, &path, &body, buf)?;
        token_len(step2).ok_or_else(|| "no token in the code response".into())
    }

    /// Writes one POST and reads its response into `buf`; the body on a 200.
    fn exchange<'b>(
        &self,
        stream: &mut TcpStream,
        path: &str,
        body: &str,
        buf: &'b mut Vec<u8>,
    ) -> Result<&'b [u8], String> {
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| e.to_string())?;
        read_response(stream, buf)
    }
}

/// Reads one HTTP/1.1 response (Content-Length or chunked) and returns its body if it is a 200.
fn read_response<'b>(stream: &mut TcpStream, buf: &'b mut Vec<u8>) -> Result<&'b [u8], String> {
    buf.clear();
    let head_end = loop {
        if let Some(i) = find(buf, b"\r\n\r\n") {
            break i + 4;
        }
        fill(stream, buf)?;
    };
    let head = std::str::from_utf8(&buf[..head_end]).map_err(|_| "non-UTF-8 head")?;
    let status = head.get(9..12).ok_or("short status line")?;
    let mut length = None;
    let mut chunked = false;
    for line in head.split("\r\n").skip(1) {
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse::<usize>().ok();
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                chunked = value.to_ascii_lowercase().contains("chunked");
            }
        }
    }
    if status != "200" {
        return Err(format!("HTTP {status}"));
    }
    if chunked {
        let mut body = Vec::new();
        let mut at = head_end;
        loop {
            let line_end = loop {
                if let Some(i) = find(&buf[at..], b"\r\n") {
                    break at + i;
                }
                fill(stream, buf)?;
            };
            let size_text = std::str::from_utf8(&buf[at..line_end]).map_err(|_| "bad chunk")?;
            let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
                .map_err(|_| "bad chunk size")?;
            while buf.len() < line_end + 2 + size + 2 {
                fill(stream, buf)?;
            }
            body.extend_from_slice(&buf[line_end + 2..line_end + 2 + size]);
            at = line_end + 2 + size + 2;
            if size == 0 {
                break;
            }
        }
        *buf = body;
        return Ok(&buf[..]);
    }
    let length = length.ok_or("neither Content-Length nor chunked")?;
    while buf.len() < head_end + length {
        fill(stream, buf)?;
    }
    Ok(&buf[head_end..head_end + length])
}

fn fill(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Result<(), String> {
    let mut chunk = [0u8; 4096];
    let n = stream.read(&mut chunk).map_err(|e| e.to_string())?;
    if n == 0 {
        return Err("connection closed".into());
    }
    if buf.len() + n > 1 << 20 {
        return Err("response over 1 MiB".into());
    }
    buf.extend_from_slice(&chunk[..n]);
    Ok(())
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

/// The length of the non-empty `"token":"..."` string in a JSON body.
fn token_len(body: &[u8]) -> Option<usize> {
    let start = find(body, br#""token":""#)? + 9;
    let len = body[start..].iter().position(|&b| b == b'"')?;
    (len > 0).then_some(len)
}

fn json_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// The floor client for the shared driver: blocking threads, one per concurrent login.
pub struct Floor(Target);

impl Floor {
    pub fn new(config: &Config) -> Result<Floor, String> {
        Target::new(config).map(Floor)
    }
}

impl Bench for Floor {
    fn many(&self, c: usize, per: usize) -> Tally {
        let target = &self.0;
        let mut tally = Tally::default();
        std::thread::scope(|scope| {
            let workers: Vec<_> = (0..c)
                .map(|_| {
                    scope.spawn(move || {
                        let mut buf = Vec::with_capacity(4096);
                        let mut t = Tally::default();
                        for _ in 0..per {
                            t.add(target.login(&mut buf));
                        }
                        t
                    })
                })
                .collect();
            for w in workers {
                match w.join() {
                    Ok(t) => tally.merge(t),
                    Err(_) => tally.failures += per,
                }
            }
        });
        tally
    }
}
