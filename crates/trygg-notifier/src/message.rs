//! What an alert says, in Swedish: case number, focus area, kind, severity, district, time and
//! a link. Never names, free text or anything a wrongly addressed message would leak.

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde::Serialize;
use sha2::Sha256;
use trygg_domain::{AlertReason, Catalogue, Severity};
use trygg_storage::{AlertCase, DueDelivery};

/// The parts of an alert, labelled for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertContent {
    pub case_number: String,
    pub case_id: String,
    pub reason: &'static str,
    pub reason_label: &'static str,
    pub focus_area: String,
    pub focus_area_label: String,
    pub kind: &'static str,
    pub kind_label: &'static str,
    pub severity: &'static str,
    pub severity_label: &'static str,
    pub district: String,
    pub district_label: String,
    pub occurred_at: DateTime<Utc>,
    /// The case in the API, for integrations.
    pub link: String,
    /// The case page, for people.
    pub page: String,
    /// The page where the receiver acknowledges the alert.
    pub acknowledge: String,
}

impl AlertContent {
    /// Labels a claimed delivery's case; `public_url` is where people open the case.
    pub fn new(delivery: &DueDelivery, catalogue: &Catalogue, public_url: &str) -> AlertContent {
        let AlertCase {
            id,
            case_number,
            focus_area,
            kind,
            severity,
            district,
            occurred_at,
        } = &delivery.case;
        let base = public_url.trim_end_matches('/');
        let focus_area_label = catalogue
            .focus_area(focus_area)
            .map_or_else(|_| focus_area.clone(), |area| area.label.clone());
        let district_label = catalogue
            .districts()
            .iter()
            .find(|entry| entry.code.as_str() == district)
            .map_or_else(|| district.clone(), |entry| entry.label.clone());
        AlertContent {
            case_number: case_number.to_string(),
            case_id: id.to_string(),
            reason: delivery.reason.code(),
            reason_label: delivery.reason.label(),
            focus_area: focus_area.clone(),
            focus_area_label,
            kind: kind.code(),
            kind_label: kind.label(),
            severity: severity.code(),
            severity_label: severity.label(),
            district: district.clone(),
            district_label,
            occurred_at: *occurred_at,
            link: format!("{base}/api/v1/incidents/{id}"),
            page: format!("{base}/arenden/{id}"),
            acknowledge: format!("{base}/larm/{}", delivery.alert_id),
        }
    }

    /// `[Trygg] Hot och våld i skolan – allvarlig – TRG-2026-000123`
    pub fn subject(&self) -> String {
        let prefix = match self.reason {
            r if r == AlertReason::Filed.code() => String::new(),
            _ => format!("{}: ", self.reason_label),
        };
        format!(
            "[Trygg] {prefix}{} – {} – {}",
            self.focus_area_label,
            self.severity_label.to_lowercase(),
            self.case_number
        )
    }

    pub fn body(&self) -> String {
        let stockholm = self.occurred_at.format("%Y-%m-%d %H:%M UTC");
        let mut body = format!(
            "{reason}\n\n\
             Ärende: {case}\n\
             Fokusområde: {area}\n\
             Typ: {kind}\n\
             Allvarlighetsgrad: {severity}\n\
             Kommundel: {district}\n\
             Inträffade: {stockholm}\n\n\
             Öppna ärendet: {page}\n\
             Kvittera larmet: {acknowledge}\n",
            reason = self.reason_label,
            case = self.case_number,
            area = self.focus_area_label,
            kind = self.kind_label,
            severity = self.severity_label,
            district = self.district_label,
            page = self.page,
            acknowledge = self.acknowledge,
        );
        if self.severity == Severity::Serious.code() {
            body.push_str(
                "\nEtt allvarligt tillbud mot en medarbetare eller förtroendevald ska anmälas till \
                 Arbetsmiljöverket utan dröjsmål.\n",
            );
        }
        body.push_str("\nDetta meddelande innehåller inga namn eller fritext. Logga in i Trygg för detaljer.\n");
        body
    }

    /// The webhook body: the same facts, as JSON.
    pub fn webhook_body(&self) -> String {
        serde_json::json!({ "type": format!("case.{}", self.reason), "data": self }).to_string()
    }
}

/// The `webhook-signature` of Standard Webhooks: `v1,` and the base64 HMAC-SHA256 of
/// `{id}.{timestamp}.{body}`. A secret written `whsec_<base64>` is decoded first, as the
/// standard's secrets are; any other secret is used as it is.
pub fn sign_webhook(secret: &str, id: &str, timestamp: i64, body: &str) -> String {
    use base64::Engine;
    use base64::engine::general_purpose::STANDARD;
    let key = secret
        .strip_prefix("whsec_")
        .and_then(|encoded| STANDARD.decode(encoded).ok())
        .unwrap_or_else(|| secret.as_bytes().to_vec());
    let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("HMAC takes keys of any length");
    mac.update(format!("{id}.{timestamp}.{body}").as_bytes());
    format!("v1,{}", STANDARD.encode(mac.finalize().into_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trygg_domain::{CaseNumber, Channel, IncidentKind};
    use uuid::Uuid;

    fn delivery(severity: Severity, reason: AlertReason) -> DueDelivery {
        DueDelivery {
            seq: 1,
            alert_id: Uuid::nil(),
            receiver: "utbildning".into(),
            reason,
            channel: Channel::Email,
            target: "trygghet.utbildning@kommun.example".into(),
            message_id: "<x@trygg>".into(),
            attempts: 0,
            case: AlertCase {
                id: Uuid::nil(),
                case_number: CaseNumber::new(2026, 123),
                focus_area: "school".into(),
                kind: IncidentKind::Threat,
                severity,
                district: "west".into(),
                occurred_at: "2026-11-20T08:30:00Z".parse().unwrap(),
            },
        }
    }

    #[test]
    fn the_subject_names_area_severity_and_case_number() {
        let content = AlertContent::new(
            &delivery(Severity::High, AlertReason::Filed),
            &Catalogue::builtin(),
            "https://trygg.kommun.example/",
        );
        assert_eq!(
            content.subject(),
            "[Trygg] Hot och våld i skolan – allvarlig – TRG-2026-000123"
        );
        let body = content.body();
        assert!(body.contains("Kommundel: Västra"), "{body}");
        let nil = Uuid::nil();
        assert!(body.contains(&format!(
            "Öppna ärendet: https://trygg.kommun.example/arenden/{nil}\n"
        )));
        assert!(body.contains(&format!(
            "Kvittera larmet: https://trygg.kommun.example/larm/{nil}\n"
        )));
        assert_eq!(
            content.link,
            format!("https://trygg.kommun.example/api/v1/incidents/{nil}"),
            "integrations get the API's link"
        );
        let escalated = AlertContent::new(
            &delivery(Severity::Serious, AlertReason::Escalated),
            &Catalogue::builtin(),
            "http://x",
        );
        assert!(escalated.subject().starts_with(
            "[Trygg] Ej kvitterad – eskalerad: Hot och våld i skolan – mycket allvarlig"
        ));
        assert!(escalated.body().contains("Arbetsmiljöverket"));
    }

    #[test]
    fn signatures_follow_standard_webhooks() {
        // The example of the Standard Webhooks specification's reference implementations.
        let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
        let body = r#"{"test": 2432232314}"#;
        let signature = sign_webhook(secret, "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        assert_eq!(signature, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
