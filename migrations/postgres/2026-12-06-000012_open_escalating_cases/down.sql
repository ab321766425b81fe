DROP INDEX incidents_open_escalating;
