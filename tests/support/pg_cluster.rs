//! A throwaway PostgreSQL for tests: `initdb` into a temp dir and `postgres`
//! on a free loopback port, as an unprivileged user when the tests run as
//! root (PostgreSQL refuses to run as root).
//!
//! Most tests take a fresh database on the one server their test binary
//! shares ([`database`]): it starts on first use and stops, deleting its
//! files, when the binary exits. A test that stops or restarts PostgreSQL
//! starts a server of its own ([`start`]), which stops when dropped.
//!
//! Without PostgreSQL installed the tests that need it are skipped, saying
//! why once; with `BRIEFBOT_REQUIRE_POSTGRES=1` (set by `.ci/run`) a missing
//! PostgreSQL fails them instead.

use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, Once, OnceLock, PoisonError};
use std::time::{Duration, Instant};

pub struct PgCluster {
    pub port: u16,
    bin: PathBuf,
    data: PathBuf,
    dir: tempfile::TempDir,
    user: Option<(u32, u32)>,
    server: Option<Child>,
    /// More `-c name=value` settings for the server.
    settings: Vec<String>,
}

/// A server certificate and its key, in PEM.
pub struct ServerTls {
    pub cert_pem: String,
    pub key_pem: String,
}

/// A server of the test's own, or None (after printing why once) to skip
/// the test: for tests that stop or restart it. Start, stop and drop it on
/// the test's thread: the server stops when the thread that started it ends.
pub fn start() -> Option<PgCluster> {
    PgCluster::start(None).map_err(skip).ok()
}

/// A server of the test's own serving TLS with `tls` and refusing
/// connections without it, or None (after printing why once) to skip.
pub fn start_tls(tls: &ServerTls) -> Option<PgCluster> {
    PgCluster::start(Some(tls)).map_err(skip).ok()
}

/// A new, empty database on the server this test binary shares, and its URL;
/// or None (after printing why once) to skip the test.
pub fn database(name: &str) -> Option<String> {
    let shared = SHARED
        .get_or_init(start_shared)
        .as_ref()
        .map_err(|why| skip(why.clone()));
    let cluster = shared.ok()?.lock().unwrap_or_else(PoisonError::into_inner);
    let cluster = cluster
        .as_ref()
        .expect("the shared PostgreSQL is stopped only at exit");
    // Tests may pick the same name: the number keeps each database fresh.
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    Some(cluster.database(&format!("{name}_{n}")))
}

/// The shared server; taken out (and so stopped) at exit.
static SHARED: OnceLock<Result<Mutex<Option<PgCluster>>, String>> = OnceLock::new();

/// Start the shared server from a thread that lives as long as the test
/// binary: the server is told to stop when that thread ends (the parent-death
/// signal fires when the spawning thread exits, so a test's own thread would
/// not do), which covers a test binary that is killed. A normal exit stops it
/// and deletes its files from an `atexit` handler.
fn start_shared() -> Result<Mutex<Option<PgCluster>>, String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name("postgres-keeper".into())
        .spawn(move || {
            let _ = tx.send(PgCluster::start(None));
            loop {
                std::thread::park();
            }
        })
        .map_err(|e| format!("starting the PostgreSQL keeper thread: {e}"))?;
    let cluster = rx
        .recv()
        .map_err(|_| "the PostgreSQL keeper thread died".to_string())??;
    // SAFETY: registers a plain function with no preconditions.
    if unsafe { libc::atexit(stop_shared) } != 0 {
        return Err("atexit refused the PostgreSQL clean-up".into());
    }
    Ok(Mutex::new(Some(cluster)))
}

extern "C" fn stop_shared() {
    if let Some(Ok(shared)) = SHARED.get() {
        // Dropped, it stops the server and deletes its directory.
        drop(shared.lock().unwrap_or_else(PoisonError::into_inner).take());
    }
}

fn skip(why: String) {
    if std::env::var("BRIEFBOT_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("PostgreSQL is required (BRIEFBOT_REQUIRE_POSTGRES=1): {why}");
    }
    static SAID: Once = Once::new();
    // Straight to stderr: the test harness captures eprintln! of a
    // passing test, and this line must be seen.
    SAID.call_once(|| {
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), "skipping the PostgreSQL tests: {why}");
    });
}

/// The directory holding initdb and postgres: `PG_BIN`, else the newest
/// Debian/Ubuntu install, else `pg_config --bindir`.
fn find_bin() -> Result<PathBuf, String> {
    if let Ok(dir) = std::env::var("PG_BIN") {
        return Ok(PathBuf::from(dir));
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let v = e.file_name().to_string_lossy().parse().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").exists().then_some((v, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    let out = Command::new("pg_config").arg("--bindir").output();
    match out {
        Ok(o) if o.status.success() => {
            let bin = PathBuf::from(String::from_utf8_lossy(&o.stdout).trim());
            if bin.join("initdb").exists() {
                return Ok(bin);
            }
            Err(format!(
                "pg_config names {} but it has no initdb",
                bin.display()
            ))
        }
        _ => Err("initdb not found (install Debian's postgresql package, or set PG_BIN)".into()),
    }
}

/// The uid and gid to run PostgreSQL as when we are root.
fn unprivileged() -> Result<Option<(u32, u32)>, String> {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        return Ok(None);
    }
    let name = std::ffi::CString::new("nobody").unwrap();
    // SAFETY: a valid C string; the result is read before any other getpw* call.
    let pw = unsafe { libc::getpwnam(name.as_ptr()) };
    if pw.is_null() {
        return Err("running as root and there is no user `nobody` to run PostgreSQL as".into());
    }
    // SAFETY: checked non-null above.
    let (uid, gid) = unsafe { ((*pw).pw_uid, (*pw).pw_gid) };
    Ok(Some((uid, gid)))
}

fn free_port() -> Result<u16, String> {
    let l = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    Ok(l.local_addr().map_err(|e| e.to_string())?.port())
}

impl PgCluster {
    fn start(tls: Option<&ServerTls>) -> Result<PgCluster, String> {
        let bin = find_bin()?;
        let user = unprivileged()?;
        let dir = tempfile::Builder::new()
            .prefix("briefbot-pg")
            .tempdir()
            .map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .map_err(|e| format!("chown {}: {e}", dir.path().display()))?;
        }
        let data = dir.path().join("data");
        let out = as_user(Command::new(bin.join("initdb")), user)
            .args(["--auth=trust", "--username=briefbot", "--encoding=UTF8"])
            .args(["--no-locale", "--no-sync", "--no-instructions", "-D"])
            .arg(&data)
            .output()
            .map_err(|e| format!("running initdb: {e}"))?;
        if !out.status.success() {
            return Err(format!(
                "initdb failed: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            ));
        }
        let settings = match tls {
            Some(tls) => serve_tls(&data, user, tls)?,
            None => Vec::new(),
        };
        let mut cluster = PgCluster {
            port: free_port()?,
            bin,
            data,
            dir,
            user,
            server: None,
            settings,
        };
        cluster.start_server()?;
        Ok(cluster)
    }

    fn start_server(&mut self) -> Result<(), String> {
        let log =
            std::fs::File::create(self.dir.path().join("server.log")).map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = self.user {
            let _ =
                std::os::unix::fs::chown(self.dir.path().join("server.log"), Some(uid), Some(gid));
        }
        let mut postgres = as_user(Command::new(self.bin.join("postgres")), self.user);
        // Stopped (fast shutdown) when the thread that started it ends, so a
        // killed test binary leaves no server behind. Set after the switch
        // to the unprivileged user, which would clear it.
        // SAFETY: prctl is async-signal-safe and touches nothing of ours.
        unsafe {
            postgres.pre_exec(|| {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGINT) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let child = postgres
            .arg("-D")
            .arg(&self.data)
            .args(["-c", "listen_addresses=127.0.0.1", "-c", "fsync=off"])
            .args(["-c", "max_connections=100"])
            .args(self.settings.iter().flat_map(|s| ["-c", s.as_str()]))
            .arg("-p")
            .arg(self.port.to_string())
            .arg("-c")
            .arg(format!(
                "unix_socket_directories={}",
                self.dir.path().display()
            ))
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .map_err(|e| format!("starting postgres: {e}"))?;
        self.server = Some(child);
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if self.accepts() {
                return Ok(());
            }
            if let Some(Ok(Some(status))) = self.server.as_mut().map(|c| c.try_wait()) {
                return Err(format!("postgres exited ({status}): {}", self.log()));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Err(format!(
            "postgres did not accept connections: {}",
            self.log()
        ))
    }

    /// pg_isready: the server accepts connections.
    fn accepts(&self) -> bool {
        Command::new(self.bin.join("pg_isready"))
            .args(["-q", "-h", "127.0.0.1", "-p", &self.port.to_string()])
            .status()
            .is_ok_and(|s| s.success())
    }

    fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }

    /// A new, empty database and its URL.
    pub fn database(&self, name: &str) -> String {
        let out = Command::new(self.bin.join("createdb"))
            .args([
                "-h",
                "127.0.0.1",
                "-p",
                &self.port.to_string(),
                "-U",
                "briefbot",
            ])
            .arg(name)
            .output()
            .expect("running createdb");
        assert!(
            out.status.success(),
            "createdb {name}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.url(name)
    }

    pub fn url(&self, db: &str) -> String {
        format!("postgres://briefbot@127.0.0.1:{}/{db}", self.port)
    }

    /// Stop the server (fast shutdown: connections are cut, as in an outage).
    pub fn stop(&mut self) {
        if let Some(mut child) = self.server.take() {
            // SAFETY: signalling our own child by its pid.
            unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
            let _ = child.wait();
        }
    }

    /// Start it again on the same port, with the same data.
    pub fn restart(&mut self) {
        self.stop();
        self.start_server().expect("postgres restarts");
    }
}

/// Write the certificate and key into `data`, and a `pg_hba.conf` that
/// refuses TCP connections without TLS: a client that connects used it.
fn serve_tls(
    data: &std::path::Path,
    user: Option<(u32, u32)>,
    tls: &ServerTls,
) -> Result<Vec<String>, String> {
    use std::os::unix::fs::PermissionsExt;
    let write = |name: &str, text: &str| -> Result<(), String> {
        let path = data.join(name);
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
        // PostgreSQL refuses a key others can read.
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600))
            .map_err(|e| e.to_string())?;
        if let Some((uid, gid)) = user {
            std::os::unix::fs::chown(&path, Some(uid), Some(gid)).map_err(|e| e.to_string())?;
        }
        Ok(())
    };
    write("server.crt", &tls.cert_pem)?;
    write("server.key", &tls.key_pem)?;
    write(
        "pg_hba.conf",
        "local all all trust\n\
         hostnossl all all 127.0.0.1/32 reject\n\
         hostssl all all 127.0.0.1/32 trust\n",
    )?;
    Ok(vec![
        "ssl=on".into(),
        format!("ssl_cert_file={}", data.join("server.crt").display()),
        format!("ssl_key_file={}", data.join("server.key").display()),
    ])
}

fn as_user(mut cmd: Command, user: Option<(u32, u32)>) -> Command {
    if let Some((uid, gid)) = user {
        cmd.uid(uid).gid(gid);
        // Its own process group: a Ctrl-C meant for the tests does not stop
        // it before the test can.
        cmd.process_group(0);
    }
    cmd
}

impl Drop for PgCluster {
    fn drop(&mut self) {
        self.stop();
    }
}
