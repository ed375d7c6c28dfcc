//! Where relative paths are read from, so `briefbot ask` answers from any
//! working directory: a service unit, a container with another workdir, a
//! binary copied or installed elsewhere.
//!
//! - Paths given on the command line or in `BRIEFBOT_*` variables are read
//!   from the working directory, as any shell user expects.
//! - Paths in a config file, and the defaults of keys it leaves out, are
//!   read from the file's *root*: the folder holding it, or the one above
//!   when that folder is named `config` (the shipped `config/briefbot.toml`,
//!   as Cargo reads `.cargo/config.toml`). So the shipped file keeps saying
//!   `briefs = "briefs"`, and it means the briefs beside it.
//! - Without `--config`, the file is `config/briefbot.toml` in the first of:
//!   the working directory, the executable's folder and each folder above it
//!   (`target/release/briefbot` finds the clone it was built in,
//!   `/opt/briefbot/bin/briefbot` finds `/opt/briefbot`), the source tree the
//!   binary was built from. With no file anywhere, the defaults are read from
//!   the first of those that holds the default model folder, else from the
//!   working directory.
//! - The default model folder (`engine.model_dir` left at its default) is
//!   part of the program rather than of a project: when the root lacks it,
//!   it is taken from the first of those places that has it.
//!
//! Compiling the model into the binary was the other way: it adds 44 MB to
//! every binary that links the library (each test binary among them), and
//! still needs briefs and an index found somewhere, which this rule does.

use std::path::{Path, PathBuf};

use super::{Settings, DEFAULT_CONFIG_FILE};
use crate::config::DatabaseUrl;
use briefbot_engine::{DEFAULT_MODEL_DIR, DEFAULT_READER_DIR};

/// The places a default config file and the model are looked for.
#[derive(Debug, Clone)]
pub(crate) struct Places {
    pub cwd: PathBuf,
    /// This process's executable, if it can be named.
    pub exe: Option<PathBuf>,
    /// The source tree the binary was built from.
    pub source: PathBuf,
}

impl Places {
    /// The running process's places.
    pub(crate) fn here() -> Places {
        Places {
            cwd: std::env::current_dir().unwrap_or_else(|_| PathBuf::from(".")),
            exe: std::env::current_exe()
                .ok()
                .map(|e| e.canonicalize().unwrap_or(e)),
            source: PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        }
    }

    /// Working directory, then the executable's folder and every folder
    /// above it, then the source tree.
    fn candidates(&self) -> impl Iterator<Item = &Path> {
        let exe_dirs = self
            .exe
            .as_deref()
            .and_then(Path::parent)
            .into_iter()
            .flat_map(Path::ancestors);
        std::iter::once(self.cwd.as_path())
            .chain(exe_dirs)
            .chain(std::iter::once(self.source.as_path()))
    }

    /// The config file used when none is given.
    pub(crate) fn default_config(&self) -> Option<PathBuf> {
        self.candidates()
            .map(|d| d.join(DEFAULT_CONFIG_FILE))
            .find(|f| f.is_file())
    }

    /// The first place holding the default model folder.
    fn with_model(&self) -> Option<&Path> {
        self.candidates()
            .find(|d| has_model(&d.join(DEFAULT_MODEL_DIR)))
    }

    /// The root defaults are read from when no config file exists anywhere.
    pub(crate) fn home(&self) -> PathBuf {
        self.with_model().unwrap_or(&self.cwd).to_path_buf()
    }

    /// `file` as the process sees it: relative to the working directory.
    pub(crate) fn absolute(&self, file: &Path) -> PathBuf {
        self.cwd.join(file)
    }
}

fn has_model(dir: &Path) -> bool {
    dir.join("config.json").is_file()
}

/// The folder a config file's relative paths are read from.
pub(crate) fn root_of(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new(""));
    match dir.file_name() {
        Some(name) if name == "config" => dir.parent().unwrap_or(dir).to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// Read the relative paths of the file's (or the defaults') settings from
/// `root`; done before environment variables and flags apply.
pub(crate) fn resolve(settings: &mut Settings, root: &Path, places: &Places) {
    let paths = &mut settings.paths;
    for p in [
        &mut paths.briefs,
        &mut paths.index,
        &mut paths.data,
        &mut paths.synonyms,
    ] {
        *p = root.join(&*p);
    }
    let model = &mut settings.engine.model_dir;
    let default_model = *model == Path::new(DEFAULT_MODEL_DIR);
    *model = root.join(&*model);
    if default_model && !has_model(model) {
        if let Some(found) = places.with_model() {
            *model = found.join(DEFAULT_MODEL_DIR);
        }
    }
    // The shipped reader belongs with the shipped model: found where it is.
    let reader = &mut settings.engine.reader_dir;
    if *reader == Path::new(DEFAULT_READER_DIR) {
        let beside = places
            .with_model()
            .map(|d| d.join(DEFAULT_READER_DIR))
            .filter(|_| !root.join(DEFAULT_READER_DIR).exists());
        *reader = beside.unwrap_or_else(|| root.join(DEFAULT_READER_DIR));
    } else if !reader.as_os_str().is_empty() {
        *reader = root.join(&*reader);
    }
    if let Some(ca) = &mut settings.database.ca_file {
        *ca = root.join(&*ca);
    }
    let db = &mut settings.database.url;
    if let Some(Ok(DatabaseUrl::Sqlite(file))) = db
        .as_deref()
        .map(|u| DatabaseUrl::parse(Some(u), Path::new("")))
    {
        if file.is_relative() {
            *db = Some(root.join(file).display().to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A folder laid out like an install: `bin/briefbot`, and optionally
    /// `config/briefbot.toml` and the model's config.json.
    fn install(config: bool, model: bool) -> tempfile::TempDir {
        let d = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(d.path().join("bin")).unwrap();
        if config {
            std::fs::create_dir_all(d.path().join("config")).unwrap();
            std::fs::write(d.path().join(DEFAULT_CONFIG_FILE), "").unwrap();
        }
        if model {
            let m = d.path().join(DEFAULT_MODEL_DIR);
            std::fs::create_dir_all(&m).unwrap();
            std::fs::write(m.join("config.json"), "{}").unwrap();
        }
        d
    }

    fn places(cwd: &Path, exe_root: &Path, source: &Path) -> Places {
        Places {
            cwd: cwd.to_path_buf(),
            exe: Some(exe_root.join("bin/briefbot")),
            source: source.to_path_buf(),
        }
    }

    #[test]
    fn a_config_file_reads_its_paths_from_its_project_root() {
        assert_eq!(
            root_of(Path::new("/srv/bot/config/briefbot.toml")),
            Path::new("/srv/bot")
        );
        assert_eq!(
            root_of(Path::new("/etc/briefbot/briefbot.toml")),
            Path::new("/etc/briefbot")
        );
        let mut s = Settings::default();
        s.paths.index = "/var/lib/briefbot/index".into();
        s.database.url = Some("sqlite:state/bot.sqlite3".into());
        let nowhere = places(Path::new("/x"), Path::new("/y"), Path::new("/z"));
        resolve(&mut s, Path::new("/srv/bot"), &nowhere);
        assert_eq!(s.paths.briefs, Path::new("/srv/bot/briefs"));
        assert_eq!(s.paths.index, Path::new("/var/lib/briefbot/index"));
        assert_eq!(s.paths.synonyms, Path::new("/srv/bot/config/synonyms.txt"));
        assert_eq!(
            s.engine.model_dir,
            Path::new("/srv/bot").join(DEFAULT_MODEL_DIR)
        );
        assert_eq!(
            s.database.url.as_deref(),
            Some("/srv/bot/state/bot.sqlite3")
        );
    }

    #[test]
    fn the_default_config_is_found_beside_the_executable_then_in_the_source_tree() {
        let (cwd, exe, source) = (
            install(false, false),
            install(true, true),
            install(true, true),
        );
        let p = places(cwd.path(), exe.path(), source.path());
        assert_eq!(
            p.default_config(),
            Some(exe.path().join(DEFAULT_CONFIG_FILE))
        );
        let lone = install(false, false);
        let p = places(cwd.path(), lone.path(), source.path());
        assert_eq!(
            p.default_config(),
            Some(source.path().join(DEFAULT_CONFIG_FILE))
        );
        let p = places(source.path(), lone.path(), exe.path());
        assert_eq!(
            p.default_config(),
            Some(source.path().join(DEFAULT_CONFIG_FILE)),
            "the working directory comes first"
        );
    }

    #[test]
    fn without_any_config_file_defaults_follow_the_model() {
        let (cwd, exe, source) = (
            install(false, false),
            install(false, false),
            install(false, true),
        );
        let p = places(cwd.path(), exe.path(), source.path());
        assert_eq!(p.default_config(), None);
        assert_eq!(p.home(), source.path());
        let bare = places(cwd.path(), exe.path(), exe.path());
        assert_eq!(bare.home(), cwd.path());
    }

    #[test]
    fn the_default_model_is_found_where_the_program_is_when_the_root_lacks_it() {
        let (project, source) = (install(true, false), install(true, true));
        let p = places(project.path(), project.path(), source.path());
        let mut s = Settings::default();
        resolve(&mut s, project.path(), &p);
        assert_eq!(s.engine.model_dir, source.path().join(DEFAULT_MODEL_DIR));
        assert_eq!(s.paths.briefs, project.path().join("briefs"));
        let mut own = Settings::default();
        own.engine.model_dir = "my-model".into();
        resolve(&mut own, project.path(), &p);
        assert_eq!(own.engine.model_dir, project.path().join("my-model"));
    }
}
