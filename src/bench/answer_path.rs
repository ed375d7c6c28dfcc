//! The answer path a member waits on: the engine's answer, then the Discord
//! reply built from it (an embed with its buttons, or the decline). One file
//! serves `briefbot bench` (a module of the binary) and `benches/answer.rs`
//! (included by path), since neither can reach the other's modules and the
//! library is no place for benchmark code.

use briefbot::bot::render::{self, View};
use briefbot::bot::reply::Reply;
use briefbot_bench::TOP;
use briefbot_engine::{Answer, Engine, EngineError, Question};

/// Whether [`answer`] renders the Discord reply too.
#[allow(dead_code)] // read by `briefbot bench`'s report, not by benches/
pub const INCLUDES_RENDERING: bool = true;

/// Answer `text` on the shared briefs and render the reply.
pub fn answer(engine: &Engine, text: &str) -> Result<(Answer, Reply), EngineError> {
    let answer = engine.ask_with(&Question {
        text,
        tenant: None,
        top: TOP,
    })?;
    let view = View {
        question_id: 1,
        page: 0,
        embeds: true,
    };
    let reply = render::answer(&answer, view);
    Ok((answer, reply))
}
