-- Owned by dialog: why clients refuse, as a short list supervisors keep (/refusal-reasons), so refusals can be
-- counted by reason instead of read one free text at a time. A reason is never deleted once used, only switched
-- off: past outcomes keep pointing at it. The operator's free text stays, as a comment (outcomes.reason).

-- +goose Up
CREATE TABLE refusal_reasons (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    label_ru   text NOT NULL CHECK (label_ru <> ''),
    label_en   text NOT NULL CHECK (label_en <> ''),
    active     boolean NOT NULL DEFAULT true,
    position   integer NOT NULL DEFAULT 0,
    updated_at timestamptz NOT NULL DEFAULT now()
);

INSERT INTO refusal_reasons (label_ru, label_en, position) VALUES
    ('Уже есть счёт в другом банке', 'Already has an account in another bank', 10),
    ('Уже есть эквайринг в другом банке', 'Already has acquiring in another bank', 20),
    ('Дорогие тарифы', 'Tariffs too expensive', 30),
    ('Сейчас не актуально', 'Not relevant now', 40),
    ('Нет сайта или онлайн-продаж', 'No website or online sales', 50),
    ('Закрывает бизнес', 'Closing the business', 60),
    ('Не оставлял заявку', 'Did not apply', 70),
    ('Другое', 'Other', 1000);

ALTER TABLE outcomes ADD COLUMN reason_id bigint REFERENCES refusal_reasons (id);
CREATE INDEX outcomes_reason_idx ON outcomes (reason_id) WHERE reason_id IS NOT NULL;

-- +goose Down
ALTER TABLE outcomes DROP COLUMN reason_id;
DROP TABLE refusal_reasons;
