//! A table's metadata and data as PxWeb gives them: JSON-stat 2.0 datasets with PxWeb's
//! extensions, and CSV.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value, json};

use super::selection::Picked;
use super::{Language, PxTable, Variable, VariableKind};

/// PX's symbol for a value not published (`..`: not available or too uncertain to give).
pub const NOT_PUBLISHED: &str = "..";

/// A cell's value: `None` when it is not published.
pub type DataCell = Option<f64>;

/// The dataset of a table's variables without values: what `/tables/{id}/metadata` gives.
pub fn metadata(
    table: &PxTable,
    variables: &[Variable],
    lang: Language,
    updated: DateTime<Utc>,
) -> Value {
    let positions: Vec<Vec<usize>> = variables
        .iter()
        .map(|variable| (0..variable.values.len()).collect())
        .collect();
    dataset(table, variables, &positions, lang, updated)
}

/// The dataset of the selected cells: what `/tables/{id}/data` gives as `json-stat2`.
pub fn json_stat2(
    table: &PxTable,
    picked: &Picked,
    values: &[DataCell],
    lang: Language,
    updated: DateTime<Utc>,
) -> Value {
    let mut dataset = dataset(table, &picked.variables, &picked.positions, lang, updated);
    dataset["value"] = values.iter().map(|value| json!(value)).collect();
    let status: Map<String, Value> = values
        .iter()
        .enumerate()
        .filter(|(_, value)| value.is_none())
        .map(|(at, _)| (at.to_string(), Value::from(NOT_PUBLISHED)))
        .collect();
    if !status.is_empty() {
        dataset["status"] = Value::Object(status);
    }
    dataset
}

/// The selected cells as CSV: a column per variable (its values' labels) and the value, `..`
/// where not published, one row per cell.
pub fn csv(picked: &Picked, values: &[DataCell]) -> String {
    let quote = |text: &str| {
        if text.contains([',', '"', '\r', '\n']) {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_owned()
        }
    };
    let mut out: Vec<String> = Vec::with_capacity(values.len() + 1);
    let mut header: Vec<String> = picked.variables.iter().map(|v| quote(&v.label)).collect();
    header.push("value".to_owned());
    out.push(header.join(","));
    let labels: Vec<Vec<String>> = picked
        .variables
        .iter()
        .zip(&picked.positions)
        .map(|(variable, positions)| {
            positions
                .iter()
                .map(|&at| quote(&variable.values[at].label))
                .collect()
        })
        .collect();
    let mut row = 0;
    super::super::query::for_each_combination(&labels, |fields: &[String]| {
        let value = values[row].map_or_else(|| NOT_PUBLISHED.to_owned(), |value| value.to_string());
        out.push(format!("{},{value}", fields.join(",")));
        row += 1;
    });
    out.join("\r\n") + "\r\n"
}

fn dataset(
    table: &PxTable,
    variables: &[Variable],
    positions: &[Vec<usize>],
    lang: Language,
    updated: DateTime<Utc>,
) -> Value {
    let mut dimensions = Map::new();
    let (mut time, mut metric) = (Vec::new(), Vec::new());
    for (variable, positions) in variables.iter().zip(positions) {
        let values = positions.iter().map(|&at| &variable.values[at]);
        let index: Map<String, Value> = values
            .clone()
            .enumerate()
            .map(|(at, value)| (value.code.clone(), Value::from(at)))
            .collect();
        let labels: Map<String, Value> = values
            .map(|value| (value.code.clone(), Value::from(value.label.clone())))
            .collect();
        let mut category = json!({ "index": index, "label": labels });
        let mut extension = json!({
            "elimination": variable.elimination().is_some(),
            "show": "value",
        });
        if let Some(code) = variable.elimination() {
            extension["eliminationValueCode"] = json!(code);
        }
        let codelists: Vec<Value> = variable
            .codelists
            .iter()
            .map(|codelist| {
                json!({
                    "id": codelist.id,
                    "label": codelist.label(lang),
                    "type": "Aggregation",
                    "links": [],
                })
            })
            .collect();
        if !codelists.is_empty() {
            // The specification names it `codelists`; PxWeb's servers and pxwebpy `codeLists`.
            extension["codelists"] = json!(codelists);
            extension["codeLists"] = json!(codelists);
        }
        match variable.kind {
            VariableKind::Time(_) => time.push(variable.code.clone()),
            VariableKind::Contents(measure) => {
                metric.push(variable.code.clone());
                let (base, decimals) = measure.unit(lang);
                let units: Map<String, Value> = variable
                    .values
                    .iter()
                    .map(|value| {
                        (
                            value.code.clone(),
                            json!({ "base": base, "decimals": decimals }),
                        )
                    })
                    .collect();
                category["unit"] = Value::Object(units);
            }
            VariableKind::Dimension(_) => {}
        }
        dimensions.insert(
            variable.code.clone(),
            json!({ "label": variable.label, "category": category, "extension": extension }),
        );
    }
    json!({
        "version": "2.0",
        "class": "dataset",
        "label": table.label(lang),
        "source": "Trygg",
        "updated": updated.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "note": [note(lang)],
        "role": { "time": time, "metric": metric },
        "id": variables.iter().map(|variable| variable.code.clone()).collect::<Vec<_>>(),
        "size": positions.iter().map(Vec::len).collect::<Vec<_>>(),
        "dimension": dimensions,
        "extension": {
            "px": {
                "tableid": table.id,
                "language": lang.code(),
                "decimals": table.measure.unit(lang).1,
                "official-statistics": false,
                "aggregallowed": false,
                "contents": table.label(lang),
            },
            "noteMandatory": { "0": true },
        },
    })
}

/// What every table says of its values.
fn note(lang: Language) -> &'static str {
    match lang {
        Language::Sv => {
            "Varje värde, även summor, har ett litet slumpmässigt brus (cellnyckelmetoden) som är \
             detsamma varje gång värdet publiceras; delarna behöver därför inte summera till \
             totalen, och inget värde under tröskeln publiceras. Publicerade månader fryses och \
             ändras bara vid revisioner. \"..\": uppgiften publiceras inte."
        }
        Language::En => {
            "Every value, totals too, carries a small random noise (the cell-key method) that is \
             the same each time it is published; parts therefore need not add up to totals, and \
             no value below the threshold is published. Published months are frozen and change \
             only at revisions. \"..\": not published."
        }
    }
}
