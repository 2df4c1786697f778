//! A minimal HTTP/1.1-over-TLS client for the wire-level checks kubectl cannot make: a chosen Accept
//! header, and a watch stream read line by line as it arrives. It authenticates with the server's
//! generated admin certificate, offers no ALPN (so the server speaks HTTP/1.1) and sends
//! `Connection: close`, one connection per request. It is not a general client: no redirects, no
//! keep-alive, no HTTP/2 (kubectl's `get -w` covers watches over HTTP/2).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use rustls::RootCertStore;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;
use tokio::time::error::Elapsed;
use tokio_rustls::TlsConnector;
use tokio_rustls::client::TlsStream;

use crate::support::server::TestServer;

pub struct Https {
    connector: TlsConnector,
    addr: SocketAddr,
}

/// How a response body is delimited on the wire.
enum Framing {
    Chunked,
    Length(usize),
    UntilClose,
    Done,
}

/// A response whose body is read on demand.
pub struct Response {
    pub status: u16,
    headers: Vec<(String, String)>,
    reader: BufReader<TlsStream<TcpStream>>,
    framing: Framing,
    /// Body bytes read but not yet returned as a line.
    pending: Vec<u8>,
}

impl Https {
    /// A client for `server`, trusting its CA and presenting its admin certificate.
    pub fn new(server: &TestServer) -> Https {
        let pki = server.dir.path().join("pki");
        let chain = std::fs::read(pki.join("admin.crt")).expect("the admin certificate");
        let key = std::fs::read(pki.join("admin.key")).expect("the admin key");
        Https::with_identity(server, Some((&chain, &key)))
    }

    /// A client for `server` presenting `identity` (certificate chain and key, PEM), or no client
    /// certificate at all.
    pub fn with_identity(server: &TestServer, identity: Option<(&[u8], &[u8])>) -> Https {
        let pki = server.dir.path().join("pki");
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(pki.join("ca.crt")).expect("the CA certificate") {
            roots
                .add(cert.expect("a CA certificate"))
                .expect("a valid CA");
        }
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(
            rustls::crypto::ring::default_provider(),
        ))
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .with_root_certificates(roots);
        let config = match identity {
            Some((chain, key)) => {
                let chain = CertificateDer::pem_slice_iter(chain)
                    .collect::<Result<Vec<_>, _>>()
                    .expect("a valid certificate chain");
                let key = PrivateKeyDer::from_pem_slice(key).expect("a valid key");
                builder
                    .with_client_auth_cert(chain, key)
                    .expect("a usable client certificate")
            }
            None => builder.with_no_client_auth(),
        };
        Https {
            connector: TlsConnector::from(Arc::new(config)),
            addr: server.addr,
        }
    }

    /// Sends one request and reads the status line and headers; the body is read from the
    /// [`Response`].
    pub async fn request(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<(&str, &[u8])>,
    ) -> Response {
        let tcp = TcpStream::connect(self.addr).await.expect("connect");
        let mut tls = self
            .connector
            .connect(ServerName::from(self.addr.ip()), tcp)
            .await
            .expect("TLS handshake");
        let mut head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.addr
        );
        for (name, value) in headers {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
        if let Some((content_type, bytes)) = body {
            head.push_str(&format!(
                "Content-Type: {content_type}\r\nContent-Length: {}\r\n",
                bytes.len()
            ));
        }
        head.push_str("\r\n");
        tls.write_all(head.as_bytes()).await.expect("send request");
        if let Some((_, bytes)) = body {
            tls.write_all(bytes).await.expect("send body");
        }
        tls.flush().await.expect("flush request");

        let mut reader = BufReader::new(tls);
        let status_line = read_crlf_line(&mut reader).await;
        let status = status_line
            .split(' ')
            .nth(1)
            .and_then(|code| code.parse().ok())
            .unwrap_or_else(|| panic!("not an HTTP status line: {status_line:?}"));
        let mut headers = Vec::new();
        loop {
            let line = read_crlf_line(&mut reader).await;
            if line.is_empty() {
                break;
            }
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("not a header line: {line:?}"));
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        }
        let mut response = Response {
            status,
            headers,
            reader,
            framing: Framing::UntilClose,
            pending: Vec::new(),
        };
        response.framing = if response
            .header("transfer-encoding")
            .is_some_and(|te| te.eq_ignore_ascii_case("chunked"))
        {
            Framing::Chunked
        } else if let Some(length) = response.header("content-length") {
            Framing::Length(length.parse().expect("a numeric Content-Length"))
        } else {
            Framing::UntilClose
        };
        response
    }

    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Response {
        self.request("GET", path, headers, None).await
    }

    /// Sends a JSON body and returns the status and the parsed reply.
    pub async fn send_json(
        &self,
        method: &str,
        path: &str,
        content_type: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let bytes = serde_json::to_vec(body).expect("JSON");
        let response = self
            .request(
                method,
                path,
                &[("Accept", "application/json")],
                Some((content_type, &bytes)),
            )
            .await;
        let status = response.status;
        let text = response.text().await;
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{method} {path}: reply is not JSON ({e}): {text}"));
        (status, value)
    }
}

impl Response {
    /// A header's value (names compare case-insensitively).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The whole body (waits for its end).
    pub async fn text(mut self) -> String {
        let mut body = std::mem::take(&mut self.pending);
        while let Some(piece) = self.next_piece().await {
            body.extend_from_slice(&piece);
        }
        String::from_utf8(body).expect("a UTF-8 body")
    }

    /// The next line of the body *including* its `\n` (a last line without one is returned as
    /// is, so a test can see it): `Ok(None)` when the body ended, `Err` when nothing came for `wait`.
    pub async fn next_line(&mut self, wait: Duration) -> Result<Option<String>, Elapsed> {
        let read = async {
            loop {
                if let Some(end) = self.pending.iter().position(|&b| b == b'\n') {
                    let line: Vec<u8> = self.pending.drain(..=end).collect();
                    return Some(String::from_utf8(line).expect("a UTF-8 line"));
                }
                match self.next_piece().await {
                    Some(piece) => self.pending.extend_from_slice(&piece),
                    None if self.pending.is_empty() => return None,
                    None => {
                        let rest = std::mem::take(&mut self.pending);
                        return Some(String::from_utf8(rest).expect("a UTF-8 line"));
                    }
                }
            }
        };
        tokio::time::timeout(wait, read).await
    }

    /// The next piece of the body as framed on the wire; `None` at its end.
    async fn next_piece(&mut self) -> Option<Vec<u8>> {
        match self.framing {
            Framing::Done => None,
            Framing::Length(0) => {
                self.framing = Framing::Done;
                None
            }
            Framing::Length(length) => {
                let mut piece = vec![0; length];
                self.reader.read_exact(&mut piece).await.expect("read body");
                self.framing = Framing::Done;
                Some(piece)
            }
            Framing::UntilClose => {
                let mut piece = vec![0; 16 * 1024];
                let n = self.reader.read(&mut piece).await.unwrap_or(0);
                if n == 0 {
                    self.framing = Framing::Done;
                    return None;
                }
                piece.truncate(n);
                Some(piece)
            }
            Framing::Chunked => {
                let size_line = read_crlf_line(&mut self.reader).await;
                let size = size_line.split(';').next().unwrap_or("").trim();
                let size = usize::from_str_radix(size, 16)
                    .unwrap_or_else(|_| panic!("not a chunk size: {size_line:?}"));
                if size == 0 {
                    // Trailers, then the empty line that ends the body.
                    while !read_crlf_line(&mut self.reader).await.is_empty() {}
                    self.framing = Framing::Done;
                    return None;
                }
                let mut piece = vec![0; size];
                self.reader
                    .read_exact(&mut piece)
                    .await
                    .expect("read chunk");
                let end = read_crlf_line(&mut self.reader).await;
                assert!(end.is_empty(), "chunk not followed by CRLF: {end:?}");
                Some(piece)
            }
        }
    }
}

/// Reads one CRLF-terminated protocol line (status, header, chunk size) without its terminator.
/// A connection closed by the server reads as an empty line.
async fn read_crlf_line(reader: &mut BufReader<TlsStream<TcpStream>>) -> String {
    let mut line = String::new();
    reader.read_line(&mut line).await.unwrap_or(0);
    line.trim_end_matches(['\r', '\n']).to_string()
}
