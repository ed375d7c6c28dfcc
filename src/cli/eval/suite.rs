//! Scoring over many documents at once (a folder of `<doc>/briefs` +
//! `<doc>/questions.json`, the layout of the SQuAD and WikiQA samples): each
//! document gets its own engine, so one document's passages never compete
//! with another's, and the figures add up to one set of totals.

use anyhow::Context;
use serde::Serialize;

use briefbot_engine::eval::{self, Document, EvalReport, QuestionSet, Summary};
use briefbot_engine::{Engine, EngineConfig};

/// How often questions about another document were declined: a question
/// whose answer is not in the briefs must not be answered from them.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Foreign {
    pub asked: usize,
    pub declined: usize,
}

#[derive(Debug, Serialize)]
pub struct DocumentReport {
    pub name: String,
    #[serde(flatten)]
    pub report: EvalReport,
    pub foreign: Foreign,
}

/// The figures the quality floors are checked against.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Totals {
    pub documents: usize,
    pub questions: usize,
    pub in_scope: usize,
    /// Share of in-scope questions whose top answer is right; declines are misses.
    pub p_at_1: f64,
    pub mrr_at_5: f64,
    pub false_declines: usize,
    /// False declines as a share of the in-scope questions.
    pub false_decline_rate: f64,
    /// ...of them with the verdict that the passage does not say.
    pub false_not_stated: usize,
    pub out_of_scope: usize,
    pub out_of_scope_declined: usize,
    /// ...of them with the verdict that the briefs are about the question
    /// but do not say.
    pub out_of_scope_not_stated: usize,
    pub foreign: Foreign,
}

impl Totals {
    /// Micro-averaged: every question counts the same, whatever its document.
    pub fn add(&mut self, s: &Summary, foreign: Foreign) {
        let n = s.in_scope as f64;
        let before = self.in_scope as f64;
        self.documents += 1;
        self.questions += s.questions;
        self.in_scope += s.in_scope;
        if self.in_scope > 0 {
            let total = self.in_scope as f64;
            self.p_at_1 = (self.p_at_1 * before + s.p_at_1 * n) / total;
            self.mrr_at_5 = (self.mrr_at_5 * before + s.mrr_at_5 * n) / total;
        }
        self.false_declines += s.false_declines;
        self.false_decline_rate = ratio(self.false_declines, self.in_scope);
        self.false_not_stated += s.false_not_stated;
        self.out_of_scope += s.out_of_scope;
        self.out_of_scope_declined += s.declines_correct;
        self.out_of_scope_not_stated += s.declines_not_stated;
        self.foreign.asked += foreign.asked;
        self.foreign.declined += foreign.declined;
    }

    pub fn foreign_declined_rate(&self) -> Option<f64> {
        (self.foreign.asked > 0).then(|| ratio(self.foreign.declined, self.foreign.asked))
    }

    pub fn out_of_scope_declined_rate(&self) -> Option<f64> {
        (self.out_of_scope > 0).then(|| ratio(self.out_of_scope_declined, self.out_of_scope))
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Score every document with its own in-memory engine, built from `base`
/// (threshold, synonyms, limits) with the document's briefs. With
/// `foreign > 0`, each document is also asked up to that many questions of
/// the next document (in name order, wrapping round), all of which it should
/// decline.
pub fn run(
    docs: &[Document],
    base: &EngineConfig,
    foreign: usize,
) -> anyhow::Result<(Vec<DocumentReport>, Totals)> {
    let sets = docs
        .iter()
        .map(|d| QuestionSet::load(&d.questions).map_err(anyhow::Error::from))
        .collect::<anyhow::Result<Vec<_>>>()?;
    let mut reports = Vec::with_capacity(docs.len());
    let mut totals = Totals::default();
    for (i, doc) in docs.iter().enumerate() {
        let cfg = EngineConfig {
            briefs_dir: doc.briefs.clone(),
            tenant_briefs_dir: None,
            index_dir: None,
            ..base.clone()
        };
        let (engine, opened) =
            Engine::open(cfg).with_context(|| format!("indexing {}", doc.briefs.display()))?;
        for p in &opened.problems {
            crate::cli::note(&format!("warning: {}: {}", p.file.display(), p.problem));
        }
        let report = eval::run(&engine, &sets[i])?;
        let foreign = if foreign > 0 && docs.len() > 1 {
            ask_foreign(&engine, &sets[(i + 1) % docs.len()], foreign)?
        } else {
            Foreign::default()
        };
        totals.add(&report.summary, foreign);
        reports.push(DocumentReport {
            name: doc.name.clone(),
            report,
            foreign,
        });
    }
    Ok((reports, totals))
}

/// Ask the first `n` answerable questions of another document's set.
fn ask_foreign(
    engine: &Engine,
    other: &QuestionSet,
    n: usize,
) -> Result<Foreign, briefbot_engine::EngineError> {
    let questions = other
        .questions
        .iter()
        .filter(|q| !q.expect.is_empty())
        .take(n)
        .map(|q| eval::EvalQuestion {
            q: q.q.clone(),
            expect: Vec::new(),
        })
        .collect();
    let set = QuestionSet {
        about: String::new(),
        questions,
    };
    let s = eval::run(engine, &set)?.summary;
    Ok(Foreign {
        asked: s.out_of_scope,
        declined: s.declines_correct,
    })
}

/// Minimum (or, for false declines, maximum) figures a run must meet.
#[derive(Debug, Clone, Default)]
pub struct Floors {
    pub min_p_at_1: Option<f64>,
    pub max_false_declines: Option<f64>,
    pub min_foreign_declined: Option<f64>,
    pub min_out_of_scope_declined: Option<f64>,
}

impl Floors {
    /// Each floor the totals miss, said in words; empty when all are met.
    pub fn misses(&self, t: &Totals) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(min) = self.min_p_at_1.filter(|&m| t.p_at_1 < m) {
            out.push(format!("P@1 {:.3} is below {min}", t.p_at_1));
        }
        if let Some(max) = self
            .max_false_declines
            .filter(|&m| t.false_decline_rate > m)
        {
            out.push(format!(
                "false declines {:.3} ({} of {}) are above {max}",
                t.false_decline_rate, t.false_declines, t.in_scope
            ));
        }
        if let Some(min) = self.min_foreign_declined {
            match t.foreign_declined_rate() {
                Some(r) if r >= min => {}
                Some(r) => out.push(format!("foreign questions declined {r:.3} is below {min}")),
                None => out.push("no foreign questions were asked (use --foreign N)".into()),
            }
        }
        if let Some(min) = self.min_out_of_scope_declined {
            match t.out_of_scope_declined_rate() {
                Some(r) if r >= min => {}
                Some(r) => out.push(format!("out-of-scope declined {r:.3} is below {min}")),
                None => out.push("the set has no out-of-scope question".into()),
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn summary(in_scope: usize, p: f64, false_declines: usize) -> Summary {
        Summary {
            questions: in_scope,
            in_scope,
            p_at_1: p,
            mrr_at_5: p,
            false_declines,
            ..Summary::default()
        }
    }

    #[test]
    fn totals_weigh_every_question_alike() {
        let mut t = Totals::default();
        t.add(&summary(10, 1.0, 0), Foreign::default());
        t.add(
            &summary(30, 0.5, 3),
            Foreign {
                asked: 4,
                declined: 3,
            },
        );
        assert_eq!(t.documents, 2);
        assert!((t.p_at_1 - 25.0 / 40.0).abs() < 1e-9);
        assert!((t.false_decline_rate - 3.0 / 40.0).abs() < 1e-9);
        assert_eq!(t.foreign_declined_rate(), Some(0.75));
    }

    #[test]
    fn floors_name_each_figure_missed() {
        let mut t = Totals::default();
        t.add(&summary(10, 0.5, 2), Foreign::default());
        let floors = Floors {
            min_p_at_1: Some(0.6),
            max_false_declines: Some(0.1),
            min_foreign_declined: Some(0.8),
            min_out_of_scope_declined: None,
        };
        let misses = floors.misses(&t);
        assert_eq!(misses.len(), 3, "{misses:?}");
        assert!(misses[0].contains("P@1 0.500"));
        assert!(misses[2].contains("--foreign"));
        let met = Floors {
            min_p_at_1: Some(0.5),
            ..Floors::default()
        };
        assert!(met.misses(&t).is_empty());
    }
}
