DROP TABLE reporter_reads;
