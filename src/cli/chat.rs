use std::io::{BufRead, IsTerminal, Write};

use anyhow::Context as _;

use briefbot::config::Settings;

use super::{emit, note, output};

/// One question per line on standard input; the same answers the bot gives.
/// A line that is not UTF-8 is reported and skipped: one bad paste must not
/// end a session of good questions.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let engine = super::open_engine(settings)?;
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        note("Ask a question (Ctrl-D to quit).");
    }
    let mut stdin = std::io::stdin().lock();
    let mut raw = Vec::new();
    for number in 1.. {
        if interactive {
            let mut err = std::io::stderr().lock();
            let _ = write!(err, "> ").and_then(|()| err.flush());
        }
        raw.clear();
        let read = stdin
            .read_until(b'\n', &mut raw)
            .context("reading a question from standard input")?;
        if read == 0 {
            break;
        }
        let Ok(line) = std::str::from_utf8(&raw) else {
            note(&format!(
                "line {number} is not valid UTF-8 text; skipped it (save the input as UTF-8)"
            ));
            continue;
        };
        let question = line.trim();
        if question.is_empty() {
            continue;
        }
        emit(&format!(
            "{}\n",
            output::answer_text(&engine.ask(question)?, 1)
        ))?;
    }
    Ok(())
}
