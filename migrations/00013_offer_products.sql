-- Owned by dialog: an offer is for a product, so that the console shows first the offers that fit the lead a dialog
-- is about (an account for missed calls and follow-ups, acquiring for the cross-sell). '' fits every lead.

-- +goose Up
ALTER TABLE offers ADD COLUMN product text NOT NULL DEFAULT '' CHECK (product IN ('', 'rko', 'acquiring'));
UPDATE offers SET product = 'rko' WHERE title LIKE 'РКО:%';
UPDATE offers SET product = 'acquiring' WHERE title ILIKE '%эквайринг%';

-- +goose Down
ALTER TABLE offers DROP COLUMN product;
