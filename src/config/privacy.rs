//! `[privacy]`: how long members' words are kept, and how long a server that
//! removed the bot has to change its mind before its data is deleted.

use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PrivacySettings {
    /// Days an answered question nobody voted on is kept (for the buttons
    /// and thread follow-ups) before it is deleted.
    pub question_retention_days: u32,
    /// Seconds between the bot's removal from a server and the deletion of
    /// that server's briefs, questions, votes and audit log. A rejoin within
    /// them cancels it (a kick by mistake loses nothing).
    pub leave_grace_secs: u64,
}

impl Default for PrivacySettings {
    fn default() -> Self {
        PrivacySettings {
            question_retention_days: 30,
            leave_grace_secs: 7 * 24 * 3600,
        }
    }
}

impl PrivacySettings {
    /// Checks no type can express; the error names the setting at fault.
    pub(crate) fn validate(&self) -> Result<(), (String, String)> {
        if !(1..=3650).contains(&self.question_retention_days) {
            return Err((
                "privacy.question_retention_days".into(),
                format!("{} is not between 1 and 3650", self.question_retention_days),
            ));
        }
        if self.leave_grace_secs > 366 * 24 * 3600 {
            return Err((
                "privacy.leave_grace_secs".into(),
                format!("{} is over a year (31622400)", self.leave_grace_secs),
            ));
        }
        Ok(())
    }

    /// The retention in seconds.
    pub fn question_retention_secs(&self) -> i64 {
        i64::from(self.question_retention_days) * 24 * 3600
    }
}
