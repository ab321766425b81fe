DROP TABLE idempotency_keys;
DROP TABLE incident_offices;
DROP TABLE incidents;
