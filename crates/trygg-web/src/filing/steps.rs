//! The steps of the report form: which questions each asks, in what order, how each is
//! answered, and how the answers read back.

use chrono::{DateTime, Utc};
use trygg_domain::time::local_time;
use trygg_domain::{
    AffectedCategory, AgeGroup, Catalogue, ChildrenAffected, Gender, IncidentKind, Influence,
    PerpetratorRelation, PlaceKind, Severity, Violation, ViolenceForm,
};

use super::answers::Answers;
use crate::i18n::Lang;
use crate::templates::{Answer, Choice, FieldError, Input, Question};

/// A page of the form. Declared in the order they are asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Step {
    Kind,
    Violence,
    WhenWhere,
    Affected,
    Perpetrator,
    Description,
    FocusArea,
}

impl Step {
    const ALL: [Step; 7] = [
        Step::Kind,
        Step::Violence,
        Step::WhenWhere,
        Step::Affected,
        Step::Perpetrator,
        Step::Description,
        Step::FocusArea,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            Step::Kind => "typ",
            Step::Violence => "vald",
            Step::WhenWhere => "nar-och-var",
            Step::Affected => "drabbad",
            Step::Perpetrator => "utovare",
            Step::Description => "beskrivning",
            Step::FocusArea => "fokusomrade",
        }
    }

    pub fn from_slug(slug: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.slug() == slug)
    }

    pub fn href(self) -> String {
        format!("/rapportera/{}", self.slug())
    }

    pub fn title_id(self) -> &'static str {
        match self {
            Step::Kind => "step-kind",
            Step::Violence => "step-violence",
            Step::WhenWhere => "step-when-where",
            Step::Affected => "step-affected",
            Step::Perpetrator => "step-perpetrator",
            Step::Description => "step-description",
            Step::FocusArea => "step-focus-area",
        }
    }

    /// The questions, by the names the API gives the fields (`date` and `time` make
    /// `occurred_at`).
    pub fn fields(self) -> &'static [&'static str] {
        match self {
            Step::Kind => &["kind"],
            Step::Violence => &["violence_forms"],
            Step::WhenWhere => &["date", "time", "district", "place_kind"],
            Step::Affected => &[
                "affected_category",
                "affected_gender",
                "affected_age_group",
                "children_affected",
            ],
            Step::Perpetrator => &["perpetrator_relation", "perpetrator_influence"],
            Step::Description => &["severity", "description"],
            Step::FocusArea => &["focus_area"],
        }
    }

    /// Forms of violence are asked for violence only.
    pub fn applies(self, answers: &Answers) -> bool {
        self != Step::Violence || answers.is_violence()
    }

    pub fn next(self, answers: &Answers) -> Option<Step> {
        Step::ALL
            .into_iter()
            .find(|step| *step > self && step.applies(answers))
    }

    pub fn previous(self, answers: &Answers) -> Option<Step> {
        Step::ALL
            .into_iter()
            .rev()
            .find(|step| *step < self && step.applies(answers))
    }
}

/// Where a step stands among those that apply: (n, of).
pub fn position(step: Step, answers: &Answers) -> (usize, usize) {
    let applying: Vec<Step> = Step::ALL
        .into_iter()
        .filter(|s| s.applies(answers))
        .collect();
    let index = applying.iter().position(|s| *s == step).unwrap_or(0);
    (index + 1, applying.len())
}

/// The first step with a question not (properly) answered.
pub fn first_unanswered(
    answers: &Answers,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
) -> Option<Step> {
    Step::ALL.into_iter().find(|step| {
        step.applies(answers)
            && step
                .fields()
                .iter()
                .any(|name| answers.problem(name, catalogue, now).is_some())
    })
}

/// What is wrong with a step's answers, each linked to its question.
pub fn errors(
    step: Step,
    answers: &Answers,
    catalogue: &Catalogue,
    now: DateTime<Utc>,
    lang: Lang,
) -> Vec<FieldError> {
    step.fields()
        .iter()
        .filter_map(|name| {
            let problem = answers.problem(name, catalogue, now)?;
            Some(FieldError {
                field: (*name).to_owned(),
                message: lang.text(&format!("error-{name}-{problem}")),
                href: format!("#field-{name}"),
            })
        })
        .collect()
}

/// What the domain refused when sending, each linked to the question on its step.
pub fn violations(violations: &[Violation], lang: Lang) -> Vec<FieldError> {
    violations
        .iter()
        .map(|violation| {
            let name = match violation.field {
                "occurred_at" => "date",
                field => field,
            };
            let step = Step::ALL
                .into_iter()
                .find(|step| step.fields().contains(&name))
                .unwrap_or(Step::Kind);
            let message = lang
                .optional_text(&format!("error-{name}-refused"))
                .unwrap_or_else(|| violation.message.clone());
            FieldError {
                field: name.to_owned(),
                message,
                href: format!("{}?andra=1#field-{name}", step.href()),
            }
        })
        .collect()
}

/// The codes a question offers, in presentation order, and the prefix of their messages.
fn vocabulary(name: &str) -> Option<(&'static str, Vec<&'static str>)> {
    fn codes<T: Copy>(all: &[T], code: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|value| code(*value)).collect()
    }
    Some(match name {
        "kind" => ("kind", codes(IncidentKind::ALL, IncidentKind::code)),
        "violence_forms" => (
            "violence-form",
            codes(ViolenceForm::ALL, ViolenceForm::code),
        ),
        "place_kind" => ("place", codes(PlaceKind::ALL, PlaceKind::code)),
        "affected_category" => (
            "category",
            codes(AffectedCategory::ALL, AffectedCategory::code),
        ),
        "affected_gender" => ("gender", codes(Gender::ALL, Gender::code)),
        "affected_age_group" => ("age", codes(AgeGroup::ALL, AgeGroup::code)),
        "children_affected" => (
            "children",
            codes(ChildrenAffected::ALL, ChildrenAffected::code),
        ),
        "perpetrator_relation" => (
            "relation",
            codes(PerpetratorRelation::ALL, PerpetratorRelation::code),
        ),
        "perpetrator_influence" => ("influence", codes(Influence::ALL, Influence::code)),
        "severity" => ("severity", codes(Severity::ALL, Severity::code)),
        _ => return None,
    })
}

/// The choices of a question: the fixed vocabularies from the message files, the
/// municipality's districts and focus areas from its catalogue.
fn choices(name: &str, catalogue: &Catalogue, lang: Lang) -> Vec<(String, String, Option<String>)> {
    let english = lang == Lang::En;
    let pick = |sv: &String, en: &Option<String>| match (english, en) {
        (true, Some(en)) => en.clone(),
        _ => sv.clone(),
    };
    match name {
        "district" => catalogue
            .districts()
            .iter()
            .map(|d| {
                (
                    d.code.as_str().to_owned(),
                    pick(&d.label, &d.label_en),
                    None,
                )
            })
            .collect(),
        "focus_area" => catalogue
            .focus_areas()
            .iter()
            .map(|area| {
                let hint = match (english, &area.help_en) {
                    (true, Some(help)) => Some(help.clone()),
                    _ => area.help.clone(),
                };
                (
                    area.code.as_str().to_owned(),
                    pick(&area.label, &area.label_en),
                    hint,
                )
            })
            .collect(),
        _ => vocabulary(name)
            .map(|(prefix, codes)| {
                codes
                    .into_iter()
                    .map(|code| {
                        let id = format!("{prefix}-{code}");
                        (
                            code.to_owned(),
                            lang.text(&id),
                            lang.optional_text(&format!("{id}-hint")),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
    }
}

/// A step's questions with the reporter's answers (or the suggested focus area, first and
/// said to be suggested) filled in.
pub fn questions(
    step: Step,
    answers: &Answers,
    catalogue: &Catalogue,
    errors: &[FieldError],
    lang: Lang,
    now: DateTime<Utc>,
) -> Vec<Question> {
    step.fields()
        .iter()
        .map(|name| {
            let given = answers.all(name);
            let suggested = (*name == "focus_area" && given.is_empty())
                .then(|| answers.circumstances())
                .flatten()
                .map(|facts| catalogue.classify(&facts).code.as_str().to_owned());
            let checked = |value: &str| {
                given.iter().any(|g| g == value) || suggested.as_deref() == Some(value)
            };
            let to_choices = || {
                let mut choices: Vec<Choice> = choices(name, catalogue, lang)
                    .into_iter()
                    .map(|(value, label, hint)| Choice {
                        checked: checked(&value),
                        value,
                        label,
                        hint,
                    })
                    .collect();
                if let Some(at) = choices
                    .iter()
                    .position(|choice| Some(&choice.value) == suggested.as_ref())
                {
                    let mut first = choices.remove(at);
                    first.label = lang.text_with(
                        "question-focus_area-suggested-label",
                        &[("area", &first.label)],
                    );
                    choices.insert(0, first);
                }
                choices
            };
            let value = || answers.one(name).unwrap_or_default().to_owned();
            let input = match *name {
                "violence_forms" => Input::Checkboxes(to_choices()),
                "date" => Input::Date(value()),
                "time" => Input::Time(value()),
                "description" => Input::Text {
                    value: value(),
                    max: trygg_domain::MAX_DESCRIPTION_CHARS,
                },
                _ => Input::Radios(to_choices()),
            };
            let hint = if suggested.is_some() {
                lang.optional_text("question-focus_area-suggested")
            } else if *name == "date" {
                let today = local_time(now).date().to_string();
                Some(lang.text_with("question-date-hint", &[("today", &today)]))
            } else {
                lang.optional_text(&format!("question-{name}-hint"))
            };
            Question {
                name,
                label: lang.text(&format!("question-{name}")),
                hint,
                error: errors
                    .iter()
                    .find(|error| error.field == *name)
                    .map(|error| error.message.clone()),
                input,
            }
        })
        .collect()
}

/// Every answer as it reads back, in the order asked: (step, question's field, question,
/// answer in words).
fn read_back<'a>(
    answers: &'a Answers,
    catalogue: &'a Catalogue,
    lang: Lang,
) -> impl Iterator<Item = (Step, &'static str, String, String)> + 'a {
    Step::ALL
        .into_iter()
        .filter(|step| step.applies(answers))
        .flat_map(|step| step.fields().iter().map(move |name| (step, *name)))
        .map(move |(step, name)| {
            let labels = choices(name, catalogue, lang);
            let answer = answers
                .all(name)
                .iter()
                .map(|value| {
                    labels
                        .iter()
                        .find(|(code, _, _)| code == value)
                        .map_or_else(|| value.clone(), |(_, label, _)| label.clone())
                })
                .collect::<Vec<_>>()
                .join(", ");
            (step, name, lang.text(&format!("question-{name}")), answer)
        })
}

/// Every answer as it reads back, with a link to change it.
pub fn summary(answers: &Answers, catalogue: &Catalogue, lang: Lang) -> Vec<Answer> {
    read_back(answers, catalogue, lang)
        .map(|(step, name, question, answer)| Answer {
            change_href: format!("{}?andra=1#field-{name}", step.href()),
            change_label: question.to_lowercase(),
            question,
            answer,
        })
        .collect()
}

/// The answers as (question, answer), leaving out the questions named.
pub fn facts(
    answers: &Answers,
    catalogue: &Catalogue,
    lang: Lang,
    leave_out: &[&str],
) -> Vec<(String, String)> {
    read_back(answers, catalogue, lang)
        .filter(|(_, name, _, _)| !leave_out.contains(name))
        .map(|(_, name, question, answer)| {
            // A question put to the reporter ("yours, if it was you") as a fact reads plainer.
            let fact = lang.optional_text(&format!("question-{name}-fact"));
            (fact.unwrap_or(question), answer)
        })
        .collect()
}
