//! The per-query nDCG@k distribution: a chart and a summary row per engine
//! run, or a note saying why there is none.

use serde::Serialize;

use super::ChartView;
use crate::charts::distribution::{distribution_chart, share_at_most};
use crate::format;
use crate::per_query::PerQuery;
use crate::svg::palette::Colours;

/// The distribution subsection.
#[derive(Debug, Serialize)]
pub(crate) struct DistributionView {
    chart: Option<ChartView>,
    rows: Vec<Row>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct Row {
    engine: String,
    queries: String,
    mean: String,
    median: String,
    zero: String,
    half: String,
}

impl DistributionView {
    pub(super) fn new(per_query: &PerQuery, k: usize, colours: &Colours) -> DistributionView {
        let note = |text: String| DistributionView { chart: None, rows: Vec::new(), note: Some(text) };
        let d = match per_query {
            PerQuery::NotLooked => {
                return note("Rendered from results.json alone: per_query.parquet was not read.".into());
            }
            PerQuery::Missing => return note("No per_query.parquet beside results.json.".into()),
            PerQuery::Unreadable(why) => return note(format!("per_query.parquet could not be read: {why}")),
            PerQuery::Read(None) => return note("per_query.parquet holds no query of the first query set.".into()),
            PerQuery::Read(Some(d)) => d,
        };
        let title = format!("per-query nDCG@{k}, query set {}", d.query_set);
        let rows = d
            .engines
            .iter()
            .map(|(id, v)| {
                let n = v.len();
                let mean = if n == 0 { f64::NAN } else { v.iter().sum::<f64>() / n as f64 };
                let median = match n {
                    0 => f64::NAN,
                    _ if n % 2 == 1 => v[n / 2],
                    _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
                };
                Row {
                    engine: id.clone(),
                    queries: format::count(n as u64),
                    mean: format::fixed(mean, 4),
                    median: format::fixed(median, 4),
                    zero: format::percent(share_at_most(v, 0.0), 1),
                    half: format::percent(1.0 - share_at_most(v, 0.5 - 1e-12), 1),
                }
            })
            .collect();
        DistributionView {
            chart: Some(ChartView {
                svg: distribution_chart(&title, &format!("nDCG@{k} of a query"), &d.engines, colours),
                title,
                caption: Some(
                    "For each x, the share of queries scoring at most x: lower and further right is better; \
                     the height at 0 is the share of queries with nothing relevant in the top k."
                        .into(),
                ),
            }),
            rows,
            note: None,
        }
    }

    /// Charts in this subsection.
    pub(super) fn chart_count(&self) -> usize {
        usize::from(self.chart.is_some())
    }
}
