//! The embedded store's files: a write-ahead log of committed changes and a snapshot of the state.
//!
//! Layout of the data directory:
//! * `lock` — held (flock) while a process has the directory open;
//! * `snapshot` — the whole multi-version state at some revision; written to `snapshot.tmp`, synced and
//!   renamed over the old one, so it is always complete;
//! * `wal` — records appended after the snapshot. A record is `len: u32 LE, crc32: u32 LE, payload`
//!   and holds one commit batch. A record is synced before any write in it is acknowledged; a torn
//!   record at the end (a crash mid-append) is cut off on open, losing only unacknowledged writes.
//! * `wal.old` — while a snapshot is being written in the background: the log it will cover, renamed
//!   aside so new records go to a fresh `wal`. Removed once the snapshot is in place.
//!
//! Records whose revisions the snapshot already covers are skipped on replay, so a crash at any
//! point of a snapshot is harmless: on open, `wal.old` (if any) and `wal` are replayed in order, and
//! a leftover `wal.old` is folded into a new snapshot before the store serves.

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use bytes::Bytes;

use super::mvcc::{Mvcc, Op};
use crate::storage::{Event, EventKind, KeyValue, Revision, StorageError};

const SNAPSHOT_MAGIC: &[u8; 8] = b"KRSSNAP1";
const RECORD_HEADER: usize = 8;
/// A record larger than this is treated as garbage (a torn length field), not allocated.
const MAX_RECORD: u32 = 1 << 30;

const TAG_PUT: u8 = 1;
const TAG_DELETE: u8 = 2;

fn corrupt(reason: impl Into<String>) -> StorageError {
    StorageError::Corrupt {
        reason: reason.into(),
    }
}

pub(super) fn io_error(context: &str, error: io::Error) -> StorageError {
    StorageError::Unavailable {
        reason: format!("{context}: {error}"),
    }
}

// ---- encoding -------------------------------------------------------------------------------------

#[derive(Default)]
struct Encoder(Vec<u8>);

impl Encoder {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn i64(&mut self, v: i64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn bytes(&mut self, v: &[u8]) {
        self.u64(v.len() as u64);
        self.0.extend_from_slice(v);
    }
    fn op(&mut self, op: &Op) {
        match op {
            Op::Put {
                key,
                value,
                revision,
                create_revision,
            } => {
                self.u8(TAG_PUT);
                self.i64(*revision);
                self.i64(*create_revision);
                self.bytes(key.as_bytes());
                self.bytes(value);
            }
            Op::Delete { key, revision } => {
                self.u8(TAG_DELETE);
                self.i64(*revision);
                self.bytes(key.as_bytes());
            }
        }
    }
    fn kv(&mut self, kv: &KeyValue) {
        self.bytes(kv.key.as_bytes());
        self.bytes(&kv.value);
        self.i64(kv.create_revision.0);
        self.i64(kv.mod_revision.0);
    }
    fn event(&mut self, event: &Event) {
        self.u8(match event.kind {
            EventKind::Put => TAG_PUT,
            EventKind::Delete => TAG_DELETE,
        });
        self.kv(&event.kv);
        match &event.prev {
            Some(prev) => {
                self.u8(1);
                self.kv(prev);
            }
            None => self.u8(0),
        }
    }
}

struct Decoder {
    buf: Bytes,
    pos: usize,
}

impl Decoder {
    fn new(buf: Bytes) -> Self {
        Decoder { buf, pos: 0 }
    }
    fn done(&self) -> bool {
        self.pos == self.buf.len()
    }
    fn take(&mut self, n: usize) -> Result<Bytes, StorageError> {
        if self.buf.len() - self.pos < n {
            return Err(corrupt("record ends early"));
        }
        let out = self.buf.slice(self.pos..self.pos + n);
        self.pos += n;
        Ok(out)
    }
    fn u8(&mut self) -> Result<u8, StorageError> {
        Ok(self.take(1)?[0])
    }
    fn u64(&mut self) -> Result<u64, StorageError> {
        let b = self.take(8)?;
        Ok(u64::from_le_bytes(b[..].try_into().expect("8 bytes")))
    }
    fn i64(&mut self) -> Result<i64, StorageError> {
        Ok(self.u64()? as i64)
    }
    fn bytes(&mut self) -> Result<Bytes, StorageError> {
        let len = usize::try_from(self.u64()?).map_err(|_| corrupt("length overflows"))?;
        self.take(len)
    }
    fn string(&mut self) -> Result<String, StorageError> {
        String::from_utf8(self.bytes()?.to_vec()).map_err(|_| corrupt("key is not UTF-8"))
    }
    fn op(&mut self) -> Result<Op, StorageError> {
        match self.u8()? {
            TAG_PUT => {
                let revision = self.i64()?;
                let create_revision = self.i64()?;
                let key = self.string()?;
                let value = self.bytes()?;
                Ok(Op::Put {
                    key,
                    value,
                    revision,
                    create_revision,
                })
            }
            TAG_DELETE => {
                let revision = self.i64()?;
                let key = self.string()?;
                Ok(Op::Delete { key, revision })
            }
            tag => Err(corrupt(format!("unknown change tag {tag}"))),
        }
    }
    fn kv(&mut self) -> Result<KeyValue, StorageError> {
        Ok(KeyValue {
            key: self.string()?,
            value: self.bytes()?,
            create_revision: Revision(self.i64()?),
            mod_revision: Revision(self.i64()?),
        })
    }
    fn event(&mut self) -> Result<Event, StorageError> {
        let kind = match self.u8()? {
            TAG_PUT => EventKind::Put,
            TAG_DELETE => EventKind::Delete,
            tag => return Err(corrupt(format!("unknown event tag {tag}"))),
        };
        let kv = self.kv()?;
        let prev = match self.u8()? {
            0 => None,
            1 => Some(self.kv()?),
            flag => return Err(corrupt(format!("bad previous-value flag {flag}"))),
        };
        Ok(Event { kind, kv, prev })
    }
}

// ---- files ----------------------------------------------------------------------------------------

/// The open data directory: its lock and the log being appended to.
pub(super) struct Disk {
    dir: PathBuf,
    wal: File,
    wal_bytes: u64,
    _lock: File,
}

impl Disk {
    /// Opens (creating if needed) `dir`, loads the snapshot and replays the log into a state.
    ///
    /// # Errors
    /// `Unavailable` when the directory cannot be used (in use by another process, I/O errors),
    /// `Corrupt` when the snapshot cannot be read (the store refuses to start rather than lose data).
    pub(super) fn open(dir: &Path) -> Result<(Disk, Mvcc, WalReplay), StorageError> {
        fs::create_dir_all(dir).map_err(|e| io_error(&format!("creating {}", dir.display()), e))?;
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(dir.join("lock"))
            .map_err(|e| io_error("opening the lock file", e))?;
        lock.try_lock().map_err(|_| StorageError::Unavailable {
            reason: format!(
                "data directory {} is in use by another process",
                dir.display()
            ),
        })?;

        let mut mvcc = match fs::read(dir.join("snapshot")) {
            Ok(raw) => decode_snapshot(Bytes::from(raw))?,
            Err(e) if e.kind() == io::ErrorKind::NotFound => Mvcc::default(),
            Err(e) => return Err(io_error("reading the snapshot", e)),
        };

        let mut wal = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(dir.join("wal"))
            .map_err(|e| io_error("opening the write-ahead log", e))?;
        // A snapshot that did not finish: its log comes first.
        let old_path = dir.join("wal.old");
        let old = match fs::read(&old_path) {
            Ok(raw) => Some(replay(Bytes::from(raw), &mut mvcc)?),
            Err(e) if e.kind() == io::ErrorKind::NotFound => None,
            Err(e) => return Err(io_error("reading the rotated write-ahead log", e)),
        };
        let mut raw = Vec::new();
        wal.read_to_end(&mut raw)
            .map_err(|e| io_error("reading the write-ahead log", e))?;
        let mut replay = replay(Bytes::from(raw), &mut mvcc)?;
        if let Some(old) = &old {
            replay.applied += old.applied;
        }
        if replay.valid_bytes < replay.total_bytes {
            tracing::warn!(
                dir = %dir.display(),
                kept = replay.valid_bytes,
                dropped = replay.total_bytes - replay.valid_bytes,
                "cutting off a torn write-ahead log tail (unacknowledged writes of a crash)"
            );
            wal.set_len(replay.valid_bytes)
                .and_then(|_| wal.sync_all())
                .map_err(|e| io_error("truncating the write-ahead log", e))?;
        }
        wal.seek(SeekFrom::Start(replay.valid_bytes))
            .map_err(|e| io_error("seeking the write-ahead log", e))?;
        let mut disk = Disk {
            dir: dir.to_path_buf(),
            wal,
            wal_bytes: replay.valid_bytes,
            _lock: lock,
        };
        if old.is_some() {
            // Finish what the interrupted snapshot started, before anything is appended.
            disk.snapshot_now(&mvcc)?;
        }
        Ok((disk, mvcc, replay))
    }

    /// Writes a snapshot of `mvcc` (the whole state, everything appended so far applied) right now,
    /// then empties the log and removes any rotated log.
    pub(super) fn snapshot_now(&mut self, mvcc: &Mvcc) -> Result<(), StorageError> {
        write_snapshot_file(&self.dir, mvcc).map_err(|e| io_error("writing a snapshot", e))?;
        let old = self.dir.join("wal.old");
        self.wal
            .set_len(0)
            .and_then(|_| self.wal.seek(SeekFrom::Start(0)).map(|_| ()))
            .and_then(|_| self.wal.sync_all())
            .and_then(|_| match fs::remove_file(&old) {
                Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
                _ => Ok(()),
            })
            .and_then(|_| File::open(&self.dir)?.sync_all())
            .map_err(|e| io_error("truncating the write-ahead log", e))?;
        self.wal_bytes = 0;
        Ok(())
    }

    /// Whether a snapshot that failed left its rotated log behind (then the next snapshot must be
    /// written with [`Disk::snapshot_now`]).
    pub(super) fn has_rotated_log(&self) -> bool {
        self.dir.join("wal.old").exists()
    }

    pub(super) fn wal_bytes(&self) -> u64 {
        self.wal_bytes
    }

    /// Appends one batch of changes and syncs it to disk.
    pub(super) fn append(&mut self, ops: &[Op]) -> Result<(), StorageError> {
        let mut payload = Encoder::default();
        payload.u64(ops.len() as u64);
        for op in ops {
            payload.op(op);
        }
        let payload = payload.0;
        let mut record = Vec::with_capacity(RECORD_HEADER + payload.len());
        record.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        record.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        record.extend_from_slice(&payload);
        self.wal
            .write_all(&record)
            .and_then(|_| self.wal.sync_data())
            .map_err(|e| io_error("appending to the write-ahead log", e))?;
        self.wal_bytes += record.len() as u64;
        Ok(())
    }

    /// Starts a snapshot: the current log is renamed to `wal.old` and a fresh `wal` takes new
    /// records. Returns the job that writes a snapshot of the state as of now and removes `wal.old`;
    /// run it on any thread with a copy of that state. Refused while a rotated log exists.
    pub(super) fn begin_snapshot(&mut self) -> Result<SnapshotJob, StorageError> {
        let old = self.dir.join("wal.old");
        if old.exists() {
            return Err(StorageError::unavailable(
                "a previous snapshot left wal.old; snapshot synchronously instead",
            ));
        }
        let rotate = || -> io::Result<File> {
            fs::rename(self.dir.join("wal"), &old)?;
            let wal = OpenOptions::new()
                .create(true)
                .truncate(true)
                .read(true)
                .write(true)
                .open(self.dir.join("wal"))?;
            wal.sync_all()?;
            File::open(&self.dir)?.sync_all()?;
            Ok(wal)
        };
        self.wal = rotate().map_err(|e| io_error("rotating the write-ahead log", e))?;
        self.wal_bytes = 0;
        Ok(SnapshotJob {
            dir: self.dir.clone(),
        })
    }
}

/// A snapshot being written while the committer goes on (see [`Disk::begin_snapshot`]).
pub(super) struct SnapshotJob {
    dir: PathBuf,
}

impl SnapshotJob {
    /// Writes the snapshot of `mvcc` (the state when the job began, or later) and drops the log
    /// it covers.
    pub(super) fn run(self, mvcc: &Mvcc) -> Result<(), StorageError> {
        write_snapshot_file(&self.dir, mvcc).map_err(|e| io_error("writing a snapshot", e))?;
        fs::remove_file(self.dir.join("wal.old"))
            .and_then(|_| File::open(&self.dir)?.sync_all())
            .map_err(|e| io_error("removing the rotated write-ahead log", e))
    }
}

/// Writes `snapshot` atomically: a temporary file, synced, renamed over the old one, directory synced.
fn write_snapshot_file(dir: &Path, mvcc: &Mvcc) -> io::Result<()> {
    let encoded = encode_snapshot(mvcc);
    let tmp = dir.join("snapshot.tmp");
    let mut file = File::create(&tmp)?;
    file.write_all(&encoded)?;
    file.sync_all()?;
    fs::rename(&tmp, dir.join("snapshot"))?;
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// What replaying the log found.
pub(super) struct WalReplay {
    pub valid_bytes: u64,
    pub total_bytes: u64,
    pub applied: usize,
}

fn replay(raw: Bytes, mvcc: &mut Mvcc) -> Result<WalReplay, StorageError> {
    let total = raw.len();
    let mut pos = 0usize;
    let mut applied = 0;
    while total - pos >= RECORD_HEADER {
        let len = u32::from_le_bytes(raw[pos..pos + 4].try_into().expect("4 bytes"));
        let crc = u32::from_le_bytes(raw[pos + 4..pos + 8].try_into().expect("4 bytes"));
        let start = pos + RECORD_HEADER;
        if len > MAX_RECORD || total - start < len as usize {
            break;
        }
        let payload = raw.slice(start..start + len as usize);
        if crc32fast::hash(&payload) != crc {
            break;
        }
        let mut decoder = Decoder::new(payload);
        let count = decoder.u64()?;
        for _ in 0..count {
            let op = decoder.op()?;
            // The snapshot may already hold it (crash between snapshot and log truncation).
            if op.revision() > mvcc.revision() {
                mvcc.apply(op)?;
                applied += 1;
            }
        }
        if !decoder.done() {
            return Err(corrupt("write-ahead log record has trailing bytes"));
        }
        pos = start + len as usize;
    }
    Ok(WalReplay {
        valid_bytes: pos as u64,
        total_bytes: total as u64,
        applied,
    })
}

fn encode_snapshot(mvcc: &Mvcc) -> Vec<u8> {
    let (revision, compacted, data, log) = mvcc.parts();
    let mut body = Encoder::default();
    body.i64(revision);
    body.i64(compacted);
    body.u64(data.len() as u64);
    for kv in &data {
        body.kv(kv);
    }
    body.u64(log.len() as u64);
    for event in log {
        body.event(event);
    }
    let body = body.0;
    let mut out = Vec::with_capacity(body.len() + 12);
    out.extend_from_slice(SNAPSHOT_MAGIC);
    out.extend_from_slice(&crc32fast::hash(&body).to_le_bytes());
    out.extend_from_slice(&body);
    out
}

fn decode_snapshot(raw: Bytes) -> Result<Mvcc, StorageError> {
    if raw.len() < 12 || &raw[..8] != SNAPSHOT_MAGIC {
        return Err(corrupt("snapshot has no karmada-rs header"));
    }
    let crc = u32::from_le_bytes(raw[8..12].try_into().expect("4 bytes"));
    let body = raw.slice(12..);
    if crc32fast::hash(&body) != crc {
        return Err(corrupt("snapshot checksum mismatch"));
    }
    let mut d = Decoder::new(body);
    let revision = d.i64()?;
    let compacted = d.i64()?;
    let count = d.u64()?;
    let mut data = Vec::new();
    for _ in 0..count {
        data.push(d.kv()?);
    }
    let count = d.u64()?;
    let mut log = VecDeque::new();
    for _ in 0..count {
        log.push_back(d.event()?);
    }
    if !d.done() {
        return Err(corrupt("snapshot has trailing bytes"));
    }
    Mvcc::from_parts(revision, compacted, data, log)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn put(key: &str, value: &str, revision: i64) -> Op {
        Op::Put {
            key: key.into(),
            value: Bytes::copy_from_slice(value.as_bytes()),
            revision,
            create_revision: revision,
        }
    }

    #[test]
    fn a_torn_log_tail_is_cut_off_and_earlier_batches_survive() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut disk, _, _) = Disk::open(dir.path()).unwrap();
            disk.append(&[put("/a", "1", 1), put("/b", "2", 2)])
                .unwrap();
            disk.append(&[put("/c", "3", 3)]).unwrap();
        }
        // A crash in the middle of appending the third batch.
        let wal = dir.path().join("wal");
        let full = fs::read(&wal).unwrap();
        let mut torn = full.clone();
        torn.extend_from_slice(&[200, 0, 0, 0, 1, 2, 3, 4, 9, 9]);
        fs::write(&wal, &torn).unwrap();

        let (disk, mvcc, replay) = Disk::open(dir.path()).unwrap();
        assert_eq!(mvcc.revision(), 3);
        assert_eq!(replay.applied, 3);
        assert_eq!(disk.wal_bytes(), full.len() as u64);
        assert_eq!(fs::read(&wal).unwrap(), full);
    }

    #[test]
    fn a_flipped_bit_in_the_last_record_drops_only_that_record() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut disk, _, _) = Disk::open(dir.path()).unwrap();
            disk.append(&[put("/a", "1", 1)]).unwrap();
            disk.append(&[put("/b", "2", 2)]).unwrap();
        }
        let wal = dir.path().join("wal");
        let mut raw = fs::read(&wal).unwrap();
        let last = raw.len() - 1;
        raw[last] ^= 0x40;
        fs::write(&wal, &raw).unwrap();
        let (_, mvcc, _) = Disk::open(dir.path()).unwrap();
        assert_eq!(mvcc.revision(), 1);
        assert!(mvcc.get("/b").is_none());
    }

    #[test]
    fn snapshot_then_log_round_trips_and_skips_covered_records() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut disk, mut mvcc, _) = Disk::open(dir.path()).unwrap();
            for (i, key) in ["/a", "/b", "/c"].iter().enumerate() {
                let op = put(key, "v", i as i64 + 1);
                disk.append(std::slice::from_ref(&op)).unwrap();
                mvcc.apply(op).unwrap();
            }
            mvcc.compact(1).unwrap();
            // Snapshot, then pretend the rotation was lost by writing the old records back.
            let old_wal = fs::read(dir.path().join("wal")).unwrap();
            disk.begin_snapshot().unwrap().run(&mvcc).unwrap();
            fs::write(dir.path().join("wal"), old_wal).unwrap();
        }
        let (_, mvcc, replay) = Disk::open(dir.path()).unwrap();
        assert_eq!(replay.applied, 0);
        assert_eq!(mvcc.revision(), 3);
        assert_eq!(mvcc.compacted(), 1);
        assert_eq!(mvcc.history_len(), 2);
        assert_eq!(mvcc.get("/c").unwrap().mod_revision, Revision(3));
    }

    #[test]
    fn a_crash_during_a_background_snapshot_loses_nothing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let (mut disk, mut mvcc, _) = Disk::open(dir.path()).unwrap();
            for i in 1..=3 {
                let op = put(&format!("/k{i}"), "v", i);
                disk.append(std::slice::from_ref(&op)).unwrap();
                mvcc.apply(op).unwrap();
            }
            // The log is rotated, the snapshot job never runs (the process dies), writes go on.
            let _job = disk.begin_snapshot().unwrap();
            assert!(disk.has_rotated_log());
            assert!(disk.begin_snapshot().is_err(), "one rotation at a time");
            for i in 4..=5 {
                disk.append(&[put(&format!("/k{i}"), "v", i)]).unwrap();
            }
        }
        let (disk, mvcc, _) = Disk::open(dir.path()).unwrap();
        assert_eq!(mvcc.revision(), 5);
        assert!(mvcc.get("/k2").is_some() && mvcc.get("/k5").is_some());
        assert!(
            !disk.has_rotated_log(),
            "the interrupted snapshot is finished on open"
        );
        drop(disk);
        // And once more: the folded state survives another restart.
        let (_, mvcc, _) = Disk::open(dir.path()).unwrap();
        assert_eq!(mvcc.revision(), 5);
    }

    #[test]
    fn a_finished_background_snapshot_removes_the_rotated_log() {
        let dir = tempfile::tempdir().unwrap();
        let (mut disk, mut mvcc, _) = Disk::open(dir.path()).unwrap();
        let op = put("/a", "1", 1);
        disk.append(std::slice::from_ref(&op)).unwrap();
        mvcc.apply(op).unwrap();
        let job = disk.begin_snapshot().unwrap();
        let copy = mvcc.clone();
        std::thread::spawn(move || job.run(&copy))
            .join()
            .unwrap()
            .unwrap();
        assert!(!disk.has_rotated_log());
        disk.append(&[put("/b", "2", 2)]).unwrap();
        drop(disk);
        let (_, mvcc, replay) = Disk::open(dir.path()).unwrap();
        assert_eq!(mvcc.revision(), 2);
        assert_eq!(
            replay.applied, 1,
            "only the record after the snapshot is replayed"
        );
    }

    #[test]
    fn a_damaged_snapshot_refuses_to_open() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("snapshot"), b"KRSSNAP1\0\0\0\0garbage").unwrap();
        assert!(matches!(
            Disk::open(dir.path()),
            Err(StorageError::Corrupt { .. })
        ));
    }

    #[test]
    fn a_second_opener_of_the_same_directory_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let _first = Disk::open(dir.path()).unwrap();
        assert!(matches!(
            Disk::open(dir.path()),
            Err(StorageError::Unavailable { .. })
        ));
    }
}
