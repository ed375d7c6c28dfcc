use std::io::{BufRead, IsTerminal, Write};

use crate::config::Settings;

use super::output;

/// One question per line on standard input; the same answers the bot gives.
pub fn run(settings: &Settings) -> anyhow::Result<()> {
    let engine = super::open_engine(settings)?;
    let interactive = std::io::stdin().is_terminal();
    if interactive {
        eprintln!("Ask a question (Ctrl-D to quit).");
    }
    let stdin = std::io::stdin();
    let mut lines = stdin.lock().lines();
    loop {
        if interactive {
            eprint!("> ");
            std::io::stderr().flush()?;
        }
        let Some(line) = lines.next() else { break };
        let line = line?;
        let question = line.trim();
        if question.is_empty() {
            continue;
        }
        print!("{}", output::answer_text(&engine.ask(question)?, 1));
        println!();
        std::io::stdout().flush()?;
    }
    Ok(())
}
