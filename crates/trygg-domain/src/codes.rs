//! The fixed vocabularies of a report. Each value has an English `snake_case` code (used in the
//! API and in storage) and a Swedish label (shown to people).

use std::fmt;
use std::str::FromStr;

/// Declares a closed vocabulary: the enum, its codes, its Swedish labels and parsing.
macro_rules! vocabulary {
    ($(#[doc = $doc:literal])* $name:ident { $($variant:ident => ($code:literal, $label:literal)),+ $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        pub enum $name { $(#[serde(rename = $code)] $variant),+ }

        // Written out: utoipa's derive does not see `rename` values that come from a macro.
        #[cfg(feature = "openapi")]
        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!($($doc),*).trim()))
                    .enum_values(Some([$($code),+]))
                    .into()
            }
        }

        #[cfg(feature = "openapi")]
        impl utoipa::ToSchema for $name {}

        impl $name {
            /// Every value, in presentation order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The stable code used in the API and in storage.
            pub fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            /// The Swedish display label.
            pub fn label(self) -> &'static str {
                match self { $($name::$variant => $label),+ }
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;

            fn from_str(code: &str) -> Result<Self, Self::Err> {
                match code {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { vocabulary: stringify!($name), code: code.to_owned() }),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

/// A code that is not part of a vocabulary (for instance a stored value from a newer release).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{code}` is not a known {vocabulary} code")]
pub struct UnknownCode {
    pub vocabulary: &'static str,
    pub code: String,
}

vocabulary!(
    /// What happened.
    IncidentKind {
        Threat => ("threat", "Hot"),
        Violence => ("violence", "Våld"),
        Harassment => ("harassment", "Trakasserier eller kränkning"),
        ImproperInfluence => ("improper_influence", "Otillåten påverkan"),
        Vandalism => ("vandalism", "Skadegörelse"),
        PublicDisorder => ("public_disorder", "Ordningsstörning"),
        Other => ("other", "Annat"),
    }
);

vocabulary!(
    /// A form of violence; a report names any number of them.
    ViolenceForm {
        Physical => ("physical", "Fysiskt våld"),
        Psychological => ("psychological", "Psykiskt våld"),
        Sexual => ("sexual", "Sexuellt våld"),
        Material => ("material", "Materiellt våld"),
        Economic => ("economic", "Ekonomiskt våld"),
    }
);

vocabulary!(
    /// The kind of place where it happened.
    PlaceKind {
        School => ("school", "Skola"),
        Workplace => ("workplace", "Arbetsplats"),
        PublicSpace => ("public_space", "Offentlig miljö"),
        Nightlife => ("nightlife", "Nöjesliv"),
        Home => ("home", "Bostad"),
        LeisureVenue => ("leisure_venue", "Fritidsverksamhet"),
        Digital => ("digital", "Digitalt, till exempel sociala medier"),
    }
);

vocabulary!(
    /// Who was affected.
    AffectedCategory {
        Employee => ("employee", "Medarbetare"),
        ElectedOfficial => ("elected_official", "Förtroendevald"),
        PupilChild => ("pupil_child", "Elev eller barn"),
        ServiceUser => ("service_user", "Brukare"),
        Resident => ("resident", "Invånare"),
    }
);

vocabulary!(
    /// The affected person's gender, for the gender perspective of the statistics.
    Gender {
        Woman => ("woman", "Kvinna"),
        Man => ("man", "Man"),
        Other => ("other", "Annat"),
        Unknown => ("unknown", "Okänt"),
    }
);

vocabulary!(
    /// The affected person's age group, for the child-rights perspective of the statistics.
    AgeGroup {
        Under13 => ("under_13", "Under 13 år"),
        Age13To17 => ("age_13_17", "13–17 år"),
        Age18To29 => ("age_18_29", "18–29 år"),
        Age30To49 => ("age_30_49", "30–49 år"),
        Age50To64 => ("age_50_64", "50–64 år"),
        Age65Plus => ("age_65_plus", "65 år eller äldre"),
        Unknown => ("unknown", "Okänd"),
    }
);

vocabulary!(
    /// Whether children were affected by, or witnessed, what happened.
    ChildrenAffected {
        No => ("no", "Nej"),
        Affected => ("affected", "Ja, barn utsattes"),
        Witnessed => ("witnessed", "Ja, barn bevittnade"),
        Unknown => ("unknown", "Vet ej"),
    }
);

vocabulary!(
    /// The perpetrator's relation to the affected person, as far as known.
    PerpetratorRelation {
        Unknown => ("unknown", "Vet ej"),
        Pupil => ("pupil", "Elev"),
        ServiceUser => ("service_user", "Brukare"),
        Visitor => ("visitor", "Besökare, kund eller patient"),
        Relative => ("relative", "Anhörig"),
        Colleague => ("colleague", "Kollega"),
        Resident => ("resident", "Invånare"),
        Partner => ("partner", "Partner"),
    }
);

vocabulary!(
    /// Whether the perpetrator was under the influence of alcohol or drugs.
    Influence {
        Yes => ("yes", "Påverkad"),
        No => ("no", "Inte påverkad"),
        Unknown => ("unknown", "Vet ej"),
    }
);

vocabulary!(
    /// How serious it was; `serious` is an allvarligt tillbud.
    Severity {
        Low => ("low", "Lindrig"),
        Medium => ("medium", "Måttlig"),
        High => ("high", "Allvarlig"),
        Serious => ("serious", "Mycket allvarlig"),
    }
);

vocabulary!(
    /// Where a case is in its life.
    Status {
        Received => ("received", "Mottagen"),
        Triaged => ("triaged", "Bedömd"),
        InProgress => ("in_progress", "Under handläggning"),
        Closed => ("closed", "Avslutad"),
    }
);

vocabulary!(
    /// How a closed case ended.
    Outcome {
        Resolved => ("resolved", "Åtgärdat"),
        NoActionNeeded => ("no_action_needed", "Ingen åtgärd behövs"),
        Referred => ("referred", "Hänvisat vidare"),
        Duplicate => ("duplicate", "Dubblett"),
    }
);

vocabulary!(
    /// Who a comment is for.
    Audience {
        Internal => ("internal", "Intern"),
        Reporter => ("reporter", "Till anmälaren"),
    }
);

vocabulary!(
    /// Where an action (åtgärd) stands.
    ActionStatus {
        Open => ("open", "Pågående"),
        Done => ("done", "Utförd"),
        Cancelled => ("cancelled", "Avbruten"),
    }
);

vocabulary!(
    /// Why a receiver is alerted about a case.
    AlertReason {
        Filed => ("filed", "Ny anmälan"),
        Rerouted => ("rerouted", "Omklassificerad till ert ansvar"),
        Escalated => ("escalated", "Ej kvitterad – eskalerad"),
        AuthorityReminder12h => ("authority_reminder_12h", "Påminnelse: anmälan till Arbetsmiljöverket (12 timmar)"),
        AuthorityReminder20h => ("authority_reminder_20h", "Påminnelse: anmälan till Arbetsmiljöverket (20 timmar)"),
    }
);

vocabulary!(
    /// How an alert reaches its receiver.
    Channel {
        Email => ("email", "E-post"),
        Webhook => ("webhook", "Webhook"),
    }
);

vocabulary!(
    /// Where one delivery of an alert stands.
    DeliveryState {
        Pending => ("pending", "Väntar"),
        Delivered => ("delivered", "Levererad"),
        Failed => ("failed", "Misslyckad"),
    }
);

vocabulary!(
    /// Why a delivery did not go through, in terms the person who must act on it reads; the
    /// technical text is kept beside it.
    DeliveryFailure {
        Unreachable => ("unreachable", "Servern svarade inte"),
        Deferred => ("deferred", "Servern bad att försöka senare"),
        Refused => ("refused", "Servern tog inte emot meddelandet"),
        Insecure => ("insecure", "En säker anslutning gick inte att upprätta"),
        NotConfigured => ("not_configured", "Ingen e-postserver är inställd"),
        BadAddress => ("bad_address", "Adressen går inte att använda"),
        Unexpected => ("unexpected", "Ett oväntat fel"),
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for kind in IncidentKind::ALL {
            assert_eq!(kind.code().parse::<IncidentKind>(), Ok(*kind));
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.code()));
        }
        for group in AgeGroup::ALL {
            let json = serde_json::to_string(group).unwrap();
            assert_eq!(json, format!("\"{}\"", group.code()));
        }
    }

    #[test]
    fn unknown_code_names_its_vocabulary() {
        let err = "knife".parse::<Severity>().unwrap_err();
        assert_eq!(err.to_string(), "`knife` is not a known Severity code");
    }
}
