//! Alert plans: who is alerted about a case and how, as routing decides it, before anything is
//! written or sent. An alert carries codes and times only, never names or free text.

use uuid::Uuid;

use crate::codes::{AlertReason, Channel};

/// An alert to raise for a receiver, written with the change that causes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedAlert {
    pub id: Uuid,
    pub receiver: String,
    pub reason: AlertReason,
    pub deliveries: Vec<PlannedDelivery>,
}

/// One way an alert goes out; `message_id` is stable across retries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedDelivery {
    pub channel: Channel,
    pub target: String,
    pub message_id: String,
}

/// The alerts of `planned` still to raise about a case that already has alerts for `earlier`
/// (receiver, reason): each receiver is alerted once per reason, and a reroute reaches only
/// receivers not alerted about the case at all (they know it already).
pub fn still_to_raise<'a>(
    earlier: &[(String, AlertReason)],
    planned: &'a [PlannedAlert],
) -> Vec<&'a PlannedAlert> {
    let mut covered: Vec<(&str, AlertReason)> = earlier
        .iter()
        .map(|(receiver, reason)| (receiver.as_str(), *reason))
        .collect();
    let mut fresh = Vec::new();
    for alert in planned {
        let known = covered.iter().any(|(receiver, reason)| {
            *receiver == alert.receiver
                && (alert.reason == AlertReason::Rerouted || *reason == alert.reason)
        });
        if !known {
            covered.push((&alert.receiver, alert.reason));
            fresh.push(alert);
        }
    }
    fresh
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(receiver: &str, reason: AlertReason) -> PlannedAlert {
        PlannedAlert {
            id: Uuid::now_v7(),
            receiver: receiver.into(),
            reason,
            deliveries: Vec::new(),
        }
    }

    fn raised(
        earlier: &[(&str, AlertReason)],
        planned: &[PlannedAlert],
    ) -> Vec<(String, AlertReason)> {
        let earlier: Vec<_> = earlier
            .iter()
            .map(|(r, why)| ((*r).to_owned(), *why))
            .collect();
        still_to_raise(&earlier, planned)
            .into_iter()
            .map(|alert| (alert.receiver.clone(), alert.reason))
            .collect()
    }

    #[test]
    fn a_receiver_is_alerted_once_per_reason() {
        use AlertReason::{Escalated, Filed};
        let planned = [alert("office:social", Filed), alert("office:social", Filed)];
        assert_eq!(raised(&[], &planned), [("office:social".to_owned(), Filed)]);
        assert!(raised(&[("office:social", Filed)], &planned).is_empty());
        let escalation = [alert("office:social", Escalated)];
        assert_eq!(
            raised(&[("office:social", Filed)], &escalation),
            [("office:social".to_owned(), Escalated)],
            "another reason is another alert"
        );
    }

    #[test]
    fn a_reroute_reaches_only_receivers_not_alerted_about_the_case() {
        use AlertReason::{Filed, Rerouted};
        let planned = [
            alert("office:social", Rerouted),
            alert("office:school", Rerouted),
        ];
        assert_eq!(
            raised(&[("office:social", Filed)], &planned),
            [("office:school".to_owned(), Rerouted)]
        );
    }
}
