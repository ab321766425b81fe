DROP TABLE uncounted_cases;
