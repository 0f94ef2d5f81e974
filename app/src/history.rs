//! What was generated: the journal's jobs that match a query, newest first.

use videohub_journal::{JobFilter, JobState, UnknownState};

/// A query of the journal's jobs, as a front-end receives it: each part optional, blank
/// parts ignored.
///
/// ```
/// use videohub_app::HistoryQuery;
///
/// let query = HistoryQuery { state: Some("downloaded".into()), text: Some(" ".into()), ..HistoryQuery::default() };
/// let filter = query.filter(20, 100).unwrap();
/// assert_eq!(filter.states.len(), 1);
/// assert_eq!(filter.text, None);
/// assert_eq!(filter.limit, Some(20));
/// assert!(HistoryQuery { state: Some("done".into()), ..HistoryQuery::default() }.filter(20, 100).is_err());
/// ```
#[derive(Debug, Clone, Default)]
pub struct HistoryQuery {
    /// Only this model.
    pub model: Option<String>,
    /// Only this state, e.g. `downloaded` or `outcome_unknown`.
    pub state: Option<String>,
    /// Only jobs whose prompt or parameters contain this text.
    pub text: Option<String>,
    /// At most this many.
    pub limit: Option<u32>,
}

impl HistoryQuery {
    /// The journal's filter: `limit` defaults to `default_limit` and is kept within 1 to
    /// `max_limit`. An unknown state is an error naming the known ones.
    pub fn filter(&self, default_limit: u32, max_limit: u32) -> Result<JobFilter, UnknownState> {
        let given = |part: &Option<String>| {
            part.as_deref()
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .map(str::to_owned)
        };
        let states = match given(&self.state) {
            Some(state) => vec![state.parse::<JobState>()?],
            None => Vec::new(),
        };
        Ok(JobFilter {
            states,
            model: given(&self.model),
            text: given(&self.text),
            limit: Some(
                self.limit
                    .unwrap_or(default_limit)
                    .clamp(1, max_limit.max(1)),
            ),
        })
    }
}
