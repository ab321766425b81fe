//! Which cells of a table a data request asks for: value codes or PxWeb's selection
//! expressions per variable, and code lists.

use serde::Deserialize;

use super::{Codelist, Language, MAX_DATA_CELLS, PxError, Variable, VariableKind};

/// The most value codes or expressions one variable's selection may list, and the longest
/// each may be: every code a table has fits many times over, and matching stays cheap.
pub const MAX_VALUE_CODES: usize = 500;
pub const MAX_CODE_LENGTH: usize = 64;

/// A data request's selection, as PxWeb's `VariablesSelection` (POST) or its query string
/// (`valuecodes[VAR]=…`, `codelist[VAR]=…`) gives it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct Selection {
    /// Per variable, the values wanted; a variable left out is its total (the period may not
    /// be left out).
    pub selection: Vec<VariableSelection>,
    /// Where variables go in a pivoted output; JSON-stat and the long CSV have no pivot.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Object>))]
    pub placement: Option<serde_json::Value>,
}

/// PxWeb's `VariableSelection`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "camelCase")]
pub struct VariableSelection {
    pub variable_code: String,
    /// A code list to group the variable's values by.
    #[serde(default)]
    pub codelist: Option<String>,
    /// Codes, or expressions: `*`, `top(n)`, `range(a,b)`, …
    #[serde(default)]
    pub value_codes: Vec<String>,
}

/// The cells asked for: each variable (with its code list applied) and the positions of its
/// values picked, in the variable's order.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked {
    pub variables: Vec<Variable>,
    pub positions: Vec<Vec<usize>>,
}

impl Picked {
    /// How many cells the selection gives.
    pub fn cells(&self) -> usize {
        self.positions.iter().map(Vec::len).product()
    }

    /// The codes picked of the variable at `at`.
    pub fn codes(&self, at: usize) -> impl Iterator<Item = &str> {
        let values = &self.variables[at].values;
        self.positions[at]
            .iter()
            .map(move |&position| values[position].code.as_str())
    }
}

impl Selection {
    /// A selection from a query string's pairs: `valuecodes[VAR]` (comma-separated) and
    /// `codelist[VAR]`, other parameters ignored.
    pub fn from_query(params: &[(String, String)]) -> Result<Option<Selection>, PxError> {
        let mut selection = Selection::default();
        let mut given = false;
        for (name, value) in params {
            let (field, variable) = match name.split_once('[') {
                Some((field, rest)) => match rest.strip_suffix(']') {
                    Some(variable) => (field.to_ascii_lowercase(), variable),
                    None => continue,
                },
                None => continue,
            };
            let entry = |selection: &mut Selection| -> usize {
                match selection
                    .selection
                    .iter()
                    .position(|s| s.variable_code == variable)
                {
                    Some(at) => at,
                    None => {
                        selection.selection.push(VariableSelection {
                            variable_code: variable.to_owned(),
                            codelist: None,
                            value_codes: Vec::new(),
                        });
                        selection.selection.len() - 1
                    }
                }
            };
            match field.as_str() {
                "valuecodes" => {
                    let at = entry(&mut selection);
                    if !selection.selection[at].value_codes.is_empty() {
                        return Err(PxError::Repeated(variable.to_owned()));
                    }
                    selection.selection[at].value_codes = split_codes(value);
                    given = true;
                }
                "codelist" => {
                    let at = entry(&mut selection);
                    selection.selection[at].codelist = Some(value.clone());
                    given = true;
                }
                _ => {}
            }
        }
        Ok(given.then_some(selection))
    }

    /// Checks the selection against a table's variables and picks the cells; `None` is the
    /// default selection: the latest period, every value of the rest.
    pub fn pick(
        selection: Option<&Selection>,
        variables: &[Variable],
        lang: Language,
    ) -> Result<Picked, PxError> {
        let mut variables = variables.to_vec();
        let Some(selection) = selection else {
            let positions = variables
                .iter()
                .map(|variable| match variable.kind {
                    VariableKind::Time(_) => {
                        variable.values.len().checked_sub(1).into_iter().collect()
                    }
                    _ => (0..variable.values.len()).collect(),
                })
                .collect();
            return checked(Picked {
                variables,
                positions,
            });
        };
        let mut positions: Vec<Option<Vec<usize>>> = vec![None; variables.len()];
        for asked in &selection.selection {
            let at = variables
                .iter()
                .position(|v| v.code.eq_ignore_ascii_case(&asked.variable_code))
                .ok_or_else(|| PxError::UnknownVariable(asked.variable_code.clone()))?;
            if positions[at].is_some() {
                return Err(PxError::Repeated(asked.variable_code.clone()));
            }
            if let Some(id) = &asked.codelist {
                let codelist = Codelist::find(id)
                    .ok()
                    .filter(|codelist| variables[at].codelists.contains(codelist));
                let Some(codelist) = codelist else {
                    return Err(PxError::CodelistNotForVariable {
                        variable: variables[at].code.clone(),
                        codelist: id.clone(),
                    });
                };
                variables[at] = variables[at].with_codelist(codelist, lang);
            }
            if asked.value_codes.len() > MAX_VALUE_CODES
                || asked
                    .value_codes
                    .iter()
                    .any(|code| code.len() > MAX_CODE_LENGTH)
            {
                return Err(PxError::SelectionTooLong(variables[at].code.clone()));
            }
            let picked = resolve(&variables[at], &asked.value_codes)?;
            if picked.is_empty() {
                return Err(PxError::EmptySelection(variables[at].code.clone()));
            }
            positions[at] = Some(picked);
        }
        let positions = variables
            .iter()
            .zip(positions)
            .map(|(variable, picked)| match picked {
                Some(picked) => Ok(picked),
                None => match variable.elimination() {
                    Some(code) => Ok(variable
                        .values
                        .iter()
                        .position(|value| value.code == code)
                        .into_iter()
                        .collect()),
                    None => Err(PxError::Mandatory(variable.code.clone())),
                },
            })
            .collect::<Result<Vec<_>, _>>()?;
        checked(Picked {
            variables,
            positions,
        })
    }
}

fn checked(picked: Picked) -> Result<Picked, PxError> {
    if let Some(variable) = picked
        .variables
        .iter()
        .zip(&picked.positions)
        .find(|(_, positions)| positions.is_empty())
        .map(|(variable, _)| variable)
    {
        return Err(match variable.kind {
            VariableKind::Time(_) => PxError::NoPeriods,
            _ => PxError::EmptySelection(variable.code.clone()),
        });
    }
    match picked.cells() {
        cells if cells > MAX_DATA_CELLS => Err(PxError::TooManyCells(cells)),
        _ => Ok(picked),
    }
}

/// Comma-separated codes; a comma inside an expression's brackets does not split.
fn split_codes(text: &str) -> Vec<String> {
    let (mut codes, mut current, mut depth) = (Vec::new(), String::new(), 0u32);
    for c in text.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                codes.push(std::mem::take(&mut current));
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    codes.push(current);
    codes
        .into_iter()
        .map(|code| code.trim().to_owned())
        .filter(|code| !code.is_empty())
        .collect()
}

/// The positions of the values that `expressions` pick, in the variable's order: codes, `*`
/// (all), `prefix*`, `*suffix`, `*part*`, `top(n[,offset])` (the last n, as PxWeb's latest
/// periods), `bottom(n[,offset])`, `range(a,b)`, `from(a)` and `to(a)`.
fn resolve(variable: &Variable, expressions: &[String]) -> Result<Vec<usize>, PxError> {
    let codes: Vec<&str> = variable.values.iter().map(|v| v.code.as_str()).collect();
    let unknown = |value: &str| PxError::UnknownValue {
        variable: variable.code.clone(),
        value: value.to_owned(),
    };
    let position = |code: &str| {
        codes
            .iter()
            .position(|known| known.eq_ignore_ascii_case(code))
            .ok_or_else(|| unknown(code))
    };
    let mut picked = vec![false; codes.len()];
    for expression in expressions {
        let call = |name: &str| {
            let rest = expression.get(..name.len())?;
            rest.eq_ignore_ascii_case(name)
                .then(|| {
                    expression[name.len()..]
                        .strip_prefix('(')?
                        .strip_suffix(')')
                })
                .flatten()
                .map(|args| args.split(',').map(str::trim).collect::<Vec<_>>())
        };
        let number = |text: &str| text.parse::<usize>().map_err(|_| unknown(expression));
        let n = codes.len();
        let range: std::ops::Range<usize> = if expression == "*" {
            0..n
        } else if let Some(args) = call("top") {
            let (count, offset) = counts(&args, number)?;
            n.saturating_sub(count.saturating_add(offset))..n.saturating_sub(offset)
        } else if let Some(args) = call("bottom") {
            let (count, offset) = counts(&args, number)?;
            offset.min(n)..offset.saturating_add(count).min(n)
        } else if let Some(args) = call("range") {
            let [from, to] = args[..] else {
                return Err(unknown(expression));
            };
            position(from)?..position(to)? + 1
        } else if let Some(args) = call("from") {
            position(args.first().copied().unwrap_or_default())?..n
        } else if let Some(args) = call("to") {
            0..position(args.first().copied().unwrap_or_default())? + 1
        } else if expression.contains('*') || expression.contains('?') {
            let matching: Vec<usize> = (0..n)
                .filter(|&at| wildcard(expression, codes[at]))
                .collect();
            for at in matching {
                picked[at] = true;
            }
            continue;
        } else {
            let at = position(expression)?;
            at..at + 1
        };
        for at in range {
            picked[at] = true;
        }
    }
    Ok((0..codes.len()).filter(|&at| picked[at]).collect())
}

/// `top(n)` and `bottom(n)`'s count and optional offset.
fn counts(
    args: &[&str],
    number: impl Fn(&str) -> Result<usize, PxError>,
) -> Result<(usize, usize), PxError> {
    match args {
        [count] => Ok((number(count)?, 0)),
        [count, offset] => Ok((number(count)?, number(offset)?)),
        _ => number("").map(|_| (0, 0)),
    }
}

/// Whether `code` matches a pattern of `*` (any run) and `?` (any one character).
fn wildcard(pattern: &str, code: &str) -> bool {
    let (pattern, code): (Vec<char>, Vec<char>) =
        (pattern.chars().collect(), code.chars().collect());
    // matches[j]: whether the pattern so far matches the first j characters of the code.
    let mut matches = vec![false; code.len() + 1];
    matches[0] = true;
    for p in pattern {
        let mut next = vec![false; code.len() + 1];
        for j in 0..=code.len() {
            next[j] = match p {
                '*' => matches[j] || (j > 0 && next[j - 1]),
                '?' => j > 0 && matches[j - 1],
                c => j > 0 && matches[j - 1] && code[j - 1].eq_ignore_ascii_case(&c),
            };
        }
        matches = next;
    }
    matches[code.len()]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::statistics::Category;

    fn months() -> Variable {
        Variable {
            code: "month".into(),
            label: "Månad".into(),
            values: ["2026-01", "2026-02", "2026-03", "2026-04"]
                .map(|code| Category {
                    code: code.into(),
                    label: code.into(),
                })
                .to_vec(),
            kind: VariableKind::Time(crate::statistics::Grain::Month),
            codelists: Vec::new(),
            applied: None,
        }
    }

    fn pick(expressions: &[&str]) -> Result<Vec<usize>, PxError> {
        resolve(
            &months(),
            &expressions
                .iter()
                .map(|e| e.to_string())
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn expressions_pick_values_in_the_variable_s_order() {
        assert_eq!(pick(&["*"]), Ok(vec![0, 1, 2, 3]));
        assert_eq!(pick(&["top(2)"]), Ok(vec![2, 3]), "the latest two");
        assert_eq!(pick(&["top(1,1)"]), Ok(vec![2]));
        assert_eq!(pick(&["bottom(1)"]), Ok(vec![0]));
        assert_eq!(pick(&["range(2026-02,2026-03)"]), Ok(vec![1, 2]));
        assert_eq!(pick(&["from(2026-03)"]), Ok(vec![2, 3]));
        assert_eq!(pick(&["to(2026-02)"]), Ok(vec![0, 1]));
        assert_eq!(pick(&["2026-0?", "2026-01"]), Ok(vec![0, 1, 2, 3]));
        assert_eq!(pick(&["*-04"]), Ok(vec![3]));
        assert_eq!(
            pick(&["2026-03", "2026-01"]),
            Ok(vec![0, 2]),
            "sorted, once each"
        );
        assert_eq!(
            pick(&["top(9)"]),
            Ok(vec![0, 1, 2, 3]),
            "no more than there are"
        );
        assert!(matches!(
            pick(&["2025-12"]),
            Err(PxError::UnknownValue { .. })
        ));
        assert_eq!(
            pick(&[
                "top(1,18446744073709551615)",
                "bottom(18446744073709551615,2)"
            ]),
            Ok(vec![2, 3]),
            "counts past the end are the end"
        );
        assert!(matches!(
            pick(&["top(x)"]),
            Err(PxError::UnknownValue { .. })
        ));
        assert!(matches!(
            pick(&["range(2026-01)"]),
            Err(PxError::UnknownValue { .. })
        ));
    }

    #[test]
    fn a_query_string_selects_by_variable_and_splits_outside_brackets() {
        let params = [
            ("valuecodes[month]", "top(2, 1),2026-01"),
            ("codelist[age_group]", "agg_age_group_broad"),
            ("lang", "en"),
        ]
        .map(|(name, value)| (name.to_owned(), value.to_owned()));
        let selection = Selection::from_query(&params).unwrap().unwrap();
        assert_eq!(selection.selection[0].value_codes, ["top(2, 1)", "2026-01"]);
        assert_eq!(
            selection.selection[1].codelist.as_deref(),
            Some("agg_age_group_broad")
        );
        assert_eq!(Selection::from_query(&params[2..]), Ok(None));
    }

    #[test]
    fn a_variable_left_out_is_its_total_unless_it_is_the_time() {
        let gender = Variable {
            code: "gender".into(),
            label: "Kön".into(),
            values: vec![
                Category {
                    code: "woman".into(),
                    label: "Kvinna".into(),
                },
                Category::total(),
            ],
            kind: VariableKind::Dimension(crate::statistics::Dimension::Gender),
            codelists: Vec::new(),
            applied: None,
        };
        let variables = [gender, months()];
        let only_time = Selection {
            selection: vec![VariableSelection {
                variable_code: "month".into(),
                codelist: None,
                value_codes: vec!["top(1)".into()],
            }],
            placement: None,
        };
        let picked = Selection::pick(Some(&only_time), &variables, Language::Sv).unwrap();
        assert_eq!(picked.positions, [vec![1], vec![3]]);
        let no_time = Selection {
            selection: vec![],
            placement: None,
        };
        assert_eq!(
            Selection::pick(Some(&no_time), &variables, Language::Sv),
            Err(PxError::Mandatory("month".into()))
        );
        let default = Selection::pick(None, &variables, Language::Sv).unwrap();
        assert_eq!(default.positions, [vec![0, 1], vec![3]]);
    }
}
