-- Why a delivery last failed, as a code the pages put in words (`DeliveryFailure`), beside the
-- technical text in `last_error`. Failures recorded before this have none.
ALTER TABLE deliveries ADD COLUMN last_failure TEXT;
