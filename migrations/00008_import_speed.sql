-- Owned by campaigns/imports: what a million-row client import needs to be fast.

-- +goose Up
-- The regular expressions on the INN, the phone and the OKVED code cost a third of the database's time when
-- imports load clients (each row runs all three). Imports are what writes clients (besides the demo seed, whose
-- values are valid), and they check the same rules in Go before a row reaches the table, for files and API
-- records alike: an INN is 10 or 12 digits with right check digits, a phone is normalised to E.164 (+, then 8 to
-- 15 digits, the first not 0), an OKVED code is 2 digits with up to two groups of 1 or 2 more
-- (campaigns/imports/validate.go). Every value they let through matches the constraints, and a test
-- (TestStoredINNsPhonesAndOKVEDCodesMatchTheDroppedConstraints) keeps it so.
ALTER TABLE clients
    DROP CONSTRAINT clients_inn_check,
    DROP CONSTRAINT clients_phone_check,
    DROP CONSTRAINT clients_okved_check;

-- +goose Down
ALTER TABLE clients
    ADD CONSTRAINT clients_inn_check CHECK (inn ~ '^([0-9]{10}|[0-9]{12})$'),
    ADD CONSTRAINT clients_phone_check CHECK (phone ~ '^\+[1-9][0-9]{6,14}$'),
    ADD CONSTRAINT clients_okved_check CHECK (okved ~ '^([0-9]{2}(\.[0-9]{1,2}){0,2})?$');
