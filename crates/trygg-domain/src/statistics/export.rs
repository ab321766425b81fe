//! The formats statistics are served in besides JSON: CSV and JSON-stat 2.0, the same from
//! the API and from the pages' downloads.

use serde_json::{Map, Value, json};

use super::{
    Dimension, ReleaseView, StatisticsError, StatisticsQuery, SuppressionThreshold, Table,
};

/// JSON-stat's status for a suppressed (confidential) value, as Eurostat marks them.
const SUPPRESSED: &str = "c";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    /// RFC 4180, with this separator.
    Csv(char),
    JsonStat,
}

impl Format {
    /// The codes [`Format::parse`] takes.
    pub const CODES: [&'static str; 4] = ["json", "csv", "csv-semicolon", "json-stat"];

    pub fn parse(code: &str) -> Result<Format, StatisticsError> {
        match code {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv(',')),
            "csv-semicolon" => Ok(Format::Csv(';')),
            "json-stat" => Ok(Format::JsonStat),
            other => Err(StatisticsError::UnknownFormat(other.to_owned())),
        }
    }

    pub fn media_type(self) -> &'static str {
        match self {
            Format::Json => "application/json",
            Format::Csv(_) => "text/csv; charset=utf-8; header=present",
            Format::JsonStat => "application/json-stat+json",
        }
    }
}

/// One row per cell: each dimension's code and label, the count (empty when suppressed) and
/// whether it is suppressed. The semicolon variant starts with a byte-order mark, so that
/// Excel set to Swedish reads it as UTF-8.
pub fn csv(table: &Table, separator: char) -> String {
    let mut header: Vec<String> = Vec::new();
    for axis in table.axes() {
        header.push(axis.dimension.code().to_owned());
        header.push(format!("{}_label", axis.dimension.code()));
    }
    header.extend(["count".to_owned(), "suppressed".to_owned()]);
    let rows = (0..table.len()).map(|index| {
        let mut fields: Vec<String> = Vec::new();
        for (axis, at) in table.axes().iter().zip(table.coordinates(index)) {
            fields.push(axis.categories[at].code.clone());
            fields.push(axis.categories[at].label.clone());
        }
        let count = table.count(index);
        fields.push(count.map(|n| n.to_string()).unwrap_or_default());
        fields.push(count.is_none().to_string());
        fields
    });
    csv_text(std::iter::once(header).chain(rows), separator)
}

/// How a table reads in a spreadsheet, in the reader's language: the headings, each
/// category's label, the symbol a suppressed count shows and the lines that explain it.
pub struct SpreadsheetWords<'a> {
    pub heading: &'a dyn Fn(Dimension) -> String,
    pub category: &'a dyn Fn(Dimension, &str, &str) -> String,
    pub count: &'a str,
    pub suppressed: &'a str,
    pub legend: &'a [String],
}

impl std::fmt::Debug for SpreadsheetWords<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SpreadsheetWords")
            .field("count", &self.count)
            .field("suppressed", &self.suppressed)
            .finish_non_exhaustive()
    }
}

/// The table for a person with Excel set to Swedish: semicolons and a byte-order mark, one
/// row per cell with its categories in words, a suppressed count as a symbol Excel keeps as
/// text (not an empty cell, which it reads as nothing), and the legend after a blank line.
pub fn spreadsheet(table: &Table, words: &SpreadsheetWords<'_>) -> String {
    let mut header: Vec<String> = table
        .axes()
        .iter()
        .map(|axis| (words.heading)(axis.dimension))
        .collect();
    header.push(words.count.to_owned());
    let rows = (0..table.len()).map(|index| {
        let mut fields: Vec<String> = table
            .axes()
            .iter()
            .zip(table.coordinates(index))
            .map(|(axis, at)| {
                let category = &axis.categories[at];
                (words.category)(axis.dimension, &category.code, &category.label)
            })
            .collect();
        let count = table.count(index);
        fields.push(count.map_or_else(|| words.suppressed.to_owned(), |n| n.to_string()));
        fields
    });
    let legend = words.legend.iter().map(|line| vec![line.clone()]);
    let blank = std::iter::once(Vec::new());
    csv_text(
        std::iter::once(header)
            .chain(rows)
            .chain(blank)
            .chain(legend),
        ';',
    )
}

/// Rows of fields as RFC 4180 text with `separator`, quoting where needed; with `;` (Excel
/// set to Swedish) it starts with a byte-order mark so that Excel reads it as UTF-8.
fn csv_text(rows: impl IntoIterator<Item = Vec<String>>, separator: char) -> String {
    let field = |text: &str| {
        if text.contains([separator, '"', '\r', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out = String::new();
    if separator == ';' {
        out.push('\u{feff}');
    }
    for row in rows {
        let fields: Vec<String> = row.iter().map(|text| field(text)).collect();
        out.push_str(&fields.join(&separator.to_string()));
        out.push_str("\r\n");
    }
    out
}

/// A JSON-stat 2.0 dataset: the table's dimensions and a `contents` dimension for the
/// measure (as PxWeb's ContentsCode), values in row-major order, suppressed values `null`
/// with status `c`.
pub fn json_stat(
    query: &StatisticsQuery,
    table: &Table,
    threshold: SuppressionThreshold,
    release: &ReleaseView,
) -> Value {
    let mut ids: Vec<&str> = Vec::new();
    let mut sizes: Vec<usize> = Vec::new();
    let mut dimensions = Map::new();
    for axis in table.axes() {
        let id = axis.dimension.code();
        ids.push(id);
        sizes.push(axis.categories.len());
        let labels: Map<String, Value> = axis
            .categories
            .iter()
            .map(|c| (c.code.clone(), Value::from(c.label.clone())))
            .collect();
        // An object of positions rather than an array (both are JSON-stat 2.0): PxWeb's API
        // gives it so, and readers written against PxWeb (pxwebpy) take only that form.
        let index: Map<String, Value> = axis
            .categories
            .iter()
            .enumerate()
            .map(|(at, c)| (c.code.clone(), Value::from(at)))
            .collect();
        dimensions.insert(
            id.to_owned(),
            json!({ "label": axis.dimension.label(), "category": { "index": index, "label": labels } }),
        );
    }
    ids.push("contents");
    sizes.push(1);
    dimensions.insert(
        "contents".into(),
        json!({
            "label": "Innehåll",
            "category": {
                "index": { "cases": 0 },
                "label": { "cases": "Antal anmälda händelser" },
                "unit": { "cases": { "label": "antal", "decimals": 0 } }
            }
        }),
    );
    let values: Vec<Option<u64>> = (0..table.len()).map(|i| table.count(i)).collect();
    let status: Map<String, Value> = (0..table.len())
        .filter(|&i| table.count(i).is_none())
        .map(|i| (i.to_string(), Value::from(SUPPRESSED)))
        .collect();
    let mut role = json!({ "metric": ["contents"] });
    if let Some(period) = table
        .axes()
        .iter()
        .find(|axis| matches!(axis.dimension, Dimension::Period(_)))
    {
        role["time"] = json!([period.dimension.code()]);
    }
    let period = query.period();
    let note = match release.is_published() {
        true => perturbed_note(threshold),
        false => format!(
            "Värden under {} och värden som skulle avslöja dem är undertryckta (status \"{SUPPRESSED}\").",
            threshold.get()
        ),
    };
    let mut dataset = json!({
        "version": "2.0",
        "class": "dataset",
        "label": format!("Anmälningsstatistik {} – {}", period.from(), period.last_day()),
        "source": "Trygg",
        "note": [note],
        "id": ids,
        "size": sizes,
        "role": role,
        "dimension": dimensions,
        "value": values,
        "status": status,
        "extension": {
            "from": period.from(),
            "to": period.to(),
            "suppression_threshold": threshold.get(),
            "filters": query.filters().iter().map(|(d, v)| (d.code().to_owned(), Value::from(v.clone()))).collect::<Map<String, Value>>(),
            "release": release,
        }
    });
    if let Some(publication) = &release.publication {
        dataset["updated"] = json!(publication.published_at);
    }
    dataset
}

/// What every published table says of its counts.
fn perturbed_note(threshold: SuppressionThreshold) -> String {
    format!(
        "Varje värde, även summor, har ett litet slumpmässigt brus (cellnyckelmetoden) som är \
         detsamma varje gång värdet publiceras. Delarna behöver därför inte summera till \
         totalen. Inget värde från 1 till {} publiceras.",
        threshold.get() - 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::{Axis, Category};

    #[test]
    fn a_spreadsheet_speaks_the_reader_s_language_and_marks_what_is_hidden() {
        let gender = Axis {
            dimension: Dimension::Gender,
            categories: vec![
                Category {
                    code: "woman".into(),
                    label: "woman".into(),
                },
                Category {
                    code: "man".into(),
                    label: "man".into(),
                },
                Category::total(),
            ],
        };
        let cells = [
            (vec!["woman".to_owned()], 10, 0),
            (vec!["man".to_owned()], 2, 0),
        ];
        let table = Table::protected(vec![gender], cells, SuppressionThreshold::DEFAULT).unwrap();
        let legend = ["..: skyddat; ingen ska kunna pekas ut".to_owned()];
        let words = SpreadsheetWords {
            heading: &|_| "Den utsattas kön".to_owned(),
            category: &|_, code, _| match code {
                "woman" => "Kvinna".to_owned(),
                "man" => "Man".to_owned(),
                _ => "Totalt".to_owned(),
            },
            count: "Antal",
            suppressed: "..",
            legend: &legend,
        };
        assert_eq!(
            spreadsheet(&table, &words),
            "\u{feff}Den utsattas kön;Antal\r\nKvinna;..\r\nMan;..\r\nTotalt;12\r\n\r\n\
             \"..: skyddat; ingen ska kunna pekas ut\"\r\n"
        );
    }
}
