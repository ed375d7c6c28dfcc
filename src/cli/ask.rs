use briefbot::config::Settings;
use briefbot_engine::Question;

use super::output;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The question, as a member would type it.
    pub question: String,
    /// Print the answer as JSON.
    #[arg(long)]
    pub json: bool,
    /// How many ranked passages to print.
    #[arg(long, default_value_t = 1)]
    pub top: usize,
}

pub fn run(settings: &Settings, args: Args) -> anyhow::Result<()> {
    let engine = super::open_engine(settings)?;
    let answer = engine.ask_with(&Question {
        text: &args.question,
        tenant: None,
        top: args.top.max(1),
    })?;
    let text = if args.json {
        let json = output::AnswerJson::new(&answer, args.top);
        let mut json = serde_json::to_string_pretty(&json)?;
        json.push('\n');
        json
    } else {
        output::answer_text(&answer, args.top)
    };
    super::emit(&text)?;
    Ok(())
}
