-- A worker claims each channel's due deliveries on their own, oldest first: with the channel
-- leading after the state, a claim reads only the rows it takes, however many deliveries of
-- another channel wait (as e-mails do while no SMTP server is configured).
DROP INDEX deliveries_due;
CREATE INDEX deliveries_due ON deliveries (state, channel, next_attempt_at);
