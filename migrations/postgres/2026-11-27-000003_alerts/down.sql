DROP TABLE deliveries;
DROP TABLE alerts;
