DROP INDEX incidents_open;
