//! `karmada-apiserver-bench`: the API server benchmark behind BENCHMARKS.md.
//!
//! Starts an in-process karmada-apiserver on 127.0.0.1:0 per backend (the embedded store on tmpfs,
//! and etcd when `--etcd` is given) and drives it over HTTPS/HTTP2 with client-certificate
//! authentication, as kubectl and kube-rs do:
//!
//! * creates/s and gets/s of ConfigMaps with `--workers` concurrent requests;
//! * a full list of `--list-objects` (10,000) ConfigMaps, p50/p99 over `--list-repeats`;
//! * watch fan-out: `--watchers` (1,000) watches on one namespace, then `--watch-writes` writes one at
//!   a time; the delivery latency of each (write, watcher) pair, p50/p99;
//! * with etcd, raw `etcd_client` puts/s at the same concurrency and value size in the same run, and
//!   API creates/s divided by it.
//!
//! Everything is bounded by counts and timeouts; data directories and etcd keys are removed at the
//! end.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail, ensure};
use base64::Engine;
use bytes::Bytes;
use clap::Parser;
use http_body_util::{BodyExt, Full};
use hyper::client::conn::http2::SendRequest;
use hyper_util::rt::{TokioExecutor, TokioIo};
use karmada_apiserver::server::{Options as ServerOptions, start};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName, pem::PemObject};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio::task::JoinSet;

const OP_TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Parser, Debug)]
#[command(version = karmada_api::names::VERSION)]
struct Options {
    /// Also benchmark over etcd at this endpoint, with a raw etcd_client baseline.
    #[arg(long)]
    etcd: Option<String>,
    /// Concurrent requests for creates and gets.
    #[arg(long, default_value_t = 16)]
    workers: usize,
    /// Creates (and gets) measured.
    #[arg(long, default_value_t = 4000)]
    ops: usize,
    /// Objects in the listed namespace.
    #[arg(long, default_value_t = 10_000)]
    list_objects: usize,
    #[arg(long, default_value_t = 20)]
    list_repeats: usize,
    #[arg(long, default_value_t = 1000)]
    watchers: usize,
    #[arg(long, default_value_t = 30)]
    watch_writes: usize,
    /// Bytes of data per ConfigMap.
    #[arg(long, default_value_t = 256)]
    value_size: usize,
    /// Tiny sizes, for a smoke run in CI.
    #[arg(long)]
    smoke: bool,
}

/// A multiplexed HTTP/2 client with the admin identity.
#[derive(Clone)]
struct Client {
    connections: Arc<Vec<SendRequest<Full<Bytes>>>>,
    next: Arc<AtomicUsize>,
    authority: String,
}

fn kubeconfig_field(kubeconfig: &Value, pointer: &str) -> anyhow::Result<Vec<u8>> {
    let encoded = kubeconfig
        .pointer(pointer)
        .and_then(Value::as_str)
        .with_context(|| format!("kubeconfig has no {pointer}"))?;
    Ok(base64::engine::general_purpose::STANDARD.decode(encoded)?)
}

impl Client {
    async fn connect(
        addr: std::net::SocketAddr,
        kubeconfig: &Path,
        connections: usize,
    ) -> anyhow::Result<Client> {
        let text = std::fs::read_to_string(kubeconfig)?;
        let config: Value = serde_saphyr::from_str(&text).context("kubeconfig is not YAML")?;
        let ca = kubeconfig_field(&config, "/clusters/0/cluster/certificate-authority-data")?;
        let cert = kubeconfig_field(&config, "/users/0/user/client-certificate-data")?;
        let key = kubeconfig_field(&config, "/users/0/user/client-key-data")?;
        let mut roots = rustls::RootCertStore::empty();
        for c in CertificateDer::pem_slice_iter(&ca) {
            roots.add(c?)?;
        }
        let chain = CertificateDer::pem_slice_iter(&cert).collect::<Result<Vec<_>, _>>()?;
        let key = PrivateKeyDer::from_pem_slice(&key)?;
        let mut tls = rustls::ClientConfig::builder()
            .with_root_certificates(roots)
            .with_client_auth_cert(chain, key)?;
        tls.alpn_protocols = vec![b"h2".to_vec()];
        let connector = tokio_rustls::TlsConnector::from(Arc::new(tls));
        let mut senders = Vec::new();
        for _ in 0..connections.max(1) {
            let tcp = TcpStream::connect(addr).await?;
            tcp.set_nodelay(true)?;
            let stream = connector
                .connect(ServerName::try_from("127.0.0.1")?.to_owned(), tcp)
                .await?;
            let (sender, connection) =
                hyper::client::conn::http2::handshake(TokioExecutor::new(), TokioIo::new(stream))
                    .await?;
            tokio::spawn(connection);
            senders.push(sender);
        }
        Ok(Client {
            connections: Arc::new(senders),
            next: Arc::new(AtomicUsize::new(0)),
            authority: addr.to_string(),
        })
    }

    fn sender(&self) -> SendRequest<Full<Bytes>> {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        self.connections[i].clone()
    }

    async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> anyhow::Result<hyper::Response<hyper::body::Incoming>> {
        let body = match body {
            Some(v) => Bytes::from(serde_json::to_vec(&v)?),
            None => Bytes::new(),
        };
        let request = hyper::Request::builder()
            .method(method)
            .uri(format!("https://{}{path}", self.authority))
            .header("content-type", "application/json")
            .body(Full::new(body))?;
        let mut sender = self.sender();
        sender.ready().await?;
        Ok(tokio::time::timeout(OP_TIMEOUT, sender.send_request(request)).await??)
    }

    /// A request whose reply must have `expected` status; returns the body.
    async fn call(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
        expected: u16,
    ) -> anyhow::Result<Bytes> {
        let response = self.send(method, path, body).await?;
        let status = response.status().as_u16();
        let bytes = tokio::time::timeout(OP_TIMEOUT, response.into_body().collect())
            .await??
            .to_bytes();
        ensure!(
            status == expected,
            "{method} {path}: {status} {}",
            String::from_utf8_lossy(&bytes)
        );
        Ok(bytes)
    }
}

fn config_map(name: &str, size: usize) -> Value {
    json!({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}, "data": {"v": "x".repeat(size)}})
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Runs `total` operations with `workers` concurrent tasks; returns operations per second.
async fn drive<F, Fut>(total: usize, workers: usize, op: F) -> anyhow::Result<f64>
where
    F: Fn(usize) -> Fut + Send + Sync + Clone + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let counter = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for _ in 0..workers.max(1) {
        let op = op.clone();
        let counter = Arc::clone(&counter);
        tasks.spawn(async move {
            loop {
                let i = counter.fetch_add(1, Ordering::Relaxed);
                if i >= total {
                    return Ok::<(), anyhow::Error>(());
                }
                op(i).await?;
            }
        });
    }
    while let Some(result) = tasks.join_next().await {
        result??;
    }
    Ok(total as f64 / started.elapsed().as_secs_f64())
}

async fn create_namespace(client: &Client, name: &str) -> anyhow::Result<()> {
    client
        .call(
            "POST",
            "/api/v1/namespaces",
            Some(json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}})),
            201,
        )
        .await
        .map(|_| ())
}

struct Figures {
    backend: String,
    creates: f64,
    gets: f64,
    list_p50: Duration,
    list_p99: Duration,
    watch_p50: Duration,
    watch_p99: Duration,
    watch_pairs: usize,
}

async fn bench_server(backend: &str, client: &Client, o: &Options) -> anyhow::Result<Figures> {
    create_namespace(client, "bench").await?;
    let size = o.value_size;
    let c = client.clone();
    let creates = drive(o.ops, o.workers, move |i| {
        let c = c.clone();
        async move {
            c.call(
                "POST",
                "/api/v1/namespaces/bench/configmaps",
                Some(config_map(&format!("cm-{i}"), size)),
                201,
            )
            .await
            .map(|_| ())
        }
    })
    .await?;
    let c = client.clone();
    let ops = o.ops;
    let gets = drive(o.ops * 2, o.workers, move |i| {
        let c = c.clone();
        async move {
            c.call(
                "GET",
                &format!(
                    "/api/v1/namespaces/bench/configmaps/cm-{}",
                    (i * 7919) % ops
                ),
                None,
                200,
            )
            .await
            .map(|_| ())
        }
    })
    .await?;

    // List: fill a namespace, then time full lists.
    create_namespace(client, "bench-list").await?;
    let c = client.clone();
    drive(o.list_objects, o.workers * 2, move |i| {
        let c = c.clone();
        async move {
            c.call(
                "POST",
                "/api/v1/namespaces/bench-list/configmaps",
                Some(config_map(&format!("l-{i:06}"), size)),
                201,
            )
            .await
            .map(|_| ())
        }
    })
    .await?;
    let mut lists = Vec::new();
    for _ in 0..o.list_repeats {
        let started = Instant::now();
        let body = client
            .call("GET", "/api/v1/namespaces/bench-list/configmaps", None, 200)
            .await?;
        lists.push(started.elapsed());
        let list: Value = serde_json::from_slice(&body)?;
        ensure!(
            list["items"].as_array().map(Vec::len) == Some(o.list_objects),
            "the list returned a wrong number of items"
        );
    }
    lists.sort();

    // Watch fan-out.
    create_namespace(client, "bench-watch").await?;
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<(String, Instant)>();
    let mut watchers = JoinSet::new();
    let opened = Arc::new(AtomicUsize::new(0));
    for _ in 0..o.watchers {
        let c = client.clone();
        let tx = tx.clone();
        let opened = Arc::clone(&opened);
        watchers.spawn(async move {
            let response = c
                .send(
                    "GET",
                    "/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=0",
                    None,
                )
                .await?;
            ensure!(
                response.status().as_u16() == 200,
                "watch refused: {}",
                response.status()
            );
            opened.fetch_add(1, Ordering::Relaxed);
            let mut body = response.into_body();
            let mut pending: Vec<u8> = Vec::new();
            while let Some(frame) = body.frame().await {
                let Ok(data) = frame?.into_data() else {
                    continue;
                };
                pending.extend_from_slice(&data);
                while let Some(end) = pending.iter().position(|b| *b == b'\n') {
                    let line: Vec<u8> = pending.drain(..=end).collect();
                    let event: Value = serde_json::from_slice(&line)?;
                    if let Some(name) = event
                        .pointer("/object/metadata/name")
                        .and_then(Value::as_str)
                    {
                        let _ = tx.send((name.to_string(), Instant::now()));
                    }
                }
            }
            Ok::<(), anyhow::Error>(())
        });
    }
    drop(tx);
    let deadline = Instant::now() + Duration::from_secs(60);
    while opened.load(Ordering::Relaxed) < o.watchers {
        if Instant::now() > deadline {
            bail!(
                "only {} of {} watches opened",
                opened.load(Ordering::Relaxed),
                o.watchers
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let mut latencies = Vec::new();
    for w in 0..o.watch_writes {
        let name = format!("w-{w}");
        let sent = Instant::now();
        client
            .call(
                "POST",
                "/api/v1/namespaces/bench-watch/configmaps",
                Some(config_map(&name, size)),
                201,
            )
            .await?;
        let mut got = 0;
        while got < o.watchers {
            let (event, at) = tokio::time::timeout(OP_TIMEOUT, rx.recv())
                .await
                .map_err(|_| anyhow!("write {name} reached {got} of {} watchers", o.watchers))?
                .ok_or_else(|| anyhow!("watchers ended"))?;
            if event == name {
                latencies.push(at - sent);
                got += 1;
            }
        }
    }
    watchers.abort_all();
    latencies.sort();
    Ok(Figures {
        backend: backend.to_string(),
        creates,
        gets,
        list_p50: percentile(&lists, 50.0),
        list_p99: percentile(&lists, 99.0),
        watch_p50: percentile(&latencies, 50.0),
        watch_p99: percentile(&latencies, 99.0),
        watch_pairs: latencies.len(),
    })
}

async fn raw_etcd_puts(endpoint: &str, o: &Options, prefix: &str) -> anyhow::Result<f64> {
    let client = etcd_client::Client::connect([endpoint], None).await?;
    let value = vec![b'x'; o.value_size + 200];
    let prefix = prefix.to_string();
    let rate = drive(o.ops, o.workers, move |i| {
        let mut client = client.clone();
        let value = value.clone();
        let key = format!("{prefix}/raw/{i}");
        async move {
            tokio::time::timeout(OP_TIMEOUT, client.put(key, value, None)).await??;
            Ok(())
        }
    })
    .await?;
    Ok(rate)
}

async fn run_backend(
    backend: &str,
    o: &Options,
    etcd: Option<(&str, &str)>,
) -> anyhow::Result<Figures> {
    let base = if Path::new("/dev/shm").is_dir() {
        PathBuf::from("/dev/shm")
    } else {
        std::env::temp_dir()
    };
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
    let dir = base.join(format!(
        "karmada-apiserver-bench-{}-{nanos}",
        std::process::id()
    ));
    let mut args = vec![
        "karmada-apiserver".to_string(),
        "--data-dir".into(),
        dir.display().to_string(),
        "--secure-port".into(),
        "0".into(),
    ];
    if let Some((endpoint, prefix)) = etcd {
        args.extend([
            "--etcd-servers".into(),
            endpoint.to_string(),
            "--etcd-prefix".into(),
            prefix.to_string(),
        ]);
    }
    let server = start(ServerOptions::try_parse_from(args)?).await?;
    let kubeconfig = server.kubeconfig.clone().context("no kubeconfig written")?;
    // Enough connections for every watcher within HTTP/2's per-connection stream limit.
    let connections = (o.watchers / 100 + 2).max(4);
    let result = async {
        let client = Client::connect(server.addr, &kubeconfig, connections).await?;
        bench_server(backend, &client, o).await
    }
    .await;
    server.shutdown().await;
    let _ = std::fs::remove_dir_all(&dir);
    result
}

async fn cleanup_etcd(endpoint: &str, prefix: &str) {
    if let Ok(mut client) = etcd_client::Client::connect([endpoint], None).await {
        let _ = client
            .delete(
                prefix,
                Some(etcd_client::DeleteOptions::new().with_prefix()),
            )
            .await;
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let mut o = Options::parse();
    if o.smoke {
        o.ops = 200;
        o.list_objects = 300;
        o.list_repeats = 3;
        o.watchers = 20;
        o.watch_writes = 5;
    }
    let mut rows = vec![run_backend("embedded", &o, None).await?];
    let mut ratio_line = None;
    if let Some(endpoint) = o.etcd.clone() {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH)?.as_nanos();
        let prefix = format!("/apiserver-bench-{}-{nanos}", std::process::id());
        let figures = run_backend("etcd", &o, Some((&endpoint, &prefix))).await;
        let raw = raw_etcd_puts(&endpoint, &o, &prefix).await;
        cleanup_etcd(&endpoint, &prefix).await;
        let figures = figures?;
        let raw = raw?;
        ratio_line = Some(format!(
            "raw etcd_client puts/s ({} in flight, same run): {raw:.0}; API creates/s over etcd ÷ raw puts/s = {:.2}",
            o.workers,
            figures.creates / raw
        ));
        rows.push(figures);
    }
    println!(
        "| backend | creates/s | gets/s | list {} p50 | list p99 | watch fan-out {} p50 | watch p99 |",
        o.list_objects, o.watchers
    );
    println!("|---|---|---|---|---|---|---|");
    for f in &rows {
        println!(
            "| {} | {:.0} | {:.0} | {} | {} | {} | {} ({} pairs) |",
            f.backend,
            f.creates,
            f.gets,
            ms(f.list_p50),
            ms(f.list_p99),
            ms(f.watch_p50),
            ms(f.watch_p99),
            f.watch_pairs
        );
    }
    if let Some(line) = ratio_line {
        println!("\n{line}");
    }
    println!(
        "\ncommand: {}",
        std::env::args().collect::<Vec<_>>().join(" ")
    );
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let d: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&d, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&d, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&[], 99.0), Duration::ZERO);
    }
}
