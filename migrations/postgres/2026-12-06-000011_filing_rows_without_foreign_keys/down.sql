ALTER TABLE incident_offices ADD CONSTRAINT incident_offices_incident_seq_fkey
    FOREIGN KEY (incident_seq) REFERENCES incidents (seq) ON DELETE CASCADE;
ALTER TABLE case_events ADD CONSTRAINT case_events_incident_seq_fkey
    FOREIGN KEY (incident_seq) REFERENCES incidents (seq) ON DELETE CASCADE;
ALTER TABLE alerts ADD CONSTRAINT alerts_incident_seq_fkey
    FOREIGN KEY (incident_seq) REFERENCES incidents (seq) ON DELETE CASCADE;
ALTER TABLE deliveries ADD CONSTRAINT deliveries_alert_seq_fkey
    FOREIGN KEY (alert_seq) REFERENCES alerts (seq) ON DELETE CASCADE;
