//! The storage benchmark behind BENCHMARKS.md.
//!
//! For each backend (the embedded store, and etcd when `--etcd` is given) it measures, through the
//! [`Store`] trait shared as one `Arc<dyn Store>`:
//!
//! * creates per second with one writer and with `--writers` (16) concurrent tokio tasks, each
//!   creating distinct keys with `--value-size` (256) byte values;
//! * the latency of a full `list` of a prefix holding `--list-keys` (10,000) keys, repeated
//!   `--list-repeats` (50) times;
//! * watch delivery latency: `--watchers` (100) watches on one prefix, then `--watch-writes` (200)
//!   creates one at a time, each waiting until every watcher has received it; the latency of a
//!   (write, watcher) pair runs from just before the `create` call to the moment the watcher's task
//!   got the event.
//!
//! For etcd it also measures plain `etcd_client` puts (and the same guarded-create transaction the
//! store sends) at the same concurrencies in the same run, interleaved with the store's creates, and
//! reports the store/raw ratio.
//!
//! Everything is bounded: each operation by [`OP_TIMEOUT`], each watch delivery by
//! [`DELIVERY_TIMEOUT`], and every loop by the configured counts. The embedded store's directory and
//! every etcd key written (under a per-run namespace) are removed at the end, also after a failure.

use std::fmt::Write as _;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, anyhow, bail, ensure};
use bytes::Bytes;
use etcd_client::{
    Client, Compare, CompareOp, ConnectOptions, DeleteOptions, GetOptions, Txn, TxnOp,
};
use futures::StreamExt;
use karmada_apiserver::storage::embedded::{EmbeddedConfig, EmbeddedStore};
use karmada_apiserver::storage::etcd::{EtcdConfig, EtcdStore};
use karmada_apiserver::storage::{EventKind, ListOptions, MAX_VALUE_BYTES, Store};
use tokio::sync::mpsc;
use tokio::task::JoinSet;

/// The longest any single storage or etcd request may take before the benchmark gives up.
const OP_TIMEOUT: Duration = Duration::from_secs(30);
/// The longest a write may take to reach every watcher.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest etcd response the raw client accepts, as for the store (a whole list is one response).
const MAX_RESPONSE_BYTES: usize = i32::MAX as usize;

#[derive(clap::Args, Debug)]
pub struct BenchOptions {
    /// Also benchmark etcd at this endpoint (`host:port`), with a raw `etcd_client` baseline.
    #[arg(long, value_name = "ENDPOINT")]
    etcd: Option<String>,
    /// etcd's data directory, only to report which filesystem it is on.
    #[arg(long, value_name = "PATH")]
    etcd_data_dir: Option<PathBuf>,
    /// Base directory for the embedded store's (temporary) data directory [default: /dev/shm if
    /// present, else the system temp dir].
    #[arg(long, value_name = "PATH")]
    dir: Option<PathBuf>,
    /// Skip the embedded store (only with --etcd).
    #[arg(long)]
    no_embedded: bool,
    /// Tiny sizes for CI: 200 creates, a 500-key list, 10 watchers × 20 writes.
    #[arg(long)]
    smoke: bool,
    /// Creates per throughput measurement [default: 20000; smoke: 200].
    #[arg(long, value_name = "N")]
    creates: Option<usize>,
    /// Concurrent writers for the concurrent measurements [default: 16].
    #[arg(long, value_name = "N")]
    writers: Option<usize>,
    /// Keys under the listed prefix [default: 10000; smoke: 500].
    #[arg(long, value_name = "N")]
    list_keys: Option<usize>,
    /// Timed full lists [default: 50; smoke: 5].
    #[arg(long, value_name = "N")]
    list_repeats: Option<usize>,
    /// Watchers on the watched prefix [default: 100; smoke: 10].
    #[arg(long, value_name = "N")]
    watchers: Option<usize>,
    /// Writes delivered to every watcher [default: 200; smoke: 20].
    #[arg(long, value_name = "N")]
    watch_writes: Option<usize>,
    /// Bytes per value.
    #[arg(long, value_name = "BYTES", default_value_t = 256)]
    value_size: usize,
}

/// The sizes of one run, after defaults.
#[derive(Debug, Clone)]
struct Sizes {
    creates: usize,
    writers: usize,
    list_keys: usize,
    list_repeats: usize,
    watchers: usize,
    watch_writes: usize,
    value_size: usize,
    /// Untimed creates before the first measurement of a backend (connections, allocator, caches).
    warmup: usize,
}

impl Sizes {
    fn from_options(options: &BenchOptions) -> anyhow::Result<Sizes> {
        let pick = |given: Option<usize>, full: usize, smoke: usize| {
            given.unwrap_or(if options.smoke { smoke } else { full })
        };
        let sizes = Sizes {
            creates: pick(options.creates, 20_000, 200),
            writers: pick(options.writers, 16, 16),
            list_keys: pick(options.list_keys, 10_000, 500),
            list_repeats: pick(options.list_repeats, 50, 5),
            watchers: pick(options.watchers, 100, 10),
            watch_writes: pick(options.watch_writes, 200, 20),
            value_size: options.value_size,
            warmup: if options.smoke { 32 } else { 500 },
        };
        for (name, value) in [
            ("--creates", sizes.creates),
            ("--writers", sizes.writers),
            ("--list-keys", sizes.list_keys),
            ("--list-repeats", sizes.list_repeats),
            ("--watchers", sizes.watchers),
            ("--watch-writes", sizes.watch_writes),
        ] {
            ensure!(value > 0, "{name} must be at least 1");
        }
        ensure!(
            sizes.value_size <= MAX_VALUE_BYTES,
            "--value-size must be at most {MAX_VALUE_BYTES} bytes"
        );
        ensure!(
            sizes.watchers <= 10_000 && sizes.writers <= 10_000,
            "--watchers and --writers are limited to 10000"
        );
        Ok(sizes)
    }
}

/// One row of the result table.
struct Row {
    backend: &'static str,
    metric: String,
    value: String,
}

/// The rows of a run, in the order measured.
#[derive(Default)]
struct Table {
    rows: Vec<Row>,
}

impl Table {
    fn add(&mut self, backend: &'static str, metric: impl Into<String>, value: impl Into<String>) {
        self.rows.push(Row {
            backend,
            metric: metric.into(),
            value: value.into(),
        });
    }

    fn markdown(&self) -> String {
        let mut out = String::from("| backend | metric | value |\n|---|---|---:|\n");
        for row in &self.rows {
            let _ = writeln!(out, "| {} | {} | {} |", row.backend, row.metric, row.value);
        }
        out
    }
}

pub async fn run(options: BenchOptions) -> anyhow::Result<()> {
    let sizes = Sizes::from_options(&options)?;
    ensure!(
        !options.no_embedded || options.etcd.is_some(),
        "--no-embedded leaves nothing to measure without --etcd"
    );
    let value = Bytes::from(filler(sizes.value_size));
    let mut table = Table::default();
    let mut facts = Vec::new();
    let run_id = run_id();

    if !options.no_embedded {
        let base = match &options.dir {
            Some(dir) => dir.clone(),
            None => default_base(),
        };
        let dir = base.join(format!("karmada-storage-bench-{run_id}"));
        facts.push(format!(
            "embedded data dir: {} ({})",
            dir.display(),
            filesystem_of(&base)
        ));
        progress(format_args!("embedded store in {}", dir.display()));
        let result = bench_embedded(&dir, &sizes, &value, &mut table).await;
        let removed = std::fs::remove_dir_all(&dir);
        result?;
        if let Err(error) = removed
            && error.kind() != std::io::ErrorKind::NotFound
        {
            progress(format_args!(
                "warning: could not remove {}: {error}",
                dir.display()
            ));
        }
    }

    if let Some(endpoint) = &options.etcd {
        let namespace = format!("/bench-{run_id}");
        let etcd_dir = match &options.etcd_data_dir {
            Some(dir) => format!("{} ({})", dir.display(), filesystem_of(dir)),
            None => "not given (--etcd-data-dir)".to_string(),
        };
        let version = bench_etcd(endpoint, &namespace, &sizes, &value, &mut table).await?;
        facts.push(format!(
            "etcd: {version} at {endpoint}, data dir {etcd_dir}, keys under namespace {namespace}"
        ));
    }

    print_report(&options, &sizes, &facts, &table);
    Ok(())
}

/// `<pid>-<nanoseconds since the epoch>`: unique per run, for directory names and etcd namespaces.
fn run_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|since| since.as_nanos())
        .unwrap_or(0);
    format!("{}-{nanos}", std::process::id())
}

fn default_base() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

/// A printable value of `size` bytes, so that values look like the JSON the API server stores.
fn filler(size: usize) -> Vec<u8> {
    const PATTERN: &[u8] = b"{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":\"bench\"}";
    PATTERN.iter().copied().cycle().take(size).collect()
}

fn progress(message: std::fmt::Arguments<'_>) {
    eprintln!("[bench] {message}");
}

async fn bench_embedded(
    dir: &Path,
    sizes: &Sizes,
    value: &Bytes,
    table: &mut Table,
) -> anyhow::Result<()> {
    let embedded = Arc::new(
        EmbeddedStore::open(EmbeddedConfig::new(dir))
            .with_context(|| format!("opening the embedded store in {}", dir.display()))?,
    );
    let store: Arc<dyn Store> = embedded.clone();
    let result = bench_store("embedded", &store, sizes, value, table, None).await;
    drop(store);
    // Stops the committer and releases the directory before it is removed.
    embedded.close();
    result
}

/// Raw etcd measurements interleaved with the store's, so that each pair runs against the same etcd
/// state.
struct RawEtcd {
    client: Client,
    namespace: String,
}

async fn bench_etcd(
    endpoint: &str,
    namespace: &str,
    sizes: &Sizes,
    value: &Bytes,
    table: &mut Table,
) -> anyhow::Result<String> {
    let connect = Client::connect(
        [endpoint],
        Some(ConnectOptions::new().with_connect_timeout(OP_TIMEOUT)),
    );
    let mut client = tokio::time::timeout(OP_TIMEOUT, connect)
        .await
        .map_err(|_| anyhow!("etcd at {endpoint} did not answer within {OP_TIMEOUT:?}"))?
        .with_context(|| format!("connecting to etcd at {endpoint}"))?;
    let status = tokio::time::timeout(OP_TIMEOUT, client.status())
        .await
        .map_err(|_| anyhow!("etcd status did not answer within {OP_TIMEOUT:?}"))?
        .context("asking etcd for its status")?;
    let version = status.version().to_string();
    progress(format_args!(
        "etcd {version} at {endpoint}, namespace {namespace}"
    ));

    let result = bench_etcd_store(endpoint, namespace, &client, sizes, value, table).await;

    // Remove every key of this run, the store's and the raw ones, even after a failure.
    let cleanup = tokio::time::timeout(
        OP_TIMEOUT,
        client.delete(
            format!("{namespace}/"),
            Some(DeleteOptions::new().with_prefix()),
        ),
    )
    .await;
    match cleanup {
        Ok(Ok(deleted)) => progress(format_args!(
            "deleted {} etcd keys under {namespace}/",
            deleted.deleted()
        )),
        Ok(Err(error)) => progress(format_args!(
            "warning: could not delete {namespace}/ from etcd: {error}"
        )),
        Err(_) => progress(format_args!(
            "warning: deleting {namespace}/ from etcd took longer than {OP_TIMEOUT:?}"
        )),
    }
    result.map(|()| version)
}

async fn bench_etcd_store(
    endpoint: &str,
    namespace: &str,
    client: &Client,
    sizes: &Sizes,
    value: &Bytes,
    table: &mut Table,
) -> anyhow::Result<()> {
    let mut config = EtcdConfig::new(vec![endpoint.to_string()]);
    config.namespace = namespace.to_string();
    config.request_timeout = OP_TIMEOUT;
    let store: Arc<dyn Store> = Arc::new(
        EtcdStore::connect(config)
            .await
            .with_context(|| format!("connecting the etcd store to {endpoint}"))?,
    );
    let raw = RawEtcd {
        client: client.clone(),
        namespace: namespace.to_string(),
    };
    bench_store("etcd", &store, sizes, value, table, Some(&raw)).await
}

/// The measurements common to every backend; `raw` adds the etcd baseline next to the creates.
async fn bench_store(
    backend: &'static str,
    store: &Arc<dyn Store>,
    sizes: &Sizes,
    value: &Bytes,
    table: &mut Table,
    raw: Option<&RawEtcd>,
) -> anyhow::Result<()> {
    let writers = sizes.writers;
    progress(format_args!(
        "{backend}: warm-up ({} creates)",
        sizes.warmup
    ));
    store_creates(store, "/bench/warmup", sizes.warmup, writers, value).await?;
    if let Some(raw) = raw {
        raw.puts("warmup", sizes.warmup, writers, value).await?;
        raw.txn_creates("warmup-txn", sizes.warmup, writers, value)
            .await?;
    }

    for concurrency in [1, writers] {
        let label = if concurrency == 1 {
            "1 writer".to_string()
        } else {
            format!("{concurrency} writers")
        };
        // Raw first, then the store, then the raw transaction: each pair runs back to back.
        let raw_puts = match raw {
            Some(raw) => {
                progress(format_args!(
                    "{backend}: raw puts, {} in flight",
                    concurrency
                ));
                Some(
                    raw.puts(
                        &format!("put-{concurrency}"),
                        sizes.creates,
                        concurrency,
                        value,
                    )
                    .await?,
                )
            }
            None => None,
        };
        progress(format_args!(
            "{backend}: {} creates, {label}",
            sizes.creates
        ));
        let creates = store_creates(
            store,
            &format!("/bench/create-{concurrency}"),
            sizes.creates,
            concurrency,
            value,
        )
        .await?;
        let creates_per_second = creates.per_second();
        table.add(
            backend,
            format!("creates/s, {label}"),
            rate(creates_per_second),
        );
        let latencies = sorted(creates.latencies);
        table.add(
            backend,
            format!("create latency p50 / p99 / max, {label}"),
            format!(
                "{} / {} / {}",
                millis(percentile(&latencies, 50.0)),
                millis(percentile(&latencies, 99.0)),
                millis(percentile(&latencies, 100.0))
            ),
        );
        if let (Some(raw), Some(raw_puts)) = (raw, raw_puts) {
            progress(format_args!(
                "{backend}: raw txn creates, {concurrency} in flight"
            ));
            let raw_txns = raw
                .txn_creates(
                    &format!("txn-{concurrency}"),
                    sizes.creates,
                    concurrency,
                    value,
                )
                .await?;
            table.add(
                backend,
                format!("raw etcd_client puts/s, {concurrency} in flight"),
                rate(raw_puts.per_second()),
            );
            table.add(
                backend,
                format!("raw etcd_client guarded-create txns/s, {concurrency} in flight"),
                rate(raw_txns.per_second()),
            );
            table.add(
                backend,
                format!("storage creates / raw puts, {concurrency} in flight"),
                format!("{:.2}", creates_per_second / raw_puts.per_second()),
            );
        }
    }

    progress(format_args!(
        "{backend}: list of {} keys × {}",
        sizes.list_keys, sizes.list_repeats
    ));
    let lists = sorted(
        list_latencies(
            store,
            "/bench/list",
            sizes.list_keys,
            sizes.list_repeats,
            writers,
            value,
        )
        .await?,
    );
    for p in [50.0, 99.0] {
        table.add(
            backend,
            format!("list {} keys, p{p}", sizes.list_keys),
            millis(percentile(&lists, p)),
        );
    }
    if let Some(raw) = raw {
        progress(format_args!(
            "{backend}: raw range of {} keys × {}",
            sizes.list_keys, sizes.list_repeats
        ));
        let ranges = sorted(
            raw.range_latencies("/bench/list/", sizes.list_keys, sizes.list_repeats)
                .await?,
        );
        for p in [50.0, 99.0] {
            table.add(
                backend,
                format!("raw etcd_client range of {} keys, p{p}", sizes.list_keys),
                millis(percentile(&ranges, p)),
            );
        }
    }

    progress(format_args!(
        "{backend}: watch delivery, {} watchers × {} writes",
        sizes.watchers, sizes.watch_writes
    ));
    let deliveries = sorted(
        watch_latencies(
            store,
            "/bench/watch/",
            sizes.watchers,
            sizes.watch_writes,
            value,
        )
        .await?,
    );
    let label = format!(
        "watch delivery, {} watchers × {} writes",
        sizes.watchers, sizes.watch_writes
    );
    for p in [50.0, 99.0] {
        table.add(
            backend,
            format!("{label}, p{p}"),
            millis(percentile(&deliveries, p)),
        );
    }
    table.add(
        backend,
        format!("{label}, max"),
        millis(deliveries.last().copied().unwrap_or_default()),
    );
    Ok(())
}

/// What a throughput measurement saw.
struct Run {
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Run {
    fn per_second(&self) -> f64 {
        self.latencies.len() as f64 / self.elapsed.as_secs_f64().max(f64::MIN_POSITIVE)
    }
}

/// Runs `total` operations spread over `writers` tokio tasks; `op(writer, i)` is the `i`-th operation
/// of `writer`. The clock runs from before the first task is spawned until the last one is done.
async fn drive<F, Fut>(total: usize, writers: usize, op: F) -> anyhow::Result<Run>
where
    F: Fn(usize, usize) -> Fut + Clone + Send + 'static,
    Fut: Future<Output = anyhow::Result<()>> + Send + 'static,
{
    let writers = writers.clamp(1, total.max(1));
    let started = Instant::now();
    let mut tasks = JoinSet::new();
    for writer in 0..writers {
        // The first `total % writers` writers do one more.
        let count = total / writers + usize::from(writer < total % writers);
        let op = op.clone();
        tasks.spawn(async move {
            let mut latencies = Vec::with_capacity(count);
            for i in 0..count {
                let start = Instant::now();
                tokio::time::timeout(OP_TIMEOUT, op(writer, i))
                    .await
                    .map_err(|_| {
                        anyhow!("writer {writer}: operation {i} took longer than {OP_TIMEOUT:?}")
                    })??;
                latencies.push(start.elapsed());
            }
            anyhow::Ok(latencies)
        });
    }
    let mut latencies = Vec::with_capacity(total);
    while let Some(done) = tasks.join_next().await {
        latencies.extend(done.context("a writer task panicked")??);
    }
    Ok(Run {
        elapsed: started.elapsed(),
        latencies,
    })
}

/// `total` creates of `prefix/<writer>/<i>` through the store.
async fn store_creates(
    store: &Arc<dyn Store>,
    prefix: &str,
    total: usize,
    writers: usize,
    value: &Bytes,
) -> anyhow::Result<Run> {
    let store = Arc::clone(store);
    let prefix = prefix.to_string();
    let value = value.clone();
    drive(total, writers, move |writer, i| {
        let store = Arc::clone(&store);
        let key = format!("{prefix}/{writer:02}/{i:08}");
        let value = value.clone();
        async move {
            store
                .create(&key, value)
                .await
                .with_context(|| format!("creating {key}"))?;
            Ok(())
        }
    })
    .await
}

impl RawEtcd {
    /// Times `repeats` prefix reads of the store's `prefix` (after two untimed ones), straight through
    /// the client: what the store's `list` costs on top of etcd and gRPC.
    async fn range_latencies(
        &self,
        prefix: &str,
        keys: usize,
        repeats: usize,
    ) -> anyhow::Result<Vec<Duration>> {
        // Like the store, accept responses beyond gRPC's default 4 MiB.
        let mut kv = self
            .client
            .kv_client()
            .max_decoding_message_size(MAX_RESPONSE_BYTES);
        let prefix = format!("{}{prefix}", self.namespace);
        let mut latencies = Vec::with_capacity(repeats);
        for round in 0..repeats + 2 {
            let start = Instant::now();
            let response = tokio::time::timeout(
                OP_TIMEOUT,
                kv.get(prefix.clone(), Some(GetOptions::new().with_prefix())),
            )
            .await
            .map_err(|_| anyhow!("reading {prefix} took longer than {OP_TIMEOUT:?}"))?
            .with_context(|| format!("reading {prefix}"))?;
            let elapsed = start.elapsed();
            ensure!(
                response.kvs().len() == keys,
                "reading {prefix} returned {} keys, expected {keys}",
                response.kvs().len()
            );
            if round >= 2 {
                latencies.push(elapsed);
            }
        }
        Ok(latencies)
    }

    /// `total` plain puts of `<namespace>/raw/<name>/<writer>/<i>`, through clones of the client's KV
    /// handle (what `Client::put` delegates to, and what `EtcdStore` clones per request too).
    async fn puts(
        &self,
        name: &str,
        total: usize,
        writers: usize,
        value: &Bytes,
    ) -> anyhow::Result<Run> {
        let kv = self.client.kv_client();
        let prefix = format!("{}/raw/{name}", self.namespace);
        let value = value.clone();
        drive(total, writers, move |writer, i| {
            let mut kv = kv.clone();
            let key = format!("{prefix}/{writer:02}/{i:08}");
            let value = value.to_vec();
            async move {
                kv.put(key.clone(), value, None)
                    .await
                    .with_context(|| format!("raw put of {key}"))?;
                Ok(())
            }
        })
        .await
    }

    /// `total` creates as `EtcdStore::create` sends them (put if the key's create revision is 0), but
    /// straight through the client: the gap to the store is the store's own cost.
    async fn txn_creates(
        &self,
        name: &str,
        total: usize,
        writers: usize,
        value: &Bytes,
    ) -> anyhow::Result<Run> {
        let kv = self.client.kv_client();
        let prefix = format!("{}/raw/{name}", self.namespace);
        let value = value.clone();
        drive(total, writers, move |writer, i| {
            let mut kv = kv.clone();
            let key = format!("{prefix}/{writer:02}/{i:08}");
            let txn = Txn::new()
                .when([Compare::create_revision(key.clone(), CompareOp::Equal, 0)])
                .and_then([TxnOp::put(key.clone(), value.to_vec(), None)]);
            async move {
                let response = kv
                    .txn(txn)
                    .await
                    .with_context(|| format!("raw create transaction on {key}"))?;
                ensure!(response.succeeded(), "{key} existed before the raw create");
                Ok(())
            }
        })
        .await
    }
}

/// Fills `prefix/` with `keys` keys, then times `repeats` full lists of it (after two untimed ones).
async fn list_latencies(
    store: &Arc<dyn Store>,
    prefix: &str,
    keys: usize,
    repeats: usize,
    writers: usize,
    value: &Bytes,
) -> anyhow::Result<Vec<Duration>> {
    store_creates(store, prefix, keys, writers, value)
        .await
        .context("filling the listed prefix")?;
    let listed = format!("{prefix}/");
    let mut latencies = Vec::with_capacity(repeats);
    for round in 0..repeats + 2 {
        let start = Instant::now();
        let page = tokio::time::timeout(OP_TIMEOUT, store.list(&listed, ListOptions::default()))
            .await
            .map_err(|_| anyhow!("listing {listed} took longer than {OP_TIMEOUT:?}"))?
            .with_context(|| format!("listing {listed}"))?;
        let elapsed = start.elapsed();
        ensure!(
            page.items.len() == keys && page.continue_token.is_none(),
            "listing {listed} returned {} items (continue: {}), expected all {keys}",
            page.items.len(),
            page.continue_token.is_some()
        );
        if round >= 2 {
            latencies.push(elapsed);
        }
    }
    Ok(latencies)
}

/// One watcher's report: write `sequence` reached watcher `watcher` at `received`.
struct Delivery {
    sequence: usize,
    watcher: usize,
    received: Instant,
}

/// Opens `watchers` watches on `prefix`, then creates `writes` keys one at a time, each after the
/// previous one has reached every watcher. Returns one latency per (write, watcher) pair.
async fn watch_latencies(
    store: &Arc<dyn Store>,
    prefix: &str,
    watchers: usize,
    writes: usize,
    value: &Bytes,
) -> anyhow::Result<Vec<Duration>> {
    // Unbounded, but at most `watchers × writes` messages are ever sent: each watcher task stops after
    // `writes` events.
    let (tx, mut rx) = mpsc::unbounded_channel::<Delivery>();
    let mut tasks = JoinSet::new();
    for watcher in 0..watchers {
        let mut stream = tokio::time::timeout(OP_TIMEOUT, store.watch(prefix, None))
            .await
            .map_err(|_| anyhow!("opening watch {watcher} took longer than {OP_TIMEOUT:?}"))?
            .with_context(|| format!("opening watch {watcher} on {prefix}"))?;
        let tx = tx.clone();
        let prefix = prefix.to_string();
        tasks.spawn(async move {
            for expected in 0..writes {
                let next = tokio::time::timeout(DELIVERY_TIMEOUT, stream.next()).await;
                let received = Instant::now();
                let event = next
                    .map_err(|_| {
                        anyhow!("watcher {watcher} got no event within {DELIVERY_TIMEOUT:?}")
                    })?
                    .ok_or_else(|| anyhow!("watch {watcher} ended after {expected} events"))?
                    .with_context(|| format!("watch {watcher} failed"))?;
                ensure!(
                    event.kind == EventKind::Put,
                    "watcher {watcher} got an unexpected {:?} of {}",
                    event.kind,
                    event.kv.key
                );
                let sequence = event
                    .kv
                    .key
                    .strip_prefix(&prefix)
                    .and_then(|rest| rest.parse::<usize>().ok())
                    .ok_or_else(|| {
                        anyhow!("watcher {watcher} got an unexpected key {}", event.kv.key)
                    })?;
                let delivery = Delivery {
                    sequence,
                    watcher,
                    received,
                };
                if tx.send(delivery).is_err() {
                    // The measurement was abandoned.
                    return Ok(());
                }
            }
            anyhow::Ok(())
        });
    }
    drop(tx);

    let mut latencies = Vec::with_capacity(watchers * writes);
    for sequence in 0..writes {
        let key = format!("{prefix}{sequence:08}");
        let started = Instant::now();
        tokio::time::timeout(OP_TIMEOUT, store.create(&key, value.clone()))
            .await
            .map_err(|_| anyhow!("creating {key} took longer than {OP_TIMEOUT:?}"))?
            .with_context(|| format!("creating {key}"))?;
        let deadline = tokio::time::Instant::from_std(started) + DELIVERY_TIMEOUT;
        let mut delivered = 0;
        while delivered < watchers {
            tokio::select! {
                delivery = rx.recv() => {
                    let delivery = delivery
                        .ok_or_else(|| anyhow!("every watcher stopped before write {sequence}"))?;
                    ensure!(
                        delivery.sequence == sequence,
                        "watcher {} delivered write {} while write {sequence} was awaited",
                        delivery.watcher,
                        delivery.sequence
                    );
                    latencies.push(delivery.received.saturating_duration_since(started));
                    delivered += 1;
                }
                Some(done) = tasks.join_next() => {
                    // A watcher that stopped early has failed; one that got all its events is done.
                    done.context("a watcher task panicked")??;
                }
                () = tokio::time::sleep_until(deadline) => {
                    bail!(
                        "write {sequence} reached {delivered} of {watchers} watchers within \
                         {DELIVERY_TIMEOUT:?}"
                    );
                }
            }
        }
    }
    while let Some(done) = tasks.join_next().await {
        done.context("a watcher task panicked")??;
    }
    Ok(latencies)
}

fn sorted(mut durations: Vec<Duration>) -> Vec<Duration> {
    durations.sort_unstable();
    durations
}

/// The nearest-rank percentile of sorted `durations` (zero when empty).
fn percentile(durations: &[Duration], p: f64) -> Duration {
    if durations.is_empty() {
        return Duration::ZERO;
    }
    let rank = (p / 100.0 * durations.len() as f64).ceil() as usize;
    durations[rank.clamp(1, durations.len()) - 1]
}

fn millis(duration: Duration) -> String {
    format!("{:.3} ms", duration.as_secs_f64() * 1000.0)
}

/// A rate rounded to a whole number, with thousands separators.
fn rate(per_second: f64) -> String {
    let whole = per_second.round().max(0.0) as u64;
    let digits = whole.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, digit) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(digit);
    }
    out
}

fn print_report(options: &BenchOptions, sizes: &Sizes, facts: &[String], table: &Table) {
    let command: Vec<String> = std::env::args().map(|arg| shell_quote(&arg)).collect();
    let cpus = std::thread::available_parallelism().map_or(0, |n| n.get());
    let build = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!();
    println!("command: `{}`", command.join(" "));
    println!(
        "machine: {cpus} CPUs, {} RAM, {}, {build} build",
        memory_total(),
        os_name()
    );
    for fact in facts {
        println!("{fact}");
    }
    println!(
        "sizes{}: {} creates per throughput figure, {} concurrent writers, {}-byte values, \
         list of {} keys × {}, {} watchers × {} writes, {} warm-up creates",
        if options.smoke { " (smoke)" } else { "" },
        sizes.creates,
        sizes.writers,
        sizes.value_size,
        sizes.list_keys,
        sizes.list_repeats,
        sizes.watchers,
        sizes.watch_writes,
        sizes.warmup
    );
    println!();
    print!("{}", table.markdown());
}

fn shell_quote(arg: &str) -> String {
    let plain = !arg.is_empty()
        && arg
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@,+".contains(c));
    if plain {
        arg.to_string()
    } else {
        format!("'{}'", arg.replace('\'', r"'\''"))
    }
}

/// `MemTotal` from /proc/meminfo, in GiB.
fn memory_total() -> String {
    std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|meminfo| {
            meminfo
                .lines()
                .find_map(|line| line.strip_prefix("MemTotal:"))
                .and_then(|rest| {
                    rest.trim()
                        .trim_end_matches("kB")
                        .trim()
                        .parse::<u64>()
                        .ok()
                })
        })
        .map_or_else(
            || "unknown".to_string(),
            |kib| format!("{:.1} GiB", kib as f64 / (1024.0 * 1024.0)),
        )
}

/// `PRETTY_NAME` from /etc/os-release.
fn os_name() -> String {
    std::fs::read_to_string("/etc/os-release")
        .ok()
        .and_then(|release| {
            release.lines().find_map(|line| {
                line.strip_prefix("PRETTY_NAME=")
                    .map(|name| name.trim_matches('"').to_string())
            })
        })
        .unwrap_or_else(|| std::env::consts::OS.to_string())
}

/// The type of the filesystem holding `path` (its longest mount point in /proc/mounts), e.g. `tmpfs`.
fn filesystem_of(path: &Path) -> String {
    let Ok(path) = path.canonicalize() else {
        return "filesystem unknown".to_string();
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/mounts") else {
        return "filesystem unknown".to_string();
    };
    mounts
        .lines()
        .filter_map(|line| {
            let mut fields = line.split_whitespace();
            let device = fields.next()?;
            let mount_point = fields.next()?.replace("\\040", " ");
            let fs_type = fields.next()?;
            let described = if device == fs_type {
                fs_type.to_string()
            } else {
                format!("{fs_type}, {device}")
            };
            path.starts_with(&mount_point)
                .then_some((mount_point.len(), described))
        })
        .max_by_key(|(len, _)| *len)
        .map_or_else(|| "filesystem unknown".to_string(), |(_, fs)| fs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_are_nearest_rank() {
        let durations: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&durations, 50.0), Duration::from_millis(50));
        assert_eq!(percentile(&durations, 99.0), Duration::from_millis(99));
        assert_eq!(percentile(&durations, 100.0), Duration::from_millis(100));
        assert_eq!(percentile(&durations[..1], 99.0), Duration::from_millis(1));
        assert_eq!(percentile(&[], 50.0), Duration::ZERO);
    }

    #[test]
    fn rates_get_thousands_separators() {
        assert_eq!(rate(0.4), "0");
        assert_eq!(rate(999.0), "999");
        assert_eq!(rate(1234.4), "1,234");
        assert_eq!(rate(1_234_567.0), "1,234,567");
    }

    #[test]
    fn filler_has_the_requested_size() {
        assert_eq!(filler(256).len(), 256);
        assert!(filler(0).is_empty());
    }

    #[test]
    fn arguments_are_quoted_only_when_needed() {
        assert_eq!(shell_quote("--etcd"), "--etcd");
        assert_eq!(shell_quote("127.0.0.1:2379"), "127.0.0.1:2379");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
