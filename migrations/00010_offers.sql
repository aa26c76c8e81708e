-- Owned by dialog: the bank's product offers an operator sends to a client from the console with two clicks. They
-- were a list in the code; supervisors keep them now (/offers), as they keep scripts. The text is plain, as an
-- operator types a reply: the console escapes it for Telegram on the way out. Seeded with the offers of the code.

-- +goose Up
CREATE TABLE offers (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title      text NOT NULL CHECK (title <> ''),
    body       text NOT NULL CHECK (body <> ''),
    created_by bigint REFERENCES users (id),
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- +goose StatementBegin
INSERT INTO offers (title, body) VALUES
('РКО: тариф «Старт»', 'Тариф «Старт» для расчётного счёта:
• открытие счёта — бесплатно, за один визит менеджера;
• обслуживание — 0 ₽ первые 3 месяца, далее 490 ₽ в месяц;
• 3 бесплатных платежа юрлицам и ИП в месяц, далее 49 ₽;
• бизнес-карта и интернет-банк — бесплатно.
Оформим счёт, как только вы подтвердите удобное время встречи.'),
('РКО: тариф «Активный»', 'Тариф «Активный» для расчётного счёта:
• обслуживание — 1 490 ₽ в месяц;
• 30 бесплатных платежей юрлицам и ИП в месяц;
• снятие наличных до 300 000 ₽ в месяц без комиссии;
• зарплатный проект — бесплатно.'),
('Интернет-эквайринг', 'Интернет-эквайринг для вашего сайта:
• оплата картами, по QR-коду СБП и через Mir Pay;
• комиссия от 1,9% за операцию, по СБП — 0,7%;
• зачисление на счёт на следующий рабочий день;
• подключение за 1 день, платёжная страница и модули для популярных CMS — бесплатно.');
-- +goose StatementEnd

-- +goose Down
DROP TABLE offers;
