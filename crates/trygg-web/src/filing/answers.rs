//! The answers a reporter gives, step by step, and how they become a report: the same
//! [`ReportDraft`] the API takes, checked by the same domain rules.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use trygg_app::Incident;
use trygg_domain::time::{from_local_time, local_time};
use trygg_domain::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Circumstances, Description, Gender,
    IncidentKind, Influence, MAX_DESCRIPTION_CHARS, PerpetratorRelation, PlaceKind, ReportDraft,
    Severity, ViolenceForm, earliest_occurrence,
};
use uuid::Uuid;

/// What the reporter has answered so far, by field, kept as typed so nothing is lost.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Answers {
    /// Filing with this key twice files one case (a double click, a resent form).
    pub key: String,
    pub values: BTreeMap<String, Vec<String>>,
}

/// Why an answer is refused, as the id of the message that says so.
pub type Problem = &'static str;

impl Answers {
    pub fn new() -> Answers {
        Answers {
            key: Uuid::new_v4().to_string(),
            values: BTreeMap::new(),
        }
    }

    /// The answers a filed report was made from: what its case page reads back, in the
    /// words and order the form asked.
    pub fn of_case(incident: &Incident) -> Answers {
        let facts = &incident.circumstances;
        let occurred = local_time(incident.occurred_at);
        let mut values: BTreeMap<String, Vec<String>> = [
            ("kind", facts.kind.code()),
            ("district", incident.district.as_str()),
            ("place_kind", facts.place_kind.code()),
            ("affected_category", facts.affected_category.code()),
            ("affected_gender", facts.affected_gender.code()),
            ("affected_age_group", facts.affected_age_group.code()),
            ("children_affected", facts.children_affected.code()),
            ("perpetrator_relation", facts.perpetrator_relation.code()),
            ("perpetrator_influence", facts.perpetrator_influence.code()),
            ("severity", facts.severity.code()),
            ("description", incident.description.as_str()),
            ("focus_area", incident.focus_area.as_str()),
        ]
        .into_iter()
        .map(|(name, value)| (name.to_owned(), vec![value.to_owned()]))
        .collect();
        values.insert("date".into(), vec![occurred.format("%Y-%m-%d").to_string()]);
        values.insert("time".into(), vec![occurred.format("%H:%M").to_string()]);
        let forms = incident.violence_forms.iter();
        values.insert(
            "violence_forms".into(),
            forms.map(|form| form.code().to_owned()).collect(),
        );
        Answers {
            key: String::new(),
            values,
        }
    }

    /// Whether nothing is answered yet (a page sent blank leaves its questions empty).
    pub fn is_empty(&self) -> bool {
        self.values.values().all(Vec::is_empty)
    }

    /// The single answer to a question, if given.
    pub fn one(&self, name: &str) -> Option<&str> {
        self.values
            .get(name)
            .and_then(|values| values.first())
            .map(String::as_str)
            .filter(|value| !value.is_empty())
    }

    pub fn all(&self, name: &str) -> &[String] {
        self.values.get(name).map_or(&[], Vec::as_slice)
    }

    pub fn is_violence(&self) -> bool {
        self.one("kind") == Some(IncidentKind::Violence.code())
    }

    /// Takes a step's answers from a form, replacing what those questions had.
    pub fn take(&mut self, names: &[&str], form: &[(String, String)]) {
        for name in names {
            let values = form
                .iter()
                .filter(|(field, _)| field == name)
                .map(|(_, value)| value.clone())
                .collect();
            self.values.insert((*name).to_owned(), values);
        }
        if !self.is_violence() {
            self.values.remove("violence_forms");
        }
    }

    /// When it happened, from the local date and time given.
    fn occurred_at(&self) -> Option<DateTime<Utc>> {
        let date: NaiveDate = self.one("date")?.parse().ok()?;
        let time = NaiveTime::parse_from_str(self.one("time")?, "%H:%M").ok()?;
        Some(from_local_time(date.and_time(time)))
    }

    /// What is wrong with the answer to one question, checked against the catalogue and the
    /// clock; `None` when it is fine.
    pub fn problem(
        &self,
        name: &str,
        catalogue: &Catalogue,
        now: DateTime<Utc>,
    ) -> Option<Problem> {
        fn code<T: std::str::FromStr>(answer: Option<&str>) -> Option<Problem> {
            match answer.map(str::parse::<T>) {
                Some(Ok(_)) => None,
                _ => Some("missing"),
            }
        }
        let answer = self.one(name);
        match name {
            "kind" => code::<IncidentKind>(answer),
            "violence_forms" => {
                let forms = self.all(name);
                let valid =
                    !forms.is_empty() && forms.iter().all(|f| f.parse::<ViolenceForm>().is_ok());
                (!valid).then_some("missing")
            }
            "date" => match answer.map(str::parse::<NaiveDate>) {
                None => Some("missing"),
                Some(Err(_)) => Some("invalid"),
                Some(Ok(date)) if date > local_time(now).date() => Some("future"),
                Some(Ok(date)) if date < local_time(earliest_occurrence(now)).date() => {
                    Some("refused")
                }
                Some(Ok(_)) => None,
            },
            "time" => match answer.map(|t| NaiveTime::parse_from_str(t, "%H:%M")) {
                None => Some("missing"),
                Some(Err(_)) => Some("invalid"),
                Some(Ok(_)) if self.occurred_at().is_some_and(|at| at > now) => Some("future"),
                Some(Ok(_))
                    if self
                        .occurred_at()
                        .is_some_and(|at| at < earliest_occurrence(now)) =>
                {
                    Some("refused")
                }
                Some(Ok(_)) => None,
            },
            "district" => answer
                .is_none_or(|code| catalogue.district(code).is_err())
                .then_some("missing"),
            "focus_area" => answer
                .is_none_or(|code| catalogue.focus_area(code).is_err())
                .then_some("missing"),
            "place_kind" => code::<PlaceKind>(answer),
            "affected_category" => code::<AffectedCategory>(answer),
            "affected_gender" => code::<Gender>(answer),
            "affected_age_group" => code::<AgeGroup>(answer),
            "children_affected" => code::<ChildrenAffected>(answer),
            "perpetrator_relation" => code::<PerpetratorRelation>(answer),
            "perpetrator_influence" => code::<Influence>(answer),
            "severity" => code::<Severity>(answer),
            "description" => match Description::parse(answer.unwrap_or_default()) {
                Ok(_) => None,
                Err(_) if answer.is_none() => Some("missing"),
                Err(_) if answer.is_some_and(|a| a.chars().count() > MAX_DESCRIPTION_CHARS) => {
                    Some("too-long")
                }
                Err(_) => Some("invalid"),
            },
            _ => Some("missing"),
        }
    }

    /// The coded facts, once every one of them is answered: what the focus area is suggested
    /// from.
    pub fn circumstances(&self) -> Option<Circumstances> {
        let parse = |name: &str| self.one(name);
        Some(Circumstances {
            kind: parse("kind")?.parse().ok()?,
            place_kind: parse("place_kind")?.parse().ok()?,
            affected_category: parse("affected_category")?.parse().ok()?,
            affected_gender: parse("affected_gender")?.parse().ok()?,
            affected_age_group: parse("affected_age_group")?.parse().ok()?,
            children_affected: parse("children_affected")?.parse().ok()?,
            perpetrator_relation: parse("perpetrator_relation")?.parse().ok()?,
            perpetrator_influence: parse("perpetrator_influence")?.parse().ok()?,
            severity: parse("severity")?.parse().ok()?,
        })
    }

    /// The report as the API would receive it, once every answer is given.
    pub fn draft(&self) -> Option<ReportDraft> {
        let facts = self.circumstances()?;
        // Forms answered before the kind changed from violence are not part of the report.
        let forms = if facts.kind == IncidentKind::Violence {
            self.all("violence_forms")
        } else {
            &[]
        };
        Some(ReportDraft {
            kind: facts.kind,
            violence_forms: forms
                .iter()
                .map(|form| form.parse().ok())
                .collect::<Option<_>>()?,
            occurred_at: self.occurred_at()?,
            district: self.one("district")?.to_owned(),
            place_kind: facts.place_kind,
            affected_category: facts.affected_category,
            affected_gender: facts.affected_gender,
            affected_age_group: facts.affected_age_group,
            children_affected: facts.children_affected,
            perpetrator_relation: facts.perpetrator_relation,
            perpetrator_influence: facts.perpetrator_influence,
            severity: facts.severity,
            description: self.one("description")?.to_owned(),
            focus_area: self.one("focus_area").map(str::to_owned),
        })
    }

    /// The fingerprint of the answers, which an idempotent retry must repeat.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_string(&self.values).expect("answers serialise");
        Sha256::digest(canonical.as_bytes())
            .iter()
            .map(|byte| format!("{byte:02x}"))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        "2027-01-01T00:30:00+01:00".parse().unwrap()
    }

    fn complete() -> Answers {
        let mut answers = Answers::new();
        for (name, value) in [
            ("kind", "violence"),
            ("violence_forms", "physical"),
            ("date", "2026-12-31"),
            ("time", "23:45"),
            ("district", "west"),
            ("place_kind", "nightlife"),
            ("affected_category", "resident"),
            ("affected_gender", "man"),
            ("affected_age_group", "age_18_29"),
            ("children_affected", "no"),
            ("perpetrator_relation", "unknown"),
            ("perpetrator_influence", "unknown"),
            ("severity", "high"),
            ("description", "Slagen utanför krogen."),
            ("focus_area", "public_space"),
        ] {
            answers.values.insert(name.into(), vec![value.into()]);
        }
        answers
    }

    use trygg_domain::NewReport;

    #[test]
    fn complete_answers_make_the_api_s_draft_in_local_time() {
        let draft = complete().draft().expect("complete");
        assert_eq!(
            draft.occurred_at,
            "2026-12-31T22:45:00Z".parse::<DateTime<Utc>>().unwrap()
        );
        assert_eq!(draft.violence_forms, [ViolenceForm::Physical]);
        assert_eq!(draft.focus_area.as_deref(), Some("public_space"));
        let catalogue = Catalogue::builtin();
        for name in complete().values.keys() {
            assert_eq!(complete().problem(name, &catalogue, now()), None, "{name}");
        }
    }

    #[test]
    fn each_answer_is_checked() {
        let catalogue = Catalogue::builtin();
        let mut answers = complete();
        answers
            .values
            .insert("district".into(), vec!["atlantis".into()]);
        answers
            .values
            .insert("date".into(), vec!["2027-01-02".into()]);
        answers.values.insert("time".into(), vec!["25:00".into()]);
        answers
            .values
            .insert("description".into(), vec!["   ".into()]);
        answers.values.remove("severity");
        let problems: Vec<_> = ["district", "date", "time", "description", "severity"]
            .iter()
            .map(|name| answers.problem(name, &catalogue, now()))
            .collect();
        assert_eq!(
            problems,
            [
                Some("missing"),
                Some("future"),
                Some("invalid"),
                Some("invalid"),
                Some("missing")
            ]
        );
        assert!(answers.draft().is_none());
    }

    /// The domain's ten years are checked on the page that asks the date, not only when
    /// sending, and agree with the domain to the minute.
    #[test]
    fn a_date_over_ten_years_back_is_refused_on_its_page() {
        let catalogue = Catalogue::builtin();
        let earliest = local_time(earliest_occurrence(now()));
        let mut answers = complete();
        let mut answer = |date: NaiveDate, time: NaiveTime| {
            answers.values.insert("date".into(), vec![date.to_string()]);
            answers
                .values
                .insert("time".into(), vec![time.format("%H:%M").to_string()]);
            let sent = NewReport::parse(answers.draft().unwrap(), &catalogue, now());
            let problems = (
                answers.problem("date", &catalogue, now()),
                answers.problem("time", &catalogue, now()),
            );
            (problems, sent.is_ok())
        };
        let minute = chrono::Duration::minutes(1);
        let day_before = earliest.date().pred_opt().unwrap();
        assert_eq!(
            answer(day_before, earliest.time()),
            ((Some("refused"), Some("refused")), false)
        );
        assert_eq!(
            answer(earliest.date(), (earliest - minute).time()),
            ((None, Some("refused")), false)
        );
        assert_eq!(
            answer(earliest.date(), (earliest + minute).time()),
            ((None, None), true)
        );
    }

    #[test]
    fn a_time_later_today_is_in_the_future() {
        let mut answers = complete();
        answers
            .values
            .insert("date".into(), vec!["2027-01-01".into()]);
        answers.values.insert("time".into(), vec!["00:45".into()]);
        assert_eq!(
            answers.problem("time", &Catalogue::builtin(), now()),
            Some("future")
        );
    }

    #[test]
    fn forms_of_violence_go_when_the_kind_is_no_longer_violence() {
        let mut answers = complete();
        answers.take(&["kind"], &[("kind".into(), "threat".into())]);
        assert!(answers.all("violence_forms").is_empty());
        assert_ne!(complete().fingerprint(), answers.fingerprint());
    }
}
